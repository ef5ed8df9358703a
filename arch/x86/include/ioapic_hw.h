/*
 * The host's I/O APIC (Intel 82093AA and compatibles): routing an ISA IRQ
 * to a local APIC vector. The encoding and the MADT look-up
 * (arch/x86/ioapic_route.c) are pure and host-tested; arch/x86/ioapic_hw.c
 * touches the chip through IOREGSEL/IOWIN.
 */
#ifndef IOAPIC_HW_H
#define IOAPIC_HW_H

#include <stdbool.h>
#include <stdint.h>
#include "acpi.h"
#include "kstatus.h"

/* 82093AA datasheet 3.0: two registers in the MMIO page; 3.2: indirect registers. */
#define IOAPIC_REGSEL     0x00
#define IOAPIC_WIN        0x10
#define IOAPIC_REG_ID     0x00
#define IOAPIC_REG_VER    0x01      /* bits 23:16: the highest redirection entry */
#define IOAPIC_REG_REDIR0 0x10      /* entry n: 0x10 + 2n (low), 0x11 + 2n (high) */

/* Redirection entry (82093AA 3.2.4). */
#define IOAPIC_RTE_LOW_ACTIVE (1ull << 13)  /* polarity: 1 active low */
#define IOAPIC_RTE_LEVEL      (1ull << 15)  /* trigger: 1 level, 0 edge */
#define IOAPIC_RTE_MASKED     (1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT 56            /* physical mode: the APIC ID, bits 63:56 */

/* Where an ISA IRQ arrives: its GSI and the MPS INTI flags (ACPI_ISO_*) that apply. */
struct isa_route {
    uint32_t gsi;
    uint16_t flags;
};

/*
 * The GSI and flags of ISA IRQ irq: the MADT's interrupt source override for
 * bus 0 and that IRQ if there is one (ACPI 6.x 5.2.12.5), else identity
 * mapped (GSI = IRQ) with flags 0 (bus default: ISA is edge, active high).
 */
struct isa_route ioapic_isa_route(const struct acpi_info *acpi, uint8_t irq);

/*
 * Which of the MADT's I/O APICs serves gsi: the one with the highest GSI
 * base not above it (each serves [base, base + its entries); the caller
 * checks the entry count, which only the chip knows). -1 if none.
 */
int ioapic_for_gsi(const struct acpi_info *acpi, uint32_t gsi);

/*
 * A fixed, physical-destination redirection entry for vector to APIC ID
 * dest with the polarity and trigger of the MPS INTI flags (bus default:
 * ISA's edge, active high), masked or not. HV_ERR_INVALID_ARGS for a
 * reserved polarity or trigger value (2), a vector below 0x10 (82093AA
 * 3.2.4: 0x10-0xfe) or 0xff, or dest above 255 (the field is 8 bits).
 */
hv_status_t ioapic_rte_encode(uint8_t vector, uint32_t dest, uint16_t inti_flags, bool masked,
                              uint64_t *out);

/* ---- the chip (ioapic_hw.c) ---- */

/*
 * Take the MADT's I/O APICs (their MMIO pages must be mapped uncached:
 * the caller asks mm/) and mask every redirection entry of each, so
 * nothing the firmware left on fires. Prints one line per chip.
 */
void ioapic_init(const struct acpi_info *acpi);
/* How many I/O APICs ioapic_init took (0 before it, or with none in the MADT). */
unsigned ioapic_count(void);

/*
 * Route ISA IRQ irq to vector on APIC ID dest, left masked: MADT override
 * and flags applied. HV_ERR_NOT_FOUND: no I/O APIC serves its GSI (or the
 * GSI is past the chip's entries); HV_ERR_INVALID_ARGS as ioapic_rte_encode.
 */
hv_status_t ioapic_route_isa(uint8_t irq, uint8_t vector, uint32_t dest);
/* Mask or unmask a routed ISA IRQ (no-op for one ioapic_route_isa refused). */
void ioapic_mask_isa(uint8_t irq, bool masked);

#endif
