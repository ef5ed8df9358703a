/*
 * boot/efi/kelf.c tests. ELF64 images are built in memory byte by byte
 * (ELF header + program headers + payload), handed to kelf_parse in an
 * exact-size heap buffer (so ASan catches any read past the file), and the
 * load plan is checked — also by carrying it out on a fake physical window
 * the way loader.c does (zero every range, copy every segment's file bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kelf.h"
#include "ut.h"

/* ---- image builder ---------------------------------------------------------- */

#define IMG_MAX     0x10000
#define EH_SIZE     64          /* ELF64 header */
#define PH_SIZE     56          /* ELF64 program header */

#define PT_NULL_    0
#define PT_LOAD_    1
#define PT_NOTE_    4
#define PT_GNU_STACK_ 0x6474e551u

static unsigned char img[IMG_MAX];
static uint64_t img_len;        /* bytes handed to kelf_parse */
static struct kelf k;

static void put16(uint64_t off, uint16_t v)
{
    for (int i = 0; i < 2; i++)
        img[off + i] = (unsigned char)(v >> (8 * i));
}

static void put32(uint64_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        img[off + i] = (unsigned char)(v >> (8 * i));
}

static void put64(uint64_t off, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        img[off + i] = (unsigned char)(v >> (8 * i));
}

static uint16_t get16(uint64_t off)
{
    return (uint16_t)(img[off] | img[off + 1] << 8);
}

/* ELF header field offsets (System V gABI, ELF64). */
#define E_TYPE      16
#define E_MACHINE   18
#define E_VERSION   20
#define E_ENTRY     24
#define E_PHOFF     32
#define E_EHSIZE    52
#define E_PHENTSIZE 54
#define E_PHNUM     56
/* Program header field offsets. */
#define P_TYPE      0
#define P_FLAGS     4
#define P_OFFSET    8
#define P_VADDR     16
#define P_PADDR     24
#define P_FILESZ    32
#define P_MEMSZ     40
#define P_ALIGN     48

static uint64_t ph_stride = PH_SIZE;

/* Fresh valid-looking header: x86_64 ET_EXEC, phdrs right after it, none yet. */
static void elf_begin(uint64_t len, uint64_t entry)
{
    memset(img, 0, sizeof img);
    img_len = len;
    ph_stride = PH_SIZE;
    img[0] = 0x7f;
    img[1] = 'E';
    img[2] = 'L';
    img[3] = 'F';
    img[4] = 2;                 /* ELFCLASS64 */
    img[5] = 1;                 /* ELFDATA2LSB */
    img[6] = 1;                 /* EV_CURRENT */
    put16(E_TYPE, 2);           /* ET_EXEC */
    put16(E_MACHINE, 62);       /* EM_X86_64 */
    put32(E_VERSION, 1);
    put64(E_ENTRY, entry);
    put64(E_PHOFF, EH_SIZE);
    put16(E_EHSIZE, EH_SIZE);
    put16(E_PHENTSIZE, PH_SIZE);
    put16(E_PHNUM, 0);
}

/* Program headers at a given offset and stride (call before any elf_ph). */
static void elf_phdrs_at(uint64_t phoff, uint16_t entsize)
{
    put64(E_PHOFF, phoff);
    put16(E_PHENTSIZE, entsize);
    ph_stride = entsize;
}

/* Appends a program header with distinct vaddr and paddr. */
static void elf_ph_va(uint32_t type, uint64_t offset, uint64_t vaddr, uint64_t paddr,
                      uint64_t filesz, uint64_t memsz)
{
    uint16_t n = get16(E_PHNUM);
    uint64_t phoff = 0;
    for (int i = 0; i < 8; i++)
        phoff |= (uint64_t)img[E_PHOFF + i] << (8 * i);
    uint64_t p = phoff + n * ph_stride;
    put32(p + P_TYPE, type);
    put32(p + P_FLAGS, 4);      /* PF_R */
    put64(p + P_OFFSET, offset);
    put64(p + P_VADDR, vaddr);
    put64(p + P_PADDR, paddr);
    put64(p + P_FILESZ, filesz);
    put64(p + P_MEMSZ, memsz);
    put64(p + P_ALIGN, 0x1000);
    put16(E_PHNUM, (uint16_t)(n + 1));
}

