/*
 * mm/frame_alloc.c tests on real-looking firmware memory maps.
 *
 * Each map goes through the whole life cycle the kernel uses: size the
 * bitmap, fa_place it, fa_init, hand out every frame, give them all back.
 * Every frame handed out is checked against an independent, deliberately
 * naive oracle of the documented rule: a frame is free only if it lies at
 * or above 1 MiB, one USABLE range covers it completely, and no range of
 * another type and no reserved region (kernel image, bitmap) touches it.
 */
#include <stdlib.h>
#include <string.h>
#include "frame_alloc.h"
#include "ut.h"

#define KiB 0x400ull
#define MiB 0x100000ull
#define GiB 0x40000000ull

#define U  BOOT_MEM_USABLE
#define AR BOOT_MEM_ACPI_RECLAIM
#define LD BOOT_MEM_LOADER
#define NV BOOT_MEM_ACPI_NVS
#define RS BOOT_MEM_RESERVED
#define BD BOOT_MEM_BAD

#define R(b, l, t) { (b), (l), (t), 0 }
#define NELEM(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* QEMU -m 512 with SeaBIOS: the e820 map the BIOS reports. */
static const struct boot_mem_range map_qemu[] = {
    R(0x0, 0x9fc00, U),
    R(0x9fc00, 0x400, RS),
    R(0xf0000, 0x10000, RS),
    R(0x100000, 0x1fee0000, U),            /* 1 MiB .. 0x1ffe0000 */
    R(0x1ffe0000, 0x20000, RS),
    R(0xfeffc000, 0x4000, RS),
    R(0xfffc0000, 0x40000, RS),
};

/* The same map, shuffled. */
static const struct boot_mem_range map_qemu_unsorted[] = {
    R(0xfffc0000, 0x40000, RS),
    R(0x1ffe0000, 0x20000, RS),
    R(0x100000, 0x1fee0000, U),
    R(0xf0000, 0x10000, RS),
    R(0xfeffc000, 0x4000, RS),
    R(0x0, 0x9fc00, U),
    R(0x9fc00, 0x400, RS),
};

/*
 * OVMF on q35 with 3 GiB: 2 GiB below the PCI hole, 1 GiB above 4 GiB, EFI
 * types already translated (boot services code/data are usable, loader
 * data is LOADER, runtime code/data RESERVED), many small ranges.
 */
static const struct boot_mem_range map_ovmf[] = {
    R(0x0, 0x1000, U),                     /* BS data */
    R(0x1000, 0x9e000, U),                 /* conventional */
    R(0x9f000, 0x1000, U),                 /* BS data */
    R(0x100000, 0x700000, U),
    R(0x800000, 0x8000, NV),
    R(0x808000, 0x3000, U),
    R(0x80b000, 0x1000, NV),
    R(0x80c000, 0x4000, U),
    R(0x810000, 0xf0000, NV),
    R(0x900000, 0x700000, U),              /* BS data */
    R(0x1000000, 0x400000, LD),            /* our loader, kernel image */
    R(0x1400000, 0x3eb00000, U),           /* .. 0x3ff00000 */
    R(0x3ff00000, 0x1000, BD),             /* EfiUnusableMemory */
    R(0x3ff01000, 0x3b0ff000, U),          /* .. 0x7b000000 */
    R(0x7b000000, 0x200000, LD),
    R(0x7b200000, 0x1e00000, U),           /* BS code / data .. 0x7d000000 */
    R(0x7d000000, 0x1000000, U),
    R(0x7e000000, 0x100000, RS),           /* runtime code */
    R(0x7e100000, 0x100000, RS),           /* runtime data */
    R(0x7e200000, 0x5f3000, U),
    R(0x7e7f3000, 0x8000, AR),             /* ACPI tables */
    R(0x7e7fb000, 0x4000, NV),
    R(0x7e7ff000, 0x1000, U),
    R(0x7e800000, 0x600000, U),
    R(0x7ee00000, 0x200000, RS),
    R(0x7f000000, 0x800000, RS),
    R(0x7f800000, 0x800000, NV),
    R(0xb0000000, 0x10000000, RS),         /* MMCONFIG */
    R(0xfed1c000, 0x4000, RS),
    R(0xffc00000, 0x400000, RS),           /* flash */
    R(0x100000000, 0x40000000, U),         /* 4 GiB .. 5 GiB */
    R(0xfd00000000, 0x300000000, RS),      /* 64-bit PCI MMIO window */
};

/* Overlapping entries: only frames untouched by anything non-usable are free. */
static const struct boot_mem_range map_overlap[] = {
    R(0x0, 0x9f000, U),
    R(0x100000, 0x7f00000, U),             /* 1 MiB .. 128 MiB */
    R(0x7fe0000, 0x20000, AR),             /* ACPI inside the usable range */
    R(0x4000800, 0x1000, RS),              /* unaligned: touches two frames */
    R(0x2000000, 0x100000, U),             /* usable duplicated inside usable */
    R(0x3000000, 0x200000, NV),            /* NVS inside usable */
    R(0x3100000, 0x200000, U),             /* usable half over that NVS */
    R(0x7ff0000, 0x20000, RS),             /* straddles the usable end */
    R(0x8000000, 0x4000000, U),            /* 128 .. 192 MiB */
    R(0x9000000, 0x1000, LD),
    R(0x8000000, 0x1000, U),               /* duplicate head */
    R(0xbfff000, 0x2000, BD),              /* straddles the end */
    R(0xa000000, 0x2000000, U),            /* fully inside the previous usable */
    R(0xa800000, 0x10000, NV),             /* .. and NVS inside both */
    R(0xc100000, 0x100000, RS),            /* reserved listed first .. */
    R(0xc000000, 0x400000, U),             /* .. the usable over it after */
};

