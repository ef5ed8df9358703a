/* Bitmap frame allocator. Pure: kernel and host tests. */
#include "frame_alloc.h"

#define PAGE_DOWN(x) ((x) & ~(FRAME_SIZE - 1))
#define PAGE_UP(x)   (((x) + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1))

static uint64_t range_end(const struct boot_mem_range *r)
{
    uint64_t end = r->base + r->len;
    return end < r->base ? ~0ull : end;         /* saturate on wrap */
}

uint64_t fa_frames_needed(const struct boot_mem_range *map, uint32_t n)
{
    uint64_t top = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (map[i].type != BOOT_MEM_USABLE)
            continue;
        uint64_t end = PAGE_DOWN(range_end(&map[i]));
        if (end <= PAGE_UP(map[i].base))    /* not one whole frame */
            continue;
        if (end > FA_LOW_RESERVED && end > top)
            top = end;
    }
    return top / FRAME_SIZE;
}

/* Bit count without libgcc (the kernel links none). */
static uint64_t popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (x * 0x0101010101010101ull) >> 56;
}

/* Mark frames [first, last) used or free, a 64-bit word at a time where possible. */
static void set_bits(struct frame_alloc *fa, uint64_t first, uint64_t last, int used)
{
    if (last > fa->nframes)
        last = fa->nframes;
    while (first < last) {
        uint64_t w = first >> 6, lo = first & 63;
        uint64_t n = last - first < 64 - lo ? last - first : 64 - lo;
        uint64_t mask = (n == 64 ? ~0ull : ((1ull << n) - 1)) << lo;
        uint64_t old = fa->bitmap[w];
        uint64_t changed = used ? mask & ~old : mask & old;
        uint64_t cnt = popcount64(changed);
        if (used) {
            fa->bitmap[w] = old | mask;
            fa->free_frames -= cnt;
        } else {
            fa->bitmap[w] = old & ~mask;
            fa->free_frames += cnt;
        }
        first += n;
    }
}

static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* Is [base, base+len) free of every non-usable range and reserved region? */
static int clear_of(const struct boot_mem_range *map, uint32_t n, const struct fa_region *res,
                    uint32_t nres, uint64_t base, uint64_t len)
{
    for (uint32_t i = 0; i < n; i++)
        if (map[i].type != BOOT_MEM_USABLE && map[i].len &&
            overlaps(base, len, PAGE_DOWN(map[i].base), PAGE_UP(range_end(&map[i])) - PAGE_DOWN(map[i].base)))
            return 0;
    for (uint32_t i = 0; i < nres; i++)
        if (res[i].len && overlaps(base, len, PAGE_DOWN(res[i].base),
                                   PAGE_UP(res[i].base + res[i].len) - PAGE_DOWN(res[i].base)))
            return 0;
    return 1;
}

hv_status_t fa_place(const struct boot_mem_range *map, uint32_t n, const struct fa_region *res,
                     uint32_t nres, uint64_t bytes, uint64_t limit, uint64_t *out)
{
    uint64_t len = PAGE_UP(bytes);
    if (!len)
        return HV_ERR_NO_MEMORY;
    for (uint32_t i = 0; i < n; i++) {
        if (map[i].type != BOOT_MEM_USABLE)
            continue;
        uint64_t lo = PAGE_UP(map[i].base), hi = PAGE_DOWN(range_end(&map[i]));
        if (lo < FA_LOW_RESERVED)
            lo = FA_LOW_RESERVED;
        if (hi > limit)
            hi = PAGE_DOWN(limit);
        /* Slide a window through the range, skipping past whatever blocks it. */
        for (uint64_t b = lo; b < hi && hi - b >= len; b += FRAME_SIZE) {
            if (clear_of(map, n, res, nres, b, len)) {
                *out = b;
                return HV_OK;
            }
        }
    }
    return HV_ERR_NO_MEMORY;
}

