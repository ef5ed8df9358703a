/*
 * root/vmm/acpi_build.c: the guest's ACPI tables, placed in a fake guest
 * memory at the suggested addresses and read back two ways: field by field
 * here, and through the kernel's own ACPI parser (arch/x86/acpi_tables.c),
 * which checks signatures, lengths and checksums as a guest OS would.
 */
#include <string.h>
#include "acpi.h"
#include "acpi_build.h"
#include "acpi_pm.h"
#include "rtc_cmos.h"
#include "ut.h"

#define MEM_SIZE 0x100000u              /* the guest's first MiB */

static uint8_t mem[MEM_SIZE];
static struct acpi_build_layout lay;
static uint64_t gpa;

static const void *map(uint64_t phys, uint64_t len, void *ctx)
{
    (void)ctx;
    if (phys == 0 || phys >= MEM_SIZE || len > MEM_SIZE - phys)
        return NULL;
    return mem + phys;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* Build for ncpus at the suggested addresses into mem[]; returns acpi_build's result. */
static int build(unsigned ncpus, uint16_t boot_arch)
{
    memset(mem, 0, sizeof(mem));
    gpa = ACPI_BUILD_TABLES_GPA;
    struct acpi_build_config cfg = { .ncpus = ncpus, .tables_gpa = gpa, .iapc_boot_arch = boot_arch };
    uint8_t rsdp[ACPI_RSDP_LEN];
    int r = acpi_build(&cfg, mem + gpa, ACPI_BUILD_TABLES_MAX, rsdp, &lay);
    if (r == ACPI_BUILD_OK)
        memcpy(mem + ACPI_BUILD_RSDP_GPA, rsdp, sizeof(rsdp));
    return r;
}

static const uint8_t *table(uint32_t off)
{
    return mem + gpa + off;
}

/* Signature, length, revision and checksum of the table at buffer offset off. */
static void check_table(uint32_t off, const char *sig, uint32_t len, uint8_t rev)
{
    const uint8_t *t = table(off);
    CHECK(!memcmp(t, sig, 4));
    CHECK_EQ(get32(t + 4), len);
    CHECK_EQ(t[8], rev);
    CHECK_EQ(acpi_checksum(t, len), 0);
    CHECK(!memcmp(t + 10, "HV    ", 6));
    CHECK(off + len <= lay.size);
}

static uint32_t madt_len(unsigned ncpus)
{
    return 44 + 8 * ncpus + 12 + 2 * 10 + 6;
}

UT_TEST(acpi_build_tables_parse_back)
{
    CHECK_EQ(build(1, 0), ACPI_BUILD_OK);
    struct acpi_info info;
    const char *why = 0;
    CHECK_EQ(acpi_parse(ACPI_BUILD_RSDP_GPA, map, 0, &info, &why), HV_OK);
    CHECK_EQ(info.rsdp_revision, 2);
    CHECK(info.use_xsdt);
    CHECK(!strcmp(info.oem_id, "HV    "));
    CHECK_EQ(info.root_phys, gpa + lay.xsdt);
    CHECK_EQ(info.madt_phys, gpa + lay.madt);
    CHECK_EQ(info.fadt_phys, gpa + lay.fadt);
    CHECK_EQ(info.lapic_addr, ACPI_LAPIC_ADDR);
    CHECK(!info.lapic_override);
    CHECK_EQ(info.madt_flags, ACPI_MADT_PCAT_COMPAT);
    CHECK_EQ(info.ncpus, 1);
    CHECK_EQ(info.ncpus_enabled, 1);
    CHECK_EQ(info.cpus[0].apic_id, 0);
    CHECK_EQ(info.cpus[0].uid, 0);
    CHECK(info.cpus[0].enabled);
    CHECK_EQ(info.nioapics, 1);
    CHECK_EQ(info.ioapics[0].id, ACPI_IOAPIC_ID);
    CHECK_EQ(info.ioapics[0].addr, ACPI_IOAPIC_ADDR);
    CHECK_EQ(info.ioapics[0].gsi_base, 0);
    CHECK_EQ(info.nisos, 2);
    CHECK_EQ(info.isos[0].source, 0);
    CHECK_EQ(info.isos[0].gsi, 2);
    CHECK_EQ(info.isos[0].flags, 0);
    CHECK_EQ(info.isos[1].source, ACPI_SCI_IRQ);
    CHECK_EQ(info.isos[1].gsi, ACPI_SCI_IRQ);
    CHECK_EQ(info.isos[1].flags & ACPI_ISO_POLARITY_MASK, 1);                    /* active high */
    CHECK_EQ((info.isos[1].flags & ACPI_ISO_TRIGGER_MASK) >> ACPI_ISO_TRIGGER_SHIFT, 3);  /* level */
}

UT_TEST(acpi_build_four_cpus)
{
    CHECK_EQ(build(4, 0), ACPI_BUILD_OK);
    struct acpi_info info;
    CHECK_EQ(acpi_parse(ACPI_BUILD_RSDP_GPA, map, 0, &info, 0), HV_OK);
    CHECK_EQ(info.ncpus, 4);
    CHECK_EQ(info.ncpus_enabled, 4);
    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ(info.cpus[i].apic_id, i);
        CHECK_EQ(info.cpus[i].uid, i);
        CHECK(info.cpus[i].enabled);
    }
    CHECK_EQ(info.nioapics, 1);
    CHECK_EQ(info.nisos, 2);
}

