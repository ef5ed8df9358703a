/*
 * The PC's interrupt wiring between the VMM's device models and the vCPU:
 * every ISA line goes to both the 8259 pair and the I/O APIC, as on a PC,
 * and what they put out becomes vcpu_interrupt() words (hv/syscall.h
 * HV_IRQ_*). Pure: the VMM gives two callbacks, one that injects and one
 * that reads what the router needs of the vCPU's local APIC.
 *
 * Inputs (irq_router_set):
 *   ISA IRQ 0-15: the 8259 input of that number (IRQ 2 is the cascade: no
 *     device drives it) and the I/O APIC pin of that number, except IRQ 0,
 *     which is pin 2: the MADT's interrupt source override ISA 0 -> GSI 2
 *     (acpi_build.h). The SCI (IRQ 9) is level, active high, as the MADT's
 *     second override says; the guest programs the pin and the ELCR.
 *   16-23: I/O APIC pins only (PCI INTx; nothing drives them yet).
 *   The 8259 pair's INT output drives I/O APIC pin 0 too (the PC's
 *     "virtual wire through the I/O APIC"): an ExtINT entry there makes
 *     the router acknowledge the 8259 and inject its vector.
 *
 * Outputs:
 *   - The 8259's INT is the local APIC's LINT0. When it is asserted, the
 *     local APIC would take an ExtINT (APIC disabled, or LINT0 unmasked in
 *     ExtINT mode) and the CPU has interrupts on (RFLAGS.IF), the router
 *     runs the INTA cycle (pic_acknowledge) and injects HV_IRQ_EXTINT |
 *     vector, which the kernel delivers at the next VM entry: the 8259
 *     counts the interrupt as in service from then on, as the CPU's INTA
 *     would. While the guest runs with IF=0 the request stays in the
 *     8259's IRR, unacknowledged, as on a PC (a guest may poll, mask or
 *     EOI around it): irq_router_extint_held() says so, and the VMM looks
 *     again at every exit and at a deadline soon after. With LINT0 masked
 *     INT stays asserted, unacknowledged, as on a PC.
 *   - An ExtINT entry of the I/O APIC (the virtual wire through pin 0)
 *     acknowledges the 8259 when the message is sent, as the local APIC
 *     accepts ExtINT messages whatever LINT0 says; the kernel's
 *     vcpu_interrupt takes HV_IRQ_EXTINT only while the APIC is disabled or
 *     LINT0 is unmasked in ExtINT mode, so with LINT0 masked that vector is
 *     lost in the kernel (the 8259 keeps it in service until the guest's
 *     EOI, which a guest that never saw it does not send).
 *   - I/O APIC messages: fixed and lowest-priority -> HV_IRQ_FIXED | vector
 *     (| HV_IRQ_LEVEL for level entries, whose EOI comes back as
 *     HV_PKT_GUEST_EOI -> irq_router_eoi); NMI -> HV_IRQ_NMI; ExtINT -> the
 *     8259's vector as above. SMI, INIT and the reserved modes are dropped
 *     (there is no SMM; INIT of the only vCPU is not modelled), and so are
 *     fixed vectors below 16 (the local APIC's "illegal vector").
 *   - Destinations: the one vCPU (APIC ID 0) matches a physical destination
 *     equal to its ID or 0xff; a logical one by its LDR and DFR (SDM Vol. 3A
 *     10.6.2.2: flat model, the LDR's bits 31:24 AND the destination;
 *     cluster model, bits 31:28 equal the destination's 7:4 and bits 27:24
 *     AND its 3:0; 0xff is everyone), in x2APIC mode the destination AND
 *     the logical ID's low byte. When the local APIC's state is unknown
 *     (the callback says so) every destination matches.
 */
#ifndef IRQ_ROUTER_H
#define IRQ_ROUTER_H

#include <stdbool.h>
#include <stdint.h>
#include "ioapic.h"
#include "pic8259.h"
#include "vmm_device.h"