hv_status_t fa_init(struct frame_alloc *fa, const struct boot_mem_range *map, uint32_t n,
                    const struct fa_region *res, uint32_t nres, uint64_t *storage, uint64_t bytes)
{
    uint64_t nframes = fa_frames_needed(map, n);
    if (nframes == 0)
        return HV_ERR_NO_MEMORY;
    if (bytes < fa_bitmap_bytes(nframes))
        return HV_ERR_BUFFER_TOO_SMALL;

    fa->bitmap = storage;
    fa->nframes = nframes;
    fa->hint = 0;
    for (uint64_t w = 0; w < fa_bitmap_bytes(nframes) / 8; w++)
        storage[w] = ~0ull;             /* everything used until proven free */
    fa->free_frames = 0;

    for (uint32_t i = 0; i < n; i++)    /* whole frames inside usable ranges */
        if (map[i].type == BOOT_MEM_USABLE)
            set_bits(fa, PAGE_UP(map[i].base) / FRAME_SIZE,
                     PAGE_DOWN(range_end(&map[i])) / FRAME_SIZE, 0);
    for (uint32_t i = 0; i < n; i++)    /* any frame touched by anything else */
        if (map[i].type != BOOT_MEM_USABLE && map[i].len)
            set_bits(fa, PAGE_DOWN(map[i].base) / FRAME_SIZE,
                     PAGE_UP(range_end(&map[i])) / FRAME_SIZE, 1);
    for (uint32_t i = 0; i < nres; i++)
        if (res[i].len)
            set_bits(fa, PAGE_DOWN(res[i].base) / FRAME_SIZE,
                     PAGE_UP(res[i].base + res[i].len) / FRAME_SIZE, 1);
    set_bits(fa, 0, FA_LOW_RESERVED / FRAME_SIZE, 1);

    fa->total_usable = fa->free_frames;
    return fa->free_frames ? HV_OK : HV_ERR_NO_MEMORY;
}

uint64_t fa_alloc(struct frame_alloc *fa)
{
    uint64_t words = (fa->nframes + 63) / 64;
    for (uint64_t w = fa->hint; w < words; w++) {
        uint64_t free_bits = ~fa->bitmap[w];
        if (!free_bits)
            continue;
        uint64_t f = w * 64 + (uint64_t)__builtin_ctzll(free_bits);
        if (f >= fa->nframes)
            break;
        fa->bitmap[w] |= 1ull << (f & 63);
        fa->free_frames--;
        fa->hint = w;
        return f * FRAME_SIZE;
    }
    fa->hint = words;
    return FRAME_NONE;
}

uint64_t fa_alloc_contig(struct frame_alloc *fa, uint64_t count, uint64_t align)
{
    if (count == 0 || align < FRAME_SIZE || (align & (align - 1)))
        return FRAME_NONE;
    uint64_t step = align / FRAME_SIZE;
    for (uint64_t f = 0; f + count <= fa->nframes; f += step) {
        uint64_t i = 0;
        while (i < count && !fa_is_used(fa, (f + i) * FRAME_SIZE))
            i++;
        if (i == count) {
            set_bits(fa, f, f + count, 1);
            return f * FRAME_SIZE;
        }
        /* Skip ahead past the used frame, staying aligned. */
        f = (f + i) / step * step;
    }
    return FRAME_NONE;
}

int fa_is_used(const struct frame_alloc *fa, uint64_t phys)
{
    uint64_t f = phys / FRAME_SIZE;
    if (f >= fa->nframes)
        return 1;
    return (fa->bitmap[f >> 6] >> (f & 63)) & 1;
}

hv_status_t fa_free(struct frame_alloc *fa, uint64_t phys)
{
    uint64_t f = phys / FRAME_SIZE;
    if ((phys & (FRAME_SIZE - 1)) || f >= fa->nframes || phys < FA_LOW_RESERVED)
        return HV_ERR_OUT_OF_RANGE;
    if (!fa_is_used(fa, phys))
        return HV_ERR_BAD_STATE;
    fa->bitmap[f >> 6] &= ~(1ull << (f & 63));
    fa->free_frames++;
    if ((f >> 6) < fa->hint)
        fa->hint = f >> 6;
    return HV_OK;
}
