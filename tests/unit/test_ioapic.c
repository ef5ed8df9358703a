/* root/vmm/ioapic.c: the 82093AA-style I/O APIC through IOREGSEL/IOWIN. */
#include <string.h>
#include "ioapic.h"
#include "ut.h"

#define MAXMSG 64

static struct ioapic io;
static struct ioapic_msg msgs[MAXMSG];
static unsigned nmsg;

static void record(void *ctx, const struct ioapic_msg *m)
{
    (void)ctx;
    if (nmsg < MAXMSG)
        msgs[nmsg] = *m;
    nmsg++;
}

static void setup(void)
{
    memset(&io, 0x5a, sizeof(io));          /* ioapic_init must set every field that matters */
    ioapic_init(&io, 2, record, 0);
    nmsg = 0;
}

static uint32_t reg_rd(uint8_t index)
{
    ioapic_mmio_write(&io, IOAPIC_BASE + IOAPIC_IOREGSEL, 4, index);
    return (uint32_t)ioapic_mmio_read(&io, IOAPIC_BASE + IOAPIC_IOWIN, 4);
}

static void reg_wr(uint8_t index, uint32_t v)
{
    ioapic_mmio_write(&io, IOAPIC_BASE + IOAPIC_IOREGSEL, 4, index);
    ioapic_mmio_write(&io, IOAPIC_BASE + IOAPIC_IOWIN, 4, v);
}

static void rte_wr(unsigned pin, uint64_t e)
{
    reg_wr((uint8_t)(0x11 + 2 * pin), (uint32_t)(e >> 32));
    reg_wr((uint8_t)(0x10 + 2 * pin), (uint32_t)e);
}

static uint64_t rte_rd(unsigned pin)
{
    return (uint64_t)reg_rd((uint8_t)(0x11 + 2 * pin)) << 32 | reg_rd((uint8_t)(0x10 + 2 * pin));
}

UT_TEST(ioapic_reset_id_ver_arb)
{
    setup();
    CHECK_EQ(reg_rd(IOAPIC_REG_ID), 2u << 24);
    CHECK_EQ(reg_rd(IOAPIC_REG_VER), 0x00170020);   /* version 0x20, entries 0..23 */
    CHECK_EQ(reg_rd(IOAPIC_REG_ARB), 2u << 24);
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
        CHECK_EQ(rte_rd(pin), IOAPIC_RTE_MASK);     /* all masked at reset */
    /* ID: bits 27:24 only; ARB follows; VER and ARB are read-only. */
    reg_wr(IOAPIC_REG_ID, 0xffffffff);
    CHECK_EQ(reg_rd(IOAPIC_REG_ID), 0x0f000000);
    CHECK_EQ(reg_rd(IOAPIC_REG_ARB), 0x0f000000);
    reg_wr(IOAPIC_REG_VER, 0);
    reg_wr(IOAPIC_REG_ARB, 0);
    CHECK_EQ(reg_rd(IOAPIC_REG_VER), 0x00170020);
    CHECK_EQ(reg_rd(IOAPIC_REG_ARB), 0x0f000000);
    reg_wr(IOAPIC_REG_ID, 0x05000000);
    CHECK_EQ(reg_rd(IOAPIC_REG_ID), 0x05000000);
    /* Unimplemented indices read 0; IOREGSEL reads back. */
    CHECK_EQ(reg_rd(0x03), 0);
    CHECK_EQ(reg_rd(0x40), 0);
    CHECK_EQ(reg_rd(0xff), 0);
    reg_wr(0x40, 0xffffffff);
    CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_BASE, 4), 0x40);
    CHECK_EQ(nmsg, 0);
}

