/*
 * root/vmm/loader.c: Multiboot v1/v2 kernels (ELF32, ELF64, address
 * fields) and flat binaries built in memory, loaded into a 4 MiB PC layout
 * (and a 256 MiB one), every rejection, the Multiboot information
 * structures with modules, the exit statuses.
 */
#include <stdlib.h>
#include <string.h>
#include "guest_loader.h"
#include "ut.h"

/* 4 MiB: RAM [0, 640K) and [1M, ACPI_GPA), ACPI [ACPI_GPA, 4M). */
#define RAM_SIZE (4u << 20)
#define ACPI_GPA (RAM_SIZE - GL_ACPI_SIZE)
#define POISON   0xaa

static uint8_t ram_mem[RAM_SIZE];
static struct gl_ram ram;
static uint8_t img[64 * 1024];

static void reset(void)
{
    memset(ram_mem, POISON, sizeof(ram_mem));
    memset(img, 0, sizeof(img));
    CHECK_EQ(gl_ram_init(&ram, ram_mem, RAM_SIZE), GL_OK);
}

static void w16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void w32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void w64(uint8_t *p, uint64_t v) { w32(p, (uint32_t)v); w32(p + 4, (uint32_t)(v >> 32)); }
static uint32_t r32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t r64(const uint8_t *p) { return r32(p) | (uint64_t)r32(p + 4) << 32; }

/* True when RAM [a, b) is all `v`. */
static int ram_is(uint64_t a, uint64_t b, uint8_t v)
{
    for (uint64_t i = a; i < b; i++)
        if (ram_mem[i] != v)
            return 0;
    return 1;
}

static int ram_untouched(void)
{
    return ram_is(0, RAM_SIZE, POISON);
}

/* ---- image builders ------------------------------------------------------------------- */

