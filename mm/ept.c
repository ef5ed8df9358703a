/*
 * EPT builder (see include/ept.h). Pure logic: no kernel headers, no libc.
 *
 * Shape of every modifying call: validate, check the whole range (ALREADY_EXISTS /
 * NOT_FOUND), count the table frames the call will need, allocate all of
 * them into a private pool, and only then touch the tree. Out of memory is
 * therefore only possible before the first write, and rolling back means
 * handing the pool back. The pool is a list threaded through the free
 * frames themselves (word 0 holds the next frame), so it needs no storage.
 *
 * Invariant kept by every call: no table below the PML4 is empty. Map only
 * creates tables it fills, unmap frees tables it empties, splits create
 * full tables, protect removes nothing.
 *
 * Recursive walkers take a table, its level (4 = PML4 .. 1 = PT) and a
 * range [start, end) lying inside the span of that table.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "ept.h"

#define TABLE_ENTRY_PERMS EPT_RWX   /* non-leaf entries allow everything */

static inline unsigned level_shift(unsigned level)
{
    return 12u + 9u * (level - 1u);
}

static inline uint64_t level_size(unsigned level)
{
    return 1ull << level_shift(level);
}

static inline unsigned level_index(uint64_t gpa, unsigned level)
{
    return (unsigned)(gpa >> level_shift(level)) & (EPT_ENTRIES - 1u);
}

static inline bool ent_present(uint64_t ent)
{
    return (ent & EPT_E_PERM_MASK) != 0;
}

static inline bool ent_leaf(uint64_t ent, unsigned level)
{
    return level == 1 || (level <= EPT_LEVEL_1G && (ent & EPT_E_LARGE));
}

/* Physical address a leaf of `level` maps (its reserved low bits ignored). */
static inline uint64_t leaf_addr(uint64_t ent, unsigned level)
{
    return ent & EPT_E_ADDR_MASK & ~(level_size(level) - 1);
}

static inline uint64_t child_addr(uint64_t ent)
{
    return ent & EPT_E_ADDR_MASK;
}

/* End of the entry slot containing cur, clipped to end. */
static inline uint64_t slot_end(uint64_t cur, unsigned level, uint64_t end)
{
    uint64_t s = (cur & ~(level_size(level) - 1)) + level_size(level);
    return s < end ? s : end;
}

static inline uint64_t *table(const struct ept *e, uint64_t phys)
{
    return (uint64_t *)e->ops.phys_to_virt(e->ops.ctx, phys);
}

/* ---- frames ----------------------------------------------------------------- */

static uint64_t frame_alloc(struct ept *e)
{
    uint64_t f = e->ops.alloc_table(e->ops.ctx);
    if (!f)
        return 0;
    if ((f & (EPT_PAGE_SIZE - 1)) || f >= EPT_HPA_LIMIT) {
        /* Broken callback: unusable frame; give it back, report no memory. */
        e->ops.free_table(e->ops.ctx, f);
        return 0;
    }
    e->tables++;
    return f;
}

static void frame_free(struct ept *e, uint64_t f)
{
    e->ops.free_table(e->ops.ctx, f);
    e->tables--;
}

struct pool {
    uint64_t head;      /* phys of the first frame, 0 = empty */
    uint64_t count;
};

static uint64_t pool_take(struct ept *e, struct pool *p)
{
    uint64_t f = p->head;
    uint64_t *t = table(e, f);
    p->head = t[0];
    t[0] = 0;           /* the frame is all zero again */
    p->count--;
    return f;
}

static void pool_drain(struct ept *e, struct pool *p)
{
    while (p->count)
        frame_free(e, pool_take(e, p));
}

/* Allocate n frames into p; on failure frees what it got and returns HV_ERR_NO_MEMORY. */
static hv_status_t pool_fill(struct ept *e, struct pool *p, uint64_t n)
{
    p->head = 0;
    p->count = 0;
    while (p->count < n) {
        uint64_t f = frame_alloc(e);
        if (!f) {
            pool_drain(e, p);
            return HV_ERR_NO_MEMORY;
        }
        table(e, f)[0] = p->head;
        p->head = f;
        p->count++;
    }
    return HV_OK;
}

/* ---- argument checks --------------------------------------------------------- */

