/*
 * boot/bootinfo_build.c and boot/mb2_parse.c tests. Multiboot2 information
 * structures are built byte by byte the way GRUB lays them out: an 8-byte
 * header (total_size, reserved), then 8-byte aligned tags, then the end tag.
 * The finished MBI is copied into a buffer of exactly total_size bytes so
 * AddressSanitizer catches any read past it.
 */
#define _POSIX_C_SOURCE 200809L         /* fork/waitpid for the hang check */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "bootinfo_build.h"
#include "ut.h"

#define U  BOOT_MEM_USABLE
#define AR BOOT_MEM_ACPI_RECLAIM
#define LD BOOT_MEM_LOADER
#define NV BOOT_MEM_ACPI_NVS
#define RS BOOT_MEM_RESERVED
#define BD BOOT_MEM_BAD

/* ---- Multiboot2 builder ------------------------------------------------------ */

struct mbb {
    unsigned char buf[32768];
    uint32_t len;
    uint32_t tag;                       /* offset of the open tag */
};

static void mb_begin(struct mbb *b)
{
    memset(b->buf, 0, sizeof b->buf);
    b->len = 8;                         /* total_size, reserved: filled at the end */
}

static void put8(struct mbb *b, uint8_t v) { b->buf[b->len++] = v; }
static void put32(struct mbb *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        put8(b, (uint8_t)(v >> (8 * i)));
}
static void put64(struct mbb *b, uint64_t v)
{
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}
static void putbytes(struct mbb *b, const void *p, size_t n)
{
    memcpy(b->buf + b->len, p, n);
    b->len += (uint32_t)n;
}
static void putstr(struct mbb *b, const char *s) { putbytes(b, s, strlen(s) + 1); }
static void set32(struct mbb *b, uint32_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->buf[at + i] = (uint8_t)(v >> (8 * i));
}

static void tag_open(struct mbb *b, uint32_t type)
{
    b->tag = b->len;
    put32(b, type);
    put32(b, 0);                        /* size, patched by tag_close */
}

/* Patch the size (unpadded, as GRUB writes it) and pad to 8 with `fill`. */
static uint32_t tag_close_fill(struct mbb *b, uint8_t fill)
{
    uint32_t at = b->tag;
    set32(b, at + 4, b->len - at);
    while (b->len & 7)
        put8(b, fill);
    return at;
}
static uint32_t tag_close(struct mbb *b) { return tag_close_fill(b, 0); }

static uint32_t tag_cmdline(struct mbb *b, const char *s)
{
    tag_open(b, 1);
    putstr(b, s);
    return tag_close(b);
}

static void tag_loader_name(struct mbb *b)
{
    tag_open(b, 2);
    putstr(b, "GRUB 2.06-13+deb12u1");
    tag_close(b);
}

static void tag_basic_meminfo(struct mbb *b)
{
    tag_open(b, 4);
    put32(b, 639);
    put32(b, 523136);
    tag_close(b);
}

static void tag_bootdev(struct mbb *b)
{
    tag_open(b, 5);
    put32(b, 0xe0);
    put32(b, 0xffffffff);
    put32(b, 0xffffffff);
    tag_close(b);
}

static uint32_t tag_module(struct mbb *b, uint32_t start, uint32_t end, const char *name)
{
    tag_open(b, 3);
    put32(b, start);
    put32(b, end);
    putstr(b, name);
    return tag_close(b);
}

struct e820 { uint64_t base, len; uint32_t type; };

static uint32_t tag_mmap(struct mbb *b, const struct e820 *e, unsigned n)
{
    tag_open(b, 6);
    put32(b, 24);                       /* entry_size */
    put32(b, 0);                        /* entry_version */
    for (unsigned i = 0; i < n; i++) {
        put64(b, e[i].base);
        put64(b, e[i].len);
        put32(b, e[i].type);
        put32(b, 0);
    }
    return tag_close(b);
}

struct efid { uint32_t type; uint64_t phys, pages; };

/* Descriptors of desc_size bytes (>= 40); the extra tail is filled with junk. */
static void put_efi_desc(struct mbb *b, const struct efid *d, uint32_t desc_size)
{
    uint32_t start = b->len;
    put32(b, d->type);
    put32(b, 0);
    put64(b, d->phys);
    put64(b, 0);                        /* virtual start */
    put64(b, d->pages);
    put64(b, 0x800000000000000full);    /* attributes: RUNTIME | UC WC WT WB */
    while (b->len - start < desc_size)
        put8(b, 0xee);
}

static uint32_t tag_efi_mmap(struct mbb *b, const struct efid *d, unsigned n, uint32_t desc_size)
{
    tag_open(b, 17);
    put32(b, desc_size);
    put32(b, 1);                        /* descriptor version */
    for (unsigned i = 0; i < n; i++)
        put_efi_desc(b, &d[i], desc_size);
    return tag_close(b);
}

static const unsigned char rsdp_v1[20] = {
    'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0x4d, 'B', 'O', 'C', 'H', 'S', ' ', 0,
    0x00, 0x00, 0xfe, 0x1f,             /* RSDT at 0x1ffe0000 */
};
static const unsigned char rsdp_v2[36] = {
    'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0x2a, 'O', 'V', 'M', 'F', ' ', ' ', 2,
    0x14, 0xe0, 0x7f, 0x7e, 36, 0, 0, 0, 0xe8, 0xe0, 0x7f, 0x7e, 0, 0, 0, 0,
    0x55, 0, 0, 0,
};

static uint32_t tag_acpi_old(struct mbb *b)
{
    tag_open(b, 14);
    putbytes(b, rsdp_v1, sizeof rsdp_v1);
    return tag_close(b);
}

static uint32_t tag_acpi_new(struct mbb *b)
{
    tag_open(b, 15);
    putbytes(b, rsdp_v2, sizeof rsdp_v2);
    return tag_close(b);
}

static void tag_framebuffer(struct mbb *b)
{
    tag_open(b, 8);
    put64(b, 0xfd000000);
    put32(b, 4096);                     /* pitch */
    put32(b, 1024);
    put32(b, 768);
    put8(b, 32);                        /* bpp */
    put8(b, 1);                         /* RGB */
    put8(b, 0);
    put8(b, 0);                         /* reserved u16 */
    put8(b, 16); put8(b, 8);            /* red position, mask size */
    put8(b, 8); put8(b, 8);
    put8(b, 0); put8(b, 8);
    tag_close(b);                       /* size 38, as GRUB writes it */
}

