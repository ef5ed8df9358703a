/*
 * Linux bzImage loader (linux_loader.h): the setup header checked, the
 * protected-mode kernel and the initrd placed and copied, the command line
 * and the zero page written; the entry state comes from linux_entry.c. Pure.
 */
#include "linux_loader.h"

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | get16(p + 2) << 16;
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

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

bool lx_detect(const void *image, uint64_t len)
{
    const uint8_t *p = image;
    return p && len >= LB_HDR_AT(header) + 4 && get16(p + LB_HDR_AT(boot_flag)) == LB_BOOT_FLAG &&
           get32(p + LB_HDR_AT(header)) == LB_HDRS;
}

/* ---- the header ------------------------------------------------------------------- */

struct kernel {
    struct lb_setup_header h;       /* the image's header; zero past its end */
    uint64_t hdr_end;               /* 0x202 + the jump's byte */
    uint64_t pm_off, pm_len;        /* the protected-mode kernel in the file */
};

static int parse(const uint8_t *img, uint64_t len, struct kernel *k)
{
    if (!lx_detect(img, len))
        return LX_ERR_NOT_BZIMAGE;
    if (len < LB_HDR_AT(version) + 2)
        return LX_ERR_TRUNCATED;
    if (get16(img + LB_HDR_AT(version)) < LB_PROTOCOL_MIN)
        return LX_ERR_PROTOCOL;
    k->hdr_end = LB_HDR_AT(header) + img[LB_JUMP_OFFSET + 1];
    if (k->hdr_end < LB_HEADER_END_2_10 || k->hdr_end > LB_HEADER_END_MAX)
        return LX_ERR_BAD_HEADER;
    if (len < k->hdr_end)
        return LX_ERR_TRUNCATED;
    uint8_t *h = (uint8_t *)&k->h;
    uint64_t known = min64(k->hdr_end, LB_HEADER_OFFSET + sizeof(k->h)) - LB_HEADER_OFFSET;
    zero_bytes(h, sizeof(k->h));
    copy_bytes(h, img + LB_HEADER_OFFSET, known);

    if (!(k->h.xloadflags & LB_XLF_KERNEL_64))
        return LX_ERR_NOT_64BIT;
    uint64_t sects = k->h.setup_sects ? k->h.setup_sects : LB_SETUP_SECTS_DEFAULT;
    k->pm_off = (sects + 1) * LB_SECTOR;
    k->pm_len = (uint64_t)k->h.syssize * 16;
    uint32_t align = k->h.kernel_alignment;
    if (k->pm_len == 0 || k->h.init_size < k->pm_len ||
        (k->h.relocatable_kernel && (align == 0 || (align & (align - 1)))))
        return LX_ERR_BAD_HEADER;
    if (k->pm_off > len || k->pm_len > len - k->pm_off)
        return LX_ERR_TRUNCATED;
    return LX_OK;
}

/* ---- placement -------------------------------------------------------------------------- */

/* [gpa, gpa+n) in one available range, at or above 1 MiB, below 4 GiB. */
static bool fits_ram(const struct gl_layout *l, uint64_t gpa, uint64_t n)
{
    return gpa >= LX_KERNEL_MIN && gpa < LX_IDENT_MAP_END && n <= LX_IDENT_MAP_END - gpa &&
           gl_range_type(l, gpa, n) == GL_MEM_AVAILABLE;
}

static bool place_kernel(const struct gl_layout *l, const struct kernel *k, uint64_t *at)
{
    uint64_t need = k->h.init_size;
    uint64_t pref = k->h.pref_address ? k->h.pref_address : LX_DEFAULT_PREF;
    if (!k->h.relocatable_kernel) {
        *at = pref;
        return fits_ram(l, pref, need);
    }
    uint64_t align = k->h.kernel_alignment;
    if (pref % align == 0 && fits_ram(l, pref, need)) {
        *at = pref;
        return true;
    }
    uint64_t from = max64(pref, LX_KERNEL_MIN);
    for (unsigned i = 0; i < l->nranges && from < LX_IDENT_MAP_END; i++) {
        const struct gl_range *r = &l->ranges[i];
        uint64_t start = max64(from, r->gpa);
        if (r->type != GL_MEM_AVAILABLE || start >= LX_IDENT_MAP_END)
            continue;
        uint64_t a = (start + align - 1) & ~(align - 1);
        if (fits_ram(l, a, need)) {
            *at = a;
            return true;
        }
    }
    return false;
}

