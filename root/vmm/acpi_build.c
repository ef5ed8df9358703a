/* The guest's ACPI tables and RSDP (see acpi_build.h). Pure code. */
#include "acpi_build.h"
#include "kstring.h"
#include "rtc_cmos.h"

#define OEM_ID          "HV    "
#define OEM_TABLE_ID    "HVPC    "
#define OEM_REVISION    1
#define CREATOR_ID      "HV  "
#define CREATOR_REVISION 1

#define MADT_FIXED_LEN  44              /* header, local APIC address, flags */
#define MADT_LAPIC_LEN  8
#define MADT_IOAPIC_LEN 12
#define MADT_ISO_LEN    10
#define MADT_NMI_LEN    6
#define MADT_PCAT_COMPAT 1u

#define GAS_SYSTEM_IO   1               /* Generic Address Structure space ID */
#define GAS_ACCESS_WORD 2
#define GAS_ACCESS_DWORD 3

/* MPS INTI flags: polarity bits 1:0, trigger mode bits 3:2. */
#define INTI_ACTIVE_HIGH 0x1u
#define INTI_LEVEL       0xcu

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static uint32_t align8(uint32_t x)
{
    return (x + 7) & ~7u;
}

/* Set the byte at *csum so that len bytes from p sum to 0. */
static void fix_checksum(uint8_t *p, size_t len, uint8_t *csum)
{
    *csum = 0;
    *csum = (uint8_t)-acpi_checksum(p, len);
}

/* The 36-byte System Description Table Header (5.2.6); the checksum comes last. */
static void header(uint8_t *t, const char sig[4], uint32_t len, uint8_t revision)
{
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = revision;
    t[9] = 0;
    memcpy(t + 10, OEM_ID, 6);
    memcpy(t + 16, OEM_TABLE_ID, 8);
    put32(t + 24, OEM_REVISION);
    memcpy(t + 28, CREATOR_ID, 4);
    put32(t + 32, CREATOR_REVISION);
}

