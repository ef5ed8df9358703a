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

uint8_t acpi_checksum(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + b[i]);
    return sum;
}

static void zero(void *p, size_t n)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = 0;
}

static int parse_rsdp(uint64_t phys, acpi_map_fn map, void *ctx, struct acpi_info *out)
{
    if (phys == 0)
        return ACPI_ERR_NO_RSDP;
    const uint8_t *r = map(phys, RSDP_V1_LEN, ctx);
    if (!r)
        return ACPI_ERR_NO_RSDP;
    if (!sig_eq(r, "RSD PTR ", 8))
        return ACPI_ERR_RSDP_SIGNATURE;
    if (acpi_checksum(r, RSDP_V1_LEN) != 0)
        return ACPI_ERR_RSDP_CHECKSUM;

    out->rsdp_phys = phys;
    out->rsdp_revision = r[15];
    for (int i = 0; i < 6; i++)
        out->oem_id[i] = (char)r[9 + i];
    out->oem_id[6] = '\0';
    uint64_t rsdt = rd32(r + 16);

    if (out->rsdp_revision >= 2) {
        const uint8_t *x = map(phys, RSDP_V2_LEN, ctx);
        if (!x)
            return ACPI_ERR_RSDP_LENGTH;
        uint32_t len = rd32(x + 20);
        if (len < RSDP_V2_LEN || len > ACPI_MAX_RSDP_LEN)
            return ACPI_ERR_RSDP_LENGTH;
        x = map(phys, len, ctx);
        if (!x)
            return ACPI_ERR_RSDP_LENGTH;
        if (acpi_checksum(x, len) != 0)
            return ACPI_ERR_RSDP_EXT_CHECKSUM;
        uint64_t xsdt = rd64(x + 24);
        if (xsdt != 0) {
            out->use_xsdt = true;
            out->root_phys = xsdt;
            return ACPI_OK;
        }
    }
    out->use_xsdt = false;
    out->root_phys = rsdt;
    return ACPI_OK;
}

/*
 * Map and verify a whole table whose signature must be `sig`: header
 * readable, signature, min_len <= length <= ACPI_MAX_TABLE_LEN, body
 * readable, checksum. Returns the table or NULL with *err set to the
 * matching caller-chosen code.
 */
static const uint8_t *map_table(uint64_t phys, const char *sig, uint32_t min_len, int err_unreadable,
                                int err_sig, int err_len, int err_sum, acpi_map_fn map, void *ctx,
                                uint32_t *len_out, int *err)
{
    const uint8_t *h = phys ? map(phys, SDT_HEADER_LEN, ctx) : NULL;
    if (!h) {
        *err = err_unreadable;
        return NULL;
    }
    if (!sig_eq(h, sig, 4)) {
        *err = err_sig;
        return NULL;
    }
    uint32_t len = rd32(h + 4);
    if (len < min_len || len > ACPI_MAX_TABLE_LEN) {
        *err = err_len;
        return NULL;
    }
    const uint8_t *t = map(phys, len, ctx);
    if (!t) {
        *err = err_len;
        return NULL;
    }
    if (acpi_checksum(t, len) != 0) {
        *err = err_sum;
        return NULL;
    }
    *len_out = len;
    return t;
}