/* The highest page-aligned place for n bytes: one available range, >= 1 MiB, last byte
 * <= max_addr, below 4 GiB, missing the kernel [klo, khi). */
static bool place_initrd(const struct gl_layout *l, uint64_t n, uint64_t max_addr, uint64_t klo,
                         uint64_t khi, uint64_t *at)
{
    uint64_t limit = min64(max_addr + 1, LX_IDENT_MAP_END);
    bool found = false;
    for (unsigned i = 0; i < l->nranges; i++) {
        const struct gl_range *r = &l->ranges[i];
        uint64_t lo = max64(r->gpa, LX_KERNEL_MIN), hi = min64(r->gpa + r->len, limit);
        if (r->type != GL_MEM_AVAILABLE || hi <= lo || hi - lo < n)
            continue;
        uint64_t a = (hi - n) & ~(GL_PAGE - 1);
        if (a < khi && klo < a + n) {               /* over the kernel: try below it */
            if (klo < n)
                continue;
            a = (klo - n) & ~(GL_PAGE - 1);
        }
        if (a >= lo && (!found || a > *at)) {
            *at = a;
            found = true;
        }
    }
    return found;
}

/* ---- the zero page --------------------------------------------------------------------- */

unsigned lx_e820_from_layout(const struct gl_layout *l, struct lb_e820_entry *e, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; l && i < l->nranges && n < max; i++, n++) {
        uint32_t t = l->ranges[i].type;
        e[n].addr = l->ranges[i].gpa;
        e[n].size = l->ranges[i].len;
        e[n].type = t == GL_MEM_AVAILABLE ? LB_E820_RAM
                  : t == GL_MEM_ACPI      ? LB_E820_ACPI
                                          : LB_E820_RESERVED;
    }
    return n;
}

static void write_boot_params(uint8_t *page, const uint8_t *img, const struct kernel *k,
                              const struct gl_layout *l, const struct lx_args *a,
                              const struct lx_boot *b)
{
    struct lb_boot_params *bp = (struct lb_boot_params *)page;
    zero_bytes(page, sizeof(*bp));
    copy_bytes(page + LB_HEADER_OFFSET, img + LB_HEADER_OFFSET, k->hdr_end - LB_HEADER_OFFSET);
    bp->hdr.vid_mode = LB_VID_MODE_NORMAL;
    bp->hdr.type_of_loader = LB_LOADER_UNDEFINED;
    bp->hdr.loadflags |= LB_CAN_USE_HEAP;
    bp->hdr.heap_end_ptr = LX_HEAP_END_PTR;
    bp->hdr.ext_loader_ver = 0;
    bp->hdr.ext_loader_type = 0;
    bp->hdr.cmd_line_ptr = (uint32_t)b->cmdline_gpa;
    bp->hdr.ramdisk_image = (uint32_t)b->initrd_gpa;
    bp->hdr.ramdisk_size = (uint32_t)b->initrd_len;
    bp->hdr.hardware_subarch = 0;
    bp->hdr.hardware_subarch_data = 0;
    bp->hdr.setup_data = 0;
    if (k->h.version >= LB_PROTOCOL_RSDP)
        bp->acpi_rsdp_addr = a->rsdp_gpa;
    bp->e820_entries = (uint8_t)lx_e820_from_layout(l, bp->e820_table, LB_E820_MAX);
}

/* ---- loading ------------------------------------------------------------------------------ */

int lx_load(const void *image, uint64_t len, const struct gl_ram *ram, const struct lx_args *args,
            struct lx_boot *out)
{
    static const struct lx_args none;
    const struct lx_args *a = args ? args : &none;
    if (!ram || !ram->mem || !ram->layout.nranges || !out || (!image && len) ||
        (a->initrd_len && !a->initrd))
        return LX_ERR_ARGS;
    const uint8_t *img = image;
    const struct gl_layout *l = &ram->layout;
    struct kernel k;
    int rc = parse(img, len, &k);
    if (rc != LX_OK)
        return rc;