static bool perms_ok(const struct ept *e, uint32_t perms)
{
    if (perms == 0 || (perms & ~EPT_RWX))
        return false;
    if ((perms & EPT_W) && !(perms & EPT_R))
        return false;                   /* write without read: misconfiguration */
    if (perms == EPT_X && !(e->features & EPT_FEAT_EXEC_ONLY))
        return false;                   /* execute-only not supported */
    return true;
}

static bool memtype_ok(uint32_t mt)
{
    return mt == EPT_MT_UC || mt == EPT_MT_WC || mt == EPT_MT_WT ||
           mt == EPT_MT_WP || mt == EPT_MT_WB;
}

/* a and len page aligned, len > 0, a + len <= limit without wrapping. */
static bool range_ok(uint64_t a, uint64_t len, uint64_t limit)
{
    return !(a & (EPT_PAGE_SIZE - 1)) && !(len & (EPT_PAGE_SIZE - 1)) && len != 0 &&
           a < limit && len <= limit - a;
}

static bool ready(const struct ept *e)
{
    return e && e->pml4;
}

/* ---- range queries ----------------------------------------------------------- */

/* Is any page of [start, end) mapped? Absent subtrees are skipped. */
static bool any_mapped(const struct ept *e, uint64_t tphys, unsigned level,
                       uint64_t start, uint64_t end)
{
    const uint64_t *t = table(e, tphys);
    for (uint64_t cur = start; cur < end;) {
        uint64_t next = slot_end(cur, level, end);
        uint64_t ent = t[level_index(cur, level)];
        if (ent_present(ent)) {
            if (ent_leaf(ent, level))
                return true;
            if (any_mapped(e, child_addr(ent), level - 1, cur, next))
                return true;
        }
        cur = next;
    }
    return false;
}

/* Is every page of [start, end) mapped? */
static bool all_mapped(const struct ept *e, uint64_t tphys, unsigned level,
                       uint64_t start, uint64_t end)
{
    const uint64_t *t = table(e, tphys);
    for (uint64_t cur = start; cur < end;) {
        uint64_t next = slot_end(cur, level, end);
        uint64_t ent = t[level_index(cur, level)];
        if (!ent_present(ent))
            return false;
        if (!ent_leaf(ent, level) && !all_mapped(e, child_addr(ent), level - 1, cur, next))
            return false;
        cur = next;
    }
    return true;
}

static bool table_empty(const struct ept *e, uint64_t tphys)
{
    const uint64_t *t = table(e, tphys);
    for (unsigned i = 0; i < EPT_ENTRIES; i++)
        if (ent_present(t[i]))
            return false;
    return true;
}

/* ---- map --------------------------------------------------------------------- */

/* May [gpa, gpa + remain) start with a leaf of `level` mapping hpa? */
static bool leaf_fits(const struct ept *e, unsigned level, uint64_t gpa, uint64_t hpa,
                      uint64_t remain)
{
    if (level == EPT_LEVEL_4K)
        return true;
    if (level == EPT_LEVEL_2M && !(e->features & EPT_FEAT_2M))
        return false;
    /* 1 GiB leaves only together with 2 MiB ones: splitting one makes 2M leaves. */
    if (level == EPT_LEVEL_1G && (e->features & (EPT_FEAT_1G | EPT_FEAT_2M)) !=
                                     (EPT_FEAT_1G | EPT_FEAT_2M))
        return false;
    if (level > EPT_LEVEL_1G)
        return false;
    uint64_t m = level_size(level) - 1;
    return !(gpa & m) && !(hpa & m) && remain > m;
}

/*
 * Tables a map of [start, end) (hpa = gpa + delta) needs below the table at
 * tphys; tphys 0 stands for a table still to be created (all entries
 * empty). Mirrors map_fill's decisions exactly. The range holds no mapped
 * page, so every present entry met is a table pointer.
 */
