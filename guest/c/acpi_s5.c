/*
 * acpi_s5: finds the ACPI tables as an OS does (ACPI 6.x, 5.2.5.1: the RSDP
 * on a 16-byte boundary in the first KiB of the EBDA or in 0xe0000-0xfffff),
 * checks the RSDP, RSDT, XSDT and every table they list, the MADT (local
 * APICs, one I/O APIC), the FADT, FACS and DSDT and the PM timer, takes
 * SLP_TYPa of \_S5 from the DSDT's AML and powers the machine off through
 * PM1a_CNT. Still running a second later: exit status 4 on port 0xf4.
 */
#include "rt.h"

GUEST_NAME("acpi_s5");

#define SLP_EN          (1u << 13)
#define SLP_TYP_SHIFT   10
#define SCI_EN          (1u << 0)
#define PM_TIMER_HZ     3579545u
#define AML_NAME_OP     0x08
#define AML_PACKAGE_OP  0x12

struct rsdp {
    char signature[8];          /* "RSD PTR " */
    uint8_t checksum;           /* the first 20 bytes sum to 0 */
    char oem_id[6];
    uint8_t revision;           /* 0: ACPI 1.0; 2: the fields below exist */
    uint32_t rsdt;
    uint32_t length;
    uint64_t xsdt;
    uint8_t extended_checksum;  /* all `length` bytes sum to 0 */
    uint8_t reserved[3];
} __attribute__((packed));

struct sdt {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision, creator_id, creator_revision;
} __attribute__((packed));

/* Generic address structure, in the FADT's X_ fields. */
struct gas {
    uint8_t space;              /* 0 memory, 1 system I/O */
    uint8_t bit_width, bit_offset, access_size;
    uint64_t address;
} __attribute__((packed));

/* FADT byte offsets (ACPI 6.x table 5.9). */
enum {
    FADT_FIRMWARE_CTRL = 36, FADT_DSDT = 40, FADT_SMI_CMD = 48, FADT_ACPI_ENABLE = 52,
    FADT_PM1A_CNT = 64, FADT_PM1B_CNT = 68, FADT_PM_TMR = 76, FADT_PM1_CNT_LEN = 89,
    FADT_FLAGS = 112, FADT_X_FIRMWARE_CTRL = 132, FADT_X_DSDT = 140, FADT_X_PM1A_CNT = 172,
    FADT_X_PM1B_CNT = 184, FADT_X_PM_TMR = 208,
};
#define FADT_TMR_VAL_EXT (1u << 8)
#define FADT_HW_REDUCED  (1u << 20)

static uint8_t sum(const void *p, uint32_t n)
{
    const uint8_t *b = p;
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *b++);
    return s;
}

static uint32_t get32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t get64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* ---- RSDP ------------------------------------------------------------------------- */

static const struct rsdp *scan_rsdp(uint32_t base, uint32_t len)
{
    for (uint32_t a = base; a + 20 <= base + len; a += 16) {
        const struct rsdp *r = (const void *)(uintptr_t)a;
        if (!memcmp(r->signature, "RSD PTR ", 8) && sum(r, 20) == 0)
            return r;
    }
    return NULL;
}

static const struct rsdp *find_rsdp(void)
{
    uint32_t ebda = rt_mmio_read(0x40e, 2) << 4;       /* BDA: the EBDA segment */
    const struct rsdp *r = NULL;
    if (ebda >= 0x400 && ebda + 1024 <= 0xa0000)
        r = scan_rsdp(ebda, 1024);
    return r ? r : scan_rsdp(0xe0000, 0x20000);
}

/* ---- system description tables ------------------------------------------------------- */