static void finish(uint8_t *t)
{
    uint32_t len = (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;
    fix_checksum(t, len, &t[9]);
}

/* A Generic Address Structure (5.2.3.2) for an I/O port block. */
static void gas_io(uint8_t *g, uint8_t bits, uint8_t access, uint16_t port)
{
    g[0] = GAS_SYSTEM_IO;
    g[1] = bits;
    g[2] = 0;
    g[3] = access;
    put64(g + 4, port);
}

static uint32_t madt_len(unsigned ncpus)
{
    return MADT_FIXED_LEN + ncpus * MADT_LAPIC_LEN + MADT_IOAPIC_LEN + 2 * MADT_ISO_LEN +
           MADT_NMI_LEN;
}

/* Offsets of every table for ncpus (valid ncpus). */
static void plan(unsigned ncpus, struct acpi_build_layout *l)
{
    l->facs = 0;
    l->dsdt = ACPI_FACS_LEN;
    l->fadt = align8(l->dsdt + acpi_dsdt_aml_len);
    l->madt = align8(l->fadt + ACPI_FADT_LEN);
    l->rsdt = align8(l->madt + madt_len(ncpus));
    l->xsdt = align8(l->rsdt + ACPI_HEADER_LEN + 2 * 4);
    l->size = l->xsdt + ACPI_HEADER_LEN + 2 * 8;
}

uint32_t acpi_build_size(unsigned ncpus)
{
    if (ncpus == 0 || ncpus > ACPI_BUILD_MAX_CPUS)
        return 0;
    struct acpi_build_layout l;
    plan(ncpus, &l);
    return l.size;
}

static void build_facs(uint8_t *t)
{
    memset(t, 0, ACPI_FACS_LEN);
    memcpy(t, "FACS", 4);
    put32(t + 4, ACPI_FACS_LEN);
    t[32] = 2;                                  /* version */
}

static void build_fadt(uint8_t *t, uint64_t gpa, const struct acpi_build_layout *l,
                       uint16_t iapc_boot_arch)
{
    memset(t, 0, ACPI_FADT_LEN);
    header(t, "FACP", ACPI_FADT_LEN, ACPI_FADT_REVISION);
    put32(t + 36, (uint32_t)(gpa + l->facs));   /* FIRMWARE_CTRL */
    put32(t + 40, (uint32_t)(gpa + l->dsdt));   /* DSDT */
    t[45] = 0;                                  /* Preferred_PM_Profile: unspecified */
    put16(t + 46, ACPI_SCI_IRQ);                /* SCI_INT */
    /* SMI_CMD (48), ACPI_ENABLE/DISABLE, S4BIOS_REQ, PSTATE_CNT: 0, no SMM */
    put32(t + 56, ACPI_PM1A_EVT_BLK);
    put32(t + 64, ACPI_PM1A_CNT_BLK);
    put32(t + 76, ACPI_PM_TMR_BLK);
    t[88] = ACPI_PM1_EVT_LEN;
    t[89] = ACPI_PM1_CNT_LEN;
    t[91] = ACPI_PM_TMR_LEN;
    put16(t + 96, 101);                         /* P_LVL2_LAT > 100: no C2 */
    put16(t + 98, 1001);                        /* P_LVL3_LAT > 1000: no C3 */
    t[108] = RTC_REG_CENTURY;                   /* CENTURY: the RTC's century byte */
    put16(t + 109, iapc_boot_arch);
    put32(t + 112, ACPI_FADT_WBINVD | ACPI_FADT_PROC_C1 | ACPI_FADT_PWR_BUTTON |
                       ACPI_FADT_SLP_BUTTON | ACPI_FADT_FIX_RTC);
    /* RESET_REG (116), RESET_VALUE, ARM_BOOT_ARCH: 0 */
    t[131] = ACPI_FADT_MINOR;
    /* X_FIRMWARE_CTRL (132): 0, FIRMWARE_CTRL holds the FACS */
    put64(t + 140, gpa + l->dsdt);              /* X_DSDT */
    gas_io(t + 148, 8 * ACPI_PM1_EVT_LEN, GAS_ACCESS_WORD, ACPI_PM1A_EVT_BLK);
    gas_io(t + 172, 8 * ACPI_PM1_CNT_LEN, GAS_ACCESS_WORD, ACPI_PM1A_CNT_BLK);
    gas_io(t + 208, 8 * ACPI_PM_TMR_LEN, GAS_ACCESS_DWORD, ACPI_PM_TMR_BLK);
    finish(t);
}

static uint8_t *madt_iso(uint8_t *e, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    e[0] = 2;
    e[1] = MADT_ISO_LEN;
    e[2] = 0;                                   /* bus: ISA */
    e[3] = irq;
    put32(e + 4, gsi);
    put16(e + 8, flags);
    return e + MADT_ISO_LEN;
}

static void build_madt(uint8_t *t, unsigned ncpus)
{
    uint32_t len = madt_len(ncpus);
    memset(t, 0, len);
    header(t, "APIC", len, ACPI_MADT_REVISION);
    put32(t + 36, ACPI_LAPIC_ADDR);
    put32(t + 40, MADT_PCAT_COMPAT);
    uint8_t *e = t + MADT_FIXED_LEN;
    for (unsigned i = 0; i < ncpus; i++, e += MADT_LAPIC_LEN) {
        e[0] = 0;                               /* Processor Local APIC */
        e[1] = MADT_LAPIC_LEN;
        e[2] = (uint8_t)i;                      /* ACPI Processor UID */
        e[3] = (uint8_t)i;                      /* APIC ID */
        put32(e + 4, 1);                        /* enabled */
    }
    e[0] = 1;                                   /* I/O APIC */
    e[1] = MADT_IOAPIC_LEN;
    e[2] = ACPI_IOAPIC_ID;
    put32(e + 4, ACPI_IOAPIC_ADDR);
    put32(e + 8, 0);                            /* GSI base */
    e += MADT_IOAPIC_LEN;
    e = madt_iso(e, 0, 2, 0);                   /* the PIT's IRQ 0 is pin 2 */
    e = madt_iso(e, ACPI_SCI_IRQ, ACPI_SCI_IRQ, INTI_ACTIVE_HIGH | INTI_LEVEL);
    e[0] = 4;                                   /* Local APIC NMI */
    e[1] = MADT_NMI_LEN;
    e[2] = 0xff;                                /* all processors */
    put16(e + 3, 0);                            /* flags: bus-conforming */
    e[5] = 1;                                   /* LINT1 */
    finish(t);
}

static void build_rsdt(uint8_t *t, uint64_t gpa, const struct acpi_build_layout *l)
{
    header(t, "RSDT", ACPI_HEADER_LEN + 2 * 4, 1);
    put32(t + 36, (uint32_t)(gpa + l->fadt));
    put32(t + 40, (uint32_t)(gpa + l->madt));
    finish(t);
}

static void build_xsdt(uint8_t *t, uint64_t gpa, const struct acpi_build_layout *l)
{
    header(t, "XSDT", ACPI_HEADER_LEN + 2 * 8, 1);
    put64(t + 36, gpa + l->fadt);
    put64(t + 44, gpa + l->madt);
    finish(t);
}

static void build_rsdp(uint8_t *r, uint64_t gpa, const struct acpi_build_layout *l)
{
    memset(r, 0, ACPI_RSDP_LEN);
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, OEM_ID, 6);
    r[15] = 2;                                  /* revision: ACPI 2.0+ */
    put32(r + 16, (uint32_t)(gpa + l->rsdt));
    put32(r + 20, ACPI_RSDP_LEN);
    put64(r + 24, gpa + l->xsdt);
    fix_checksum(r, 20, &r[8]);                 /* the ACPI 1.0 part */
    fix_checksum(r, ACPI_RSDP_LEN, &r[32]);     /* extended checksum: all 36 bytes */
}

int acpi_build(const struct acpi_build_config *cfg, void *buf, size_t cap,
               uint8_t rsdp[ACPI_RSDP_LEN], struct acpi_build_layout *layout)
{
    if (cfg->ncpus == 0 || cfg->ncpus > ACPI_BUILD_MAX_CPUS)
        return ACPI_BUILD_ERR_CPUS;
    struct acpi_build_layout l;
    plan(cfg->ncpus, &l);
    uint64_t gpa = cfg->tables_gpa;
    if ((gpa & 63) || gpa >= (1ull << 32) || l.size > (1ull << 32) - gpa)
        return ACPI_BUILD_ERR_ADDR;
    if (cap < l.size)
        return ACPI_BUILD_ERR_SPACE;

    uint8_t *t = buf;
    memset(t, 0, l.size);                       /* the alignment gaps too */
    build_facs(t + l.facs);
    memcpy(t + l.dsdt, acpi_dsdt_aml, acpi_dsdt_aml_len);
    build_fadt(t + l.fadt, gpa, &l, cfg->iapc_boot_arch);
    build_madt(t + l.madt, cfg->ncpus);
    build_rsdt(t + l.rsdt, gpa, &l);
    build_xsdt(t + l.xsdt, gpa, &l);
    build_rsdp(rsdp, gpa, &l);
    if (layout)
        *layout = l;
    return ACPI_BUILD_OK;
}
