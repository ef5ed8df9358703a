/*
 * ACPI table parser: RSDP -> XSDT/RSDT -> MADT. Pure logic, compiled into
 * the kernel and into the host unit tests; all memory reads go through the
 * caller's map callback and every field is read byte by byte (tables are
 * not necessarily aligned).
 */
#include "acpi.h"

#define SDT_HEADER_LEN   36u
#define RSDP_V1_LEN      20u
#define RSDP_V2_LEN      36u
#define MADT_HEADER_LEN  44u     /* SDT header + local APIC address + flags */

/* MADT entry types and the minimum lengths this parser needs. */
enum {
    MADT_LAPIC = 0,              /* 8 bytes */
    MADT_IOAPIC = 1,             /* 12 */
    MADT_ISO = 2,                /* 10 */
    MADT_NMI_SOURCE = 3,
    MADT_LAPIC_NMI = 4,
    MADT_LAPIC_OVERRIDE = 5,     /* 12 */
    MADT_X2APIC = 9,             /* 16 */
    MADT_X2APIC_NMI = 0xa,
};

#define CPU_FLAG_ENABLED        (1u << 0)
#define CPU_FLAG_ONLINE_CAPABLE (1u << 1)

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static bool sig_eq(const uint8_t *p, const char *sig, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)sig[i])
            return false;
    return true;
}


static void zero(void *p, size_t n)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = 0;
}

/* Report a failure: *why gets the text, the caller the status. */
static hv_status_t fail(const char **why, hv_status_t rc, const char *text)
{
    *why = text;
    return rc;
}

static hv_status_t parse_rsdp(uint64_t phys, acpi_map_fn map, void *ctx, struct acpi_info *out,
                              const char **why)
{
    const uint8_t *r = phys ? map(phys, RSDP_V1_LEN, ctx) : NULL;
    if (!r)
        return fail(why, HV_ERR_NOT_FOUND, "no RSDP: address 0 or unreadable");
    if (!sig_eq(r, "RSD PTR ", 8))
        return fail(why, HV_ERR_INVALID_ARGS, "RSDP bad signature");
    if (acpi_checksum(r, RSDP_V1_LEN) != 0)
        return fail(why, HV_ERR_INVALID_ARGS, "RSDP checksum mismatch");

    out->rsdp_phys = phys;
    out->rsdp_revision = r[15];
    for (int i = 0; i < 6; i++)
        out->oem_id[i] = (char)r[9 + i];
    out->oem_id[6] = '\0';
    uint64_t rsdt = rd32(r + 16);

    if (out->rsdp_revision >= 2) {
        const uint8_t *x = map(phys, RSDP_V2_LEN, ctx);
        uint32_t len = x ? rd32(x + 20) : 0;
        if (len < RSDP_V2_LEN || len > ACPI_MAX_RSDP_LEN || !(x = map(phys, len, ctx)))
            return fail(why, HV_ERR_INVALID_ARGS, "RSDP bad length");
        if (acpi_checksum(x, len) != 0)
            return fail(why, HV_ERR_INVALID_ARGS, "RSDP extended checksum mismatch");
        uint64_t xsdt = rd64(x + 24);
        if (xsdt != 0) {
            out->use_xsdt = true;
            out->root_phys = xsdt;
            return HV_OK;
        }
    }
    out->use_xsdt = false;
    out->root_phys = rsdt;
    return HV_OK;
}

/* What to say when a table fails each check of map_table. */
struct table_whys {
    const char *unreadable, *signature, *length, *checksum;
};

static const struct table_whys xsdt_whys = {
    "XSDT unreadable", "XSDT bad signature", "XSDT bad length", "XSDT checksum mismatch",
};
static const struct table_whys rsdt_whys = {
    "RSDT unreadable", "RSDT bad signature", "RSDT bad length", "RSDT checksum mismatch",
};
static const struct table_whys madt_whys = {
    "MADT bad length or unreadable", "no MADT (APIC table)", "MADT bad length or unreadable",
    "MADT checksum mismatch",
};

/*
 * Map and verify a whole table whose signature must be `sig`: header
 * readable (else HV_ERR_NOT_FOUND), signature, min_len <= length <=
 * ACPI_MAX_TABLE_LEN, body readable, checksum (else HV_ERR_INVALID_ARGS).
 * *why gets the text from `w` for the check that failed.
 */
static hv_status_t map_table(uint64_t phys, const char *sig, uint32_t min_len,
                             const struct table_whys *w, acpi_map_fn map, void *ctx,
                             const uint8_t **table, uint32_t *len_out, const char **why)
{
    const uint8_t *h = phys ? map(phys, SDT_HEADER_LEN, ctx) : NULL;
    if (!h)
        return fail(why, HV_ERR_NOT_FOUND, w->unreadable);
    if (!sig_eq(h, sig, 4))
        return fail(why, HV_ERR_INVALID_ARGS, w->signature);
    uint32_t len = rd32(h + 4);
    const uint8_t *t = len >= min_len && len <= ACPI_MAX_TABLE_LEN ? map(phys, len, ctx) : NULL;
    if (!t)
        return fail(why, HV_ERR_INVALID_ARGS, w->length);
    if (acpi_checksum(t, len) != 0)
        return fail(why, HV_ERR_INVALID_ARGS, w->checksum);
    *table = t;
    *len_out = len;
    return HV_OK;
}

