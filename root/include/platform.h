/*
 * The PC's interrupt controllers and timers around the VMM's other device
 * models: the IRQ router (irq_router.h: 8259 pair, ELCR, I/O APIC), the
 * 8254 PIT with port 0x61, the MC146818A RTC, and the lines of COM1 (IRQ 4)
 * and the ACPI SCI (IRQ 9). Pure: the VMM's loop (vmm_platform.c) gives it
 * the clock, the injection and the local APIC's state as callbacks.
 *
 * Time: every model counts the same clock, the host TSC at ticks_hz
 * (hv_system_info.tsc_hz). The guest's TSC is the host's (offset 0, as
 * long as the guest does not write IA32_TSC), so a guest that calibrates
 * its TSC against PIT channel 2, the PM timer or the RTC measures tsc_hz,
 * the rate CPUID leaves 0x15/0x16 report (vmx/cpu_model.c).
 *
 * The loop:
 *   - at a deadline, a HLT or console input, platform_sync(): every line
 *     follows its model (PIT OUT0's rising edges pulse IRQ 0, edges that
 *     piled up coalesce into one, as one latched IRR bit would; IRQ 8 is
 *     the RTC's IRQF; IRQ 4 uart_irq_line(); IRQ 9 acpi_pm_sci_pending())
 *     and the 8259's INT is looked at;
 *   - after an access to a port or address, platform_access(): only what
 *     that device drives is looked at (the 8259's INT after its ports, IRQ
 *     0 after the PIT's, ...), so an exit to another device costs a few
 *     comparisons; so is the 8259's INT while a request waits for IF;
 *   - it resumes the vCPU with platform_next_event() as the deadline (the
 *     next PIT OUT0 edge, RTC periodic/alarm/update event, PM timer
 *     TMR_STS: absolute ticks, worked out again only when a sync or an
 *     access to a timer may have moved them);
 *   - HV_PKT_GUEST_EOI -> platform_eoi().
 */
#ifndef PLATFORM_H
#define PLATFORM_H

#include <stdbool.h>
#include <stdint.h>
#include "acpi_pm.h"
#include "irq_router.h"
#include "pit8254.h"
#include "rtc_cmos.h"
#include "uart16550.h"
#include "vmm_device.h"

#define PLATFORM_NO_EVENT UINT64_MAX
#define PLATFORM_IRQ_PIT  0
#define PLATFORM_IRQ_COM1 4
#define PLATFORM_IRQ_RTC  8
#define PLATFORM_IRQ_SCI  ACPI_SCI_IRQ

typedef uint64_t (*platform_clock_fn)(void *ctx);

struct platform_config {
    platform_clock_fn now;          /* the TSC */
    void *clock_ctx;
    uint64_t ticks_hz;              /* nonzero, below 2^42 */
    int64_t (*wall)(void *ctx);     /* Unix seconds for the RTC, read once */
    void *wall_ctx;
    uint64_t ram_below_4g;          /* bytes, for the CMOS memory-size bytes */
    struct uart16550 *com1;         /* may be NULL */
    struct acpi_pm *pm;             /* may be NULL */
    struct irq_router_ops irq;      /* injection, the local APIC's state, RFLAGS.IF */
};

struct platform {
    struct irq_router router;
    struct pit8254 pit;
    struct rtc_cmos rtc;
    struct uart16550 *com1;
    struct acpi_pm *pm;
    platform_clock_fn now;
    void *clock_ctx;
    uint64_t next;                  /* platform_next_event()'s answer */
};

void platform_init(struct platform *p, const struct platform_config *cfg);
/* PIC 0x20-0x21/0xa0-0xa1, ELCR 0x4d0-0x4d1, PIT 0x40-0x43 and 0x61, RTC 0x70-0x71,
 * the I/O APIC page. */
bool platform_register(struct platform *p, struct vmm_devices *t);

/* The lines follow the models at the clock's now; the 8259's output is looked at. */
void platform_sync(struct platform *p);
/* After an access the device table served (io: port addr, else guest-physical addr). */
void platform_access(struct platform *p, bool io, uint64_t addr);
/* The earliest tick at which a model may raise a line, or PLATFORM_NO_EVENT. */
uint64_t platform_next_event(const struct platform *p);
/* An 8259 interrupt waits for the guest to turn IF on (irq_router_extint_held): the VMM
 * looks again at every exit and resumes with a deadline no later than
 * PLATFORM_EXTINT_RECHECK_US from now. */
#define PLATFORM_EXTINT_RECHECK_US 100
bool platform_extint_held(const struct platform *p);
/* The guest EOIed level-triggered vector (HV_PKT_GUEST_EOI). */
void platform_eoi(struct platform *p, uint8_t vector);

/* Whether anything can still interrupt a halted guest: a timer that will raise a line
 * unmasked at the 8259 or the I/O APIC, or (console_input: typed input can arrive)
 * COM1 with its receive interrupts enabled and OUT2 set on an unmasked IRQ 4. */
bool platform_can_wake(struct platform *p, bool console_input);

#endif
