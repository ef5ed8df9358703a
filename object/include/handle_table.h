/*
 * Per-process handle table. Pure logic: compiled into the kernel and into
 * the host unit tests; no allocation, no locking, no libc.
 *
 * Storage. The caller owns an array of `struct ht_entry` (the kernel gives
 * each process PROCESS_HANDLES of them) and passes it to ht_init, which
 * initialises every entry (the array may hold garbage before). The table
 * never allocates; when every slot is in use, ht_add and ht_duplicate
 * return HV_ERR_NO_RESOURCES. At most HT_MAX_CAPACITY slots are used; a
 * larger capacity is clamped.
 *
 * Handle values. A value packs a slot index and the slot's generation:
 *
 *     bits 31..12  generation  (HT_GEN_BITS = 20; 1 .. HT_GEN_MAX)
 *     bits 11..0   slot index  (HT_INDEX_BITS = 12; 0 .. HT_MAX_CAPACITY - 1)
 *
 *   - Generation 0 is never used, so 0 (HV_HANDLE_INVALID) is never a
 *     valid value. Index 0xfff is never used (HT_MAX_CAPACITY is 4095), so
 *     0xffffffff is never valid either.
 *   - A slot's generation advances on every free (ht_remove, ht_pop_any),
 *     stepping 1, 2, ..., HT_GEN_MAX, 1, ... A closed value therefore stays
 *     invalid while its slot is reused: it can name a live handle again
 *     only after that one slot has been freed HT_REUSE_BOUND
 *     (= 2^20 - 1 = 1,048,575) times. Free slots are reused first-in
 *     first-out, so with F free slots a given slot is reused at most once
 *     every F closes; the bound is only reached this fast when one slot is
 *     churned while all others stay open.
 *   - A value is accepted only when it names a live entry exactly: index
 *     below the capacity, slot in use, generation equal. Anything else
 *     (random bits, a closed value, a value from another table whose slot
 *     here is free or at another generation) is HV_ERR_BAD_HANDLE. Values
 *     are not secret: a process can only ever guess its own handles, which
 *     is no escalation; the check exists to turn bugs (use after close,
 *     stale copies) into BAD_HANDLE instead of a wrong object.
 *
 * Entries. A live entry holds a non-NULL object pointer, its type (never
 * HV_OBJ_NONE) and its rights (a subset of HV_RIGHTS_ALL). The table takes
 * no reference on the object: the caller takes one when a handle is
 * created (ht_add, ht_duplicate return the object for that) and drops it
 * when ht_remove / ht_pop_any hand the object back.
 *
 * Costs: ht_add, ht_get, ht_remove, ht_duplicate, ht_count are O(1) (a
 * first-in first-out free list threaded through the entries). A full
 * teardown by repeated ht_pop_any is O(capacity) in total.
 *
 * Not thread-safe: the caller serialises calls on one table.
 */
#ifndef HANDLE_TABLE_H
#define HANDLE_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include "hv/rights.h"
#include "hv/status.h"

#define HT_INDEX_BITS   12u
#define HT_INDEX_MASK   ((1u << HT_INDEX_BITS) - 1u)              /* 0xfff */
#define HT_GEN_BITS     (32u - HT_INDEX_BITS)                      /* 20 */
#define HT_GEN_MAX      ((1u << HT_GEN_BITS) - 1u)                 /* 0xfffff */
#define HT_MAX_CAPACITY HT_INDEX_MASK                              /* 4095 */
/* Frees of one slot after which a value of that slot recurs. */
#define HT_REUSE_BOUND  HT_GEN_MAX                                 /* 1,048,575 */

#define HT_NIL  0xffffffffu     /* end of the free list */
#define HT_LIVE 0xfffffffeu     /* ht_entry.next of an entry in use */

struct ht_entry {
    void *obj;                  /* live: the object; free: NULL */
    uint32_t type;              /* live: enum hv_obj_type; free: HV_OBJ_NONE */
    hv_rights_t rights;         /* live: the handle's rights; free: 0 */
    uint32_t gen;               /* 1..HT_GEN_MAX: generation of the current/next handle */
    uint32_t next;              /* HT_LIVE in use; free: next free index or HT_NIL */
};