/* Appends an identity-linked program header. */
static void elf_ph(uint32_t type, uint64_t offset, uint64_t addr, uint64_t filesz,
                   uint64_t memsz)
{
    elf_ph_va(type, offset, addr, addr, filesz, memsz);
}

/* Fills payload bytes with a recognisable, non-zero pattern. */
static void fill(uint64_t off, uint64_t n, unsigned seed)
{
    for (uint64_t i = 0; i < n; i++)
        img[off + i] = (unsigned char)(1 + (seed * 37 + i * 7) % 255);
}

/* kelf_parse on the first img_len bytes, copied to an exact-size buffer at
 * buffer offset shift (0 or an odd number, to try unaligned images). */
static const char *parse_shift(unsigned shift)
{
    unsigned char *buf = malloc(img_len + shift ? img_len + shift : 1);
    if (!buf)
        abort();
    memcpy(buf + shift, img, img_len);
    memset(&k, 0xa5, sizeof k);
    const char *msg = kelf_parse(buf + shift, img_len, &k);
    free(buf);
    return msg;
}

static const char *parse(void)
{
    return parse_shift(0);
}

static int accepted(void)
{
    const char *msg = parse();
    if (msg) {
        printf("    rejected: %s\n", msg);
        return 0;
    }
    return 1;
}

static int rejected(const char *want)
{
    const char *msg = parse();
    if (!msg) {
        printf("    accepted, want \"%s\"\n", want);
        return 0;
    }
    if (!strstr(msg, want)) {
        printf("    \"%s\", want \"%s\"\n", msg, want);
        return 0;
    }
    return 1;
}

/*
 * Invariants of any accepted plan: ranges page aligned, sorted, disjoint and
 * not even touching (touching ones are merged); every segment inside the
 * file and inside one range; every range made of segment pages only; entry
 * inside a segment.
 */
static int plan_sane(void)
{
    int good = 1;
    if (k.nsegs == 0 || k.nsegs > KELF_MAX_SEGS || k.nranges == 0 || k.nranges > k.nsegs)
        return 0;
    for (unsigned i = 0; i < k.nranges; i++) {
        const struct kelf_range *r = &k.ranges[i];
        if (r->base % KELF_PAGE || r->pages == 0)
            good = 0;
        if (i > 0 && r->base <= k.ranges[i - 1].base + k.ranges[i - 1].pages * KELF_PAGE)
            good = 0;
        /* each page of the range is touched by some segment */
        for (uint64_t pg = 0; pg < r->pages && pg < 64; pg++) {
            uint64_t a = r->base + pg * KELF_PAGE;
            int used = 0;
            for (unsigned j = 0; j < k.nsegs; j++) {
                const struct kelf_seg *s = &k.segs[j];
                if (s->paddr < a + KELF_PAGE && a < s->paddr + s->memsz)
                    used = 1;
            }
            if (!used)
                good = 0;
        }
    }
    int entry_in = 0;
    for (unsigned j = 0; j < k.nsegs; j++) {
        const struct kelf_seg *s = &k.segs[j];
        if (s->memsz == 0 || s->filesz > s->memsz)
            good = 0;
        if (s->offset > img_len || s->filesz > img_len - s->offset)
            good = 0;
        if (s->paddr + s->memsz < s->paddr)
            good = 0;
        int in = 0;
        for (unsigned i = 0; i < k.nranges; i++) {
            const struct kelf_range *r = &k.ranges[i];
            if (s->paddr >= r->base && s->paddr + s->memsz - r->base <= r->pages * KELF_PAGE)
                in = 1;
        }
        if (!in)
            good = 0;
        if (k.entry >= s->paddr && k.entry - s->paddr < s->memsz)
            entry_in = 1;
    }
    return good && entry_in;
}

/* ---- the reference kernel --------------------------------------------------- */

/*
 * Three segments at 0x200000, the way a linker lays out a small kernel:
 *   text    file 0x1000..0x2234 -> [0x200000, 0x201234)
 *   rodata  file 0x2240..0x2740 -> [0x201240, 0x201740)   (shares text's last page)
 *   data    file 0x4000..0x4100 -> [0x203000, 0x203100) + bss up to 0x205100
 * The file ends right after .data.
 */
