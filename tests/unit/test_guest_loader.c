/*
 * root/vmm/loader.c: Multiboot v1/v2 kernels (ELF32, ELF64, address
 * fields) and flat binaries built in memory, every rejection, and the
 * Multiboot information structures.
 */
#include <stdlib.h>
#include <string.h>
#include "guest_loader.h"
#include "ut.h"

#define RAM_SIZE (4u << 20)
#define POISON   0xaa

static uint8_t ram_mem[RAM_SIZE];
static const struct gl_ram ram = { ram_mem, RAM_SIZE };
static uint8_t img[64 * 1024];

static void reset(void)
{
    memset(ram_mem, POISON, sizeof(ram_mem));
    memset(img, 0, sizeof(img));
}

static void w16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void w32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void w64(uint8_t *p, uint64_t v) { w32(p, (uint32_t)v); w32(p + 4, (uint32_t)(v >> 32)); }
static uint16_t r16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
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
    /* Exactly up to the end of RAM. */
    reset();
    CHECK_EQ(gl_load_flat(img, 0x1000, &ram, RAM_SIZE - 0x1000, &g), GL_OK);
    CHECK_EQ(g.hi, RAM_SIZE);
}

UT_TEST(gl_flat_rejects)
{
    reset();
    struct gl_image g = { .entry = 0x1234 };
    CHECK_EQ(gl_load_flat(img, 0, &ram, 0x8000, &g), GL_ERR_EMPTY);
    CHECK_EQ(gl_load_flat(img, RAM_SIZE - 0x8000 + 1, &ram, 0x8000, &g), GL_ERR_TOO_BIG);
    CHECK_EQ(gl_load_flat(img, 1, &ram, RAM_SIZE, &g), GL_ERR_TOO_BIG);
    CHECK_EQ(gl_load_flat(img, 16, &ram, UINT64_MAX - 4, &g), GL_ERR_TOO_BIG);
    CHECK_EQ(gl_load_flat(0, 16, &ram, 0x8000, &g), GL_ERR_ARGS);
    CHECK_EQ(gl_load_flat(img, 16, 0, 0x8000, &g), GL_ERR_ARGS);
    struct gl_ram none = { 0, RAM_SIZE }, empty = { ram_mem, 0 };
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
        w16(img + 18, is64 ? 3 : 62);                       /* the other machine */
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

/* ---- Multiboot information ------------------------------------------------------------------ */

static struct gl_image mb_image(enum gl_format f)
{
    return (struct gl_image){ .format = f, .elf = true, .entry = 0x100000, .lo = 0x100000,
                              .hi = 0x180000 };
}

UT_TEST(gl_mbi_v1)
{
    reset();
    struct gl_image g = mb_image(GL_FORMAT_MB1);
    struct gl_boot b;
    CHECK_EQ(gl_build_mbi(&ram, &g, 0x9000, "kernel arg=1", "hv root", &b), GL_OK);
    CHECK_EQ(b.eax, GL_MB1_BOOT_MAGIC);
    CHECK_EQ(b.ebx, 0x9000);
    const uint8_t *m = ram_mem + 0x9000;
    uint32_t flags = r32(m);
    CHECK_EQ(flags, (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
    CHECK_EQ(r32(m + 4), 640);                              /* mem_lower, KiB */
    CHECK_EQ(r32(m + 8), (RAM_SIZE - (1u << 20)) / 1024);   /* mem_upper, KiB above 1 MiB */
    CHECK_EQ(r32(m + 12), 0);                               /* no boot device */
    uint32_t cmd = r32(m + 16);
    CHECK(cmd >= 0x9000 && cmd < 0x9000 + b.mbi_size);
    CHECK(!strcmp((const char *)ram_mem + cmd, "kernel arg=1"));
    CHECK_EQ(r32(m + 20), 0);                               /* no modules */
    uint32_t mmap_len = r32(m + 44), mmap = r32(m + 48);
    CHECK_EQ(mmap_len, 24);
    CHECK(mmap >= 0x9000 + 116 && mmap + mmap_len <= 0x9000 + b.mbi_size);
    CHECK_EQ(r32(ram_mem + mmap), 20);                      /* entry size without itself */
    CHECK_EQ(r64(ram_mem + mmap + 4), 0);
    CHECK_EQ(r64(ram_mem + mmap + 12), RAM_SIZE);
    CHECK_EQ(r32(ram_mem + mmap + 20), 1);                  /* available */
    uint32_t name = r32(m + 64);
    CHECK(!strcmp((const char *)ram_mem + name, "hv root"));
    CHECK(name + 8 <= 0x9000 + b.mbi_size);
    CHECK(ram_is(0, 0x9000, POISON));
    CHECK(ram_is(0x9000 + b.mbi_size, RAM_SIZE, POISON));
}

UT_TEST(gl_mbi_v2)
{
    reset();
    struct gl_image g = mb_image(GL_FORMAT_MB2);
    struct gl_boot b;
    CHECK_EQ(gl_build_mbi(&ram, &g, 0x10000, "console=ttyS0", "hv", &b), GL_OK);
    CHECK_EQ(b.eax, GL_MB2_BOOT_MAGIC);
    CHECK_EQ(b.ebx, 0x10000);
    const uint8_t *m = ram_mem + 0x10000;
    uint32_t total = r32(m);
    CHECK_EQ(total, b.mbi_size);
    CHECK_EQ(r32(m + 4), 0);
    unsigned seen = 0;
    uint32_t t = 8;
    while (t + 8 <= total) {
        uint32_t type = r32(m + t), size = r32(m + t + 4);
        CHECK_EQ(t % 8, 0);
        CHECK(size >= 8 && t + size <= total);
        seen |= 1u << type;
        if (type == GL_MB2_TAG_CMDLINE) {
            CHECK_EQ(size, 8 + sizeof("console=ttyS0"));
            CHECK(!strcmp((const char *)m + t + 8, "console=ttyS0"));
        } else if (type == GL_MB2_TAG_LOADER_NAME) {
            CHECK(!strcmp((const char *)m + t + 8, "hv"));
        } else if (type == GL_MB2_TAG_BASIC_MEMINFO) {
            CHECK_EQ(size, 16);
            CHECK_EQ(r32(m + t + 8), 640);
            CHECK_EQ(r32(m + t + 12), (RAM_SIZE - (1u << 20)) / 1024);
        } else if (type == GL_MB2_TAG_MMAP) {
            CHECK_EQ(size, 40);
            CHECK_EQ(r32(m + t + 8), 24);                   /* entry_size */
            CHECK_EQ(r32(m + t + 12), 0);                   /* entry_version */
            CHECK_EQ(r64(m + t + 16), 0);
            CHECK_EQ(r64(m + t + 24), RAM_SIZE);
            CHECK_EQ(r32(m + t + 32), 1);
            CHECK_EQ(r32(m + t + 36), 0);
        } else if (type == GL_MB2_TAG_END) {
            CHECK_EQ(size, 8);
            CHECK_EQ(t + 8, total);
            break;
        } else {
            CHECK(0);
        }
        t += (size + 7) & ~7u;
    }
    CHECK_EQ(seen, (1u << 0) | (1u << 1) | (1u << 2) | (1u << 4) | (1u << 6));
    CHECK(ram_is(0, 0x10000, POISON));
    CHECK(ram_is(0x10000 + total, RAM_SIZE, POISON));
}

UT_TEST(gl_mbi_small_ram_and_defaults)
{
    reset();
    struct gl_ram small = { ram_mem, 512 * 1024 };
    struct gl_image g = { .format = GL_FORMAT_MB1, .lo = 0x10000, .hi = 0x20000 };
    struct gl_boot b;
    CHECK_EQ(gl_build_mbi(&small, &g, 0x1000, 0, 0, &b), GL_OK);  /* NULL strings: "" */
    CHECK_EQ(r32(ram_mem + 0x1000 + 4), 512);
    CHECK_EQ(r32(ram_mem + 0x1000 + 8), 0);
    CHECK_EQ(ram_mem[r32(ram_mem + 0x1000 + 16)], 0);
    CHECK_EQ(ram_mem[r32(ram_mem + 0x1000 + 64)], 0);
    CHECK_EQ(r64(ram_mem + r32(ram_mem + 0x1000 + 48) + 12), 512 * 1024);
}

UT_TEST(gl_mbi_rejects)
{
    reset();
    struct gl_image g = mb_image(GL_FORMAT_MB2);
    struct gl_boot b = { 1, 2, 3 };
    CHECK_EQ(gl_build_mbi(&ram, &g, 0x9004, "x", "y", &b), GL_ERR_MBI_RANGE);   /* unaligned */
    CHECK_EQ(gl_build_mbi(&ram, &g, RAM_SIZE - 64, "x", "y", &b), GL_ERR_MBI_RANGE);
    CHECK_EQ(gl_build_mbi(&ram, &g, RAM_SIZE, "x", "y", &b), GL_ERR_MBI_RANGE);
    CHECK_EQ(gl_build_mbi(&ram, &g, UINT64_MAX & ~7ull, "x", "y", &b), GL_ERR_MBI_RANGE);
    CHECK_EQ(gl_build_mbi(&ram, &g, 0x17fff8, "x", "y", &b), GL_ERR_MBI_OVERLAP);  /* inside */
    CHECK_EQ(gl_build_mbi(&ram, &g, 0x100000 - 16, "x", "y", &b), GL_ERR_MBI_OVERLAP);
    CHECK_EQ(gl_build_mbi(&ram, &g, 0x180000, "x", "y", &b), GL_OK);     /* right after */
    reset();
    b = (struct gl_boot){ 1, 2, 3 };
    struct gl_image flat = { .format = GL_FORMAT_FLAT, .lo = 0x8000, .hi = 0x9000 };
    CHECK_EQ(gl_build_mbi(&ram, &flat, 0x10000, "x", "y", &b), GL_ERR_ARGS);
    CHECK_EQ(gl_build_mbi(0, &g, 0x10000, "x", "y", &b), GL_ERR_ARGS);
    CHECK_EQ(gl_build_mbi(&ram, 0, 0x10000, "x", "y", &b), GL_ERR_ARGS);
    CHECK_EQ(gl_build_mbi(&ram, &g, 0x10000, "x", "y", 0), GL_ERR_ARGS);
    CHECK(ram_untouched());
    CHECK_EQ(b.eax, 1);
}

/* A whole v1 ELF kernel: load, then MBI just below it, as the VMM does. */
UT_TEST(gl_mb1_load_then_mbi)
{
    reset();
    build_elf(0, STD_ENTRY, std_segs, 2, STD_LEN);
    mb1_header(MB1_OFF, GL_MB1_MEMORY_INFO);
    struct gl_image g;
    struct gl_boot b;
    CHECK_EQ(gl_load(img, STD_LEN, &ram, 0x8000, &g), GL_OK);
    CHECK_EQ(gl_build_mbi(&ram, &g, 0x1000, "hello", "hv", &b), GL_OK);
    CHECK_EQ(b.eax, 0x2BADB002);
    CHECK_EQ(b.ebx, 0x1000);
    CHECK_EQ(g.entry, STD_ENTRY);
    CHECK_EQ(ram_mem[0x100000], DATA_BYTE(0x1000));
    CHECK(ram_is(0x101800, 0x103000, 0));
    CHECK(ram_is(0x1000 + b.mbi_size, 0x100000, POISON));
    CHECK_EQ(r16(ram_mem + 0x1000), 0x024d);            /* v1 flags, low half */
}

UT_TEST(gl_error_names)
{
    const char *names[24];
    for (int e = 0; e >= -23; e--) {
        names[-e] = gl_error_name(e);
        CHECK(names[-e] && strcmp(names[-e], "unknown loader error"));
        for (int k = 0; k < -e; k++)
            CHECK(strcmp(names[k], names[-e]));
    }
    CHECK(!strcmp(gl_error_name(-24), "unknown loader error"));
    CHECK(!strcmp(gl_error_name(5), "unknown loader error"));
}
