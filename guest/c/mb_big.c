/*
 * mb_big: a Multiboot v1 ELF kernel at 4 MiB whose 13 MiB .bss ends above
 * 16 MiB, in a machine of 256 MiB (mb_big.ram=MiB to expect another size).
 * Checks the Multiboot information a loader must give it: the flags, the
 * memory sizes and map, the command line (token mbtest=42) and two modules
 * (guest/data/mod1 with string "mod1 arg=1", guest/data/mod2 with "mod2"),
 * none of it inside the kernel's own image, and the .bss zeroed by the loader.
 */
#include "rt.h"
#include "mb_util.h"

GUEST_NAME("mb_big");

#define MIB             (1u << 20)
#define BIG_SIZE        0xd00000        /* 13 MiB, for the asm below */
#define PAGE            4096u

/* The big array: NOBITS in .bigbss, which only the loader zeroes (entry.S does not). */
__asm__(".pushsection .bigbss, \"aw\", @nobits\n"
        ".balign 4096\n"
        ".globl big_area\n"
        "big_area: .skip 0xd00000\n"
        ".popsection\n");
extern uint32_t big_area[];

/* The parts of the Multiboot information, to keep them clear of the image and each other. */
struct range {
    const char *what;
    uint32_t base, len;
};
static struct range info[16];
static unsigned ninfo;

static void add_info(const char *what, uint32_t base, uint32_t len)
{
    if (ninfo < sizeof(info) / sizeof(info[0]))
        info[ninfo++] = (struct range){ what, base, len };
}

static bool overlaps(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return (uint64_t)a < (uint64_t)b + blen && (uint64_t)b < (uint64_t)a + alen;
}

static void check_memory(const struct multiboot_info *mbi, uint32_t ram_mib)
{
    rt_printf("memory: mem_lower %u KiB, mem_upper %u KiB (%u MiB in all)\n", mbi->mem_lower,
              mbi->mem_upper, 1 + mbi->mem_upper / 1024);
    check(mbi->mem_lower >= 600 && mbi->mem_lower <= 640, "mem_lower %u KiB in [600, 640]",
          mbi->mem_lower);
    uint32_t upper_mib = mbi->mem_upper / 1024;
    uint32_t low = ram_mib * 25 / 32;           /* 200 of 256 */
    check(upper_mib + 1 >= low && upper_mib + 1 <= ram_mib,
          "1 MiB + mem_upper = %u MiB in [%u, %u] (RAM %u MiB less reserved)", upper_mib + 1, low,
          ram_mib, ram_mib);
}

static void check_mmap(const struct multiboot_info *mbi, uint32_t ram_mib)
{
    add_info("memory map", mbi->mmap_addr, mbi->mmap_length);
    struct mb_mmap_iter it;
    const struct multiboot_mmap *e;
    unsigned n = 0, insane = 0;
    mb_mmap_begin(&it);
    while ((e = mb_mmap_next(&it))) {
        rt_printf("mmap: %016llx-%016llx type %u%s\n", (unsigned long long)e->base,
                  (unsigned long long)(e->base + e->length - 1), e->type,
                  e->type == MB_MMAP_AVAILABLE ? " (available)" : "");
        n++;
        if (!e->length || e->base + e->length < e->base || e->type == 0)
            insane++;
    }
    check(n > 0 && it.pos == it.end, "memory map: %u entries, walked to its end (0x%x of 0x%x bytes)", n,
          it.pos - mbi->mmap_addr, mbi->mmap_length);
    check(insane == 0, "memory map entries sane: length > 0, no wrap, type != 0 (%u bad)", insane);

    /* Available ranges must not overlap one another. */
    unsigned clashes = 0;
    struct mb_mmap_iter a;
    const struct multiboot_mmap *x;
    mb_mmap_begin(&a);
    while ((x = mb_mmap_next(&a))) {
        struct mb_mmap_iter b = a;              /* the entries after x */
        const struct multiboot_mmap *y;
        while ((y = mb_mmap_next(&b)))
            if (x->type == MB_MMAP_AVAILABLE && y->type == MB_MMAP_AVAILABLE &&
                x->base < y->base + y->length && y->base < x->base + x->length)
                clashes++;
    }
    check(clashes == 0, "available ranges do not overlap (%u overlapping pairs)", clashes);
    uint64_t total = mb_available_total();
    uint32_t low = ram_mib * 25 / 32;
    check(total >= (uint64_t)low * MIB, "available RAM %llu MiB >= %u MiB", (unsigned long long)(total >> 20),
          low);
    check(!mb_available_overlaps(0xa0000, 0x60000),
          "0xa0000-0xfffff (VGA, ROMs, BIOS) is not available RAM");
    check(mb_available_covers(0, (uint64_t)mbi->mem_lower * 1024),
          "the map has the mem_lower KiB at 0 as available");
    check(mb_available_covers(MIB, (uint64_t)mbi->mem_upper * 1024),
          "the map has the mem_upper KiB at 1 MiB as available");
    uint32_t k0 = (uint32_t)(uintptr_t)__image_start, k1 = (uint32_t)(uintptr_t)__image_end;
    check(mb_available_covers(k0, k1 - k0), "the kernel 0x%08x-0x%08x lies in available RAM", k0, k1 - 1);
}