#define K_LEN       0x4100
#define K_ENTRY     0x200010
#define T_OFF       0x1000
#define T_ADDR      0x200000
#define T_SIZE      0x1234
#define R_OFF       0x2240
#define R_ADDR      0x201240
#define R_SIZE      0x500
#define D_OFF       0x4000
#define D_ADDR      0x203000
#define D_FILESZ    0x100
#define D_MEMSZ     0x2100

static void build_kernel(void)
{
    elf_begin(K_LEN, K_ENTRY);
    elf_ph(PT_LOAD_, T_OFF, T_ADDR, T_SIZE, T_SIZE);
    elf_ph(PT_LOAD_, R_OFF, R_ADDR, R_SIZE, R_SIZE);
    elf_ph(PT_LOAD_, D_OFF, D_ADDR, D_FILESZ, D_MEMSZ);
    fill(T_OFF, T_SIZE, 1);
    fill(R_OFF, R_SIZE, 2);
    fill(D_OFF, D_FILESZ, 3);
}

/* A fake physical window [WIN_BASE, WIN_BASE + WIN_SIZE), poisoned. */
#define WIN_BASE    0x200000
#define WIN_SIZE    0x8000
#define POISON      0xcc
static unsigned char win[WIN_SIZE];

/* Carries the plan out as loader.c does; 0 if it steps outside the window. */
static int load_plan(void)
{
    memset(win, POISON, sizeof win);
    for (unsigned i = 0; i < k.nranges; i++) {
        uint64_t b = k.ranges[i].base, n = k.ranges[i].pages * KELF_PAGE;
        if (b < WIN_BASE || b + n > WIN_BASE + WIN_SIZE)
            return 0;
        memset(win + (b - WIN_BASE), 0, n);
    }
    for (unsigned i = 0; i < k.nsegs; i++) {
        const struct kelf_seg *s = &k.segs[i];
        if (s->paddr < WIN_BASE || s->paddr + s->memsz > WIN_BASE + WIN_SIZE)
            return 0;
        if (s->offset + s->filesz > img_len)
            return 0;
        memcpy(win + (s->paddr - WIN_BASE), img + s->offset, s->filesz);
    }
    return 1;
}

static int win_equals_file(uint64_t addr, uint64_t off, uint64_t n)
{
    return memcmp(win + (addr - WIN_BASE), img + off, n) == 0;
}

static int win_all(uint64_t addr, uint64_t n, unsigned char v)
{
    for (uint64_t i = 0; i < n; i++)
        if (win[addr - WIN_BASE + i] != v)
            return 0;
    return 1;
}

UT_TEST(kelf_valid_kernel_plan)
{
    build_kernel();
    CHECK(accepted());
    CHECK_EQ(k.entry, K_ENTRY);
    CHECK_EQ(k.nsegs, 3);
    CHECK_EQ(k.segs[0].paddr, T_ADDR);
    CHECK_EQ(k.segs[0].offset, T_OFF);
    CHECK_EQ(k.segs[0].filesz, T_SIZE);
    CHECK_EQ(k.segs[0].memsz, T_SIZE);
    CHECK_EQ(k.segs[1].paddr, R_ADDR);
    CHECK_EQ(k.segs[1].offset, R_OFF);
    CHECK_EQ(k.segs[1].filesz, R_SIZE);
    CHECK_EQ(k.segs[1].memsz, R_SIZE);
    CHECK_EQ(k.segs[2].paddr, D_ADDR);
    CHECK_EQ(k.segs[2].offset, D_OFF);
    CHECK_EQ(k.segs[2].filesz, D_FILESZ);
    CHECK_EQ(k.segs[2].memsz, D_MEMSZ);
    /* bss: what the loader zeroes past the file bytes */
    CHECK_EQ(k.segs[2].memsz - k.segs[2].filesz, 0x2000);
    /* text + rodata share pages 0x200000..0x202000; data+bss 0x203000..0x206000 */
    CHECK_EQ(k.nranges, 2);
    CHECK_EQ(k.ranges[0].base, 0x200000);
    CHECK_EQ(k.ranges[0].pages, 2);
    CHECK_EQ(k.ranges[1].base, 0x203000);
    CHECK_EQ(k.ranges[1].pages, 3);
    CHECK(plan_sane());
}

