/*
 * ACPI parser tests: synthetic RSDP/XSDT/RSDT/MADT tables in a fake
 * physical memory array. Each test builds a valid set of tables, fixes all
 * checksums, then optionally corrupts one thing.
 */
#include <stdlib.h>
#include <string.h>
#include "acpi.h"
#include "ut.h"

#define MEM_SIZE 0x10000u

/* Layout of the fake physical memory. */
#define RSDP_AT  0x100u
#define RSDT_AT  0x200u
#define XSDT_AT  0x401u          /* odd: every 64-bit entry is unaligned */
#define FADT_AT  0x800u
#define HPET_AT  0x900u
#define MADT_AT  0x1000u
#define MADT2_AT 0x3000u

static struct fake_mem {
    uint8_t mem[MEM_SIZE];
    unsigned map_calls;
    uint64_t tables[16];         /* SDTs whose checksum fix_all() recomputes */
    unsigned ntables;
    uint64_t rsdp;               /* 0: none */
    const uint8_t *exact;        /* if set, serves [exact_phys, +exact_len) */
    uint64_t exact_phys;
    uint32_t exact_len;
} fm;

/*
 * Physical [HIGH_BASE, HIGH_BASE + HIGH_SIZE) above 4 GiB aliases the upper
 * half of mem[], so 64-bit addresses whose low 32 bits point elsewhere can
 * be tested.
 */
#define HIGH_BASE 0x4000000000ull
#define HIGH_SIZE (MEM_SIZE / 2)
#define HIGH_MEM  (MEM_SIZE / 2)

static const void *fake_map(uint64_t phys, uint64_t len, void *ctx)
{
    struct fake_mem *f = ctx;
    f->map_calls++;
    if (f->exact && phys == f->exact_phys)
        return len <= f->exact_len ? f->exact : NULL;
    if (phys >= HIGH_BASE && phys - HIGH_BASE < HIGH_SIZE) {
        if (len > HIGH_SIZE - (phys - HIGH_BASE))
            return NULL;
        return f->mem + HIGH_MEM + (phys - HIGH_BASE);
    }
    if (phys == 0 || phys >= MEM_SIZE || len > MEM_SIZE - phys)
        return NULL;
    return f->mem + phys;
}

static void w8(uint64_t at, uint8_t v) { fm.mem[at] = v; }
static void w16(uint64_t at, uint16_t v) { w8(at, (uint8_t)v); w8(at + 1, (uint8_t)(v >> 8)); }
static void w32(uint64_t at, uint32_t v) { w16(at, (uint16_t)v); w16(at + 2, (uint16_t)(v >> 16)); }
static void w64(uint64_t at, uint64_t v) { w32(at, (uint32_t)v); w32(at + 4, (uint32_t)(v >> 32)); }
static uint32_t r32(uint64_t at)
{
    return (uint32_t)fm.mem[at] | (uint32_t)fm.mem[at + 1] << 8 | (uint32_t)fm.mem[at + 2] << 16 |
           (uint32_t)fm.mem[at + 3] << 24;
}

static void reset(void)
{
    memset(&fm, 0, sizeof(fm));
}

static void rsdp(uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
    uint64_t at = RSDP_AT;
    memcpy(&fm.mem[at], "RSD PTR ", 8);
    memcpy(&fm.mem[at + 9], "TESTOE", 6);
    w8(at + 15, rev);
    w32(at + 16, rsdt);
    if (rev >= 2) {
        w32(at + 20, 36);
        w64(at + 24, xsdt);
    }
    fm.rsdp = at;
}

/* Start an SDT; its length grows with each append. */
static void sdt(uint64_t at, const char *sig)
{
    memcpy(&fm.mem[at], sig, 4);
    w32(at + 4, 36);
    w8(at + 8, 1);
    memcpy(&fm.mem[at + 10], "TESTOE", 6);
    memcpy(&fm.mem[at + 16], "TESTTABL", 8);
    fm.tables[fm.ntables++] = at;
}

static void append(uint64_t at, const void *data, uint32_t n)
{
    uint32_t len = r32(at + 4);
    memcpy(&fm.mem[at + len], data, n);
    w32(at + 4, len + n);
}

static void append32(uint64_t at, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    append(at, b, 4);
}