struct tseg {
    uint32_t type;                  /* 0 means PT_LOAD */
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

#define PHOFF 0x40                  /* after the ELF64 header; ELF32 uses it too */
#define DATA_BYTE(off) ((uint8_t)((off) * 7 + 3))

/* An ELF file of `len` bytes: headers, segments, file bytes DATA_BYTE(offset) from 0x1000. */
static void build_elf(int is64, uint64_t entry, const struct tseg *s, unsigned n, uint64_t len)
{
    for (uint64_t o = 0x1000; o < len; o++)
        img[o] = DATA_BYTE(o);
    memcpy(img, "\x7f" "ELF", 4);
    img[4] = is64 ? 2 : 1;
    img[5] = 1;
    img[6] = 1;
    w16(img + 16, 2);                                   /* ET_EXEC */
    w16(img + 18, is64 ? 62 : 3);
    w32(img + 20, 1);
    if (is64) {
        w64(img + 24, entry);
        w64(img + 32, PHOFF);
        w16(img + 52, 64);
        w16(img + 54, 56);
        w16(img + 56, (uint16_t)n);
    } else {
        w32(img + 24, (uint32_t)entry);
        w32(img + 28, PHOFF);
        w16(img + 40, 52);
        w16(img + 42, 32);
        w16(img + 44, (uint16_t)n);
    }
    for (unsigned i = 0; i < n; i++) {
        uint32_t type = s[i].type ? s[i].type : 1;
        if (is64) {
            uint8_t *p = img + PHOFF + i * 56;
            w32(p, type);
            w32(p + 4, 5);
            w64(p + 8, s[i].offset);
            w64(p + 16, s[i].vaddr);
            w64(p + 24, s[i].paddr);
            w64(p + 32, s[i].filesz);
            w64(p + 40, s[i].memsz);
            w64(p + 48, 0x1000);
        } else {
            uint8_t *p = img + PHOFF + i * 32;
            w32(p, type);
            w32(p + 4, (uint32_t)s[i].offset);
            w32(p + 8, (uint32_t)s[i].vaddr);
            w32(p + 12, (uint32_t)s[i].paddr);
            w32(p + 16, (uint32_t)s[i].filesz);
            w32(p + 20, (uint32_t)s[i].memsz);
            w32(p + 24, 5);
            w32(p + 28, 0x1000);
        }
    }
}

#define MB1_OFF 0x400               /* after up to 16 ELF64 program headers */
#define MB2_OFF 0x400

static void mb1_header(uint64_t off, uint32_t flags)
{
    w32(img + off, GL_MB1_MAGIC);
    w32(img + off + 4, flags);
    w32(img + off + 8, 0u - GL_MB1_MAGIC - flags);
}

static void mb1_kludge(uint64_t off, uint32_t header_addr, uint32_t load_addr, uint32_t load_end,
                       uint32_t bss_end, uint32_t entry)
{
    mb1_header(off, GL_MB1_PAGE_ALIGN | GL_MB1_MEMORY_INFO | GL_MB1_AOUT_KLUDGE);
    w32(img + off + 12, header_addr);
    w32(img + off + 16, load_addr);
    w32(img + off + 20, load_end);
    w32(img + off + 24, bss_end);
    w32(img + off + 28, entry);
}

/* Multiboot2 header assembly: mb2_begin, tags, mb2_end (end tag, length, checksum). */
static uint64_t mb2_at, mb2_pos;

static void mb2_begin(uint64_t off)
{
    mb2_at = off;
    mb2_pos = off + 16;
}

static uint8_t *mb2_tag(uint16_t type, uint16_t flags, uint32_t size)
{
    uint8_t *t = img + mb2_pos;
    w16(t, type);
    w16(t + 2, flags);
    w32(t + 4, size);
    mb2_pos += (size + 7) & ~7u;
    return t + 8;
}

static void mb2_end_arch(uint32_t arch)
{
    mb2_tag(GL_MB2_HTAG_END, 0, 8);
    uint32_t hlen = (uint32_t)(mb2_pos - mb2_at);
    w32(img + mb2_at, GL_MB2_MAGIC);
    w32(img + mb2_at + 4, arch);
    w32(img + mb2_at + 8, hlen);
    w32(img + mb2_at + 12, 0u - GL_MB2_MAGIC - arch - hlen);
}

static void mb2_end(void)
{
    mb2_end_arch(0);
}

/* A standard kernel: text 0x1000 bytes at 1 MiB from file 0x1000, data 0x800 + bss 0x1800. */
static const struct tseg std_segs[] = {
    { 0, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 },
    { 0, 0x2000, 0x101000, 0x101000, 0x800, 0x2000 },
};
#define STD_LEN 0x2800
#define STD_ENTRY 0x100010

static void check_std_loaded(const struct gl_image *g)
{
    CHECK(g->elf);
    CHECK_EQ(g->entry, STD_ENTRY);
    CHECK_EQ(g->lo, 0x100000);
    CHECK_EQ(g->hi, 0x103000);
    int ok = 1;
    for (uint64_t i = 0; i < 0x1000; i++)
        ok &= ram_mem[0x100000 + i] == DATA_BYTE(0x1000 + i);
    for (uint64_t i = 0; i < 0x800; i++)
        ok &= ram_mem[0x101000 + i] == DATA_BYTE(0x2000 + i);
    CHECK(ok);
    CHECK(ram_is(0x101800, 0x103000, 0));       /* bss zeroed */
    CHECK(ram_is(0, 0x100000, POISON));         /* nothing else written */
    CHECK(ram_is(0x103000, RAM_SIZE, POISON));
}

static int load_mb(uint64_t len, struct gl_image *g)
{
    return gl_load_multiboot(img, len, &ram, g);
}

/* ---- flat binaries ------------------------------------------------------------------- */

UT_TEST(gl_flat_load)
{
    reset();
    for (int i = 0; i < 300; i++)
        img[i] = (uint8_t)(i ^ 0x5c);
    struct gl_image g;
    CHECK_EQ(gl_load_flat(img, 300, &ram, 0x8000, &g), GL_OK);
    CHECK_EQ(g.format, GL_FORMAT_FLAT);
    CHECK(!g.elf);
    CHECK_EQ(g.entry, 0x8000);
    CHECK_EQ(g.lo, 0x8000);
    CHECK_EQ(g.hi, 0x8000 + 300);
    CHECK(!memcmp(ram_mem + 0x8000, img, 300));
    CHECK(ram_is(0, 0x8000, POISON));
    CHECK(ram_is(0x8000 + 300, RAM_SIZE, POISON));
    /* gl_load picks flat for an image without a Multiboot magic. */
    reset();
    img[0] = 0xf4;
    CHECK_EQ(gl_detect(img, 1), GL_FORMAT_FLAT);
    CHECK_EQ(gl_load(img, 1, &ram, 0x8000, &g), GL_OK);
    CHECK_EQ(g.format, GL_FORMAT_FLAT);
    CHECK_EQ(ram_mem[0x8000], 0xf4);
    /* Exactly up to the end of available RAM: below 640 KiB, below the ACPI area. */
    reset();
    CHECK_EQ(gl_load_flat(img, 0x1000, &ram, GL_LOW_RAM_END - 0x1000, &g), GL_OK);
    CHECK_EQ(g.hi, GL_LOW_RAM_END);
    CHECK_EQ(gl_load_flat(img, 0x1000, &ram, ACPI_GPA - 0x1000, &g), GL_OK);
    CHECK_EQ(g.hi, ACPI_GPA);
    CHECK(ram_is(ACPI_GPA, RAM_SIZE, POISON));
}

UT_TEST(gl_flat_rejects)
{
    reset();
    struct gl_image g = { .entry = 0x1234 };
    CHECK_EQ(gl_load_flat(img, 0, &ram, 0x8000, &g), GL_ERR_EMPTY);
    CHECK_EQ(gl_load_flat(img, RAM_SIZE - 0x8000 + 1, &ram, 0x8000, &g), GL_ERR_TOO_BIG);
    CHECK_EQ(gl_load_flat(img, 1, &ram, RAM_SIZE, &g), GL_ERR_TOO_BIG);
    CHECK_EQ(gl_load_flat(img, 16, &ram, UINT64_MAX - 4, &g), GL_ERR_TOO_BIG);
    /* Holes and reserved ranges: VGA, ROM, straddling 640 KiB or 1 MiB, ACPI. */
    CHECK_EQ(gl_load_flat(img, 16, &ram, GL_LOW_RAM_END, &g), GL_ERR_SEG_RESERVED);
    CHECK_EQ(gl_load_flat(img, 16, &ram, GL_ROM_GPA, &g), GL_ERR_SEG_RESERVED);
    CHECK_EQ(gl_load_flat(img, 16, &ram, GL_LOW_RAM_END - 8, &g), GL_ERR_SEG_RESERVED);
    CHECK_EQ(gl_load_flat(img, 16, &ram, GL_HIGH_RAM_GPA - 8, &g), GL_ERR_SEG_RESERVED);
    CHECK_EQ(gl_load_flat(img, 16, &ram, ACPI_GPA - 8, &g), GL_ERR_SEG_RESERVED);
    CHECK_EQ(gl_load_flat(img, 16, &ram, ACPI_GPA + 0x100, &g), GL_ERR_SEG_RESERVED);
    CHECK_EQ(gl_load_flat(img, 16, &ram, RAM_SIZE - 8, &g), GL_ERR_TOO_BIG);   /* ACPI, past */
    CHECK_EQ(gl_load_flat(img, 16, &ram, (uint64_t)5 << 30, &g), GL_ERR_TOO_BIG);
    CHECK_EQ(gl_load_flat(0, 16, &ram, 0x8000, &g), GL_ERR_ARGS);
    CHECK_EQ(gl_load_flat(img, 16, 0, 0x8000, &g), GL_ERR_ARGS);
    struct gl_ram none = ram, empty = { .mem = ram_mem };
    none.mem = 0;
    CHECK_EQ(gl_load_flat(img, 16, &none, 0x8000, &g), GL_ERR_ARGS);
    CHECK_EQ(gl_load_flat(img, 16, &empty, 0x8000, &g), GL_ERR_ARGS);
    CHECK_EQ(gl_load_flat(img, 16, &ram, 0x8000, 0), GL_ERR_ARGS);
    CHECK_EQ(g.entry, 0x1234);                  /* out untouched on failure */
    CHECK(ram_untouched());
}

UT_TEST(gl_detect_formats)
{
    reset();
    CHECK_EQ(gl_detect(img, sizeof(img)), GL_FORMAT_FLAT);
    CHECK_EQ(gl_detect(0, 0), GL_FORMAT_FLAT);
    mb1_header(0x100, 0);
    CHECK_EQ(gl_detect(img, sizeof(img)), GL_FORMAT_MB1);
    CHECK_EQ(gl_detect(img, 0x100), GL_FORMAT_FLAT);        /* past the end of the image */
    mb2_begin(0x208);
    mb2_end();
    CHECK_EQ(gl_detect(img, sizeof(img)), GL_FORMAT_MB2);
    reset();
    w32(img + 8192, GL_MB1_MAGIC);              /* outside the v1 window */
    w32(img + 32768, GL_MB2_MAGIC);             /* outside the v2 window */
    w32(img + 2, GL_MB1_MAGIC);                 /* unaligned */
    CHECK_EQ(gl_detect(img, sizeof(img)), GL_FORMAT_FLAT);
}

/* ---- Multiboot v1 ----------------------------------------------------------------------- */

UT_TEST(gl_mb1_elf32_load)
{
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb1_header(MB1_OFF, GL_MB1_PAGE_ALIGN | GL_MB1_MEMORY_INFO);
    struct gl_image g;
    CHECK_EQ(gl_detect(img, STD_LEN), GL_FORMAT_MB1);
    CHECK_EQ(gl_load(img, STD_LEN, &ram, 0x8000, &g), GL_OK);
    CHECK_EQ(g.format, GL_FORMAT_MB1);
    CHECK_EQ(g.header_offset, MB1_OFF);
    CHECK_EQ(g.mb1_flags, 3);
    check_std_loaded(&g);
}

UT_TEST(gl_mb1_elf64_load)
{
    reset();
    build_elf(1, STD_ENTRY, std_segs, 2, STD_LEN);
    mb1_header(MB1_OFF, GL_MB1_MEMORY_INFO | (1u << 20));   /* bits 17..31 are ignored */
    struct gl_image g;
    CHECK_EQ(load_mb(STD_LEN, &g), GL_OK);
    CHECK_EQ(g.format, GL_FORMAT_MB1);
    check_std_loaded(&g);
}

UT_TEST(gl_mb1_skips_non_load_segments)
{
    reset();
    struct tseg s[] = {
        { 4, 0x1000, 0, 0, 0x100, 0x100 },                  /* PT_NOTE */
        { 0, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 },
        { 0, 0x1000, 0x100000, 0x100000, 0, 0 },            /* empty PT_LOAD: ignored */
        { 6, 0, 0, 0, 0, 0 },                               /* PT_PHDR */
    };
    build_elf(0, 0x100000, s, 4, 0x2000);
    mb1_header(MB1_OFF, 0);
    struct gl_image g;
    CHECK_EQ(load_mb(0x2000, &g), GL_OK);
    CHECK_EQ(g.lo, 0x100000);
    CHECK_EQ(g.hi, 0x101000);
    CHECK(ram_is(0, 0x100000, POISON));
}

UT_TEST(gl_mb1_entry_virtual_translated)
{
    reset();
    struct tseg s[] = {
        { 0, 0x1000, 0xc0100000, 0x100000, 0x1000, 0x1000 },   /* higher-half link */
        { 0, 0x2000, 0xc0101000, 0x101000, 0x800, 0x1000 },
    };
    build_elf(0, 0xc0101010, s, 2, 0x2800);
    mb1_header(MB1_OFF, 0);
    struct gl_image g;
    CHECK_EQ(load_mb(0x2800, &g), GL_OK);
    CHECK_EQ(g.entry, 0x101010);
    CHECK_EQ(ram_mem[0x101000], DATA_BYTE(0x2000));
}

UT_TEST(gl_mb1_aout_kludge)
{
    reset();
    uint64_t len = 0x3000;
    for (uint64_t o = 0; o < len; o++)
        img[o] = DATA_BYTE(o);
    /* The file (from offset 0) is linked at 0x200000; the header sits at offset 0x40. */
    mb1_kludge(0x40, 0x200040, 0x200000, 0x202000, 0x204000, 0x200100);
    struct gl_image g;
    CHECK_EQ(gl_detect(img, len), GL_FORMAT_MB1);
    CHECK_EQ(load_mb(len, &g), GL_OK);
    CHECK_EQ(g.format, GL_FORMAT_MB1);
    CHECK(!g.elf);
    CHECK_EQ(g.entry, 0x200100);
    CHECK_EQ(g.lo, 0x200000);
    CHECK_EQ(g.hi, 0x204000);
    CHECK(!memcmp(ram_mem + 0x200000, img, 0x2000));     /* up to load_end_addr only */
    CHECK(ram_is(0x202000, 0x204000, 0));
    CHECK(ram_is(0, 0x200000, POISON));
    CHECK(ram_is(0x204000, RAM_SIZE, POISON));

    /* load_addr above the file's start: loading begins at the right file offset. */
    reset();
    for (uint64_t o = 0; o < len; o++)
        img[o] = DATA_BYTE(o);
    mb1_kludge(0x800, 0x100800, 0x100400, 0, 0, 0x100400);  /* file offset 0x400 on, no bss */
    CHECK_EQ(load_mb(len, &g), GL_OK);
    CHECK_EQ(g.lo, 0x100400);
    CHECK_EQ(g.hi, 0x100400 + len - 0x400);                 /* load_end 0: rest of the file */
    CHECK(!memcmp(ram_mem + 0x100400, img + 0x400, len - 0x400));
    CHECK(ram_is(g.hi, RAM_SIZE, POISON));
}

UT_TEST(gl_mb1_kludge_rejects)
{
    uint64_t len = 0x3000;
    struct gl_image g;
    struct { uint32_t h, l, le, be, e; int want; } c[] = {
        { 0x200040, 0x200041, 0, 0, 0x200100, GL_ERR_ADDR_FIELDS },   /* load_addr > header_addr */
        { 0x200040, 0x1fff00, 0, 0, 0x200100, GL_ERR_ADDR_FIELDS },   /* starts before the file */
        { 0x200040, 0x200000, 0x1fffff, 0, 0x200000, GL_ERR_ADDR_FIELDS }, /* load_end < load */
        { 0x200040, 0x200000, 0x202000, 0x201fff, 0x200100, GL_ERR_ADDR_FIELDS }, /* bss_end */
        { 0x200040, 0x200000, 0x203001, 0, 0x200100, GL_ERR_FILE_TRUNCATED },
        { 0x3ff040, 0x3ff000, 0x402001, 0, 0x3ff100, GL_ERR_FILE_TRUNCATED }, /* before RAM */
        { 0x3ff040, 0x3ff000, 0, 0, 0x3ff100, GL_ERR_SEG_RAM },       /* file runs past RAM */
        { 0x200040, 0x200000, 0x202000, 0x500000, 0x200100, GL_ERR_SEG_RAM }, /* bss past RAM */
        { 0x200040, 0x200000, 0x202000, ACPI_GPA + 1, 0x200100, GL_ERR_SEG_RESERVED }, /* ACPI */
        { 0x0a0040, 0x0a0000, 0, 0, 0x0a0100, GL_ERR_SEG_RESERVED }, /* the VGA hole */
        { 0x09f040, 0x09f000, 0, 0, 0x09f100, GL_ERR_SEG_RESERVED }, /* across 640 KiB */
        { 0x200040, 0x200000, 0x202000, 0, 0x202000, GL_ERR_ENTRY },  /* entry past the data */
        { 0x200040, 0x200000, 0x202000, 0x204000, 0x203000, GL_ERR_ENTRY }, /* entry in bss */
        { 0x200040, 0x200000, 0x202000, 0, 0x1fffff, GL_ERR_ENTRY },
        { 0x200040, 0x200000, 0x200000, 0, 0x200000, GL_ERR_ENTRY },  /* nothing loaded */
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        reset();
        mb1_kludge(0x40, c[i].h, c[i].l, c[i].le, c[i].be, c[i].e);
        int rc = load_mb(len, &g);
        if (rc != c[i].want)
            printf("    case %u: %d (%s)\n", i, rc, gl_error_name(rc));
        CHECK_EQ(rc, c[i].want);
        CHECK(ram_untouched());
    }
    /* The address fields themselves past the end of the file. */
    reset();
    mb1_kludge(0x40, 0x200040, 0x200000, 0, 0, 0x200040);
    CHECK_EQ(load_mb(0x40 + 28, &g), GL_ERR_HEADER_TRUNCATED);
    CHECK_EQ(load_mb(0x40 + 32, &g), GL_OK);
}

UT_TEST(gl_mb1_header_rejects)
{
    struct gl_image g;
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_NO_HEADER);
    mb1_header(MB1_OFF, 0);
    w32(img + MB1_OFF + 8, 0);                              /* bad checksum */
    CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_CHECKSUM);
    CHECK_EQ(gl_load(img, STD_LEN, &ram, 0x8000, &g), GL_ERR_CHECKSUM);  /* not flat */
    /* A bad candidate before a good one: the good one is used. */
    mb1_header(MB1_OFF + 0x40, 0);
    CHECK_EQ(load_mb(STD_LEN, &g), GL_OK);
    CHECK_EQ(g.header_offset, MB1_OFF + 0x40);
    CHECK(!ram_untouched());

    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb1_header(MB1_OFF + 2, 0);                             /* not 4-aligned */
    CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_NO_HEADER);
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, 0x4000);
    mb1_header(8192, 0);                                    /* past the first 8 KiB */
    CHECK_EQ(load_mb(0x4000, &g), GL_ERR_NO_HEADER);
    mb1_header(8188, 0);                                    /* magic in the window: found */
    CHECK_EQ(load_mb(0x4000, &g), GL_OK);

    unsigned bad_flags[] = { GL_MB1_VIDEO_MODE, 1u << 3, 1u << 15 };
    for (unsigned i = 0; i < 3; i++) {
        reset();
        build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
        mb1_header(MB1_OFF, GL_MB1_MEMORY_INFO | bad_flags[i]);
        CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_MB1_FLAGS);
        CHECK(ram_untouched());
    }

    /* Magic in the last 4 bytes: flags and checksum cut off. */
    reset();
    w32(img + 0x100, GL_MB1_MAGIC);
    CHECK_EQ(load_mb(0x104, &g), GL_ERR_HEADER_TRUNCATED);
    CHECK_EQ(load_mb(0x10c, &g), GL_ERR_CHECKSUM);          /* zeros follow: bad sum */
    /* A valid header on a file that is not ELF and has no address fields. */
    reset();
    mb1_header(0, 0);
    CHECK_EQ(load_mb(0x200, &g), GL_ERR_NOT_ELF);
    CHECK(ram_untouched());
    /* Empty image, bad arguments. */
    CHECK_EQ(load_mb(0, &g), GL_ERR_EMPTY);
    CHECK_EQ(gl_load_multiboot(0, 10, &ram, &g), GL_ERR_ARGS);
    CHECK_EQ(gl_load_multiboot(img, 10, 0, &g), GL_ERR_ARGS);
    CHECK_EQ(gl_load_multiboot(img, 10, &ram, 0), GL_ERR_ARGS);
}