UT_TEST(kelf_valid_kernel_loads)
{
    build_kernel();
    CHECK(accepted());
    CHECK(load_plan());
    CHECK(win_equals_file(T_ADDR, T_OFF, T_SIZE));
    CHECK(win_equals_file(R_ADDR, R_OFF, R_SIZE));
    CHECK(win_equals_file(D_ADDR, D_OFF, D_FILESZ));
    /* hole between text and rodata, tail of the rodata page, bss: zero */
    CHECK(win_all(T_ADDR + T_SIZE, R_ADDR - (T_ADDR + T_SIZE), 0));
    CHECK(win_all(R_ADDR + R_SIZE, 0x202000 - (R_ADDR + R_SIZE), 0));
    CHECK(win_all(D_ADDR + D_FILESZ, D_MEMSZ - D_FILESZ, 0));
    CHECK(win_all(D_ADDR + D_MEMSZ, 0x206000 - (D_ADDR + D_MEMSZ), 0));
    /* the page between the ranges and the memory past them are not claimed */
    CHECK(win_all(0x202000, 0x1000, POISON));
    CHECK(win_all(0x206000, WIN_BASE + WIN_SIZE - 0x206000, POISON));
}

UT_TEST(kelf_valid_kernel_unaligned_buffer)
{
    build_kernel();
    const char *msg = parse_shift(1);
    CHECK(msg == NULL);
    CHECK_EQ(k.nsegs, 3);
    CHECK_EQ(k.nranges, 2);
    msg = parse_shift(7);
    CHECK(msg == NULL);
    CHECK_EQ(k.entry, K_ENTRY);
}

UT_TEST(kelf_entry_at_segment_edges)
{
    build_kernel();
    put64(E_ENTRY, T_ADDR);                         /* first byte */
    CHECK(accepted());
    put64(E_ENTRY, D_ADDR + D_MEMSZ - 1);           /* last byte, in .bss */
    CHECK(accepted());
    CHECK_EQ(k.entry, D_ADDR + D_MEMSZ - 1);
    put64(E_ENTRY, R_ADDR);                         /* rodata counts too */
    CHECK(accepted());
}

UT_TEST(kelf_ranges_sorted_and_touching_merged)
{
    /* phdrs in descending address order; B and C touch at a page boundary */
    elf_begin(0x3000, 0x100000);
    elf_ph(PT_LOAD_, 0x2000, 0x300000, 0x10, 0x1000);   /* A: [0x300000,0x301000) */
    elf_ph(PT_LOAD_, 0x1000, 0x101000, 0x10, 0x10);     /* C: [0x101000,0x101010) */
    elf_ph(PT_LOAD_, 0x1000, 0x100000, 0x800, 0x800);   /* B: [0x100000,0x100800) */
    CHECK(accepted());
    CHECK_EQ(k.nsegs, 3);
    CHECK_EQ(k.segs[0].paddr, 0x300000);                /* segments: file order */
    CHECK_EQ(k.segs[2].paddr, 0x100000);
    CHECK_EQ(k.nranges, 2);
    CHECK_EQ(k.ranges[0].base, 0x100000);
    CHECK_EQ(k.ranges[0].pages, 2);
    CHECK_EQ(k.ranges[1].base, 0x300000);
    CHECK_EQ(k.ranges[1].pages, 1);
    CHECK(plan_sane());
}

UT_TEST(kelf_ranges_unaligned_segment_rounds_out)
{
    /* one small segment crossing a page boundary needs both pages */
    elf_begin(0x2000, 0x400ff0);
    elf_ph(PT_LOAD_, 0x1000, 0x400ff0, 0x20, 0x20);
    CHECK(accepted());
    CHECK_EQ(k.nranges, 1);
    CHECK_EQ(k.ranges[0].base, 0x400000);
    CHECK_EQ(k.ranges[0].pages, 2);
}

UT_TEST(kelf_byte_adjacent_segments_ok)
{
    /* end of one == start of the next is not an overlap */
    elf_begin(0x2000, 0x200000);
    elf_ph(PT_LOAD_, 0x1000, 0x200000, 0x100, 0x100);
    elf_ph(PT_LOAD_, 0x1100, 0x200100, 0x100, 0x100);
    CHECK(accepted());
    CHECK_EQ(k.nsegs, 2);
    CHECK_EQ(k.nranges, 1);
    CHECK_EQ(k.ranges[0].pages, 1);
}

