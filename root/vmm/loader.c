/* Guest image loader: Multiboot v1/v2 (ELF or address fields) and flat binaries. Pure. */
#include "guest_loader.h"

/* ---- little-endian access to unaligned bytes ------------------------------------ */

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void copy_bytes(uint8_t *dst, const uint8_t *src, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        dst[i] = src[i];
}

static void zero_bytes(uint8_t *dst, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        dst[i] = 0;
}

static uint64_t str_len(const char *s)
{
    uint64_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* [off, off+n) lies inside [0, size), without overflow. */
static bool fits(uint64_t off, uint64_t n, uint64_t size)
{
    return off <= size && n <= size - off;
}

static bool args_ok(const void *image, uint64_t len, const struct gl_ram *ram)
{
    return ram && ram->mem && ram->size && (image || !len);
}

/* ---- header search ----------------------------------------------------------------- */

/*
 * First header with `magic` at an `align`-aligned offset whose magic lies in
 * the first `window` bytes and whose `fixed`-byte start (magic first) fits
 * the file and sums to 0 over `sum_words` 32-bit words.
 * GL_OK and *off, or GL_ERR_NO_HEADER / CHECKSUM / HEADER_TRUNCATED.
 */
static int find_header(const uint8_t *img, uint64_t len, uint32_t magic, uint64_t align,
                       uint64_t window, uint64_t fixed, unsigned sum_words, uint64_t *off)
{
    int err = GL_ERR_NO_HEADER;
    uint64_t end = len < window ? len : window;
    for (uint64_t o = 0; o + 4 <= end; o += align) {
        if (get32(img + o) != magic)
            continue;
        if (!fits(o, fixed, len)) {
            err = GL_ERR_HEADER_TRUNCATED;
            break;                      /* no later candidate can fit either */
        }
        uint32_t sum = 0;
        for (unsigned i = 0; i < sum_words; i++)
            sum += get32(img + o + 4 * i);
        if (sum == 0) {
            *off = o;
            return GL_OK;
        }
        err = GL_ERR_CHECKSUM;
    }
    return err;
}

enum gl_format gl_detect(const void *image, uint64_t len)
{
    const uint8_t *img = image;
    if (!img)
        return GL_FORMAT_FLAT;
    for (uint64_t o = 0; o + 4 <= len && o + 4 <= GL_MB2_SEARCH; o += 8)
        if (get32(img + o) == GL_MB2_MAGIC)
            return GL_FORMAT_MB2;
    for (uint64_t o = 0; o + 4 <= len && o + 4 <= GL_MB1_SEARCH; o += 4)
        if (get32(img + o) == GL_MB1_MAGIC)
            return GL_FORMAT_MB1;
    return GL_FORMAT_FLAT;
}

/* ---- loading by address fields (v1 a.out kludge, v2 address tag) -------------------- */

struct addr_fields {
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
};

static int load_by_address(const uint8_t *img, uint64_t len, const struct gl_ram *ram,
                           uint64_t hdr_off, const struct addr_fields *a, bool v2,
                           uint64_t entry, struct gl_image *out)
{
    uint64_t file_off, load;
    if (v2 && a->load_addr == 0xffffffffu) {        /* v2: load from the file's start */
        if (a->header_addr < hdr_off)
            return GL_ERR_ADDR_FIELDS;
        file_off = 0;
        load = a->header_addr - hdr_off;
    } else {
        if (a->load_addr > a->header_addr || a->header_addr - a->load_addr > hdr_off)
            return GL_ERR_ADDR_FIELDS;
        file_off = hdr_off - (a->header_addr - a->load_addr);
        load = a->load_addr;
    }
    uint64_t size;
    if (a->load_end_addr == 0) {
        size = len - file_off;                      /* the rest of the file */
    } else {
        if (a->load_end_addr < load)
            return GL_ERR_ADDR_FIELDS;
        size = a->load_end_addr - load;
        if (!fits(file_off, size, len))
            return GL_ERR_FILE_TRUNCATED;
    }
    uint64_t end = load + size;
    if (a->bss_end_addr != 0) {
        if (a->bss_end_addr < end)
            return GL_ERR_ADDR_FIELDS;
        end = a->bss_end_addr;
    }
    if (!fits(load, end - load, ram->size))
        return GL_ERR_SEG_RAM;
    if (entry < load || entry >= load + size)
        return GL_ERR_ENTRY;

    copy_bytes(ram->mem + load, img + file_off, size);
    zero_bytes(ram->mem + load + size, end - load - size);
    out->elf = false;
    out->entry = (uint32_t)entry;
    out->lo = load;
    out->hi = end;
    return GL_OK;
}

/* ---- ELF ------------------------------------------------------------------------------ */

#define ELF_CLASS32   1
#define ELF_CLASS64   2
#define ELF_DATA_LSB  1
#define ELF_VERSION   1
#define ELF_ET_EXEC   2
#define ELF_EM_386    3
#define ELF_EM_X86_64 62
#define ELF_PT_LOAD   1

struct seg {
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* Program header i of a checked ELF file. */
static void read_phdr(const uint8_t *img, bool is64, uint64_t phoff, uint64_t phentsize,
                      uint64_t i, uint32_t *type, struct seg *s)
{
    const uint8_t *p = img + phoff + i * phentsize;
    *type = get32(p);
    if (is64) {
        s->offset = get64(p + 8);
        s->vaddr = get64(p + 16);
        s->paddr = get64(p + 24);
        s->filesz = get64(p + 32);
        s->memsz = get64(p + 40);
    } else {
        s->offset = get32(p + 4);
        s->vaddr = get32(p + 8);
        s->paddr = get32(p + 12);
        s->filesz = get32(p + 16);
        s->memsz = get32(p + 20);
    }
}

/* entry_override: use this entry instead of e_entry (v2 entry tag); -1 for none. */
static int load_elf(const uint8_t *img, uint64_t len, const struct gl_ram *ram,
                    int64_t entry_override, struct gl_image *out)
{
    if (len < 16 || img[0] != 0x7f || img[1] != 'E' || img[2] != 'L' || img[3] != 'F')
        return GL_ERR_NOT_ELF;
    bool is64 = img[4] == ELF_CLASS64;
    if ((img[4] != ELF_CLASS32 && !is64) || img[5] != ELF_DATA_LSB || img[6] != ELF_VERSION)
        return GL_ERR_ELF_HEADER;
    uint64_t ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32;
    if (len < ehsize)
        return GL_ERR_ELF_TRUNCATED;
    uint32_t type = get16(img + 16), machine = get16(img + 18), version = get32(img + 20);
    uint64_t entry = is64 ? get64(img + 24) : get32(img + 24);
    uint64_t phoff = is64 ? get64(img + 32) : get32(img + 28);
    uint64_t phentsize = get16(img + (is64 ? 54 : 42));
    uint64_t phnum = get16(img + (is64 ? 56 : 44));
    if (type != ELF_ET_EXEC || machine != (is64 ? ELF_EM_X86_64 : ELF_EM_386) ||
        version != ELF_VERSION || phentsize < phsize)
        return GL_ERR_ELF_HEADER;
    if (phnum == 0)
        return GL_ERR_NO_SEGMENTS;
    if (!fits(phoff, phnum * phentsize, len))
        return GL_ERR_ELF_TRUNCATED;

    /* Check every segment before writing anything. */
    unsigned nload = 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (uint64_t i = 0; i < phnum; i++) {
        uint32_t pt;
        struct seg s;
        read_phdr(img, is64, phoff, phentsize, i, &pt, &s);
        if (pt != ELF_PT_LOAD || s.memsz == 0)
            continue;
        if (s.filesz > s.memsz)
            return GL_ERR_SEG_SIZE;
        if (!fits(s.offset, s.filesz, len))
            return GL_ERR_FILE_TRUNCATED;
        if (!fits(s.paddr, s.memsz, ram->size))
            return GL_ERR_SEG_RAM;
        for (uint64_t j = 0; j < i; j++) {
            uint32_t pt2;
            struct seg o;
            read_phdr(img, is64, phoff, phentsize, j, &pt2, &o);
            if (pt2 == ELF_PT_LOAD && o.memsz && s.paddr < o.paddr + o.memsz &&
                o.paddr < s.paddr + s.memsz)
                return GL_ERR_SEG_OVERLAP;
        }
        nload++;
        if (s.paddr < lo)
            lo = s.paddr;
        if (s.paddr + s.memsz > hi)
            hi = s.paddr + s.memsz;
    }
    if (nload == 0)
        return GL_ERR_NO_SEGMENTS;

    /* The entry: virtual to physical where a segment says so, then inside a segment. */
    bool entry_ok = false;
    if (entry_override >= 0) {
        entry = (uint64_t)entry_override;
    } else {
        for (uint64_t i = 0; i < phnum; i++) {
            uint32_t pt;
            struct seg s;
            read_phdr(img, is64, phoff, phentsize, i, &pt, &s);
            if (pt == ELF_PT_LOAD && s.memsz && entry >= s.vaddr && entry - s.vaddr < s.memsz) {
                entry = s.paddr + (entry - s.vaddr);
                break;
            }
        }
    }
    for (uint64_t i = 0; i < phnum; i++) {
        uint32_t pt;
        struct seg s;
        read_phdr(img, is64, phoff, phentsize, i, &pt, &s);
        if (pt == ELF_PT_LOAD && s.memsz && entry >= s.paddr && entry - s.paddr < s.memsz)
            entry_ok = true;
    }
    if (!entry_ok || entry > UINT32_MAX)
        return GL_ERR_ENTRY;

    for (uint64_t i = 0; i < phnum; i++) {
        uint32_t pt;
        struct seg s;
        read_phdr(img, is64, phoff, phentsize, i, &pt, &s);
        if (pt != ELF_PT_LOAD || s.memsz == 0)
            continue;
        copy_bytes(ram->mem + s.paddr, img + s.offset, s.filesz);
        zero_bytes(ram->mem + s.paddr + s.filesz, s.memsz - s.filesz);
    }
    out->elf = true;
    out->entry = (uint32_t)entry;
    out->lo = lo;
    out->hi = hi;
    return GL_OK;
}

/* ---- Multiboot v1 ------------------------------------------------------------------------ */

static int load_mb1(const uint8_t *img, uint64_t len, const struct gl_ram *ram, uint64_t off,
                    struct gl_image *out)
{
    uint32_t flags = get32(img + off + 4);
    if (flags & 0xfffcu)                /* bits 2..15: video mode or unknown requirements */
        return GL_ERR_MB1_FLAGS;
    out->format = GL_FORMAT_MB1;
    out->header_offset = (uint32_t)off;
    out->mb1_flags = flags;
    if (!(flags & GL_MB1_AOUT_KLUDGE))
        return load_elf(img, len, ram, -1, out);
    if (!fits(off, 32, len))
        return GL_ERR_HEADER_TRUNCATED;
    struct addr_fields a = { get32(img + off + 12), get32(img + off + 16),
                             get32(img + off + 20), get32(img + off + 24) };
    return load_by_address(img, len, ram, off, &a, false, get32(img + off + 28), out);
}

/* ---- Multiboot v2 ------------------------------------------------------------------------ */

/* Information the MBI builder provides (and module tags, of which there are none). */
static bool mb2_info_supported(uint32_t type)
{
    return type == GL_MB2_TAG_END || type == GL_MB2_TAG_CMDLINE ||
           type == GL_MB2_TAG_LOADER_NAME || type == GL_MB2_TAG_MODULE ||
           type == GL_MB2_TAG_BASIC_MEMINFO || type == GL_MB2_TAG_MMAP;
}

static int load_mb2(const uint8_t *img, uint64_t len, const struct gl_ram *ram, uint64_t off,
                    struct gl_image *out)
{
    const uint8_t *h = img + off;
    if (get32(h + 4) != 0)
        return GL_ERR_MB2_ARCH;
    uint64_t hlen = get32(h + 8);
    if (!fits(off, hlen, len))
        return GL_ERR_HEADER_TRUNCATED;
    if (hlen < 16 + 8)
        return GL_ERR_MB2_TAG;          /* not even room for the end tag */

    bool have_addr = false, have_entry = false, ended = false;
    struct addr_fields a = { 0, 0, 0, 0 };
    uint32_t entry = 0;
    for (uint64_t t = 16; !ended;) {
        if (!fits(t, 8, hlen))
            return GL_ERR_MB2_TAG;      /* the list runs out before an end tag */
        uint32_t type = get16(h + t), tflags = get16(h + t + 2), size = get32(h + t + 4);
        bool optional = tflags & GL_MB2_HTAG_OPTIONAL;
        if (size < 8 || !fits(t, size, hlen))
            return GL_ERR_MB2_TAG;
        const uint8_t *body = h + t + 8;
        switch (type) {
        case GL_MB2_HTAG_END:
            ended = true;
            break;
        case GL_MB2_HTAG_INFO_REQUEST:
            if (!optional)
                for (uint32_t i = 0; i + 4 <= size - 8; i += 4)
                    if (!mb2_info_supported(get32(body + i)))
                        return GL_ERR_MB2_UNSUPPORTED;
            break;
        case GL_MB2_HTAG_ADDRESS:
            if (size < 24)
                return GL_ERR_MB2_TAG;
            a = (struct addr_fields){ get32(body), get32(body + 4), get32(body + 8),
                                      get32(body + 12) };
            have_addr = true;
            break;
        case GL_MB2_HTAG_ENTRY:
            if (size < 12)
                return GL_ERR_MB2_TAG;
            entry = get32(body);
            have_entry = true;
            break;
        case GL_MB2_HTAG_CONSOLE:
            if (size < 12)
                return GL_ERR_MB2_TAG;
            if ((get32(body) & 1u) && !optional)    /* a console must be described */
                return GL_ERR_MB2_UNSUPPORTED;
            break;
        case GL_MB2_HTAG_MODULE_ALIGN:
        case GL_MB2_HTAG_RELOCATABLE:  /* loading at the linked address is allowed */
            break;
        default:                        /* framebuffer, EFI, unknown */
            if (!optional)
                return GL_ERR_MB2_UNSUPPORTED;
            break;
        }
        t += ((uint64_t)size + 7) & ~(uint64_t)7;
    }

    out->format = GL_FORMAT_MB2;
    out->header_offset = (uint32_t)off;
    out->mb1_flags = 0;
    if (have_addr) {
        if (!have_entry)
            return GL_ERR_NO_ENTRY;
        return load_by_address(img, len, ram, off, &a, true, entry, out);
    }
    return load_elf(img, len, ram, have_entry ? (int64_t)entry : -1, out);
}

/* ---- entry points ------------------------------------------------------------------------ */

int gl_load_flat(const void *image, uint64_t len, const struct gl_ram *ram, uint64_t load_addr,
                 struct gl_image *out)
{
    if (!args_ok(image, len, ram) || !out)
        return GL_ERR_ARGS;
    if (len == 0)
        return GL_ERR_EMPTY;
    if (!fits(load_addr, len, ram->size))
        return GL_ERR_TOO_BIG;
    if (load_addr > UINT32_MAX)
        return GL_ERR_ENTRY;
    copy_bytes(ram->mem + load_addr, image, len);
    *out = (struct gl_image){ .format = GL_FORMAT_FLAT, .elf = false, .entry = (uint32_t)load_addr,
                              .lo = load_addr, .hi = load_addr + len };
    return GL_OK;
}

int gl_load_multiboot(const void *image, uint64_t len, const struct gl_ram *ram,
                      struct gl_image *out)
{
    if (!args_ok(image, len, ram) || !out)
        return GL_ERR_ARGS;
    if (len == 0)
        return GL_ERR_EMPTY;
    const uint8_t *img = image;
    uint64_t off;
    struct gl_image res = { .format = GL_FORMAT_FLAT };
    int rc2 = find_header(img, len, GL_MB2_MAGIC, 8, GL_MB2_SEARCH, 16, 4, &off);
    int rc;
    if (rc2 == GL_OK) {
        rc = load_mb2(img, len, ram, off, &res);
    } else {
        int rc1 = find_header(img, len, GL_MB1_MAGIC, 4, GL_MB1_SEARCH, 12, 3, &off);
        if (rc1 == GL_OK)
            rc = load_mb1(img, len, ram, off, &res);
        else if (rc2 == GL_ERR_HEADER_TRUNCATED || rc1 == GL_ERR_HEADER_TRUNCATED)
            rc = GL_ERR_HEADER_TRUNCATED;
        else if (rc2 == GL_ERR_CHECKSUM || rc1 == GL_ERR_CHECKSUM)
            rc = GL_ERR_CHECKSUM;
        else
            rc = GL_ERR_NO_HEADER;
    }
    if (rc == GL_OK)
        *out = res;
    return rc;
}

int gl_load(const void *image, uint64_t len, const struct gl_ram *ram, uint64_t flat_addr,
            struct gl_image *out)
{
    if (gl_detect(image, len) == GL_FORMAT_FLAT)
        return gl_load_flat(image, len, ram, flat_addr, out);
    return gl_load_multiboot(image, len, ram, out);
}

/* ---- Multiboot information ----------------------------------------------------------------- */

#define MB1_INFO_SIZE   116u            /* up to and including the framebuffer fields */
#define MB1_MMAP_ENTRY  24u             /* size field (20) + base, length, type */
#define MB1_F_MEM       (1u << 0)
#define MB1_F_CMDLINE   (1u << 2)
#define MB1_F_MODS      (1u << 3)
#define MB1_F_MMAP      (1u << 6)
#define MB1_F_LOADER    (1u << 9)
#define MB_MEM_AVAILABLE 1u

static uint64_t align8(uint64_t v)
{
    return (v + 7) & ~(uint64_t)7;
}

int gl_build_mbi(const struct gl_ram *ram, const struct gl_image *img, uint64_t mbi_addr,
                 const char *cmdline, const char *loader_name, struct gl_boot *boot)
{
    if (!ram || !ram->mem || !ram->size || !img || !boot ||
        (img->format != GL_FORMAT_MB1 && img->format != GL_FORMAT_MB2))
        return GL_ERR_ARGS;
    if (!cmdline)
        cmdline = "";
    if (!loader_name)
        loader_name = "";
    uint64_t cmd_n = str_len(cmdline) + 1, name_n = str_len(loader_name) + 1;
    uint64_t mem_lower = (ram->size < 640 * 1024 ? ram->size : 640 * 1024) / 1024;
    uint64_t mem_upper = ram->size > (1u << 20) ? (ram->size - (1u << 20)) / 1024 : 0;
    if (mem_upper > UINT32_MAX)
        mem_upper = UINT32_MAX;

    uint64_t size;
    if (img->format == GL_FORMAT_MB1)
        size = align8(MB1_INFO_SIZE) + MB1_MMAP_ENTRY + cmd_n + name_n;
    else
        size = 8 + align8(8 + cmd_n) + align8(8 + name_n) + 16 + (16 + 24) + 8;
    if ((mbi_addr & 7) || !fits(mbi_addr, size, ram->size) || mbi_addr + size > UINT32_MAX)
        return GL_ERR_MBI_RANGE;
    if (mbi_addr < img->hi && img->lo < mbi_addr + size)
        return GL_ERR_MBI_OVERLAP;

    uint8_t *m = ram->mem + mbi_addr;
    zero_bytes(m, size);
    if (img->format == GL_FORMAT_MB1) {
        uint64_t mmap = align8(MB1_INFO_SIZE), cmd = mmap + MB1_MMAP_ENTRY, name = cmd + cmd_n;
        put32(m + 0, MB1_F_MEM | MB1_F_CMDLINE | MB1_F_MODS | MB1_F_MMAP | MB1_F_LOADER);
        put32(m + 4, (uint32_t)mem_lower);
        put32(m + 8, (uint32_t)mem_upper);
        put32(m + 16, (uint32_t)(mbi_addr + cmd));
        put32(m + 20, 0);                           /* mods_count */
        put32(m + 24, 0);                           /* mods_addr */
        put32(m + 44, MB1_MMAP_ENTRY);              /* mmap_length */
        put32(m + 48, (uint32_t)(mbi_addr + mmap));
        put32(m + 64, (uint32_t)(mbi_addr + name));
        put32(m + mmap, MB1_MMAP_ENTRY - 4);        /* entry size, not counting itself */
        put64(m + mmap + 4, 0);
        put64(m + mmap + 12, ram->size);
        put32(m + mmap + 20, MB_MEM_AVAILABLE);
        copy_bytes(m + cmd, (const uint8_t *)cmdline, cmd_n);
        copy_bytes(m + name, (const uint8_t *)loader_name, name_n);
        boot->eax = GL_MB1_BOOT_MAGIC;
    } else {
        uint64_t t = 8;
        put32(m + t, GL_MB2_TAG_CMDLINE);
        put32(m + t + 4, (uint32_t)(8 + cmd_n));
        copy_bytes(m + t + 8, (const uint8_t *)cmdline, cmd_n);
        t += align8(8 + cmd_n);
        put32(m + t, GL_MB2_TAG_LOADER_NAME);
        put32(m + t + 4, (uint32_t)(8 + name_n));
        copy_bytes(m + t + 8, (const uint8_t *)loader_name, name_n);
        t += align8(8 + name_n);
        put32(m + t, GL_MB2_TAG_BASIC_MEMINFO);
        put32(m + t + 4, 16);
        put32(m + t + 8, (uint32_t)mem_lower);
        put32(m + t + 12, (uint32_t)mem_upper);
        t += 16;
        put32(m + t, GL_MB2_TAG_MMAP);
        put32(m + t + 4, 16 + 24);
        put32(m + t + 8, 24);                       /* entry_size */
        put32(m + t + 12, 0);                       /* entry_version */
        put64(m + t + 16, 0);
        put64(m + t + 24, ram->size);
        put32(m + t + 32, MB_MEM_AVAILABLE);
        t += 16 + 24;
        put32(m + t, GL_MB2_TAG_END);
        put32(m + t + 4, 8);
        t += 8;
        put32(m + 0, (uint32_t)t);                  /* total_size */
        boot->eax = GL_MB2_BOOT_MAGIC;
    }
    boot->ebx = (uint32_t)mbi_addr;
    boot->mbi_size = (uint32_t)size;
    return GL_OK;
}

const char *gl_error_name(int err)
{
    switch (err) {
    case GL_OK: return "ok";
    case GL_ERR_ARGS: return "bad arguments";
    case GL_ERR_EMPTY: return "empty image";
    case GL_ERR_TOO_BIG: return "image does not fit in guest RAM at its load address";
    case GL_ERR_NO_HEADER: return "no Multiboot header";
    case GL_ERR_CHECKSUM: return "Multiboot header checksum wrong";
    case GL_ERR_HEADER_TRUNCATED: return "Multiboot header runs past the end of the file";
    case GL_ERR_MB1_FLAGS: return "Multiboot header requires an unsupported feature (flags 2-15)";
    case GL_ERR_MB2_ARCH: return "Multiboot2 header architecture is not i386";
    case GL_ERR_MB2_TAG: return "Multiboot2 header tags malformed";
    case GL_ERR_MB2_UNSUPPORTED: return "Multiboot2 header requires an unsupported tag or information";
    case GL_ERR_ADDR_FIELDS: return "Multiboot address fields inconsistent";
    case GL_ERR_NO_ENTRY: return "Multiboot2 address tag without an entry address tag";
    case GL_ERR_NOT_ELF: return "no Multiboot address fields and not an ELF file";
    case GL_ERR_ELF_HEADER: return "bad ELF header (class, byte order, version, type, machine)";
    case GL_ERR_ELF_TRUNCATED: return "ELF headers run past the end of the file";
    case GL_ERR_NO_SEGMENTS: return "no loadable segment";
    case GL_ERR_SEG_SIZE: return "segment file size larger than its memory size";
    case GL_ERR_FILE_TRUNCATED: return "data to load runs past the end of the file";
    case GL_ERR_SEG_RAM: return "data to load lies outside guest RAM";
    case GL_ERR_SEG_OVERLAP: return "loadable segments overlap";
    case GL_ERR_ENTRY: return "entry point outside the loaded image";
    case GL_ERR_MBI_RANGE: return "Multiboot information does not fit in guest RAM there";
    case GL_ERR_MBI_OVERLAP: return "Multiboot information would overlap the image";
    default: return "unknown loader error";
    }
}