/* ---- ELF checks (through Multiboot v1) -------------------------------------------------- */

static void std_elf(int is64)
{
    reset();
    build_elf(is64, STD_ENTRY, std_segs, 2, STD_LEN);
    mb1_header(MB1_OFF, 0);
}

UT_TEST(gl_elf_header_rejects)
{
    struct gl_image g;
    for (int is64 = 0; is64 < 2; is64++) {
        std_elf(is64);
        img[4] = 3;                                         /* class */
        CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_ELF_HEADER);
        std_elf(is64);
        img[5] = 2;                                         /* big endian */
        CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_ELF_HEADER);
        std_elf(is64);
        img[6] = 0;                                         /* ident version */
        CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_ELF_HEADER);
        std_elf(is64);
        w32(img + 20, 2);                                   /* e_version */
        CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_ELF_HEADER);
        std_elf(is64);
        w16(img + 16, 3);                                   /* ET_DYN */
        CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_ELF_HEADER);
        std_elf(is64);
        w16(img + 18, is64 ? 3 : 40);                       /* i386 ELF64, ARM ELF32 */
        CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_ELF_HEADER);
        std_elf(is64);
        w16(img + (is64 ? 54 : 42), is64 ? 55 : 31);        /* phentsize too small */
        CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_ELF_HEADER);
        std_elf(is64);
        w16(img + (is64 ? 56 : 44), 0);                     /* no program headers */
        CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_NO_SEGMENTS);
        std_elf(is64);
        if (is64)
            w64(img + 32, STD_LEN - 56);                    /* phdrs past the end */
        else
            w32(img + 28, STD_LEN - 32);
        CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_ELF_TRUNCATED);
        std_elf(is64);
        if (is64)
            w64(img + 32, UINT64_MAX - 8);                  /* phoff wraps */
        else
            w32(img + 28, UINT32_MAX - 8);
        CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_ELF_TRUNCATED);
        CHECK(ram_untouched());
    }
    /* The file ends inside the ELF header (the Multiboot header is all there is). */
    reset();
    memcpy(img, "\x7f" "ELF", 4);
    img[4] = 2;
    img[5] = 1;
    img[6] = 1;
    mb1_header(16, 0);
    CHECK_EQ(load_mb(60, &g), GL_ERR_ELF_TRUNCATED);
    img[4] = 1;
    CHECK_EQ(load_mb(48, &g), GL_ERR_ELF_TRUNCATED);
}

UT_TEST(gl_elf_segment_rejects)
{
    struct gl_image g;
    struct { struct tseg s[2]; uint64_t entry; int want; } c[] = {
        { { { 0, 0x1000, 0x100000, 0x100000, 0x1001, 0x1000 } }, 0x100000, GL_ERR_SEG_SIZE },
        { { { 0, 0x1000, 0x100000, 0x100000, 0x1801, 0x2000 } }, 0x100000, GL_ERR_FILE_TRUNCATED },
        { { { 0, 0x2800, 0x100000, 0x100000, 1, 1 } }, 0x100000, GL_ERR_FILE_TRUNCATED },
        { { { 0, UINT32_MAX, 0x100000, 0x100000, 2, 2 } }, 0x100000, GL_ERR_FILE_TRUNCATED },
        { { { 0, 0x1000, 0x3ff000, 0x3ff000, 0x1000, 0x1001 } }, 0x3ff000, GL_ERR_SEG_RAM },
        { { { 0, 0x1000, 0x400000, 0x400000, 0, 1 } }, 0x400000, GL_ERR_SEG_RAM },
        { { { 0, 0x1000, 0xfffff000, 0xfffff000, 0x1000, 0x2000 } }, 0xfffff000, GL_ERR_SEG_RAM },
        { { { 0, 0x1000, 0xa0000, 0xa0000, 0x1000, 0x1000 } }, 0xa0000, GL_ERR_SEG_RESERVED },
        { { { 0, 0x1000, 0xff000, 0xff000, 0x1000, 0x2000 } }, 0xff000, GL_ERR_SEG_RESERVED },
        { { { 0, 0x1000, 0x9f800, 0x9f800, 0x1000, 0x1000 } }, 0x9f800, GL_ERR_SEG_RESERVED },
        { { { 0, 0x1000, ACPI_GPA, ACPI_GPA, 0x1000, 0x1000 } }, ACPI_GPA, GL_ERR_SEG_RESERVED },
        { { { 0, 0x1000, 0x3e0000, 0x3e0000, 0x1000, 0x10001 } }, 0x3e0000, GL_ERR_SEG_RESERVED },
        { { { 0, 0x1000, 0x3ff000, 0x3ff000, 0x1000, 0x1000 } }, 0x3ff000, GL_ERR_SEG_RESERVED },
        { { { 0, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 },
            { 0, 0x1000, 0x100fff, 0x100fff, 0x10, 0x10 } }, 0x100000, GL_ERR_SEG_OVERLAP },
        { { { 0, 0x1000, 0x101000, 0x101000, 0x10, 0x10 },
            { 0, 0x1000, 0x100000, 0x100000, 0x1000, 0x2000 } }, 0x100000, GL_ERR_SEG_OVERLAP },
        { { { 0, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 } }, 0x101000, GL_ERR_ENTRY },
        { { { 0, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 } }, 0xfffff, GL_ERR_ENTRY },
        { { { 4, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 } }, 0x100000, GL_ERR_NO_SEGMENTS },
        { { { 0, 0x1000, 0x100000, 0x100000, 0, 0 } }, 0x100000, GL_ERR_NO_SEGMENTS },
    };
    for (int is64 = 0; is64 < 2; is64++) {
        for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
            reset();
            unsigned n = c[i].s[1].memsz || c[i].s[1].filesz ? 2 : 1;
            build_elf(is64, c[i].entry, c[i].s, n, STD_LEN);
            mb1_header(MB1_OFF, 0);
            int rc = load_mb(STD_LEN, &g);
            if (rc != c[i].want)
                printf("    %s case %u: %d (%s)\n", is64 ? "ELF64" : "ELF32", i, rc,
                       gl_error_name(rc));
            CHECK_EQ(rc, c[i].want);
            CHECK(ram_untouched());
        }
    }
    /* ELF64 only: a segment address that wraps, an entry at 4 GiB or above. */
    reset();
    struct tseg wrap[] = { { 0, 0x1000, 0, UINT64_MAX - 0xfff, 0x1000, 0x2000 } };
    build_elf(1, 0x100000, wrap, 1, STD_LEN);
    mb1_header(MB1_OFF, 0);
    CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_SEG_RAM);
    reset();
    struct tseg offwrap[] = { { 0, UINT64_MAX - 0x10, 0x100000, 0x100000, 0x20, 0x20 } };
    build_elf(1, 0x100000, offwrap, 1, STD_LEN);
    mb1_header(MB1_OFF, 0);
    CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_FILE_TRUNCATED);
    reset();
    struct tseg high[] = { { 0, 0x1000, 0x100000000ull, 0x100000, 0x1000, 0x1000 } };
    build_elf(1, 0x100000, high, 1, STD_LEN);               /* entry = paddr: fine */
    mb1_header(MB1_OFF, 0);
    CHECK_EQ(load_mb(STD_LEN, &g), GL_OK);
    CHECK_EQ(g.entry, 0x100000);
    reset();
    build_elf(1, 0x100000010ull, high, 1, STD_LEN);         /* entry translated from vaddr */
    mb1_header(MB1_OFF, 0);
    CHECK_EQ(load_mb(STD_LEN, &g), GL_OK);
    CHECK_EQ(g.entry, 0x100010);
    reset();
    build_elf(1, 0x100100000ull, std_segs, 2, STD_LEN);    /* 4 GiB + 1 MiB: nowhere */
    mb1_header(MB1_OFF, 0);
    CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_ENTRY);
    CHECK(ram_untouched());
}