static void check_cmdline(const struct multiboot_info *mbi)
{
    const char *c = rt_cmdline();
    add_info("command line", mbi->cmdline, (uint32_t)strlen(c) + 1);
    rt_printf("cmdline: \"%s\"\n", c);
    check(rt_has_token(c, "mbtest=42"), "the command line has the token mbtest=42");
}

/* The module string without a leading path on its first word ("/boot/mod1 arg=1" -> "mod1 arg=1"). */
static const char *module_name(const char *s)
{
    const char *name = s;
    for (const char *p = s; *p && *p != ' '; p++)
        if (*p == '/')
            name = p + 1;
    return name;
}

/* mod2: "module-two\n", "module-two line NNNN\n" for NNNN = 0001..0500, "module-two-end\n". */
static bool mod2_lines_ok(const char *p, uint32_t len)
{
    static const char head[] = "module-two\n", tail[] = "module-two-end\n";
    const uint32_t nlines = 500, linelen = 21;
    if (len != sizeof(head) - 1 + nlines * linelen + sizeof(tail) - 1)
        return false;
    p += sizeof(head) - 1;
    for (uint32_t i = 1; i <= nlines; i++, p += linelen) {
        char want[24];
        rt_snprintf(want, sizeof(want), "module-two line %04u\n", i);
        if (memcmp(p, want, linelen))
            return false;
    }
    return !memcmp(p, tail, sizeof(tail) - 1);
}

static void check_modules(const struct multiboot_info *mbi)
{
    static const char mod1[] = "module-one\n", mod1_end[] = "module-one-end\n";
    if (!check(mbi->mods_count == 2, "two modules (%u)", mbi->mods_count))
        return;
    const struct multiboot_module *m = (const void *)(uintptr_t)mbi->mods_addr;
    add_info("module list", mbi->mods_addr, 2 * sizeof(*m));
    for (unsigned i = 0; i < 2; i++) {
        const char *s = m[i].string ? (const char *)(uintptr_t)m[i].string : "";
        uint32_t len = m[i].mod_end - m[i].mod_start;
        rt_printf("module %u: 0x%08x-0x%08x (%u bytes) \"%s\"\n", i + 1, m[i].mod_start, m[i].mod_end,
                  len, s);
        add_info(i ? "module 2" : "module 1", m[i].mod_start, len);
        add_info(i ? "module 2 string" : "module 1 string", m[i].string, (uint32_t)strlen(s) + 1);
        check(m[i].mod_end > m[i].mod_start && m[i].mod_start % PAGE == 0,
              "module %u: not empty, on a 4 KiB boundary (header flag 0)", i + 1);
        check(mb_available_covers(m[i].mod_start, len), "module %u lies in available RAM", i + 1);
        const char *p = (const char *)(uintptr_t)m[i].mod_start;
        if (i == 0) {
            check(!strcmp(module_name(s), "mod1 arg=1"), "module 1 string is [path/]mod1 arg=1");
            check(len >= sizeof(mod1) - 1 + sizeof(mod1_end) - 1 && !memcmp(p, mod1, sizeof(mod1) - 1) &&
                      !memcmp(p + len - (sizeof(mod1_end) - 1), mod1_end, sizeof(mod1_end) - 1),
                  "module 1 is guest/data/mod1: module-one ... module-one-end");
        } else {
            check(!strcmp(module_name(s), "mod2"), "module 2 string is [path/]mod2");
            check(mod2_lines_ok(p, len), "module 2 is guest/data/mod2: 500 numbered lines, 10526 bytes");
        }
    }
}

