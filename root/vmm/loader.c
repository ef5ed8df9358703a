/*
 * Guest image loader: Multiboot v1/v2 (ELF or address fields) and flat
 * binaries into a PC-like guest RAM (pc_layout.c), and the Multiboot
 * information with modules. Pure.
 */
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
    return ram && ram->mem && ram->layout.nranges && (image || !len);
}

/* End of the highest RAM range. */
static uint64_t ram_top(const struct gl_layout *l)
{
    return l->high_size ? GL_4GIB + l->high_size : l->low_top;
}

/*
 * GL_OK when guest-physical [gpa, gpa+len) (len > 0) lies in one available
 * RAM range; `beyond` when it runs past the end of RAM; else it touches a
 * hole or reserved range: GL_ERR_SEG_RESERVED.
 */
static int check_ram(const struct gl_layout *l, uint64_t gpa, uint64_t len, int beyond)
{
    if (gl_range_type(l, gpa, len) == GL_MEM_AVAILABLE)
        return GL_OK;
    uint64_t top = ram_top(l);
    if (gpa >= top || len > top - gpa)
        return beyond;
    return GL_ERR_SEG_RESERVED;
}

/* Host bytes of checked guest-physical [gpa, gpa+len): copy n from src, zero the rest. */
static void write_guest(const struct gl_ram *ram, uint64_t gpa, uint64_t len, const uint8_t *src,
                        uint64_t n)
{
    uint8_t *dst = gl_host(ram, gpa, len);
    if (!dst)
        return;                         /* not after check_ram; never outside the buffer */
    copy_bytes(dst, src, n);
    zero_bytes(dst + n, len - n);
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
    if (end > load) {
        int rc = check_ram(&ram->layout, load, end - load, GL_ERR_SEG_RAM);
        if (rc != GL_OK)
            return rc;
    }
    if (entry < load || entry >= load + size)
        return GL_ERR_ENTRY;

    write_guest(ram, load, end - load, img + file_off, size);
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
    /* ELF32 may be EM_X86_64 too (elf32-x86-64: 64-bit code linked below 4 GiB). */
    bool machine_ok = machine == ELF_EM_X86_64 || (!is64 && machine == ELF_EM_386);
    if (type != ELF_ET_EXEC || !machine_ok || version != ELF_VERSION || phentsize < phsize)
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
        int rc = check_ram(&ram->layout, s.paddr, s.memsz, GL_ERR_SEG_RAM);
        if (rc != GL_OK)
            return rc;
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
        write_guest(ram, s.paddr, s.memsz, img + s.offset, s.filesz);
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

/*
 * Information the MBI builder knows. v2 3.1.4: a supported tag whose
 * information is not available (no modules, no RSDP) is simply absent.
 */
static bool mb2_info_supported(uint32_t type)
{
    return type == GL_MB2_TAG_END || type == GL_MB2_TAG_CMDLINE ||
           type == GL_MB2_TAG_LOADER_NAME || type == GL_MB2_TAG_MODULE ||
           type == GL_MB2_TAG_BASIC_MEMINFO || type == GL_MB2_TAG_MMAP ||
           type == GL_MB2_TAG_ACPI_OLD || type == GL_MB2_TAG_ACPI_NEW;
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
    int rc = check_ram(&ram->layout, load_addr, len, GL_ERR_TOO_BIG);
    if (rc != GL_OK)
        return rc;
    if (load_addr > UINT32_MAX)
        return GL_ERR_ENTRY;
    write_guest(ram, load_addr, len, image, len);
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

/* An ELF file, or a Linux bzImage (boot sector signature 0xAA55 at 0x1FE, "HdrS" at 0x202). */
static bool other_kernel_format(const uint8_t *img, uint64_t len)
{
    if (len >= 4 && img[0] == 0x7f && img[1] == 'E' && img[2] == 'L' && img[3] == 'F')
        return true;
    return len >= 0x206 && get16(img + 0x1fe) == 0xaa55 && get32(img + 0x202) == 0x53726448;
}

int gl_load(const void *image, uint64_t len, const struct gl_ram *ram, uint64_t flat_addr,
            struct gl_image *out)
{
    if (gl_detect(image, len) != GL_FORMAT_FLAT)
        return gl_load_multiboot(image, len, ram, out);
    if (image && other_kernel_format(image, len))
        return args_ok(image, len, ram) && out ? GL_ERR_UNKNOWN_FORMAT : GL_ERR_ARGS;
    return gl_load_flat(image, len, ram, flat_addr, out);
}

/* ---- Multiboot information ----------------------------------------------------------------- */

#define MB1_INFO_SIZE   116u            /* v1 3.3: up to and including the framebuffer fields */
#define MB1_MOD_ENTRY   16u             /* mod_start, mod_end, string, reserved */
#define MB1_MMAP_ENTRY  24u             /* size field (20) + base_addr, length, type */
#define MB2_MMAP_ENTRY  24u             /* base_addr, length, type, reserved */

static uint64_t align8(uint64_t v)
{
    return (v + 7) & ~(uint64_t)7;
}

/* v rounded up to a page; saturates (then nothing fits). */
static uint64_t page_up(uint64_t v)
{
    return v > UINT64_MAX - (GL_PAGE - 1) ? UINT64_MAX & ~(GL_PAGE - 1)
                                          : (v + GL_PAGE - 1) & ~(GL_PAGE - 1);
}

/*
 * The lowest page-aligned gpa >= from where [gpa, gpa+n) lies in one
 * available range below 4 GiB and misses [lo, hi). False when none.
 */
static bool place(const struct gl_layout *l, uint64_t from, uint64_t n, uint64_t lo, uint64_t hi,
                  uint64_t *at)
{
    for (unsigned i = 0; i < l->nranges; i++) {
        const struct gl_range *r = &l->ranges[i];
        if (r->type != GL_MEM_AVAILABLE || r->gpa >= GL_4GIB)
            continue;
        uint64_t end = r->gpa + r->len;
        uint64_t a = page_up(from > r->gpa ? from : r->gpa);
        if (a > end || n > end - a)
            continue;
        if (n && a < hi && lo < a + n) {
            a = page_up(hi);            /* above the image, still in this range? */
            if (a > end || n > end - a)
                continue;
        }
        *at = a;
        return true;
    }
    return false;
}

/*
 * Where each module goes: from `cursor` up, one after the other, page-aligned.
 * With mod_at NULL only checks; else mod_at(ctx, i, gpa) for each.
 */
static int place_modules(const struct gl_layout *l, const struct gl_mbi_args *a, uint64_t cursor,
                         uint64_t *lo, uint64_t *hi,
                         void (*mod_at)(void *ctx, unsigned i, uint64_t gpa), void *ctx)
{
    *lo = *hi = 0;
    for (unsigned i = 0; i < a->nmodules; i++) {
        uint64_t len = a->modules[i].len, at;
        if (!place(l, cursor, len, 0, 0, &at))
            return GL_ERR_MODULES_NO_ROOM;
        if (i == 0)
            *lo = at;
        *hi = at + len;
        cursor = page_up(at + len);
        if (mod_at)
            mod_at(ctx, i, at);
    }
    return GL_OK;
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* Bytes of MBI (strings included) for this format and these arguments. */
static uint64_t mbi_size(const struct gl_layout *l, enum gl_format f, const struct gl_mbi_args *a)
{
    uint64_t cmd_n = str_len(or_empty(a->cmdline)) + 1;
    uint64_t name_n = str_len(or_empty(a->loader_name)) + 1;
    uint64_t size;
    if (f == GL_FORMAT_MB1) {
        size = align8(MB1_INFO_SIZE) + (uint64_t)MB1_MOD_ENTRY * a->nmodules +
               (uint64_t)MB1_MMAP_ENTRY * l->nranges + cmd_n + name_n;
        for (unsigned i = 0; i < a->nmodules; i++)
            size += str_len(or_empty(a->modules[i].string)) + 1;
    } else {
        size = 8 + align8(8 + cmd_n) + align8(8 + name_n) + 16 +
               (16 + (uint64_t)MB2_MMAP_ENTRY * l->nranges) + 8;
        for (unsigned i = 0; i < a->nmodules; i++)
            size += align8(16 + str_len(or_empty(a->modules[i].string)) + 1);
        if (a->rsdp)
            size += align8(8 + GL_RSDP_V1_LEN);
        if (a->rsdp && a->rsdp_len == GL_RSDP_V2_LEN)
            size += align8(8 + GL_RSDP_V2_LEN);
    }
    return size;
}

/* Writing the MBI: the block at host m, guest-physical base. */
struct mbi_writer {
    const struct gl_ram *ram;
    const struct gl_mbi_args *args;
    uint8_t *m;
    uint64_t base;
    uint64_t mods;                      /* v1: offset of the module entries */
    uint64_t str;                       /* offset where the next string goes (v1) */
    uint64_t tag;                       /* offset of the next tag (v2) */
};

/* A string at w->str; its guest-physical address. */
static uint32_t put_string(struct mbi_writer *w, const char *s)
{
    uint64_t n = str_len(s) + 1, off = w->str;
    copy_bytes(w->m + off, (const uint8_t *)s, n);
    w->str += n;
    return (uint32_t)(w->base + off);
}

static void copy_module(const struct gl_ram *ram, const struct gl_module *mod, uint64_t gpa)
{
    if (mod->len)
        write_guest(ram, gpa, mod->len, mod->data, mod->len);
}

static void mb1_module_at(void *ctx, unsigned i, uint64_t gpa)
{
    struct mbi_writer *w = ctx;
    const struct gl_module *mod = &w->args->modules[i];
    uint8_t *e = w->m + w->mods + (uint64_t)MB1_MOD_ENTRY * i;
    put32(e + 0, (uint32_t)gpa);                            /* mod_start */
    put32(e + 4, (uint32_t)(gpa + mod->len));               /* mod_end, exclusive */
    put32(e + 8, put_string(w, or_empty(mod->string)));
    put32(e + 12, 0);
    copy_module(w->ram, mod, gpa);
}

/* v2 3.6.2: a tag's type and size; the next tag starts 8-aligned. Returns its body. */
static uint8_t *mb2_tag(struct mbi_writer *w, uint32_t type, uint64_t size)
{
    uint8_t *t = w->m + w->tag;
    put32(t, type);
    put32(t + 4, (uint32_t)size);
    w->tag += align8(size);
    return t + 8;
}

static void mb2_string_tag(struct mbi_writer *w, uint32_t type, const char *s)
{
    uint64_t n = str_len(s) + 1;
    copy_bytes(mb2_tag(w, type, 8 + n), (const uint8_t *)s, n);
}

static void mb2_module_at(void *ctx, unsigned i, uint64_t gpa)
{
    struct mbi_writer *w = ctx;
    const struct gl_module *mod = &w->args->modules[i];
    const char *s = or_empty(mod->string);
    uint64_t n = str_len(s) + 1;
    uint8_t *b = mb2_tag(w, GL_MB2_TAG_MODULE, 16 + n);     /* v2 3.6.6 */
    put32(b + 0, (uint32_t)gpa);
    put32(b + 4, (uint32_t)(gpa + mod->len));
    copy_bytes(b + 8, (const uint8_t *)s, n);
    copy_module(w->ram, mod, gpa);
}

static bool mbi_args_ok(const struct gl_mbi_args *a)
{
    if (a->nmodules && !a->modules)
        return false;
    for (unsigned i = 0; i < a->nmodules; i++)
        if (a->modules[i].len && !a->modules[i].data)
            return false;
    return !a->rsdp || a->rsdp_len == GL_RSDP_V1_LEN || a->rsdp_len == GL_RSDP_V2_LEN;
}

int gl_build_mbi(const struct gl_ram *ram, const struct gl_image *img,
                 const struct gl_mbi_args *args, struct gl_boot *boot)
{
    static const struct gl_mbi_args defaults;
    const struct gl_mbi_args *a = args ? args : &defaults;
    if (!ram || !ram->mem || !ram->layout.nranges || !img || !boot ||
        (img->format != GL_FORMAT_MB1 && img->format != GL_FORMAT_MB2) || !mbi_args_ok(a))
        return GL_ERR_ARGS;
    const struct gl_layout *l = &ram->layout;

    /* Check everything first: the MBI's place, then the modules'. */
    uint64_t size = mbi_size(l, img->format, a), base;
    if (a->mbi_addr) {
        base = a->mbi_addr;
        if ((base & 7) || gl_range_type(l, base, size) != GL_MEM_AVAILABLE ||
            base + size > GL_4GIB)
            return GL_ERR_MBI_RANGE;
        if (base < img->hi && img->lo < base + size)
            return GL_ERR_MBI_OVERLAP;
    } else if (!place(l, GL_MBI_AUTO_MIN, size, img->lo, img->hi, &base)) {
        return GL_ERR_MBI_NO_ROOM;
    }
    uint64_t first = page_up(img->hi > base + size ? img->hi : base + size);
    uint64_t mods_lo, mods_hi;
    int rc = place_modules(l, a, first, &mods_lo, &mods_hi, 0, 0);
    if (rc != GL_OK)
        return rc;

    struct mbi_writer w = { .ram = ram, .args = a, .m = gl_host(ram, base, size), .base = base };
    if (!w.m)
        return GL_ERR_MBI_RANGE;        /* not after the checks above */
    zero_bytes(w.m, size);
    uint32_t mem_lower = gl_mem_lower_kib(l), mem_upper = gl_mem_upper_kib(l);
    if (img->format == GL_FORMAT_MB1) {
        /* v1 3.3: the fixed part, module entries, memory map, then the strings. */
        uint8_t *m = w.m;
        w.mods = align8(MB1_INFO_SIZE);
        uint64_t mmap = w.mods + (uint64_t)MB1_MOD_ENTRY * a->nmodules;
        w.str = mmap + (uint64_t)MB1_MMAP_ENTRY * l->nranges;
        put32(m + 0, GL_MBI1_MEM | GL_MBI1_CMDLINE | GL_MBI1_MODS | GL_MBI1_MMAP |
                         GL_MBI1_LOADER);
        put32(m + 4, mem_lower);
        put32(m + 8, mem_upper);
        put32(m + 16, put_string(&w, or_empty(a->cmdline)));
        put32(m + 20, a->nmodules);                         /* mods_count */
        put32(m + 24, (uint32_t)(base + w.mods));           /* mods_addr */
        put32(m + 44, MB1_MMAP_ENTRY * l->nranges);         /* mmap_length */
        put32(m + 48, (uint32_t)(base + mmap));             /* mmap_addr */
        put32(m + 64, put_string(&w, or_empty(a->loader_name)));
        for (unsigned i = 0; i < l->nranges; i++) {
            uint8_t *e = m + mmap + (uint64_t)MB1_MMAP_ENTRY * i;
            put32(e, MB1_MMAP_ENTRY - 4);                   /* size, not counting itself */
            put64(e + 4, l->ranges[i].gpa);
            put64(e + 12, l->ranges[i].len);
            put32(e + 20, l->ranges[i].type);
        }
        place_modules(l, a, first, &mods_lo, &mods_hi, mb1_module_at, &w);
        boot->eax = GL_MB1_BOOT_MAGIC;
    } else {
        /* v2 3.6: total_size, reserved, then the tags. */
        w.tag = 8;
        mb2_string_tag(&w, GL_MB2_TAG_CMDLINE, or_empty(a->cmdline));          /* 3.6.5 */
        mb2_string_tag(&w, GL_MB2_TAG_LOADER_NAME, or_empty(a->loader_name));  /* 3.6.9 */
        place_modules(l, a, first, &mods_lo, &mods_hi, mb2_module_at, &w);     /* 3.6.6 */
        uint8_t *b = mb2_tag(&w, GL_MB2_TAG_BASIC_MEMINFO, 16);                /* 3.6.3 */
        put32(b, mem_lower);
        put32(b + 4, mem_upper);
        b = mb2_tag(&w, GL_MB2_TAG_MMAP, 16 + (uint64_t)MB2_MMAP_ENTRY * l->nranges); /* 3.6.8 */
        put32(b, MB2_MMAP_ENTRY);                           /* entry_size */
        put32(b + 4, 0);                                    /* entry_version */
        for (unsigned i = 0; i < l->nranges; i++) {
            uint8_t *e = b + 8 + (uint64_t)MB2_MMAP_ENTRY * i;
            put64(e, l->ranges[i].gpa);
            put64(e + 8, l->ranges[i].len);
            put32(e + 16, l->ranges[i].type);
            put32(e + 20, 0);
        }
        if (a->rsdp)                                        /* 3.6.16: ACPI 1.0 RSDP */
            copy_bytes(mb2_tag(&w, GL_MB2_TAG_ACPI_OLD, 8 + GL_RSDP_V1_LEN), a->rsdp,
                       GL_RSDP_V1_LEN);
        if (a->rsdp && a->rsdp_len == GL_RSDP_V2_LEN)       /* 3.6.17: ACPI 2.0+ RSDP */
            copy_bytes(mb2_tag(&w, GL_MB2_TAG_ACPI_NEW, 8 + GL_RSDP_V2_LEN), a->rsdp,
                       GL_RSDP_V2_LEN);
        mb2_tag(&w, GL_MB2_TAG_END, 8);
        put32(w.m, (uint32_t)w.tag);                        /* total_size */
        boot->eax = GL_MB2_BOOT_MAGIC;
    }
    boot->ebx = (uint32_t)base;
    boot->entry = img->entry;
    boot->mbi_size = (uint32_t)size;
    boot->mods_lo = mods_lo;
    boot->mods_hi = mods_hi;
    return GL_OK;
}

int gl_error_status(int err)
{
    if (err == GL_OK)
        return 0;
    if (err < GL_OK && err >= GL_ERR_LAST)
        return GL_STATUS_BASE - err;
    return GL_STATUS_BASE;
}

const char *gl_error_name(int err)
{
    switch (err) {
    case GL_OK: return "ok";
    case GL_ERR_ARGS: return "bad arguments";
    case GL_ERR_EMPTY: return "empty image";
    case GL_ERR_TOO_BIG: return "flat image runs past the end of guest RAM";
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
    case GL_ERR_SEG_RAM: return "data to load runs past the end of guest RAM";
    case GL_ERR_SEG_OVERLAP: return "loadable segments overlap";
    case GL_ERR_ENTRY: return "entry point outside the loaded image";
    case GL_ERR_MBI_RANGE: return "Multiboot information address unaligned or not in guest RAM";
    case GL_ERR_MBI_OVERLAP: return "Multiboot information would overlap the image";
    case GL_ERR_RAM_SIZE:
        return "guest RAM size not a multiple of 4 KiB, below 2 MiB or above 1 TiB";
    case GL_ERR_SEG_RESERVED:
        return "data to load lies in a memory hole or reserved range "
               "(640 KiB-1 MiB, ACPI tables, 3-4 GiB)";
    case GL_ERR_MBI_NO_ROOM:
        return "no room in guest RAM below 4 GiB for the Multiboot information";
    case GL_ERR_MODULES_NO_ROOM: return "boot modules do not fit in guest RAM below 4 GiB";
    case GL_ERR_UNKNOWN_FORMAT:
        return "unknown kernel format (ELF or Linux bzImage without a Multiboot header)";
    default: return "unknown loader error";
    }
}