    struct lx_boot b = { .version = k.h.version, .kernel_len = k.pm_len,
                         .boot_params_gpa = LX_BOOT_PARAMS_GPA, .cmdline_gpa = LX_CMDLINE_GPA };
    if (!place_kernel(l, &k, &b.kernel_gpa))
        return LX_ERR_KERNEL_NO_ROOM;
    b.kernel_end = b.kernel_gpa + k.h.init_size;
    if (a->initrd_len) {
        if (!place_initrd(l, a->initrd_len, k.h.initrd_addr_max, b.kernel_gpa, b.kernel_end,
                          &b.initrd_gpa))
            return LX_ERR_INITRD_NO_ROOM;
        b.initrd_len = a->initrd_len;
    }
    const char *cmdline = a->cmdline ? a->cmdline : "";
    b.cmdline_len = str_len(cmdline);
    if (b.cmdline_len > k.h.cmdline_size || b.cmdline_len >= LX_CMDLINE_MAX)
        return LX_ERR_CMDLINE_TOO_LONG;

    /* The fixed places in conventional RAM; every layout has them. */
    uint8_t *kernel = gl_host(ram, b.kernel_gpa, k.pm_len);
    uint8_t *initrd = b.initrd_len ? gl_host(ram, b.initrd_gpa, b.initrd_len) : 0;
    uint8_t *cmd = gl_host(ram, LX_CMDLINE_GPA, b.cmdline_len + 1);
    uint8_t *zero_page = gl_host(ram, LX_BOOT_PARAMS_GPA, sizeof(struct lb_boot_params));
    uint8_t *gdt = gl_host(ram, LX_GDT_GPA, LX_GDT_ENTRIES * 8);
    uint8_t *pml4 = gl_host(ram, LX_PML4_GPA, GL_PAGE), *pdpt = gl_host(ram, LX_PDPT_GPA, GL_PAGE);
    uint8_t *pds = gl_host(ram, LX_PD_GPA, GL_PAGE * LX_PD_COUNT);
    if (!kernel || (b.initrd_len && !initrd) || !cmd || !zero_page || !gdt || !pml4 || !pdpt ||
        !pds)
        return LX_ERR_ARGS;             /* not with a layout from gl_layout_init */

    copy_bytes(kernel, img + k.pm_off, k.pm_len);
    if (b.initrd_len)
        copy_bytes(initrd, a->initrd, b.initrd_len);
    copy_bytes(cmd, (const uint8_t *)cmdline, b.cmdline_len + 1);
    write_boot_params(zero_page, img, &k, l, a, &b);
    b.e820_entries = ((struct lb_boot_params *)zero_page)->e820_entries;
    lx_write_gdt(gdt);
    lx_write_page_tables(pml4, pdpt, pds);
    lx_entry_state(b.kernel_gpa, &b.entry);
    *out = b;
    return LX_OK;
}

/* ---- errors -------------------------------------------------------------------------------- */

int lx_error_status(int err)
{
    if (err == LX_OK)
        return 0;
    if (err < LX_OK && err >= LX_ERR_LAST)
        return LX_STATUS_BASE - err;
    return LX_STATUS_BASE;
}

const char *lx_error_name(int err)
{
    switch (err) {
    case LX_OK: return "ok";
    case LX_ERR_ARGS: return "bad arguments to the Linux loader";
    case LX_ERR_NOT_BZIMAGE: return "not a Linux bzImage (no 0xAA55 at 0x1fe or no HdrS at 0x202)";
    case LX_ERR_PROTOCOL: return "Linux boot protocol older than 2.10";
    case LX_ERR_NOT_64BIT: return "Linux kernel has no 64-bit entry point (XLF_KERNEL_64)";
    case LX_ERR_BAD_HEADER:
        return "Linux setup header invalid (length, syssize, init_size or kernel_alignment)";
    case LX_ERR_TRUNCATED: return "Linux bzImage truncated (setup or kernel past the end of the file)";
    case LX_ERR_KERNEL_NO_ROOM: return "Linux kernel (init_size) does not fit in guest RAM below 4 GiB";
    case LX_ERR_INITRD_NO_ROOM:
        return "initrd does not fit in guest RAM below initrd_addr_max and 4 GiB";
    case LX_ERR_CMDLINE_TOO_LONG: return "kernel command line longer than the kernel's cmdline_size";
    default: return "unknown Linux loader error";
    }
}