/* Walk the XSDT/RSDT entries, recording the first MADT and FADT. */
static hv_status_t scan_root(acpi_map_fn map, void *ctx, struct acpi_info *out, const char **why)
{
    const uint8_t *root;
    uint32_t len = 0;
    hv_status_t rc = map_table(out->root_phys, out->use_xsdt ? "XSDT" : "RSDT", SDT_HEADER_LEN,
                               out->use_xsdt ? &xsdt_whys : &rsdt_whys, map, ctx, &root, &len, why);
    if (rc != HV_OK)
        return rc;

    /* A trailing partial entry is ignored. */
    uint32_t esize = out->use_xsdt ? 8 : 4;
    uint32_t n = (len - SDT_HEADER_LEN) / esize;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = root + SDT_HEADER_LEN + (size_t)i * esize;
        uint64_t phys = out->use_xsdt ? rd64(e) : rd32(e);
        if (phys == 0)
            continue;
        const uint8_t *h = map(phys, SDT_HEADER_LEN, ctx);
        if (!h)
            continue;                   /* unreadable entry: not one we need */
        if (!out->madt_phys && sig_eq(h, "APIC", 4))
            out->madt_phys = phys;
        else if (!out->fadt_phys && sig_eq(h, "FACP", 4))
            out->fadt_phys = phys;
    }
    return out->madt_phys ? HV_OK : fail(why, HV_ERR_NOT_FOUND, "no MADT (APIC table)");
}

static void add_cpu(struct acpi_info *out, uint32_t apic_id, uint32_t uid, uint32_t flags, bool x2)
{
    bool enabled = flags & CPU_FLAG_ENABLED;
    bool capable = !enabled && (flags & CPU_FLAG_ONLINE_CAPABLE);
    /* 0xff (xAPIC) / 0xffffffff (x2APIC) are broadcast ids, never a CPU. */
    if ((!enabled && !capable) || apic_id == (x2 ? 0xffffffffu : 0xffu)) {
        out->ncpus_unusable++;
        return;
    }
    /* Firmware may list a CPU in both a type 0 and a type 9 entry. */
    for (uint32_t i = 0; i < out->ncpus; i++)
        if (out->cpus[i].apic_id == apic_id)
            return;
    if (out->ncpus == ACPI_MAX_CPUS) {
        out->ncpus_dropped++;
        return;
    }
    struct acpi_cpu *c = &out->cpus[out->ncpus++];
    c->apic_id = apic_id;
    c->uid = uid;
    c->enabled = enabled;
    c->online_capable = capable;
    c->x2apic_entry = x2;
    if (enabled)
        out->ncpus_enabled++;
}

static hv_status_t malformed(const char **why)
{
    return fail(why, HV_ERR_INVALID_ARGS, "MADT malformed entry");
}

static hv_status_t parse_madt(acpi_map_fn map, void *ctx, struct acpi_info *out, const char **why)
{
    const uint8_t *t;
    uint32_t len = 0;
    hv_status_t rc = map_table(out->madt_phys, "APIC", MADT_HEADER_LEN, &madt_whys, map, ctx, &t,
                               &len, why);
    if (rc != HV_OK)
        return rc;

    out->lapic_addr = rd32(t + 36);
    out->madt_flags = rd32(t + 40);

    /* Each iteration advances by at least 2 bytes, so this terminates. */
    for (uint32_t off = MADT_HEADER_LEN; off < len;) {
        if (len - off < 2)
            return malformed(why);
        const uint8_t *e = t + off;
        uint8_t type = e[0], elen = e[1];
        if (elen < 2 || elen > len - off)
            return malformed(why);

        switch (type) {
        case MADT_LAPIC:
            if (elen < 8)
                return malformed(why);
            add_cpu(out, e[3], e[2], rd32(e + 4), false);
            break;
        case MADT_X2APIC:
            if (elen < 16)
                return malformed(why);
            add_cpu(out, rd32(e + 4), rd32(e + 12), rd32(e + 8), true);
            break;
        case MADT_IOAPIC:
            if (elen < 12)
                return malformed(why);
            if (out->nioapics == ACPI_MAX_IOAPICS) {
                out->nioapics_dropped++;
                break;
            }
            out->ioapics[out->nioapics].id = e[2];
            out->ioapics[out->nioapics].addr = rd32(e + 4);
            out->ioapics[out->nioapics].gsi_base = rd32(e + 8);
            out->nioapics++;
            break;
        case MADT_ISO:
            if (elen < 10)
                return malformed(why);
            if (out->nisos == ACPI_MAX_ISOS) {
                out->nisos_dropped++;
                break;
            }
            out->isos[out->nisos].bus = e[2];
            out->isos[out->nisos].source = e[3];
            out->isos[out->nisos].gsi = rd32(e + 4);
            out->isos[out->nisos].flags = rd16(e + 8);
            out->nisos++;
            break;
        case MADT_LAPIC_OVERRIDE:
            if (elen < 12)
                return malformed(why);
            out->lapic_addr = rd64(e + 4);
            out->lapic_override = true;
            break;
        default:                        /* NMI entries and newer types: not needed */
            break;
        }
        off += elen;
    }
    return HV_OK;
}

hv_status_t acpi_parse(uint64_t rsdp_phys, acpi_map_fn map, void *ctx, struct acpi_info *out,
                       const char **why)
{
    const char *ignored;
    if (!why)
        why = &ignored;
    if (!map || !out)
        return fail(why, HV_ERR_INVALID_ARGS, "invalid argument");
    zero(out, sizeof(*out));
    hv_status_t rc = parse_rsdp(rsdp_phys, map, ctx, out, why);
    if (rc == HV_OK)
        rc = scan_root(map, ctx, out, why);
    if (rc == HV_OK)
        rc = parse_madt(map, ctx, out, why);
    return rc;
}