static void tag_end(struct mbb *b)
{
    tag_open(b, 0);
    tag_close(b);
}

/* Finish: write total_size; return an exact-size heap copy (free() it). */
static unsigned char *mb_finish_total(struct mbb *b, uint32_t total)
{
    set32(b, 0, total);
    set32(b, 4, 0);
    size_t n = (b->len + 7) & ~7u;
    if (n < 8)
        n = 8;
    unsigned char *m = aligned_alloc(8, n);
    memcpy(m, b->buf, n);
    return m;
}
static unsigned char *mb_finish(struct mbb *b) { return mb_finish_total(b, b->len); }

static struct boot_info *bi_new(void)
{
    struct boot_info *bi = malloc(sizeof *bi);
    memset(bi, 0xcc, sizeof *bi);
    return bi;
}

static int range_is(const struct boot_info *bi, uint32_t i, uint64_t base, uint64_t len,
                    uint32_t type)
{
    if (i >= bi->nranges) {
        printf("    range %u missing (nranges %u)\n", i, bi->nranges);
        return 0;
    }
    const struct boot_mem_range *r = &bi->ranges[i];
    if (r->base != base || r->len != len || r->type != type || r->reserved != 0) {
        printf("    range %u: 0x%llx+0x%llx type %u, want 0x%llx+0x%llx type %u\n", i,
               (unsigned long long)r->base, (unsigned long long)r->len, r->type,
               (unsigned long long)base, (unsigned long long)len, type);
        return 0;
    }
    return 1;
}

/* ---- a GRUB BIOS boot ------------------------------------------------------------ */

static const struct e820 qemu_e820[] = {
    { 0x0, 0x9fc00, 1 },
    { 0x9fc00, 0x400, 2 },
    { 0xf0000, 0x10000, 2 },
    { 0x100000, 0xf00000, 1 },          /* two adjacent usable entries .. */
    { 0x1000000, 0x1efd0000, 1 },       /* .. merge into one */
    { 0x1ffd0000, 0x8000, 3 },          /* ACPI */
    { 0x1ffd8000, 0x8000, 4 },          /* NVS */
    { 0x1ffe0000, 0x20000, 2 },
    { 0x20000000, 0x1000, 5 },          /* bad */
    { 0x30000000, 0x1000, 12 },         /* unknown: reserved */
    { 0x40000000, 0, 1 },               /* empty: dropped */
    { 0xfeffc000, 0x4000, 2 },
    { 0xfff80000, 0x40000, 2 },         /* adjacent reserved: merge */
    { 0xfffc0000, 0x40000, 2 },
};

UT_TEST(bi_mb2_grub_bios_boot)
{
    static struct mbb b;
    mb_begin(&b);
    tag_cmdline(&b, "console=com1 log=info");
    tag_loader_name(&b);
    tag_module(&b, 0x2000000, 0x2001234, "/boot/guest.bin arg1 arg2");
    tag_module(&b, 0x2002000, 0x2003000, "/boot/initrd");
    tag_module(&b, 0x2003000, 0x2004800, "m3");
    tag_basic_meminfo(&b);
    tag_bootdev(&b);
    tag_mmap(&b, qemu_e820, sizeof qemu_e820 / sizeof *qemu_e820);
    tag_framebuffer(&b);
    uint32_t acpi_at = tag_acpi_old(&b);
    tag_end(&b);
    uint32_t total = b.len;
    unsigned char *mbi = mb_finish(&b);

    struct boot_info *bi = bi_new();
    CHECK_EQ(mb2_parse(mbi, bi), HV_OK);
    CHECK_EQ(bi->magic, BOOT_INFO_MAGIC);
    CHECK_EQ(bi->version, BOOT_INFO_VERSION);
    CHECK_EQ(bi->loader, BOOT_LOADER_MULTIBOOT2);
    CHECK(strcmp(bi->cmdline, "console=com1 log=info") == 0);

    CHECK_EQ(bi->nmodules, 3);
    CHECK_EQ(bi->modules[0].base, 0x2000000);
    CHECK_EQ(bi->modules[0].len, 0x1234);
    CHECK(strcmp(bi->modules[0].name, "/boot/guest.bin arg1 arg2") == 0);
    CHECK_EQ(bi->modules[1].base, 0x2002000);
    CHECK_EQ(bi->modules[1].len, 0x1000);
    CHECK(strcmp(bi->modules[1].name, "/boot/initrd") == 0);
    CHECK_EQ(bi->modules[2].len, 0x1800);
    CHECK(strcmp(bi->modules[2].name, "m3") == 0);

    uint32_t i = 0;
    CHECK(range_is(bi, i++, 0x0, 0x9fc00, U));
    CHECK(range_is(bi, i++, 0x9fc00, 0x400, RS));
    CHECK(range_is(bi, i++, 0xf0000, 0x10000, RS));
    CHECK(range_is(bi, i++, 0x100000, 0x1fed0000, U));
    CHECK(range_is(bi, i++, 0x1ffd0000, 0x8000, AR));
    CHECK(range_is(bi, i++, 0x1ffd8000, 0x8000, NV));
    CHECK(range_is(bi, i++, 0x1ffe0000, 0x20000, RS));
    CHECK(range_is(bi, i++, 0x20000000, 0x1000, BD));
    CHECK(range_is(bi, i++, 0x30000000, 0x1000, RS));
    CHECK(range_is(bi, i++, 0xfeffc000, 0x4000, RS));
    CHECK(range_is(bi, i++, 0xfff80000, 0x80000, RS));
    /* The MBI itself, then the modules (the two adjacent ones merged). */
    CHECK(range_is(bi, i++, (uint64_t)(uintptr_t)mbi, total, LD));
    CHECK(range_is(bi, i++, 0x2000000, 0x1234, LD));
    CHECK(range_is(bi, i++, 0x2002000, 0x2800, LD));
    CHECK_EQ(bi->nranges, i);

    /* RSDP: the address of the copy inside the MBI. */
    CHECK_EQ(bi->rsdp, (uint64_t)(uintptr_t)(mbi + acpi_at + 8));
    CHECK(memcmp((const void *)(uintptr_t)bi->rsdp, rsdp_v1, sizeof rsdp_v1) == 0);

    CHECK_EQ(bi->fb.addr, 0xfd000000);
    CHECK_EQ(bi->fb.pitch, 4096);
    CHECK_EQ(bi->fb.width, 1024);
    CHECK_EQ(bi->fb.height, 768);
    CHECK_EQ(bi->fb.bpp, 32);
    free(bi);
    free(mbi);
}

