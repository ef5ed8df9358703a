/*
 * Guest linear -> guest physical translation through the guest's own page
 * tables (paging off, 32-bit, PAE, 4-level), for fetching the instruction
 * behind an exit. Pure: guest memory comes through a callback.
 */
#ifndef GUEST_WALK_H
#define GUEST_WALK_H

#include <stdint.h>

/* Read 8 bytes of guest-physical memory; 0 on success. */
typedef int (*guest_read64_fn)(void *ctx, uint64_t gpa, uint64_t *out);

struct guest_paging {
    uint64_t cr0, cr3, cr4, efer;
};

/* 0 and *gpa on success; -1 when a level is not present or unreadable. */
int guest_walk(const struct guest_paging *p, uint64_t linear, guest_read64_fn rd, void *ctx,
               uint64_t *gpa);

#endif
