/* The PC's interrupt wiring (see irq_router.h). Pure code. */
#include "irq_router.h"
#include "acpi_build.h"

#define LINT_MASKED   (1u << 16)
#define LINT_MODE(l)  (((l) >> 8) & 7u)
#define DFR_FLAT      0xfu          /* DFR bits 31:28 */

static void deliver(void *ctx, const struct ioapic_msg *m);

void irq_router_init(struct irq_router *r, const struct irq_router_ops *ops)
{
    pic_init(&r->pic);
    ioapic_init(&r->ioapic, ACPI_IOAPIC_ID, deliver, r);
    r->lines = 0xffu << IRQ_ROUTER_ISA;     /* PCI lines idle high, as the I/O APIC's pins */
    r->extint_held = false;
    r->ops = *ops;
}

bool irq_router_register(struct irq_router *r, struct vmm_devices *t)
{
    struct vmm_device d;
    ioapic_device(&r->ioapic, &d);
    return pic_register(&r->pic, t) && vmm_devices_add(t, &d);
}

static unsigned ioapic_pin(unsigned irq)
{
    return irq == 0 ? IRQ_ROUTER_PIT_PIN : irq;
}

static void lapic_view(struct irq_router *r, struct irq_lapic_view *v)
{
    *v = (struct irq_lapic_view){ .known = false };
    if (r->ops.lapic)
        r->ops.lapic(r->ops.ctx, v);
}

bool irq_lapic_takes_extint(const struct irq_lapic_view *v)
{
    return !v->known || !v->enabled ||
           (!(v->lint0 & LINT_MASKED) && LINT_MODE(v->lint0) == 7);
}

bool irq_dest_matches(const struct ioapic_msg *m, const struct irq_lapic_view *v)
{
    if (!v->known || m->dest == 0xff)
        return true;
    if (!m->dest_logical)
        return m->dest == v->id;
    if (v->x2apic)
        return (m->dest & v->ldr & 0xffu) != 0;
    uint32_t logical = v->ldr >> 24;
    if ((v->dfr >> 28) == DFR_FLAT)
        return (m->dest & logical) != 0;
    return (m->dest >> 4) == (logical >> 4) && (m->dest & logical & 0xfu) != 0;
}

uint32_t irq_msg_word(const struct ioapic_msg *m)
{
    switch (m->delivery_mode) {
    case IOAPIC_DM_FIXED:
    case IOAPIC_DM_LOWEST:
        if (m->vector < 16)
            return 0;
        return IRQ_FIXED | IRQ_VECTOR(m->vector) | (m->level ? IRQ_LEVEL : 0);
    case IOAPIC_DM_NMI:
        return IRQ_NMI;
    case IOAPIC_DM_EXTINT:
        return IRQ_EXTINT;
    default:
        return 0;
    }
}

/* The INTA cycle and the injection of the 8259's vector. */
static void inject_extint(struct irq_router *r)
{
    uint8_t vector = pic_acknowledge(&r->pic);
    r->ops.inject(r->ops.ctx, IRQ_EXTINT | vector);
}

static void deliver(void *ctx, const struct ioapic_msg *m)
{
    struct irq_router *r = ctx;
    uint32_t word = irq_msg_word(m);
    if (!word)
        return;
    struct irq_lapic_view v = { .known = false };
    /* A physical destination of 0 (APIC ID 0) or 0xff needs no look at the APIC. */
    if (m->dest_logical || (m->dest != 0 && m->dest != 0xff))
        lapic_view(r, &v);
    if (!irq_dest_matches(m, &v))
        return;
    if (word == IRQ_EXTINT) {
        if (pic_has_interrupt(&r->pic))
            inject_extint(r);
        return;
    }
    r->ops.inject(r->ops.ctx, word);
}

void irq_router_update(struct irq_router *r)
{
    bool intr = pic_has_interrupt(&r->pic);
    r->extint_held = false;
    ioapic_set_irq(&r->ioapic, 0, intr);
    if (!intr || !pic_has_interrupt(&r->pic))  /* pin 0 in ExtINT mode may have taken it */
        return;
    struct irq_lapic_view v;
    lapic_view(r, &v);
    if (!irq_lapic_takes_extint(&v))
        return;
    if (r->ops.intr_on && !r->ops.intr_on(r->ops.ctx)) {
        r->extint_held = true;          /* no INTA while the CPU has IF=0 */
        return;
    }
    inject_extint(r);
}

bool irq_router_extint_held(const struct irq_router *r)
{
    return r->extint_held;
}

void irq_router_set(struct irq_router *r, unsigned irq, bool level)
{
    if (irq >= IRQ_ROUTER_LINES || ((r->lines >> irq) & 1u) == (unsigned)level)
        return;
    r->lines ^= 1u << irq;
    if (irq == PIC_CASCADE_IRQ)
        return;                 /* no device drives the cascade */
    if (irq < IRQ_ROUTER_ISA)
        pic_set_irq(&r->pic, irq, level);
    ioapic_set_irq(&r->ioapic, ioapic_pin(irq), level);
    irq_router_update(r);
}

void irq_router_pulse(struct irq_router *r, unsigned irq)
{
    irq_router_set(r, irq, true);
    irq_router_set(r, irq, false);
}

void irq_router_eoi(struct irq_router *r, uint8_t vector)
{
    ioapic_eoi(&r->ioapic, vector);
}

bool irq_router_unmasked(const struct irq_router *r, unsigned irq)
{
    if (irq >= IRQ_ROUTER_LINES || irq == PIC_CASCADE_IRQ)
        return false;
    if (!(ioapic_rte(&r->ioapic, ioapic_pin(irq)) & IOAPIC_RTE_MASK))
        return true;
    if (irq >= IRQ_ROUTER_ISA)
        return false;
    const struct pic8259_chip *master = &r->pic.chip[0], *slave = &r->pic.chip[1];
    if (irq < 8)
        return !(master->imr & (1u << irq));
    return !(master->imr & (1u << PIC_CASCADE_IRQ)) && !(slave->imr & (1u << (irq - 8)));
}