/* ---- a GRUB EFI boot: tag 17 wins over tag 6 -------------------------------------- */

static const struct efid ovmf_desc[] = {
    { 3, 0x0, 1 },                       /* BS code */
    { 7, 0x1000, 0x9e },                 /* conventional */
    { 4, 0x9f000, 1 },                   /* BS data: all three merge */
    { 7, 0x100000, 0x700 },
    { 10, 0x800000, 8 },                 /* ACPI NVS */
    { 7, 0x808000, 3 },
    { 1, 0x80b000, 0x10 },               /* loader code .. */
    { 2, 0x81b000, 0x20 },               /* .. and data: merge as LOADER */
    { 9, 0x83b000, 0x5 },                /* ACPI reclaim */
    { 0, 0x840000, 0x10 },               /* reserved .. */
    { 5, 0x850000, 0x100 },              /* .. runtime code .. */
    { 6, 0x950000, 0x100 },              /* .. runtime data: merge */
    { 8, 0xa50000, 1 },                  /* unusable */
    { 7, 0xa51000, 0x7f5af },            /* up to 0x80000000 */
    { 11, 0xb0000000, 0x10000 },         /* MMIO */
    { 12, 0xfee00000, 1 },               /* MMIO port space */
    { 13, 0xfef00000, 1 },               /* PAL */
    { 14, 0x180000000, 0x1000 },         /* persistent */
    { 15, 0x190000000, 0x1000 },         /* unaccepted */
    { 7, 0x100000000, 0x40000 },         /* 4 .. 5 GiB */
};

static void check_ovmf_ranges(const struct boot_info *bi, uint32_t *i)
{
    CHECK(range_is(bi, (*i)++, 0x0, 0xa0000, U));
    CHECK(range_is(bi, (*i)++, 0x100000, 0x700000, U));
    CHECK(range_is(bi, (*i)++, 0x800000, 0x8000, NV));
    CHECK(range_is(bi, (*i)++, 0x808000, 0x3000, U));
    CHECK(range_is(bi, (*i)++, 0x80b000, 0x30000, LD));
    CHECK(range_is(bi, (*i)++, 0x83b000, 0x5000, AR));
    CHECK(range_is(bi, (*i)++, 0x840000, 0x210000, RS));
    CHECK(range_is(bi, (*i)++, 0xa50000, 0x1000, BD));
    CHECK(range_is(bi, (*i)++, 0xa51000, 0x7f5af000ull, U));
    CHECK(range_is(bi, (*i)++, 0xb0000000, 0x10000000, RS));
    CHECK(range_is(bi, (*i)++, 0xfee00000, 0x1000, RS));
    CHECK(range_is(bi, (*i)++, 0xfef00000, 0x1000, RS));
    CHECK(range_is(bi, (*i)++, 0x180000000, 0x1000000, RS));
    CHECK(range_is(bi, (*i)++, 0x190000000, 0x1000000, RS));
    CHECK(range_is(bi, (*i)++, 0x100000000, 0x40000000, U));
}

static void efi_boot(int efi_first)
{
    static struct mbb b;
    mb_begin(&b);
    tag_cmdline(&b, "log=debug");
    tag_loader_name(&b);
    if (efi_first)
        tag_efi_mmap(&b, ovmf_desc, sizeof ovmf_desc / sizeof *ovmf_desc, 48);
    tag_mmap(&b, qemu_e820, sizeof qemu_e820 / sizeof *qemu_e820);
    if (!efi_first)
        tag_efi_mmap(&b, ovmf_desc, sizeof ovmf_desc / sizeof *ovmf_desc, 48);
    tag_acpi_new(&b);
    tag_end(&b);
    uint32_t total = b.len;
    unsigned char *mbi = mb_finish(&b);

    struct boot_info *bi = bi_new();
    CHECK_EQ(mb2_parse(mbi, bi), HV_OK);
    uint32_t i = 0;
    check_ovmf_ranges(bi, &i);
    CHECK(range_is(bi, i++, (uint64_t)(uintptr_t)mbi, total, LD));
    CHECK_EQ(bi->nranges, i);
    CHECK_EQ(bi->nmodules, 0);
    CHECK(strcmp(bi->cmdline, "log=debug") == 0);
    CHECK(memcmp((const void *)(uintptr_t)bi->rsdp, rsdp_v2, sizeof rsdp_v2) == 0);
    CHECK_EQ(bi->fb.addr, 0);
    free(bi);
    free(mbi);
}

UT_TEST(bi_mb2_efi_map_preferred_over_e820)
{
    efi_boot(0);
    efi_boot(1);
}

UT_TEST(bi_mb2_efi_map_desc_size_40_and_junk_tail)
{
    static struct mbb b;
    /* Exactly 40-byte descriptors work too. */
    mb_begin(&b);
    tag_efi_mmap(&b, ovmf_desc, sizeof ovmf_desc / sizeof *ovmf_desc, 40);
    tag_end(&b);
    unsigned char *mbi = mb_finish(&b);
    struct boot_info *bi = bi_new();
    CHECK_EQ(mb2_parse(mbi, bi), HV_OK);
    uint32_t i = 0;
    check_ovmf_ranges(bi, &i);
    CHECK_EQ(bi->nranges, i + 1);
    free(mbi);

    /* Tag 17 with a partial descriptor at its end: the partial one is ignored. */
    mb_begin(&b);
    tag_open(&b, 17);
    put32(&b, 48);
    put32(&b, 1);
    put_efi_desc(&b, &ovmf_desc[3], 48);
    put_efi_desc(&b, &ovmf_desc[4], 40);    /* only 40 of 48 bytes */
    tag_close(&b);
    tag_end(&b);
    mbi = mb_finish(&b);
    CHECK_EQ(mb2_parse(mbi, bi), HV_OK);
    CHECK(range_is(bi, 0, 0x100000, 0x700000, U));
    CHECK_EQ(bi->nranges, 2);
    free(bi);
    free(mbi);
}

