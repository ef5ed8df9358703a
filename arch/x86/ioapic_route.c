/*
 * Pure I/O APIC logic (ioapic_hw.h): ISA IRQ -> GSI through the MADT's
 * interrupt source overrides, GSI -> I/O APIC, and redirection entries.
 */
#include "ioapic_hw.h"

struct isa_route ioapic_isa_route(const struct acpi_info *acpi, uint8_t irq)
{
    struct isa_route r = { irq, 0 };
    for (uint32_t i = 0; i < acpi->nisos && i < ACPI_MAX_ISOS; i++) {
        const struct acpi_iso *s = &acpi->isos[i];
        if (s->bus == 0 && s->source == irq) {
            r.gsi = s->gsi;
            r.flags = s->flags;
            break;                      /* the first one counts; a second is a firmware bug */
        }
    }
    return r;
}

int ioapic_for_gsi(const struct acpi_info *acpi, uint32_t gsi)
{
    int best = -1;
    for (uint32_t i = 0; i < acpi->nioapics && i < ACPI_MAX_IOAPICS; i++) {
        uint32_t base = acpi->ioapics[i].gsi_base;
        if (base <= gsi && (best < 0 || base > acpi->ioapics[best].gsi_base))
            best = (int)i;
    }
    return best;
}

hv_status_t ioapic_rte_encode(uint8_t vector, uint32_t dest, uint16_t inti_flags, bool masked,
                              uint64_t *out)
{
    uint32_t pol = inti_flags & ACPI_ISO_POLARITY_MASK;
    uint32_t trig = (inti_flags & ACPI_ISO_TRIGGER_MASK) >> ACPI_ISO_TRIGGER_SHIFT;
    if (pol == 2 || trig == 2 || vector < 0x10 || vector == 0xff || dest > 0xff)
        return HV_ERR_INVALID_ARGS;
    /* Delivery mode fixed (000), destination mode physical (0): bits 10:8 and 11 clear. */
    uint64_t e = vector;
    if (pol == 3)                       /* MPS INTI: 1 active high, 3 active low, 0 ISA: high */
        e |= IOAPIC_RTE_LOW_ACTIVE;
    if (trig == 3)                      /* 1 edge, 3 level, 0 ISA: edge */
        e |= IOAPIC_RTE_LEVEL;
    if (masked)
        e |= IOAPIC_RTE_MASKED;
    e |= (uint64_t)dest << IOAPIC_RTE_DEST_SHIFT;
    *out = e;
    return HV_OK;
}
