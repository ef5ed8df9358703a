/*
 * The guest's ACPI tables (ACPI 6.3 layouts; section numbers of ACPI 6.4),
 * built into a host buffer the VMM copies to guest-physical tables_gpa,
 * plus the 36-byte RSDP the VMM copies to a 16-byte boundary in the BIOS
 * area 0xE0000-0xFFFFF, where an OS searches for it (5.2.5.1). Pure: no
 * hypercalls.
 *
 * The machine described is a legacy ACPI PC (not hardware-reduced) without
 * PCI: local APICs at 0xFEE00000, one I/O APIC, dual 8259s, the fixed PM
 * hardware of acpi_pm.h, ACPI always enabled (no SMM).
 *
 * Buffer layout (offsets from tables_gpa, which must be 64-byte aligned for
 * the FACS, and the whole buffer below 4 GiB for the 32-bit pointers):
 *   0     FACS (5.2.10), 64 bytes: signature, length, version 2, the rest 0
 *   64    DSDT (5.2.11.1): iasl's AML of root/vmm/dsdt.asl, copied as is:
 *         \_S5 (SLP_TYPa 5), \_SB.COM1 (PNP0501, 0x3f8, IRQ 4) and
 *         \_SB.FWCF (QEMU0002, ports 0x510-0x511)
 *   then, each 8-byte aligned:
 *         FADT "FACP" (5.2.9), revision 6, minor 3, 276 bytes:
 *           FIRMWARE_CTRL = FACS (X_FIRMWARE_CTRL 0: only one may be set),
 *           DSDT = X_DSDT = DSDT, SCI_INT 9, SMI_CMD 0 (no SMM: ACPI mode
 *           always), PM1a_EVT_BLK 0x600 (4), PM1a_CNT_BLK 0x604 (2),
 *           PM_TMR_BLK 0x608 (4), no PM1b/PM2/GPE blocks, the same blocks
 *           as X_ Generic Address Structures (5.2.3.2: System I/O, access
 *           size word for PM1, dword for the timer), P_LVL2_LAT 101 and
 *           P_LVL3_LAT 1001 (no C2/C3), CENTURY 0x32 (the RTC's century
 *           byte, rtc_cmos.h), IAPC_BOOT_ARCH from the config (the VMM's:
 *           8042, no VGA; the CMOS RTC is there),
 *           flags WBINVD | PROC_C1 | PWR_BUTTON | SLP_BUTTON | FIX_RTC (no
 *           fixed buttons or RTC wake; TMR_VAL_EXT clear: 24-bit timer; no
 *           reset register), Preferred_PM_Profile 0 (unspecified)
 *         MADT "APIC" (5.2.12), revision 5: local APIC address 0xFEE00000,
 *           flags PCAT_COMPAT; per vCPU i a Processor Local APIC (type 0,
 *           UID i, APIC ID i, enabled); an I/O APIC (type 1, ID 0 as
 *           QEMU's, address 0xFEC00000, GSI base 0); Interrupt Source
 *           Overrides (type 2) ISA IRQ 0 -> GSI 2 (bus-conforming) and IRQ 9
 *           -> GSI 9 level, active high (the SCI); a Local APIC NMI (type 4)
 *           for all processors on LINT1
 *         RSDT (5.2.7), revision 1: FADT, MADT
 *         XSDT (5.2.8), revision 1: FADT, MADT
 * RSDP (5.2.5.3): revision 2, RSDT and XSDT addresses, length 36, both
 * checksums. Every table's checksum makes its bytes sum to 0. IDs: OEMID
 * "HV    ", OEM table ID "HVPC    ", OEM revision 1, creator "HV  " 1.
 *
 * Guest memory map: the VMM must report the tables' range and the RSDP's
 * as not RAM (E820 reserved, or ACPI NVS since the FACS is there). With
 * the suggested addresses everything lies in 0xE0000-0xFFFFF, which a PC
 * never reports as RAM.
 */
#ifndef ACPI_BUILD_H
#define ACPI_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include "acpi_checksum.h"
#include "acpi_pm.h"

