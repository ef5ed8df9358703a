/*
 * root/vmm/linux_loader.c and linux_entry.c: synthetic bzImages built here
 * (setup header by offset), loaded into a 24 MiB PC layout: the kernel's and
 * the initrd's places and bytes, every zero-page field, the e820 table, the
 * command line, the GDT, the page tables, the vCPU entry state, every
 * rejection (RAM untouched), the exit statuses; and Debian's kernel when
 * scripts/fetch-linux.sh has put it in build/linux/.
 */
#include <stdlib.h>
#include <string.h>
#include "linux_loader.h"
#include "ut.h"
#include "x86_regs.h"

#define MIB         (1ull << 20)
#define RAM_SIZE    (24 * MIB)
#define ACPI_GPA    (RAM_SIZE - GL_ACPI_SIZE)
#define POISON      0xaa
#define PREF        (16 * MIB)
#define ALIGN       (2 * MIB)
#define INIT_SIZE   (4 * MIB)
#define PM_LEN      0x10000u            /* protected-mode bytes of the synthetic kernel */
#define IMG_MAX     (256 * 512 + PM_LEN + 4096)
#define PAY(i)      ((uint8_t)((i) * 13 + 5))

static uint8_t ram_mem[RAM_SIZE];
static struct gl_ram ram;
static uint8_t img[IMG_MAX];

static void w16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void w32(uint8_t *p, uint32_t v) { w16(p, v); w16(p + 2, v >> 16); }
static void w64(uint8_t *p, uint64_t v) { w32(p, (uint32_t)v); w32(p + 4, (uint32_t)(v >> 32)); }
static uint32_t r16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t r32(const uint8_t *p) { return r16(p) | r16(p + 2) << 16; }
static uint64_t r64(const uint8_t *p) { return r32(p) | (uint64_t)r32(p + 4) << 32; }

static void reset(void)
{
    memset(ram_mem, POISON, sizeof(ram_mem));
    CHECK_EQ(gl_ram_init(&ram, ram_mem, RAM_SIZE), GL_OK);
}

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

/* ---- synthetic bzImages ----------------------------------------------------------------- */

struct tk {
    uint8_t setup_sects;
    uint16_t version;
    uint8_t jump_len;                   /* the header ends at 0x202 + jump_len */
    uint32_t syssize;
    uint32_t init_size;
    uint64_t pref;
    uint32_t align;
    uint8_t relocatable;
    uint16_t xloadflags;
    uint32_t cmdline_size;
    uint32_t initrd_max;
};

static struct tk tk_default(void)
{
    return (struct tk){ .setup_sects = 2, .version = 0x020f, .jump_len = 0x6a,
                        .syssize = PM_LEN / 16, .init_size = INIT_SIZE, .pref = PREF,
                        .align = ALIGN, .relocatable = 1,
                        .xloadflags = LB_XLF_KERNEL_64 | LB_XLF_CAN_BE_LOADED_ABOVE_4G,
                        .cmdline_size = 2047, .initrd_max = 0x7fffffff };
}

/* Offset of the protected-mode kernel for setup_sects s. */
static uint64_t pm_off(uint8_t s)
{
    return ((s ? s : 4u) + 1) * 512ull;
}

/* A bzImage: the boot sector and setup filled with 0x5a, the header, then PM_LEN payload
 * bytes PAY(i) and 512 bytes of 0xee after them (a signature the loader must ignore). */
static uint64_t build(const struct tk *t)
{
    memset(img, 0x5a, sizeof(img));
    w16(img + 0x1f2, 0x0001);           /* root_flags */
    w32(img + 0x1f4, t->syssize);
    w16(img + 0x1f8, 0);                /* ram_size */
    w16(img + 0x1fa, 0xfffd);           /* vid_mode: the loader writes 0xffff */
    w16(img + 0x1fc, 0x0301);           /* root_dev */
    img[0x1f1] = t->setup_sects;
    w16(img + 0x1fe, 0xaa55);
    img[0x200] = 0xeb;                  /* jmp short */
    img[0x201] = t->jump_len;
    w32(img + 0x202, 0x53726448);       /* "HdrS" */
    w16(img + 0x206, t->version);
    w32(img + 0x208, 0);                /* realmode_swtch */
    w16(img + 0x20c, 0x1000);           /* start_sys_seg */
    w16(img + 0x20e, 0x3c0);            /* kernel_version */
    img[0x210] = 0;                     /* type_of_loader */
    img[0x211] = LB_LOADED_HIGH;
    w16(img + 0x212, 0x8000);           /* setup_move_size */
    w32(img + 0x214, 0x100000);         /* code32_start */
    w32(img + 0x218, 0x11111111);       /* ramdisk_image: the loader's to set */
    w32(img + 0x21c, 0x22222222);       /* ramdisk_size */
    w32(img + 0x220, 0);
    w16(img + 0x224, 0x3333);           /* heap_end_ptr */
    img[0x226] = 0x44;                  /* ext_loader_ver */
    img[0x227] = 0x55;                  /* ext_loader_type */
    w32(img + 0x228, 0x66666666);       /* cmd_line_ptr */
    w32(img + 0x22c, t->initrd_max);
    w32(img + 0x230, t->align);
    img[0x234] = t->relocatable;
    img[0x235] = 0x15;                  /* min_alignment */
    w16(img + 0x236, t->xloadflags);
    w32(img + 0x238, t->cmdline_size);
    w32(img + 0x23c, 0x77);             /* hardware_subarch: the loader writes 0 */
    w64(img + 0x240, 0x88);             /* hardware_subarch_data */
    w32(img + 0x248, 0x3a5);            /* payload_offset */
    w32(img + 0x24c, 0x7d0000);         /* payload_length */
    w64(img + 0x250, 0x99);             /* setup_data: the loader writes 0 */
    w64(img + 0x258, t->pref);
    w32(img + 0x260, t->init_size);
    w32(img + 0x264, 0x190);            /* handover_offset */
    w32(img + 0x268, 0x1234);           /* kernel_info_offset */
    uint64_t off = pm_off(t->setup_sects);
    for (uint64_t i = 0; i < PM_LEN; i++)
        img[off + i] = PAY(i);
    memset(img + off + PM_LEN, 0xee, 512);
    return off + PM_LEN + 512;
}