UT_TEST(ioapic_rte_program_and_read_back)
{
    setup();
    /* Vector 0x31, lowest priority, logical, active low, level, unmasked, dest 0x0f. */
    uint64_t e = 0x0f00000000000000ull | IOAPIC_RTE_LEVEL | IOAPIC_RTE_POLLOW |
                 IOAPIC_RTE_DESTLOG | (1ull << 8) | 0x31;
    rte_wr(5, e | IOAPIC_RTE_MASK);
    CHECK_EQ(rte_rd(5), e | IOAPIC_RTE_MASK);
    CHECK_EQ(ioapic_rte(&io, 5), e | IOAPIC_RTE_MASK);
    /* Read-only bits (delivery status, remote IRR) and reserved bits 55:17 ignore writes. */
    rte_wr(6, ~0ull);
    CHECK_EQ(rte_rd(6), 0xff0000000001afffull);
    rte_wr(6, 0);
    CHECK_EQ(rte_rd(6), 0);
    /* Each dword is written on its own. */
    reg_wr(0x10 + 2 * 7 + 1, 0xab000000);
    CHECK_EQ(rte_rd(7), 0xab00000000000000ull | IOAPIC_RTE_MASK);
    reg_wr(0x10 + 2 * 7, 0x41);
    CHECK_EQ(rte_rd(7), 0xab00000000000041ull);
    /* The last entry and one past it. */
    rte_wr(23, 0x0100000000000099ull);
    CHECK_EQ(rte_rd(23), 0x0100000000000099ull);
    CHECK_EQ(reg_rd(0x40), 0);
    CHECK_EQ(ioapic_rte(&io, 24), 0);
    CHECK_EQ(nmsg, 0);                      /* nothing is asserted */
}

UT_TEST(ioapic_edge_once_per_rising_edge)
{
    setup();
    rte_wr(4, 0x0300000000000024ull);       /* vector 0x24, fixed, physical, edge, dest 3 */
    ioapic_set_irq(&io, 4, true);
    CHECK_EQ(nmsg, 1);
    CHECK_EQ(msgs[0].vector, 0x24);
    CHECK_EQ(msgs[0].delivery_mode, IOAPIC_DM_FIXED);
    CHECK(!msgs[0].dest_logical);
    CHECK_EQ(msgs[0].dest, 3);
    CHECK(!msgs[0].level);
    CHECK_EQ(msgs[0].pin, 4);
    ioapic_set_irq(&io, 4, true);           /* still high: no edge */
    CHECK_EQ(nmsg, 1);
    ioapic_set_irq(&io, 4, false);
    CHECK_EQ(nmsg, 1);
    ioapic_set_irq(&io, 4, true);
    CHECK_EQ(nmsg, 2);
    CHECK_EQ(rte_rd(4) & (IOAPIC_RTE_RIRR | IOAPIC_RTE_DELIVS), 0);
    ioapic_eoi(&io, 0x24);                  /* an EOI means nothing to edge pins */
    CHECK_EQ(nmsg, 2);
    /* Other pins and pins out of range. */
    ioapic_set_irq(&io, 3, true);           /* masked */
    ioapic_set_irq(&io, 24, true);
    ioapic_set_irq(&io, 1000, true);
    CHECK_EQ(nmsg, 2);
}

UT_TEST(ioapic_edge_masked_is_lost)
{
    setup();
    rte_wr(1, IOAPIC_RTE_MASK | 0x21);
    ioapic_set_irq(&io, 1, true);
    CHECK_EQ(nmsg, 0);
    rte_wr(1, 0x21);                        /* unmasked while high: the edge is gone */
    CHECK_EQ(nmsg, 0);
    ioapic_set_irq(&io, 1, false);
    ioapic_set_irq(&io, 1, true);
    CHECK_EQ(nmsg, 1);
    rte_wr(1, IOAPIC_RTE_MASK | 0x21);
    ioapic_set_irq(&io, 1, false);
    ioapic_set_irq(&io, 1, true);
    CHECK_EQ(nmsg, 1);
}