/* Count MADT entries by type, walking the entry list by lengths. */
static void madt_count(unsigned counts[16], uint32_t *walked)
{
    memset(counts, 0, 16 * sizeof(counts[0]));
    const uint8_t *t = table(lay.madt);
    uint32_t len = get32(t + 4), off = 44;
    while (off + 2 <= len) {
        uint8_t type = t[off], elen = t[off + 1];
        if (elen < 2)
            break;
        counts[type & 15]++;
        off += elen;
    }
    *walked = off;
}

UT_TEST(acpi_build_madt_entries)
{
    static const unsigned ns[] = { 1, 4, ACPI_BUILD_MAX_CPUS };
    for (unsigned k = 0; k < 3; k++) {
        unsigned n = ns[k];
        CHECK_EQ(build(n, 0), ACPI_BUILD_OK);
        check_table(lay.madt, "APIC", madt_len(n), ACPI_MADT_REVISION);
        unsigned c[16];
        uint32_t walked;
        madt_count(c, &walked);
        CHECK_EQ(walked, madt_len(n));      /* entries tile the table exactly */
        CHECK_EQ(c[0], n);                  /* Processor Local APIC */
        CHECK_EQ(c[1], 1);                  /* I/O APIC */
        CHECK_EQ(c[2], 2);                  /* Interrupt Source Overrides */
        CHECK_EQ(c[4], 1);                  /* Local APIC NMI */
        const uint8_t *t = table(lay.madt);
        CHECK_EQ(get32(t + 36), ACPI_LAPIC_ADDR);
        CHECK_EQ(get32(t + 40), 1);         /* PCAT_COMPAT */
        const uint8_t *last = t + 44 + 8 * (n - 1);
        CHECK_EQ(last[0], 0);
        CHECK_EQ(last[2], n - 1);
        CHECK_EQ(last[3], n - 1);
        CHECK_EQ(get32(last + 4), 1);
        const uint8_t *nmi = t + madt_len(n) - 6;
        CHECK_EQ(nmi[0], 4);
        CHECK_EQ(nmi[2], 0xff);             /* all processors */
        CHECK_EQ(get16(nmi + 3), 0);
        CHECK_EQ(nmi[5], 1);                /* LINT1 */
        CHECK(lay.size <= ACPI_BUILD_TABLES_MAX);
        CHECK_EQ(acpi_build_size(n), lay.size);
    }
}