/* Unaligned bases and lengths everywhere. */
static const struct boot_mem_range map_unaligned[] = {
    R(0x0, 0x9fc00, U),
    R(0x100400, 0x3ffc00, U),              /* first whole frame 0x101000 */
    R(0x500000, 0x123456, U),              /* last whole frame ends 0x623000 */
    R(0x623456, 0x100, RS),
    R(0x700800, 0x800, U),                 /* less than a frame: nothing */
    R(0x800000, 0x1000010, U),
    R(0x1800010, 0x7ff0, AR),
    R(0x2000000, 0x2000000, U),
    R(0x2abc123, 0x10, RS),                /* 16 bytes inside: kills a frame */
    R(0x3fffff0, 0x20, NV),                /* straddles the usable end */
    R(0x5000000, 0x800, U),                /* two halves of one frame: */
    R(0x5000800, 0xfff800, U),             /* neither covers 0x5000000 */
    R(0x7000001, 0x2ffffff, U),            /* end 0xa000000, first 0x7001000 */
};

/* Zero-length entries must not matter. */
static const struct boot_mem_range map_zero_len[] = {
    R(0x0, 0x9fc00, U),
    R(0x9fc00, 0x400, RS),
    R(0xf0000, 0x10000, RS),
    R(0x100000, 0x1fee0000, U),
    R(0x5000000, 0, RS),                   /* zero-length, inside usable */
    R(0x6000000, 0, NV),
    R(0x7000000, 0, U),
    R(0x1ffe0000, 0x20000, RS),
    R(0xfeffc000, 0x4000, RS),
    R(0xfffc0000, 0x40000, RS),
};

/* ---- the oracle ------------------------------------------------------------- */

static int touches(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    if (!alen || !blen)
        return 0;
    return a < b + blen && b < a + alen;
}

/* The documented rule, frame by frame, with no page rounding tricks. */
static int oracle_free(const struct boot_mem_range *map, uint32_t n,
                       const struct fa_region *res, uint32_t nres, uint64_t addr)
{
    if (addr < FA_LOW_RESERVED)
        return 0;
    int covered = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (map[i].type == BOOT_MEM_USABLE) {
            if (map[i].base <= addr && addr + FRAME_SIZE <= map[i].base + map[i].len)
                covered = 1;
        } else if (touches(addr, FRAME_SIZE, map[i].base, map[i].len)) {
            return 0;
        }
    }
    if (!covered)
        return 0;
    for (uint32_t i = 0; i < nres; i++)
        if (touches(addr, FRAME_SIZE, res[i].base, res[i].len))
            return 0;
    return 1;
}

struct scen {
    const struct boot_mem_range *map;
    uint32_t n;
    struct fa_region kernel;
    uint64_t limit;                      /* for fa_place */
    uint64_t expect_frames;              /* fa_frames_needed */
};

struct run {
    struct frame_alloc fa;
    uint64_t *storage;
    uint64_t bytes;
    struct fa_region res[2];             /* kernel, bitmap */
    unsigned char *ok;                   /* oracle per frame */
    uint64_t expect_free;
};

static void run_free(struct run *r)
{
    free(r->storage);
    free(r->ok);
}