UT_TEST(kelf_ignores_other_phdrs_and_empty_loads)
{
    build_kernel();
    /* garbage in non-PT_LOAD headers and in an empty PT_LOAD must not matter */
    elf_ph_va(PT_NOTE_, 0xdeadbeef0000, 0x1, 0x2, 0xffffffff, 0x10);
    elf_ph(PT_GNU_STACK_, 0, 0, 0, 0);
    elf_ph_va(PT_NULL_, ~(uint64_t)0, ~(uint64_t)0, 0, ~(uint64_t)0, ~(uint64_t)0);
    elf_ph(PT_LOAD_, 0x4000, 0x200000, 0, 0);        /* memsz 0: overlaps nothing */
    CHECK_EQ(get16(E_PHNUM), 7);
    CHECK(accepted());
    CHECK_EQ(k.nsegs, 3);
    CHECK_EQ(k.nranges, 2);
    CHECK(plan_sane());
}

UT_TEST(kelf_bss_only_segment)
{
    elf_begin(0x1100, 0x200000);
    elf_ph(PT_LOAD_, 0x1000, 0x200000, 0x100, 0x100);
    elf_ph(PT_LOAD_, 0x1100, 0x201000, 0, 0x3000);   /* offset == file end, nothing to read */
    CHECK(accepted());
    CHECK_EQ(k.nsegs, 2);
    CHECK_EQ(k.segs[1].filesz, 0);
    CHECK_EQ(k.segs[1].memsz, 0x3000);
    CHECK_EQ(k.nranges, 1);
    CHECK_EQ(k.ranges[0].pages, 4);
}

UT_TEST(kelf_phdrs_elsewhere_and_wider_entries)
{
    /* phdrs at the end of the file, 64-byte entries (allowed: >= 56) */
    elf_begin(0x2000 + 2 * 64, 0x200000);
    elf_phdrs_at(0x2000, 64);
    elf_ph(PT_LOAD_, 0x1000, 0x200000, 0x100, 0x100);
    elf_ph(PT_LOAD_, 0x1100, 0x202000, 0x100, 0x100);
    CHECK(accepted());
    CHECK_EQ(k.nsegs, 2);
    CHECK_EQ(k.segs[1].paddr, 0x202000);
    CHECK_EQ(k.nranges, 2);
}

UT_TEST(kelf_sixteen_segments_ok)
{
    elf_begin(0x2000, 0x200000);
    for (unsigned i = 0; i < KELF_MAX_SEGS; i++)
        elf_ph(PT_LOAD_, 0x1000, 0x200000 + i * 0x2000, 0x10, 0x10);
    CHECK(accepted());
    CHECK_EQ(k.nsegs, KELF_MAX_SEGS);
    CHECK_EQ(k.nranges, KELF_MAX_SEGS);
    CHECK_EQ(k.ranges[15].base, 0x200000 + 15 * 0x2000);
    CHECK(plan_sane());
}

UT_TEST(kelf_top_of_address_space)
{
    /* the highest page that still rounds up without wrapping */
    elf_begin(0x2000, 0xffffffffffffe000);
    elf_ph(PT_LOAD_, 0x1000, 0xffffffffffffe000, 0x100, 0x1000);
    CHECK(accepted());
    CHECK_EQ(k.nranges, 1);
    CHECK_EQ(k.ranges[0].base, 0xffffffffffffe000);
    CHECK_EQ(k.ranges[0].pages, 1);
}

/* ---- rejections ---------------------------------------------------------------- */

UT_TEST(kelf_rej_truncated_header)
{
    build_kernel();
    img_len = 0;
    CHECK(rejected("too small"));
    img_len = 1;
    CHECK(rejected("too small"));
    img_len = EH_SIZE - 1;
    CHECK(rejected("too small"));
    /* a whole header but no room for the program headers */
    img_len = EH_SIZE;
    CHECK(rejected("program headers out of file"));
}

UT_TEST(kelf_rej_every_truncation)
{
    /* every prefix of the reference kernel is refused, without overreads */
    build_kernel();
    int all = 1;
    for (uint64_t n = 0; n < K_LEN; n++) {
        img_len = n;
        if (!parse()) {
            printf("    truncated to %llu bytes: accepted\n", (unsigned long long)n);
            all = 0;
            break;
        }
    }
    CHECK(all);
    img_len = K_LEN;
    CHECK(accepted());
}