/* ---- Multiboot v2 ---------------------------------------------------------------------------- */

UT_TEST(gl_mb2_elf_load)
{
    for (int is64 = 0; is64 < 2; is64++) {
        reset();
        build_elf(is64, STD_ENTRY, std_segs, 2, STD_LEN);
        mb2_begin(MB2_OFF);
        uint8_t *req = mb2_tag(GL_MB2_HTAG_INFO_REQUEST, 0, 8 + 4 * 4);
        w32(req, GL_MB2_TAG_CMDLINE);
        w32(req + 4, GL_MB2_TAG_BASIC_MEMINFO);
        w32(req + 8, GL_MB2_TAG_MMAP);
        w32(req + 12, GL_MB2_TAG_LOADER_NAME);
        w32(mb2_tag(GL_MB2_HTAG_CONSOLE, 0, 12), 2);        /* EGA text supported, not required */
        w32(mb2_tag(GL_MB2_HTAG_FRAMEBUFFER, GL_MB2_HTAG_OPTIONAL, 20), 1024);
        mb2_tag(GL_MB2_HTAG_MODULE_ALIGN, 0, 8);
        mb2_tag(GL_MB2_HTAG_RELOCATABLE, 0, 24);
        mb2_tag(0x7777, GL_MB2_HTAG_OPTIONAL, 12);          /* unknown but optional */
        mb2_end();
        struct gl_image g;
        CHECK_EQ(gl_detect(img, STD_LEN), GL_FORMAT_MB2);
        CHECK_EQ(gl_load(img, STD_LEN, &ram, 0x8000, &g), GL_OK);
        CHECK_EQ(g.format, GL_FORMAT_MB2);
        CHECK_EQ(g.header_offset, MB2_OFF);
        check_std_loaded(&g);
    }
}

UT_TEST(gl_mb2_entry_tag_overrides)
{
    reset();
    build_elf(1, STD_ENTRY, std_segs, 2, STD_LEN);
    mb2_begin(MB2_OFF);
    w32(mb2_tag(GL_MB2_HTAG_ENTRY, 0, 12), 0x101004);
    mb2_end();
    struct gl_image g;
    CHECK_EQ(load_mb(STD_LEN, &g), GL_OK);
    CHECK_EQ(g.entry, 0x101004);
    /* ... and is checked like e_entry. */
    reset();
    build_elf(1, STD_ENTRY, std_segs, 2, STD_LEN);
    mb2_begin(MB2_OFF);
    w32(mb2_tag(GL_MB2_HTAG_ENTRY, 0, 12), 0x103000);
    mb2_end();
    CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_ENTRY);
    CHECK(ram_untouched());
}

static void mb2_address(uint32_t h, uint32_t l, uint32_t le, uint32_t be)
{
    uint8_t *a = mb2_tag(GL_MB2_HTAG_ADDRESS, 0, 24);
    w32(a, h);
    w32(a + 4, l);
    w32(a + 8, le);
    w32(a + 12, be);
}

UT_TEST(gl_mb2_address_tag)
{
    reset();
    uint64_t len = 0x3000;
    for (uint64_t o = 0; o < len; o++)
        img[o] = DATA_BYTE(o);
    mb2_begin(0x80);
    mb2_address(0x200080, 0x200000, 0x202800, 0x203000);
    w32(mb2_tag(GL_MB2_HTAG_ENTRY, 0, 12), 0x200200);
    mb2_end();
    struct gl_image g;
    CHECK_EQ(load_mb(len, &g), GL_OK);
    CHECK_EQ(g.format, GL_FORMAT_MB2);
    CHECK(!g.elf);
    CHECK_EQ(g.entry, 0x200200);
    CHECK_EQ(g.lo, 0x200000);
    CHECK_EQ(g.hi, 0x203000);
    CHECK(!memcmp(ram_mem + 0x200000, img, 0x2800));
    CHECK(ram_is(0x202800, 0x203000, 0));
    CHECK(ram_is(0, 0x200000, POISON));
    CHECK(ram_is(0x203000, RAM_SIZE, POISON));

    /* An address tag wins over ELF headers. */
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb2_begin(MB2_OFF);
    mb2_address(0x300000 + MB2_OFF, 0x300000, 0, 0);
    w32(mb2_tag(GL_MB2_HTAG_ENTRY, 0, 12), 0x300000);
    mb2_end();
    CHECK_EQ(load_mb(STD_LEN, &g), GL_OK);
    CHECK(!g.elf);
    CHECK_EQ(g.lo, 0x300000);
    CHECK_EQ(g.hi, 0x300000 + STD_LEN);
    CHECK(!memcmp(ram_mem + 0x300000, img, STD_LEN));

    /* load_addr -1: from the start of the file, placed by header_addr. */
    reset();
    for (uint64_t o = 0; o < len; o++)
        img[o] = DATA_BYTE(o);
    mb2_begin(0x100);
    mb2_address(0x180100, 0xffffffffu, 0, 0x184000);
    w32(mb2_tag(GL_MB2_HTAG_ENTRY, 0, 12), 0x180000);
    mb2_end();
    CHECK_EQ(load_mb(len, &g), GL_OK);
    CHECK_EQ(g.lo, 0x180000);
    CHECK_EQ(g.hi, 0x184000);
    CHECK(!memcmp(ram_mem + 0x180000, img, len));
    CHECK(ram_is(0x180000 + len, 0x184000, 0));
}

UT_TEST(gl_mb2_address_rejects)
{
    uint64_t len = 0x3000;
    struct gl_image g;
    struct { uint32_t h, l, le, be, e; int want; } c[] = {
        { 0x200080, 0x200081, 0, 0, 0x200100, GL_ERR_ADDR_FIELDS },
        { 0x200080, 0x1fff00, 0, 0, 0x200100, GL_ERR_ADDR_FIELDS },
        { 0x000040, 0xffffffffu, 0, 0, 0x200100, GL_ERR_ADDR_FIELDS },  /* header_addr < offset */
        { 0x200080, 0x200000, 0x100000, 0, 0x200100, GL_ERR_ADDR_FIELDS },
        { 0x200080, 0x200000, 0x202000, 0x201000, 0x200100, GL_ERR_ADDR_FIELDS },
        { 0x200080, 0x200000, 0x204000, 0, 0x200100, GL_ERR_FILE_TRUNCATED },
        { 0x3fe080, 0x3fe000, 0, 0, 0x3fe100, GL_ERR_SEG_RAM },
        { 0x200080, 0x200000, 0, 0, 0x100000, GL_ERR_ENTRY },
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        reset();
        mb2_begin(0x80);
        mb2_address(c[i].h, c[i].l, c[i].le, c[i].be);
        w32(mb2_tag(GL_MB2_HTAG_ENTRY, 0, 12), c[i].e);
        mb2_end();
        int rc = load_mb(len, &g);
        if (rc != c[i].want)
            printf("    case %u: %d (%s)\n", i, rc, gl_error_name(rc));
        CHECK_EQ(rc, c[i].want);
        CHECK(ram_untouched());
    }
    /* Address tag without an entry-address tag. */
    reset();
    mb2_begin(0x80);
    mb2_address(0x200080, 0x200000, 0, 0);
    mb2_end();
    CHECK_EQ(load_mb(len, &g), GL_ERR_NO_ENTRY);
    /* Address and entry tags too short for their fields. */
    reset();
    mb2_begin(0x80);
    mb2_tag(GL_MB2_HTAG_ADDRESS, 0, 20);
    mb2_end();
    CHECK_EQ(load_mb(len, &g), GL_ERR_MB2_TAG);
    reset();
    mb2_begin(0x80);
    mb2_tag(GL_MB2_HTAG_ENTRY, 0, 8);
    mb2_end();
    CHECK_EQ(load_mb(len, &g), GL_ERR_MB2_TAG);
    CHECK(ram_untouched());
}

/* A v2 ELF kernel whose header carries one extra tag of the given shape. */
static int mb2_with_tag(uint16_t type, uint16_t flags, uint32_t size, uint32_t word0)
{
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb2_begin(MB2_OFF);
    uint8_t *b = mb2_tag(type, flags, size);
    if (size >= 12)
        w32(b, word0);
    mb2_end();
    struct gl_image g;
    return load_mb(STD_LEN, &g);
}

