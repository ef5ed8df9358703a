/*
 * ACPI table discovery: RSDP -> XSDT/RSDT -> MADT ("APIC"), plus the FADT's
 * address. The parser (kernel/acpi_tables.c) is pure logic: it reads
 * physical memory only through a caller-supplied map callback, so the host
 * unit tests feed it synthetic tables. kernel/acpi.c is the kernel glue.
 */
#ifndef ACPI_H
#define ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kstatus.h"

/*
 * Fixed capacities. On overflow the parser keeps going: the arrays hold the
 * first ACPI_MAX_* entries and the *_dropped counters say how many more the
 * MADT listed. Overflow is not an error.
 */
#define ACPI_MAX_CPUS    64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_ISOS    16

/* Upper bounds on table lengths; anything larger is treated as corrupt. */
#define ACPI_MAX_RSDP_LEN  4096u
#define ACPI_MAX_TABLE_LEN (1u << 20)

/* MADT flags. */
#define ACPI_MADT_PCAT_COMPAT (1u << 0)  /* dual 8259s present: mask them */

/* Interrupt source override flags (MPS INTI flags). */
#define ACPI_ISO_POLARITY_MASK  0x3u     /* 0 bus default, 1 active high, 3 active low */
#define ACPI_ISO_TRIGGER_SHIFT  2
#define ACPI_ISO_TRIGGER_MASK   (0x3u << 2) /* 0 bus default, 1 edge, 3 level */

struct acpi_cpu {
    uint32_t apic_id;        /* xAPIC id (type 0) or x2APIC id (type 9) */
    uint32_t uid;            /* ACPI processor UID */
    bool enabled;            /* usable now (flags bit 0) */
    bool online_capable;     /* disabled but can be brought online (flags bit 1) */
    bool x2apic_entry;       /* listed by a type 9 (x2APIC) entry */
};

struct acpi_ioapic {
    uint32_t id;
    uint32_t addr;           /* MMIO base (physical) */
    uint32_t gsi_base;
};

struct acpi_iso {
    uint8_t bus;             /* always 0 (ISA) */
    uint8_t source;          /* ISA IRQ */
    uint16_t flags;          /* ACPI_ISO_* */
    uint32_t gsi;
};

struct acpi_info {
    uint8_t rsdp_revision;
    bool use_xsdt;           /* root table is the XSDT (else the RSDT) */
    char oem_id[7];          /* from the RSDP, NUL-terminated */
    uint64_t rsdp_phys;
    uint64_t root_phys;      /* XSDT or RSDT */
    uint64_t madt_phys;
    uint64_t fadt_phys;      /* "FACP", 0 if absent; not parsed */

    uint64_t lapic_addr;     /* MADT field, replaced by a type 5 override */
    bool lapic_override;     /* a type 5 entry was present */
    uint32_t madt_flags;     /* ACPI_MADT_* */

    /*
     * cpus[] holds CPUs that are enabled or online-capable, in MADT order
     * (the boot CPU is normally first), without duplicate APIC ids.
     */
    uint32_t ncpus;
    uint32_t ncpus_enabled;  /* how many of cpus[] have enabled set */
    uint32_t ncpus_unusable; /* skipped: neither enabled nor online-capable, or invalid id */
    uint32_t ncpus_dropped;  /* usable but beyond ACPI_MAX_CPUS */
    struct acpi_cpu cpus[ACPI_MAX_CPUS];

    uint32_t nioapics;
    uint32_t nioapics_dropped;
    struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];

    uint32_t nisos;
    uint32_t nisos_dropped;
    struct acpi_iso isos[ACPI_MAX_ISOS];
};

/*
 * Return a pointer through which `len` bytes of physical memory starting at
 * `phys` can be read, or NULL if that range is not readable. The parser asks
 * for a table's header first and then for the whole table; returned pointers
 * must stay valid until acpi_parse() returns. They need no alignment.
 */
typedef const void *(*acpi_map_fn)(uint64_t phys, uint64_t len, void *ctx);

/*
 * Parse the tables reachable from the RSDP at rsdp_phys. Fills *out (zeroed
 * first; on failure the fields found so far stay, e.g. use_xsdt). Returns
 *   HV_OK
 *   HV_ERR_INVALID_ARGS  NULL map or out; or a table is corrupt: the RSDP
 *                        (signature, checksum; rev >= 2: length < 36, too
 *                        big or unreadable, extended checksum), the
 *                        XSDT/RSDT or MADT (signature, length < header or
 *                        > ACPI_MAX_TABLE_LEN, body unreadable, checksum),
 *                        a MADT entry (length < 2, too short for its type,
 *                        or past the end)
 *   HV_ERR_NOT_FOUND     no RSDP (address 0 or unreadable), XSDT/RSDT or
 *                        MADT header unreadable, no "APIC" table listed
 * and, on failure, points *why (unless why is NULL) at a constant English
 * text naming the problem, one per case above, e.g. "XSDT checksum
 * mismatch". Every loop is bounded by a verified table length, so corrupt
 * tables cannot make it run forever.
 */
hv_status_t acpi_parse(uint64_t rsdp_phys, acpi_map_fn map, void *ctx, struct acpi_info *out,
                       const char **why);

/* Byte sum of len bytes (a valid ACPI table sums to 0). */
#include "acpi_checksum.h"

/*
 * Kernel glue (arch/x86/acpi.c): parse with the identity map, refusing
 * addresses `mapped` (mm's paging_is_mapped) refuses, and print what was found.
 * Returns HV_OK or acpi_parse()'s error (after printing why).
 */
hv_status_t acpi_init(uint64_t rsdp_phys, struct acpi_info *out,
                      bool (*mapped)(uint64_t phys, uint64_t len));

#endif