UT_TEST(kelf_rej_bad_magic)
{
    for (int i = 0; i < 4; i++) {
        build_kernel();
        img[i] ^= 0x20;
        CHECK(rejected("bad magic"));
    }
    build_kernel();
    memcpy(img, "MZ\x90\0", 4);
    CHECK(rejected("bad magic"));
}

UT_TEST(kelf_rej_32bit_class)
{
    build_kernel();
    img[4] = 1;                 /* ELFCLASS32 */
    CHECK(rejected("64-bit"));
    img[4] = 0;                 /* ELFCLASSNONE */
    CHECK(rejected("64-bit"));
    img[4] = 3;
    CHECK(rejected("64-bit"));
}

UT_TEST(kelf_rej_big_endian)
{
    build_kernel();
    img[5] = 2;                 /* ELFDATA2MSB */
    CHECK(rejected("little-endian"));
    img[5] = 0;
    CHECK(rejected("little-endian"));
}

UT_TEST(kelf_rej_version)
{
    build_kernel();
    img[6] = 0;
    CHECK(rejected("version"));
    build_kernel();
    put32(E_VERSION, 2);
    CHECK(rejected("version"));
}

UT_TEST(kelf_rej_wrong_machine)
{
    build_kernel();
    put16(E_MACHINE, 3);        /* EM_386 */
    CHECK(rejected("x86_64"));
    put16(E_MACHINE, 183);      /* EM_AARCH64 */
    CHECK(rejected("x86_64"));
    put16(E_MACHINE, 0);
    CHECK(rejected("x86_64"));
}

UT_TEST(kelf_rej_not_exec)
{
    build_kernel();
    put16(E_TYPE, 3);           /* ET_DYN (PIE) */
    CHECK(rejected("ET_EXEC"));
    put16(E_TYPE, 1);           /* ET_REL */
    CHECK(rejected("ET_EXEC"));
    put16(E_TYPE, 4);           /* ET_CORE */
    CHECK(rejected("ET_EXEC"));
    put16(E_TYPE, 0);
    CHECK(rejected("ET_EXEC"));
}

UT_TEST(kelf_rej_no_program_headers)
{
    build_kernel();
    put16(E_PHNUM, 0);
    CHECK(rejected("no program headers"));
}

UT_TEST(kelf_rej_phentsize_too_small)
{
    build_kernel();
    put16(E_PHENTSIZE, PH_SIZE - 1);
    CHECK(rejected("entry too small"));
    put16(E_PHENTSIZE, 32);     /* ELF32 size */
    CHECK(rejected("entry too small"));
    put16(E_PHENTSIZE, 0);
    CHECK(rejected("entry too small"));
}

UT_TEST(kelf_rej_phdrs_out_of_file)
{
    build_kernel();
    put64(E_PHOFF, K_LEN - 3 * PH_SIZE + 1);    /* last entry one byte short */
    CHECK(rejected("program headers out of file"));
    put64(E_PHOFF, K_LEN - 3 * PH_SIZE);        /* exactly fits: not a bounds error */
    const char *m = parse();
    CHECK(m == NULL || !strstr(m, "program headers out of file"));
    put64(E_PHOFF, K_LEN);
    CHECK(rejected("program headers out of file"));
    put64(E_PHOFF, K_LEN + 1);
    CHECK(rejected("program headers out of file"));
    put64(E_PHOFF, ~(uint64_t)0 - 8);           /* phoff + size would wrap */
    CHECK(rejected("program headers out of file"));
    put64(E_PHOFF, ~(uint64_t)0);
    CHECK(rejected("program headers out of file"));
    /* too many entries for the file */
    build_kernel();
    put16(E_PHNUM, 0xffff);
    CHECK(rejected("program headers out of file"));
    build_kernel();
    put16(E_PHENTSIZE, 0xffff);
    CHECK(rejected("program headers out of file"));
}