UT_TEST(ioapic_level_remote_irr_and_eoi)
{
    setup();
    rte_wr(9, IOAPIC_RTE_LEVEL | 0x49);
    ioapic_set_irq(&io, 9, true);
    CHECK_EQ(nmsg, 1);
    CHECK(msgs[0].level);
    CHECK_EQ(msgs[0].vector, 0x49);
    CHECK(rte_rd(9) & IOAPIC_RTE_RIRR);
    /* Still asserted, no EOI yet: Remote IRR holds it back. */
    ioapic_set_irq(&io, 9, true);
    ioapic_set_irq(&io, 9, false);
    ioapic_set_irq(&io, 9, true);
    CHECK_EQ(nmsg, 1);
    ioapic_eoi(&io, 0x48);                  /* another vector */
    CHECK_EQ(nmsg, 1);
    CHECK(rte_rd(9) & IOAPIC_RTE_RIRR);
    /* Writing the entry (same level mode) does not clear Remote IRR. */
    rte_wr(9, IOAPIC_RTE_LEVEL | 0x49);
    CHECK(rte_rd(9) & IOAPIC_RTE_RIRR);
    CHECK_EQ(nmsg, 1);
    /* EOI while asserted: delivered again, Remote IRR set again. */
    ioapic_eoi(&io, 0x49);
    CHECK_EQ(nmsg, 2);
    CHECK(rte_rd(9) & IOAPIC_RTE_RIRR);
    /* Deasserted, then EOI: Remote IRR clears and nothing is sent. */
    ioapic_set_irq(&io, 9, false);
    ioapic_eoi(&io, 0x49);
    CHECK_EQ(nmsg, 2);
    CHECK_EQ(rte_rd(9) & IOAPIC_RTE_RIRR, 0);
    ioapic_set_irq(&io, 9, true);
    CHECK_EQ(nmsg, 3);
}

UT_TEST(ioapic_level_eoi_all_pins_with_vector)
{
    setup();
    rte_wr(10, IOAPIC_RTE_LEVEL | 0x50);
    rte_wr(11, IOAPIC_RTE_LEVEL | 0x50);    /* a shared vector */
    ioapic_set_irq(&io, 10, true);
    ioapic_set_irq(&io, 11, true);
    CHECK_EQ(nmsg, 2);
    ioapic_set_irq(&io, 11, false);
    ioapic_eoi(&io, 0x50);                  /* clears both; only pin 10 is still asserted */
    CHECK_EQ(nmsg, 3);
    CHECK_EQ(msgs[2].pin, 10);
    CHECK(rte_rd(10) & IOAPIC_RTE_RIRR);
    CHECK_EQ(rte_rd(11) & IOAPIC_RTE_RIRR, 0);
    /* The EOI register (+0x40, version 0x20) does the same. */
    ioapic_mmio_write(&io, IOAPIC_BASE + IOAPIC_EOIR, 4, 0x50);
    CHECK_EQ(nmsg, 4);
    ioapic_set_irq(&io, 10, false);
    ioapic_mmio_write(&io, IOAPIC_BASE + IOAPIC_EOIR, 1, 0x50);    /* not 32 bits: ignored */
    CHECK(rte_rd(10) & IOAPIC_RTE_RIRR);
    ioapic_mmio_write(&io, IOAPIC_BASE + IOAPIC_EOIR, 4, 0x50);
    CHECK_EQ(rte_rd(10) & IOAPIC_RTE_RIRR, 0);
    CHECK_EQ(nmsg, 4);
}

UT_TEST(ioapic_level_to_edge_clears_remote_irr)
{
    setup();
    rte_wr(12, IOAPIC_RTE_LEVEL | 0x60);
    ioapic_set_irq(&io, 12, true);
    CHECK(rte_rd(12) & IOAPIC_RTE_RIRR);
    /* Linux's mask/edge/level dance for I/O APICs without EOIR. */
    rte_wr(12, IOAPIC_RTE_MASK | 0x60);
    CHECK_EQ(rte_rd(12) & IOAPIC_RTE_RIRR, 0);
    CHECK_EQ(nmsg, 1);
    rte_wr(12, IOAPIC_RTE_MASK | IOAPIC_RTE_LEVEL | 0x60);
    CHECK_EQ(nmsg, 1);
    rte_wr(12, IOAPIC_RTE_LEVEL | 0x60);    /* unmasked while asserted */
    CHECK_EQ(nmsg, 2);
}