/* ---- RSDP ------------------------------------------------------------------------ */

static void rsdp_case(int old, int neu, int new_first)
{
    static struct mbb b;
    mb_begin(&b);
    uint32_t at_old = 0, at_new = 0;
    if (neu && new_first)
        at_new = tag_acpi_new(&b);
    tag_mmap(&b, qemu_e820, 4);
    if (old)
        at_old = tag_acpi_old(&b);
    if (neu && !new_first)
        at_new = tag_acpi_new(&b);
    tag_end(&b);
    unsigned char *mbi = mb_finish(&b);
    struct boot_info *bi = bi_new();
    CHECK_EQ(mb2_parse(mbi, bi), HV_OK);
    if (neu) {
        CHECK_EQ(bi->rsdp, (uint64_t)(uintptr_t)(mbi + at_new + 8));
        CHECK(memcmp((const void *)(uintptr_t)bi->rsdp, rsdp_v2, 36) == 0);
    } else if (old) {
        CHECK_EQ(bi->rsdp, (uint64_t)(uintptr_t)(mbi + at_old + 8));
        CHECK(memcmp((const void *)(uintptr_t)bi->rsdp, rsdp_v1, 20) == 0);
    } else {
        CHECK_EQ(bi->rsdp, 0);
    }
    free(bi);
    free(mbi);
}

UT_TEST(bi_mb2_rsdp_new_preferred)
{
    rsdp_case(1, 1, 0);                  /* 14 then 15 */
    rsdp_case(1, 1, 1);                  /* 15 then 14 */
    rsdp_case(0, 1, 0);
    rsdp_case(1, 0, 0);
    rsdp_case(0, 0, 0);
}

/* ---- cmdline and modules ------------------------------------------------------------ */

UT_TEST(bi_mb2_cmdline_truncated_and_bounded)
{
    static struct mbb b;
    char longline[400];
    memset(longline, 'x', sizeof longline - 1);
    longline[sizeof longline - 1] = 0;
    mb_begin(&b);
    tag_cmdline(&b, longline);
    tag_mmap(&b, qemu_e820, 4);
    tag_end(&b);
    unsigned char *mbi = mb_finish(&b);
    struct boot_info *bi = bi_new();
    CHECK_EQ(mb2_parse(mbi, bi), HV_OK);
    CHECK_EQ(strlen(bi->cmdline), BOOT_CMDLINE_MAX - 1);
    CHECK_EQ(bi->cmdline[BOOT_CMDLINE_MAX - 1], 0);
    free(mbi);

    /* A command line without its NUL stops at the tag's end, not in the padding. */
    mb_begin(&b);
    tag_open(&b, 1);
    putbytes(&b, "abcde", 5);
    tag_close_fill(&b, 'X');
    tag_mmap(&b, qemu_e820, 4);
    tag_end(&b);
    mbi = mb_finish(&b);
    CHECK_EQ(mb2_parse(mbi, bi), HV_OK);
    CHECK(strcmp(bi->cmdline, "abcde") == 0);
    free(mbi);

    /* Empty command line tag. */
    mb_begin(&b);
    tag_cmdline(&b, "");
    tag_mmap(&b, qemu_e820, 4);
    tag_end(&b);
    mbi = mb_finish(&b);
    CHECK_EQ(mb2_parse(mbi, bi), HV_OK);
    CHECK_EQ(bi->cmdline[0], 0);
    free(mbi);
    free(bi);
}

UT_TEST(bi_mb2_module_names)
{
    static struct mbb b;
    char longname[100];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    mb_begin(&b);
    tag_mmap(&b, qemu_e820, 4);
    tag_module(&b, 0x3000000, 0x3000000, "");          /* empty module, empty name */
    tag_module(&b, 0x3001000, 0x3002000, longname);
    tag_open(&b, 3);                                    /* name without a NUL */
    put32(&b, 0x4000000);
    put32(&b, 0x4000010);
    putbytes(&b, "abc", 3);
    tag_close_fill(&b, 'Y');
    tag_end(&b);
    unsigned char *mbi = mb_finish(&b);
    struct boot_info *bi = bi_new();
    CHECK_EQ(mb2_parse(mbi, bi), HV_OK);
    CHECK_EQ(bi->nmodules, 3);
    CHECK_EQ(bi->modules[0].len, 0);
    CHECK_EQ(bi->modules[0].name[0], 0);
    CHECK_EQ(strlen(bi->modules[1].name), BOOT_MODNAME_MAX - 1);
    CHECK(strcmp(bi->modules[2].name, "abc") == 0);
    CHECK_EQ(bi->modules[2].len, 0x10);
    /* the empty module adds no range; the two others do */
    CHECK(range_is(bi, bi->nranges - 2, 0x3001000, 0x1000, LD));
    CHECK(range_is(bi, bi->nranges - 1, 0x4000000, 0x10, LD));
    free(bi);
    free(mbi);
}

UT_TEST(bi_mb2_too_many_modules)
{
    static struct mbb b;
    for (int extra = 0; extra <= 1; extra++) {
        mb_begin(&b);
        tag_mmap(&b, qemu_e820, 4);
        for (int m = 0; m < BOOT_MAX_MODULES + extra; m++)
            tag_module(&b, 0x10000000u + (uint32_t)m * 0x2000, 0x10000000u + (uint32_t)m * 0x2000 + 0x1000,
                       "mod");
        tag_end(&b);
        unsigned char *mbi = mb_finish(&b);
        struct boot_info *bi = bi_new();
        CHECK_EQ(mb2_parse(mbi, bi), extra ? HV_ERR_NO_RESOURCES : HV_OK);
        CHECK_EQ(bi->nmodules, BOOT_MAX_MODULES);
        free(bi);
        free(mbi);
    }
}