static uint64_t map_count(const struct ept *e, uint64_t tphys, unsigned level,
                          uint64_t start, uint64_t end, uint64_t delta)
{
    if (level == EPT_LEVEL_4K)
        return 0;
    const uint64_t *t = tphys ? table(e, tphys) : NULL;
    uint64_t need = 0;
    for (uint64_t cur = start; cur < end;) {
        uint64_t next = slot_end(cur, level, end);
        uint64_t ent = t ? t[level_index(cur, level)] : 0;
        if (ent_present(ent))
            need += map_count(e, child_addr(ent), level - 1, cur, next, delta);
        else if (!leaf_fits(e, level, cur, cur + delta, end - cur))
            need += 1 + map_count(e, 0, level - 1, cur, next, delta);
        cur = next;
    }
    return need;
}

static void map_fill(struct ept *e, uint64_t tphys, unsigned level, uint64_t start,
                     uint64_t end, uint64_t delta, uint64_t attrs, struct pool *p)
{
    uint64_t *t = table(e, tphys);
    if (level == EPT_LEVEL_4K) {
        for (uint64_t cur = start; cur < end; cur += EPT_PAGE_SIZE)
            t[level_index(cur, 1)] = (cur + delta) | attrs;
        return;
    }
    for (uint64_t cur = start; cur < end;) {
        uint64_t next = slot_end(cur, level, end);
        unsigned i = level_index(cur, level);
        uint64_t ent = t[i];
        if (!ent_present(ent) && leaf_fits(e, level, cur, cur + delta, end - cur)) {
            t[i] = (cur + delta) | attrs | EPT_E_LARGE;
        } else {
            uint64_t child;
            if (ent_present(ent)) {
                child = child_addr(ent);
            } else {
                child = pool_take(e, p);
                t[i] = child | TABLE_ENTRY_PERMS;
            }
            map_fill(e, child, level - 1, cur, next, delta, attrs, p);
        }
        cur = next;
    }
}

hv_status_t ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len,
                    uint32_t perms, uint32_t memtype)
{
    if (!ready(e) || !range_ok(gpa, len, EPT_GPA_LIMIT) || !range_ok(hpa, len, EPT_HPA_LIMIT) ||
        !perms_ok(e, perms) || !memtype_ok(memtype))
        return HV_ERR_INVALID_ARGS;
    uint64_t end = gpa + len;
    if (any_mapped(e, e->pml4, EPT_LEVELS, gpa, end))
        return HV_ERR_ALREADY_EXISTS;
    uint64_t delta = hpa - gpa;        /* modulo 2^64 */
    struct pool p;
    hv_status_t rc = pool_fill(e, &p, map_count(e, e->pml4, EPT_LEVELS, gpa, end, delta));
    if (rc != HV_OK)
        return rc;
    uint64_t attrs = perms | ((uint64_t)memtype << EPT_E_MT_SHIFT) | EPT_E_IPAT;
    map_fill(e, e->pml4, EPT_LEVELS, gpa, end, delta, attrs, &p);
    pool_drain(e, &p);                 /* empty when the count is exact */
    return HV_OK;
}

/* ---- splitting large leaves -------------------------------------------------- */

/* Level of the leaf mapping gpa (0 when unmapped); its entry in *ent. */
static unsigned leaf_of(const struct ept *e, uint64_t gpa, uint64_t *ent)
{
    uint64_t tphys = e->pml4;
    for (unsigned level = EPT_LEVELS; level >= 1; level--) {
        uint64_t v = table(e, tphys)[level_index(gpa, level)];
        if (!ent_present(v))
            return 0;
        if (ent_leaf(v, level)) {
            *ent = v;
            return level;
        }
        tphys = child_addr(v);
    }
    return 0;
}

/*
 * Tables needed so that no leaf straddles a or b (a < b; b == 2^48 means
 * no boundary). A 2 MiB leaf cut by a boundary needs one table; a 1 GiB
 * leaf needs one, plus one more for the 2 MiB piece when the boundary is
 * not 2 MiB aligned. When both boundaries cut the same leaf its first split
 * serves both.
 */