/* Nothing the loader handed over may lie in the image (text, data, .bss, .bigbss) or overlap. */
static bool check_placement(const struct multiboot_info *mbi)
{
    uint32_t k0 = (uint32_t)(uintptr_t)__image_start, k1 = (uint32_t)(uintptr_t)__image_end;
    add_info("multiboot info", (uint32_t)(uintptr_t)mbi, sizeof(*mbi));
    unsigned bad = 0;
    for (unsigned i = 0; i < ninfo; i++) {
        if (overlaps(info[i].base, info[i].len, k0, k1 - k0)) {
            rt_printf("  %s 0x%08x+0x%x is inside the kernel image\n", info[i].what, info[i].base,
                      info[i].len);
            bad++;
        }
        for (unsigned j = i + 1; j < ninfo; j++)
            if (overlaps(info[i].base, info[i].len, info[j].base, info[j].len)) {
                rt_printf("  %s overlaps %s\n", info[i].what, info[j].what);
                bad++;
            }
    }
    return check(bad == 0, "the %u parts of the boot information lie outside the kernel and apart", ninfo);
}

/* The 13 MiB .bss: zero as loaded, then every page written and read back. */
static void check_bss(void)
{
    uint32_t b0 = (uint32_t)(uintptr_t)big_area, b1 = b0 + BIG_SIZE;
    rt_printf("bss: 0x%08x-0x%08x (%u MiB), ends above 16 MiB\n", b0, b1 - 1, BIG_SIZE / MIB);
    check(b1 > 16 * MIB, "the image ends above 16 MiB (0x%08x)", (uint32_t)(uintptr_t)__image_end);
    uint32_t nonzero = 0, words = BIG_SIZE / 4;
    for (uint32_t i = 0; i < words; i++)
        if (big_area[i])
            nonzero++;
    check(nonzero == 0, "the loader zeroed .bss: start, middle, end and all between (%u words not 0)",
          nonzero);
    uint32_t bad = 0, pages = BIG_SIZE / PAGE, per = PAGE / 4;
    for (uint32_t p = 0; p < pages; p++) {          /* first and last word of every page */
        big_area[p * per] = b0 + p * PAGE;
        big_area[p * per + per - 1] = b0 + p * PAGE + 1;
    }
    for (uint32_t p = 0; p < pages; p++)
        if (big_area[p * per] != b0 + p * PAGE || big_area[p * per + per - 1] != b0 + p * PAGE + 1)
            bad++;
    check(bad == 0, "every .bss page (start, middle, end among them) keeps what was written (%u bad)", bad);
}

int gmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    uint32_t need = MBI_MEM | MBI_CMDLINE | MBI_MODS | MBI_MMAP;
    rt_printf("mbi at 0x%08x, flags 0x%08x\n", (uint32_t)(uintptr_t)mbi, mbi->flags);
    if (mbi->flags & MBI_LOADER_NAME)
        rt_printf("boot loader: \"%s\"\n", (const char *)(uintptr_t)mbi->boot_loader_name);
    if (!check((mbi->flags & need) == need, "MBI flags have mem, cmdline, mods and mmap (0x%x)", need))
        return EXIT_CHECK;
    uint32_t ram_mib = rt_cmdline_u32("mb_big.ram", 256);
    check_memory(mbi, ram_mib);
    check_mmap(mbi, ram_mib);
    check_cmdline(mbi);
    check_modules(mbi);
    if (check_placement(mbi))
        check_bss();                            /* writes .bss: only when nothing lies there */
    return 0;
}