/* The table at addr if it is below 4 GiB with a sane length, its checksum and signature want ("-": any). */
static const struct sdt *table_at(uint64_t addr, const char *want)
{
    const struct sdt *t = (const void *)(uintptr_t)addr;
    bool low = addr && addr < (1ull << 32) - sizeof(*t);
    char sig[5] = "?", oem[7] = "";
    bool ok = false;
    if (low) {
        memcpy(sig, t->signature, 4);
        sig[4] = '\0';
        memcpy(oem, t->oem_id, 6);
        oem[6] = '\0';
        ok = t->length >= sizeof(*t) && t->length < (16u << 20) && sum(t, t->length) == 0 &&
             (want[0] == '-' || !memcmp(sig, want, 4));
    }
    check(ok, "%s at 0x%llx: rev %u, %u bytes, OEM \"%s\": below 4 GiB, %s, length, checksum", sig,
          (unsigned long long)addr, low ? t->revision : 0, low ? t->length : 0, oem,
          want[0] == '-' ? "signature" : want);
    return ok ? t : NULL;
}

/* Listed tables: RSDT (4-byte entries) and XSDT (8-byte entries). */
struct list {
    const struct sdt *t;
    unsigned width, n;
};

static uint64_t entry(const struct list *l, unsigned i)
{
    const uint8_t *p = (const uint8_t *)l->t + sizeof(struct sdt) + i * l->width;
    return l->width == 8 ? get64(p) : get32(p);
}

static const struct sdt *lookup(const struct list *l, const char *sig)
{
    for (unsigned i = 0; l->t && i < l->n; i++) {
        uint64_t a = entry(l, i);
        if (a && a < (1ull << 32) && !memcmp(((const struct sdt *)(uintptr_t)a)->signature, sig, 4))
            return (const void *)(uintptr_t)a;
    }
    return NULL;
}

static void walk(struct list *l, const char *name)
{
    l->n = (l->t->length - sizeof(struct sdt)) / l->width;
    rt_printf("%s: %u tables\n", name, l->n);
    unsigned bad = 0;
    for (unsigned i = 0; i < l->n; i++)
        if (!table_at(entry(l, i), "-"))
            bad++;
    check(bad == 0, "every table the %s lists is sound (%u bad)", name, bad);
}

/* Whether every table in a is also in b, by signature. */
static bool subset(const struct list *a, const struct list *b)
{
    for (unsigned i = 0; i < a->n; i++) {
        uint64_t p = entry(a, i);
        if (p && p < (1ull << 32) && !lookup(b, ((const struct sdt *)(uintptr_t)p)->signature))
            return false;
    }
    return true;
}

/* ---- MADT ------------------------------------------------------------------------------- */

static void check_madt(const struct sdt *madt)
{
    const uint8_t *p = (const uint8_t *)madt + 44, *end = (const uint8_t *)madt + madt->length;
    unsigned lapics = 0, enabled = 0, ioapics = 0, other = 0;
    bool sane = madt->length >= 44;
    rt_printf("madt: local APIC at 0x%08x\n", get32((const uint8_t *)madt + 36));
    while (sane && p + 2 <= end) {
        uint8_t type = p[0], len = p[1];
        if (len < 2 || p + len > end) {
            sane = false;
            break;
        }
        if (type == 0 && len >= 8) {                    /* processor local APIC */
            lapics++;
            enabled += get32(p + 4) & 1;
        } else if (type == 9 && len >= 16) {            /* processor local x2APIC */
            lapics++;
            enabled += get32(p + 8) & 1;
        } else if (type == 1 && len >= 12) {            /* I/O APIC */
            ioapics++;
            rt_printf("madt: I/O APIC id %u at 0x%08x, GSI base %u\n", p[2], get32(p + 4), get32(p + 8));
        } else {
            other++;
        }
        p += len;
    }
    rt_printf("madt: %u local APICs (%u enabled), %u I/O APICs, %u other entries\n", lapics, enabled,
              ioapics, other);
    check(sane && p == end, "MADT entries fill the table exactly");
    check(enabled >= 1, "MADT: at least one enabled local APIC (%u)", enabled);
    check(ioapics == 1, "MADT: one I/O APIC (%u)", ioapics);
}