/* Size, place, init, cross-check the bitmap with the oracle. 0 on failure. */
static int setup(const struct scen *sc, struct run *r)
{
    memset(r, 0, sizeof *r);
    uint64_t nframes = fa_frames_needed(sc->map, sc->n);
    CHECK_EQ(nframes, sc->expect_frames);
    if (!nframes)
        return 0;
    r->bytes = fa_bitmap_bytes(nframes);
    CHECK_EQ(r->bytes % 8, 0);
    CHECK(r->bytes * 8 >= nframes && r->bytes * 8 - nframes < 64);

    /* fa_place: page aligned, below limit, every frame free by the rule. */
    uint64_t bm = 0;
    r->res[0] = sc->kernel;
    hv_status_t rc = fa_place(sc->map, sc->n, r->res, 1, r->bytes, sc->limit, &bm);
    CHECK_EQ(rc, HV_OK);
    if (rc != HV_OK)
        return 0;
    uint64_t bm_len = (r->bytes + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
    CHECK_EQ(bm % FRAME_SIZE, 0);
    CHECK(bm >= FA_LOW_RESERVED);
    CHECK(bm + bm_len <= sc->limit);
    for (uint64_t a = bm; a < bm + bm_len; a += FRAME_SIZE)
        CHECK(oracle_free(sc->map, sc->n, r->res, 1, a));
    r->res[1] = (struct fa_region){ bm, r->bytes };

    /* Too little storage is refused. */
    uint64_t *small = malloc(r->bytes - 8 ? r->bytes - 8 : 8);
    struct frame_alloc tmp;
    CHECK_EQ(fa_init(&tmp, sc->map, sc->n, r->res, 2, small, r->bytes - 8), HV_ERR_BUFFER_TOO_SMALL);
    free(small);

    r->storage = malloc(r->bytes);         /* exact size: ASan guards the end */
    memset(r->storage, 0x5a, r->bytes);    /* fa_init must write every word */
    rc = fa_init(&r->fa, sc->map, sc->n, r->res, 2, r->storage, r->bytes);
    CHECK_EQ(rc, HV_OK);
    if (rc != HV_OK)
        return 0;
    CHECK_EQ(r->fa.nframes, nframes);
    CHECK(r->fa.bitmap == r->storage);

    r->ok = calloc(nframes, 1);
    uint64_t disagree = 0;
    for (uint64_t f = 0; f < nframes; f++) {
        r->ok[f] = (unsigned char)oracle_free(sc->map, sc->n, r->res, 2, f * FRAME_SIZE);
        r->expect_free += r->ok[f];
        if (fa_is_used(&r->fa, f * FRAME_SIZE) == r->ok[f]) {
            if (disagree++ < 8)
                printf("    frame 0x%llx: used=%d, oracle free=%d\n",
                       (unsigned long long)(f * FRAME_SIZE),
                       fa_is_used(&r->fa, f * FRAME_SIZE), r->ok[f]);
        }
    }
    CHECK_EQ(disagree, 0);
    CHECK_EQ(r->fa.free_frames, r->expect_free);
    CHECK_EQ(r->fa.total_usable, r->expect_free);
    CHECK(r->expect_free > 0);
    CHECK_EQ(fa_is_used(&r->fa, nframes * FRAME_SIZE), 1);   /* past the end */
    return 1;
}

/* Snapshot of the bitmap for "nothing changed" checks. */
static uint64_t *snap(const struct run *r)
{
    uint64_t *s = malloc(r->bytes);
    memcpy(s, r->fa.bitmap, r->bytes);
    return s;
}

static void check_fa_free_errors(struct run *r, uint64_t some_free)
{
    struct frame_alloc *fa = &r->fa;
    uint64_t *before = snap(r);
    uint64_t ff = fa->free_frames;
    CHECK_EQ(fa_free(fa, some_free), HV_ERR_BAD_STATE);          /* already free */
    CHECK_EQ(fa_free(fa, some_free + 1), HV_ERR_OUT_OF_RANGE);       /* unaligned */
    CHECK_EQ(fa_free(fa, some_free + 0x800), HV_ERR_OUT_OF_RANGE);
    CHECK_EQ(fa_free(fa, fa->nframes * FRAME_SIZE), HV_ERR_OUT_OF_RANGE);   /* past the end */
    CHECK_EQ(fa_free(fa, fa->nframes * FRAME_SIZE + 64 * FRAME_SIZE), HV_ERR_OUT_OF_RANGE);
    CHECK_EQ(fa_free(fa, ~0ull & ~(FRAME_SIZE - 1)), HV_ERR_OUT_OF_RANGE);
    CHECK_EQ(fa_free(fa, 0), HV_ERR_OUT_OF_RANGE);                   /* below 1 MiB */
    CHECK_EQ(fa_free(fa, 0x1000), HV_ERR_OUT_OF_RANGE);
    CHECK_EQ(fa_free(fa, 0x9f000), HV_ERR_OUT_OF_RANGE);
    CHECK_EQ(fa_free(fa, FA_LOW_RESERVED - FRAME_SIZE), HV_ERR_OUT_OF_RANGE);
    CHECK_EQ(fa->free_frames, ff);
    CHECK(memcmp(before, fa->bitmap, r->bytes) == 0);
    free(before);
}

/* Hand out everything, check every frame, give everything back. */
static void full_cycle(const struct scen *sc)
{
    struct run r;
    if (!setup(sc, &r)) {
        run_free(&r);
        return;
    }
    struct frame_alloc *fa = &r.fa;
    uint64_t nframes = fa->nframes;
    unsigned char *seen = calloc(nframes, 1);
    uint64_t *got = malloc((r.expect_free + 1) * sizeof *got);
    uint64_t count = 0, bad = 0, prev = 0, a;

    while ((a = fa_alloc(fa)) != FRAME_NONE) {
        uint64_t f = a / FRAME_SIZE;
        int good = a % FRAME_SIZE == 0 && a >= FA_LOW_RESERVED && f < nframes &&
                   r.ok[f] && !seen[f] && a > prev && fa_is_used(fa, a);
        if (!good && bad++ < 8)
            printf("    bad frame 0x%llx\n", (unsigned long long)a);
        if (f < nframes)
            seen[f] = 1;
        prev = a;
        if (count > r.expect_free)
            break;                          /* runaway: stop, count says enough */
        got[count++] = a;
        CHECK_EQ(fa->free_frames, r.expect_free - count);
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(count, r.expect_free);
    CHECK_EQ(fa->free_frames, 0);
    CHECK_EQ(fa_alloc(fa), FRAME_NONE);     /* stays empty */
    CHECK_EQ(fa_alloc_contig(fa, 1, FRAME_SIZE), FRAME_NONE);

    /* Give them back in a scrambled order. */
    uint64_t step = 7919;                   /* prime: visits every index */
    while (count && count % step == 0)
        step += 2;
    for (uint64_t i = 0, j = 0; i < count; i++, j = (j + step) % count)
        CHECK_EQ(fa_free(fa, got[j]), HV_OK);
    CHECK_EQ(fa->free_frames, r.expect_free);
    CHECK_EQ(fa->total_usable, r.expect_free);
    for (uint64_t f = 0; f < nframes; f++)
        if (fa_is_used(fa, f * FRAME_SIZE) == r.ok[f]) {
            CHECK_EQ(f * FRAME_SIZE, ~0ull);        /* exact state restored */
            break;
        }

    /* Lowest first again, then the error paths. */
    if (count) {
        CHECK_EQ(fa_alloc(fa), got[0]);
        CHECK_EQ(fa_free(fa, got[0]), HV_OK);
        check_fa_free_errors(&r, got[count - 1]);
        /* Double free after a real allocation. */
        uint64_t x = fa_alloc(fa);
        CHECK_EQ(fa_free(fa, x), HV_OK);
        uint64_t ff = fa->free_frames;
        CHECK_EQ(fa_free(fa, x), HV_ERR_BAD_STATE);
        CHECK_EQ(fa->free_frames, ff);
    }
    free(seen);
    free(got);
    run_free(&r);
}

static const struct scen sc_qemu = {
    map_qemu, NELEM(map_qemu), { 0x100000, 0x2345ab }, 4 * GiB, 0x1ffe0000 / FRAME_SIZE,
};

UT_TEST(fa_qemu_e820_full_cycle)
{
    full_cycle(&sc_qemu);
}

UT_TEST(fa_qemu_unsorted_same_result)
{
    struct scen s = sc_qemu;
    s.map = map_qemu_unsorted;
    s.n = NELEM(map_qemu_unsorted);
    full_cycle(&s);

    struct run a, b;
    if (setup(&sc_qemu, &a) && setup(&s, &b)) {
        CHECK_EQ(a.fa.free_frames, b.fa.free_frames);
        CHECK_EQ(a.res[1].base, b.res[1].base);      /* same bitmap home */
        CHECK(memcmp(a.fa.bitmap, b.fa.bitmap, a.bytes) == 0);
    }
    run_free(&a);
    run_free(&b);
}

UT_TEST(fa_ovmf_efi_map_full_cycle)
{
    struct scen s = {
        map_ovmf, NELEM(map_ovmf), { 0x1000000, 0x400000 }, 4 * GiB,
        (4 * GiB + GiB) / FRAME_SIZE,
    };
    full_cycle(&s);
}

UT_TEST(fa_ovmf_place_respects_limit)
{
    uint64_t bytes = fa_bitmap_bytes(fa_frames_needed(map_ovmf, NELEM(map_ovmf)));
    struct fa_region kern = { 0x1000000, 0x400000 };
    uint64_t bm;
    CHECK_EQ(bytes, 0x28000);
    CHECK_EQ(fa_place(map_ovmf, NELEM(map_ovmf), &kern, 1, bytes, 16 * MiB, &bm), HV_OK);
    CHECK_EQ(bm, 0x100000);
    CHECK_EQ(fa_place(map_ovmf, NELEM(map_ovmf), &kern, 1, bytes, 0x128000, &bm), HV_OK);
    CHECK_EQ(bm, 0x100000);
    CHECK_EQ(fa_place(map_ovmf, NELEM(map_ovmf), &kern, 1, bytes, 0x127fff, &bm),
             HV_ERR_NO_MEMORY);
    /* Something only the 1 GiB above 4 GiB can hold (largest low range: 1003 MiB). */
    uint64_t big = 1010 * MiB;
    CHECK_EQ(fa_place(map_ovmf, NELEM(map_ovmf), &kern, 1, big, 4 * GiB, &bm), HV_ERR_NO_MEMORY);
    CHECK_EQ(fa_place(map_ovmf, NELEM(map_ovmf), &kern, 1, big, ~0ull, &bm), HV_OK);
    CHECK_EQ(bm, 4 * GiB);
    CHECK_EQ(fa_place(map_ovmf, NELEM(map_ovmf), &kern, 1, 2 * GiB, ~0ull, &bm), HV_ERR_NO_MEMORY);
}

UT_TEST(fa_overlapping_entries_full_cycle)
{
    struct scen s = { map_overlap, NELEM(map_overlap), { 0x100000, 0x100000 }, 4 * GiB,
                      0xc400000 / FRAME_SIZE };
    full_cycle(&s);

    /* Spot checks of the overlap rule itself. */
    struct run r;
    if (setup(&s, &r)) {
        CHECK_EQ(fa_is_used(&r.fa, 0x4000000), 1);       /* unaligned reserved .. */
        CHECK_EQ(fa_is_used(&r.fa, 0x4001000), 1);       /* .. touches two frames */
        CHECK_EQ(fa_is_used(&r.fa, 0x3fff000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0x4002000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0x3000000), 1);       /* NVS beats usable */
        CHECK_EQ(fa_is_used(&r.fa, 0x31ff000), 1);
        CHECK_EQ(fa_is_used(&r.fa, 0x3200000), 0);       /* usable after NVS */
        CHECK_EQ(fa_is_used(&r.fa, 0x7fdf000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0x7fe0000), 1);       /* ACPI */
        CHECK_EQ(fa_is_used(&r.fa, 0x8000000), 1);       /* reserved straddling */
        CHECK_EQ(fa_is_used(&r.fa, 0x800f000), 1);
        CHECK_EQ(fa_is_used(&r.fa, 0x8010000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0x9000000), 1);       /* loader */
        CHECK_EQ(fa_is_used(&r.fa, 0xa800000), 1);       /* NVS inside two usables */
        CHECK_EQ(fa_is_used(&r.fa, 0xbffe000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0xbfff000), 1);       /* bad straddling */
        CHECK_EQ(fa_is_used(&r.fa, 0xc000000), 1);       /* .. and past it */
        CHECK_EQ(fa_is_used(&r.fa, 0xc001000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0xc100000), 1);       /* reserved listed first */
        CHECK_EQ(fa_is_used(&r.fa, 0xc1ff000), 1);
        CHECK_EQ(fa_is_used(&r.fa, 0xc200000), 0);
    }
    run_free(&r);
}

UT_TEST(fa_unaligned_ranges_full_cycle)
{
    struct scen s = { map_unaligned, NELEM(map_unaligned), { 0x100080, 0x1fff00 }, 4 * GiB,
                      0xa000000 / FRAME_SIZE };
    full_cycle(&s);

    struct run r;
    if (setup(&s, &r)) {
        CHECK_EQ(fa_is_used(&r.fa, 0x100000), 1);        /* partial head frame */
        CHECK_EQ(fa_is_used(&r.fa, 0x2ff000), 1);        /* kernel ends at 0x2fff80 */
        CHECK_EQ(r.res[1].base, 0x300000);               /* bitmap right after it */
        CHECK_EQ(fa_is_used(&r.fa, 0x301000), 1);
        CHECK_EQ(fa_is_used(&r.fa, 0x302000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0x622000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0x623000), 1);        /* partial tail frame */
        CHECK_EQ(fa_is_used(&r.fa, 0x700000), 1);        /* sub-frame range */
        CHECK_EQ(fa_is_used(&r.fa, 0x17ff000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0x1800000), 1);
        CHECK_EQ(fa_is_used(&r.fa, 0x2abc000), 1);       /* 16 reserved bytes */
        CHECK_EQ(fa_is_used(&r.fa, 0x2abb000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0x2abd000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0x3ffe000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0x3fff000), 1);
        CHECK_EQ(fa_is_used(&r.fa, 0x5000000), 1);       /* split by two usables */
        CHECK_EQ(fa_is_used(&r.fa, 0x5001000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0x7000000), 1);
        CHECK_EQ(fa_is_used(&r.fa, 0x7001000), 0);
        CHECK_EQ(fa_is_used(&r.fa, 0x9fff000), 0);
    }
    run_free(&r);
}

UT_TEST(fa_zero_length_ranges_full_cycle)
{
    struct scen s = sc_qemu;
    s.map = map_zero_len;
    s.n = NELEM(map_zero_len);
    full_cycle(&s);

    struct run a, b;
    if (setup(&sc_qemu, &a) && setup(&s, &b)) {
        CHECK_EQ(b.fa.free_frames, a.fa.free_frames);   /* as if they were absent */
        CHECK_EQ(fa_is_used(&b.fa, 0x5000000), 0);
        CHECK_EQ(fa_is_used(&b.fa, 0x6000000), 0);
    }
    run_free(&a);
    run_free(&b);
}

/*
 * Regression (once a bug in mm/frame_alloc.c, fa_frames_needed): a zero-length USABLE entry, or
 * one shorter than a frame, still counts as "top of usable RAM". With the
 * QEMU map plus R(0x200000000, 0, USABLE) the bitmap is sized for 8 GiB
 * (0x200000 frames) instead of 0x1ffe0 frames; a bogus empty entry high up
 * (0xfffffffff000: 256 TiB) would ask for an 8 GiB bitmap and fail the boot
 * with "no room for the frame bitmap" although it adds no RAM.
 */
UT_TEST(fa_regress_zero_length_usable_sets_top)
{
    struct boot_mem_range m[NELEM(map_qemu) + 1];
    memcpy(m, map_qemu, sizeof map_qemu);
    m[NELEM(map_qemu)] = (struct boot_mem_range)R(0x200000000ull, 0, U);
    CHECK_EQ(fa_frames_needed(m, NELEM(m)), 0x1ffe0000 / FRAME_SIZE);
    m[NELEM(map_qemu)] = (struct boot_mem_range)R(0x200000800ull, 0x400, U);  /* no whole frame */
    CHECK_EQ(fa_frames_needed(m, NELEM(m)), 0x1ffe0000 / FRAME_SIZE);
}

/* ---- no RAM ------------------------------------------------------------------ */

UT_TEST(fa_no_usable_ram_above_1mib)
{
    static const struct boot_mem_range low_only[] = {
        R(0x0, 0x9fc00, U),
        R(0x9fc00, 0x400, RS),
        R(0xf0000, 0x10000, RS),
        R(0x100000, 0x7f00000, RS),
        R(0xfffc0000, 0x40000, RS),
    };
    static const struct boot_mem_range up_to_1mib[] = { R(0x0, 0x100000, U) };
    uint64_t storage[64], bm = 0;
    struct frame_alloc fa;
    CHECK_EQ(fa_frames_needed(low_only, NELEM(low_only)), 0);
    CHECK_EQ(fa_init(&fa, low_only, NELEM(low_only), NULL, 0, storage, sizeof storage),
             HV_ERR_NO_MEMORY);
    CHECK_EQ(fa_place(low_only, NELEM(low_only), NULL, 0, 4096, ~0ull, &bm), HV_ERR_NO_MEMORY);
    CHECK_EQ(fa_frames_needed(up_to_1mib, 1), 0);
    CHECK_EQ(fa_init(&fa, up_to_1mib, 1, NULL, 0, storage, sizeof storage), HV_ERR_NO_MEMORY);
    CHECK_EQ(fa_frames_needed(NULL, 0), 0);
    CHECK_EQ(fa_init(&fa, NULL, 0, NULL, 0, storage, sizeof storage), HV_ERR_NO_MEMORY);
}

UT_TEST(fa_usable_ram_all_reserved)
{
    /* RAM above 1 MiB exists, but the reserved regions cover all of it. */
    static const struct boot_mem_range m[] = { R(0x0, 0x9f000, U), R(0x100000, 0x100000, U) };
    struct fa_region res[] = { { 0x100000, 0x80000 }, { 0x180000, 0x80000 } };
    uint64_t storage[16];
    struct frame_alloc fa;
    CHECK_EQ(fa_frames_needed(m, 2), 0x200);
    CHECK_EQ(fa_init(&fa, m, 2, res, 2, storage, sizeof storage), HV_ERR_NO_MEMORY);
    /* One frame left: OK, exactly one to hand out. */
    res[1].len = 0x7f000;
    CHECK_EQ(fa_init(&fa, m, 2, res, 2, storage, sizeof storage), HV_OK);
    CHECK_EQ(fa.free_frames, 1);
    CHECK_EQ(fa_alloc(&fa), 0x1ff000);
    CHECK_EQ(fa_alloc(&fa), FRAME_NONE);
    CHECK_EQ(fa_alloc_contig(&fa, 1, FRAME_SIZE), FRAME_NONE);
}

/* ---- fa_place ------------------------------------------------------------------ */

UT_TEST(fa_place_avoids_reserved_and_non_usable)
{
    uint64_t bm;
    /* Kernel ending one byte into a frame pushes the bitmap past that frame. */
    struct fa_region kern = { 0x100000, 0x200001 };
    CHECK_EQ(fa_place(map_qemu, NELEM(map_qemu), &kern, 1, 4096, 4 * GiB, &bm), HV_OK);
    CHECK_EQ(bm, 0x301000);
    /* No reserved regions: the lowest frame above 1 MiB. */
    CHECK_EQ(fa_place(map_qemu, NELEM(map_qemu), NULL, 0, 100, 4 * GiB, &bm), HV_OK);
    CHECK_EQ(bm, 0x100000);
    /* A zero-length reserved region is ignored. */
    struct fa_region empty = { 0x100000, 0 };
    CHECK_EQ(fa_place(map_qemu, NELEM(map_qemu), &empty, 1, 100, 4 * GiB, &bm), HV_OK);
    CHECK_EQ(bm, 0x100000);
    /* Several regions; the window must fit between them. */
    struct fa_region many[] = { { 0x100000, 0x10000 }, { 0x112000, 0x1000 },
                                { 0x114000, 0x1000 } };
    CHECK_EQ(fa_place(map_qemu, NELEM(map_qemu), many, 3, 0x2000, 4 * GiB, &bm), HV_OK);
    CHECK(bm == 0x110000 || bm >= 0x115000);
    CHECK_EQ(fa_place(map_qemu, NELEM(map_qemu), many, 3, 0x3000, 4 * GiB, &bm), HV_OK);
    CHECK(bm >= 0x115000);
    /* Non-usable ranges inside usable ones block too. */
    static const struct boot_mem_range m[] = {
        R(0x100000, 0x1000000, U), R(0x100000, 0x1000, NV), R(0x180000, 0x1, AR),
    };
    CHECK_EQ(fa_place(m, 3, NULL, 0, 0x80000, 4 * GiB, &bm), HV_OK);
    CHECK_EQ(bm, 0x181000);
    CHECK_EQ(fa_place(m, 3, NULL, 0, 0x7f000, 4 * GiB, &bm), HV_OK);
    CHECK_EQ(bm, 0x101000);
}

UT_TEST(fa_place_no_room)
{
    uint64_t bm = 0x1234;
    /* Bigger than any single usable range. */
    CHECK_EQ(fa_place(map_qemu, NELEM(map_qemu), NULL, 0, 0x1fee0000 + 1, ~0ull, &bm),
             HV_ERR_NO_MEMORY);
    CHECK_EQ(fa_place(map_qemu, NELEM(map_qemu), NULL, 0, 0x1fee0000, ~0ull, &bm), HV_OK);
    CHECK_EQ(bm, 0x100000);
    /* Limit below all RAM above 1 MiB. */
    CHECK_EQ(fa_place(map_qemu, NELEM(map_qemu), NULL, 0, 4096, 0x100000, &bm), HV_ERR_NO_MEMORY);
    CHECK_EQ(fa_place(map_qemu, NELEM(map_qemu), NULL, 0, 4096, 0x101000, &bm), HV_OK);
    CHECK_EQ(bm, 0x100000);
    /* The kernel takes the whole range. */
    struct fa_region k = { 0x100000, 0x1fee0000 };
    CHECK_EQ(fa_place(map_qemu, NELEM(map_qemu), &k, 1, 4096, ~0ull, &bm), HV_ERR_NO_MEMORY);
}

/* ---- fa_alloc_contig ----------------------------------------------------------- */

UT_TEST(fa_contig_2mib_runs)
{
    struct run r;
    if (!setup(&sc_qemu, &r)) {
        run_free(&r);
        return;
    }
    struct frame_alloc *fa = &r.fa;
    const uint64_t run = 512, align = 2 * MiB;

    /* Expected: every 2 MiB-aligned block with all 512 frames free. */
    uint64_t blocks = 0;
    for (uint64_t f = 0; f + run <= fa->nframes; f += run) {
        uint64_t i = 0;
        while (i < run && r.ok[f + i])
            i++;
        blocks += i == run;
    }
    CHECK(blocks > 200);

    unsigned char *taken = calloc(fa->nframes, 1);
    uint64_t got = 0, bad = 0, a;
    while ((a = fa_alloc_contig(fa, run, align)) != FRAME_NONE) {
        if (a % align || a / FRAME_SIZE + run > fa->nframes) {
            bad++;
            break;
        }
        for (uint64_t i = 0; i < run; i++) {
            uint64_t f = a / FRAME_SIZE + i;
            if (!r.ok[f] || taken[f] || !fa_is_used(fa, f * FRAME_SIZE))
                bad++;
            taken[f] = 1;
        }
        got++;
        CHECK_EQ(fa->free_frames, r.expect_free - got * run);
        if (got > blocks)
            break;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(got, blocks);

    /* Single frames still come from what is left, none from a run. */
    uint64_t singles = 0;
    while ((a = fa_alloc(fa)) != FRAME_NONE) {
        if (taken[a / FRAME_SIZE] || !r.ok[a / FRAME_SIZE])
            bad++;
        singles++;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(singles, r.expect_free - blocks * run);
    free(taken);
    run_free(&r);
}

UT_TEST(fa_contig_alignment_and_lowest)
{
    struct run r;
    if (!setup(&sc_qemu, &r)) {
        run_free(&r);
        return;
    }
    struct frame_alloc *fa = &r.fa;
    uint64_t first = fa_alloc(fa);                   /* lowest free frame */
    CHECK_EQ(fa_free(fa, first), HV_OK);
    CHECK_EQ(fa_alloc_contig(fa, 1, FRAME_SIZE), first);
    uint64_t a = fa_alloc_contig(fa, 3, 16 * KiB);
    CHECK(a != FRAME_NONE && a % (16 * KiB) == 0);
    for (uint64_t i = 0; i < 3; i++)
        CHECK(r.ok[a / FRAME_SIZE + i] && a + i * FRAME_SIZE != first);
    uint64_t g = fa_alloc_contig(fa, 1, GiB);        /* 1 GiB aligned: none here */
    CHECK_EQ(g, FRAME_NONE);
    uint64_t big = fa_alloc_contig(fa, 0x1000, 64 * MiB);   /* 16 MiB run, 64 MiB aligned */
    CHECK(big != FRAME_NONE && big % (64 * MiB) == 0 && big >= 64 * MiB);
    for (uint64_t i = 0; i < 0x1000; i++)
        if (!r.ok[big / FRAME_SIZE + i]) {
            CHECK_EQ(big + i * FRAME_SIZE, ~0ull);
            break;
        }
    run_free(&r);
}

UT_TEST(fa_contig_bad_args)
{
    struct run r;
    if (!setup(&sc_qemu, &r)) {
        run_free(&r);
        return;
    }
    struct frame_alloc *fa = &r.fa;
    uint64_t *before = snap(&r);
    uint64_t ff = fa->free_frames;
    CHECK_EQ(fa_alloc_contig(fa, 0, FRAME_SIZE), FRAME_NONE);        /* count 0 */
    CHECK_EQ(fa_alloc_contig(fa, 1, 0), FRAME_NONE);                 /* align 0 */
    CHECK_EQ(fa_alloc_contig(fa, 1, 3 * FRAME_SIZE), FRAME_NONE);    /* not a power of 2 */
    CHECK_EQ(fa_alloc_contig(fa, 1, FRAME_SIZE + 1), FRAME_NONE);
    CHECK_EQ(fa_alloc_contig(fa, 4, 0x6000), FRAME_NONE);
    CHECK_EQ(fa_alloc_contig(fa, fa->nframes + 1, FRAME_SIZE), FRAME_NONE);  /* too many */
    CHECK_EQ(fa_alloc_contig(fa, fa->free_frames + 1, FRAME_SIZE), FRAME_NONE);
    CHECK_EQ(fa_alloc_contig(fa, ~0ull, FRAME_SIZE), FRAME_NONE);
    CHECK_EQ(fa_alloc_contig(fa, 1ull << 62, 2 * MiB), FRAME_NONE);
    CHECK_EQ(fa_alloc_contig(fa, 1, 1ull << 63), FRAME_NONE);        /* only frame 0 aligned */
    CHECK_EQ(fa->free_frames, ff);
    CHECK(memcmp(before, fa->bitmap, r.bytes) == 0);
    free(before);
    run_free(&r);
}

static uint64_t rng_state;
static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* Fragmented bitmap: contig finds a run exactly when one exists. */
UT_TEST(fa_contig_random_fragmentation)
{
    static const struct boot_mem_range m[] = {
        R(0x0, 0x9f000, U), R(0x100000, 0x1f00000, U),     /* 1 .. 32 MiB */
        R(0x433000, 0x5000, RS), R(0x1234567, 0x10, AR), R(0x1800000, 0x1000, NV),
    };
    struct scen s = { m, NELEM(m), { 0x100000, 0x180000 }, 32 * MiB, 0x2000 };
    struct run r;
    if (!setup(&s, &r)) {
        run_free(&r);
        return;
    }
    struct frame_alloc *fa = &r.fa;
    uint64_t nf = fa->nframes;
    unsigned char *mine = calloc(nf, 1);          /* frames this test holds */
    rng_state = 0x0123456789abcdefull;
    static const uint64_t counts[] = { 1, 2, 3, 7, 16, 64, 200, 512, 1000 };
    static const uint64_t aligns[] = { 4 * KiB, 8 * KiB, 64 * KiB, 2 * MiB, 4 * MiB };
    uint64_t mismatches = 0, found = 0, absent = 0;

    for (int round = 0; round < 60; round++) {
        /* Fragment: free or take random frames. */
        for (int k = 0; k < 400; k++) {
            uint64_t f = rng() % nf;
            if (mine[f]) {
                CHECK_EQ(fa_free(fa, f * FRAME_SIZE), HV_OK);
                mine[f] = 0;
            } else if (rng() % 3) {
                uint64_t a = fa_alloc(fa);
                if (a != FRAME_NONE)
                    mine[a / FRAME_SIZE] = 1;
            }
        }
        for (unsigned ci = 0; ci < sizeof counts / sizeof *counts; ci++)
            for (unsigned ai = 0; ai < sizeof aligns / sizeof *aligns; ai++) {
                uint64_t cnt = counts[ci], al = aligns[ai], step = al / FRAME_SIZE;
                int exists = 0;
                for (uint64_t f = 0; !exists && f + cnt <= nf; f += step) {
                    uint64_t i = 0;
                    while (i < cnt && !fa_is_used(fa, (f + i) * FRAME_SIZE))
                        i++;
                    exists = i == cnt;
                }
                uint64_t *before = snap(&r);
                uint64_t a = fa_alloc_contig(fa, cnt, al);
                if (!exists) {
                    absent++;
                    mismatches += a != FRAME_NONE;
                    free(before);
                    continue;
                }
                found++;
                if (a == FRAME_NONE || a % al) {
                    mismatches++;
                    free(before);
                    continue;
                }
                for (uint64_t i = 0; i < cnt; i++) {
                    uint64_t f = a / FRAME_SIZE + i;
                    if ((before[f / 64] >> (f % 64)) & 1)
                        mismatches++;              /* handed out a used frame */
                    if (!fa_is_used(fa, f * FRAME_SIZE))
                        mismatches++;
                    mine[f] = 1;
                }
                free(before);
            }
    }
    CHECK_EQ(mismatches, 0);
    CHECK(found > 50);
    CHECK(absent > 50);
    /* Everything this test holds goes back: exact initial count. */
    for (uint64_t f = 0; f < nf; f++)
        if (mine[f])
            CHECK_EQ(fa_free(fa, f * FRAME_SIZE), HV_OK);
    CHECK_EQ(fa->free_frames, r.expect_free);
    free(mine);
    run_free(&r);
}

/* ---- misc ----------------------------------------------------------------------- */

UT_TEST(fa_alloc_after_free_reuses_lowest)
{
    struct run r;
    if (!setup(&sc_qemu, &r)) {
        run_free(&r);
        return;
    }
    struct frame_alloc *fa = &r.fa;
    uint64_t v[300];
    for (int i = 0; i < 300; i++)
        v[i] = fa_alloc(fa);
    CHECK_EQ(fa_free(fa, v[250]), HV_OK);
    CHECK_EQ(fa_free(fa, v[10]), HV_OK);
    CHECK_EQ(fa_free(fa, v[200]), HV_OK);
    CHECK_EQ(fa_alloc(fa), v[10]);          /* below the hint: found again */
    CHECK_EQ(fa_alloc(fa), v[200]);
    CHECK_EQ(fa_alloc(fa), v[250]);
    uint64_t next = fa_alloc(fa);
    CHECK(next > v[299]);
    run_free(&r);
}

UT_TEST(fa_bitmap_bytes_sizes)
{
    CHECK_EQ(fa_bitmap_bytes(0), 0);
    CHECK_EQ(fa_bitmap_bytes(1), 8);
    CHECK_EQ(fa_bitmap_bytes(64), 8);
    CHECK_EQ(fa_bitmap_bytes(65), 16);
    CHECK_EQ(fa_bitmap_bytes(0x1ffe0), 0x4000);
    CHECK_EQ(fa_bitmap_bytes(0x140000), 0x28000);
}

/* The allocator's results stay told apart: each error is its own status. */
UT_TEST(fa_error_statuses_distinct)
{
    /* ok; no RAM or no room; storage too small; bad frame; already free */
    const hv_status_t codes[] = { HV_OK, HV_ERR_NO_MEMORY, HV_ERR_BUFFER_TOO_SMALL,
                                  HV_ERR_OUT_OF_RANGE, HV_ERR_BAD_STATE };
    for (unsigned i = 0; i < 5; i++) {
        CHECK(codes[i] <= 0);
        for (unsigned j = 0; j < i; j++)
            CHECK(codes[i] != codes[j]);
    }
}