/* ---- malformed MBIs --------------------------------------------------------------- */

static hv_status_t parse_rc(struct mbb *b, uint32_t total)
{
    unsigned char *mbi = mb_finish_total(b, total);
    struct boot_info *bi = bi_new();
    hv_status_t rc = mb2_parse(mbi, bi);
    free(bi);
    free(mbi);
    return rc;
}

UT_TEST(bi_mb2_bad_total_size)
{
    static struct mbb b;
    uint32_t bad[] = { 0, 4, 8, 12, 15 };
    for (unsigned i = 0; i < sizeof bad / sizeof *bad; i++) {
        mb_begin(&b);
        tag_end(&b);                     /* buffer holds 16 bytes regardless */
        CHECK_EQ(parse_rc(&b, bad[i]), HV_ERR_INVALID_ARGS);
    }
    /* Valid content, total not a multiple of 8. */
    mb_begin(&b);
    tag_mmap(&b, qemu_e820, 4);
    tag_end(&b);
    uint32_t len = b.len;
    put32(&b, 0);                        /* bytes behind, so only the check fails */
    put32(&b, 0);
    for (uint32_t d = 1; d < 8; d++)
        CHECK_EQ(parse_rc(&b, len + d), HV_ERR_INVALID_ARGS);
    CHECK_EQ(parse_rc(&b, len), HV_OK);
}

UT_TEST(bi_mb2_tag_past_total_size)
{
    static struct mbb b;
    mb_begin(&b);
    tag_mmap(&b, qemu_e820, 4);
    tag_cmdline(&b, "hello");
    uint32_t cut = b.len;
    tag_end(&b);
    /* Cut inside the cmdline tag: 16 bytes, the tag says 14 from cut - 16. */
    CHECK_EQ(parse_rc(&b, cut - 8), HV_ERR_INVALID_ARGS);
    /* A tag size that overshoots total_size by one. */
    mb_begin(&b);
    tag_mmap(&b, qemu_e820, 4);
    uint32_t at = tag_cmdline(&b, "hello");
    tag_end(&b);
    set32(&b, at + 4, b.len - at + 1);
    CHECK_EQ(parse_rc(&b, b.len), HV_ERR_INVALID_ARGS);
    /* Huge, but not wrapping 32 bits. */
    set32(&b, at + 4, 0x7ffffff0);
    CHECK_EQ(parse_rc(&b, b.len), HV_ERR_INVALID_ARGS);
}

UT_TEST(bi_mb2_tag_size_below_8)
{
    static struct mbb b;
    for (uint32_t sz = 0; sz < 8; sz++) {
        mb_begin(&b);
        tag_mmap(&b, qemu_e820, 4);
        uint32_t at = tag_cmdline(&b, "abc");
        tag_end(&b);
        set32(&b, at + 4, sz);
        CHECK_EQ(parse_rc(&b, b.len), HV_ERR_INVALID_ARGS);
    }
    /* An end tag that is too short is no end tag. */
    mb_begin(&b);
    tag_mmap(&b, qemu_e820, 4);
    uint32_t at = b.len;
    tag_end(&b);
    set32(&b, at + 4, 4);
    CHECK_EQ(parse_rc(&b, b.len), HV_ERR_INVALID_ARGS);
}

UT_TEST(bi_mb2_missing_end_tag)
{
    static struct mbb b;
    mb_begin(&b);
    tag_cmdline(&b, "x");
    tag_mmap(&b, qemu_e820, 4);
    CHECK_EQ(parse_rc(&b, b.len), HV_ERR_INVALID_ARGS);
    /* One 8-byte tag of another kind and nothing else. */
    mb_begin(&b);
    tag_open(&b, 2);
    tag_close(&b);
    CHECK_EQ(b.len, 16);
    CHECK_EQ(parse_rc(&b, 16), HV_ERR_INVALID_ARGS);
}

UT_TEST(bi_mb2_no_memory_map)
{
    static struct mbb b;
    mb_begin(&b);
    tag_cmdline(&b, "console=com1");
    tag_loader_name(&b);
    tag_acpi_new(&b);
    tag_module(&b, 0x2000000, 0x2001000, "m");
    tag_end(&b);
    CHECK_EQ(parse_rc(&b, b.len), HV_ERR_INVALID_ARGS);
    /* The smallest valid MBI: an empty map and the end tag. */
    mb_begin(&b);
    tag_mmap(&b, NULL, 0);
    tag_end(&b);
    unsigned char *mbi = mb_finish(&b);
    struct boot_info *bi = bi_new();
    CHECK_EQ(mb2_parse(mbi, bi), HV_OK);
    CHECK_EQ(bi->nranges, 1);            /* just the MBI */
    CHECK(range_is(bi, 0, (uint64_t)(uintptr_t)mbi, 32, LD));
    free(bi);
    free(mbi);
}

UT_TEST(bi_mb2_bad_module_tags)
{
    static struct mbb b;
    mb_begin(&b);
    tag_mmap(&b, qemu_e820, 4);
    tag_module(&b, 0x2001000, 0x2000fff, "backwards");     /* end < start */
    tag_end(&b);
    CHECK_EQ(parse_rc(&b, b.len), HV_ERR_INVALID_ARGS);
    mb_begin(&b);
    tag_mmap(&b, qemu_e820, 4);
    tag_open(&b, 3);                     /* size 12: no room for mod_end */
    put32(&b, 0x2000000);
    tag_close(&b);
    tag_end(&b);
    CHECK_EQ(parse_rc(&b, b.len), HV_ERR_INVALID_ARGS);
}

