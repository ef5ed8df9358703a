/*
 * root/vmm/irq_router.c: ISA lines into the 8259 pair and the I/O APIC as a
 * PC wires them, the 8259's INTA at injection, I/O APIC messages into
 * vcpu_interrupt words, destinations against a fake local APIC, EOIs.
 */
#include <string.h>
#include "irq_router.h"
#include "ut.h"

static struct irq_router r;
static uint32_t injected[16];
static unsigned ninjected;
static struct irq_lapic_view apic;      /* what the fake local APIC shows */
static unsigned apic_reads;

static void inject(void *ctx, uint32_t irq)
{
    CHECK(ctx == &r);
    if (ninjected < 16)
        injected[ninjected] = irq;
    ninjected++;
}

static void lapic(void *ctx, struct irq_lapic_view *v)
{
    CHECK(ctx == &r);
    apic_reads++;
    *v = apic;
}

static bool cpu_if = true;              /* the fake guest's RFLAGS.IF */
static unsigned if_reads;

static bool intr_on(void *ctx)
{
    CHECK(ctx == &r);
    if_reads++;
    return cpu_if;
}

static void pic_out(uint16_t port, uint8_t v)
{
    pic_io_write(&r.pic, port, 1, v);
}

/* The BIOS/Linux programming: master vectors 0x20-0x27, slave 0x28-0x2f, all unmasked. */
static void setup(void)
{
    memset(&r, 0x5a, sizeof(r));
    const struct irq_router_ops ops = { inject, lapic, intr_on, &r };
    irq_router_init(&r, &ops);
    ninjected = apic_reads = if_reads = 0;
    cpu_if = true;
    apic = (struct irq_lapic_view){ .known = true, .enabled = false, .lint0 = 1u << 16 };
    pic_out(0x20, 0x11); pic_out(0x21, 0x20); pic_out(0x21, 0x04); pic_out(0x21, 0x01);
    pic_out(0xa0, 0x11); pic_out(0xa1, 0x28); pic_out(0xa1, 0x02); pic_out(0xa1, 0x01);
    pic_out(0x21, 0x00); pic_out(0xa1, 0x00);
}

static void rte(unsigned pin, uint64_t v)
{
    ioapic_mmio_write(&r.ioapic, IOAPIC_BASE + IOAPIC_IOREGSEL, 4, IOAPIC_REG_REDTBL + 2 * pin);
    ioapic_mmio_write(&r.ioapic, IOAPIC_BASE + IOAPIC_IOWIN, 4, (uint32_t)v);
    ioapic_mmio_write(&r.ioapic, IOAPIC_BASE + IOAPIC_IOREGSEL, 4, IOAPIC_REG_REDTBL + 2 * pin + 1);
    ioapic_mmio_write(&r.ioapic, IOAPIC_BASE + IOAPIC_IOWIN, 4, (uint32_t)(v >> 32));
}

static void mask_pic(void)
{
    pic_out(0x21, 0xff);
    pic_out(0xa1, 0xff);
}

UT_TEST(irq_router_pic_extint_with_apic_disabled)
{
    setup();
    irq_router_pulse(&r, 1);
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_EXTINT | 0x21);
    CHECK_EQ(r.pic.chip[0].isr, 1u << 1);       /* acknowledged when injected */
    CHECK(!pic_has_interrupt(&r.pic));
    /* A slave line: vector from the slave, the cascade in service at the master. */
    pic_out(0x20, 0x20);                        /* EOI */
    irq_router_set(&r, 8, true);
    CHECK_EQ(ninjected, 2);
    CHECK_EQ(injected[1], IRQ_EXTINT | 0x28);
    CHECK_EQ(r.pic.chip[0].isr, 1u << 2);
    CHECK_EQ(r.pic.chip[1].isr, 1u << 0);
    /* Nothing else while those are in service. */
    irq_router_set(&r, 8, false);
    irq_router_update(&r);
    CHECK_EQ(ninjected, 2);
}