#define IRQ_ROUTER_LINES   24
#define IRQ_ROUTER_ISA     16
#define IRQ_ROUTER_PIT_PIN 2        /* the MADT's override of ISA IRQ 0 */

/* vcpu_interrupt's word (include/hv/syscall.h), repeated so the pure code needs no ABI. */
#define IRQ_VECTOR(v)  ((uint32_t)(v) & 0xffu)
#define IRQ_FIXED      (0u << 8)
#define IRQ_NMI        (4u << 8)
#define IRQ_EXTINT     (7u << 8)
#define IRQ_LEVEL      (1u << 15)

/* What the router needs of the vCPU's local APIC (SDM Vol. 3A chapter 10). */
struct irq_lapic_view {
    bool known;                 /* false: no state (every destination matches, ExtINT taken) */
    bool enabled;               /* IA32_APIC_BASE bit 11 and SVR bit 8 */
    bool x2apic;                /* IA32_APIC_BASE bit 10 */
    uint32_t id;                /* APIC ID (xAPIC: the ID register's bits 31:24) */
    uint32_t ldr, dfr;          /* logical destination (x2APIC: the 32-bit logical ID) */
    uint32_t lint0;             /* LVT LINT0 */
};

typedef void (*irq_inject_fn)(void *ctx, uint32_t irq);
typedef void (*irq_lapic_fn)(void *ctx, struct irq_lapic_view *v);
typedef bool (*irq_intr_on_fn)(void *ctx);

/* What the router calls; ctx is passed to each. */
struct irq_router_ops {
    irq_inject_fn inject;       /* vcpu_interrupt */
    irq_lapic_fn lapic;         /* the local APIC's state; NULL: unknown */
    irq_intr_on_fn intr_on;     /* the guest's RFLAGS.IF; NULL: always on */
    void *ctx;
};

struct irq_router {
    struct pic8259 pic;
    struct ioapic ioapic;
    uint32_t lines;             /* input levels, bit n = line n */
    bool extint_held;           /* INT asserted for a willing LINT0, the CPU with IF=0 */
    struct irq_router_ops ops;
};

/* Both controllers at reset, ISA lines low, PCI lines idle high. */
void irq_router_init(struct irq_router *r, const struct irq_router_ops *ops);
/* The 8259s and ELCR (pic_register) and the I/O APIC page. */
bool irq_router_register(struct irq_router *r, struct vmm_devices *t);

/* Line irq (0-23) at level; then the 8259's output is looked at (irq_router_update). */
void irq_router_set(struct irq_router *r, unsigned irq, bool level);
/* A rising and a falling edge on irq. */
void irq_router_pulse(struct irq_router *r, unsigned irq);
/* The 8259's INT: to I/O APIC pin 0 and, if the local APIC takes ExtINTs, acknowledged and
 * injected. Call after every access to the 8259's ports too (a mask or an EOI changes it). */
void irq_router_update(struct irq_router *r);
/* Whether the last update left an 8259 interrupt waiting for the guest's IF. */
bool irq_router_extint_held(const struct irq_router *r);
/* HV_PKT_GUEST_EOI: the guest EOIed level-triggered vector. */
void irq_router_eoi(struct irq_router *r, uint8_t vector);

/* Whether an interrupt on line irq could reach the CPU: unmasked at the 8259 (and, for
 * 8-15, the cascade unmasked at the master) or at its I/O APIC pin. */
bool irq_router_unmasked(const struct irq_router *r, unsigned irq);

/* The pure rules, for tests: does the message's destination name the vCPU; would its
 * local APIC take an ExtINT; the vcpu_interrupt word of an I/O APIC message (0: dropped;
 * ExtINT messages give IRQ_EXTINT with vector 0: the 8259 supplies it). */
bool irq_dest_matches(const struct ioapic_msg *m, const struct irq_lapic_view *v);
bool irq_lapic_takes_extint(const struct irq_lapic_view *v);
uint32_t irq_msg_word(const struct ioapic_msg *m);

#endif