static void append64(uint64_t at, uint64_t v)
{
    append32(at, (uint32_t)v);
    append32(at, (uint32_t)(v >> 32));
}

/* Tables given a deliberately bad length are left alone. */
static void set_checksum(uint64_t at, uint32_t len, uint64_t field)
{
    if (len > MEM_SIZE - at || field >= at + len)
        return;
    fm.mem[field] = 0;
    fm.mem[field] = (uint8_t)(0x100 - acpi_checksum(&fm.mem[at], len));
}

/* Recompute every checksum: tables first, then the RSDP (v1 part, then v2). */
static void fix_all(void)
{
    for (unsigned i = 0; i < fm.ntables; i++)
        set_checksum(fm.tables[i], r32(fm.tables[i] + 4), fm.tables[i] + 9);
    if (fm.rsdp) {
        set_checksum(fm.rsdp, 20, fm.rsdp + 8);
        if (fm.mem[fm.rsdp + 15] >= 2)
            set_checksum(fm.rsdp, r32(fm.rsdp + 20), fm.rsdp + 32);
    }
}

/* MADT builders. */
static void madt(uint64_t at, uint32_t lapic, uint32_t flags)
{
    sdt(at, "APIC");
    append32(at, lapic);
    append32(at, flags);
}

static void madt_lapic(uint64_t at, uint8_t uid, uint8_t id, uint32_t flags)
{
    uint8_t e[8] = { 0, 8, uid, id, (uint8_t)flags, (uint8_t)(flags >> 8), (uint8_t)(flags >> 16),
                     (uint8_t)(flags >> 24) };
    append(at, e, sizeof(e));
}

static void madt_x2apic(uint64_t at, uint32_t id, uint32_t flags, uint32_t uid)
{
    uint8_t e[4] = { 9, 16, 0, 0 };
    append(at, e, 4);
    append32(at, id);
    append32(at, flags);
    append32(at, uid);
}

static void madt_ioapic(uint64_t at, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
    uint8_t e[4] = { 1, 12, id, 0 };
    append(at, e, 4);
    append32(at, addr);
    append32(at, gsi_base);
}

static void madt_iso(uint64_t at, uint8_t src, uint32_t gsi, uint16_t flags)
{
    uint8_t e[4] = { 2, 10, 0, src };
    append(at, e, 4);
    append32(at, gsi);
    uint8_t f[2] = { (uint8_t)flags, (uint8_t)(flags >> 8) };
    append(at, f, 2);
}

static void madt_lapic_override(uint64_t at, uint64_t addr)
{
    uint8_t e[4] = { 5, 12, 0, 0 };
    append(at, e, 4);
    append64(at, addr);
}

/* acpi_parse's text for the last failure; NULL when the call under test set none. */
static const char *why;

static hv_status_t parse(struct acpi_info *info)
{
    why = NULL;
    return acpi_parse(fm.rsdp, fake_map, &fm, info, &why);
}

/* `call` fails with `status` and says exactly `text`. */
#define CHECK_FAILS(call, status, text) do {                             \
        why = NULL;                                                     \
        CHECK_EQ(call, status);                                         \
        CHECK(why != NULL && strcmp(why, text) == 0);                   \
    } while (0)

/*
 * The standard v1 setup: RSDP rev 0 -> RSDT [FACP, APIC] -> MADT with two
 * enabled CPUs, one disabled CPU, one I/O APIC and two overrides.
 */
static void build_v1(void)
{
    reset();
    rsdp(0, RSDT_AT, 0);
    sdt(RSDT_AT, "RSDT");
    append32(RSDT_AT, FADT_AT);
    append32(RSDT_AT, MADT_AT);
    sdt(FADT_AT, "FACP");
    madt(MADT_AT, 0xfee00000u, ACPI_MADT_PCAT_COMPAT);
    madt_lapic(MADT_AT, 0, 0, 1);
    madt_lapic(MADT_AT, 1, 1, 1);
    madt_lapic(MADT_AT, 2, 2, 0);
    madt_ioapic(MADT_AT, 2, 0xfec00000u, 0);
    madt_iso(MADT_AT, 0, 2, 0);
    madt_iso(MADT_AT, 9, 9, 0xd);
    fix_all();
}