UT_TEST(kelf_rej_segment_past_file_end)
{
    build_kernel();
    img_len = K_LEN - 1;                        /* .data's last byte missing */
    CHECK(rejected("out of file bounds"));

    build_kernel();
    put64(EH_SIZE + 0 * PH_SIZE + P_OFFSET, K_LEN - T_SIZE + 1);   /* text past end by 1 */
    CHECK(rejected("out of file bounds"));
    put64(EH_SIZE + 0 * PH_SIZE + P_OFFSET, K_LEN - T_SIZE);       /* exactly fits */
    CHECK(accepted());

    build_kernel();
    put64(EH_SIZE + 1 * PH_SIZE + P_OFFSET, K_LEN + 0x1000);       /* offset past end */
    CHECK(rejected("out of file bounds"));

    build_kernel();                              /* offset + filesz wraps */
    put64(EH_SIZE + 2 * PH_SIZE + P_OFFSET, 0x10);
    put64(EH_SIZE + 2 * PH_SIZE + P_FILESZ, ~(uint64_t)0 - 8);
    put64(EH_SIZE + 2 * PH_SIZE + P_MEMSZ, ~(uint64_t)0 - 8);
    CHECK(rejected("out of file bounds"));
}

UT_TEST(kelf_rej_filesz_above_memsz)
{
    build_kernel();
    put64(EH_SIZE + 2 * PH_SIZE + P_FILESZ, D_MEMSZ + 1);
    put64(EH_SIZE + 2 * PH_SIZE + P_MEMSZ, D_MEMSZ);
    CHECK(rejected("p_filesz > p_memsz"));
    build_kernel();
    put64(EH_SIZE + 0 * PH_SIZE + P_MEMSZ, T_SIZE - 1);
    CHECK(rejected("p_filesz > p_memsz"));
}

UT_TEST(kelf_rej_not_identity_linked)
{
    build_kernel();
    put64(EH_SIZE + 1 * PH_SIZE + P_VADDR, 0xffffffff80000000 + R_ADDR);  /* higher half */
    CHECK(rejected("p_vaddr != p_paddr"));
    build_kernel();
    put64(EH_SIZE + 0 * PH_SIZE + P_PADDR, T_ADDR + 0x1000);
    put64(E_ENTRY, T_ADDR + 0x1010);
    CHECK(rejected("p_vaddr != p_paddr"));
    elf_begin(0x2000, 0x200000);
    elf_ph_va(PT_LOAD_, 0x1000, 0x200000, 0x200001, 0x10, 0x10);
    CHECK(rejected("p_vaddr != p_paddr"));
}

UT_TEST(kelf_rej_overlapping_segments)
{
    /* identical */
    elf_begin(0x2000, 0x200000);
    elf_ph(PT_LOAD_, 0x1000, 0x200000, 0x100, 0x100);
    elf_ph(PT_LOAD_, 0x1000, 0x200000, 0x100, 0x100);
    CHECK(rejected("overlap"));
    /* second starts inside the first (by one byte) */
    elf_begin(0x2000, 0x200000);
    elf_ph(PT_LOAD_, 0x1000, 0x200000, 0x100, 0x100);
    elf_ph(PT_LOAD_, 0x1000, 0x2000ff, 0x100, 0x100);
    CHECK(rejected("overlap"));
    /* second ends inside the first (by one byte) */
    elf_begin(0x2000, 0x200000);
    elf_ph(PT_LOAD_, 0x1000, 0x200000, 0x100, 0x100);
    elf_ph(PT_LOAD_, 0x1000, 0x1fff01, 0x100, 0x100);
    CHECK(rejected("overlap"));
    /* second contains the first */
    elf_begin(0x2000, 0x200000);
    elf_ph(PT_LOAD_, 0x1000, 0x200100, 0x10, 0x10);
    elf_ph(PT_LOAD_, 0x1000, 0x200000, 0x100, 0x1000);
    CHECK(rejected("overlap"));
    /* overlap only through .bss */
    build_kernel();
    put64(EH_SIZE + 2 * PH_SIZE + P_PADDR, 0x1ff000);   /* file bytes below text, */
    put64(EH_SIZE + 2 * PH_SIZE + P_VADDR, 0x1ff000);   /* .bss runs into it */
    CHECK(rejected("overlap"));
    /* overlap with a non-adjacent earlier segment */
    elf_begin(0x2000, 0x200000);
    elf_ph(PT_LOAD_, 0x1000, 0x200000, 0x10, 0x10);
    elf_ph(PT_LOAD_, 0x1000, 0x300000, 0x10, 0x10);
    elf_ph(PT_LOAD_, 0x1000, 0x200008, 0x10, 0x10);
    CHECK(rejected("overlap"));
}

