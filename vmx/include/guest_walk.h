/*
 * Guest linear -> guest physical translation through the guest's own page
 * tables (paging off, 32-bit, PAE, 4-level), for fetching the instruction
 * behind an exit. Pure: guest memory comes through a callback.
 */
#ifndef GUEST_WALK_H
#define GUEST_WALK_H

#include <stdint.h>
#include "kstatus.h"

/* Read 8 bytes of guest-physical memory: HV_OK or an error. */
typedef hv_status_t (*guest_read64_fn)(void *ctx, uint64_t gpa, uint64_t *out);

struct guest_paging {
    uint64_t cr0, cr3, cr4, efer;
};

/* HV_OK and *gpa, or HV_ERR_NOT_FOUND when a level is not present or unreadable. */
hv_status_t guest_walk(const struct guest_paging *p, uint64_t linear, guest_read64_fn rd, void *ctx,
                       uint64_t *gpa);

#endif