UT_TEST(irq_router_no_inta_while_if_is_clear)
{
    setup();
    cpu_if = false;
    irq_router_pulse(&r, 0);
    CHECK_EQ(ninjected, 0);
    CHECK(irq_router_extint_held(&r));
    CHECK_EQ(r.pic.chip[0].irr, 1u);            /* still a request, nothing in service */
    CHECK_EQ(r.pic.chip[0].isr, 0);
    /* The guest polls it itself (OCW3 P=1): it is gone, nothing is held any more. */
    pic_out(0x20, 0x0c);
    CHECK_EQ(pic_io_read(&r.pic, 0x20, 1), 0x80);
    irq_router_update(&r);
    CHECK(!irq_router_extint_held(&r));
    pic_out(0x20, 0x20);
    /* A new request, then IF on: acknowledged and injected at the next look. */
    irq_router_pulse(&r, 1);
    CHECK(irq_router_extint_held(&r));
    cpu_if = true;
    irq_router_update(&r);
    CHECK(!irq_router_extint_held(&r));
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_EXTINT | 0x21);
    /* IF is only asked when there is something to acknowledge. */
    unsigned reads = if_reads;
    irq_router_update(&r);
    CHECK_EQ(if_reads, reads);
    /* No ops for the APIC and IF: taken at once. */
    const struct irq_router_ops bare = { inject, 0, 0, &r };
    irq_router_init(&r, &bare);
    pic_out(0x20, 0x11); pic_out(0x21, 0x20); pic_out(0x21, 0x04); pic_out(0x21, 0x01);
    pic_out(0x21, 0x00);
    irq_router_pulse(&r, 5);
    CHECK_EQ(ninjected, 2);
    CHECK_EQ(injected[1], IRQ_EXTINT | 0x25);
}

UT_TEST(irq_router_unknown_apic_takes_extint)
{
    setup();
    apic.known = false;
    apic.enabled = true;
    irq_router_pulse(&r, 3);
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_EXTINT | 0x23);
}

UT_TEST(irq_router_lint0_masked_leaves_int_pending)
{
    setup();
    apic.enabled = true;                        /* LINT0 masked (its reset value) */
    irq_router_pulse(&r, 4);
    CHECK_EQ(ninjected, 0);
    CHECK(pic_has_interrupt(&r.pic));           /* no INTA: IRR stays */
    CHECK_EQ(r.pic.chip[0].isr, 0);
    apic.lint0 = 7u << 8;                       /* unmasked, ExtINT */
    irq_router_update(&r);
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_EXTINT | 0x24);
    /* LINT0 unmasked but in fixed mode takes no ExtINT either. */
    struct irq_lapic_view v = { .known = true, .enabled = true, .lint0 = 0x30 };
    CHECK(!irq_lapic_takes_extint(&v));
    v.enabled = false;
    CHECK(irq_lapic_takes_extint(&v));
}

UT_TEST(irq_router_irq0_is_ioapic_pin2)
{
    setup();
    mask_pic();
    apic.enabled = true;
    rte(2, 0x30);                               /* edge, active high, physical dest 0 */
    rte(0, 0x31);                               /* pin 0 fixed: must not see IRQ 0 */
    irq_router_pulse(&r, 0);
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_FIXED | 0x30);
    CHECK_EQ(apic_reads, 0);                    /* destination 0 needs no look at the APIC */
    /* The others are identity: IRQ 1 -> pin 1. */
    rte(1, 0x41);
    irq_router_pulse(&r, 1);
    CHECK_EQ(ninjected, 2);
    CHECK_EQ(injected[1], IRQ_FIXED | 0x41);
    /* Both controllers see the line: the masked 8259 holds the request in IRR. */
    CHECK(r.pic.chip[0].irr & 1u);
}

UT_TEST(irq_router_level_pin_waits_for_eoi)
{
    setup();
    mask_pic();
    rte(9, 0x50 | IOAPIC_RTE_LEVEL);            /* the SCI as the MADT says: level, high */
    irq_router_set(&r, 9, true);
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_FIXED | IRQ_LEVEL | 0x50);
    CHECK(ioapic_rte(&r.ioapic, 9) & IOAPIC_RTE_RIRR);
    irq_router_update(&r);
    CHECK_EQ(ninjected, 1);                     /* remote IRR holds it */
    irq_router_eoi(&r, 0x50);                   /* still asserted: again */
    CHECK_EQ(ninjected, 2);
    CHECK_EQ(injected[1], IRQ_FIXED | IRQ_LEVEL | 0x50);
    irq_router_set(&r, 9, false);
    irq_router_eoi(&r, 0x50);
    CHECK_EQ(ninjected, 2);
    CHECK(!(ioapic_rte(&r.ioapic, 9) & IOAPIC_RTE_RIRR));
}