/* ---- FADT, FACS, DSDT, PM timer ------------------------------------------------------------ */

struct pm {
    uint16_t pm1a_cnt, pm1b_cnt, pm_tmr;
    uint32_t tmr_mask;
};

/* The X_ address if the FADT is long enough and it is set, else the 32-bit field. */
static uint64_t fadt_addr(const struct sdt *f, unsigned off32, unsigned off64, unsigned size64)
{
    const uint8_t *b = (const uint8_t *)f;
    if (f->length >= off64 + size64) {
        uint64_t x = size64 == 8 ? get64(b + off64) : ((const struct gas *)(b + off64))->address;
        if (x && (size64 == 8 || ((const struct gas *)(b + off64))->space == 1))
            return x;
    }
    return get32(b + off32);
}

static bool check_fadt(const struct sdt *f, struct pm *pm, const struct sdt **dsdt)
{
    const uint8_t *b = (const uint8_t *)f;
    if (!check(f->length >= 116, "FADT length %u >= 116 (ACPI 1.0 size)", f->length))
        return false;
    uint32_t flags = get32(b + FADT_FLAGS);
    if (!check(!(flags & FADT_HW_REDUCED), "FADT: not hardware-reduced ACPI (PM1 blocks exist)"))
        return false;
    pm->pm1a_cnt = (uint16_t)fadt_addr(f, FADT_PM1A_CNT, FADT_X_PM1A_CNT, 12);
    pm->pm1b_cnt = (uint16_t)fadt_addr(f, FADT_PM1B_CNT, FADT_X_PM1B_CNT, 12);
    pm->pm_tmr = (uint16_t)fadt_addr(f, FADT_PM_TMR, FADT_X_PM_TMR, 12);
    pm->tmr_mask = flags & FADT_TMR_VAL_EXT ? 0xffffffffu : 0xffffffu;
    rt_printf("fadt: rev %u, PM1a_CNT 0x%x, PM1b_CNT 0x%x, PM_TMR 0x%x (%u bits), SMI_CMD 0x%x\n",
              f->revision, pm->pm1a_cnt, pm->pm1b_cnt, pm->pm_tmr, flags & FADT_TMR_VAL_EXT ? 32 : 24,
              get32(b + FADT_SMI_CMD));
    check(pm->pm1a_cnt != 0 && b[FADT_PM1_CNT_LEN] >= 2, "FADT: a PM1a control block of >= 2 bytes");

    uint64_t facs_addr = fadt_addr(f, FADT_FIRMWARE_CTRL, FADT_X_FIRMWARE_CTRL, 8);
    const struct sdt *facs = (const void *)(uintptr_t)facs_addr;
    check(facs_addr && facs_addr < (1ull << 32) && !memcmp(facs->signature, "FACS", 4) &&
              facs->length >= 64,
          "FACS at 0x%08x: signature, length >= 64", (uint32_t)facs_addr);

    *dsdt = table_at(fadt_addr(f, FADT_DSDT, FADT_X_DSDT, 8), "DSDT");
    return pm->pm1a_cnt != 0 && *dsdt;
}

static uint32_t pm_timer(const struct pm *pm)
{
    return inl(pm->pm_tmr) & pm->tmr_mask;
}

static void check_pm_timer(const struct pm *pm)
{
    if (!check(pm->pm_tmr != 0, "FADT: a PM timer block"))
        return;
    uint32_t t0 = pm_timer(pm), t1 = t0;
    for (unsigned i = 0; i < 1000000 && t1 == t0; i++)
        t1 = pm_timer(pm);
    check(t1 != t0, "the PM timer at 0x%x runs (0x%x, then 0x%x)", pm->pm_tmr, t0, t1);
}