UT_TEST(gl_mb2_tag_rules)
{
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_FRAMEBUFFER, 0, 20, 800), GL_ERR_MB2_UNSUPPORTED);
    CHECK(ram_untouched());
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_FRAMEBUFFER, GL_MB2_HTAG_OPTIONAL, 20, 800), GL_OK);
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_CONSOLE, 0, 12, 1), GL_ERR_MB2_UNSUPPORTED);
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_CONSOLE, GL_MB2_HTAG_OPTIONAL, 12, 1), GL_OK);
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_CONSOLE, 0, 12, 2), GL_OK);
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_CONSOLE, 0, 8, 0), GL_ERR_MB2_TAG);
    CHECK_EQ(mb2_with_tag(7, 0, 8, 0), GL_ERR_MB2_UNSUPPORTED);        /* EFI boot services */
    CHECK_EQ(mb2_with_tag(9, 0, 12, 0x100000), GL_ERR_MB2_UNSUPPORTED); /* EFI amd64 entry */
    CHECK_EQ(mb2_with_tag(9, GL_MB2_HTAG_OPTIONAL, 12, 0x100000), GL_OK);
    CHECK_EQ(mb2_with_tag(0x1234, 0, 8, 0), GL_ERR_MB2_UNSUPPORTED);
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_INFO_REQUEST, 0, 12, 8), GL_ERR_MB2_UNSUPPORTED); /* fb info */
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_INFO_REQUEST, GL_MB2_HTAG_OPTIONAL, 12, 8), GL_OK);
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_INFO_REQUEST, 0, 12, GL_MB2_TAG_MODULE), GL_OK);
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_INFO_REQUEST, 0, 8, 0), GL_OK);  /* empty request */
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_MODULE_ALIGN, 0, 8, 0), GL_OK);
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_ADDRESS + 0x100, GL_MB2_HTAG_OPTIONAL, 16, 0), GL_OK);
}

UT_TEST(gl_mb2_header_rejects)
{
    struct gl_image g;
    /* Checksum. */
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb2_begin(MB2_OFF);
    mb2_end();
    CHECK_EQ(load_mb(STD_LEN, &g), GL_OK);
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb2_begin(MB2_OFF);
    mb2_end();
    w32(img + MB2_OFF + 12, r32(img + MB2_OFF + 12) + 1);
    CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_CHECKSUM);
    CHECK(ram_untouched());
    /* Architecture 4 (MIPS) with a good checksum. */
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb2_begin(MB2_OFF);
    mb2_end_arch(4);
    CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_MB2_ARCH);
    /* Alignment and search window. */
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb2_begin(MB2_OFF + 4);
    mb2_end();
    CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_NO_HEADER);
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, 0x9000);
    mb2_begin(32768);
    mb2_end();
    CHECK_EQ(load_mb(0x9000, &g), GL_ERR_NO_HEADER);
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, 0x9000);
    mb2_begin(32768 - 8);
    mb2_end();
    CHECK_EQ(load_mb(0x9000, &g), GL_OK);
    /* header_length: past the file, too short for an end tag, not ending in one. */
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb2_begin(MB2_OFF);
    mb2_end();
    CHECK_EQ(load_mb(MB2_OFF + 23, &g), GL_ERR_HEADER_TRUNCATED);
    CHECK_EQ(load_mb(MB2_OFF + 12, &g), GL_ERR_HEADER_TRUNCATED);   /* fixed part cut */
    struct { uint32_t hlen; int want; } lens[] = { { 16, GL_ERR_MB2_TAG }, { 20, GL_ERR_MB2_TAG },
                                                   { 0x2000, GL_ERR_MB2_TAG },
                                                   { 0x10000, GL_ERR_HEADER_TRUNCATED } };
    for (unsigned i = 0; i < 4; i++) {
        reset();
        build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
        w32(img + MB2_OFF, GL_MB2_MAGIC);
        w32(img + MB2_OFF + 8, lens[i].hlen);
        w32(img + MB2_OFF + 12, 0u - GL_MB2_MAGIC - lens[i].hlen);
        /* No end tag anywhere: tags of type 6 (module align) all the way. */
        for (uint64_t t = MB2_OFF + 16; t + 8 <= 0x1000; t += 8) {
            w16(img + t, GL_MB2_HTAG_MODULE_ALIGN);
            w32(img + t + 4, 8);
        }
        int rc = load_mb(STD_LEN, &g);
        CHECK_EQ(rc, lens[i].want);
    }
    /* A tag smaller than 8 bytes, a tag past header_length. */
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb2_begin(MB2_OFF);
    mb2_tag(GL_MB2_HTAG_MODULE_ALIGN, 0, 4);
    mb2_end();
    CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_MB2_TAG);
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb2_begin(MB2_OFF);
    mb2_tag(GL_MB2_HTAG_MODULE_ALIGN, 0, 8);
    mb2_end();
    w32(img + MB2_OFF + 16 + 4, 64);                        /* module-align tag now 64 bytes */
    CHECK_EQ(load_mb(STD_LEN, &g), GL_ERR_MB2_TAG);
    CHECK(ram_untouched());
    /* An ELF-less v2 image without an address tag. */
    reset();
    mb2_begin(0);
    mb2_end();
    CHECK_EQ(load_mb(0x100, &g), GL_ERR_NOT_ELF);
}

UT_TEST(gl_mb2_preferred_over_mb1)
{
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb1_header(MB1_OFF, 0);
    mb2_begin(MB2_OFF + 0x40);
    mb2_end();
    struct gl_image g;
    CHECK_EQ(load_mb(STD_LEN, &g), GL_OK);
    CHECK_EQ(g.format, GL_FORMAT_MB2);
    CHECK_EQ(g.header_offset, MB2_OFF + 0x40);
    /* A broken v2 header does not hide a good v1 header. */
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb1_header(MB1_OFF, 0);
    mb2_begin(MB2_OFF + 0x40);
    mb2_end();
    w32(img + MB2_OFF + 0x40 + 12, 0);
    CHECK_EQ(gl_detect(img, STD_LEN), GL_FORMAT_MB2);
    CHECK_EQ(load_mb(STD_LEN, &g), GL_OK);
    CHECK_EQ(g.format, GL_FORMAT_MB1);
    check_std_loaded(&g);
}

/* ---- unknown formats ------------------------------------------------------------------------ */

UT_TEST(gl_unknown_formats)
{
    struct gl_image g = { .entry = 0x1234 };
    /* An ELF kernel without a Multiboot header is not a flat binary. */
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    CHECK_EQ(gl_detect(img, STD_LEN), GL_FORMAT_FLAT);
    CHECK_EQ(gl_load(img, STD_LEN, &ram, 0x8000, &g), GL_ERR_UNKNOWN_FORMAT);
    CHECK_EQ(gl_load(img, 4, &ram, 0x8000, &g), GL_ERR_UNKNOWN_FORMAT);
    CHECK_EQ(gl_load(img, STD_LEN, 0, 0x8000, &g), GL_ERR_ARGS);
    /* A Linux bzImage: boot signature at 0x1FE, "HdrS" at 0x202. */
    reset();
    w16(img + 0x1fe, 0xaa55);
    memcpy(img + 0x202, "HdrS", 4);
    CHECK_EQ(gl_load(img, 0x4000, &ram, 0x8000, &g), GL_ERR_UNKNOWN_FORMAT);
    CHECK_EQ(gl_load(img, 0x205, &ram, 0x8000, &g), GL_OK);  /* cut short: just bytes */
    reset();
    memcpy(img + 0x202, "HdrS", 4);                         /* no boot signature: flat */
    CHECK_EQ(gl_load(img, 0x4000, &ram, 0x8000, &g), GL_OK);
    CHECK_EQ(g.format, GL_FORMAT_FLAT);
    reset();
    memcpy(img, "\x7f" "ELG", 4);                           /* not quite ELF: flat */
    CHECK_EQ(gl_load(img, 0x100, &ram, 0x8000, &g), GL_OK);
    /* A Multiboot header makes an ELF file loadable. */
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb1_header(MB1_OFF, 0);
    CHECK_EQ(gl_load(img, STD_LEN, &ram, 0x8000, &g), GL_OK);
    check_std_loaded(&g);
}

/* ---- Multiboot information ------------------------------------------------------------------ */

/* The memory map of the 4 MiB layout. */
static const struct gl_range map4m[] = {
    { 0, 0xa0000, 1 },
    { 0xa0000, 0x40000, 2 },
    { 0xe0000, 0x20000, 2 },
    { 0x100000, ACPI_GPA - 0x100000, 1 },
    { ACPI_GPA, 0x10000, 3 },
};
#define MEM_UPPER_4M ((ACPI_GPA - 0x100000) / 1024)

/* Module bytes: module i, byte k. */
#define MOD_BYTE(i, k) ((uint8_t)((k) * 13 + (i) * 101 + 1))
static uint8_t mod_data[3][0x3000];

static void fill_modules(struct gl_module *m)
{
    static const uint64_t lens[3] = { 5000, 3, 0 };
    static const char *const strs[3] = { "initrd.img root=/dev/ram", 0, "empty" };
    for (unsigned i = 0; i < 3; i++) {
        for (unsigned k = 0; k < sizeof(mod_data[i]); k++)
            mod_data[i][k] = MOD_BYTE(i, k);
        m[i] = (struct gl_module){ mod_data[i], lens[i], strs[i] };
    }
}

/* [a, a+an) and [b, b+bn) share a byte. */
static int overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
    return an && bn && a < b + bn && b < a + an;
}

/* A standard kernel loaded (ELF at 1 MiB, [0x100000, 0x103000)) in the given format. */
static void load_std(enum gl_format f, struct gl_image *g)
{
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    if (f == GL_FORMAT_MB1) {
        mb1_header(MB1_OFF, GL_MB1_PAGE_ALIGN | GL_MB1_MEMORY_INFO);
    } else {
        mb2_begin(MB2_OFF);
        mb2_end();
    }
    CHECK_EQ(gl_load(img, STD_LEN, &ram, 0x8000, g), GL_OK);
    CHECK_EQ(g->format, f);
}

