/*
 * EPT (extended page table) builder: maps guest-physical to host-physical
 * addresses with a 4-level walk, 4 KiB / 2 MiB / 1 GiB leaves, and keeps
 * the tree consistent under out-of-memory. Pure logic: compiled into the
 * kernel and into the host unit tests. Table frames come from callbacks.
 *
 * Facts from the Intel SDM vol. 3C, "VMX support for address translation":
 *   - EPTP: bits 2:0 memory type of the paging-structure accesses (WB = 6),
 *     bits 5:3 page-walk length - 1 (3 for 4 levels), bit 6 enables the
 *     accessed/dirty flags, bits 51:12 the PML4 physical address.
 *   - Every entry: bit 0 read, bit 1 write, bit 2 execute; the entry is
 *     present when any of bits 2:0 is set. Access rights are the AND of all
 *     levels; non-leaf entries here always allow R, W and X.
 *   - Leaf entries (PTE, or PDE / PDPTE with bit 7 set): bits 5:3 memory
 *     type, bit 6 "ignore PAT", bit 7 large page (PDE/PDPTE only), bit 8
 *     accessed, bit 9 dirty (set by the CPU when A/D is on in the EPTP).
 *   - EPT misconfigurations this module never creates: write without read,
 *     execute-only without CPU support, memory types 2, 3, 7, reserved bits.
 *
 * Levels: a leaf of level 1 maps 4 KiB (PTE), level 2 maps 2 MiB (PDE),
 * level 3 maps 1 GiB (PDPTE). The PML4 is level 4.
 *
 * Concurrency: none. Callers serialise all calls on one struct ept. Entries
 * are rewritten with plain stores: while a guest runs on this EPT on another
 * CPU with A/D enabled, an A/D bit the CPU sets in between may be lost.
 */
#ifndef EPT_H
#define EPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kstatus.h"

/* Calls return HV_OK or the HV_ERR_* (kstatus.h) each one lists below. */

/* ---- features (decoded by the kernel from IA32_VMX_EPT_VPID_CAP) --------- */
#define EPT_FEAT_2M         (1u << 0)   /* cap bit 16: 2 MiB leaves allowed */
#define EPT_FEAT_1G         (1u << 1)   /* cap bit 17: 1 GiB leaves allowed (used only with 2M) */
#define EPT_FEAT_EXEC_ONLY  (1u << 2)   /* cap bit 0: execute-only entries allowed */
#define EPT_FEAT_AD         (1u << 3)   /* cap bit 21: set EPTP bit 6 (A/D flags) */
#define EPT_FEAT_ALL        (EPT_FEAT_2M | EPT_FEAT_1G | EPT_FEAT_EXEC_ONLY | EPT_FEAT_AD)

/* ---- permissions and memory types ---------------------------------------- */
#define EPT_R               1u
#define EPT_W               2u
#define EPT_X               4u
#define EPT_RWX             (EPT_R | EPT_W | EPT_X)

#define EPT_MT_UC           0u
#define EPT_MT_WC           1u
#define EPT_MT_WT           4u
#define EPT_MT_WP           5u
#define EPT_MT_WB           6u

/* ---- geometry ------------------------------------------------------------ */
#define EPT_PAGE_SIZE       0x1000ull
#define EPT_2M              0x200000ull
#define EPT_1G              0x40000000ull
#define EPT_GPA_LIMIT       (1ull << 48)        /* 4-level walk: 48-bit GPAs */
#define EPT_HPA_LIMIT       (1ull << 52)        /* architectural maximum */
#define EPT_LEVEL_4K        1u
#define EPT_LEVEL_2M        2u
#define EPT_LEVEL_1G        3u
#define EPT_LEVELS          4u
#define EPT_ENTRIES         512u

/* ---- entry bits (for the glue and the tests that inspect tables) --------- */
#define EPT_E_PERM_MASK     0x7ull
#define EPT_E_MT_SHIFT      3
#define EPT_E_MT_MASK       (0x7ull << EPT_E_MT_SHIFT)
#define EPT_E_IPAT          (1ull << 6)
#define EPT_E_LARGE         (1ull << 7)
#define EPT_E_ACCESSED      (1ull << 8)
#define EPT_E_DIRTY         (1ull << 9)
#define EPT_E_ADDR_MASK     0x000ffffffffff000ull   /* bits 51:12 */

/* ---- EPTP bits ------------------------------------------------------------ */
#define EPT_EPTP_MT_WB      6ull
#define EPT_EPTP_PWL4       (3ull << 3)
#define EPT_EPTP_AD         (1ull << 6)

/*
 * Where table frames come from. alloc_table returns the physical address of
 * a zeroed, 4 KiB aligned frame below 2^52, or 0 when out of memory.
 * free_table takes back a frame alloc_table handed out (its contents are
 * arbitrary). phys_to_virt gives a pointer through which the frame can be
 * read and written. See "TLB flushes" below about reusing freed frames.
 */
struct ept_ops {
    uint64_t (*alloc_table)(void *ctx);
    void (*free_table)(void *ctx, uint64_t phys);
    void *(*phys_to_virt)(void *ctx, uint64_t phys);
    void *ctx;
};

/*
 * One EPT hierarchy. Read the fields, never write them, except needs_flush
 * (see ept_take_flush).
 */
