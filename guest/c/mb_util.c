/* mb_util.c - reading the Multiboot v1 memory map. */
#include "mb_util.h"

#define FOUR_GIB (1ull << 32)

void mb_mmap_begin(struct mb_mmap_iter *it)
{
    it->pos = it->end = 0;
    if (rt_mbi && (rt_mbi->flags & MBI_MMAP)) {
        it->pos = rt_mbi->mmap_addr;
        it->end = rt_mbi->mmap_addr + rt_mbi->mmap_length;
    }
}

const struct multiboot_mmap *mb_mmap_next(struct mb_mmap_iter *it)
{
    /* Each entry is its size field (4 bytes) plus `size` more, at least 20. */
    if (it->pos >= it->end || it->end - it->pos < 24)
        return NULL;
    const struct multiboot_mmap *e = (const void *)(uintptr_t)it->pos;
    if (e->size < 20 || e->size > it->end - it->pos - 4)
        return NULL;
    it->pos += e->size + 4;
    return e;
}

static bool overlaps_type(uint64_t addr, uint64_t len, bool available_only)
{
    struct mb_mmap_iter it;
    const struct multiboot_mmap *e;
    mb_mmap_begin(&it);
    while ((e = mb_mmap_next(&it)))
        if ((!available_only || e->type == MB_MMAP_AVAILABLE) && e->length &&
            addr < e->base + e->length && e->base < addr + len)
            return true;
    return false;
}

bool mb_mmap_covers_any(uint64_t addr, uint64_t len)
{
    return overlaps_type(addr, len, false);
}

bool mb_available_overlaps(uint64_t addr, uint64_t len)
{
    return overlaps_type(addr, len, true);
}

bool mb_available_covers(uint64_t addr, uint64_t len)
{
    uint64_t end = addr + len;
    while (addr < end) {
        uint64_t next = addr;
        struct mb_mmap_iter it;
        const struct multiboot_mmap *e;
        mb_mmap_begin(&it);
        while ((e = mb_mmap_next(&it)))
            if (e->type == MB_MMAP_AVAILABLE && e->base <= addr && addr < e->base + e->length &&
                e->base + e->length > next)
                next = e->base + e->length;
        if (next == addr)
            return false;       /* addr is in no available range */
        addr = next;
    }
    return true;
}

uint64_t mb_available_total(void)
{
    uint64_t total = 0;
    struct mb_mmap_iter it;
    const struct multiboot_mmap *e;
    mb_mmap_begin(&it);
    while ((e = mb_mmap_next(&it)))
        if (e->type == MB_MMAP_AVAILABLE)
            total += e->length;
    return total;
}

uint64_t mb_ram_top_below_4g(void)
{
    uint64_t top = 0;
    struct mb_mmap_iter it;
    const struct multiboot_mmap *e;
    mb_mmap_begin(&it);
    while ((e = mb_mmap_next(&it)))
        if (e->type == MB_MMAP_AVAILABLE && e->base < FOUR_GIB) {
            uint64_t end = e->base + e->length;
            if (end > FOUR_GIB)
                end = FOUR_GIB;
            if (end > top)
                top = end;
        }
    if (!top && rt_mbi && (rt_mbi->flags & MBI_MEM))
        top = (1ull << 20) + (uint64_t)rt_mbi->mem_upper * 1024;
    return top;
}