static int load(uint64_t len, const struct lx_args *a, struct lx_boot *b)
{
    return lx_load(img, len, &ram, a, b);
}

static const struct lb_boot_params *zero_page(void)
{
    return (const struct lb_boot_params *)(ram_mem + LX_BOOT_PARAMS_GPA);
}

/* ---- detection ----------------------------------------------------------------------------- */

UT_TEST(lx_detect_signatures)
{
    struct tk t = tk_default();
    uint64_t len = build(&t);
    CHECK(lx_detect(img, len));
    CHECK(lx_detect(img, 0x206));
    CHECK(!lx_detect(img, 0x205));
    CHECK(!lx_detect(NULL, len));
    img[0x1fe] = 0x56;
    CHECK(!lx_detect(img, len));
    build(&t);
    img[0x205] = 'T';
    CHECK(!lx_detect(img, len));
    static const uint8_t elf[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
    CHECK(!lx_detect(elf, sizeof(elf)));
}

/* ---- a good load -------------------------------------------------------------------------- */

UT_TEST(lx_load_places_kernel_at_pref_address)
{
    reset();
    struct tk t = tk_default();
    uint64_t len = build(&t);
    struct lx_boot b;
    memset(&b, 0xcc, sizeof(b));
    CHECK_EQ(load(len, &(struct lx_args){ .cmdline = "console=ttyS0" }, &b), LX_OK);
    CHECK_EQ(b.version, 0x020f);
    CHECK_EQ(b.kernel_gpa, PREF);
    CHECK_EQ(b.kernel_len, PM_LEN);
    CHECK_EQ(b.kernel_end, PREF + INIT_SIZE);
    CHECK_EQ(b.boot_params_gpa, LX_BOOT_PARAMS_GPA);
    CHECK_EQ(b.cmdline_gpa, LX_CMDLINE_GPA);
    CHECK_EQ(b.cmdline_len, 13);
    CHECK_EQ(b.initrd_gpa, 0);
    CHECK_EQ(b.initrd_len, 0);
    CHECK_EQ(b.e820_entries, 5);
    /* The protected-mode bytes only: not the setup, not the trailing signature. */
    int same = 1;
    for (uint64_t i = 0; i < PM_LEN; i++)
        same &= ram_mem[PREF + i] == PAY(i);
    CHECK(same);
    CHECK(ram_is(PREF + PM_LEN, ACPI_GPA, POISON));     /* init_size room left as it was */
    CHECK(ram_is(LX_KERNEL_MIN, PREF, POISON));
    CHECK(ram_is(0x30000, GL_LOW_RAM_END, POISON));     /* nothing else in low RAM */
    CHECK(ram_is(0, LX_GDT_GPA, POISON));
    CHECK(ram_is(GL_LOW_RAM_END, LX_KERNEL_MIN, POISON));
    CHECK(!memcmp(ram_mem + LX_CMDLINE_GPA, "console=ttyS0", 14));
    CHECK(ram_is(LX_CMDLINE_GPA + 14, 0x30000, POISON));
}

UT_TEST(lx_zero_page_fields)
{
    reset();
    struct tk t = tk_default();
    uint64_t len = build(&t);
    struct lx_boot b;
    static const uint8_t initrd[5000] = { 1, 2, 3 };
    CHECK_EQ(load(len, &(struct lx_args){ .cmdline = "quiet", .initrd = initrd,
                                          .initrd_len = sizeof(initrd), .rsdp_gpa = 0xe0000 },
                  &b), LX_OK);
    const uint8_t *zp = ram_mem + LX_BOOT_PARAMS_GPA;
    const struct lb_boot_params *bp = zero_page();
    /* Fields the loader writes, read by raw offset (zero-page.rst, boot.rst). */
    CHECK_EQ(r16(zp + 0x1fa), 0xffff);                  /* vid_mode */
    CHECK_EQ(zp[0x210], 0xff);                          /* type_of_loader */
    CHECK_EQ(zp[0x211], LB_LOADED_HIGH | LB_CAN_USE_HEAP);
    CHECK_EQ(r16(zp + 0x224), 0xfe00);                  /* heap_end_ptr */
    CHECK_EQ(zp[0x226], 0);                             /* ext_loader_ver */
    CHECK_EQ(zp[0x227], 0);                             /* ext_loader_type */
    CHECK_EQ(r32(zp + 0x228), LX_CMDLINE_GPA);          /* cmd_line_ptr */
    CHECK_EQ(r32(zp + 0x218), b.initrd_gpa);            /* ramdisk_image */
    CHECK_EQ(r32(zp + 0x21c), sizeof(initrd));          /* ramdisk_size */
    CHECK_EQ(r32(zp + 0x0c0), 0);                       /* ext_ramdisk_image */
    CHECK_EQ(r32(zp + 0x0c4), 0);                       /* ext_ramdisk_size */
    CHECK_EQ(r32(zp + 0x0c8), 0);                       /* ext_cmd_line_ptr */
    CHECK_EQ(r32(zp + 0x23c), 0);                       /* hardware_subarch */
    CHECK_EQ(r64(zp + 0x240), 0);                       /* hardware_subarch_data */
    CHECK_EQ(r64(zp + 0x250), 0);                       /* setup_data */
    CHECK_EQ(r64(zp + 0x070), 0xe0000);                 /* acpi_rsdp_addr */
    CHECK_EQ(zp[0x1ef], 0);                             /* sentinel */
    CHECK_EQ(zp[0x1e8], 5);                             /* e820_entries */
    /* The same through the structures. */
    CHECK_EQ(bp->hdr.cmd_line_ptr, LX_CMDLINE_GPA);
    CHECK_EQ(bp->hdr.ramdisk_size, sizeof(initrd));
    CHECK_EQ(bp->acpi_rsdp_addr, 0xe0000);
    /* Everything else of the header is the image's, byte for byte. */
    static const struct { unsigned lo, hi; } kept[] = {
        { 0x1f1, 0x1fa }, { 0x1fc, 0x210 }, { 0x212, 0x218 }, { 0x220, 0x224 },
        { 0x22c, 0x23c }, { 0x248, 0x250 }, { 0x258, 0x26c },
    };
    for (unsigned i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
        CHECK(!memcmp(zp + kept[i].lo, img + kept[i].lo, kept[i].hi - kept[i].lo));
    /* Outside the header, the e820 table and acpi_rsdp_addr: zero. */
    int zero = 1;
    for (unsigned i = 0; i < 0x1000; i++) {
        bool written = (i >= 0x1e8 && i < 0x1e9) || (i >= 0x1f1 && i < 0x26c) ||
                       (i >= 0x070 && i < 0x078) || (i >= 0x2d0 && i < 0x2d0 + 5 * 20);
        if (!written && zp[i])
            zero = 0;
    }
    CHECK(zero);
    CHECK(ram_is(LX_BOOT_PARAMS_GPA + 0x1000, LX_PML4_GPA, POISON));
}

UT_TEST(lx_zero_page_e820_is_the_layout)
{
    reset();
    struct tk t = tk_default();
    struct lx_boot b;
    CHECK_EQ(load(build(&t), NULL, &b), LX_OK);
    const uint8_t *e = ram_mem + LX_BOOT_PARAMS_GPA + 0x2d0;
    static const struct { uint64_t addr, size; uint32_t type; } want[] = {
        { 0, 0xa0000, 1 }, { 0xa0000, 0x40000, 2 }, { 0xe0000, 0x20000, 2 },
        { 0x100000, ACPI_GPA - 0x100000, 1 }, { ACPI_GPA, GL_ACPI_SIZE, 3 },
    };
    CHECK_EQ(zero_page()->e820_entries, 5);
    for (unsigned i = 0; i < 5; i++) {
        CHECK_EQ(r64(e + 20 * i), want[i].addr);
        CHECK_EQ(r64(e + 20 * i + 8), want[i].size);
        CHECK_EQ(r32(e + 20 * i + 16), want[i].type);
    }
    CHECK(ram_is(LX_BOOT_PARAMS_GPA + 0x2d0 + 100, LX_BOOT_PARAMS_GPA + 0xcd0, 0));
}

UT_TEST(lx_e820_from_layouts)
{
    struct gl_layout l;
    struct lb_e820_entry e[8];
    memset(e, 0xcc, sizeof(e));
    CHECK_EQ(gl_layout_init(&l, 5ull << 30), GL_OK);     /* 3 GiB low, 2 GiB above 4 GiB */
    CHECK_EQ(lx_e820_from_layout(&l, e, 8), 6);
    CHECK_EQ(e[3].addr, 0x100000);
    CHECK_EQ(e[3].size, 0xc0000000ull - GL_ACPI_SIZE - 0x100000);
    CHECK_EQ(e[3].type, LB_E820_RAM);
    CHECK_EQ(e[4].addr, 0xc0000000ull - GL_ACPI_SIZE);
    CHECK_EQ(e[4].type, LB_E820_ACPI);
    CHECK_EQ(e[5].addr, 1ull << 32);
    CHECK_EQ(e[5].size, 2ull << 30);
    CHECK_EQ(e[5].type, LB_E820_RAM);
    CHECK_EQ(e[1].type, LB_E820_RESERVED);
    CHECK_EQ(e[2].type, LB_E820_RESERVED);
    CHECK_EQ(e[6].addr, 0xccccccccccccccccull);          /* nothing past the map */
    CHECK_EQ(lx_e820_from_layout(&l, e, 2), 2);          /* at most max */
    CHECK_EQ(lx_e820_from_layout(NULL, e, 8), 0);
}

UT_TEST(lx_header_copy_follows_the_jump_byte)
{
    reset();
    struct tk t = tk_default();
    t.version = 0x020a;
    t.jump_len = 0x62;                  /* 2.10: the header ends after init_size, at 0x264 */
    uint64_t len = build(&t);
    struct lx_boot b;
    CHECK_EQ(load(len, &(struct lx_args){ .rsdp_gpa = 0xe0000 }, &b), LX_OK);
    const uint8_t *zp = ram_mem + LX_BOOT_PARAMS_GPA;
    CHECK_EQ(r32(zp + 0x260), INIT_SIZE);
    CHECK_EQ(r32(zp + 0x264), 0);       /* handover_offset was in the image, past the header */
    CHECK_EQ(r32(zp + 0x268), 0);
    CHECK_EQ(r64(zp + 0x070), 0);       /* 2.10 < 2.14: no acpi_rsdp_addr */
}

UT_TEST(lx_rsdp_from_protocol_2_14)
{
    struct tk t = tk_default();
    struct lx_boot b;
    t.version = 0x020d;
    reset();
    CHECK_EQ(load(build(&t), &(struct lx_args){ .rsdp_gpa = 0xe0000 }, &b), LX_OK);
    CHECK_EQ(zero_page()->acpi_rsdp_addr, 0);
    t.version = 0x020e;
    reset();
    CHECK_EQ(load(build(&t), &(struct lx_args){ .rsdp_gpa = 0xe0000 }, &b), LX_OK);
    CHECK_EQ(zero_page()->acpi_rsdp_addr, 0xe0000);
}

UT_TEST(lx_setup_sects_zero_means_four)
{
    reset();
    struct tk t = tk_default();
    t.setup_sects = 0;
    uint64_t len = build(&t);
    CHECK_EQ(pm_off(0), 5 * 512);
    struct lx_boot b;
    CHECK_EQ(load(len, NULL, &b), LX_OK);
    CHECK_EQ(ram_mem[PREF], PAY(0));
    CHECK_EQ(ram_mem[PREF + PM_LEN - 1], PAY(PM_LEN - 1));
    /* 1 sector of setup: the payload moves, the loader follows. */
    reset();
    t.setup_sects = 1;
    len = build(&t);
    CHECK_EQ(load(len, NULL, &b), LX_OK);
    CHECK_EQ(ram_mem[PREF], PAY(0));
    CHECK_EQ(ram_mem[PREF + 1], PAY(1));
}

/* ---- kernel placement ------------------------------------------------------------------------- */

UT_TEST(lx_relocatable_kernel_fallbacks)
{
    struct tk t = tk_default();
    struct lx_boot b;
    /* pref_address not kernel_alignment-aligned: the next aligned address. */
    t.pref = PREF + 0x1000;
    reset();
    CHECK_EQ(load(build(&t), NULL, &b), LX_OK);
    CHECK_EQ(b.kernel_gpa, PREF + ALIGN);
    CHECK_EQ(ram_mem[PREF + ALIGN], PAY(0));
    CHECK_EQ(b.entry.rip, PREF + ALIGN + 0x200);
    /* pref_address in the VGA hole: the first aligned address at or above 1 MiB. */
    t.pref = 0xa0000;
    reset();
    CHECK_EQ(load(build(&t), NULL, &b), LX_OK);
    CHECK_EQ(b.kernel_gpa, 2 * MIB);
    /* A 1 MiB alignment: 1 MiB itself. */
    t.align = 1 * MIB;
    reset();
    CHECK_EQ(load(build(&t), NULL, &b), LX_OK);
    CHECK_EQ(b.kernel_gpa, 1 * MIB);
    /* pref_address 0: 16 MiB. */
    t = tk_default();
    t.pref = 0;
    reset();
    CHECK_EQ(load(build(&t), NULL, &b), LX_OK);
    CHECK_EQ(b.kernel_gpa, LX_DEFAULT_PREF);
    /* Never below pref_address: it does not fit above it. */
    t = tk_default();
    t.pref = 20 * MIB;
    reset();
    CHECK_EQ(load(build(&t), NULL, &b), LX_ERR_KERNEL_NO_ROOM);
    CHECK(ram_untouched());
}

UT_TEST(lx_fixed_kernel_goes_to_pref_address_only)
{
    struct tk t = tk_default();
    struct lx_boot b;
    t.relocatable = 0;
    t.align = 3;                        /* not looked at for a fixed kernel */
    t.pref = PREF + 0x1000;
    reset();
    CHECK_EQ(load(build(&t), NULL, &b), LX_OK);
    CHECK_EQ(b.kernel_gpa, PREF + 0x1000);
    CHECK_EQ(ram_mem[PREF + 0x1000], PAY(0));
    t.pref = 0xa0000;
    reset();
    CHECK_EQ(load(build(&t), NULL, &b), LX_ERR_KERNEL_NO_ROOM);
    CHECK(ram_untouched());
    t.pref = 0x10000;                   /* available RAM, but below 1 MiB */
    reset();
    CHECK_EQ(load(build(&t), NULL, &b), LX_ERR_KERNEL_NO_ROOM);
    CHECK(ram_untouched());
}

UT_TEST(lx_kernel_does_not_fit)
{
    struct tk t = tk_default();
    struct lx_boot b;
    /* init_size over the ACPI area. */
    t.init_size = (uint32_t)(ACPI_GPA - PREF + 1);
    reset();
    CHECK_EQ(load(build(&t), NULL, &b), LX_ERR_KERNEL_NO_ROOM);
    CHECK(ram_untouched());
    t.init_size = (uint32_t)(ACPI_GPA - PREF);          /* exactly up to it: fits */
    reset();
    CHECK_EQ(load(build(&t), NULL, &b), LX_OK);
    CHECK_EQ(b.kernel_end, ACPI_GPA);
    /* 16 MiB of RAM (a too small GUEST_MEM). */
    t = tk_default();
    reset();
    CHECK_EQ(gl_ram_init(&ram, ram_mem, 16 * MIB), GL_OK);
    CHECK_EQ(load(build(&t), NULL, &b), LX_ERR_KERNEL_NO_ROOM);
    CHECK(ram_untouched());
    /* pref_address at 4 GiB and above: not below the identity map's end. */
    t.pref = 1ull << 32;
    reset();
    CHECK_EQ(load(build(&t), NULL, &b), LX_ERR_KERNEL_NO_ROOM);
    t.pref = ~0ull & ~(uint64_t)(ALIGN - 1);
    CHECK_EQ(load(build(&t), NULL, &b), LX_ERR_KERNEL_NO_ROOM);
    CHECK(ram_untouched());
}

/* ---- the initrd --------------------------------------------------------------------------- */

static uint8_t initrd_buf[16 * MIB];

static void fill_initrd(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        initrd_buf[i] = (uint8_t)(i * 7 + 1);
}

static int initrd_at(uint64_t gpa, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (ram_mem[gpa + i] != (uint8_t)(i * 7 + 1))
            return 0;
    return 1;
}

UT_TEST(lx_initrd_goes_high_page_aligned)
{
    reset();
    struct tk t = tk_default();
    struct lx_boot b;
    uint64_t n = 100000;                /* not a page multiple */
    fill_initrd(n);
    CHECK_EQ(load(build(&t), &(struct lx_args){ .initrd = initrd_buf, .initrd_len = n }, &b),
             LX_OK);
    CHECK_EQ(b.initrd_gpa, (ACPI_GPA - n) & ~0xfffull);
    CHECK_EQ(b.initrd_gpa % GL_PAGE, 0);
    CHECK(b.initrd_gpa + n <= ACPI_GPA);
    CHECK(b.initrd_gpa >= b.kernel_end);
    CHECK_EQ(b.initrd_len, n);
    CHECK(initrd_at(b.initrd_gpa, n));
    CHECK(ram_is(b.initrd_gpa + n, ACPI_GPA, POISON));
    CHECK(ram_is(PREF + PM_LEN, b.initrd_gpa, POISON));
    CHECK_EQ(zero_page()->hdr.ramdisk_image, b.initrd_gpa);
    CHECK_EQ(zero_page()->hdr.ramdisk_size, n);
}

UT_TEST(lx_initrd_below_initrd_addr_max)
{
    struct tk t = tk_default();
    struct lx_boot b;
    uint64_t n = 0x3000;
    fill_initrd(n);
    const struct lx_args a = { .initrd = initrd_buf, .initrd_len = n };
    /* Its last byte at initrd_addr_max at most. */
    t.initrd_max = 22 * MIB - 1;
    reset();
    CHECK_EQ(load(build(&t), &a, &b), LX_OK);
    CHECK_EQ(b.initrd_gpa, 22 * MIB - n);
    CHECK(initrd_at(b.initrd_gpa, n));
    t.initrd_max = 22 * MIB - 2;        /* one byte less: a page lower */
    reset();
    CHECK_EQ(load(build(&t), &a, &b), LX_OK);
    CHECK_EQ(b.initrd_gpa, 22 * MIB - n - GL_PAGE);
    /* initrd_addr_max inside the kernel's init_size: below the kernel. */
    t.initrd_max = 18 * MIB;
    reset();
    CHECK_EQ(load(build(&t), &a, &b), LX_OK);
    CHECK_EQ(b.initrd_gpa, PREF - n);
    CHECK(initrd_at(PREF - n, n));
    CHECK(b.initrd_gpa + n <= b.kernel_gpa);
}

UT_TEST(lx_initrd_does_not_fit)
{
    struct tk t = tk_default();
    struct lx_boot b;
    fill_initrd(sizeof(initrd_buf));
    /* 16 MiB: neither above the kernel (20 MiB .. 24 MiB - 64 KiB) nor below it (1..16 MiB). */
    reset();
    CHECK_EQ(load(build(&t), &(struct lx_args){ .initrd = initrd_buf,
                                                .initrd_len = 16 * MIB }, &b),
             LX_ERR_INITRD_NO_ROOM);
    CHECK(ram_untouched());
    /* 15 MiB fits below the kernel, at 1 MiB exactly. */
    reset();
    CHECK_EQ(load(build(&t), &(struct lx_args){ .initrd = initrd_buf,
                                                .initrd_len = 15 * MIB }, &b), LX_OK);
    CHECK_EQ(b.initrd_gpa, 1 * MIB);
    CHECK(initrd_at(1 * MIB, 15 * MIB));
    /* With initrd_addr_max below 1 MiB nothing qualifies. */
    reset();
    t.initrd_max = 0xfffff;
    CHECK_EQ(load(build(&t), &(struct lx_args){ .initrd = initrd_buf, .initrd_len = 4096 }, &b),
             LX_ERR_INITRD_NO_ROOM);
    CHECK(ram_untouched());
    /* More than the RAM below 4 GiB. */
    reset();
    t = tk_default();
    CHECK_EQ(load(build(&t), &(struct lx_args){ .initrd = initrd_buf,
                                                .initrd_len = 1ull << 32 }, &b),
             LX_ERR_INITRD_NO_ROOM);
    CHECK(ram_untouched());
}

/* ---- the command line ---------------------------------------------------------------------- */

UT_TEST(lx_cmdline_limits)
{
    struct tk t = tk_default();
    struct lx_boot b;
    static char line[LX_CMDLINE_MAX + 2];
    t.cmdline_size = 100;
    memset(line, 'x', 100);
    line[100] = 0;
    reset();
    CHECK_EQ(load(build(&t), &(struct lx_args){ .cmdline = line }, &b), LX_OK);
    CHECK_EQ(b.cmdline_len, 100);
    CHECK(!memcmp(ram_mem + LX_CMDLINE_GPA, line, 101));
    line[100] = 'y';
    line[101] = 0;
    reset();
    CHECK_EQ(load(build(&t), &(struct lx_args){ .cmdline = line }, &b), LX_ERR_CMDLINE_TOO_LONG);
    CHECK(ram_untouched());
    /* A kernel allowing more than the loader's area: the area is the limit. */
    t.cmdline_size = 0xffffffffu;
    memset(line, 'z', LX_CMDLINE_MAX);
    line[LX_CMDLINE_MAX] = 0;
    CHECK_EQ(load(build(&t), &(struct lx_args){ .cmdline = line }, &b), LX_ERR_CMDLINE_TOO_LONG);
    CHECK(ram_untouched());
    line[LX_CMDLINE_MAX - 1] = 0;
    CHECK_EQ(load(build(&t), &(struct lx_args){ .cmdline = line }, &b), LX_OK);
    CHECK_EQ(ram_mem[LX_CMDLINE_GPA + LX_CMDLINE_MAX - 1], 0);
    /* No command line: an empty one. */
    reset();
    CHECK_EQ(load(build(&t), &(struct lx_args){ .cmdline = NULL }, &b), LX_OK);
    CHECK_EQ(b.cmdline_len, 0);
    CHECK_EQ(ram_mem[LX_CMDLINE_GPA], 0);
    CHECK_EQ(zero_page()->hdr.cmd_line_ptr, LX_CMDLINE_GPA);
}

/* ---- entry state ----------------------------------------------------------------------------- */

UT_TEST(lx_entry_state_64bit)
{
    reset();
    struct tk t = tk_default();
    struct lx_boot b;
    CHECK_EQ(load(build(&t), NULL, &b), LX_OK);
    const struct lx_entry *e = &b.entry;
    CHECK_EQ(e->rip, PREF + 0x200);
    CHECK_EQ(e->rsi, LX_BOOT_PARAMS_GPA);
    CHECK_EQ(e->rsp, LX_STACK_GPA);
    CHECK_EQ(e->cr3, LX_PML4_GPA);
    CHECK_EQ(e->cr0, CR0_PE | CR0_ET | CR0_PG);
    CHECK_EQ(e->cr4, CR4_PAE);
    CHECK_EQ(e->efer, EFER_LME | EFER_LMA);
    CHECK_EQ(e->gdt_base, LX_GDT_GPA);
    CHECK_EQ(e->gdt_limit, 31);
    CHECK_EQ(e->cs, 0x10);
    CHECK_EQ(e->ds, 0x18);

    struct hv_vcpu_sregs sr;
    memset(&sr, 0x5c, sizeof(sr));
    sr.tr = (struct hv_segment){ .limit = 0xffff, .ar = 0x8b };
    sr.idt = (struct hv_dtable){ .base = 0, .limit = 0 };
    lx_entry_sregs(e, &sr);
    CHECK_EQ(sr.cs.selector, 0x10);
    CHECK_EQ(sr.cs.base, 0);
    CHECK_EQ(sr.cs.limit, 0xffffffffu);
    CHECK_EQ(sr.cs.ar, 0xa09b);         /* P, S, code execute/read, L, G */
    const struct hv_segment *data[] = { &sr.ds, &sr.es, &sr.ss, &sr.fs, &sr.gs };
    for (unsigned i = 0; i < 5; i++) {
        CHECK_EQ(data[i]->selector, 0x18);
        CHECK_EQ(data[i]->base, 0);
        CHECK_EQ(data[i]->limit, 0xffffffffu);
        CHECK_EQ(data[i]->ar, 0xc093);
    }
    CHECK_EQ(sr.gdt.base, LX_GDT_GPA);
    CHECK_EQ(sr.gdt.limit, 31);
    CHECK_EQ(sr.cr0, e->cr0);
    CHECK_EQ(sr.cr3, LX_PML4_GPA);
    CHECK_EQ(sr.cr4, CR4_PAE);
    CHECK_EQ(sr.efer, EFER_LME | EFER_LMA);
    CHECK_EQ(sr.tr.ar, 0x8b);           /* kept */
    CHECK_EQ(sr.idt.limit, 0);
    CHECK_EQ(sr.cr2, 0x5c5c5c5c5c5c5c5cull);

    struct hv_vcpu_state s;
    memset(&s, 0x77, sizeof(s));
    lx_entry_regs(e, &s);
    CHECK_EQ(s.rip, PREF + 0x200);
    CHECK_EQ(s.rsi, LX_BOOT_PARAMS_GPA);
    CHECK_EQ(s.rsp, LX_STACK_GPA);
    CHECK_EQ(s.rflags, 0x2);            /* interrupts off */
    CHECK_EQ(s.rax | s.rbx | s.rcx | s.rdx | s.rbp | s.rdi | s.r8 | s.r9 | s.r10 | s.r11 |
             s.r12 | s.r13 | s.r14 | s.r15, 0);
}

UT_TEST(lx_gdt_boot_segments)
{
    reset();
    struct tk t = tk_default();
    struct lx_boot b;
    CHECK_EQ(load(build(&t), NULL, &b), LX_OK);
    const uint8_t *g = ram_mem + LX_GDT_GPA;
    CHECK_EQ(r64(g), 0);
    CHECK_EQ(r64(g + 8), 0);
    for (unsigned sel = 0x10; sel <= 0x18; sel += 8) {
        uint64_t d = r64(g + sel);
        uint64_t base = ((d >> 16) & 0xffffff) | ((d >> 56) << 24);
        uint64_t limit = (d & 0xffff) | ((d >> 48) & 0xf) << 16;
        CHECK_EQ(base, 0);
        CHECK_EQ(limit, 0xfffff);
        CHECK(d & (1ull << 55));        /* G: 4 KiB units, a 4 GiB flat segment */
        CHECK(d & (1ull << 47));        /* present */
        CHECK(d & (1ull << 44));        /* code or data */
        CHECK_EQ((d >> 45) & 3, 0);     /* DPL 0 */
    }
    uint64_t cs = r64(g + 0x10), ds = r64(g + 0x18);
    CHECK_EQ((cs >> 40) & 0xf, 0xb);    /* execute/read, accessed */
    CHECK(cs & (1ull << 53));           /* L: 64-bit code */
    CHECK(!(cs & (1ull << 54)));        /* D clear with L */
    CHECK_EQ((ds >> 40) & 0xf, 0x3);    /* read/write, accessed */
    CHECK(ram_is(LX_GDT_GPA + 32, LX_BOOT_PARAMS_GPA, POISON));
}

/* The physical address the boot page tables give linear address va, or ~0 for none. */
static uint64_t walk(uint64_t cr3, uint64_t va)
{
    uint64_t e = r64(ram_mem + cr3 + 8 * ((va >> 39) & 511));
    if (!(e & 1))
        return ~0ull;
    e = r64(ram_mem + (e & 0xffffffffff000ull) + 8 * ((va >> 30) & 511));
    if (!(e & 1) || (e & 0x80))         /* no 1 GiB pages here */
        return ~0ull;
    e = r64(ram_mem + (e & 0xffffffffff000ull) + 8 * ((va >> 21) & 511));
    if (!(e & 1) || !(e & 0x80) || !(e & 2))
        return ~0ull;
    return (e & 0xfffffffe00000ull) | (va & 0x1fffff);
}

UT_TEST(lx_page_tables_identity_map_4gib)
{
    reset();
    struct tk t = tk_default();
    struct lx_boot b;
    CHECK_EQ(load(build(&t), &(struct lx_args){ .cmdline = "a" }, &b), LX_OK);
    static const uint64_t va[] = { 0, LX_BOOT_PARAMS_GPA, LX_CMDLINE_GPA, PREF + 0x200,
                                   PREF + INIT_SIZE - 1, ACPI_GPA, 0xc0000000ull,
                                   0xfee00000ull, 0xffffffffull };
    for (unsigned i = 0; i < sizeof(va) / sizeof(va[0]); i++)
        CHECK_EQ(walk(b.entry.cr3, va[i]), va[i]);
    int all = 1;
    for (uint64_t a = 0; a < (1ull << 32); a += 2 * MIB)
        all &= walk(b.entry.cr3, a + 0x1234) == a + 0x1234;
    CHECK(all);
    CHECK_EQ(walk(b.entry.cr3, 1ull << 32), ~0ull);          /* 4 GiB and up: not mapped */
    CHECK_EQ(walk(b.entry.cr3, 1ull << 39), ~0ull);
    /* Only PML4[0] and PDPT[0..3] present. */
    int rest = 1;
    for (unsigned i = 1; i < 512; i++)
        rest &= r64(ram_mem + LX_PML4_GPA + 8 * i) == 0;
    for (unsigned i = 4; i < 512; i++)
        rest &= r64(ram_mem + LX_PDPT_GPA + 8 * i) == 0;
    CHECK(rest);
    CHECK_EQ(r64(ram_mem + LX_PML4_GPA), LX_PDPT_GPA | 3);
    CHECK_EQ(r64(ram_mem + LX_PDPT_GPA + 8), (LX_PD_GPA + 0x1000) | 3);
    CHECK(ram_is(LX_PD_GPA + LX_PD_COUNT * GL_PAGE, LX_CMDLINE_GPA, POISON));
}

/* ---- rejections ------------------------------------------------------------------------------ */

/* load() on the current img gives want, leaves RAM and *out alone. */
static void refused(uint64_t len, int want)
{
    reset();
    struct lx_boot b, before;
    memset(&b, 0x3c, sizeof(b));
    before = b;
    CHECK_EQ(load(len, NULL, &b), want);
    CHECK(!memcmp(&b, &before, sizeof(b)));
    CHECK(ram_untouched());
}

UT_TEST(lx_rejects_what_is_not_a_bzimage)
{
    struct tk t = tk_default();
    uint64_t len = build(&t);
    img[0x1ff] = 0;                     /* boot flag */
    refused(len, LX_ERR_NOT_BZIMAGE);
    build(&t);
    w32(img + 0x202, 0x53726449);       /* "IdrS" */
    refused(len, LX_ERR_NOT_BZIMAGE);
    build(&t);
    refused(0x200, LX_ERR_NOT_BZIMAGE); /* shorter than the header magic */
    refused(0, LX_ERR_NOT_BZIMAGE);
    /* An ELF file given as a bzImage. */
    memset(img, 0, sizeof(img));
    memcpy(img, "\x7f" "ELF\x02\x01\x01", 7);
    refused(4096, LX_ERR_NOT_BZIMAGE);
}

UT_TEST(lx_rejects_old_protocols_and_32bit_kernels)
{
    struct tk t = tk_default();
    t.version = 0x0209;
    refused(build(&t), LX_ERR_PROTOCOL);
    t.version = 0x0200;
    t.jump_len = 0x20;                  /* an old header is short: the version speaks first */
    refused(build(&t), LX_ERR_PROTOCOL);
    t = tk_default();
    t.xloadflags = LB_XLF_CAN_BE_LOADED_ABOVE_4G | LB_XLF_EFI_HANDOVER_32;
    refused(build(&t), LX_ERR_NOT_64BIT);
}

UT_TEST(lx_rejects_bad_headers)
{
    struct tk t = tk_default();
    t.jump_len = 0x61;                  /* ends at 0x263: before init_size's end */
    refused(build(&t), LX_ERR_BAD_HEADER);
    t.jump_len = 0x8f;                  /* ends at 0x291: into edd_mbr_sig_buffer */
    refused(build(&t), LX_ERR_BAD_HEADER);
    t = tk_default();
    t.syssize = 0;
    refused(build(&t), LX_ERR_BAD_HEADER);
    t = tk_default();
    t.init_size = PM_LEN - 1;
    refused(build(&t), LX_ERR_BAD_HEADER);
    t = tk_default();
    t.align = 0;
    refused(build(&t), LX_ERR_BAD_HEADER);
    t.align = 3 * MIB;
    refused(build(&t), LX_ERR_BAD_HEADER);
}

UT_TEST(lx_rejects_truncated_images)
{
    struct tk t = tk_default();
    uint64_t len = build(&t);
    refused(pm_off(2) + PM_LEN - 1, LX_ERR_TRUNCATED);  /* one protected-mode byte short */
    refused(0x207, LX_ERR_TRUNCATED);                   /* the version cut */
    refused(0x26b, LX_ERR_TRUNCATED);                   /* the header cut */
    t.syssize = (uint32_t)((len - pm_off(2)) / 16 + 1); /* syssize past the file */
    t.init_size = INIT_SIZE;
    refused(build(&t), LX_ERR_TRUNCATED);
    t = tk_default();
    t.setup_sects = 200;                /* setup past the file */
    len = build(&t);
    refused(64 * 512, LX_ERR_TRUNCATED);
    /* The file may run on past the kernel (a signature): not an error. */
    t = tk_default();
    len = build(&t);
    reset();
    struct lx_boot b;
    CHECK_EQ(load(len, NULL, &b), LX_OK);
    CHECK_EQ(load(pm_off(2) + PM_LEN, NULL, &b), LX_OK);
}

UT_TEST(lx_rejects_bad_arguments)
{
    reset();
    struct tk t = tk_default();
    uint64_t len = build(&t);
    struct lx_boot b;
    CHECK_EQ(lx_load(img, len, NULL, NULL, &b), LX_ERR_ARGS);
    CHECK_EQ(lx_load(img, len, &ram, NULL, NULL), LX_ERR_ARGS);
    CHECK_EQ(lx_load(NULL, len, &ram, NULL, &b), LX_ERR_ARGS);
    CHECK_EQ(lx_load(img, len, &ram, &(struct lx_args){ .initrd_len = 5 }, &b), LX_ERR_ARGS);
    struct gl_ram none = { 0 };
    CHECK_EQ(lx_load(img, len, &none, NULL, &b), LX_ERR_ARGS);
    CHECK(ram_untouched());
}

/* ---- statuses ----------------------------------------------------------------------------- */

UT_TEST(lx_error_names_and_statuses)
{
    CHECK_EQ(lx_error_status(LX_OK), 0);
    CHECK(!strcmp(lx_error_name(LX_OK), "ok"));
    for (int e = -1; e >= LX_ERR_LAST; e--) {
        int s = lx_error_status(e);
        CHECK_EQ(s, LX_STATUS_BASE - e);
        CHECK(s > GL_STATUS_BASE - GL_ERR_LAST);        /* past the Multiboot loader's */
        CHECK(s < 240);                                 /* below the platform's */
        CHECK(strcmp(lx_error_name(e), "unknown Linux loader error") != 0);
        CHECK(!strchr(lx_error_name(e), '\n'));
        for (int f = e + 1; f < 0; f++)
            CHECK(strcmp(lx_error_name(e), lx_error_name(f)) != 0);
    }
    CHECK_EQ(lx_error_status(LX_ERR_LAST), 121);
    CHECK_EQ(lx_error_status(LX_ERR_LAST - 1), LX_STATUS_BASE);
    CHECK_EQ(lx_error_status(5), LX_STATUS_BASE);
    CHECK(!strcmp(lx_error_name(LX_ERR_LAST - 1), "unknown Linux loader error"));
}

/* ---- Debian's kernel (scripts/fetch-linux.sh) ----------------------------------------------- */

static uint8_t *read_file(const char *path, uint64_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *p = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n > 0 && fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n)) &&
            fread(p, 1, (size_t)n, f) != (size_t)n) {
            free(p);
            p = NULL;
        }
        *len = (uint64_t)n;
    }
    fclose(f);
    return p;
}