/*
 * The standard v2 setup: RSDP rev 2 -> XSDT (odd address) [HPET, FACP,
 * APIC]; the RSDT the RSDP also names has no MADT, so success proves the
 * XSDT was used. The MADT lists x2APIC CPUs.
 */
static void build_v2(void)
{
    reset();
    rsdp(2, RSDT_AT, XSDT_AT);
    sdt(RSDT_AT, "RSDT");
    append32(RSDT_AT, HPET_AT);
    sdt(XSDT_AT, "XSDT");
    append64(XSDT_AT, HPET_AT);
    append64(XSDT_AT, FADT_AT);
    append64(XSDT_AT, MADT_AT);
    sdt(HPET_AT, "HPET");
    sdt(FADT_AT, "FACP");
    madt(MADT_AT, 0xfee00000u, 0);
    madt_x2apic(MADT_AT, 0x100, 1, 0);
    madt_x2apic(MADT_AT, 0x101, 1, 1);
    madt_x2apic(MADT_AT, 0x102, 2, 2);    /* online-capable, not enabled */
    madt_x2apic(MADT_AT, 0x103, 0, 3);    /* neither: skipped */
    madt_ioapic(MADT_AT, 0, 0xfec00000u, 0);
    madt_ioapic(MADT_AT, 1, 0xfec01000u, 24);
    fix_all();
}

UT_TEST(acpi_v1_rsdt_madt)
{
    struct acpi_info info;
    build_v1();
    CHECK_EQ(parse(&info), HV_OK);
    CHECK_EQ(info.rsdp_revision, 0);
    CHECK(!info.use_xsdt);
    CHECK(strcmp(info.oem_id, "TESTOE") == 0);
    CHECK_EQ(info.rsdp_phys, RSDP_AT);
    CHECK_EQ(info.root_phys, RSDT_AT);
    CHECK_EQ(info.madt_phys, MADT_AT);
    CHECK_EQ(info.fadt_phys, FADT_AT);
    CHECK_EQ(info.lapic_addr, 0xfee00000u);
    CHECK(!info.lapic_override);
    CHECK_EQ(info.madt_flags, ACPI_MADT_PCAT_COMPAT);

    CHECK_EQ(info.ncpus, 2);
    CHECK_EQ(info.ncpus_enabled, 2);
    CHECK_EQ(info.ncpus_unusable, 1);
    CHECK_EQ(info.ncpus_dropped, 0);
    for (uint32_t i = 0; i < 2; i++) {
        CHECK_EQ(info.cpus[i].apic_id, i);
        CHECK_EQ(info.cpus[i].uid, i);
        CHECK(info.cpus[i].enabled);
        CHECK(!info.cpus[i].online_capable);
        CHECK(!info.cpus[i].x2apic_entry);
    }

    CHECK_EQ(info.nioapics, 1);
    CHECK_EQ(info.ioapics[0].id, 2);
    CHECK_EQ(info.ioapics[0].addr, 0xfec00000u);
    CHECK_EQ(info.ioapics[0].gsi_base, 0);

    CHECK_EQ(info.nisos, 2);
    CHECK_EQ(info.isos[0].bus, 0);
    CHECK_EQ(info.isos[0].source, 0);
    CHECK_EQ(info.isos[0].gsi, 2);
    CHECK_EQ(info.isos[0].flags, 0);
    CHECK_EQ(info.isos[1].source, 9);
    CHECK_EQ(info.isos[1].gsi, 9);
    CHECK_EQ(info.isos[1].flags & ACPI_ISO_POLARITY_MASK, 1);
    CHECK_EQ((info.isos[1].flags & ACPI_ISO_TRIGGER_MASK) >> ACPI_ISO_TRIGGER_SHIFT, 3);
}