/* Walk the XSDT/RSDT entries, recording the first MADT and FADT. */
static int scan_root(acpi_map_fn map, void *ctx, struct acpi_info *out)
{
    const uint8_t *root;
    uint32_t len = 0;
    int err = ACPI_OK;
    if (out->use_xsdt)
        root = map_table(out->root_phys, "XSDT", SDT_HEADER_LEN, ACPI_ERR_XSDT_UNREADABLE,
                         ACPI_ERR_XSDT_SIGNATURE, ACPI_ERR_XSDT_LENGTH, ACPI_ERR_XSDT_CHECKSUM,
                         map, ctx, &len, &err);
    else
        root = map_table(out->root_phys, "RSDT", SDT_HEADER_LEN, ACPI_ERR_RSDT_UNREADABLE,
                         ACPI_ERR_RSDT_SIGNATURE, ACPI_ERR_RSDT_LENGTH, ACPI_ERR_RSDT_CHECKSUM,
                         map, ctx, &len, &err);
    if (!root)
        return err;

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
    return out->madt_phys ? ACPI_OK : ACPI_ERR_NO_MADT;
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

static int parse_madt(acpi_map_fn map, void *ctx, struct acpi_info *out)
{
    uint32_t len = 0;
    int err = ACPI_OK;
    const uint8_t *t = map_table(out->madt_phys, "APIC", MADT_HEADER_LEN, ACPI_ERR_MADT_LENGTH,
                                 ACPI_ERR_NO_MADT, ACPI_ERR_MADT_LENGTH, ACPI_ERR_MADT_CHECKSUM,
                                 map, ctx, &len, &err);
    if (!t)
        return err;

    out->lapic_addr = rd32(t + 36);
    out->madt_flags = rd32(t + 40);

    /* Each iteration advances by at least 2 bytes, so this terminates. */
    for (uint32_t off = MADT_HEADER_LEN; off < len;) {
        if (len - off < 2)
            return ACPI_ERR_MADT_MALFORMED;
        const uint8_t *e = t + off;
        uint8_t type = e[0], elen = e[1];
        if (elen < 2 || elen > len - off)
            return ACPI_ERR_MADT_MALFORMED;

        switch (type) {
        case MADT_LAPIC:
            if (elen < 8)
                return ACPI_ERR_MADT_MALFORMED;
            add_cpu(out, e[3], e[2], rd32(e + 4), false);
            break;
        case MADT_X2APIC:
            if (elen < 16)
                return ACPI_ERR_MADT_MALFORMED;
            add_cpu(out, rd32(e + 4), rd32(e + 12), rd32(e + 8), true);
            break;
        case MADT_IOAPIC:
            if (elen < 12)
                return ACPI_ERR_MADT_MALFORMED;
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
                return ACPI_ERR_MADT_MALFORMED;
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
                return ACPI_ERR_MADT_MALFORMED;
            out->lapic_addr = rd64(e + 4);
            out->lapic_override = true;
            break;
        default:                        /* NMI entries and newer types: not needed */
            break;
        }
        off += elen;
    }
    return ACPI_OK;
}

int acpi_parse(uint64_t rsdp_phys, acpi_map_fn map, void *ctx, struct acpi_info *out)
{
    if (!map || !out)
        return ACPI_ERR_ARG;
    zero(out, sizeof(*out));
    int err = parse_rsdp(rsdp_phys, map, ctx, out);
    if (err == ACPI_OK)
        err = scan_root(map, ctx, out);
    if (err == ACPI_OK)
        err = parse_madt(map, ctx, out);
    return err;
}

const char *acpi_strerror(int err)
{
    switch (err) {
    case ACPI_OK:                    return "ok";
    case ACPI_ERR_ARG:               return "invalid argument";
    case ACPI_ERR_NO_RSDP:           return "no RSDP: address 0 or unreadable";
    case ACPI_ERR_RSDP_SIGNATURE:    return "RSDP bad signature";
    case ACPI_ERR_RSDP_CHECKSUM:     return "RSDP checksum mismatch";
    case ACPI_ERR_RSDP_LENGTH:       return "RSDP bad length";
    case ACPI_ERR_RSDP_EXT_CHECKSUM: return "RSDP extended checksum mismatch";
    case ACPI_ERR_XSDT_UNREADABLE:   return "XSDT unreadable";
    case ACPI_ERR_XSDT_SIGNATURE:    return "XSDT bad signature";
    case ACPI_ERR_XSDT_LENGTH:       return "XSDT bad length";
    case ACPI_ERR_XSDT_CHECKSUM:     return "XSDT checksum mismatch";
    case ACPI_ERR_RSDT_UNREADABLE:   return "RSDT unreadable";
    case ACPI_ERR_RSDT_SIGNATURE:    return "RSDT bad signature";
    case ACPI_ERR_RSDT_LENGTH:       return "RSDT bad length";
    case ACPI_ERR_RSDT_CHECKSUM:     return "RSDT checksum mismatch";
    case ACPI_ERR_NO_MADT:           return "no MADT (APIC table)";
    case ACPI_ERR_MADT_LENGTH:       return "MADT bad length or unreadable";
    case ACPI_ERR_MADT_CHECKSUM:     return "MADT checksum mismatch";
    case ACPI_ERR_MADT_MALFORMED:    return "MADT malformed entry";
    default:                         return "unknown ACPI error";
    }
}