UT_TEST(acpi_build_rsdp_and_roots)
{
    CHECK_EQ(build(2, 0), ACPI_BUILD_OK);
    const uint8_t *r = mem + ACPI_BUILD_RSDP_GPA;
    CHECK(!memcmp(r, "RSD PTR ", 8));
    CHECK_EQ(acpi_checksum(r, 20), 0);
    CHECK_EQ(acpi_checksum(r, ACPI_RSDP_LEN), 0);
    CHECK_EQ(r[15], 2);
    CHECK_EQ(get32(r + 20), ACPI_RSDP_LEN);
    CHECK_EQ(get32(r + 16), gpa + lay.rsdt);
    CHECK_EQ(get64(r + 24), gpa + lay.xsdt);
    CHECK_EQ(r[33] | r[34] | r[35], 0);
    CHECK_EQ(ACPI_BUILD_RSDP_GPA % 16, 0);
    /* Both roots list the FADT and the MADT. */
    check_table(lay.rsdt, "RSDT", 36 + 8, 1);
    check_table(lay.xsdt, "XSDT", 36 + 16, 1);
    CHECK_EQ(get32(table(lay.rsdt) + 36), gpa + lay.fadt);
    CHECK_EQ(get32(table(lay.rsdt) + 40), gpa + lay.madt);
    CHECK_EQ(get64(table(lay.xsdt) + 36), gpa + lay.fadt);
    CHECK_EQ(get64(table(lay.xsdt) + 44), gpa + lay.madt);
    /* Every table checks, in its own place, without overlaps. */
    check_table(lay.fadt, "FACP", ACPI_FADT_LEN, ACPI_FADT_REVISION);
    check_table(lay.madt, "APIC", madt_len(2), ACPI_MADT_REVISION);
    check_table(lay.dsdt, "DSDT", acpi_dsdt_aml_len, 2);
    CHECK(lay.dsdt >= lay.facs + ACPI_FACS_LEN);
    CHECK(lay.fadt >= lay.dsdt + acpi_dsdt_aml_len);
    CHECK(lay.madt >= lay.fadt + ACPI_FADT_LEN);
    CHECK(lay.rsdt >= lay.madt + madt_len(2));
    CHECK(lay.xsdt >= lay.rsdt + 44);
    CHECK_EQ(lay.size, lay.xsdt + 52);
    /* A corrupted byte breaks the parse (the checksums are real). */
    struct acpi_info info;
    mem[gpa + lay.madt + 50] ^= 1;
    CHECK_EQ(acpi_parse(ACPI_BUILD_RSDP_GPA, map, 0, &info, 0), HV_ERR_INVALID_ARGS);
}

UT_TEST(acpi_build_facs)
{
    CHECK_EQ(build(1, 0), ACPI_BUILD_OK);
    CHECK_EQ((gpa + lay.facs) % 64, 0);
    const uint8_t *f = table(lay.facs);
    CHECK(!memcmp(f, "FACS", 4));
    CHECK_EQ(get32(f + 4), ACPI_FACS_LEN);
    CHECK_EQ(f[32], 2);                     /* version */
    for (unsigned i = 8; i < ACPI_FACS_LEN; i++)
        if (i != 32)
            CHECK_EQ(f[i], 0);
}

static void check_gas(const uint8_t *g, uint8_t bits, uint8_t access, uint64_t port)
{
    CHECK_EQ(g[0], 1);                      /* System I/O */
    CHECK_EQ(g[1], bits);
    CHECK_EQ(g[2], 0);
    CHECK_EQ(g[3], access);
    CHECK_EQ(get64(g + 4), port);
}