UT_TEST(irq_router_pci_pins_and_cascade)
{
    setup();
    mask_pic();
    rte(16, 0x60 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_POLLOW);
    CHECK(r.lines & (1u << 16));                /* idle high, as the I/O APIC's pin */
    irq_router_set(&r, 16, true);               /* active low: nothing yet */
    CHECK_EQ(ninjected, 0);
    irq_router_set(&r, 16, false);
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_FIXED | IRQ_LEVEL | 0x60);
    /* Line 2 is the cascade: nothing drives it. */
    pic_out(0x21, 0x00);
    rte(2, 0x30);
    irq_router_pulse(&r, 2);
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(r.pic.chip[0].irr, 0);
    irq_router_set(&r, 24, true);               /* out of range: ignored */
    CHECK_EQ(r.lines, 0xfeu << 16);             /* pin 16 low, 17-23 idle high */
}

UT_TEST(irq_router_ioapic_extint_pin0)
{
    setup();
    apic.enabled = true;                        /* LINT0 masked: only pin 0 can take it */
    rte(0, (uint64_t)IOAPIC_DM_EXTINT << 8);
    irq_router_pulse(&r, 6);
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_EXTINT | 0x26);
    CHECK_EQ(r.pic.chip[0].isr, 1u << 6);
}

UT_TEST(irq_router_message_words)
{
    struct ioapic_msg m = { .vector = 0x40, .delivery_mode = IOAPIC_DM_FIXED };
    CHECK_EQ(irq_msg_word(&m), IRQ_FIXED | 0x40);
    m.level = true;
    CHECK_EQ(irq_msg_word(&m), IRQ_FIXED | IRQ_LEVEL | 0x40);
    m.delivery_mode = IOAPIC_DM_LOWEST;         /* one vCPU: the lowest is it */
    CHECK_EQ(irq_msg_word(&m), IRQ_FIXED | IRQ_LEVEL | 0x40);
    m.delivery_mode = IOAPIC_DM_NMI;
    CHECK_EQ(irq_msg_word(&m), IRQ_NMI);        /* no vector, no level */
    m.delivery_mode = IOAPIC_DM_EXTINT;
    CHECK_EQ(irq_msg_word(&m), IRQ_EXTINT);
    m.delivery_mode = IOAPIC_DM_SMI;
    CHECK_EQ(irq_msg_word(&m), 0);
    m.delivery_mode = IOAPIC_DM_INIT;
    CHECK_EQ(irq_msg_word(&m), 0);
    m.delivery_mode = 3;
    CHECK_EQ(irq_msg_word(&m), 0);
    m.delivery_mode = IOAPIC_DM_FIXED;
    m.vector = 15;                              /* an illegal vector */
    CHECK_EQ(irq_msg_word(&m), 0);
}

UT_TEST(irq_router_destinations)
{
    struct irq_lapic_view v = { .known = true, .enabled = true, .id = 0,
                                .ldr = 0x01000000, .dfr = 0xffffffff };
    struct ioapic_msg m = { .vector = 0x40, .dest = 0 };
    CHECK(irq_dest_matches(&m, &v));            /* physical 0 */
    m.dest = 1;
    CHECK(!irq_dest_matches(&m, &v));
    m.dest = 0xff;
    CHECK(irq_dest_matches(&m, &v));            /* broadcast */
    m.dest_logical = true;                      /* flat: LDR bits 31:24 = 0x01 */
    m.dest = 0x01;
    CHECK(irq_dest_matches(&m, &v));
    m.dest = 0x03;
    CHECK(irq_dest_matches(&m, &v));
    m.dest = 0x02;
    CHECK(!irq_dest_matches(&m, &v));
    m.dest = 0;
    CHECK(!irq_dest_matches(&m, &v));
    v.dfr = 0x0fffffff;                         /* cluster: cluster 1, member bit 0 */
    v.ldr = 0x11000000;
    m.dest = 0x11;
    CHECK(irq_dest_matches(&m, &v));
    m.dest = 0x21;
    CHECK(!irq_dest_matches(&m, &v));
    m.dest = 0x12;
    CHECK(!irq_dest_matches(&m, &v));
    v.x2apic = true;                            /* x2APIC: logical ID's low byte */
    v.ldr = 0x00000001;
    m.dest = 0x01;
    CHECK(irq_dest_matches(&m, &v));
    m.dest = 0x02;
    CHECK(!irq_dest_matches(&m, &v));
    v.known = false;                            /* unknown: everything matches */
    CHECK(irq_dest_matches(&m, &v));
}