/* Busy wait on the PM timer, a 3.579545 MHz counter (without one, a spin). */
static void pm_delay_ms(const struct pm *pm, uint32_t ms)
{
    if (!pm->pm_tmr) {
        for (volatile uint32_t i = 0; i < ms * 100000; i++)
            ;
        return;
    }
    uint32_t ticks = PM_TIMER_HZ / 1000 * ms, start = pm_timer(pm);
    for (unsigned spins = 0; ((pm_timer(pm) - start) & pm->tmr_mask) < ticks && spins < 50000000; spins++)
        ;
}

/* ---- \_S5 in the AML -------------------------------------------------------------------------- */

/* One package element that is an integer: ZeroOp, OneOp, OnesOp, Byte/Word/DWord/QWordPrefix. */
static bool aml_integer(const uint8_t **pp, const uint8_t *end, uint32_t *v)
{
    const uint8_t *p = *pp;
    static const uint8_t prefix_len[] = { [0x0a] = 1, [0x0b] = 2, [0x0c] = 4, [0x0e] = 8 };
    if (p >= end)
        return false;
    if (*p == 0x00 || *p == 0x01 || *p == 0xff) {
        *v = *p == 0xff ? 0xffffffffu : *p;
        *pp = p + 1;
        return true;
    }
    if (*p < sizeof(prefix_len) && prefix_len[*p] && p + 1 + prefix_len[*p] <= end) {
        unsigned n = prefix_len[*p] > 4 ? 4 : prefix_len[*p];
        *v = 0;
        for (unsigned i = 0; i < n; i++)
            *v |= (uint32_t)p[1 + i] << (8 * i);
        *pp = p + 1 + prefix_len[*p];
        return true;
    }
    return false;
}

/* Name(_S5, Package(){ SLP_TYPa, SLP_TYPb, ... }) in a table's AML: true and the two values. */
static bool find_s5(const struct sdt *t, uint32_t *a, uint32_t *b)
{
    const uint8_t *aml = (const uint8_t *)t + sizeof(*t), *end = (const uint8_t *)t + t->length;
    for (const uint8_t *p = aml; p + 6 <= end; p++) {
        if (memcmp(p, "_S5_", 4) || p[4] != AML_PACKAGE_OP)
            continue;
        bool named = (p > aml && p[-1] == AML_NAME_OP) ||
                     (p > aml + 1 && p[-1] == '\\' && p[-2] == AML_NAME_OP);
        if (!named)
            continue;
        const uint8_t *q = p + 5;
        q += 1 + (*q >> 6);                     /* PkgLength: lead byte, bits 7:6 more bytes */
        if (q >= end)
            return false;
        uint8_t count = *q++;
        rt_printf("aml: \\_S5 at offset 0x%x of %.4s, a package of %u elements\n",
                  (uint32_t)(p - (const uint8_t *)t), t->signature, count);
        *b = 0;
        return count >= 1 && aml_integer(&q, end, a) && (count < 2 || aml_integer(&q, end, b));
    }
    return false;
}

/* ---- S5 ------------------------------------------------------------------------------------------ */

/* Switch to ACPI mode if the firmware left it off (ACPI 6.x 4.8.2.1: SMI_CMD, ACPI_ENABLE). */
static void acpi_enable(const struct sdt *f, const struct pm *pm)
{
    const uint8_t *b = (const uint8_t *)f;
    uint32_t smi_cmd = get32(b + FADT_SMI_CMD);
    uint8_t enable = b[FADT_ACPI_ENABLE];
    if (inw(pm->pm1a_cnt) & SCI_EN || !smi_cmd || !enable)
        return;
    rt_printf("acpi: enabling ACPI mode: 0x%02x to SMI_CMD 0x%x\n", enable, smi_cmd);
    outb((uint16_t)smi_cmd, enable);
    for (unsigned i = 0; i < 100 && !(inw(pm->pm1a_cnt) & SCI_EN); i++)
        pm_delay_ms(pm, 10);
    rt_printf("acpi: SCI_EN %s\n", inw(pm->pm1a_cnt) & SCI_EN ? "set" : "still clear");
}

