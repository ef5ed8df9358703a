/*
 * Local APIC, in x2APIC mode (MSRs) when the CPU has it, else xAPIC (MMIO at
 * the IA32_APIC_BASE address, which the kernel maps uncached). Register
 * numbers below are xAPIC MMIO offsets; in x2APIC mode the same offset maps
 * to MSR 0x800 + (offset >> 4).
 */
#ifndef LAPIC_H
#define LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_ID          0x020
#define LAPIC_VERSION     0x030
#define LAPIC_TPR         0x080
#define LAPIC_EOI         0x0b0
#define LAPIC_LDR         0x0d0
#define LAPIC_SVR         0x0f0
#define LAPIC_ISR0        0x100     /* 8 registers, 0x10 apart */
#define LAPIC_TMR0        0x180
#define LAPIC_IRR0        0x200
#define LAPIC_ESR         0x280
#define LAPIC_LVT_CMCI    0x2f0
#define LAPIC_ICR         0x300     /* xAPIC: low half; x2APIC: the whole 64-bit ICR */
#define LAPIC_ICR_HIGH    0x310     /* xAPIC only */
#define LAPIC_LVT_TIMER   0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF    0x340
#define LAPIC_LVT_LINT0   0x350
#define LAPIC_LVT_LINT1   0x360
#define LAPIC_LVT_ERROR   0x370
#define LAPIC_TIMER_INIT  0x380
#define LAPIC_TIMER_CUR   0x390
#define LAPIC_TIMER_DIV   0x3e0

#define LAPIC_SVR_ENABLE  (1u << 8)
#define LAPIC_LVT_MASKED  (1u << 16)
#define LAPIC_TIMER_PERIODIC (1u << 17)
#define LAPIC_TIMER_DIV16 0x3u

/* ICR low word. */
#define LAPIC_ICR_FIXED    (0u << 8)
#define LAPIC_ICR_NMI      (4u << 8)
#define LAPIC_ICR_INIT     (5u << 8)
#define LAPIC_ICR_STARTUP  (6u << 8)
#define LAPIC_ICR_PENDING  (1u << 12)  /* xAPIC delivery status */
#define LAPIC_ICR_ASSERT   (1u << 14)
#define LAPIC_ICR_LEVEL    (1u << 15)
#define LAPIC_ICR_SELF     (1u << 18)
#define LAPIC_ICR_ALL_INCL (2u << 18)
#define LAPIC_ICR_ALL_EXCL (3u << 18)

/*
 * Enable this CPU's local APIC: x2APIC if CPUID.1:ECX[21] (unless the command
 * line says lapic=xapic and firmware has not already chosen x2APIC), else
 * xAPIC. Spurious vector 0xff, TPR 0, LVT timer/LINT0/LINT1/error (and
 * thermal/perf/CMCI when present) masked, ESR cleared, stale in-service bits
 * acknowledged. Masking LINT0 (ExtINT) and LINT1 (NMI) on the boot CPU means
 * no legacy 8259 interrupts and no chipset NMIs for now. Prints one line.
 * Callable on every CPU; the mode chosen by the first call is kept.
 */
void lapic_init(void);

bool lapic_is_x2apic(void);
/* This CPU's APIC id (32-bit in x2APIC mode); CPUID's initial id before lapic_init. */
uint32_t lapic_id(void);
/* No-op before lapic_init. */
void lapic_eoi(void);

/*
 * Raw register access. For LAPIC_ICR in xAPIC mode, bits 63:32 go to
 * ICR_HIGH (written first) and 31:0 to ICR low; note the destination field
 * differs between modes (xAPIC: bits 63:56, x2APIC: 63:32), so prefer
 * lapic_send_ipi().
 */
uint64_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint64_t v);

/*
 * Send an IPI to apic_id with the given ICR low word (vector, delivery
 * mode, level...). In xAPIC mode waits (bounded) for the previous and this
 * IPI to leave the send-pending state. Returns false if the APIC stayed
 * busy or apic_id does not fit xAPIC's 8-bit destination.
 */
bool lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);

/*
 * Measure the TSC and the APIC timer (divide by 16) against ~10 ms of PIT
 * channel 2, with a bounded poll. If the PIT never signals, falls back to
 * CPUID leaf 0x15/0x16 or fixed guesses (with a warning). Prints one line.
 * Boot CPU, after lapic_init. Leaves the APIC timer stopped and masked.
 */
void lapic_timer_calibrate(void);
uint64_t tsc_hz(void);            /* 0 before lapic_timer_calibrate */
uint64_t lapic_timer_hz(void);    /* APIC timer ticks per second at divide 16 */

/* One interrupt at `vector` after `count` timer ticks (divide 16). */
void lapic_timer_oneshot(uint8_t vector, uint32_t count);

#endif