UT_TEST(irq_router_logical_destination_reads_apic)
{
    setup();
    mask_pic();
    apic = (struct irq_lapic_view){ .known = true, .enabled = true, .ldr = 0x02000000,
                                    .dfr = 0xffffffff, .lint0 = 1u << 16 };
    rte(4, 0x44 | IOAPIC_RTE_DESTLOG | (0x01ull << IOAPIC_RTE_DEST_SHIFT));
    irq_router_pulse(&r, 4);
    CHECK_EQ(apic_reads, 1);
    CHECK_EQ(ninjected, 0);                     /* logical 0x01, the APIC is 0x02 */
    rte(4, 0x44 | IOAPIC_RTE_DESTLOG | (0x02ull << IOAPIC_RTE_DEST_SHIFT));
    irq_router_pulse(&r, 4);
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_FIXED | 0x44);
    rte(4, 0x44 | (0x03ull << IOAPIC_RTE_DEST_SHIFT));  /* physical 3: not us */
    irq_router_pulse(&r, 4);
    CHECK_EQ(ninjected, 1);
}

UT_TEST(irq_router_unmasked_lines)
{
    setup();
    mask_pic();
    for (unsigned i = 0; i < IRQ_ROUTER_LINES; i++)
        CHECK(!irq_router_unmasked(&r, i));
    pic_out(0x21, (uint8_t)~1u);
    CHECK(irq_router_unmasked(&r, 0));
    CHECK(!irq_router_unmasked(&r, 8));
    pic_out(0xa1, (uint8_t)~1u);                /* slave IR0, cascade still masked */
    CHECK(!irq_router_unmasked(&r, 8));
    pic_out(0x21, (uint8_t)~5u);
    CHECK(irq_router_unmasked(&r, 8));
    CHECK(!irq_router_unmasked(&r, 2));         /* the cascade is no line */
    mask_pic();
    rte(2, 0x30);                               /* IRQ 0 unmasked at the I/O APIC */
    CHECK(irq_router_unmasked(&r, 0));
    CHECK(!irq_router_unmasked(&r, 2));
    rte(20, 0x30);
    CHECK(irq_router_unmasked(&r, 20));
    CHECK(!irq_router_unmasked(&r, 24));
}

UT_TEST(irq_router_registers_its_devices)
{
    setup();
    struct vmm_devices t;
    vmm_devices_init(&t);
    CHECK(irq_router_register(&r, &t));
    CHECK(vmm_devices_port(&t, 0x20) && vmm_devices_port(&t, 0x21));
    CHECK(vmm_devices_port(&t, 0xa0) && vmm_devices_port(&t, 0xa1));
    CHECK(vmm_devices_port(&t, 0x4d0) && vmm_devices_port(&t, 0x4d1));
    CHECK(vmm_devices_mmio(&t, IOAPIC_BASE) && vmm_devices_mmio(&t, IOAPIC_BASE + 0xfff));
    CHECK(!vmm_devices_mmio(&t, IOAPIC_BASE + 0x1000));
    /* The version register through the table: 0x20, 24 entries. */
    vmm_mmio_write(&t, IOAPIC_BASE, 4, IOAPIC_REG_VER, 0);
    CHECK_EQ(vmm_mmio_read(&t, IOAPIC_BASE + IOAPIC_IOWIN, 4, 0), 0x170020);
}