UT_TEST(lx_debian_kernel_when_fetched)
{
    uint64_t klen = 0, ilen = 0;
    uint8_t *k = read_file("build/linux/vmlinuz", &klen);
    if (!k) {
        printf("  skip: no build/linux/vmlinuz (scripts/fetch-linux.sh fetches it)\n");
        return;
    }
    uint8_t *initrd = read_file("build/linux/initrd.gz", &ilen);
    const uint64_t size = 256 * MIB;
    uint8_t *mem = calloc(1, size);
    struct gl_ram big;
    CHECK(mem != NULL);
    if (!mem) {
        free(k);
        free(initrd);
        return;
    }
    CHECK_EQ(gl_ram_init(&big, mem, size), GL_OK);
    CHECK(lx_detect(k, klen));
    struct lx_boot b;
    const struct lx_args a = { .cmdline = "console=ttyS0 quiet", .initrd = initrd,
                               .initrd_len = initrd ? ilen : 0, .rsdp_gpa = 0xe0000 };
    CHECK_EQ(lx_load(k, klen, &big, &a, &b), LX_OK);
    uint32_t init_size = r32(k + 0x260), syssize = r32(k + 0x1f4);
    uint64_t off = ((k[0x1f1] ? k[0x1f1] : 4u) + 1) * 512ull;
    printf("  Debian kernel: protocol %x.%02x, %llu bytes, setup %llu, syssize*16 %u, "
           "init_size 0x%x, at 0x%llx, initrd at 0x%llx (%llu bytes)\n",
           b.version >> 8, b.version & 0xff, (unsigned long long)klen,
           (unsigned long long)off, syssize * 16, init_size,
           (unsigned long long)b.kernel_gpa, (unsigned long long)b.initrd_gpa,
           (unsigned long long)b.initrd_len);
    CHECK(b.version >= 0x020a);
    CHECK(r16(k + 0x236) & LB_XLF_KERNEL_64);
    CHECK_EQ(b.kernel_gpa, r64(k + 0x258));             /* pref_address, 16 MiB */
    CHECK_EQ(b.kernel_len, (uint64_t)syssize * 16);
    CHECK_EQ(b.kernel_end, b.kernel_gpa + init_size);
    CHECK(off + b.kernel_len <= klen);
    CHECK(!memcmp(mem + b.kernel_gpa, k + off, b.kernel_len));
    CHECK_EQ(b.entry.rip, b.kernel_gpa + 0x200);
    const struct lb_boot_params *bp = (const struct lb_boot_params *)(mem + LX_BOOT_PARAMS_GPA);
    CHECK_EQ(bp->hdr.type_of_loader, 0xff);
    CHECK_EQ(bp->hdr.boot_flag, 0xaa55);
    CHECK_EQ(bp->hdr.init_size, init_size);
    CHECK_EQ(bp->acpi_rsdp_addr, b.version >= 0x020e ? 0xe0000 : 0);
    CHECK(!strcmp((const char *)mem + LX_CMDLINE_GPA, "console=ttyS0 quiet"));
    if (initrd) {
        CHECK_EQ(b.initrd_len, ilen);
        CHECK(b.initrd_gpa >= b.kernel_end);
        CHECK(b.initrd_gpa + ilen - 1 <= bp->hdr.initrd_addr_max);
        CHECK(b.initrd_gpa + ilen <= size - GL_ACPI_SIZE);
        CHECK(!memcmp(mem + b.initrd_gpa, initrd, ilen));
    }
    /* A GUEST_MEM too small for it: the kernel's own error. */
    struct gl_ram small;
    CHECK_EQ(gl_ram_init(&small, mem, 32 * MIB), GL_OK);
    CHECK_EQ(lx_load(k, klen, &small, &a, &b), LX_ERR_KERNEL_NO_ROOM);
    free(mem);
    free(k);
    free(initrd);
}