UT_TEST(acpi_v2_xsdt_unaligned_x2apic)
{
    struct acpi_info info;
    build_v2();
    CHECK_EQ(parse(&info), HV_OK);
    CHECK_EQ(info.rsdp_revision, 2);
    CHECK(info.use_xsdt);
    CHECK_EQ(info.root_phys, XSDT_AT);
    CHECK_EQ(info.madt_phys, MADT_AT);
    CHECK_EQ(info.fadt_phys, FADT_AT);
    CHECK_EQ(info.madt_flags, 0);

    CHECK_EQ(info.ncpus, 3);
    CHECK_EQ(info.ncpus_enabled, 2);
    CHECK_EQ(info.ncpus_unusable, 1);
    CHECK_EQ(info.cpus[0].apic_id, 0x100);
    CHECK_EQ(info.cpus[1].apic_id, 0x101);
    CHECK_EQ(info.cpus[1].uid, 1);
    CHECK(info.cpus[1].enabled && info.cpus[1].x2apic_entry);
    CHECK_EQ(info.cpus[2].apic_id, 0x102);
    CHECK_EQ(info.cpus[2].uid, 2);
    CHECK(!info.cpus[2].enabled);
    CHECK(info.cpus[2].online_capable);

    CHECK_EQ(info.nioapics, 2);
    CHECK_EQ(info.ioapics[1].id, 1);
    CHECK_EQ(info.ioapics[1].addr, 0xfec01000u);
    CHECK_EQ(info.ioapics[1].gsi_base, 24);
    CHECK_EQ(info.nisos, 0);
}

UT_TEST(acpi_xsdt_entry_above_4g)
{
    struct acpi_info info;
    const uint64_t madt_mem = HIGH_MEM + 0x100;   /* low half of the address: the RSDP */
    reset();
    rsdp(2, 0, XSDT_AT);
    sdt(XSDT_AT, "XSDT");
    append64(XSDT_AT, HIGH_BASE + 0x100);
    madt(madt_mem, 0xfee00000u, 0);
    madt_lapic(madt_mem, 0, 3, 1);
    fix_all();
    CHECK_EQ(parse(&info), HV_OK);
    CHECK_EQ(info.madt_phys, HIGH_BASE + 0x100);
    CHECK_EQ(info.ncpus, 1);
    CHECK_EQ(info.cpus[0].apic_id, 3);
}

UT_TEST(acpi_v2_zero_xsdt_uses_rsdt)
{
    struct acpi_info info;
    build_v1();
    rsdp(2, RSDT_AT, 0);
    fix_all();
    CHECK_EQ(parse(&info), HV_OK);
    CHECK_EQ(info.rsdp_revision, 2);
    CHECK(!info.use_xsdt);
    CHECK_EQ(info.root_phys, RSDT_AT);
    CHECK_EQ(info.ncpus, 2);
}

UT_TEST(acpi_no_rsdp)
{
    struct acpi_info info;
    build_v1();
    CHECK_FAILS(acpi_parse(0, fake_map, &fm, &info, &why),
                HV_ERR_NOT_FOUND, "no RSDP: address 0 or unreadable");
    CHECK_FAILS(acpi_parse(MEM_SIZE + 0x1000, fake_map, &fm, &info, &why),
                HV_ERR_NOT_FOUND, "no RSDP: address 0 or unreadable");
    CHECK_FAILS(acpi_parse(MEM_SIZE - 4, fake_map, &fm, &info, &why),
                HV_ERR_NOT_FOUND, "no RSDP: address 0 or unreadable");
    CHECK_FAILS(acpi_parse(~0ull, fake_map, &fm, &info, &why),
                HV_ERR_NOT_FOUND, "no RSDP: address 0 or unreadable");
}

UT_TEST(acpi_null_args)
{
    struct acpi_info info;
    build_v1();
    CHECK_FAILS(acpi_parse(RSDP_AT, NULL, &fm, &info, &why),
                HV_ERR_INVALID_ARGS, "invalid argument");
    CHECK_FAILS(acpi_parse(RSDP_AT, fake_map, &fm, NULL, &why),
                HV_ERR_INVALID_ARGS, "invalid argument");
}

UT_TEST(acpi_rsdp_bad_signature)
{
    struct acpi_info info;
    build_v1();
    fm.mem[RSDP_AT + 3] = 'X';
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "RSDP bad signature");
}

UT_TEST(acpi_rsdp_bad_checksum)
{
    struct acpi_info info;
    build_v1();
    fm.mem[RSDP_AT + 8]++;
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "RSDP checksum mismatch");
    build_v2();
    fm.mem[RSDP_AT + 10]++;             /* in the v1 part: caught first */
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "RSDP checksum mismatch");
}