UT_TEST(acpi_build_fadt_fields)
{
    CHECK_EQ(build(1, ACPI_IAPC_8042 | ACPI_IAPC_VGA_NOT_PRESENT), ACPI_BUILD_OK);
    const uint8_t *f = table(lay.fadt);
    CHECK_EQ(get32(f + 36), gpa + lay.facs);    /* FIRMWARE_CTRL */
    CHECK_EQ(get64(f + 132), 0);                /* X_FIRMWARE_CTRL: only one of the two */
    CHECK_EQ(get32(f + 40), gpa + lay.dsdt);    /* DSDT */
    CHECK_EQ(get64(f + 140), gpa + lay.dsdt);   /* X_DSDT */
    CHECK_EQ(get16(f + 46), 9);                 /* SCI_INT */
    CHECK_EQ(get32(f + 48), 0);                 /* SMI_CMD: no SMM */
    CHECK_EQ(f[52] | f[53], 0);                 /* ACPI_ENABLE/DISABLE */
    CHECK_EQ(get32(f + 56), 0x600);             /* PM1a_EVT_BLK */
    CHECK_EQ(get32(f + 60), 0);                 /* PM1b_EVT_BLK */
    CHECK_EQ(get32(f + 64), 0x604);             /* PM1a_CNT_BLK */
    CHECK_EQ(get32(f + 68), 0);
    CHECK_EQ(get32(f + 72), 0);                 /* PM2_CNT_BLK */
    CHECK_EQ(get32(f + 76), 0x608);             /* PM_TMR_BLK */
    CHECK_EQ(get32(f + 80) | get32(f + 84), 0); /* GPE0/1 */
    CHECK_EQ(f[88], 4);                         /* PM1_EVT_LEN */
    CHECK_EQ(f[89], 2);                         /* PM1_CNT_LEN */
    CHECK_EQ(f[90], 0);
    CHECK_EQ(f[91], 4);                         /* PM_TMR_LEN */
    CHECK_EQ(f[92] | f[93], 0);
    CHECK(get16(f + 96) > 100);                 /* no C2 */
    CHECK(get16(f + 98) > 1000);                /* no C3 */
    CHECK_EQ(get16(f + 109), ACPI_IAPC_8042 | ACPI_IAPC_VGA_NOT_PRESENT);
    CHECK(!(get16(f + 109) & ACPI_IAPC_CMOS_RTC_NOT_PRESENT));  /* the RTC is there */
    CHECK_EQ(f[108], 0x32);                     /* CENTURY */
    CHECK_EQ(f[108], RTC_REG_CENTURY);          /* the byte the RTC model keeps the century in */
    CHECK_EQ(f[106] | f[107], 0);               /* DAY_ALRM, MON_ALRM: no RTC alarm extensions */
    uint32_t flags = get32(f + 112);
    CHECK(flags & ACPI_FADT_WBINVD);
    CHECK(flags & ACPI_FADT_PROC_C1);
    CHECK(flags & ACPI_FADT_PWR_BUTTON);
    CHECK(flags & ACPI_FADT_SLP_BUTTON);
    CHECK(!(flags & ACPI_FADT_TMR_VAL_EXT));    /* 24-bit timer, as acpi_pm models */
    CHECK(!(flags & ACPI_FADT_HW_REDUCED));
    CHECK(!(flags & ACPI_FADT_RESET_REG_SUP));
    for (unsigned i = 116; i < 129; i++)
        CHECK_EQ(f[i], 0);                      /* no reset register */
    CHECK_EQ(f[131], ACPI_FADT_MINOR);
    check_gas(f + 148, 32, 2, 0x600);           /* X_PM1a_EVT_BLK */
    check_gas(f + 172, 16, 2, 0x604);           /* X_PM1a_CNT_BLK */
    check_gas(f + 208, 32, 3, 0x608);           /* X_PM_TMR_BLK */
    for (unsigned i = 160; i < 172; i++)
        CHECK_EQ(f[i], 0);                      /* X_PM1b_EVT_BLK */
    for (unsigned i = 184; i < 208; i++)
        CHECK_EQ(f[i], 0);                      /* X_PM1b_CNT_BLK, X_PM2_CNT_BLK */
    for (unsigned i = 220; i < ACPI_FADT_LEN; i++)
        CHECK_EQ(f[i], 0);                      /* GPEs, sleep registers, hypervisor ID */
    /* The FADT's blocks are the PM device's ports. */
    CHECK_EQ(get32(f + 56), ACPI_PM1A_EVT_BLK);
    CHECK_EQ(get32(f + 64), ACPI_PM1A_CNT_BLK);
    CHECK_EQ(get32(f + 76), ACPI_PM_TMR_BLK);
}

/* The value of one AML data object at *p (ZeroOp, OneOp, Byte/Word/DWordPrefix). */
static bool aml_integer(const uint8_t *p, uint32_t *v)
{
    switch (p[0]) {
    case 0x00: *v = 0; return true;
    case 0x01: *v = 1; return true;
    case 0x0a: *v = p[1]; return true;
    case 0x0b: *v = get16(p + 1); return true;
    case 0x0c: *v = get32(p + 1); return true;
    default: return false;
    }
}

UT_TEST(acpi_build_dsdt_s5_matches_pm_device)
{
    CHECK_EQ(build(1, 0), ACPI_BUILD_OK);
    const uint8_t *d = table(lay.dsdt);
    CHECK(!memcmp(d, "DSDT", 4));
    CHECK_EQ(get32(d + 4), acpi_dsdt_aml_len);
    CHECK_EQ(acpi_checksum(d, acpi_dsdt_aml_len), 0);
    CHECK(!memcmp(d, acpi_dsdt_aml, acpi_dsdt_aml_len));
    CHECK_EQ(d[8], 2);                          /* revision 2: 64-bit integers */
    /* Name (_S5_, Package () { SLP_TYPa, ... }): NameOp, name, PackageOp. */
    const uint8_t *s5 = 0;
    for (uint32_t i = ACPI_HEADER_LEN; i + 4 <= acpi_dsdt_aml_len; i++)
        if (!memcmp(d + i, "_S5_", 4)) {
            s5 = d + i;
            break;
        }
    CHECK(s5 != 0);
    if (!s5)
        return;
    CHECK_EQ(s5[-1], 0x08);                     /* NameOp */
    CHECK_EQ(s5[4], 0x12);                      /* PackageOp */
    const uint8_t *p = s5 + 5;
    p += 1 + (p[0] >> 6);                       /* PkgLength: lead byte + its follow bytes */
    CHECK_EQ(p[0], 4);                          /* NumElements */
    uint32_t slp_typa = 99;
    CHECK(aml_integer(p + 1, &slp_typa));
    CHECK_EQ(slp_typa, ACPI_PM_SLP_TYP_S5);
    /* COM1 and fw_cfg (QEMU0002, which Linux's qemu_fw_cfg driver matches) are there too. */
    bool com1 = false, fwcf = false, qemu0002 = false;
    for (uint32_t i = ACPI_HEADER_LEN; i + 8 <= acpi_dsdt_aml_len; i++) {
        com1 |= !memcmp(d + i, "COM1", 4);
        fwcf |= !memcmp(d + i, "FWCF", 4);
        qemu0002 |= !memcmp(d + i, "QEMU0002", 8);
    }
    CHECK(com1);
    CHECK(fwcf);
    CHECK(qemu0002);
}