struct handle_table {
    struct ht_entry *e;         /* caller's storage */
    uint32_t cap;               /* slots in use by the table (<= HT_MAX_CAPACITY) */
    uint32_t count;             /* live handles */
    uint32_t free_head;         /* oldest free slot (taken next) or HT_NIL */
    uint32_t free_tail;         /* newest free slot or HT_NIL */
    uint32_t pop_hint;          /* no live entry has an index below this */
};

/* Handle value for slot `index` at generation `gen` (both in range). */
static inline hv_handle_t ht_make_handle(uint32_t index, uint32_t gen)
{
    return (hv_handle_t)(gen << HT_INDEX_BITS | index);
}

static inline uint32_t ht_handle_index(hv_handle_t h)
{
    return h & HT_INDEX_MASK;
}

static inline uint32_t ht_handle_gen(hv_handle_t h)
{
    return h >> HT_INDEX_BITS;
}

/*
 * Set up an empty table over storage[0 .. capacity-1] (capacity clamped to
 * HT_MAX_CAPACITY; 0 is allowed: every add fails). Every slot starts at
 * generation 1 and all are free, reused in index order first.
 */
void ht_init(struct handle_table *t, struct ht_entry *storage, uint32_t capacity);

/*
 * New handle to obj with the given type and rights; its value in *out.
 *   HV_ERR_INVALID_ARGS   obj or out NULL, type HV_OBJ_NONE, or rights
 *                         outside HV_RIGHTS_ALL (HV_RIGHT_SAME_RIGHTS too)
 *   HV_ERR_NO_RESOURCES   every slot is in use
 * The caller takes its object reference after HV_OK.
 */
hv_status_t ht_add(struct handle_table *t, void *obj, uint32_t type, hv_rights_t rights,
                   hv_handle_t *out);

/*
 * Look up h, checking in Zircon's order:
 *   HV_ERR_BAD_HANDLE     h is not a live handle of this table
 *   HV_ERR_WRONG_TYPE     type != HV_OBJ_NONE and differs from the handle's
 *   HV_ERR_ACCESS_DENIED  the handle lacks some right in `needed`
 * On HV_OK the object goes to *obj (obj may be NULL). Nothing is written
 * on failure. No reference is taken.
 */
hv_status_t ht_get(const struct handle_table *t, hv_handle_t h, uint32_t type,
                   hv_rights_t needed, void **obj);

/*
 * ht_get plus the handle's type and rights (each out-param may be NULL);
 * checks and errors as ht_get.
 */
hv_status_t ht_get_info(const struct handle_table *t, hv_handle_t h, uint32_t type,
                        hv_rights_t needed, void **obj, uint32_t *type_out,
                        hv_rights_t *rights_out);

/*
 * Close h: HV_ERR_BAD_HANDLE unless live. On HV_OK the object and its type
 * go to *obj / *type (either may be NULL) and the caller drops the
 * reference that handle held. The slot's generation advances, so h is
 * never valid again (until HT_REUSE_BOUND reuses of the slot).
 */
hv_status_t ht_remove(struct handle_table *t, hv_handle_t h, void **obj, uint32_t *type);

/*
 * New handle to h's object, checking in Zircon's order:
 *   HV_ERR_INVALID_ARGS   out NULL
 *   HV_ERR_BAD_HANDLE     h is not live
 *   HV_ERR_ACCESS_DENIED  h lacks HV_RIGHT_DUPLICATE
 *   HV_ERR_INVALID_ARGS   rights is neither exactly HV_RIGHT_SAME_RIGHTS
 *                         (copy h's rights) nor a subset of h's rights
 *   HV_ERR_NO_RESOURCES   every slot is in use
 * On HV_OK the new value goes to *out and the object to *obj (obj may be
 * NULL); the caller takes a reference for the new handle. h stays open.
 */
hv_status_t ht_duplicate(struct handle_table *t, hv_handle_t h, hv_rights_t rights,
                         hv_handle_t *out, void **obj);

/* Live handles. */
uint32_t ht_count(const struct handle_table *t);

/* Slots (the clamped capacity). */
uint32_t ht_capacity(const struct handle_table *t);

/*
 * Close some live handle (for tearing a process down): its object and type
 * go to *obj / *type (either may be NULL) and true is returned; false when
 * the table is empty. Closing works as ht_remove (the generation advances).
 */
bool ht_pop_any(struct handle_table *t, void **obj, uint32_t *type);

#endif
