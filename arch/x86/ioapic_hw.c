/*
 * The host's I/O APICs through IOREGSEL/IOWIN (82093AA datasheet 3.0): all
 * entries masked at start-up; ISA IRQs routed on request (the console's
 * receive interrupt). The 8259s stay masked (pic.c), so the I/O APIC is the
 * only way a device interrupt reaches the CPU.
 */
#include "base.h"
#include "ioapic_hw.h"
#include "x86.h"

struct chip {
    volatile uint32_t *mmio;
    uint32_t gsi_base, entries;
};

static struct chip chips[ACPI_MAX_IOAPICS];
static unsigned nchips;
static const struct acpi_info *madt;

/* A routed ISA IRQ: its chip and pin, and the entry without the mask bit. */
static struct { bool routed; uint8_t chip, pin; uint64_t rte; } isa[16];

static uint32_t reg_read(const struct chip *c, uint8_t reg)
{
    c->mmio[IOAPIC_REGSEL / 4] = reg;
    return c->mmio[IOAPIC_WIN / 4];
}

static void reg_write(const struct chip *c, uint8_t reg, uint32_t v)
{
    c->mmio[IOAPIC_REGSEL / 4] = reg;
    c->mmio[IOAPIC_WIN / 4] = v;
}

/* The mask bit is in the low word: write the high word (destination) first while the
 * entry is masked, then the low word, so a half-written entry never fires. */
static void rte_write(const struct chip *c, uint32_t pin, uint64_t e)
{
    reg_write(c, (uint8_t)(IOAPIC_REG_REDIR0 + 2 * pin), (uint32_t)IOAPIC_RTE_MASKED);
    reg_write(c, (uint8_t)(IOAPIC_REG_REDIR0 + 2 * pin + 1), (uint32_t)(e >> 32));
    reg_write(c, (uint8_t)(IOAPIC_REG_REDIR0 + 2 * pin), (uint32_t)e);
}

void ioapic_init(const struct acpi_info *acpi)
{
    madt = acpi;
    nchips = 0;
    for (uint32_t i = 0; i < acpi->nioapics && i < ACPI_MAX_IOAPICS; i++) {
        struct chip *c = &chips[i];
        c->mmio = phys_to_virt(acpi->ioapics[i].addr);
        c->gsi_base = acpi->ioapics[i].gsi_base;
        uint32_t ver = reg_read(c, IOAPIC_REG_VER);
        if (ver == 0xffffffffu) {       /* nothing answers at that address */
            pr_warn("ioapic: %u at 0x%x reads all ones, not used\n", i, acpi->ioapics[i].addr);
            c->entries = 0;
            continue;
        }
        c->entries = ((ver >> 16) & 0xff) + 1;
        for (uint32_t pin = 0; pin < c->entries; pin++)
            rte_write(c, pin, IOAPIC_RTE_MASKED);
        pr_info("ioapic: %u at 0x%x version 0x%x, GSIs %u-%u, all masked\n", i,
                acpi->ioapics[i].addr, ver & 0xff, c->gsi_base, c->gsi_base + c->entries - 1);
    }
    nchips = acpi->nioapics < ACPI_MAX_IOAPICS ? acpi->nioapics : ACPI_MAX_IOAPICS;
}

unsigned ioapic_count(void)
{
    return nchips;
}

hv_status_t ioapic_route_isa(uint8_t irq, uint8_t vector, uint32_t dest)
{
    if (irq >= 16 || !nchips)
        return HV_ERR_NOT_FOUND;
    struct isa_route r = ioapic_isa_route(madt, irq);
    int i = ioapic_for_gsi(madt, r.gsi);
    if (i < 0 || r.gsi - chips[i].gsi_base >= chips[i].entries)
        return HV_ERR_NOT_FOUND;
    uint64_t e;
    hv_status_t rc = ioapic_rte_encode(vector, dest, r.flags, true, &e);
    if (rc != HV_OK)
        return rc;
    uint32_t pin = r.gsi - chips[i].gsi_base;
    rte_write(&chips[i], pin, e);
    isa[irq].routed = true;
    isa[irq].chip = (uint8_t)i;
    isa[irq].pin = (uint8_t)pin;
    isa[irq].rte = e & ~IOAPIC_RTE_MASKED;
    pr_info("ioapic: ISA IRQ %u -> GSI %u (%s, %s) -> vector 0x%x on APIC %u\n", irq, r.gsi,
            (e & IOAPIC_RTE_LEVEL) ? "level" : "edge",
            (e & IOAPIC_RTE_LOW_ACTIVE) ? "active low" : "active high", vector, dest);
    return HV_OK;
}

void ioapic_mask_isa(uint8_t irq, bool masked)
{
    if (irq >= 16 || !isa[irq].routed)
        return;
    const struct chip *c = &chips[isa[irq].chip];
    uint64_t e = isa[irq].rte | (masked ? IOAPIC_RTE_MASKED : 0);
    reg_write(c, (uint8_t)(IOAPIC_REG_REDIR0 + 2 * isa[irq].pin), (uint32_t)e);
}
