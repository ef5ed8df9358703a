/*
 * Physical frame allocator: a bitmap over [0, top of usable RAM), built
 * from the firmware memory map. Pure logic, tested on the host.
 *
 * Overlaps are settled conservatively: a frame is free only if some USABLE
 * range covers it completely and no other range (of any other type) and no
 * reserved region touches it. Input order does not matter.
 */
#ifndef FRAME_ALLOC_H
#define FRAME_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include "boot_info.h"
#include "hv/status.h"

#define FRAME_SIZE 4096ull
#define FRAME_NONE 0ull                 /* frame 0 is never handed out */
#define FA_LOW_RESERVED 0x100000ull     /* the first 1 MiB stays with firmware/BIOS */

struct fa_region {
    uint64_t base, len;
};

struct frame_alloc {
    uint64_t *bitmap;                   /* bit set = frame in use */
    uint64_t nframes;
    uint64_t free_frames;
    uint64_t total_usable;              /* frames free right after init */
    uint64_t hint;                      /* lowest word that may have a free bit */
};

/* Frames the bitmap must describe (top of usable RAM / 4 KiB), 0 if none above 1 MiB. */
uint64_t fa_frames_needed(const struct boot_mem_range *map, uint32_t n);

/* Bytes of bitmap storage for nframes (whole 64-bit words). */
static inline uint64_t fa_bitmap_bytes(uint64_t nframes)
{
    return (nframes + 63) / 64 * 8;
}

/*
 * Find a page-aligned home for `bytes` of bitmap in usable RAM above 1 MiB
 * and below `limit`, touching no non-usable range and no reserved region.
 * HV_OK and *out, or HV_ERR_NO_MEMORY: no such place.
 */
hv_status_t fa_place(const struct boot_mem_range *map, uint32_t n, const struct fa_region *res,
                     uint32_t nres, uint64_t bytes, uint64_t limit, uint64_t *out);

/*
 * Build the allocator. `res` lists regions never to hand out (kernel image,
 * the bitmap itself, ...). The first 1 MiB is always reserved. HV_OK,
 * HV_ERR_NO_MEMORY (no usable RAM above 1 MiB) or HV_ERR_BUFFER_TOO_SMALL
 * (`bytes` of storage cannot hold the bitmap).
 */
hv_status_t fa_init(struct frame_alloc *fa, const struct boot_mem_range *map, uint32_t n,
                    const struct fa_region *res, uint32_t nres, uint64_t *storage, uint64_t bytes);

/* Lowest free frame (physical address), or FRAME_NONE. */
uint64_t fa_alloc(struct frame_alloc *fa);

/* `count` contiguous frames aligned to `align` bytes (power of two), or FRAME_NONE. */
uint64_t fa_alloc_contig(struct frame_alloc *fa, uint64_t count, uint64_t align);

/*
 * HV_OK, HV_ERR_OUT_OF_RANGE (not page aligned, below 1 MiB or past the
 * bitmap) or HV_ERR_BAD_STATE (already free); the bitmap is unchanged then.
 */
hv_status_t fa_free(struct frame_alloc *fa, uint64_t phys);

/* 1 if the frame holding phys is allocated or reserved. */
int fa_is_used(const struct frame_alloc *fa, uint64_t phys);

#endif