UT_TEST(gl_mbi_v1)
{
    struct gl_image g;
    load_std(GL_FORMAT_MB1, &g);
    struct gl_module mods[3];
    fill_modules(mods);
    struct gl_mbi_args a = { .cmdline = "kernel arg=1", .loader_name = "hv root",
                             .modules = mods, .nmodules = 3 };
    struct gl_boot b;
    CHECK_EQ(gl_build_mbi(&ram, &g, &a, &b), GL_OK);
    /* Entry state (v1 3.2): magic, MBI address, entry. */
    CHECK_EQ(b.eax, GL_MB1_BOOT_MAGIC);
    CHECK_EQ(b.ebx, GL_MBI_AUTO_MIN);                       /* lowest page missing the image */
    CHECK_EQ(b.entry, STD_ENTRY);
    const uint8_t *m = ram_mem + b.ebx;
    uint64_t mbi_end = b.ebx + b.mbi_size;
    CHECK_EQ(r32(m), GL_MBI1_MEM | GL_MBI1_CMDLINE | GL_MBI1_MODS | GL_MBI1_MMAP |
                         GL_MBI1_LOADER);
    CHECK_EQ(r32(m), 0x24d);
    CHECK_EQ(r32(m + 4), 640);                              /* mem_lower, KiB */
    CHECK_EQ(r32(m + 8), MEM_UPPER_4M);                     /* KiB from 1 MiB to the ACPI area */
    CHECK_EQ(r32(m + 12), 0);                               /* no boot device */
    uint32_t cmd = r32(m + 16);
    CHECK(cmd >= b.ebx + 116 && cmd + sizeof("kernel arg=1") <= mbi_end);
    CHECK(!strcmp((const char *)ram_mem + cmd, "kernel arg=1"));
    uint32_t name = r32(m + 64);
    CHECK(name >= b.ebx + 116 && name + sizeof("hv root") <= mbi_end);
    CHECK(!strcmp((const char *)ram_mem + name, "hv root"));

    /* Modules: page-aligned, above the image and the MBI, in order, bytes and strings. */
    CHECK_EQ(r32(m + 20), 3);
    uint32_t mods_addr = r32(m + 24);
    CHECK(mods_addr >= b.ebx + 116 && mods_addr + 3 * 16 <= mbi_end);
    static const char *const want_str[3] = { "initrd.img root=/dev/ram", "", "empty" };
    static const uint32_t want_start[3] = { 0x103000, 0x105000, 0x106000 };
    for (unsigned i = 0; i < 3; i++) {
        const uint8_t *e = ram_mem + mods_addr + 16 * i;
        uint32_t start = r32(e), end = r32(e + 4), str = r32(e + 8);
        CHECK_EQ(start, want_start[i]);
        CHECK_EQ(start % 4096, 0);
        CHECK_EQ(end - start, mods[i].len);                 /* mod_end exclusive */
        CHECK_EQ(r32(e + 12), 0);
        CHECK(str >= b.ebx + 116 && str < mbi_end);
        CHECK(!strcmp((const char *)ram_mem + str, want_str[i]));
        CHECK(!memcmp(ram_mem + start, mod_data[i], mods[i].len));
        CHECK(!overlaps(start, end - start, g.lo, g.hi - g.lo));
        CHECK(!overlaps(start, end - start, b.ebx, b.mbi_size));
        CHECK(start >= g.hi && start >= mbi_end);
    }
    CHECK_EQ(b.mods_lo, 0x103000);
    CHECK_EQ(b.mods_hi, 0x106000);

    /* The memory map: the layout's ranges, size-prefixed entries (v1 3.3). */
    uint32_t mmap_len = r32(m + 44), mmap = r32(m + 48);
    CHECK_EQ(mmap_len, 5 * 24);
    CHECK(mmap >= b.ebx + 116 && mmap + mmap_len <= mbi_end);
    for (unsigned i = 0; i < 5; i++) {
        const uint8_t *e = ram_mem + mmap + 24 * i;
        CHECK_EQ(r32(e), 20);                               /* size, not counting itself */
        CHECK_EQ(r64(e + 4), map4m[i].gpa);
        CHECK_EQ(r64(e + 12), map4m[i].len);
        CHECK_EQ(r32(e + 20), map4m[i].type);
    }
    /* Nothing else written: below the MBI, between it and the image, after the modules. */
    CHECK(ram_is(0, b.ebx, POISON));
    CHECK(ram_is(mbi_end, 0x100000, POISON));
    CHECK(ram_is(0x103000 + 5000, 0x105000, POISON));
    CHECK(ram_is(0x105003, RAM_SIZE, POISON));
    /* The image is intact. */
    CHECK_EQ(ram_mem[0x100000], DATA_BYTE(0x1000));
    CHECK(ram_is(0x101800, 0x103000, 0));
}

/* An ACPI 2.0 RSDP as the VMM would hand it over (contents only need to be copied). */
static void make_rsdp(uint8_t *r)
{
    for (unsigned i = 0; i < GL_RSDP_V2_LEN; i++)
        r[i] = (uint8_t)(0x40 + i);
    memcpy(r, "RSD PTR ", 8);
}

/* Walks a v2 MBI at gpa: checks the framing, returns the tags' offsets by type (first of each). */
struct mb2_seen {
    unsigned count[32];
    uint32_t first[32];
    uint32_t module_off[8];
    unsigned nmod;
};

static void mb2_walk(uint32_t gpa, uint32_t size, struct mb2_seen *s)
{
    memset(s, 0, sizeof(*s));
    const uint8_t *m = ram_mem + gpa;
    uint32_t total = r32(m);
    CHECK_EQ(total, size);
    CHECK_EQ(r32(m + 4), 0);
    uint32_t t = 8;
    int ended = 0;
    while (t + 8 <= total) {
        uint32_t type = r32(m + t), tsize = r32(m + t + 4);
        CHECK_EQ(t % 8, 0);
        CHECK(tsize >= 8 && t + tsize <= total);
        CHECK(type < 32);
        if (type >= 32 || tsize < 8)
            break;
        if (!s->count[type]++)
            s->first[type] = t;
        if (type == GL_MB2_TAG_MODULE && s->nmod < 8)
            s->module_off[s->nmod++] = t;
        if (type == GL_MB2_TAG_END) {
            CHECK_EQ(tsize, 8);
            CHECK_EQ(t + 8, total);
            ended = 1;
            break;
        }
        t += (tsize + 7) & ~7u;
    }
    CHECK(ended);
}

UT_TEST(gl_mbi_v2)
{
    struct gl_image g;
    load_std(GL_FORMAT_MB2, &g);
    struct gl_module mods[3];
    fill_modules(mods);
    uint8_t rsdp[GL_RSDP_V2_LEN];
    make_rsdp(rsdp);
    struct gl_mbi_args a = { .cmdline = "console=ttyS0", .loader_name = "hv",
                             .modules = mods, .nmodules = 3, .rsdp = rsdp,
                             .rsdp_len = GL_RSDP_V2_LEN, .mbi_addr = 0x10000 };
    struct gl_boot b;
    CHECK_EQ(gl_build_mbi(&ram, &g, &a, &b), GL_OK);
    CHECK_EQ(b.eax, GL_MB2_BOOT_MAGIC);
    CHECK_EQ(b.ebx, 0x10000);
    CHECK_EQ(b.entry, STD_ENTRY);
    struct mb2_seen s;
    mb2_walk(b.ebx, b.mbi_size, &s);
    const uint8_t *m = ram_mem + b.ebx;
    /* Exactly one of each, three modules, nothing else. */
    for (unsigned type = 0; type < 32; type++) {
        unsigned want = type == 3 ? 3 : (type <= 2 || type == 4 || type == 6 || type == 14 ||
                                        type == 15);
        CHECK_EQ(s.count[type], want);
    }
    const uint8_t *t = m + s.first[GL_MB2_TAG_CMDLINE];
    CHECK_EQ(r32(t + 4), 8 + sizeof("console=ttyS0"));
    CHECK(!strcmp((const char *)t + 8, "console=ttyS0"));
    t = m + s.first[GL_MB2_TAG_LOADER_NAME];
    CHECK_EQ(r32(t + 4), 8 + sizeof("hv"));
    CHECK(!strcmp((const char *)t + 8, "hv"));
    t = m + s.first[GL_MB2_TAG_BASIC_MEMINFO];
    CHECK_EQ(r32(t + 4), 16);
    CHECK_EQ(r32(t + 8), 640);
    CHECK_EQ(r32(t + 12), MEM_UPPER_4M);
    t = m + s.first[GL_MB2_TAG_MMAP];
    CHECK_EQ(r32(t + 4), 16 + 5 * 24);
    CHECK_EQ(r32(t + 8), 24);                               /* entry_size */
    CHECK_EQ(r32(t + 12), 0);                               /* entry_version */
    for (unsigned i = 0; i < 5; i++) {
        const uint8_t *e = t + 16 + 24 * i;
        CHECK_EQ(r64(e), map4m[i].gpa);
        CHECK_EQ(r64(e + 8), map4m[i].len);
        CHECK_EQ(r32(e + 16), map4m[i].type);
        CHECK_EQ(r32(e + 20), 0);
    }
    t = m + s.first[GL_MB2_TAG_ACPI_OLD];
    CHECK_EQ(r32(t + 4), 8 + 20);
    CHECK(!memcmp(t + 8, rsdp, 20));
    t = m + s.first[GL_MB2_TAG_ACPI_NEW];
    CHECK_EQ(r32(t + 4), 8 + 36);
    CHECK(!memcmp(t + 8, rsdp, 36));
    /* Modules: above the image (the MBI is below it), page-aligned, in order. */
    static const char *const want_str[3] = { "initrd.img root=/dev/ram", "", "empty" };
    static const uint32_t want_start[3] = { 0x103000, 0x105000, 0x106000 };
    CHECK_EQ(s.nmod, 3);
    for (unsigned i = 0; i < 3 && i < s.nmod; i++) {
        t = m + s.module_off[i];
        uint32_t start = r32(t + 8), end = r32(t + 12);
        CHECK_EQ(r32(t + 4), 16 + strlen(want_str[i]) + 1);
        CHECK_EQ(start, want_start[i]);
        CHECK_EQ(end - start, mods[i].len);
        CHECK(!strcmp((const char *)t + 16, want_str[i]));
        CHECK(!memcmp(ram_mem + start, mod_data[i], mods[i].len));
        CHECK(!overlaps(start, end - start, g.lo, g.hi - g.lo));
        CHECK(!overlaps(start, end - start, b.ebx, b.mbi_size));
    }
    CHECK(ram_is(0, 0x10000, POISON));
    CHECK(ram_is(0x10000 + b.mbi_size, 0x100000, POISON));
    CHECK(ram_is(0x105003, RAM_SIZE, POISON));

    /* An ACPI 1.0 RSDP: the old tag only. No RSDP, no modules: neither, no module tag. */
    load_std(GL_FORMAT_MB2, &g);
    a.rsdp_len = GL_RSDP_V1_LEN;
    CHECK_EQ(gl_build_mbi(&ram, &g, &a, &b), GL_OK);
    mb2_walk(b.ebx, b.mbi_size, &s);
    CHECK_EQ(s.count[GL_MB2_TAG_ACPI_OLD], 1);
    CHECK_EQ(s.count[GL_MB2_TAG_ACPI_NEW], 0);
    CHECK(!memcmp(ram_mem + b.ebx + s.first[GL_MB2_TAG_ACPI_OLD] + 8, rsdp, 20));
    load_std(GL_FORMAT_MB2, &g);
    struct gl_mbi_args bare = { 0 };
    CHECK_EQ(gl_build_mbi(&ram, &g, &bare, &b), GL_OK);
    mb2_walk(b.ebx, b.mbi_size, &s);
    CHECK_EQ(s.count[GL_MB2_TAG_ACPI_OLD] + s.count[GL_MB2_TAG_ACPI_NEW], 0);
    CHECK_EQ(s.count[GL_MB2_TAG_MODULE], 0);
    CHECK_EQ(s.count[GL_MB2_TAG_CMDLINE], 1);
    CHECK_EQ(ram_mem[b.ebx + s.first[GL_MB2_TAG_CMDLINE] + 8], 0);  /* NULL: "" */
    CHECK_EQ(b.mods_lo, 0);
    CHECK_EQ(b.mods_hi, 0);
}