static uint64_t split_count(const struct ept *e, uint64_t a, uint64_t b)
{
    uint64_t need = 0, ea = 0, eb = 0;
    unsigned la = leaf_of(e, a, &ea);
    bool cut_a = la > EPT_LEVEL_4K && (a & (level_size(la) - 1));
    if (cut_a)
        need += (la == EPT_LEVEL_1G && (a & (EPT_2M - 1))) ? 2 : 1;
    if (b >= EPT_GPA_LIMIT)
        return need;
    unsigned lb = leaf_of(e, b, &eb);
    if (lb <= EPT_LEVEL_4K || !(b & (level_size(lb) - 1)))
        return need;
    bool same = cut_a && la == lb && (a >> level_shift(la)) == (b >> level_shift(lb));
    if (!same)
        return need + ((lb == EPT_LEVEL_1G && (b & (EPT_2M - 1))) ? 2 : 1);
    /* a already split this leaf; b now sits in a piece one level smaller. */
    if (lb == EPT_LEVEL_2M || !(b & (EPT_2M - 1)))
        return need;
    bool piece_split = (a >> 21) == (b >> 21) && (a & (EPT_2M - 1));
    return need + (piece_split ? 0 : 1);
}

/* Replace the large leaf t[i] of `level` by a table of 512 leaves one level down. */
static void split_leaf(struct ept *e, uint64_t *t, unsigned i, unsigned level, struct pool *p)
{
    uint64_t ent = t[i];
    uint64_t child = pool_take(e, p);
    uint64_t *ct = table(e, child);
    unsigned cl = level - 1;
    uint64_t base = leaf_addr(ent, level);
    uint64_t attrs = (ent & ~EPT_E_ADDR_MASK & ~EPT_E_LARGE) | (cl > EPT_LEVEL_4K ? EPT_E_LARGE : 0);
    for (unsigned k = 0; k < EPT_ENTRIES; k++)
        ct[k] = (base + (uint64_t)k * level_size(cl)) | attrs;
    t[i] = child | TABLE_ENTRY_PERMS;   /* one store: the walk sees old or new */
    e->needs_flush = true;
}

/* Split the large leaves containing b until b is on a leaf boundary. */
static void split_at(struct ept *e, uint64_t b, struct pool *p)
{
    if (b >= EPT_GPA_LIMIT)
        return;
    uint64_t tphys = e->pml4;
    for (unsigned level = EPT_LEVELS; level > EPT_LEVEL_4K; level--) {
        uint64_t *t = table(e, tphys);
        unsigned i = level_index(b, level);
        if (!ent_present(t[i]))
            return;
        if (ent_leaf(t[i], level)) {
            if (!(b & (level_size(level) - 1)))
                return;
            split_leaf(e, t, i, level, p);
        }
        tphys = child_addr(t[i]);
    }
}

/* Make gpa and end leaf boundaries; all frames are allocated first. */
static hv_status_t split_edges(struct ept *e, uint64_t gpa, uint64_t end)
{
    uint64_t need = split_count(e, gpa, end);
    if (!need)
        return HV_OK;
    struct pool p;
    hv_status_t rc = pool_fill(e, &p, need);
    if (rc != HV_OK)
        return rc;
    split_at(e, gpa, &p);
    split_at(e, end, &p);
    pool_drain(e, &p);
    return HV_OK;
}

/* ---- unmap ------------------------------------------------------------------- */

/* Free the table at tphys and every table below it. */
static void free_tree(struct ept *e, uint64_t tphys, unsigned level)
{
    if (level > EPT_LEVEL_4K) {
        const uint64_t *t = table(e, tphys);
        for (unsigned i = 0; i < EPT_ENTRIES; i++)
            if (ent_present(t[i]) && !ent_leaf(t[i], level))
                free_tree(e, child_addr(t[i]), level - 1);
    }
    frame_free(e, tphys);
}

/* Remove [start, end); no leaf straddles start or end (split_edges ran). */
static void unmap_range(struct ept *e, uint64_t tphys, unsigned level,
                        uint64_t start, uint64_t end)
{
    uint64_t *t = table(e, tphys);
    for (uint64_t cur = start; cur < end;) {
        uint64_t next = slot_end(cur, level, end);
        unsigned i = level_index(cur, level);
        uint64_t ent = t[i];
        if (ent_present(ent)) {
            if (ent_leaf(ent, level)) {
                t[i] = 0;
                e->needs_flush = true;
            } else {
                uint64_t child = child_addr(ent);
                bool whole = !(cur & (level_size(level) - 1)) && next - cur == level_size(level);
                if (!whole)
                    unmap_range(e, child, level - 1, cur, next);
                if (whole || table_empty(e, child)) {
                    t[i] = 0;
                    free_tree(e, child, level - 1);
                    e->needs_flush = true;
                }
            }
        }
        cur = next;
    }
}