UT_TEST(ioapic_level_mask_unmask)
{
    setup();
    rte_wr(2, IOAPIC_RTE_MASK | IOAPIC_RTE_LEVEL | 0x30);
    ioapic_set_irq(&io, 2, true);
    CHECK_EQ(nmsg, 0);
    CHECK_EQ(rte_rd(2) & IOAPIC_RTE_RIRR, 0);
    rte_wr(2, IOAPIC_RTE_LEVEL | 0x30);     /* unmasked while asserted: delivers now */
    CHECK_EQ(nmsg, 1);
    CHECK(rte_rd(2) & IOAPIC_RTE_RIRR);
    /* Masked after delivery: Remote IRR stays, the EOI clears it, nothing is sent. */
    rte_wr(2, IOAPIC_RTE_MASK | IOAPIC_RTE_LEVEL | 0x30);
    ioapic_eoi(&io, 0x30);
    CHECK_EQ(nmsg, 1);
    CHECK_EQ(rte_rd(2) & IOAPIC_RTE_RIRR, 0);
    /* Deasserted while masked: unmasking sends nothing. */
    ioapic_set_irq(&io, 2, false);
    rte_wr(2, IOAPIC_RTE_LEVEL | 0x30);
    CHECK_EQ(nmsg, 1);
}

UT_TEST(ioapic_polarity_active_low)
{
    setup();
    /* Pins 0-15 idle low, 16-23 idle high (active-low PCI lines): nothing fires. */
    rte_wr(0, 0x20);                        /* active high edge */
    rte_wr(16, IOAPIC_RTE_POLLOW | IOAPIC_RTE_LEVEL | 0x70);
    CHECK_EQ(nmsg, 0);
    /* Active low, level: a low line is asserted. */
    ioapic_set_irq(&io, 16, false);
    CHECK_EQ(nmsg, 1);
    CHECK_EQ(msgs[0].vector, 0x70);
    ioapic_set_irq(&io, 16, true);
    ioapic_eoi(&io, 0x70);
    CHECK_EQ(nmsg, 1);
    /* Active low, edge: a falling line is the edge that counts. */
    rte_wr(3, IOAPIC_RTE_POLLOW | 0x23);
    ioapic_set_irq(&io, 3, true);
    CHECK_EQ(nmsg, 1);
    ioapic_set_irq(&io, 3, false);
    CHECK_EQ(nmsg, 2);
    CHECK_EQ(msgs[1].vector, 0x23);
    ioapic_set_irq(&io, 3, true);
    CHECK_EQ(nmsg, 2);
    /* Flipping a level pin's polarity under a steady line asserts it. */
    rte_wr(5, IOAPIC_RTE_LEVEL | 0x25);     /* line low, active high: idle */
    CHECK_EQ(nmsg, 2);
    rte_wr(5, IOAPIC_RTE_POLLOW | IOAPIC_RTE_LEVEL | 0x25);
    CHECK_EQ(nmsg, 3);
}

UT_TEST(ioapic_delivery_fields_passed_through)
{
    setup();
    static const uint8_t modes[] = {IOAPIC_DM_FIXED, IOAPIC_DM_LOWEST, IOAPIC_DM_SMI,
                                    IOAPIC_DM_NMI, IOAPIC_DM_INIT, IOAPIC_DM_EXTINT};
    for (unsigned i = 0; i < sizeof(modes); i++) {
        uint64_t e = (uint64_t)(0x80 + i) << 56 | (uint64_t)modes[i] << 8 |
                     (i & 1 ? IOAPIC_RTE_DESTLOG : 0) | (0x40 + i);
        rte_wr(8, e);
        ioapic_set_irq(&io, 8, true);
        ioapic_set_irq(&io, 8, false);
        CHECK_EQ(nmsg, i + 1);
        CHECK_EQ(msgs[i].vector, 0x40 + i);
        CHECK_EQ(msgs[i].delivery_mode, modes[i]);
        CHECK_EQ(msgs[i].dest_logical, i & 1);
        CHECK_EQ(msgs[i].dest, 0x80 + i);
        CHECK(!msgs[i].level);
    }
}