UT_TEST(gl_mbi_defaults)
{
    /* NULL arguments: empty strings, no modules, the MBI placed by the loader. */
    struct gl_image g;
    load_std(GL_FORMAT_MB1, &g);
    struct gl_boot b;
    CHECK_EQ(gl_build_mbi(&ram, &g, 0, &b), GL_OK);
    const uint8_t *m = ram_mem + b.ebx;
    CHECK_EQ(b.ebx, 0x1000);
    CHECK_EQ(ram_mem[r32(m + 16)], 0);
    CHECK_EQ(ram_mem[r32(m + 64)], 0);
    CHECK_EQ(r32(m + 20), 0);
    CHECK_EQ(b.mods_lo, 0);
    /* The smallest RAM: 2 MiB. */
    static uint8_t small_mem[2 << 20];
    struct gl_ram small;
    CHECK_EQ(gl_ram_init(&small, small_mem, sizeof(small_mem)), GL_OK);
    struct gl_image tiny = { .format = GL_FORMAT_MB1, .entry = 0x100000, .lo = 0x100000,
                             .hi = 0x101000 };
    CHECK_EQ(gl_build_mbi(&small, &tiny, 0, &b), GL_OK);
    CHECK_EQ(r32(small_mem + b.ebx + 4), 640);
    CHECK_EQ(r32(small_mem + b.ebx + 8), (0x200000 - 0x10000 - 0x100000) / 1024);
}

UT_TEST(gl_mbi_placement)
{
    /* An a.out kernel filling [0x800, 0x9f000): the MBI goes in the last low page, the module
     * skips the VGA/ROM hole to 1 MiB. */
    reset();
    for (uint64_t o = 0; o < 0x1000; o++)
        img[o] = DATA_BYTE(o);
    mb1_kludge(0x40, 0x840, 0x800, 0x1800, 0x9f000, 0x900);
    struct gl_image g;
    CHECK_EQ(load_mb(0x1000, &g), GL_OK);
    CHECK_EQ(g.lo, 0x800);
    CHECK_EQ(g.hi, 0x9f000);
    struct gl_module mod = { mod_data[0], 0x2000, "m" };
    memset(mod_data[0], 0x5a, 0x2000);
    struct gl_mbi_args a = { .cmdline = "c", .modules = &mod, .nmodules = 1 };
    struct gl_boot b;
    CHECK_EQ(gl_build_mbi(&ram, &g, &a, &b), GL_OK);
    CHECK_EQ(b.ebx, 0x9f000);
    CHECK_EQ(b.mods_lo, 0x100000);
    CHECK_EQ(b.mods_hi, 0x102000);
    CHECK_EQ(r32(ram_mem + r32(ram_mem + b.ebx + 24)), 0x100000);
    CHECK(ram_is(0x100000, 0x102000, 0x5a));
    CHECK(ram_is(0xa0000, 0x100000, POISON));               /* the hole: never written */

    /* A kernel in [0x1000, 0xa0000): the MBI moves above 1 MiB, the module after it. */
    reset();
    for (uint64_t o = 0; o < 0x1000; o++)
        img[o] = DATA_BYTE(o);
    mb1_kludge(0x40, 0x1040, 0x1000, 0x2000, 0xa0000, 0x1100);
    CHECK_EQ(load_mb(0x1000, &g), GL_OK);
    CHECK_EQ(gl_build_mbi(&ram, &g, &a, &b), GL_OK);
    CHECK_EQ(b.ebx, 0x100000);
    CHECK_EQ(b.mods_lo, 0x101000);                          /* page after the MBI */
    CHECK(b.mods_lo >= b.ebx + b.mbi_size);

    /* Modules exactly filling RAM up to the ACPI area; one byte more does not fit. */
    struct gl_image std;
    load_std(GL_FORMAT_MB1, &std);
    uint8_t *big = calloc(1, RAM_SIZE);
    CHECK(big != 0);
    struct gl_module two[2] = { { big, 0x1000, "a" }, { big, ACPI_GPA - 0x104000, "b" } };
    struct gl_mbi_args fill = { .modules = two, .nmodules = 2 };
    CHECK_EQ(gl_build_mbi(&ram, &std, &fill, &b), GL_OK);
    CHECK_EQ(b.mods_lo, 0x103000);
    CHECK_EQ(b.mods_hi, ACPI_GPA);
    CHECK(ram_is(ACPI_GPA, RAM_SIZE, POISON));
    load_std(GL_FORMAT_MB1, &std);
    two[1].len++;
    struct gl_boot keep = { 1, 2, 3, 4, 5, 6 };
    CHECK_EQ(gl_build_mbi(&ram, &std, &fill, &keep), GL_ERR_MODULES_NO_ROOM);
    CHECK_EQ(keep.eax, 1);
    CHECK_EQ(keep.mods_hi, 6);
    CHECK(ram_is(0, 0x100000, POISON));                     /* nothing written */
    CHECK(ram_is(0x103000, RAM_SIZE, POISON));
    /* A module larger than all of RAM, or than 4 GiB. */
    struct gl_module huge = { big, RAM_SIZE, 0 };
    fill = (struct gl_mbi_args){ .modules = &huge, .nmodules = 1 };
    CHECK_EQ(gl_build_mbi(&ram, &std, &fill, &b), GL_ERR_MODULES_NO_ROOM);
    huge.len = UINT64_MAX;
    CHECK_EQ(gl_build_mbi(&ram, &std, &fill, &b), GL_ERR_MODULES_NO_ROOM);
    free(big);

    /* An MBI too big for any available range (a 3 MiB command line). */
    char *cmd = malloc(3u << 20);
    CHECK(cmd != 0);
    memset(cmd, 'x', (3u << 20) - 1);
    cmd[(3u << 20) - 1] = 0;
    struct gl_mbi_args longcmd = { .cmdline = cmd };
    CHECK_EQ(gl_build_mbi(&ram, &std, &longcmd, &b), GL_ERR_MBI_NO_ROOM);
    longcmd.mbi_addr = 0x104000;
    CHECK_EQ(gl_build_mbi(&ram, &std, &longcmd, &b), GL_ERR_MBI_RANGE);
    free(cmd);
    CHECK(ram_is(0x103000, RAM_SIZE, POISON));
}