UT_TEST(bi_mb2_bad_map_tags)
{
    static struct mbb b;
    /* e820 entry_size below 24. */
    mb_begin(&b);
    uint32_t at = tag_mmap(&b, qemu_e820, 4);
    tag_end(&b);
    set32(&b, at + 8, 20);
    CHECK_EQ(parse_rc(&b, b.len), HV_ERR_INVALID_ARGS);
    set32(&b, at + 8, 0);
    CHECK_EQ(parse_rc(&b, b.len), HV_ERR_INVALID_ARGS);
    /* e820 entry_size larger than 24 (future versions): entries still read. */
    mb_begin(&b);
    tag_open(&b, 6);
    put32(&b, 32);
    put32(&b, 0);
    for (int k = 0; k < 2; k++) {
        put64(&b, 0x100000ull * (uint64_t)(k + 1) * 16);
        put64(&b, 0x100000);
        put32(&b, 1);
        put32(&b, 0);
        put64(&b, 0xdeadbeefdeadbeefull);
    }
    tag_close(&b);
    tag_end(&b);
    unsigned char *mbi = mb_finish(&b);
    struct boot_info *bi = bi_new();
    CHECK_EQ(mb2_parse(mbi, bi), HV_OK);
    CHECK(range_is(bi, 0, 0x1000000, 0x100000, U));
    CHECK(range_is(bi, 1, 0x2000000, 0x100000, U));
    free(bi);
    free(mbi);
    /* EFI map tag shorter than its header, or with desc_size < 40. */
    mb_begin(&b);
    tag_open(&b, 17);
    put32(&b, 48);
    tag_close(&b);                       /* size 12 */
    tag_end(&b);
    CHECK_EQ(parse_rc(&b, b.len), HV_ERR_INVALID_ARGS);
    mb_begin(&b);
    tag_efi_mmap(&b, ovmf_desc, 3, 48);
    at = b.tag;
    tag_end(&b);
    set32(&b, at + 8, 32);
    CHECK_EQ(parse_rc(&b, b.len), HV_ERR_INVALID_ARGS);
    set32(&b, at + 8, 39);
    CHECK_EQ(parse_rc(&b, b.len), HV_ERR_INVALID_ARGS);
}

UT_TEST(bi_mb2_range_table_full)
{
    /* 512 separate ranges fill the table; the MBI range then does not fit. */
    static struct mbb b;
    static struct e820 many[BOOT_MAX_RANGES];
    for (unsigned k = 0; k < BOOT_MAX_RANGES; k++)
        many[k] = (struct e820){ 0x100000ull + k * 0x2000ull, 0x1000, 1 };
    mb_begin(&b);
    tag_mmap(&b, many, BOOT_MAX_RANGES);
    tag_end(&b);
    CHECK_EQ(parse_rc(&b, b.len), HV_ERR_NO_RESOURCES);
    mb_begin(&b);
    tag_mmap(&b, many, BOOT_MAX_RANGES - 1);
    tag_end(&b);
    CHECK_EQ(parse_rc(&b, b.len), HV_OK);
}

/*
 * Regression (once a bug in boot/mb2_parse.c, mb2_parse tag loop): "off + size > total" is
 * computed in 32 bits, so a tag size near 4 GiB wraps and passes the
 * check. With size 0xfffffffc at offset 8, (size + 7) & ~7u is 0: the loop
 * never advances and mb2_parse spins forever on a malformed MBI (expected:
 * HV_ERR_INVALID_ARGS, "a tag running past total_size"). Run in a child process
 * killed after 400 ms so the hang shows as a failure.
 */

/* Runs mb2_parse in a child; 1: returned HV_ERR_INVALID_ARGS, 0: other result, -1: hung. */
static int parse_in_child(const unsigned char *mbi)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct boot_info *bi = malloc(sizeof *bi);
        hv_status_t rc = mb2_parse(mbi, bi);
        _exit(rc == HV_ERR_INVALID_ARGS ? 0 : 1);
    }
    if (pid < 0)
        return 0;
    int status = 0;
    for (int ms = 0; ms < 400; ms += 5) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 1 : 0;
        struct timespec ts = { 0, 5000000 };
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

UT_TEST(bi_regress_mb2_huge_tag_size_wraps)
{
    static struct mbb b;
    static const uint32_t sizes[] = { 0xfffffffcu, 0xffffffffu };
    for (unsigned k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        mb_begin(&b);
        uint32_t at = tag_cmdline(&b, "abc");
        tag_mmap(&b, qemu_e820, 4);
        tag_end(&b);
        set32(&b, at, 2);                /* a tag the parser skips */
        set32(&b, at + 4, sizes[k]);
        unsigned char *mbi = mb_finish(&b);
        int r = parse_in_child(mbi);
        if (r < 0)
            printf("    tag size 0x%x: mb2_parse did not return\n", sizes[k]);
        CHECK_EQ(r, 1);
        free(mbi);
    }
}

/*
 * Regression (once a bug in boot/mb2_parse.c, add_e820_map): "off + esz <= size" is computed in
 * 32 bits too. A tag 6 with no entries (size 16) and entry_size 0xfffffff0
 * makes 16 + esz wrap to 0, so one "entry" is read from the 24 bytes after
 * the tag - here the following cmdline tag - and lands in the ranges.
 * Expected: HV_ERR_INVALID_ARGS, or an empty map.
 */
UT_TEST(bi_regress_mb2_huge_entry_size_reads_past_tag)
{
    static struct mbb b;
    mb_begin(&b);
    tag_open(&b, 6);
    put32(&b, 0xfffffff0u);
    put32(&b, 0);
    tag_close(&b);                       /* size 16: no entries */
    tag_open(&b, 1);                     /* read as 0x1800000001+0x1000, usable */
    putbytes(&b, "\x00\x10\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00", 16);
    tag_close(&b);
    tag_end(&b);
    unsigned char *mbi = mb_finish(&b);
    struct boot_info *bi = bi_new();
    hv_status_t rc = mb2_parse(mbi, bi);
    CHECK(rc == HV_ERR_INVALID_ARGS || rc == HV_OK);
    if (rc == HV_OK) {
        CHECK_EQ(bi->nranges, 1);        /* only the MBI itself */
        for (uint32_t i = 0; i < bi->nranges; i++)
            CHECK_EQ(bi->ranges[i].type, LD);
    }
    free(bi);
    free(mbi);
}

/* ---- the builders directly ------------------------------------------------------- */

