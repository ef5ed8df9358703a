/*
 * User address spaces. Each has its own PML4; slot 0 (the kernel's identity
 * map of the first 512 GiB, supervisor-only) is shared, the user range is
 * [VSPACE_USER_BASE, VSPACE_USER_TOP). User memory is touched by the kernel
 * only through the page tables (vspace_copy_*), never at the user address,
 * so a bad user pointer is an error code, never a kernel fault.
 */
#ifndef VSPACE_H
#define VSPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hv/status.h"

#define VSPACE_USER_BASE 0x0000008000000000ull     /* PML4 slot 1 */
#define VSPACE_USER_TOP  0x0000800000000000ull     /* end of the lower canonical half */

/* Mapping rights (user pages). */
#define VS_R 1u
#define VS_W 2u
#define VS_X 4u

#define VSPACE_CACHE_SLOTS 4

struct vspace {
    uint64_t pml4;              /* physical */
    uint64_t tables;            /* user page-table frames held (PML4 excluded) */
    /* Recent translations, one slot per value of page-number bits 0..1: VMMs pass the
     * same packet buffer every time, threads talking through ports their own stacks. */
    struct {
        uint64_t va, pa;                /* page addresses; va ~0 when empty */
        uint32_t rights;
    } cache[VSPACE_CACHE_SLOTS];
};

/* HV_OK or HV_ERR_NO_MEMORY. */
hv_status_t vspace_create(struct vspace *vs);
/* Free every user page table; the frames mapped are the caller's to free. */
void vspace_destroy(struct vspace *vs);
/* Map one 4 KiB page: HV_OK, HV_ERR_NO_MEMORY, or HV_ERR_INVALID_ARGS (bad address
 * or rights, or already mapped). */
hv_status_t vspace_map_page(struct vspace *vs, uint64_t va, uint64_t pa, uint32_t rights);
/* Unmap one page; returns its frame or 0 when it was not mapped. */
uint64_t vspace_unmap_page(struct vspace *vs, uint64_t va);
bool vspace_cache_fill(struct vspace *vs, uint64_t va, unsigned slot);

/* The frame and rights behind a user page; false when not mapped. Inline: the cache hit
 * is on every packet and state copy. */
static inline bool vspace_lookup(struct vspace *vs, uint64_t va, uint64_t *pa, uint32_t *rights)
{
    unsigned slot = (va >> 12) % VSPACE_CACHE_SLOTS;
    if ((va & ~0xfffull) != vs->cache[slot].va && !vspace_cache_fill(vs, va, slot))
        return false;
    *pa = vs->cache[slot].pa | (va & 0xfff);
    *rights = vs->cache[slot].rights;
    return true;
}
/* True when [va, va+len) is user range, canonical, mapped with at least `rights`. */
bool vspace_check(struct vspace *vs, uint64_t va, uint64_t len, uint32_t rights);
/* Copy in/out through the page tables; false (nothing or part copied) on a bad range. */
bool vspace_copy_in(struct vspace *vs, void *dst, uint64_t user_src, uint64_t len);
bool vspace_copy_out(struct vspace *vs, uint64_t user_dst, const void *src, uint64_t len);
void vspace_activate(const struct vspace *vs);
/* The kernel's pointer to [va, va+len) when it lies in one page mapped with `rights`, else NULL. */
void *vspace_user_ptr(struct vspace *vs, uint64_t va, uint64_t len, uint32_t rights);

#endif