/* The value of EisaId("PNPxxxx") (ACPI 6.4 19.6.38): the compressed ID, byte-swapped. */
static uint32_t eisa_id(const char *s)
{
    uint32_t v = (uint32_t)(s[0] - 0x40) << 26 | (uint32_t)(s[1] - 0x40) << 21 |
                 (uint32_t)(s[2] - 0x40) << 16;
    for (int i = 3; i < 7; i++)
        v |= (uint32_t)(s[i] <= '9' ? s[i] - '0' : s[i] - 'A' + 10) << (4 * (6 - i));
    return (v >> 24) | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | (v << 24);
}

/* The first occurrence of the n bytes of b in the DSDT's body, or NULL. */
static const uint8_t *dsdt_find(const uint8_t *d, const void *b, size_t n, uint32_t from)
{
    for (uint32_t i = from; i + n <= acpi_dsdt_aml_len; i++)
        if (!memcmp(d + i, b, n))
            return d + i;
    return 0;
}

/* Device name, its _HID's EISA ID, then its _CRS's I/O (Decode16, min, min, 1, len)
 * descriptors and one IRQNoFlags mask, as iasl emits them (ACPI 6.4 6.4.2.5, 6.4.2.1). */
static void check_device(const uint8_t *d, const char *name, const char *pnp,
                         const uint16_t *ports, const uint8_t *lens, unsigned nports, uint16_t irqs)
{
    const uint8_t *dev = dsdt_find(d, name, 4, ACPI_HEADER_LEN);
    CHECK(dev != 0);
    if (!dev)
        return;
    /* iasl stores the integer in its shortest form: WordPrefix when it fits 16 bits. */
    uint32_t id = eisa_id(pnp);
    uint8_t hid[5] = { id <= 0xffff ? 0x0b : 0x0c, (uint8_t)id, (uint8_t)(id >> 8),
                       (uint8_t)(id >> 16), (uint8_t)(id >> 24) };
    uint32_t from = (uint32_t)(dev - d);
    const uint8_t *h = dsdt_find(d, hid, id <= 0xffff ? 3 : 5, from);
    CHECK(h != 0 && h - dev < 32);              /* the _HID right after the name */
    for (unsigned i = 0; i < nports; i++) {
        uint8_t io[8] = { 0x47, 0x01, (uint8_t)ports[i], (uint8_t)(ports[i] >> 8),
                          (uint8_t)ports[i], (uint8_t)(ports[i] >> 8), 0x01, lens[i] };
        const uint8_t *p = dsdt_find(d, io, 8, from);
        CHECK(p != 0 && p - dev < 96);
    }
    uint8_t irq[3] = { 0x22, (uint8_t)irqs, (uint8_t)(irqs >> 8) };
    const uint8_t *q = dsdt_find(d, irq, 3, from);
    CHECK(q != 0 && q - dev < 96);
}

UT_TEST(acpi_build_dsdt_pc_devices)
{
    CHECK_EQ(build(1, 0), ACPI_BUILD_OK);
    const uint8_t *d = table(lay.dsdt);
    CHECK_EQ(eisa_id("PNP0501"), 0x0105d041u);  /* the well-known encoding */
    check_device(d, "COM1", "PNP0501", (const uint16_t[]){ 0x3f8 }, (const uint8_t[]){ 8 }, 1,
                 1u << 4);
    check_device(d, "PIC_", "PNP0000", (const uint16_t[]){ 0x20, 0xa0, 0x4d0 },
                 (const uint8_t[]){ 2, 2, 2 }, 3, 1u << 2);
    check_device(d, "TMR_", "PNP0100", (const uint16_t[]){ 0x40 }, (const uint8_t[]){ 4 }, 1,
                 1u << 0);
    check_device(d, "RTC_", "PNP0B00", (const uint16_t[]){ 0x70 }, (const uint8_t[]){ 2 }, 1,
                 1u << 8);
}