UT_TEST(gl_mbi_rejects)
{
    struct gl_image g;
    load_std(GL_FORMAT_MB2, &g);                            /* image [0x100000, 0x103000) */
    struct gl_boot b = { 1, 2, 3, 4, 5, 6 };
    struct { uint64_t addr; int want; } c[] = {
        { 0x9004, GL_ERR_MBI_RANGE },                       /* unaligned */
        { 0, GL_OK },                                       /* placeholder: automatic */
        { GL_LOW_RAM_END - 64, GL_ERR_MBI_RANGE },          /* runs into the VGA hole */
        { GL_LOW_RAM_END, GL_ERR_MBI_RANGE },
        { GL_ROM_GPA, GL_ERR_MBI_RANGE },
        { ACPI_GPA - 64, GL_ERR_MBI_RANGE },                /* runs into the ACPI area */
        { ACPI_GPA, GL_ERR_MBI_RANGE },
        { RAM_SIZE, GL_ERR_MBI_RANGE },
        { (uint64_t)3 << 30, GL_ERR_MBI_RANGE },            /* PCI hole */
        { UINT64_MAX & ~7ull, GL_ERR_MBI_RANGE },
        { 0x102ff8, GL_ERR_MBI_OVERLAP },                   /* inside the image */
        { 0x100000, GL_ERR_MBI_OVERLAP },
        { 0x100000 - 16, GL_ERR_MBI_RANGE },                /* from the ROM into RAM */
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        if (!c[i].addr)
            continue;
        struct gl_mbi_args a = { .cmdline = "x", .loader_name = "y", .mbi_addr = c[i].addr };
        CHECK_EQ(gl_build_mbi(&ram, &g, &a, &b), c[i].want);
    }
    CHECK_EQ(b.eax, 1);                                     /* untouched on failure */
    CHECK(ram_is(0, 0x100000, POISON));
    CHECK(ram_is(0x103000, RAM_SIZE, POISON));
    struct gl_mbi_args after = { .mbi_addr = 0x103000 };    /* right after the image */
    CHECK_EQ(gl_build_mbi(&ram, &g, &after, &b), GL_OK);
    CHECK_EQ(b.ebx, 0x103000);
    /* Running into an image from below, inside one RAM range. */
    reset();
    mb1_kludge(0x40, 0x200040, 0x200000, 0x201000, 0, 0x200100);
    CHECK_EQ(load_mb(0x1000, &g), GL_OK);
    struct gl_mbi_args below = { .mbi_addr = 0x200000 - 64 };
    CHECK_EQ(gl_build_mbi(&ram, &g, &below, &b), GL_ERR_MBI_OVERLAP);
    below.mbi_addr = 0x200000 - 0x1000;
    CHECK_EQ(gl_build_mbi(&ram, &g, &below, &b), GL_OK);
    CHECK(b.ebx + b.mbi_size <= 0x200000);

    load_std(GL_FORMAT_MB2, &g);
    b = (struct gl_boot){ 1, 2, 3, 4, 5, 6 };
    struct gl_image flat = { .format = GL_FORMAT_FLAT, .lo = 0x8000, .hi = 0x9000 };
    uint8_t rsdp[GL_RSDP_V2_LEN] = { 0 };
    struct gl_mbi_args a = { 0 };
    CHECK_EQ(gl_build_mbi(&ram, &flat, &a, &b), GL_ERR_ARGS);
    CHECK_EQ(gl_build_mbi(0, &g, &a, &b), GL_ERR_ARGS);
    CHECK_EQ(gl_build_mbi(&ram, 0, &a, &b), GL_ERR_ARGS);
    CHECK_EQ(gl_build_mbi(&ram, &g, &a, 0), GL_ERR_ARGS);
    struct gl_ram unset = { .mem = ram_mem };
    CHECK_EQ(gl_build_mbi(&unset, &g, &a, &b), GL_ERR_ARGS);
    a.nmodules = 1;                                         /* no module array */
    CHECK_EQ(gl_build_mbi(&ram, &g, &a, &b), GL_ERR_ARGS);
    struct gl_module nodata = { 0, 16, "x" };
    a.modules = &nodata;
    CHECK_EQ(gl_build_mbi(&ram, &g, &a, &b), GL_ERR_ARGS);
    a = (struct gl_mbi_args){ .rsdp = rsdp, .rsdp_len = 24 };
    CHECK_EQ(gl_build_mbi(&ram, &g, &a, &b), GL_ERR_ARGS);
    a.rsdp_len = 0;
    CHECK_EQ(gl_build_mbi(&ram, &g, &a, &b), GL_ERR_ARGS);
    CHECK_EQ(b.eax, 1);
    CHECK(ram_is(0, 0x100000, POISON));
    CHECK(ram_is(0x103000, RAM_SIZE, POISON));
}

/* v2 information requests for the ACPI tags are honoured (absent when there is no RSDP). */
UT_TEST(gl_mb2_acpi_requests)
{
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_INFO_REQUEST, 0, 12, GL_MB2_TAG_ACPI_OLD), GL_OK);
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_INFO_REQUEST, 0, 12, GL_MB2_TAG_ACPI_NEW), GL_OK);
    CHECK_EQ(mb2_with_tag(GL_MB2_HTAG_INFO_REQUEST, 0, 12, 13),            /* SMBIOS */
             GL_ERR_MB2_UNSUPPORTED);
}

/* ---- the kernel users had: ELF32 of 64-bit code at 4 MiB, 13 MiB of bss ---------------------- */

#define BIG_RAM  (256ull << 20)
#define BSS_SIZE (13u << 20)

/* ELF32 (machine i386 or x86-64), Multiboot v1, text at 4 MiB, data + 13 MiB bss after it. */
static void build_big_kernel(unsigned machine)
{
    reset();
    struct tseg s[] = {
        { 0, 0x1000, 0x400000, 0x400000, 0x1000, 0x1000 },
        { 0, 0x2000, 0x401000, 0x401000, 0x800, 0x800 + BSS_SIZE },
    };
    build_elf(0, 0x400010, s, 2, 0x2800);
    w16(img + 18, (uint16_t)machine);
    mb1_header(MB1_OFF, GL_MB1_PAGE_ALIGN | GL_MB1_MEMORY_INFO);
}

UT_TEST(gl_big_bss_kernel_256m)
{
    uint8_t *mem = malloc(BIG_RAM);
    CHECK(mem != 0);
    if (!mem)
        return;
    struct gl_ram big;
    CHECK_EQ(gl_ram_init(&big, mem, BIG_RAM), GL_OK);
    static const unsigned machines[2] = { 62, 3 };          /* elf32-x86-64, elf32-i386 */
    for (unsigned k = 0; k < 2; k++) {
        build_big_kernel(machines[k]);
        memset(mem, POISON, 32u << 20);                     /* the part that matters */
        struct gl_image g;
        CHECK_EQ(gl_load(img, 0x2800, &big, 0x8000, &g), GL_OK);
        CHECK_EQ(g.format, GL_FORMAT_MB1);
        CHECK(g.elf);
        CHECK_EQ(g.entry, 0x400010);
        CHECK_EQ(g.lo, 0x400000);
        CHECK_EQ(g.hi, 0x401800 + BSS_SIZE);
        int ok = 1;
        for (uint64_t i = 0; i < 0x1000; i++)
            ok &= mem[0x400000 + i] == DATA_BYTE(0x1000 + i);
        for (uint64_t i = 0; i < 0x800; i++)
            ok &= mem[0x401000 + i] == DATA_BYTE(0x2000 + i);
        CHECK(ok);
        int zero = 1;                                       /* the bss, zeroed */
        for (uint64_t i = 0; i < BSS_SIZE; i++)
            zero &= mem[0x401800 + i] == 0;
        CHECK(zero);
        CHECK_EQ(mem[0x401800 + BSS_SIZE], POISON);

        /* An initrd module lands on the page after the bss; the MBI stays low. */
        struct gl_module initrd = { mod_data[0], 0x3000, "initrd" };
        struct gl_mbi_args a = { .cmdline = "big", .loader_name = "hv", .modules = &initrd,
                                 .nmodules = 1 };
        struct gl_boot b;
        CHECK_EQ(gl_build_mbi(&big, &g, &a, &b), GL_OK);
        CHECK_EQ(b.eax, GL_MB1_BOOT_MAGIC);
        CHECK_EQ(b.ebx, 0x1000);
        CHECK_EQ(b.entry, 0x400010);
        CHECK_EQ(b.mods_lo, 0x402000 + BSS_SIZE);
        CHECK_EQ(r32(mem + b.ebx + 8), (BIG_RAM - GL_ACPI_SIZE - (1u << 20)) / 1024);
        const uint8_t *e = mem + r32(mem + b.ebx + 24);
        CHECK_EQ(r32(e), 0x402000 + BSS_SIZE);
        CHECK_EQ(r32(e + 4), 0x405000 + BSS_SIZE);
        CHECK(!memcmp(mem + r32(e), mod_data[0], 0x3000));
        CHECK_EQ(r32(mem + b.ebx + 44), 5 * 24);
        CHECK_EQ(r64(mem + r32(mem + b.ebx + 48) + 4 + 3 * 24 + 8),    /* [1M, ACPI) length */
                 BIG_RAM - GL_ACPI_SIZE - (1u << 20));
    }
    free(mem);

    /* The same kernel (ending at 17 MiB + 6 KiB) in 16 MiB: past the end of RAM; in
     * 17 MiB + 64 KiB: into the ACPI area. Refused before writing, so the 4 MiB buffer
     * under a bigger layout is never written past its end. */
    build_big_kernel(62);
    struct gl_ram other = ram;
    struct gl_image g;
    CHECK_EQ(gl_layout_init(&other.layout, 16u << 20), GL_OK);
    CHECK_EQ(gl_load(img, 0x2800, &other, 0x8000, &g), GL_ERR_SEG_RAM);
    CHECK_EQ(gl_layout_init(&other.layout, (17u << 20) + 0x10000), GL_OK);
    CHECK_EQ(gl_load(img, 0x2800, &other, 0x8000, &g), GL_ERR_SEG_RESERVED);
    CHECK(ram_untouched());
}

/* ---- error names and exit statuses ---------------------------------------------------------- */

UT_TEST(gl_error_names_and_statuses)
{
    const char *names[1 - GL_ERR_LAST];
    int statuses[1 - GL_ERR_LAST];
    CHECK_EQ(GL_ERR_LAST, -28);
    for (int e = 0; e >= GL_ERR_LAST; e--) {
        names[-e] = gl_error_name(e);
        statuses[-e] = gl_error_status(e);
        CHECK(names[-e] && strcmp(names[-e], "unknown loader error"));
        CHECK_EQ(statuses[-e], e ? 64 - e : 0);
        for (int k = 0; k < -e; k++) {
            CHECK(strcmp(names[k], names[-e]));
            CHECK(statuses[k] != statuses[-e]);
        }
    }
    CHECK_EQ(gl_error_status(GL_ERR_ARGS), 65);
    CHECK_EQ(gl_error_status(GL_ERR_UNKNOWN_FORMAT), 92);
    CHECK(!strcmp(gl_error_name(GL_ERR_LAST - 1), "unknown loader error"));
    CHECK(!strcmp(gl_error_name(5), "unknown loader error"));
    CHECK_EQ(gl_error_status(GL_ERR_LAST - 1), GL_STATUS_BASE);
    CHECK_EQ(gl_error_status(5), GL_STATUS_BASE);
    CHECK_EQ(gl_error_status(-1000), GL_STATUS_BASE);
}