struct ept {
    struct ept_ops ops;
    uint64_t pml4;          /* physical address of the PML4; 0 when not initialised */
    uint32_t features;      /* EPT_FEAT_* */
    uint64_t tables;        /* table frames held now, the PML4 included */
    /*
     * Set (and never cleared by this module) when a call removed or reduced
     * a translation the CPU may have cached: a leaf removed, permissions
     * taken away, a large leaf split (bit 7 changed), a table freed.
     * Mapping into empty entries and adding permissions leave it alone.
     */
    bool needs_flush;
};

/*
 * Initialise `e` and allocate its PML4. `features` is a set of EPT_FEAT_*.
 * Errors: HV_ERR_INVALID_ARGS (NULL e/ops/callback, unknown feature bit),
 * HV_ERR_NO_MEMORY (no frame for the PML4; e is left not initialised).
 */
hv_status_t ept_init(struct ept *e, const struct ept_ops *ops, uint32_t features);

/*
 * The EPT pointer for the VMCS: PML4 address | WB (6) | (4 - 1) << 3, plus
 * bit 6 when EPT_FEAT_AD was given. 0 if e is not initialised.
 */
uint64_t ept_eptp(const struct ept *e);

/*
 * Map [gpa, gpa + len) to [hpa, hpa + len) with permissions `perms`
 * (EPT_R/W/X) and memory type `memtype` (EPT_MT_*), "ignore PAT" set.
 * Leaf size: at each step a 1 GiB leaf when EPT_FEAT_1G and EPT_FEAT_2M are
 * both on (splitting a 1 GiB leaf yields 2 MiB leaves), the current gpa and
 * hpa are 1 GiB aligned and at least 1 GiB remains; else a 2 MiB leaf by the
 * same rule with EPT_FEAT_2M; else 4 KiB.
 * Every table needed is allocated before anything is written.
 * Errors (nothing changed in every case):
 *   HV_ERR_INVALID_ARGS    e not initialised; gpa, hpa or len not 4 KiB
 *                          aligned; len 0; gpa + len > 2^48; hpa + len > 2^52;
 *                          perms 0, beyond RWX, W without R, or X alone
 *                          without EPT_FEAT_EXEC_ONLY; memtype 2, 3 or > 6.
 *   HV_ERR_ALREADY_EXISTS  some page of [gpa, gpa + len) is already mapped.
 *   HV_ERR_NO_MEMORY       a table could not be allocated.
 * Never sets needs_flush.
 */
hv_status_t ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len,
                    uint32_t perms, uint32_t memtype);

/*
 * Unmap every page of [gpa, gpa + len); unmapped holes are skipped. A large
 * leaf partly inside the range is first split (1 GiB into 512 x 2 MiB, 2 MiB
 * into 512 x 4 KiB; attributes and A/D bits copied) so the part outside
 * stays mapped. Tables left empty are freed (the PML4 never).
 * Errors (nothing changed):
 *   HV_ERR_INVALID_ARGS  e not initialised; gpa or len not 4 KiB aligned;
 *                        len 0; gpa + len > 2^48.
 *   HV_ERR_NO_MEMORY     no frame for a split (all are allocated first).
 * Sets needs_flush when anything was removed, split or freed.
 */
hv_status_t ept_unmap(struct ept *e, uint64_t gpa, uint64_t len);

/*
 * Set the permissions of every page of [gpa, gpa + len) to `perms`
 * (memory type, address and A/D bits kept). Large leaves partly inside the
 * range are split first, as in ept_unmap.
 * Errors (nothing changed):
 *   HV_ERR_INVALID_ARGS  as ept_unmap, and perms invalid as in ept_map.
 *   HV_ERR_NOT_FOUND     some page of the range is not mapped.
 *   HV_ERR_NO_MEMORY     no frame for a split.
 * Sets needs_flush when a split happened or some permission bit was taken
 * away from a present leaf.
 */
hv_status_t ept_protect(struct ept *e, uint64_t gpa, uint64_t len, uint32_t perms);

/*
 * Look up the byte address `gpa`: *hpa gets the host-physical address
 * (offset included), *perms the leaf's EPT_R/W/X, *memtype its memory type,
 * *leaf_level EPT_LEVEL_4K/2M/1G. Any out pointer may be NULL.
 * Errors: HV_ERR_INVALID_ARGS (e not initialised, gpa >= 2^48),
 *         HV_ERR_NOT_FOUND (no translation; out values untouched).
 */
hv_status_t ept_translate(const struct ept *e, uint64_t gpa, uint64_t *hpa, uint32_t *perms,
                          uint32_t *memtype, uint32_t *leaf_level);

/*
 * Free every table, the PML4 included; afterwards tables == 0, pml4 == 0
 * and needs_flush is set. Safe on a not initialised (zeroed) or destroyed e.
 */
void ept_destroy(struct ept *e);

/* Returns needs_flush and clears it: call, then INVEPT if it said true. */
static inline bool ept_take_flush(struct ept *e)
{
    bool f = e->needs_flush;
    e->needs_flush = false;
    return f;
}

/*
 * TLB flushes (the kernel glue's duty; SDM "Invalidating cached translation
 * information"): when needs_flush is set after a call, run INVEPT
 * single-context with ept_eptp(e) (or all-context) on every CPU that may
 * have run a guest with this EPTP, before the guest runs again and before
 * any frame given to free_table is used for anything else; free_table may
 * therefore have to defer the real release until that INVEPT. After adding
 * permissions no flush is done: a stale, more restrictive cached entry can
 * cause an EPT violation for an access ept_translate now allows, which the
 * violation handler resolves with INVEPT and a retry.
 */

#endif
