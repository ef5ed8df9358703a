/*
 * arch/x86/ioapic_route.c: the host I/O APIC's redirection entries from
 * MPS INTI flags (82093AA datasheet 3.2.4), ISA IRQ -> GSI through the
 * MADT's interrupt source overrides, and GSI -> I/O APIC by GSI base.
 */
#include <string.h>
#include "ioapic_hw.h"
#include "ut.h"

UT_TEST(host_ioapic_rte_bus_default_is_isa_edge_high)
{
    uint64_t e = 0;
    CHECK_EQ(ioapic_rte_encode(0xe0, 0, 0, false, &e), HV_OK);
    CHECK_EQ(e, 0xe0);                          /* fixed, physical, edge, high, unmasked */
    CHECK_EQ(ioapic_rte_encode(0xe0, 3, 0, true, &e), HV_OK);
    CHECK_EQ(e, (3ull << 56) | (1ull << 16) | 0xe0);
    CHECK_EQ(ioapic_rte_encode(0x30, 0xff, 0, false, &e), HV_OK);
    CHECK_EQ(e, (0xffull << 56) | 0x30);
}

UT_TEST(host_ioapic_rte_polarity_and_trigger_flags)
{
    uint64_t e = 0;
    /* polarity bits 1:0 (1 high, 3 low), trigger bits 3:2 (1 edge, 3 level) */
    CHECK_EQ(ioapic_rte_encode(0x40, 1, 0x1 | (0x1 << 2), false, &e), HV_OK);
    CHECK_EQ(e, (1ull << 56) | 0x40);
    CHECK_EQ(ioapic_rte_encode(0x40, 1, 0x3, false, &e), HV_OK);          /* low, edge */
    CHECK_EQ(e, (1ull << 56) | (1ull << 13) | 0x40);
    CHECK_EQ(ioapic_rte_encode(0x40, 1, 0x3 << 2, false, &e), HV_OK);     /* high, level */
    CHECK_EQ(e, (1ull << 56) | (1ull << 15) | 0x40);
    CHECK_EQ(ioapic_rte_encode(0x40, 1, 0xf, true, &e), HV_OK);           /* low, level: SCI */
    CHECK_EQ(e, (1ull << 56) | (1ull << 16) | (1ull << 15) | (1ull << 13) | 0x40);
    /* Bits above the trigger field (reserved in the MADT) do not leak into the entry. */
    CHECK_EQ(ioapic_rte_encode(0x40, 1, 0xfff0, false, &e), HV_OK);
    CHECK_EQ(e, (1ull << 56) | 0x40);
}

UT_TEST(host_ioapic_rte_refuses_reserved)
{
    uint64_t e = 0x1234;
    CHECK_EQ(ioapic_rte_encode(0x40, 0, 0x2, false, &e), HV_ERR_INVALID_ARGS);      /* pol 2 */
    CHECK_EQ(ioapic_rte_encode(0x40, 0, 0x2 << 2, false, &e), HV_ERR_INVALID_ARGS); /* trig 2 */
    CHECK_EQ(ioapic_rte_encode(0x0f, 0, 0, false, &e), HV_ERR_INVALID_ARGS);        /* < 0x10 */
    CHECK_EQ(ioapic_rte_encode(0xff, 0, 0, false, &e), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ioapic_rte_encode(0x40, 256, 0, false, &e), HV_ERR_INVALID_ARGS);      /* 8 bits */
    CHECK_EQ(e, 0x1234);                        /* untouched on error */
    CHECK_EQ(ioapic_rte_encode(0x10, 0, 0, false, &e), HV_OK);                      /* lowest */
    CHECK_EQ(ioapic_rte_encode(0xfe, 0, 0, false, &e), HV_OK);                      /* highest */
}

static struct acpi_info *madt(void)
{
    static struct acpi_info a;
    memset(&a, 0, sizeof(a));
    a.nioapics = 2;
    a.ioapics[0] = (struct acpi_ioapic){ 2, 0xfec00000u, 0 };
    a.ioapics[1] = (struct acpi_ioapic){ 3, 0xfec01000u, 24 };
    a.nisos = 3;
    a.isos[0] = (struct acpi_iso){ 0, 0, 0, 2 };            /* IRQ 0 -> GSI 2, as QEMU/Bochs */
    a.isos[1] = (struct acpi_iso){ 0, 9, 0xd, 9 };          /* SCI: level, active high */
    a.isos[2] = (struct acpi_iso){ 0, 4, 0xf, 30 };         /* a board that moves COM1 */
    return &a;
}

UT_TEST(host_ioapic_isa_route_overrides)
{
    struct acpi_info *a = madt();
    struct isa_route r = ioapic_isa_route(a, 0);
    CHECK_EQ(r.gsi, 2);
    CHECK_EQ(r.flags, 0);
    r = ioapic_isa_route(a, 9);
    CHECK_EQ(r.gsi, 9);
    CHECK_EQ(r.flags, 0xd);
    r = ioapic_isa_route(a, 4);
    CHECK_EQ(r.gsi, 30);
    CHECK_EQ(r.flags, 0xf);
    r = ioapic_isa_route(a, 3);                 /* no override: identity, bus default */
    CHECK_EQ(r.gsi, 3);
    CHECK_EQ(r.flags, 0);
    a->isos[2].bus = 1;                         /* not ISA: does not apply */
    r = ioapic_isa_route(a, 4);
    CHECK_EQ(r.gsi, 4);
    CHECK_EQ(r.flags, 0);
    a->nisos = 0;
    CHECK_EQ(ioapic_isa_route(a, 0).gsi, 0);
}

UT_TEST(host_ioapic_for_gsi)
{
    struct acpi_info *a = madt();
    CHECK_EQ(ioapic_for_gsi(a, 0), 0);
    CHECK_EQ(ioapic_for_gsi(a, 23), 0);
    CHECK_EQ(ioapic_for_gsi(a, 24), 1);
    CHECK_EQ(ioapic_for_gsi(a, 30), 1);
    /* Listed out of order: still the highest base not above the GSI. */
    struct acpi_ioapic t = a->ioapics[0];
    a->ioapics[0] = a->ioapics[1];
    a->ioapics[1] = t;
    CHECK_EQ(ioapic_for_gsi(a, 4), 1);
    CHECK_EQ(ioapic_for_gsi(a, 30), 0);
    a->ioapics[1].gsi_base = 16;                /* none serves GSIs below 16 */
    CHECK_EQ(ioapic_for_gsi(a, 4), -1);
    a->nioapics = 0;
    CHECK_EQ(ioapic_for_gsi(a, 0), -1);
}