UT_TEST(acpi_build_refusals)
{
    static uint8_t buf[ACPI_BUILD_TABLES_MAX];
    uint8_t rsdp[ACPI_RSDP_LEN];
    struct acpi_build_config cfg = { .ncpus = 1, .tables_gpa = 0xE1000 };
    memset(buf, 0xa5, sizeof(buf));
    memset(rsdp, 0xa5, sizeof(rsdp));
    cfg.ncpus = 0;
    CHECK_EQ(acpi_build(&cfg, buf, sizeof(buf), rsdp, 0), ACPI_BUILD_ERR_CPUS);
    cfg.ncpus = ACPI_BUILD_MAX_CPUS + 1;
    CHECK_EQ(acpi_build(&cfg, buf, sizeof(buf), rsdp, 0), ACPI_BUILD_ERR_CPUS);
    CHECK_EQ(acpi_build_size(0), 0);
    CHECK_EQ(acpi_build_size(ACPI_BUILD_MAX_CPUS + 1), 0);
    cfg.ncpus = 2;
    cfg.tables_gpa = 0xE1020;                   /* not 64-byte aligned */
    CHECK_EQ(acpi_build(&cfg, buf, sizeof(buf), rsdp, 0), ACPI_BUILD_ERR_ADDR);
    cfg.tables_gpa = 0x100000000ull;            /* above 4 GiB */
    CHECK_EQ(acpi_build(&cfg, buf, sizeof(buf), rsdp, 0), ACPI_BUILD_ERR_ADDR);
    cfg.tables_gpa = 0x100000000ull - 0x40;     /* runs into 4 GiB */
    CHECK_EQ(acpi_build(&cfg, buf, sizeof(buf), rsdp, 0), ACPI_BUILD_ERR_ADDR);
    cfg.tables_gpa = 0xE1000;
    CHECK_EQ(acpi_build(&cfg, buf, acpi_build_size(2) - 1, rsdp, 0), ACPI_BUILD_ERR_SPACE);
    for (unsigned i = 0; i < sizeof(buf); i++)
        CHECK_EQ(buf[i], 0xa5);                 /* nothing written on failure */
    for (unsigned i = 0; i < sizeof(rsdp); i++)
        CHECK_EQ(rsdp[i], 0xa5);
    /* Exactly enough space works, and bytes past it stay. */
    CHECK_EQ(acpi_build(&cfg, buf, acpi_build_size(2), rsdp, 0), ACPI_BUILD_OK);
    CHECK_EQ(buf[acpi_build_size(2)], 0xa5);
    /* High in the 32-bit space works (the last 64-byte-aligned place that fits). */
    cfg.tables_gpa = (0x100000000ull - acpi_build_size(2)) & ~63ull;
    CHECK_EQ(acpi_build(&cfg, buf, sizeof(buf), rsdp, 0), ACPI_BUILD_OK);
}

UT_TEST(acpi_build_other_address)
{
    /* Tables elsewhere (e.g. just below the top of RAM): every pointer follows. */
    static uint8_t buf[ACPI_BUILD_TABLES_MAX];
    uint8_t rsdp[ACPI_RSDP_LEN];
    struct acpi_build_layout l;
    struct acpi_build_config cfg = { .ncpus = 3, .tables_gpa = 0x7ff0000 };
    CHECK_EQ(acpi_build(&cfg, buf, sizeof(buf), rsdp, &l), ACPI_BUILD_OK);
    CHECK_EQ(get32(rsdp + 16), 0x7ff0000 + l.rsdt);
    CHECK_EQ(get64(rsdp + 24), 0x7ff0000 + l.xsdt);
    CHECK_EQ(get64(buf + l.xsdt + 36), 0x7ff0000 + l.fadt);
    CHECK_EQ(get32(buf + l.fadt + 36), 0x7ff0000 + l.facs);
    CHECK_EQ(get64(buf + l.fadt + 140), 0x7ff0000 + l.dsdt);
    CHECK_EQ(acpi_checksum(buf + l.fadt, ACPI_FADT_LEN), 0);
    CHECK_EQ(acpi_checksum(rsdp, ACPI_RSDP_LEN), 0);
}
