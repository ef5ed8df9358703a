/* mb_util.h - reading the Multiboot v1 memory map (rt_mbi). */
#ifndef GUEST_MB_UTIL_H
#define GUEST_MB_UTIL_H

#include "rt.h"

struct mb_mmap_iter {
    uint32_t pos, end;
};

/* Entries in order: mb_mmap_begin, then mb_mmap_next until NULL. No map: NULL at once. */
void mb_mmap_begin(struct mb_mmap_iter *it);
const struct multiboot_mmap *mb_mmap_next(struct mb_mmap_iter *it);

/* Whether any entry, of any type, overlaps [addr, addr + len). */
bool mb_mmap_covers_any(uint64_t addr, uint64_t len);
/* Whether any available (type 1) entry overlaps [addr, addr + len). */
bool mb_available_overlaps(uint64_t addr, uint64_t len);
/* Whether available (type 1) entries together cover all of [addr, addr + len). */
bool mb_available_covers(uint64_t addr, uint64_t len);
/* Bytes of available RAM in the map. */
uint64_t mb_available_total(void);
/* End of the highest available range below 4 GiB; without a map 1 MiB + mem_upper. */
uint64_t mb_ram_top_below_4g(void);

#endif