#define ACPI_RSDP_LEN           36
#define ACPI_BUILD_RSDP_GPA     0xE0000u    /* suggested: the first place an OS looks */
#define ACPI_BUILD_TABLES_GPA   0xE1000u    /* suggested */
#define ACPI_BUILD_TABLES_MAX   0x1000u     /* enough for ACPI_BUILD_MAX_CPUS */
#define ACPI_BUILD_MAX_CPUS     255         /* xAPIC IDs 0-254 (255 is broadcast) */

#define ACPI_LAPIC_ADDR         0xFEE00000u
#define ACPI_IOAPIC_ADDR        0xFEC00000u
#define ACPI_IOAPIC_ID          0

/* FADT IAPC_BOOT_ARCH flags (5.2.9.3): what the VMM's machine has. */
#define ACPI_IAPC_LEGACY_DEVICES  (1u << 0)    /* ISA devices the OS must find itself */
#define ACPI_IAPC_8042            (1u << 1)    /* an 8042 keyboard controller */
#define ACPI_IAPC_VGA_NOT_PRESENT (1u << 2)
#define ACPI_IAPC_MSI_NOT_SUPPORTED (1u << 3)
#define ACPI_IAPC_CMOS_RTC_NOT_PRESENT (1u << 5)

/* FADT fixed feature flags (5.2.9, table "Fixed ACPI Description Table Fixed Feature Flags"). */
#define ACPI_FADT_WBINVD        (1u << 0)
#define ACPI_FADT_PROC_C1       (1u << 2)
#define ACPI_FADT_PWR_BUTTON    (1u << 4)     /* set: no fixed power button */
#define ACPI_FADT_SLP_BUTTON    (1u << 5)     /* set: no fixed sleep button */
#define ACPI_FADT_FIX_RTC       (1u << 6)     /* set: no RTC wake status in PM1 */
#define ACPI_FADT_TMR_VAL_EXT   (1u << 8)     /* set: 32-bit PM timer (clear here) */
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_HW_REDUCED    (1u << 20)

/* Table sizes and field offsets the builder and the tests share. */
#define ACPI_HEADER_LEN         36
#define ACPI_FACS_LEN           64
#define ACPI_FADT_LEN           276
#define ACPI_FADT_REVISION      6
#define ACPI_FADT_MINOR         3
#define ACPI_MADT_REVISION      5

struct acpi_build_config {
    unsigned ncpus;                 /* 1..ACPI_BUILD_MAX_CPUS, APIC IDs 0..ncpus-1 */
    uint64_t tables_gpa;            /* where the VMM puts the buffer: 64-byte aligned */
    uint16_t iapc_boot_arch;        /* ACPI_IAPC_* for the FADT */
};

/* Where each table landed: offsets in the buffer (add tables_gpa for the guest address). */
struct acpi_build_layout {
    uint32_t size;                  /* bytes of the buffer used */
    uint32_t facs, dsdt, fadt, madt, rsdt, xsdt;
};

enum acpi_build_error {
    ACPI_BUILD_OK = 0,
    ACPI_BUILD_ERR_CPUS = -1,       /* ncpus 0 or above ACPI_BUILD_MAX_CPUS */
    ACPI_BUILD_ERR_ADDR = -2,       /* tables_gpa not 64-byte aligned, or the tables reach 4 GiB */
    ACPI_BUILD_ERR_SPACE = -3,      /* the buffer is smaller than acpi_build_size() */
};

/* Bytes the tables need for ncpus vCPUs (0 when ncpus is out of range). */
uint32_t acpi_build_size(unsigned ncpus);

/*
 * Build the tables into buf (cap bytes; bytes past layout->size untouched)
 * and the RSDP into rsdp. Returns ACPI_BUILD_OK, or an error with buf and
 * rsdp untouched. layout may be NULL.
 */
int acpi_build(const struct acpi_build_config *cfg, void *buf, size_t cap,
               uint8_t rsdp[ACPI_RSDP_LEN], struct acpi_build_layout *layout);



/* The DSDT's AML, a whole table (root/vmm/acpi_dsdt.c, generated from dsdt.asl). */
extern const uint8_t *const acpi_dsdt_aml;
extern const uint32_t acpi_dsdt_aml_len;

#endif