UT_TEST(kelf_rej_entry_outside_segments)
{
    build_kernel();
    put64(E_ENTRY, T_ADDR - 1);
    CHECK(rejected("entry point outside"));
    put64(E_ENTRY, R_ADDR + R_SIZE);            /* one past rodata, same page */
    CHECK(rejected("entry point outside"));
    put64(E_ENTRY, T_ADDR + T_SIZE);            /* hole between text and rodata */
    CHECK(rejected("entry point outside"));
    put64(E_ENTRY, 0x202000);                   /* page between the ranges */
    CHECK(rejected("entry point outside"));
    put64(E_ENTRY, D_ADDR + D_MEMSZ);           /* one past .bss */
    CHECK(rejected("entry point outside"));
    put64(E_ENTRY, 0);
    CHECK(rejected("entry point outside"));
    put64(E_ENTRY, ~(uint64_t)0);
    CHECK(rejected("entry point outside"));
}

UT_TEST(kelf_rej_no_pt_load)
{
    elf_begin(0x2000, 0x200000);
    elf_ph(PT_NOTE_, 0x1000, 0x200000, 0x10, 0x10);
    elf_ph(PT_GNU_STACK_, 0, 0, 0, 0);
    CHECK(rejected("no loadable"));
    /* PT_LOADs that are all empty count as none */
    elf_begin(0x2000, 0x200000);
    elf_ph(PT_LOAD_, 0x1000, 0x200000, 0, 0);
    elf_ph(PT_LOAD_, 0x1000, 0x300000, 0, 0);
    CHECK(rejected("no loadable"));
}

UT_TEST(kelf_rej_address_wraps)
{
    /* p_paddr + p_memsz wraps past 2^64 */
    elf_begin(0x2000, 0xfffffffffffff000);
    elf_ph(PT_LOAD_, 0x1000, 0xfffffffffffff000, 0x10, 0x2000);
    CHECK(rejected("wraps"));
    elf_begin(0x2000, 0x1000);
    elf_ph(PT_LOAD_, 0x1000, 0x1000, 0x10, ~(uint64_t)0);
    CHECK(rejected("wraps"));
    elf_begin(0x2000, 0xfffffffffffffff0);
    elf_ph(PT_LOAD_, 0x1000, 0xfffffffffffffff0, 0x10, 0x10);    /* ends exactly at 2^64 */
    CHECK(rejected("wraps"));
    /* no wrap, but rounding the end up to a page would */
    elf_begin(0x2000, 0xffffffffffffe000);
    elf_ph(PT_LOAD_, 0x1000, 0xffffffffffffe000, 0x10, 0x1001);
    CHECK(rejected("wraps"));
    /* a wrapping segment after a valid one */
    build_kernel();
    elf_ph(PT_LOAD_, 0x1000, 0x8000000000000000, 0x10, 0x8000000000000000);
    CHECK(rejected("wraps"));
}

UT_TEST(kelf_rej_seventeen_segments)
{
    elf_begin(0x2000, 0x200000);
    for (unsigned i = 0; i <= KELF_MAX_SEGS; i++)
        elf_ph(PT_LOAD_, 0x1000, 0x200000 + i * 0x2000, 0x10, 0x10);
    CHECK(rejected("too many PT_LOAD"));
}

/* ---- robustness ------------------------------------------------------------------ */

UT_TEST(kelf_mutated_images_never_misplan)
{
    /* Random byte flips in the headers: any accepted result must be sane,
     * and ASan/UBSan must stay quiet either way. */
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int bad = 0, acc = 0;
    for (int iter = 0; iter < 20000 && !bad; iter++) {
        build_kernel();
        int flips = 1 + iter % 4;
        for (int f = 0; f < flips; f++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint64_t pos = x % (EH_SIZE + 3 * PH_SIZE);
            img[pos] = (unsigned char)(x >> 32);
        }
        if (iter % 7 == 0)
            img_len = (x >> 40) % (K_LEN + 1);
        if (!parse()) {
            acc++;
            if (!plan_sane()) {
                printf("    iteration %d: accepted an insane plan\n", iter);
                bad = 1;
            }
        }
    }
    CHECK(!bad);
    CHECK(acc > 0);             /* some mutations are harmless (e.g. p_align) */
}