UT_TEST(acpi_rsdp_bad_ext_checksum)
{
    struct acpi_info info;
    build_v2();
    fm.mem[RSDP_AT + 33]++;             /* reserved byte, past the v1 checksum */
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "RSDP extended checksum mismatch");
    build_v2();
    fm.mem[RSDP_AT + 24]++;             /* XSDT address */
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "RSDP extended checksum mismatch");
}

UT_TEST(acpi_rsdp_bad_length)
{
    struct acpi_info info;
    build_v2();
    w32(RSDP_AT + 20, 20);              /* shorter than a v2 RSDP */
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "RSDP bad length");
    build_v2();
    w32(RSDP_AT + 20, 0x10000000u);     /* absurd */
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "RSDP bad length");
}

UT_TEST(acpi_xsdt_bad_checksum)
{
    struct acpi_info info;
    build_v2();
    fm.mem[XSDT_AT + 20]++;
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "XSDT checksum mismatch");
    CHECK(info.use_xsdt);               /* partial results stay */
    CHECK_EQ(info.root_phys, XSDT_AT);
}

UT_TEST(acpi_rsdt_bad_checksum)
{
    struct acpi_info info;
    build_v1();
    fm.mem[RSDT_AT + 36]++;             /* an entry byte */
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "RSDT checksum mismatch");
}

UT_TEST(acpi_root_bad_signature)
{
    struct acpi_info info;
    build_v2();
    memcpy(&fm.mem[XSDT_AT], "RSDT", 4);
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "XSDT bad signature");
    build_v1();
    memcpy(&fm.mem[RSDT_AT], "XSDT", 4);
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "RSDT bad signature");
}

UT_TEST(acpi_root_bad_length)
{
    struct acpi_info info;
    build_v1();
    w32(RSDT_AT + 4, 35);
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "RSDT bad length");
    build_v2();
    w32(XSDT_AT + 4, ACPI_MAX_TABLE_LEN + 1);
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "XSDT bad length");
    build_v2();
    w32(XSDT_AT + 4, MEM_SIZE);         /* plausible but runs past readable memory */
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "XSDT bad length");
}

UT_TEST(acpi_root_unreadable)
{
    struct acpi_info info;
    build_v2();
    w64(RSDP_AT + 24, MEM_SIZE + 0x100000ull);
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_NOT_FOUND, "XSDT unreadable");
    build_v1();
    w32(RSDP_AT + 16, 0);
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_NOT_FOUND, "RSDT unreadable");
    build_v1();
    w32(RSDP_AT + 16, MEM_SIZE - 10);   /* header straddles the end */
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_NOT_FOUND, "RSDT unreadable");
}

UT_TEST(acpi_madt_bad_checksum)
{
    struct acpi_info info;
    build_v1();
    fm.mem[MADT_AT + 44 + 3]++;         /* first CPU's APIC id */
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "MADT checksum mismatch");
    build_v2();
    fm.mem[MADT_AT + 9]++;
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "MADT checksum mismatch");
}

UT_TEST(acpi_madt_bad_length)
{
    struct acpi_info info;
    build_v1();
    w32(MADT_AT + 4, 40);               /* shorter than the MADT header */
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "MADT bad length or unreadable");
    build_v1();
    w32(MADT_AT + 4, MEM_SIZE - MADT_AT + 1);
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "MADT bad length or unreadable");
}

UT_TEST(acpi_missing_madt)
{
    struct acpi_info info;
    reset();
    rsdp(0, RSDT_AT, 0);
    sdt(RSDT_AT, "RSDT");
    append32(RSDT_AT, FADT_AT);
    append32(RSDT_AT, HPET_AT);
    sdt(FADT_AT, "FACP");
    sdt(HPET_AT, "HPET");
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_NOT_FOUND, "no MADT (APIC table)");
    CHECK_EQ(info.fadt_phys, FADT_AT);

    reset();                            /* empty XSDT */
    rsdp(2, 0, XSDT_AT);
    sdt(XSDT_AT, "XSDT");
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_NOT_FOUND, "no MADT (APIC table)");
    CHECK_EQ(info.fadt_phys, 0);
}