UT_TEST(ioapic_odd_accesses)
{
    setup();
    rte_wr(0, 0x0100000000000020ull);
    /* IOREGSEL by byte (chipset datasheets: an 8-bit index register). */
    ioapic_mmio_write(&io, IOAPIC_BASE, 1, 0x10);
    CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_BASE, 1), 0x10);
    CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_BASE + IOAPIC_IOWIN, 4), 0x20);
    ioapic_mmio_write(&io, IOAPIC_BASE, 4, 0xffffff11);     /* reserved bits 31:8 dropped */
    CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_BASE, 4), 0x11);
    CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_BASE + IOAPIC_IOWIN, 4), 0x01000000);
    /* IOWIN other than 32 bits: reads 0, writes ignored (as QEMU). */
    ioapic_mmio_write(&io, IOAPIC_BASE, 4, 0x10);
    CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_BASE + IOAPIC_IOWIN, 1), 0);
    CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_BASE + IOAPIC_IOWIN, 2), 0);
    CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_BASE + IOAPIC_IOWIN, 8), 0);
    ioapic_mmio_write(&io, IOAPIC_BASE + IOAPIC_IOWIN, 1, 0xff);
    ioapic_mmio_write(&io, IOAPIC_BASE + IOAPIC_IOWIN, 2, 0xffff);
    ioapic_mmio_write(&io, IOAPIC_BASE + IOAPIC_IOWIN, 8, ~0ull);
    CHECK_EQ(rte_rd(0), 0x0100000000000020ull);
    /* 8-byte IOREGSEL: ignored / 0. */
    ioapic_mmio_write(&io, IOAPIC_BASE, 4, 0x10);
    ioapic_mmio_write(&io, IOAPIC_BASE, 8, 0x12);
    CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_BASE, 8), 0);
    CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_BASE, 4), 0x10);
    /* Odd offsets: inside a register, between registers, EOIR read, the page's end. */
    static const unsigned offs[] = {0x01, 0x04, 0x08, 0x11, 0x14, 0x20, 0x30, 0x40, 0x44,
                                    0x80, 0xffc};
    for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        for (unsigned size = 1; size <= 8; size *= 2) {
            CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_BASE + offs[i], size), 0);
            if (offs[i] != IOAPIC_EOIR)
                ioapic_mmio_write(&io, IOAPIC_BASE + offs[i], size, ~0ull);
        }
    }
    CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_BASE, 4), 0x10);
    CHECK_EQ(rte_rd(0), 0x0100000000000020ull);
    CHECK_EQ(reg_rd(IOAPIC_REG_ID), 2u << 24);
    CHECK_EQ(nmsg, 0);
}

UT_TEST(ioapic_through_device_table)
{
    setup();
    struct vmm_devices t;
    struct vmm_device d;
    vmm_devices_init(&t);
    ioapic_device(&io, &d);
    CHECK(vmm_devices_add(&t, &d));
    bool claimed = false;
    vmm_mmio_write(&t, 0xfec00000, 4, IOAPIC_REG_VER, &claimed);
    CHECK(claimed);
    CHECK_EQ(vmm_mmio_read(&t, 0xfec00010, 4, &claimed), 0x00170020);
    CHECK(claimed);
    vmm_mmio_read(&t, 0xfec01000, 4, &claimed);
    CHECK(!claimed);
}

UT_TEST(ioapic_no_callback)
{
    struct ioapic q;
    ioapic_init(&q, 0, 0, 0);
    ioapic_mmio_write(&q, IOAPIC_BASE, 4, 0x10);
    ioapic_mmio_write(&q, IOAPIC_BASE + IOAPIC_IOWIN, 4, IOAPIC_RTE_LEVEL | 0x30);
    ioapic_set_irq(&q, 0, true);            /* dropped, not a crash */
    CHECK(ioapic_rte(&q, 0) & IOAPIC_RTE_RIRR);
}