hv_status_t ept_unmap(struct ept *e, uint64_t gpa, uint64_t len)
{
    if (!ready(e) || !range_ok(gpa, len, EPT_GPA_LIMIT))
        return HV_ERR_INVALID_ARGS;
    uint64_t end = gpa + len;
    hv_status_t rc = split_edges(e, gpa, end);
    if (rc != HV_OK)
        return rc;
    unmap_range(e, e->pml4, EPT_LEVELS, gpa, end);
    return HV_OK;
}

/* ---- protect ----------------------------------------------------------------- */

/* Set perms on [start, end); fully mapped, no leaf straddles the edges. */
static void protect_range(struct ept *e, uint64_t tphys, unsigned level, uint64_t start,
                          uint64_t end, uint64_t perms)
{
    uint64_t *t = table(e, tphys);
    for (uint64_t cur = start; cur < end;) {
        uint64_t next = slot_end(cur, level, end);
        unsigned i = level_index(cur, level);
        uint64_t ent = t[i];
        if (ent_leaf(ent, level)) {
            if (ent & EPT_E_PERM_MASK & ~perms)
                e->needs_flush = true;      /* a right was taken away */
            t[i] = (ent & ~EPT_E_PERM_MASK) | perms;
        } else {
            protect_range(e, child_addr(ent), level - 1, cur, next, perms);
        }
        cur = next;
    }
}

hv_status_t ept_protect(struct ept *e, uint64_t gpa, uint64_t len, uint32_t perms)
{
    if (!ready(e) || !range_ok(gpa, len, EPT_GPA_LIMIT) || !perms_ok(e, perms))
        return HV_ERR_INVALID_ARGS;
    uint64_t end = gpa + len;
    if (!all_mapped(e, e->pml4, EPT_LEVELS, gpa, end))
        return HV_ERR_NOT_FOUND;
    hv_status_t rc = split_edges(e, gpa, end);
    if (rc != HV_OK)
        return rc;
    protect_range(e, e->pml4, EPT_LEVELS, gpa, end, perms);
    return HV_OK;
}

/* ---- the rest ------------------------------------------------------------------ */

hv_status_t ept_init(struct ept *e, const struct ept_ops *ops, uint32_t features)
{
    if (!e || !ops || !ops->alloc_table || !ops->free_table || !ops->phys_to_virt ||
        (features & ~EPT_FEAT_ALL))
        return HV_ERR_INVALID_ARGS;
    e->ops = *ops;
    e->features = features;
    e->tables = 0;
    e->needs_flush = false;
    e->pml4 = frame_alloc(e);
    return e->pml4 ? HV_OK : HV_ERR_NO_MEMORY;
}

uint64_t ept_eptp(const struct ept *e)
{
    if (!ready(e))
        return 0;
    return e->pml4 | EPT_EPTP_MT_WB | EPT_EPTP_PWL4 |
           ((e->features & EPT_FEAT_AD) ? EPT_EPTP_AD : 0);
}

hv_status_t ept_translate(const struct ept *e, uint64_t gpa, uint64_t *hpa, uint32_t *perms,
                          uint32_t *memtype, uint32_t *leaf_level)
{
    if (!ready(e) || gpa >= EPT_GPA_LIMIT)
        return HV_ERR_INVALID_ARGS;
    uint64_t ent = 0;
    unsigned level = leaf_of(e, gpa, &ent);
    if (!level)
        return HV_ERR_NOT_FOUND;
    if (hpa)
        *hpa = leaf_addr(ent, level) | (gpa & (level_size(level) - 1));
    if (perms)
        *perms = (uint32_t)(ent & EPT_E_PERM_MASK);
    if (memtype)
        *memtype = (uint32_t)((ent & EPT_E_MT_MASK) >> EPT_E_MT_SHIFT);
    if (leaf_level)
        *leaf_level = level;
    return HV_OK;
}

void ept_destroy(struct ept *e)
{
    if (!ready(e))
        return;
    free_tree(e, e->pml4, EPT_LEVELS);
    e->pml4 = 0;
    e->needs_flush = true;
}