UT_TEST(acpi_root_skips_null_and_unreadable_entries)
{
    struct acpi_info info;
    reset();
    rsdp(2, 0, XSDT_AT);
    sdt(XSDT_AT, "XSDT");
    append64(XSDT_AT, 0);
    append64(XSDT_AT, 0xdead00000000ull);
    append64(XSDT_AT, MEM_SIZE - 8);
    append64(XSDT_AT, MADT_AT);
    uint8_t junk[5] = { 1, 2, 3, 4, 5 };  /* trailing partial entry: ignored */
    append(XSDT_AT, junk, sizeof(junk));
    madt(MADT_AT, 0xfee00000u, 0);
    madt_lapic(MADT_AT, 0, 0, 1);
    fix_all();
    CHECK_EQ(parse(&info), HV_OK);
    CHECK_EQ(info.madt_phys, MADT_AT);
    CHECK_EQ(info.ncpus, 1);
}

UT_TEST(acpi_first_madt_wins)
{
    struct acpi_info info;
    build_v1();
    append32(RSDT_AT, MADT2_AT);
    madt(MADT2_AT, 0xfee00000u, 0);
    fix_all();
    CHECK_EQ(parse(&info), HV_OK);
    CHECK_EQ(info.madt_phys, MADT_AT);
    CHECK_EQ(info.ncpus, 2);
}

UT_TEST(acpi_madt_zero_length_entry)
{
    struct acpi_info info;
    build_v1();
    uint8_t e[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
    append(MADT_AT, e, sizeof(e));
    fix_all();
    fm.map_calls = 0;
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "MADT malformed entry");
    CHECK(fm.map_calls < 20);
    build_v1();
    uint8_t one[2] = { 0x7f, 1 };        /* length 1 */
    append(MADT_AT, one, sizeof(one));
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "MADT malformed entry");
}

UT_TEST(acpi_madt_entry_past_end)
{
    struct acpi_info info;
    build_v1();
    uint8_t e[4] = { 0x7f, 40, 0, 0 };   /* claims 40 bytes, 4 remain */
    append(MADT_AT, e, sizeof(e));
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "MADT malformed entry");
    build_v1();
    uint8_t b = 0;                       /* a lone trailing byte */
    append(MADT_AT, &b, 1);
    fix_all();
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "MADT malformed entry");
}

/* A MADT whose last entry is a lone byte: no byte past the table is read. */
UT_TEST(acpi_madt_at_end_of_memory)
{
    struct acpi_info info;
    const uint32_t len = 44 + 8 + 1;    /* header, one CPU, one stray byte */
    const uint64_t at = MEM_SIZE - len;
    reset();
    rsdp(0, RSDT_AT, 0);
    sdt(RSDT_AT, "RSDT");
    append32(RSDT_AT, (uint32_t)at);
    madt(at, 0xfee00000u, 0);
    madt_lapic(at, 0, 0, 1);
    uint8_t stray = 0x7f;
    append(at, &stray, 1);
    fix_all();
    /* Serve the MADT from an exact-size heap copy so ASan flags any over-read. */
    uint8_t *copy = malloc(len);
    CHECK(copy != NULL);
    if (!copy)
        return;
    memcpy(copy, &fm.mem[at], len);
    fm.exact = copy;
    fm.exact_phys = at;
    fm.exact_len = len;
    CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "MADT malformed entry");
    free(copy);
    fm.exact = NULL;
}

UT_TEST(acpi_madt_entry_too_short_for_type)
{
    static const uint8_t cases[][2] = { { 0, 6 }, { 1, 8 }, { 2, 8 }, { 5, 8 }, { 9, 12 } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct acpi_info info;
        build_v1();
        uint8_t e[16] = { cases[i][0], cases[i][1] };
        append(MADT_AT, e, cases[i][1]);
        fix_all();
        CHECK_FAILS(parse(&info), HV_ERR_INVALID_ARGS, "MADT malformed entry");
    }
}

UT_TEST(acpi_madt_skips_nmi_and_unknown_entries)
{
    struct acpi_info info;
    build_v1();
    uint8_t nmi[6] = { 4, 6, 0xff, 5, 0, 1 };
    uint8_t x2nmi[12] = { 0xa, 12 };
    uint8_t unknown[3] = { 0x7f, 3, 0xaa };
    uint8_t longer[12] = { 0, 12, 7, 7, 1, 0, 0, 0 };  /* type 0 with extra bytes */
    append(MADT_AT, nmi, sizeof(nmi));
    append(MADT_AT, x2nmi, sizeof(x2nmi));
    append(MADT_AT, unknown, sizeof(unknown));
    append(MADT_AT, longer, sizeof(longer));
    fix_all();
    CHECK_EQ(parse(&info), HV_OK);
    CHECK_EQ(info.ncpus, 3);
    CHECK_EQ(info.cpus[2].apic_id, 7);
    CHECK_EQ(info.nioapics, 1);
    CHECK_EQ(info.nisos, 2);
}