UT_TEST(bi_init_clears_everything)
{
    struct boot_info *bi = bi_new();     /* 0xcc everywhere */
    bi_init(bi, BOOT_LOADER_EFI);
    CHECK_EQ(bi->magic, BOOT_INFO_MAGIC);
    CHECK_EQ(bi->version, BOOT_INFO_VERSION);
    CHECK_EQ(bi->loader, BOOT_LOADER_EFI);
    CHECK_EQ(bi->rsdp, 0);
    CHECK_EQ(bi->nranges, 0);
    CHECK_EQ(bi->nmodules, 0);
    CHECK_EQ(bi->cmdline[0], 0);
    CHECK_EQ(bi->fb.addr, 0);
    const unsigned char *p = (const unsigned char *)bi->ranges;
    size_t nonzero = 0;
    for (size_t i = 0; i < sizeof bi->ranges + sizeof bi->modules; i++)
        nonzero += p[i] != 0;
    CHECK_EQ(nonzero, 0);
    free(bi);
}

UT_TEST(bi_type_from_efi_all)
{
    static const uint32_t want[16] = {
        RS,     /* 0 EfiReservedMemoryType */
        LD,     /* 1 EfiLoaderCode */
        LD,     /* 2 EfiLoaderData */
        U,      /* 3 EfiBootServicesCode */
        U,      /* 4 EfiBootServicesData */
        RS,     /* 5 EfiRuntimeServicesCode */
        RS,     /* 6 EfiRuntimeServicesData */
        U,      /* 7 EfiConventionalMemory */
        BD,     /* 8 EfiUnusableMemory */
        AR,     /* 9 EfiACPIReclaimMemory */
        NV,     /* 10 EfiACPIMemoryNVS */
        RS,     /* 11 EfiMemoryMappedIO */
        RS,     /* 12 EfiMemoryMappedIOPortSpace */
        RS,     /* 13 EfiPalCode */
        RS,     /* 14 EfiPersistentMemory */
        RS,     /* 15 EfiUnacceptedMemoryType */
    };
    for (uint32_t t = 0; t < 16; t++) {
        if (bi_type_from_efi(t) != want[t])
            printf("    efi type %u -> %u, want %u\n", t, bi_type_from_efi(t), want[t]);
        CHECK_EQ(bi_type_from_efi(t), want[t]);
    }
    CHECK_EQ(bi_type_from_efi(16), RS);
    CHECK_EQ(bi_type_from_efi(0x70000000), RS);     /* OEM */
    CHECK_EQ(bi_type_from_efi(0x80000000), RS);     /* OS vendor */
    CHECK_EQ(bi_type_from_efi(0xffffffff), RS);
}

UT_TEST(bi_type_from_e820_all)
{
    CHECK_EQ(bi_type_from_e820(1), U);
    CHECK_EQ(bi_type_from_e820(2), RS);
    CHECK_EQ(bi_type_from_e820(3), AR);
    CHECK_EQ(bi_type_from_e820(4), NV);
    CHECK_EQ(bi_type_from_e820(5), BD);
    CHECK_EQ(bi_type_from_e820(0), RS);
    CHECK_EQ(bi_type_from_e820(6), RS);
    CHECK_EQ(bi_type_from_e820(7), RS);              /* persistent (PMEM) */
    CHECK_EQ(bi_type_from_e820(12), RS);
    CHECK_EQ(bi_type_from_e820(0xffffffff), RS);
}

UT_TEST(bi_add_range_merging)
{
    struct boot_info *bi = bi_new();
    bi_init(bi, BOOT_LOADER_EFI);
    CHECK_EQ(bi_add_range(bi, 0x1000, 0, U), HV_OK);        /* empty: dropped */
    CHECK_EQ(bi->nranges, 0);
    CHECK_EQ(bi_add_range(bi, 0x1000, 0x1000, U), HV_OK);
    CHECK_EQ(bi_add_range(bi, 0x2000, 0x3000, U), HV_OK);   /* adjacent, same: merge */
    CHECK_EQ(bi->nranges, 1);
    CHECK(range_is(bi, 0, 0x1000, 0x4000, U));
    CHECK_EQ(bi_add_range(bi, 0x5000, 0x1000, RS), HV_OK);  /* adjacent, other type */
    CHECK_EQ(bi_add_range(bi, 0x7000, 0x1000, RS), HV_OK);  /* same type, gap */
    CHECK_EQ(bi_add_range(bi, 0x8000, 0x800, RS), HV_OK);   /* merge again */
    CHECK_EQ(bi_add_range(bi, 0x9000, 0x1000, RS), HV_OK);  /* gap of 0x800 */
    CHECK_EQ(bi_add_range(bi, 0x0, 0x1000, U), HV_OK);      /* before, not merged */
    CHECK_EQ(bi->nranges, 5);
    CHECK(range_is(bi, 1, 0x5000, 0x1000, RS));
    CHECK(range_is(bi, 2, 0x7000, 0x1800, RS));
    CHECK(range_is(bi, 3, 0x9000, 0x1000, RS));
    CHECK(range_is(bi, 4, 0x0, 0x1000, U));
    /* Wrapping past 2^64: clamped to the top of the address space. */
    CHECK_EQ(bi_add_range(bi, 0xfffffffffffff000ull, 0x2000, RS), HV_OK);
    CHECK(range_is(bi, 5, 0xfffffffffffff000ull, 0x1000, RS));
    free(bi);
}

UT_TEST(bi_add_range_table_full)
{
    struct boot_info *bi = bi_new();
    bi_init(bi, BOOT_LOADER_EFI);
    for (uint32_t k = 0; k < BOOT_MAX_RANGES; k++)
        CHECK_EQ(bi_add_range(bi, 0x100000ull * k, 0x1000, k % 2 ? U : RS), HV_OK);
    CHECK_EQ(bi->nranges, BOOT_MAX_RANGES);
    CHECK_EQ(bi_add_range(bi, 0x100000000ull, 0x1000, U), HV_ERR_NO_RESOURCES);
    CHECK_EQ(bi->nranges, BOOT_MAX_RANGES);
    /* Extending the last range still works when full. */
    uint64_t last = 0x100000ull * (BOOT_MAX_RANGES - 1);
    CHECK_EQ(bi_add_range(bi, last + 0x1000, 0x1000, U), HV_OK);
    CHECK(range_is(bi, BOOT_MAX_RANGES - 1, last, 0x2000, U));
    CHECK_EQ(bi_add_range(bi, last + 0x2000, 0x1000, RS), HV_ERR_NO_RESOURCES);
    CHECK_EQ(bi_add_range(bi, 0x5, 0, RS), HV_OK);          /* empty is fine */
    CHECK_EQ(bi->nranges, BOOT_MAX_RANGES);
    free(bi);
}

