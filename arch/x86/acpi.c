/*
 * ACPI glue: run the pure parser (acpi_tables.c) over the kernel's identity
 * map and report what it found. Addresses are accepted only if the caller's
 * `mapped` says every page they touch is present (mm/ knows the page
 * tables), so a corrupt pointer in a firmware table ends in an error
 * message, not a page fault.
 */
#include "acpi.h"
#include "base.h"

static const void *identity_map(uint64_t phys, uint64_t len, void *ctx)
{
    bool (*mapped)(uint64_t, uint64_t) = *(bool (**)(uint64_t, uint64_t))ctx;
    return mapped(phys, len) ? (const void *)(uintptr_t)phys : NULL;
}

hv_status_t acpi_init(uint64_t rsdp_phys, struct acpi_info *out,
                      bool (*mapped)(uint64_t, uint64_t))
{
    const char *why;
    hv_status_t rc = acpi_parse(rsdp_phys, identity_map, &mapped, out, &why);
    if (rc != HV_OK) {
        pr_err("acpi: %s (RSDP at 0x%llx)\n", why, (unsigned long long)rsdp_phys);
        return rc;
    }

    pr_info("acpi: RSDP rev %u OEM \"%s\", %s at 0x%llx, MADT at 0x%llx, FADT at 0x%llx\n",
            out->rsdp_revision, out->oem_id, out->use_xsdt ? "XSDT" : "RSDT",
            (unsigned long long)out->root_phys, (unsigned long long)out->madt_phys,
            (unsigned long long)out->fadt_phys);
    for (uint32_t i = 0; i < out->ncpus; i++) {
        const struct acpi_cpu *c = &out->cpus[i];
        pr_info("acpi: cpu %u apic_id %u %s%s\n", i, c->apic_id,
                c->enabled ? "enabled" : "online-capable", c->x2apic_entry ? " (x2APIC entry)" : "");
    }
    for (uint32_t i = 0; i < out->nioapics; i++) {
        const struct acpi_ioapic *io = &out->ioapics[i];
        pr_info("acpi: ioapic %u id %u at 0x%x gsi base %u\n", i, io->id, io->addr, io->gsi_base);
    }
    for (uint32_t i = 0; i < out->nisos; i++) {
        const struct acpi_iso *s = &out->isos[i];
        pr_info("acpi: irq override bus %u irq %u -> gsi %u flags 0x%x\n", s->bus, s->source,
                s->gsi, s->flags);
    }
    pr_info("acpi: %u CPUs, %u I/O APICs, lapic at 0x%llx%s%s\n", out->ncpus_enabled,
            out->nioapics, (unsigned long long)out->lapic_addr,
            out->lapic_override ? " (override)" : "",
            (out->madt_flags & ACPI_MADT_PCAT_COMPAT) ? ", 8259 PICs present" : "");

    if (out->ncpus > out->ncpus_enabled)
        pr_info("acpi: %u more CPUs online-capable, not started\n", out->ncpus - out->ncpus_enabled);
    if (out->ncpus_unusable)
        pr_info("acpi: %u MADT CPU entries disabled or invalid, ignored\n", out->ncpus_unusable);
    if (out->ncpus_dropped || out->nioapics_dropped || out->nisos_dropped)
        pr_warn("acpi: tables exceed limits: %u CPUs, %u I/O APICs, %u overrides ignored\n",
                out->ncpus_dropped, out->nioapics_dropped, out->nisos_dropped);
    if (out->ncpus_enabled == 0)
        pr_warn("acpi: MADT lists no enabled CPU\n");
    return HV_OK;
}