UT_TEST(acpi_lapic_override)
{
    struct acpi_info info;
    build_v1();
    madt_lapic_override(MADT_AT, 0x123456789000ull);
    fix_all();
    CHECK_EQ(parse(&info), HV_OK);
    CHECK(info.lapic_override);
    CHECK_EQ(info.lapic_addr, 0x123456789000ull);
}

UT_TEST(acpi_duplicate_and_broadcast_ids)
{
    struct acpi_info info;
    build_v1();
    madt_x2apic(MADT_AT, 1, 1, 1);       /* same CPU as the type 0 entry */
    madt_lapic(MADT_AT, 5, 0xff, 1);     /* broadcast id */
    madt_x2apic(MADT_AT, 0xffffffffu, 1, 6);
    fix_all();
    CHECK_EQ(parse(&info), HV_OK);
    CHECK_EQ(info.ncpus, 2);
    CHECK_EQ(info.ncpus_enabled, 2);
    CHECK_EQ(info.ncpus_unusable, 3);
    CHECK(!info.cpus[1].x2apic_entry);
}

UT_TEST(acpi_capacity_overflow)
{
    struct acpi_info info;
    reset();
    rsdp(0, RSDT_AT, 0);
    sdt(RSDT_AT, "RSDT");
    append32(RSDT_AT, MADT_AT);
    madt(MADT_AT, 0xfee00000u, 0);
    for (uint32_t i = 0; i < ACPI_MAX_CPUS + 6; i++)
        madt_x2apic(MADT_AT, i, 1, i);
    for (uint8_t i = 0; i < ACPI_MAX_IOAPICS + 2; i++)
        madt_ioapic(MADT_AT, i, 0xfec00000u + i * 0x1000u, i * 24u);
    for (uint8_t i = 0; i < ACPI_MAX_ISOS + 4; i++)
        madt_iso(MADT_AT, i, i, 0);
    fix_all();
    CHECK_EQ(parse(&info), HV_OK);
    CHECK_EQ(info.ncpus, ACPI_MAX_CPUS);
    CHECK_EQ(info.ncpus_enabled, ACPI_MAX_CPUS);
    CHECK_EQ(info.ncpus_dropped, 6);
    CHECK_EQ(info.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
    CHECK_EQ(info.nioapics, ACPI_MAX_IOAPICS);
    CHECK_EQ(info.nioapics_dropped, 2);
    CHECK_EQ(info.nisos, ACPI_MAX_ISOS);
    CHECK_EQ(info.nisos_dropped, 4);
}

/* why may be NULL; on success it is not written. */
UT_TEST(acpi_why_optional)
{
    struct acpi_info info;
    build_v1();
    const char *w = "untouched";
    CHECK_EQ(acpi_parse(fm.rsdp, fake_map, &fm, &info, &w), HV_OK);
    CHECK(strcmp(w, "untouched") == 0);
    CHECK_EQ(acpi_parse(fm.rsdp, fake_map, &fm, &info, NULL), HV_OK);
    fm.mem[RSDT_AT + 36]++;
    CHECK_EQ(acpi_parse(fm.rsdp, fake_map, &fm, &info, NULL), HV_ERR_INVALID_ARGS);
    CHECK_FAILS(acpi_parse(fm.rsdp, fake_map, &fm, &info, &why), HV_ERR_INVALID_ARGS,
                "RSDT checksum mismatch");
    CHECK_EQ(acpi_parse(fm.rsdp, NULL, &fm, &info, NULL), HV_ERR_INVALID_ARGS);
}

UT_TEST(acpi_checksum_helper)
{
    uint8_t b[4] = { 0x10, 0x20, 0xf0, 0xe0 };
    CHECK_EQ(acpi_checksum(b, 4), 0);
    CHECK_EQ(acpi_checksum(b, 2), 0x30);
    CHECK_EQ(acpi_checksum(b, 0), 0);
}