/* Builds an EFI memory map in memory with a given descriptor size. */
static size_t efi_map(unsigned char *out, const struct efid *d, unsigned n, uint32_t dsz)
{
    static struct mbb tmp;
    mb_begin(&tmp);
    tmp.len = 0;
    for (unsigned i = 0; i < n; i++)
        put_efi_desc(&tmp, &d[i], dsz);
    memcpy(out, tmp.buf, tmp.len);
    return tmp.len;
}

UT_TEST(bi_add_efi_map_direct)
{
    static unsigned char map[4096] __attribute__((aligned(8)));
    unsigned n = sizeof ovmf_desc / sizeof *ovmf_desc;
    struct boot_info *bi = bi_new();
    static const uint32_t sizes[] = { 40, 48, 56, 64, 80 };
    for (unsigned s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t len = efi_map(map, ovmf_desc, n, sizes[s]);
        bi_init(bi, BOOT_LOADER_EFI);
        CHECK_EQ(bi_add_efi_map(bi, map, len, sizes[s]), HV_OK);
        uint32_t i = 0;
        check_ovmf_ranges(bi, &i);
        CHECK_EQ(bi->nranges, i);
        /* A trailing partial descriptor is ignored. */
        bi_init(bi, BOOT_LOADER_EFI);
        CHECK_EQ(bi_add_efi_map(bi, map, 2 * sizes[s] - 1, sizes[s]), HV_OK);
        CHECK_EQ(bi->nranges, 1);
    }
    size_t len = efi_map(map, ovmf_desc, n, 48);
    bi_init(bi, BOOT_LOADER_EFI);
    CHECK_EQ(bi_add_efi_map(bi, map, len, 39), HV_ERR_INVALID_ARGS);
    CHECK_EQ(bi_add_efi_map(bi, map, len, 24), HV_ERR_INVALID_ARGS);
    CHECK_EQ(bi_add_efi_map(bi, map, len, 0), HV_ERR_INVALID_ARGS);
    CHECK_EQ(bi->nranges, 0);
    CHECK_EQ(bi_add_efi_map(bi, map, 0, 48), HV_OK);        /* empty map */
    CHECK_EQ(bi->nranges, 0);
    free(bi);
}

UT_TEST(bi_add_efi_map_full)
{
    static unsigned char map[BOOT_MAX_RANGES * 48 + 96] __attribute__((aligned(8)));
    static struct efid d[BOOT_MAX_RANGES + 2];
    for (unsigned k = 0; k < BOOT_MAX_RANGES + 2; k++)
        d[k] = (struct efid){ 7, 0x100000ull * k, 1 };
    struct boot_info *bi = bi_new();
    bi_init(bi, BOOT_LOADER_EFI);
    size_t len = efi_map(map, d, BOOT_MAX_RANGES + 2, 48);
    CHECK_EQ(bi_add_efi_map(bi, map, len, 48), HV_ERR_NO_RESOURCES);
    CHECK_EQ(bi->nranges, BOOT_MAX_RANGES);
    free(bi);
}

UT_TEST(bi_set_cmdline_truncates)
{
    struct boot_info *bi = bi_new();
    bi_init(bi, BOOT_LOADER_EFI);
    char s[BOOT_CMDLINE_MAX + 50];
    for (size_t i = 0; i < sizeof s - 1; i++)
        s[i] = (char)('a' + i % 26);
    s[sizeof s - 1] = 0;
    bi_set_cmdline(bi, s);
    CHECK_EQ(strlen(bi->cmdline), BOOT_CMDLINE_MAX - 1);
    CHECK(memcmp(bi->cmdline, s, BOOT_CMDLINE_MAX - 1) == 0);
    CHECK_EQ(bi->cmdline[BOOT_CMDLINE_MAX - 1], 0);
    s[BOOT_CMDLINE_MAX - 1] = 0;                  /* exactly the maximum */
    bi_set_cmdline(bi, s);
    CHECK(strcmp(bi->cmdline, s) == 0);
    bi_set_cmdline(bi, "short");
    CHECK(strcmp(bi->cmdline, "short") == 0);
    bi_set_cmdline(bi, NULL);
    CHECK_EQ(bi->cmdline[0], 0);
    free(bi);
}

UT_TEST(bi_add_module_names_and_full)
{
    struct boot_info *bi = bi_new();
    bi_init(bi, BOOT_LOADER_EFI);
    char longname[BOOT_MODNAME_MAX + 20];
    memset(longname, 'q', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    CHECK_EQ(bi_add_module(bi, 0x200000, 0x1234, "\\EFI\\hv\\guest.bin"), HV_OK);
    CHECK_EQ(bi_add_module(bi, 0x300000, 0, NULL), HV_OK);
    CHECK_EQ(bi_add_module(bi, 0x400000, 1, longname), HV_OK);
    CHECK(strcmp(bi->modules[0].name, "\\EFI\\hv\\guest.bin") == 0);
    CHECK_EQ(bi->modules[0].base, 0x200000);
    CHECK_EQ(bi->modules[0].len, 0x1234);
    CHECK_EQ(bi->modules[1].name[0], 0);
    CHECK_EQ(strlen(bi->modules[2].name), BOOT_MODNAME_MAX - 1);
    for (int k = 3; k < BOOT_MAX_MODULES; k++)
        CHECK_EQ(bi_add_module(bi, 0x1000000 + (uint64_t)k * 0x1000, 0x1000, "m"), HV_OK);
    CHECK_EQ(bi->nmodules, BOOT_MAX_MODULES);
    CHECK_EQ(bi_add_module(bi, 0x9000000, 0x1000, "overflow"), HV_ERR_NO_RESOURCES);
    CHECK_EQ(bi->nmodules, BOOT_MAX_MODULES);
    CHECK(strcmp(bi->modules[BOOT_MAX_MODULES - 1].name, "m") == 0);
    free(bi);
}