/* SLP_TYPx and SLP_EN into PM1x_CNT; SCI_EN and BM_RLD (bits 0, 1) kept. */
static void pm1_sleep(uint16_t port, uint32_t typ)
{
    uint16_t v = (uint16_t)((inw(port) & 3) | typ << SLP_TYP_SHIFT | SLP_EN);
    rt_printf("s5: 0x%04x to PM1 control 0x%x\n", v, port);
    outw(port, v);
}

int gmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    const struct rsdp *r = find_rsdp();
    if (!check(r != NULL, "RSDP found (EBDA or 0xe0000-0xfffff), 20-byte checksum"))
        return EXIT_CHECK;
    char oem[7];
    memcpy(oem, r->oem_id, 6);
    oem[6] = '\0';
    rt_printf("rsdp: at 0x%08x, revision %u, OEM \"%s\", RSDT 0x%08x", (uint32_t)(uintptr_t)r,
              r->revision, oem, r->rsdt);
    struct list rsdt = { NULL, 4, 0 }, xsdt = { NULL, 8, 0 };
    if (r->revision >= 2) {
        rt_printf(", XSDT 0x%llx\n", (unsigned long long)r->xsdt);
        check(r->length >= 36 && r->length < 4096 && sum(r, r->length) == 0,
              "RSDP extended checksum over %u bytes", r->length);
    } else {
        rt_printf(" (ACPI 1.0: no XSDT)\n");
    }
    if (r->rsdt && (rsdt.t = table_at(r->rsdt, "RSDT")))
        walk(&rsdt, "RSDT");
    if (r->revision >= 2 && r->xsdt && (xsdt.t = table_at(r->xsdt, "XSDT")))
        walk(&xsdt, "XSDT");
    if (!check(rsdt.t || xsdt.t, "an RSDT or an XSDT"))
        return EXIT_CHECK;
    if (rsdt.t && xsdt.t)
        check(subset(&rsdt, &xsdt) && subset(&xsdt, &rsdt), "RSDT and XSDT list the same tables");
    const struct list *l = xsdt.t ? &xsdt : &rsdt;      /* the XSDT wins when there is one */

    const struct sdt *madt = lookup(l, "APIC");
    if (check(madt != NULL, "an MADT (APIC)"))
        check_madt(madt);
    const struct sdt *fadt = lookup(l, "FACP"), *dsdt = NULL;
    struct pm pm;
    if (!check(fadt != NULL, "a FADT (FACP)") || !check_fadt(fadt, &pm, &dsdt))
        return EXIT_CHECK;
    check_pm_timer(&pm);

    uint32_t typ_a = 0, typ_b = 0;
    bool s5 = find_s5(dsdt, &typ_a, &typ_b);
    for (unsigned i = 0; !s5 && i < l->n; i++) {        /* an SSDT may hold it instead */
        uint64_t a = entry(l, i);
        const struct sdt *t = (const void *)(uintptr_t)a;
        if (a && a < (1ull << 32) && !memcmp(t->signature, "SSDT", 4))
            s5 = find_s5(t, &typ_a, &typ_b);
    }
    if (!check(s5, "\\_S5 package with integer SLP_TYPa/SLP_TYPb in the AML") ||
        !check(typ_a <= 7 && typ_b <= 7, "SLP_TYPa %u, SLP_TYPb %u fit 3 bits", typ_a, typ_b))
        return EXIT_CHECK;
    if (rt_failed_checks())
        return EXIT_CHECK;

    /* Every check passed: the end line, then the power goes off. */
    rt_printf("guest %s: ok\n", rt_guest_name);
    acpi_enable(fadt, &pm);
    if (pm.pm1b_cnt)
        pm1_sleep(pm.pm1b_cnt, typ_b);
    pm1_sleep(pm.pm1a_cnt, typ_a);
    pm_delay_ms(&pm, 1000);
    rt_fail(EXIT_STILL_ON, "still running 1 s after the S5 write to PM1a_CNT 0x%x", pm.pm1a_cnt);
}
