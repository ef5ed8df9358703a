/*
 * mm/ept.c tests.
 *
 * Table frames come from a fake physical memory: 4 KiB aligned heap
 * buffers whose addresses serve as "physical" addresses (phys_to_virt is
 * the identity). The fake keeps the set of live frames, so a leak, a double
 * free, a free of something that is not a table, or a walk through a frame
 * that is not a live table is seen; it can fail the Nth allocation.
 *
 * The tests read the tables directly with their own walker, written from
 * the SDM entry format, independent of the module's walker. Directed cases
 * cover each rule; a randomized run checks 100,000+ operations against a
 * per-page reference model.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ept.h"
#include "ut.h"

#define KiB 0x400ull
#define MiB 0x100000ull
#define GiB 0x40000000ull
#define PG  0x1000ull
#define TOP (1ull << 48)

/* ---- fake physical memory ------------------------------------------------------ */

#define FSET_BITS 17
#define FSET_CAP (1u << FSET_BITS)
#define FSET_MASK (FSET_CAP - 1u)

static struct {
    uint64_t slot[FSET_CAP];    /* open-addressing set of live frames, 0 = empty */
    uint64_t live;
    uint64_t attempts;          /* alloc_table calls so far */
    uint64_t fail_at;           /* the call with this number fails; 0 = never */
    uint64_t bad_frees;         /* frees of frames not live */
    uint64_t bad_p2v;           /* phys_to_virt of frames not live */
    uint64_t p2v_calls;
    uint64_t full;              /* set grew beyond half capacity */
} F;

static size_t fset_hash(uint64_t p)
{
    return (size_t)(((p >> 12) * 0x9e3779b97f4a7c15ull) >> (64 - FSET_BITS));
}

static long fset_find(uint64_t p)
{
    for (size_t i = fset_hash(p);; i = (i + 1) & FSET_MASK) {
        if (F.slot[i] == p)
            return (long)i;
        if (!F.slot[i])
            return -1;
    }
}

static void fset_insert(uint64_t p)
{
    size_t i = fset_hash(p);
    while (F.slot[i])
        i = (i + 1) & FSET_MASK;
    F.slot[i] = p;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void fset_remove(size_t i)
{
    F.slot[i] = 0;
    for (size_t j = (i + 1) & FSET_MASK; F.slot[j]; j = (j + 1) & FSET_MASK) {
        size_t k = fset_hash(F.slot[j]);
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays)
            continue;
        F.slot[i] = F.slot[j];
        F.slot[j] = 0;
        i = j;
    }
}

static uint64_t fake_alloc(void *ctx)
{
    (void)ctx;
    F.attempts++;
    if (F.fail_at && F.attempts == F.fail_at)
        return 0;
    if (F.live >= FSET_CAP / 2) {
        F.full++;
        return 0;
    }
    void *p = aligned_alloc(4096, 4096);
    if (!p)
        return 0;
    memset(p, 0, 4096);
    uint64_t phys = (uint64_t)(uintptr_t)p;
    fset_insert(phys);
    F.live++;
    return phys;
}

static void fake_free(void *ctx, uint64_t phys)
{
    (void)ctx;
    long i = fset_find(phys);
    if (i < 0 || !phys) {
        F.bad_frees++;
        return;
    }
    fset_remove((size_t)i);
    F.live--;
    memset((void *)(uintptr_t)phys, 0xa5, 4096);
    free((void *)(uintptr_t)phys);
}

static void *fake_p2v(void *ctx, uint64_t phys)
{
    (void)ctx;
    F.p2v_calls++;
    if (fset_find(phys) < 0)
        F.bad_p2v++;
    return (void *)(uintptr_t)phys;
}

static void fake_reset(void)
{
    for (size_t i = 0; i < FSET_CAP; i++)
        if (F.slot[i])
            free((void *)(uintptr_t)F.slot[i]);
    memset(&F, 0, sizeof F);
}

static const struct ept_ops fake_ops = { fake_alloc, fake_free, fake_p2v, NULL };

static void setup(struct ept *e, uint32_t feat)
{
    fake_reset();
    memset(e, 0, sizeof *e);
    CHECK_EQ(ept_init(e, &fake_ops, feat), HV_OK);
    CHECK_EQ(e->tables, 1);
    CHECK_EQ(F.live, 1);
}

static void teardown(struct ept *e)
{
    ept_destroy(e);
    CHECK_EQ(e->tables, 0);
    CHECK_EQ(e->pml4, 0);
    CHECK_EQ(F.live, 0);
    CHECK_EQ(F.bad_frees, 0);
    CHECK_EQ(F.bad_p2v, 0);
    CHECK_EQ(F.full, 0);
    fake_reset();
}

/* ---- an independent walker -------------------------------------------------- */

static uint64_t *T(uint64_t phys)
{
    return (uint64_t *)(uintptr_t)phys;
}

static unsigned shift_of(unsigned lvl)
{
    return 12 + 9 * (lvl - 1);
}

/* The entry that decides gpa: a leaf (present) or the first absent entry. */
struct look {
    bool present;
    unsigned level;
    uint64_t ent, base, span;
};

static struct look look_up(const struct ept *e, uint64_t gpa)
{
    uint64_t *t = T(e->pml4);
    for (unsigned lvl = 4;; lvl--) {
        unsigned sh = shift_of(lvl);
        uint64_t ent = t[(gpa >> sh) & 511];
        struct look r = { false, lvl, ent, gpa & ~((1ull << sh) - 1), 1ull << sh };
        if (!(ent & 7))
            return r;
        if (lvl == 1 || (ent & EPT_E_LARGE)) {
            r.present = true;
            return r;
        }
        t = T(ent & EPT_E_ADDR_MASK);
    }
}

/* The leaf entry for gpa (0 when absent) and its level. */
static uint64_t leaf_ent(const struct ept *e, uint64_t gpa, unsigned *lvl)
{
    struct look l = look_up(e, gpa);
    if (lvl)
        *lvl = l.present ? l.level : 0;
    return l.present ? l.ent : 0;
}

static uint64_t expect_leaf(uint64_t hpa, uint32_t perms, uint32_t mt, bool large)
{
    return hpa | perms | ((uint64_t)mt << 3) | EPT_E_IPAT | (large ? EPT_E_LARGE : 0);
}

/* Translation of one page through the API: packed hpa|perms|mt<<3|level<<6, 0 if absent. */
static uint64_t tr(const struct ept *e, uint64_t gpa)
{
    uint64_t hpa = 0;
    uint32_t p = 0, mt = 0, lvl = 0;
    if (ept_translate(e, gpa, &hpa, &p, &mt, &lvl) != HV_OK)
        return 0;
    return hpa | p | (uint64_t)mt << 3 | (uint64_t)lvl << 6;
}

#define TR(hpa, p, mt, lvl) ((hpa) | (p) | (uint64_t)(mt) << 3 | (uint64_t)(lvl) << 6)

/* Structural audit of the whole tree. */
struct audit {
    uint64_t tables, pages, leaves[4];
    uint64_t bad;
    const char *why;
    uint64_t where;
};

static void audit_bad(struct audit *a, const char *why, uint64_t where)
{
    if (!a->bad) {
        a->why = why;
        a->where = where;
    }
    a->bad++;
}

static long page_idx(uint64_t gpa);

static bool perms_valid(uint32_t p, bool exec_only)
{
    if (p == 0 || (p & ~7u))
        return false;
    if ((p & EPT_W) && !(p & EPT_R))
        return false;
    return p != EPT_X || exec_only;
}

static bool mt_valid(uint32_t mt)
{
    return mt == 0 || mt == 1 || mt == 4 || mt == 5 || mt == 6;
}

static void audit_table(const struct ept *e, uint64_t phys, unsigned lvl, uint64_t base,
                        struct audit *a, bool window, uint64_t ad_mask)
{
    a->tables++;
    if (fset_find(phys) < 0) {
        audit_bad(a, "table is not a live frame", base);
        return;
    }
    const uint64_t *t = T(phys);
    unsigned present = 0;
    for (unsigned i = 0; i < 512; i++) {
        uint64_t ent = t[i];
        uint64_t gpa = base + ((uint64_t)i << shift_of(lvl));
        uint64_t span = 1ull << shift_of(lvl);
        if (!(ent & 7)) {
            if (ent)
                audit_bad(a, "non-present entry with bits set", gpa);
            continue;
        }
        present++;
        if (ent >> 52)
            audit_bad(a, "bits 63:52 set", gpa);
        bool leaf = lvl == 1 || (lvl <= 3 && (ent & EPT_E_LARGE));
        if (lvl == 4 && (ent & EPT_E_LARGE))
            audit_bad(a, "PML4E bit 7 set", gpa);
        if (!leaf) {
            if ((ent & 0xfff & ~ad_mask) != 7)
                audit_bad(a, "non-leaf entry bits 11:0 not RWX only", gpa);
            audit_table(e, ent & EPT_E_ADDR_MASK, lvl - 1, gpa, a, window, ad_mask);
            continue;
        }
        a->leaves[lvl]++;
        a->pages += span / PG;
        uint32_t p = (uint32_t)(ent & 7), mt = (uint32_t)((ent >> 3) & 7);
        if (!perms_valid(p, e->features & EPT_FEAT_EXEC_ONLY))
            audit_bad(a, "leaf perms invalid", gpa);
        if (!mt_valid(mt))
            audit_bad(a, "leaf memory type reserved", gpa);
        if (!(ent & EPT_E_IPAT))
            audit_bad(a, "leaf without ignore-PAT", gpa);
        if (!!(ent & EPT_E_LARGE) != (lvl > 1))
            audit_bad(a, "large bit wrong", gpa);
        if (ent & EPT_E_ADDR_MASK & (span - 1))
            audit_bad(a, "large leaf reserved address bits set", gpa);
        if (ent & 0xf00 & ~ad_mask)
            audit_bad(a, "leaf bits 11:8 set", gpa);
        if (lvl == 2 && !(e->features & EPT_FEAT_2M))
            audit_bad(a, "2M leaf without the feature", gpa);
        if (lvl == 3 && !(e->features & EPT_FEAT_1G))
            audit_bad(a, "1G leaf without the feature", gpa);
        if (window && lvl > 1) {       /* a PT's span is checked once, below */
            long i0 = page_idx(gpa), i1 = page_idx(gpa + span - PG);
            if (i0 < 0 || i1 != i0 + (long)(span / PG) - 1)
                audit_bad(a, "leaf outside the model window", gpa);
        }
    }
    if (lvl < 4 && !present)
        audit_bad(a, "empty table kept", base);
    if (window && lvl == 1 && page_idx(base) < 0)   /* regions are 2M aligned */
        audit_bad(a, "page table outside the model window", base);
}

static struct audit audit(const struct ept *e, bool window)
{
    struct audit a;
    memset(&a, 0, sizeof a);
    uint64_t ad = (e->features & EPT_FEAT_AD) ? (EPT_E_ACCESSED | EPT_E_DIRTY) : 0;
    audit_table(e, e->pml4, 4, 0, &a, window, ad);
    return a;
}

static void check_audit(const struct ept *e)
{
    struct audit a = audit(e, false);
    CHECK_EQ(a.bad, 0);
    if (a.bad)
        printf("    audit: %s at 0x%llx\n", a.why, (unsigned long long)a.where);
    CHECK_EQ(a.tables, e->tables);
    CHECK_EQ(F.live, e->tables);
}

/* Every present entry of the tree, in walk order: equal snapshots = same tree. */
struct snap {
    uint64_t *v;
    size_t n, cap;
};

static void snap_push(struct snap *s, uint64_t x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = x;
}

static void snap_table(uint64_t phys, unsigned lvl, struct snap *s)
{
    const uint64_t *t = T(phys);
    snap_push(s, phys);
    for (unsigned i = 0; i < 512; i++) {
        if (!t[i])
            continue;
        snap_push(s, (uint64_t)lvl << 60 | i);
        snap_push(s, t[i]);
        if ((t[i] & 7) && lvl > 1 && !(lvl <= 3 && (t[i] & EPT_E_LARGE)))
            snap_table(t[i] & EPT_E_ADDR_MASK, lvl - 1, s);
    }
}

static struct snap snapshot(const struct ept *e)
{
    struct snap s = { NULL, 0, 0 };
    snap_table(e->pml4, 4, &s);
    snap_push(&s, e->tables);
    return s;
}

static bool snap_equal(struct snap *a, struct snap *b)
{
    bool eq = a->n == b->n && !memcmp(a->v, b->v, a->n * sizeof *a->v);
    free(a->v);
    free(b->v);
    return eq;
}

/* ---- directed tests ---------------------------------------------------------- */

UT_TEST(ept_init_and_eptp)
{
    struct ept e;
    setup(&e, 0);
    CHECK(e.pml4 && !(e.pml4 & 0xfff));
    CHECK_EQ(ept_eptp(&e), e.pml4 | 6 | 3 << 3);
    CHECK_EQ(ept_eptp(&e) & 0xfff, 0x1e);
    CHECK(!e.needs_flush);
    teardown(&e);

    setup(&e, EPT_FEAT_AD);
    CHECK_EQ(ept_eptp(&e), e.pml4 | 0x5e);
    teardown(&e);

    setup(&e, EPT_FEAT_ALL);
    CHECK_EQ(ept_eptp(&e) & ~EPT_E_ADDR_MASK, 0x5e);
    CHECK_EQ(ept_eptp(&e) & EPT_E_ADDR_MASK, e.pml4);
    teardown(&e);

    /* Invalid init arguments allocate nothing. */
    struct ept_ops o = fake_ops;
    CHECK_EQ(ept_init(NULL, &o, 0), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_init(&e, NULL, 0), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_init(&e, &o, 1u << 4), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_init(&e, &o, 0x80000000u), HV_ERR_INVALID_ARGS);
    o.alloc_table = NULL;
    CHECK_EQ(ept_init(&e, &o, 0), HV_ERR_INVALID_ARGS);
    o = fake_ops;
    o.free_table = NULL;
    CHECK_EQ(ept_init(&e, &o, 0), HV_ERR_INVALID_ARGS);
    o = fake_ops;
    o.phys_to_virt = NULL;
    CHECK_EQ(ept_init(&e, &o, 0), HV_ERR_INVALID_ARGS);
    CHECK_EQ(F.attempts, 0);

    /* No memory for the PML4. */
    F.fail_at = 1;
    CHECK_EQ(ept_init(&e, &fake_ops, 0), HV_ERR_NO_MEMORY);
    CHECK_EQ(F.live, 0);
    CHECK_EQ(e.pml4, 0);
    CHECK_EQ(ept_eptp(&e), 0);
    ept_destroy(&e);            /* harmless on a not initialised EPT */
    CHECK_EQ(F.bad_frees, 0);

    /* A zeroed struct is "not initialised" for every call. */
    struct ept z;
    memset(&z, 0, sizeof z);
    CHECK_EQ(ept_eptp(&z), 0);
    CHECK_EQ(ept_map(&z, 0, 0, PG, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_unmap(&z, 0, PG), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_protect(&z, 0, PG, EPT_R), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_translate(&z, 0, NULL, NULL, NULL, NULL), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(NULL, 0, 0, PG, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    ept_destroy(&z);
    ept_destroy(NULL);
    fake_reset();
}

UT_TEST(ept_leaf_4k_entry_bits)
{
    struct ept e;
    setup(&e, EPT_FEAT_ALL);
    CHECK_EQ(ept_map(&e, 0x123000, 0xabcd000, PG, EPT_R | EPT_W, EPT_MT_WB), HV_OK);
    unsigned lvl;
    CHECK_EQ(leaf_ent(&e, 0x123000, &lvl), expect_leaf(0xabcd000, 3, 6, false));
    CHECK_EQ(lvl, 1);
    CHECK_EQ(leaf_ent(&e, 0x123000, NULL), 0xabcd000ull | 0x73);
    CHECK_EQ(e.tables, 4);              /* PML4, PDPT, PD, PT */
    /* Non-leaf entries: RWX, nothing else but the address. */
    uint64_t pml4e = T(e.pml4)[0];
    CHECK_EQ(pml4e & 0xfff, 7);
    uint64_t hpa = 0;
    uint32_t p = 0, mt = 9, l = 0;
    CHECK_EQ(ept_translate(&e, 0x123abc, &hpa, &p, &mt, &l), HV_OK);
    CHECK_EQ(hpa, 0xabcdabc);
    CHECK_EQ(p, 3);
    CHECK_EQ(mt, 6);
    CHECK_EQ(l, EPT_LEVEL_4K);
    CHECK_EQ(ept_translate(&e, 0x124000, &hpa, &p, &mt, &l), HV_ERR_NOT_FOUND);
    CHECK_EQ(hpa, 0xabcdabc);           /* untouched */
    CHECK_EQ(ept_translate(&e, 0x122fff, NULL, NULL, NULL, NULL), HV_ERR_NOT_FOUND);
    CHECK_EQ(ept_translate(&e, 0x123fff, NULL, NULL, NULL, NULL), HV_OK);
    CHECK_EQ(ept_translate(&e, TOP, NULL, NULL, NULL, NULL), HV_ERR_INVALID_ARGS);

    /* Every valid perms/type combination lands in bits 2:0 / 5:3, ignore-PAT on. */
    static const uint32_t perms[] = { 1, 3, 4, 5, 7 };
    static const uint32_t mts[] = { 0, 1, 4, 5, 6 };
    uint64_t g = 0x40000000;
    for (unsigned i = 0; i < 5; i++)
        for (unsigned j = 0; j < 5; j++, g += PG) {
            CHECK_EQ(ept_map(&e, g, g + 0x1000000000ull, PG, perms[i], mts[j]), HV_OK);
            CHECK_EQ(leaf_ent(&e, g, NULL), expect_leaf(g + 0x1000000000ull, perms[i], mts[j], false));
            CHECK_EQ(tr(&e, g), TR(g + 0x1000000000ull, perms[i], mts[j], 1));
        }
    CHECK(!e.needs_flush);              /* mapping into empty entries */
    check_audit(&e);
    teardown(&e);
}

UT_TEST(ept_leaf_2m_selection)
{
    struct ept e;
    setup(&e, EPT_FEAT_2M);
    /* 2M-aligned gpa and hpa, 4 MiB: two 2M leaves, no page table. */
    CHECK_EQ(ept_map(&e, 0x200000, 0x40000000, 4 * MiB, EPT_RWX, EPT_MT_UC), HV_OK);
    unsigned lvl;
    CHECK_EQ(leaf_ent(&e, 0x200000, &lvl), expect_leaf(0x40000000, 7, 0, true));
    CHECK_EQ(lvl, 2);
    CHECK_EQ(leaf_ent(&e, 0x400000, &lvl), expect_leaf(0x40200000, 7, 0, true));
    CHECK_EQ(lvl, 2);
    CHECK_EQ(e.tables, 3);
    CHECK_EQ(tr(&e, 0x3ff000), TR(0x401ff000, 7, 0, 2));
    CHECK_EQ(tr(&e, 0x5ff000), TR(0x403ff000, 7, 0, 2));

    /* hpa not 2M aligned: 4K leaves. */
    CHECK_EQ(ept_map(&e, 0x1000000, 0x40001000, 2 * MiB, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(tr(&e, 0x1000000), TR(0x40001000, 1, 6, 1));
    CHECK_EQ(tr(&e, 0x11ff000), TR(0x40200000, 1, 6, 1));
    CHECK_EQ(e.tables, 4);

    /* 2M + 4K: a 2M leaf then a 4K leaf. gpa 4K before a 2M boundary and
     * 4M + 8K: 4K, 2M, 2M, 4K. */
    CHECK_EQ(ept_map(&e, 0x2000000, 0x2000000, 2 * MiB + PG, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(tr(&e, 0x2000000) >> 6 & 3, 2);
    CHECK_EQ(tr(&e, 0x2200000), TR(0x2200000, 1, 6, 1));
    CHECK_EQ(ept_map(&e, 0x31ff000, 0x51ff000, 4 * MiB + 2 * PG, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(tr(&e, 0x31ff000), TR(0x51ff000, 1, 6, 1));
    CHECK_EQ(tr(&e, 0x3200000), TR(0x5200000, 1, 6, 2));
    CHECK_EQ(tr(&e, 0x3400000), TR(0x5400000, 1, 6, 2));
    CHECK_EQ(tr(&e, 0x35ff000), TR(0x55ff000, 1, 6, 2));
    CHECK_EQ(tr(&e, 0x3600000), TR(0x5600000, 1, 6, 1));
    CHECK_EQ(tr(&e, 0x3601000), 0);
    CHECK_EQ(tr(&e, 0x31fe000), 0);
    check_audit(&e);
    teardown(&e);

    /* Without EPT_FEAT_2M only 4K leaves, whatever the alignment. */
    setup(&e, EPT_FEAT_1G);
    CHECK_EQ(ept_map(&e, 0x200000, 0x200000, 2 * MiB, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(tr(&e, 0x200000) >> 6 & 3, 1);
    CHECK_EQ(e.tables, 4);
    check_audit(&e);
    teardown(&e);
}

UT_TEST(ept_leaf_1g_selection)
{
    struct ept e;
    setup(&e, EPT_FEAT_1G | EPT_FEAT_2M);
    CHECK_EQ(ept_map(&e, GiB, 7 * GiB, 2 * GiB, EPT_R | EPT_X, EPT_MT_WT), HV_OK);
    unsigned lvl;
    CHECK_EQ(leaf_ent(&e, GiB, &lvl), expect_leaf(7 * GiB, 5, 4, true));
    CHECK_EQ(lvl, 3);
    CHECK_EQ(leaf_ent(&e, 2 * GiB, &lvl), expect_leaf(8 * GiB, 5, 4, true));
    CHECK_EQ(lvl, 3);
    CHECK_EQ(e.tables, 2);              /* PML4 + PDPT */
    CHECK_EQ(tr(&e, 3 * GiB - PG), TR(9 * GiB - PG, 5, 4, 3));
    CHECK_EQ(tr(&e, 3 * GiB), 0);

    /* 1G + 2M + 4K from a 1G-aligned start: one of each. */
    CHECK_EQ(ept_map(&e, 8 * GiB, 16 * GiB, GiB + 2 * MiB + PG, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(tr(&e, 8 * GiB) >> 6 & 3, 3);
    CHECK_EQ(tr(&e, 9 * GiB) >> 6 & 3, 2);
    CHECK_EQ(tr(&e, 9 * GiB + 2 * MiB), TR(17 * GiB + 2 * MiB, 1, 6, 1));
    /* gpa 1G aligned but hpa only 2M aligned: 2M leaves. */
    CHECK_EQ(ept_map(&e, 12 * GiB, 32 * GiB + 2 * MiB, GiB, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(tr(&e, 12 * GiB), TR(32 * GiB + 2 * MiB, 1, 6, 2));
    CHECK_EQ(tr(&e, 13 * GiB - PG), TR(33 * GiB + 2 * MiB - PG, 1, 6, 2));
    check_audit(&e);
    teardown(&e);

    /* EPT_FEAT_1G without EPT_FEAT_2M: no 1G leaves (a split would need 2M
     * leaves, which the CPU then does not support): all 4K. */
    setup(&e, EPT_FEAT_1G);
    CHECK_EQ(ept_map(&e, GiB, GiB, GiB, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(tr(&e, GiB) >> 6 & 3, 1);
    CHECK_EQ(tr(&e, 2 * GiB - PG), TR(2 * GiB - PG, 1, 6, 1));
    CHECK_EQ(e.tables, 2 + 1 + 512);    /* PML4, PDPT, PD, 512 PT */
    check_audit(&e);
    teardown(&e);

    /* 2M only: a 1G-aligned GiB becomes 512 2M leaves in one PD. */
    setup(&e, EPT_FEAT_2M);
    CHECK_EQ(ept_map(&e, GiB, GiB, GiB, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(e.tables, 3);
    struct audit a = audit(&e, false);
    CHECK_EQ(a.leaves[2], 512);
    CHECK_EQ(a.leaves[1] + a.leaves[3], 0);
    teardown(&e);
}

UT_TEST(ept_efficiency)
{
    struct ept e;
    setup(&e, EPT_FEAT_2M);
    /* 1 GiB from a 2M-aligned (not 1G-aligned) start: 512 2M leaves in two
     * PDs; no page table, only a handful of table visits. */
    F.p2v_calls = 0;
    CHECK_EQ(ept_map(&e, GiB + 2 * MiB, 2 * MiB, GiB, EPT_RWX, EPT_MT_WB), HV_OK);
    CHECK_EQ(e.tables, 4);
    CHECK(F.p2v_calls < 32);
    CHECK_EQ(audit(&e, false).leaves[2], 512);
    CHECK_EQ(audit(&e, false).leaves[1], 0);

    /* One page at the very top of the GPA space, then unmap all of it: the
     * walk skips absent subtrees. */
    CHECK_EQ(ept_map(&e, TOP - PG, 0, PG, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(e.tables, 7);
    F.p2v_calls = 0;
    CHECK_EQ(ept_unmap(&e, 0, TOP), HV_OK);
    CHECK(F.p2v_calls < 32);
    CHECK_EQ(e.tables, 1);
    CHECK(e.needs_flush);

    /* Protect over a 1 GiB of 2M leaves touches 512 entries, not 262144. */
    CHECK_EQ(ept_map(&e, 0, 0, GiB, EPT_RWX, EPT_MT_WB), HV_OK);
    F.p2v_calls = 0;
    CHECK_EQ(ept_protect(&e, 0, GiB, EPT_R), HV_OK);
    CHECK(F.p2v_calls < 32);
    CHECK_EQ(tr(&e, GiB - PG), TR(GiB - PG, 1, 6, 2));
    /* Unmap of a range with nothing in it: no flush. */
    ept_take_flush(&e);
    CHECK_EQ(ept_unmap(&e, 4 * GiB, 100 * GiB), HV_OK);
    CHECK(!e.needs_flush);
    teardown(&e);
}

UT_TEST(ept_invalid_args)
{
    struct ept e;
    setup(&e, EPT_FEAT_2M | EPT_FEAT_1G);
    CHECK_EQ(ept_map(&e, 0x10000, 0x20000, PG, EPT_R, EPT_MT_WB), HV_OK);
    uint64_t att = F.attempts;
    struct snap before = snapshot(&e);
    const uint64_t M = ~0ull & ~0xfffull;   /* aligned, huge */

    /* map: alignment, length, ranges */
    CHECK_EQ(ept_map(&e, 0x1001, 0, PG, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1800, 0, PG, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1000, 0x10, PG, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1000, 0, 0x800, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1000, 0, PG + 1, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1000, 0, 0, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, TOP, 0, PG, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, TOP - PG, 0, 2 * PG, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, TOP - PG, 0, M, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);   /* wraps */
    CHECK_EQ(ept_map(&e, 0x1000, 1ull << 52, PG, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1000, (1ull << 52) - PG, 2 * PG, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1000, M, 2 * PG, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);     /* wraps */
    /* map: permissions */
    CHECK_EQ(ept_map(&e, 0x1000, 0, PG, 0, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1000, 0, PG, EPT_W, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1000, 0, PG, EPT_W | EPT_X, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1000, 0, PG, EPT_X, EPT_MT_WB), HV_ERR_INVALID_ARGS);  /* no exec-only */
    CHECK_EQ(ept_map(&e, 0x1000, 0, PG, 8, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1000, 0, PG, EPT_RWX | 8, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    /* map: memory types */
    for (uint32_t mt = 0; mt < 16; mt++)
        if (!mt_valid(mt))
            CHECK_EQ(ept_map(&e, 0x1000, 0, PG, EPT_R, mt), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1000, 0, PG, EPT_R, 2), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1000, 0, PG, EPT_R, 3), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_map(&e, 0x1000, 0, PG, EPT_R, 7), HV_ERR_INVALID_ARGS);
    /* INVALID wins over EXISTS. */
    CHECK_EQ(ept_map(&e, 0x10000, 0, PG, EPT_W, EPT_MT_WB), HV_ERR_INVALID_ARGS);

    /* unmap */
    CHECK_EQ(ept_unmap(&e, 0x10800, PG), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_unmap(&e, 0x10000, 0x800), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_unmap(&e, 0x10000, 0), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_unmap(&e, TOP, PG), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_unmap(&e, 0, TOP + PG), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_unmap(&e, 0x10000, M), HV_ERR_INVALID_ARGS);
    /* protect */
    CHECK_EQ(ept_protect(&e, 0x10001, PG, EPT_R), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_protect(&e, 0x10000, 1, EPT_R), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_protect(&e, 0x10000, 0, EPT_R), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_protect(&e, TOP, PG, EPT_R), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_protect(&e, 0x10000, M, EPT_R), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_protect(&e, 0x10000, PG, 0), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_protect(&e, 0x10000, PG, EPT_W), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_protect(&e, 0x10000, PG, EPT_W | EPT_X), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_protect(&e, 0x10000, PG, EPT_X), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_protect(&e, 0x10000, PG, 0x10 | EPT_R), HV_ERR_INVALID_ARGS);
    /* translate */
    CHECK_EQ(ept_translate(&e, TOP, NULL, NULL, NULL, NULL), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ept_translate(&e, ~0ull, NULL, NULL, NULL, NULL), HV_ERR_INVALID_ARGS);

    struct snap after = snapshot(&e);
    CHECK(snap_equal(&before, &after));
    CHECK_EQ(F.attempts, att);
    CHECK(!e.needs_flush);
    teardown(&e);

    /* Execute-only is fine with the feature, and range limits are inclusive. */
    setup(&e, EPT_FEAT_EXEC_ONLY);
    CHECK_EQ(ept_map(&e, 0x1000, 0, PG, EPT_X, EPT_MT_WB), HV_OK);
    CHECK_EQ(tr(&e, 0x1000), TR(0, 4, 6, 1));
    CHECK_EQ(ept_protect(&e, 0x1000, PG, EPT_X), HV_OK);
    CHECK_EQ(ept_map(&e, TOP - PG, (1ull << 52) - PG, PG, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(tr(&e, TOP - PG), TR((1ull << 52) - PG, 1, 6, 1));
    CHECK_EQ(ept_unmap(&e, TOP - PG, PG), HV_OK);
    CHECK_EQ(ept_unmap(&e, 0, TOP), HV_OK);
    CHECK_EQ(e.tables, 1);
    teardown(&e);
}

UT_TEST(ept_exists_no_side_effects)
{
    struct ept e;
    setup(&e, EPT_FEAT_2M | EPT_FEAT_1G);
    CHECK_EQ(ept_map(&e, 0x100000, 0x900000, 16 * PG, EPT_RWX, EPT_MT_WB), HV_OK);
    CHECK_EQ(ept_map(&e, 4 * MiB, 4 * MiB, 2 * MiB, EPT_R, EPT_MT_WB), HV_OK);   /* 2M leaf */
    CHECK_EQ(ept_map(&e, 2 * GiB, 0, GiB, EPT_R, EPT_MT_UC), HV_OK);            /* 1G leaf */
    uint64_t att = F.attempts;
    struct snap before = snapshot(&e);
    /* overlap at the start, the end, inside, around, a single page */
    CHECK_EQ(ept_map(&e, 0x0f0000, 0, 17 * PG, EPT_R, EPT_MT_WB), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(ept_map(&e, 0x10f000, 0, 8 * PG, EPT_R, EPT_MT_WB), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(ept_map(&e, 0x104000, 0, 2 * PG, EPT_R, EPT_MT_WB), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(ept_map(&e, 0, 0, 64 * MiB, EPT_R, EPT_MT_WB), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(ept_map(&e, 0x10f000, 0, PG, EPT_R, EPT_MT_WB), HV_ERR_ALREADY_EXISTS);
    /* overlapping a 2M leaf in its middle / at its last page */
    CHECK_EQ(ept_map(&e, 5 * MiB, 0, PG, EPT_R, EPT_MT_WB), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(ept_map(&e, 6 * MiB - PG, 0, 2 * MiB, EPT_R, EPT_MT_WB), HV_ERR_ALREADY_EXISTS);
    /* overlapping a 1G leaf */
    CHECK_EQ(ept_map(&e, 2 * GiB + 123 * PG, 0, PG, EPT_R, EPT_MT_WB), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(ept_map(&e, GiB, GiB, 2 * GiB, EPT_R, EPT_MT_WB), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(ept_map(&e, 3 * GiB - PG, 0, 2 * GiB, EPT_R, EPT_MT_WB), HV_ERR_ALREADY_EXISTS);
    struct snap after = snapshot(&e);
    CHECK(snap_equal(&before, &after));
    CHECK_EQ(F.attempts, att);          /* checked before allocating anything */
    CHECK_EQ(tr(&e, 0x0f0000), 0);
    CHECK_EQ(tr(&e, 0x110000), 0);
    CHECK_EQ(tr(&e, 3 * GiB), 0);
    CHECK(!e.needs_flush);
    /* Right next to the mapped ranges is fine. */
    CHECK_EQ(ept_map(&e, 0x0ff000, 0, PG, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(ept_map(&e, 0x110000, 0, PG, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(ept_map(&e, 6 * MiB, 0, PG, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(ept_map(&e, 3 * GiB, 0, GiB, EPT_R, EPT_MT_WB), HV_OK);
    check_audit(&e);
    teardown(&e);
}

/* The n pages from gpa translate (through the API) to hpa.. with perms, mt, leaf level lvl. */
static void check_block(const struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t n, uint32_t perms,
                        uint32_t mt, unsigned lvl)
{
    uint64_t bad = 0;
    for (uint64_t i = 0; i < n; i++)
        if (tr(e, gpa + i * PG) != TR(hpa + i * PG, perms, mt, lvl))
            bad++;
    CHECK_EQ(bad, 0);
}

UT_TEST(ept_split_2m)
{
    struct ept e;
    setup(&e, EPT_FEAT_2M | EPT_FEAT_AD);
    const uint64_t G = 6 * MiB, H = 0x7600000;
    CHECK_EQ(ept_map(&e, G, H, 2 * MiB, EPT_R | EPT_W, EPT_MT_WC), HV_OK);
    CHECK_EQ(e.tables, 3);
    CHECK(!e.needs_flush);

    /* Unmap one page in the middle: 511 pages stay with the same attributes. */
    CHECK_EQ(ept_unmap(&e, G + 5 * PG, PG), HV_OK);
    CHECK(ept_take_flush(&e));
    CHECK(!e.needs_flush);
    CHECK_EQ(e.tables, 4);
    check_block(&e, G, H, 5, 3, 1, 1);
    CHECK_EQ(tr(&e, G + 5 * PG), 0);
    check_block(&e, G + 6 * PG, H + 6 * PG, 506, 3, 1, 1);
    CHECK_EQ(leaf_ent(&e, G + 6 * PG, NULL), expect_leaf(H + 6 * PG, 3, 1, false));
    check_audit(&e);

    /* Partial protect of another 2M leaf (range crossing its end too). */
    CHECK_EQ(ept_map(&e, G + 2 * MiB, H + 2 * MiB, 2 * MiB, EPT_RWX, EPT_MT_WB), HV_OK);
    CHECK(!e.needs_flush);
    CHECK_EQ(ept_protect(&e, G + 4 * MiB - 10 * PG, 10 * PG, EPT_R), HV_OK);
    CHECK(ept_take_flush(&e));
    check_block(&e, G + 2 * MiB, H + 2 * MiB, 502, 7, 6, 1);
    check_block(&e, G + 4 * MiB - 10 * PG, H + 4 * MiB - 10 * PG, 10, 1, 6, 1);
    CHECK_EQ(e.tables, 5);
    /* Protect covering a whole 2M leaf and one 4K neighbour: no split of it. */
    CHECK_EQ(ept_map(&e, G + 4 * MiB, H + 4 * MiB, 2 * MiB, EPT_RWX, EPT_MT_WB), HV_OK);
    CHECK_EQ(ept_protect(&e, G + 4 * MiB - PG, 2 * MiB + PG, EPT_R | EPT_X), HV_OK);
    CHECK_EQ(e.tables, 5);
    check_block(&e, G + 4 * MiB, H + 4 * MiB, 512, 5, 6, 2);
    CHECK_EQ(tr(&e, G + 4 * MiB - PG), TR(H + 4 * MiB - PG, 5, 6, 1));
    check_audit(&e);

    /* A/D bits set by the "CPU" survive splits and protects. */
    uint64_t *pd = T(T(T(e.pml4)[0] & EPT_E_ADDR_MASK)[0] & EPT_E_ADDR_MASK);
    unsigned i = (unsigned)((G + 4 * MiB) >> 21);
    pd[i] |= EPT_E_ACCESSED | EPT_E_DIRTY;
    CHECK_EQ(ept_protect(&e, G + 4 * MiB + PG, PG, EPT_R), HV_OK);
    CHECK_EQ(leaf_ent(&e, G + 4 * MiB, NULL),
             expect_leaf(H + 4 * MiB, 5, 6, false) | EPT_E_ACCESSED | EPT_E_DIRTY);
    CHECK_EQ(leaf_ent(&e, G + 4 * MiB + PG, NULL),
             expect_leaf(H + 4 * MiB + PG, 1, 6, false) | EPT_E_ACCESSED | EPT_E_DIRTY);
    T(e.pml4)[0] |= EPT_E_ACCESSED;     /* accessed flag on a non-leaf entry */
    CHECK_EQ(tr(&e, G + 4 * MiB + PG), TR(H + 4 * MiB + PG, 1, 6, 1));
    check_audit(&e);
    teardown(&e);
}

UT_TEST(ept_split_1g)
{
    struct ept e;
    setup(&e, EPT_FEAT_2M | EPT_FEAT_1G);
    const uint64_t G = 4 * GiB, H = 64 * GiB;
    CHECK_EQ(ept_map(&e, G, H, GiB, EPT_RWX, EPT_MT_WP), HV_OK);
    CHECK_EQ(e.tables, 2);

    /* One 4K page in the middle: 1G -> 512 x 2M, that 2M -> 512 x 4K. */
    const uint64_t hole = G + 300 * MiB + 7 * PG;
    CHECK_EQ(ept_unmap(&e, hole, PG), HV_OK);
    CHECK(ept_take_flush(&e));
    CHECK_EQ(e.tables, 4);
    CHECK_EQ(tr(&e, hole), 0);
    CHECK_EQ(tr(&e, hole - PG), TR(H + 300 * MiB + 6 * PG, 7, 5, 1));
    CHECK_EQ(tr(&e, hole + PG), TR(H + 300 * MiB + 8 * PG, 7, 5, 1));
    CHECK_EQ(tr(&e, G), TR(H, 7, 5, 2));
    CHECK_EQ(tr(&e, G + GiB - PG), TR(H + GiB - PG, 7, 5, 2));
    struct audit a = audit(&e, false);
    CHECK_EQ(a.leaves[3], 0);
    CHECK_EQ(a.leaves[2], 511);
    CHECK_EQ(a.leaves[1], 511);
    CHECK_EQ(a.pages, 262143);
    CHECK_EQ(leaf_ent(&e, G, NULL), expect_leaf(H, 7, 5, true));
    check_audit(&e);
    teardown(&e);

    /* A range inside one 1G leaf, both ends off 2M boundaries, in different
     * 2M pieces: 1 + 2 tables. Same 2M piece: 1 + 1. Ends 2M aligned: 1. */
    setup(&e, EPT_FEAT_2M | EPT_FEAT_1G);
    CHECK_EQ(ept_map(&e, G, H, GiB, EPT_RWX, EPT_MT_WB), HV_OK);
    CHECK_EQ(ept_protect(&e, G + 2 * MiB + PG, 4 * MiB, EPT_R), HV_OK);
    CHECK_EQ(e.tables, 5);
    CHECK_EQ(tr(&e, G + 2 * MiB), TR(H + 2 * MiB, 7, 6, 1));
    CHECK_EQ(tr(&e, G + 2 * MiB + PG), TR(H + 2 * MiB + PG, 1, 6, 1));
    CHECK_EQ(tr(&e, G + 4 * MiB), TR(H + 4 * MiB, 1, 6, 2));
    CHECK_EQ(tr(&e, G + 6 * MiB), TR(H + 6 * MiB, 1, 6, 1));
    CHECK_EQ(tr(&e, G + 6 * MiB + PG), TR(H + 6 * MiB + PG, 7, 6, 1));
    CHECK_EQ(tr(&e, G + 8 * MiB), TR(H + 8 * MiB, 7, 6, 2));
    check_audit(&e);
    teardown(&e);

    setup(&e, EPT_FEAT_2M | EPT_FEAT_1G);
    CHECK_EQ(ept_map(&e, G, H, GiB, EPT_RWX, EPT_MT_WB), HV_OK);
    CHECK_EQ(ept_unmap(&e, G + 2 * MiB + PG, 10 * PG), HV_OK);
    CHECK_EQ(e.tables, 4);
    CHECK_EQ(ept_unmap(&e, G + 10 * MiB, 4 * MiB), HV_OK);    /* in the 2M table already */
    CHECK_EQ(e.tables, 4);
    CHECK_EQ(tr(&e, G + 10 * MiB - PG), TR(H + 10 * MiB - PG, 7, 6, 2));
    CHECK_EQ(tr(&e, G + 14 * MiB), TR(H + 14 * MiB, 7, 6, 2));
    check_audit(&e);
    teardown(&e);

    setup(&e, EPT_FEAT_2M | EPT_FEAT_1G);
    CHECK_EQ(ept_map(&e, G, H, GiB, EPT_RWX, EPT_MT_WB), HV_OK);
    CHECK_EQ(ept_unmap(&e, G, 2 * MiB), HV_OK);
    CHECK_EQ(e.tables, 3);
    CHECK_EQ(tr(&e, G), 0);
    CHECK_EQ(tr(&e, G + 2 * MiB), TR(H + 2 * MiB, 7, 6, 2));
    check_audit(&e);
    teardown(&e);
}

UT_TEST(ept_protect_rules)
{
    struct ept e;
    setup(&e, EPT_FEAT_ALL);
    CHECK_EQ(ept_map(&e, 0, 0x80000000, 4 * MiB, EPT_RWX, EPT_MT_WB), HV_OK);     /* 2 x 2M */
    CHECK_EQ(ept_map(&e, 4 * MiB + PG, 0x90000000, 16 * PG, EPT_R, EPT_MT_UC), HV_OK);
    CHECK_EQ(ept_map(&e, GiB, GiB, GiB, EPT_R, EPT_MT_WB), HV_OK);                   /* 1G */
    uint64_t att = F.attempts;
    struct snap before = snapshot(&e);
    /* A hole anywhere in the range: NOT_MAPPED, nothing changed, no split. */
    CHECK_EQ(ept_protect(&e, 4 * MiB - PG, 3 * PG, EPT_R), HV_ERR_NOT_FOUND);
    CHECK_EQ(ept_protect(&e, MiB, 4 * MiB, EPT_R), HV_ERR_NOT_FOUND);
    CHECK_EQ(ept_protect(&e, 4 * MiB + 16 * PG, 2 * PG, EPT_R), HV_ERR_NOT_FOUND);
    CHECK_EQ(ept_protect(&e, 8 * MiB, PG, EPT_R), HV_ERR_NOT_FOUND);
    CHECK_EQ(ept_protect(&e, GiB + 5 * PG, GiB, EPT_R), HV_ERR_NOT_FOUND);
    CHECK_EQ(ept_protect(&e, GiB - PG, 2 * PG, EPT_R), HV_ERR_NOT_FOUND);
    CHECK_EQ(ept_protect(&e, 100 * GiB, PG, EPT_R), HV_ERR_NOT_FOUND);
    struct snap after = snapshot(&e);
    CHECK(snap_equal(&before, &after));
    CHECK_EQ(F.attempts, att);
    CHECK(!e.needs_flush);

    /* Adding rights needs no flush, taking one away does; exec-only works. */
    CHECK_EQ(ept_protect(&e, 4 * MiB + PG, 16 * PG, EPT_R | EPT_W), HV_OK);
    CHECK(!e.needs_flush);
    CHECK_EQ(tr(&e, 4 * MiB + PG), TR(0x90000000, 3, 0, 1));
    CHECK_EQ(ept_protect(&e, 4 * MiB + PG, 16 * PG, EPT_R | EPT_X), HV_OK);
    CHECK(ept_take_flush(&e));
    CHECK_EQ(ept_protect(&e, 4 * MiB + PG, 16 * PG, EPT_X), HV_OK);
    CHECK(ept_take_flush(&e));
    CHECK_EQ(tr(&e, 4 * MiB + 16 * PG), TR(0x90000000 + 15 * PG, 4, 0, 1));
    /* Same rights on a whole 2M leaf: nothing taken, no split, no flush. */
    CHECK_EQ(ept_protect(&e, 0, 2 * MiB, EPT_RWX), HV_OK);
    CHECK(!e.needs_flush);
    /* Same rights on part of it: the split alone needs a flush. */
    uint64_t tables = e.tables;
    CHECK_EQ(ept_protect(&e, PG, PG, EPT_RWX), HV_OK);
    CHECK(ept_take_flush(&e));
    CHECK_EQ(e.tables, tables + 1);
    /* A range spanning 2M leaves, 4K leaves and a 1G-less gap is rejected;
     * the fully mapped [0, 4M) + [4M+4K, ...) are not contiguous. */
    CHECK_EQ(ept_protect(&e, 0, 4 * MiB + 2 * PG, EPT_R), HV_ERR_NOT_FOUND);
    CHECK_EQ(ept_protect(&e, 0, 4 * MiB, EPT_R), HV_OK);
    check_block(&e, 0, 0x80000000, 1, 1, 6, 1);
    check_block(&e, 2 * MiB, 0x80200000, 512, 1, 6, 2);
    check_audit(&e);
    teardown(&e);
}

UT_TEST(ept_empty_tables_freed)
{
    struct ept e;
    setup(&e, EPT_FEAT_ALL);
    static const struct { uint64_t gpa, len; } r[] = {
        { 0, PG }, { 0x7000, 3 * PG }, { 2 * MiB, 2 * MiB }, { 5 * MiB - PG, 2 * MiB + 2 * PG },
        { GiB, GiB }, { 3 * GiB - 2 * MiB, 4 * MiB }, { 512 * GiB, PG }, { 1000 * GiB, 3 * GiB },
        { TOP - GiB, GiB }, { TOP - 4 * GiB + PG, PG },
    };
    const unsigned n = sizeof r / sizeof r[0];
    for (unsigned i = 0; i < n; i++)
        CHECK_EQ(ept_map(&e, r[i].gpa, r[i].gpa + 0x100000000ull, r[i].len, EPT_RWX, EPT_MT_WB), HV_OK);
    check_audit(&e);
    /* Unmap in pieces that cut large leaves and leave nothing. */
    for (unsigned i = 0; i < n; i++) {
        uint64_t half = (r[i].len / 2) & ~(PG - 1);
        if (half) {
            CHECK_EQ(ept_unmap(&e, r[i].gpa + half, r[i].len - half), HV_OK);
            check_audit(&e);
            CHECK_EQ(ept_unmap(&e, r[i].gpa, half), HV_OK);
        } else {
            CHECK_EQ(ept_unmap(&e, r[i].gpa, r[i].len), HV_OK);
        }
        check_audit(&e);
    }
    CHECK_EQ(e.tables, 1);
    CHECK_EQ(F.live, 1);
    for (unsigned i = 0; i < 512; i++)
        CHECK_EQ(T(e.pml4)[i], 0);

    /* Same again, but freed page by page around a 2M leaf split. */
    CHECK_EQ(ept_map(&e, 2 * MiB, 2 * MiB, 2 * MiB, EPT_R, EPT_MT_WB), HV_OK);
    for (uint64_t g = 2 * MiB; g < 4 * MiB; g += 64 * PG)
        CHECK_EQ(ept_unmap(&e, g + 32 * PG, 32 * PG), HV_OK);
    CHECK_EQ(e.tables, 4);
    for (uint64_t g = 2 * MiB; g < 4 * MiB; g += 64 * PG)
        CHECK_EQ(ept_unmap(&e, g, 32 * PG), HV_OK);
    CHECK_EQ(e.tables, 1);

    /* Holes inside the range are fine. */
    CHECK_EQ(ept_map(&e, 0x10000, 0, PG, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(ept_map(&e, 0x30000, 0, PG, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(ept_unmap(&e, 0, GiB), HV_OK);
    CHECK_EQ(e.tables, 1);
    teardown(&e);
}

UT_TEST(ept_destroy_frees_all)
{
    struct ept e;
    setup(&e, EPT_FEAT_ALL);
    CHECK_EQ(ept_map(&e, 0, 0, 3 * GiB + 6 * MiB + 5 * PG, EPT_RWX, EPT_MT_WB), HV_OK);
    CHECK_EQ(ept_map(&e, 1ull << 40, 0x5000, 64 * MiB, EPT_R, EPT_MT_UC), HV_OK);
    CHECK_EQ(ept_unmap(&e, GiB + 3 * PG, PG), HV_OK);
    CHECK_EQ(ept_protect(&e, 2 * GiB + 3 * MiB, 5 * PG, EPT_R), HV_OK);
    CHECK_EQ(ept_map(&e, TOP - PG, 0, PG, EPT_R, EPT_MT_UC), HV_OK);
    check_audit(&e);
    CHECK(e.tables > 10);
    ept_take_flush(&e);
    ept_destroy(&e);
    CHECK(e.needs_flush);
    CHECK_EQ(e.tables, 0);
    CHECK_EQ(F.live, 0);
    CHECK_EQ(F.bad_frees, 0);
    ept_destroy(&e);                    /* twice is harmless */
    CHECK_EQ(F.bad_frees, 0);
    CHECK_EQ(ept_map(&e, 0, 0, PG, EPT_R, EPT_MT_WB), HV_ERR_INVALID_ARGS);
    teardown(&e);
}

/* Builds a fixed pre-state used by the OOM tests. */
static void oom_prestate(struct ept *e)
{
    setup(e, EPT_FEAT_2M | EPT_FEAT_1G);
    CHECK_EQ(ept_map(e, 0x5000, 0x5000, PG, EPT_R, EPT_MT_WB), HV_OK);
    CHECK_EQ(ept_map(e, 0, 8 * GiB, GiB, EPT_RWX, EPT_MT_WB), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(ept_map(e, GiB, 8 * GiB, 2 * GiB, EPT_RWX, EPT_MT_WB), HV_OK);       /* 2 x 1G */
    CHECK_EQ(ept_map(e, 4 * GiB, 16 * GiB, 4 * MiB, EPT_RWX, EPT_MT_WB), HV_OK);  /* 2 x 2M */
    ept_take_flush(e);
}

/* Runs op with the k-th allocation failing, for every k, then without. */
static void oom_every_point(int (*op)(struct ept *e), uint64_t expect_tables_added)
{
    struct ept e;
    uint64_t needed = 0;
    /* Learn how many allocations a successful run makes. */
    oom_prestate(&e);
    uint64_t t0 = e.tables, a0 = F.attempts;
    CHECK_EQ(op(&e), HV_OK);
    needed = F.attempts - a0;
    CHECK_EQ(e.tables - t0, expect_tables_added);
    check_audit(&e);
    struct snap good = snapshot(&e);
    free(good.v);
    teardown(&e);
    CHECK(needed > 0);

    for (uint64_t k = 1; k <= needed; k++) {
        oom_prestate(&e);
        struct snap before = snapshot(&e);
        uint64_t live = F.live, tables = e.tables;
        F.fail_at = F.attempts + k;
        CHECK_EQ(op(&e), HV_ERR_NO_MEMORY);
        F.fail_at = 0;
        struct snap after = snapshot(&e);
        CHECK(snap_equal(&before, &after));
        CHECK_EQ(F.live, live);
        CHECK_EQ(e.tables, tables);
        CHECK(!e.needs_flush);
        CHECK_EQ(F.bad_frees, 0);
        /* and it still works afterwards */
        CHECK_EQ(op(&e), HV_OK);
        check_audit(&e);
        teardown(&e);
    }
}

/* A map across PML4 slots that needs 4K, 2M and fresh tables at every level. */
static int op_map(struct ept *e)
{
    return ept_map(e, 512 * GiB - 2 * MiB - 3 * PG, GiB - 3 * PG, 2 * MiB + 3 * PG + 4 * MiB + 5 * PG,
                   EPT_R, EPT_MT_WB);
}

/* A map into partly built structure: existing PDPT/PD plus new PD/PT. */
static int op_map2(struct ept *e)
{
    return ept_map(e, 4 * GiB + 4 * MiB, 16 * GiB + 4 * MiB, 2 * MiB + PG, EPT_R, EPT_MT_WB);
}

/* Unmap both ends inside two different 1G leaves, off 2M boundaries: 4 tables. */
static int op_unmap_split(struct ept *e)
{
    return ept_unmap(e, GiB + 512 * MiB + PG, GiB - 2 * PG);
}

/* Protect inside one 2M leaf and across into the next: 2 tables. */
static int op_protect_split(struct ept *e)
{
    return ept_protect(e, 4 * GiB + MiB, 2 * MiB, EPT_R);
}

/* Protect inside one 1G leaf, both ends in the same 2M piece: 2 tables. */
static int op_protect_split_same(struct ept *e)
{
    return ept_protect(e, GiB + 8 * PG, 8 * PG, EPT_R);
}

UT_TEST(ept_oom_map)
{
    /* PDPT 0 exists: PD + PT below it; PML4 slot 1: PDPT, PD, PT. */
    oom_every_point(op_map, 5);
    oom_every_point(op_map2, 1);
}

UT_TEST(ept_oom_split)
{
    oom_every_point(op_unmap_split, 4);
    oom_every_point(op_protect_split, 2);
    oom_every_point(op_protect_split_same, 2);
}

/* The five results the random test counts are distinct statuses. */
UT_TEST(ept_status_codes_distinct)
{
    const hv_status_t codes[] = { HV_OK, HV_ERR_INVALID_ARGS, HV_ERR_NO_MEMORY, HV_ERR_ALREADY_EXISTS,
                                  HV_ERR_NOT_FOUND };
    for (unsigned i = 0; i < 5; i++) {
        CHECK(codes[i] <= 0);
        for (unsigned j = 0; j < i; j++)
            CHECK(codes[i] != codes[j]);
    }
}

UT_TEST(ept_gpa_top)
{
    struct ept e;
    setup(&e, EPT_FEAT_ALL);
    CHECK_EQ(ept_map(&e, TOP - GiB, 0, GiB, EPT_RWX, EPT_MT_WB), HV_OK);
    CHECK_EQ(tr(&e, TOP - PG) >> 6 & 3, 3);
    /* Unmap up to exactly 2^48, cutting the leaf at its start side. */
    CHECK_EQ(ept_unmap(&e, TOP - 3 * PG, 3 * PG), HV_OK);
    CHECK_EQ(tr(&e, TOP - 4 * PG), TR(GiB - 4 * PG, 7, 6, 1));
    CHECK_EQ(tr(&e, TOP - 3 * PG), 0);
    CHECK_EQ(ept_protect(&e, TOP - 2 * MiB - 3 * PG, 2 * MiB, EPT_R), HV_OK);
    CHECK_EQ(tr(&e, TOP - 3 * PG - PG), TR(GiB - 4 * PG, 1, 6, 1));
    CHECK_EQ(ept_protect(&e, TOP - 3 * PG, 3 * PG, EPT_R), HV_ERR_NOT_FOUND);
    CHECK_EQ(ept_unmap(&e, TOP - GiB, GiB), HV_OK);
    CHECK_EQ(e.tables, 1);
    teardown(&e);
}

/* ---- randomized reference test --------------------------------------------------- */

#define NREG 3
static const uint64_t reg_base[NREG] = { 0, 512 * GiB, TOP - 2 * GiB };
static const uint64_t reg_size[NREG] = { 4 * GiB, 2 * GiB, 2 * GiB };
#define MODEL_PAGES ((8 * GiB) / PG)

static uint64_t *model;         /* per page: hpa | perms | memtype << 3; 0 = unmapped */
static uint16_t *chunk;         /* mapped pages per 2 MiB chunk */
static uint64_t model_mapped;

static long page_idx(uint64_t gpa)
{
    long off = 0;
    for (unsigned r = 0; r < NREG; r++) {
        if (gpa >= reg_base[r] && gpa - reg_base[r] < reg_size[r])
            return off + (long)((gpa - reg_base[r]) / PG);
        off += (long)(reg_size[r] / PG);
    }
    return -1;
}

static void model_set(long i, uint64_t v)
{
    if (!model[i] != !v) {
        if (v) {
            chunk[i >> 9]++;
            model_mapped++;
        } else {
            chunk[i >> 9]--;
            model_mapped--;
        }
    }
    model[i] = v;
}

static uint64_t model_count(long i, uint64_t n)
{
    uint64_t c = 0;
    while (n) {
        if (!(i & 511) && n >= 512) {
            c += chunk[i >> 9];
            i += 512;
            n -= 512;
        } else {
            c += model[i] != 0;
            i++;
            n--;
        }
    }
    return c;
}

static uint64_t rng_state;

static uint64_t rnd64(void)
{
    return ut_splitmix64(&rng_state);
}

static uint64_t rnd(uint64_t n)
{
    return rnd64() % n;
}

struct rstats {
    long ops, mismatches, ooms, oom_armed, ooms_split;
    long rc[5];
    uint64_t max_leaves[4], max_tables, seen_leaves[4];
};

static struct rstats S;

#define MISMATCH(...)                                                   \
    do {                                                                \
        if (S.mismatches < 10) {                                        \
            printf("    op %ld: ", S.ops);                              \
            printf(__VA_ARGS__);                                        \
            printf("\n");                                               \
        }                                                               \
        S.mismatches++;                                                 \
    } while (0)

/* Compare [start, end) (inside one model region; model index i0) with the tree below phys. */
static void cmp_walk(const struct ept *e, uint64_t phys, unsigned lvl, uint64_t start, uint64_t end,
                     long i0)
{
    const uint64_t *t = T(phys);
    uint64_t span = 1ull << shift_of(lvl);
    for (uint64_t cur = start; cur < end;) {
        uint64_t slot = cur & ~(span - 1);
        uint64_t next = slot + span < end ? slot + span : end;
        uint64_t ent = t[(cur >> shift_of(lvl)) & 511];
        long i = i0 + (long)((cur - start) / PG);
        uint64_t n = (next - cur) / PG;
        if (!(ent & 7)) {
            if (model_count(i, n))
                MISMATCH("pages of [0x%llx, 0x%llx) mapped in the model, absent in the EPT",
                         (unsigned long long)cur, (unsigned long long)next);
        } else if (lvl == 1 || (ent & EPT_E_LARGE)) {
            uint64_t h = (ent & EPT_E_ADDR_MASK & ~(span - 1)) + (cur - slot);
            uint64_t attr = (ent & 0x3f);
            S.seen_leaves[lvl]++;
            if (!(ent & EPT_E_IPAT))
                MISMATCH("leaf at 0x%llx without ignore-PAT", (unsigned long long)cur);
            for (uint64_t k = 0; k < n; k++)
                if (model[i + (long)k] != ((h + k * PG) | attr)) {
                    MISMATCH("page 0x%llx: EPT 0x%llx, model 0x%llx",
                             (unsigned long long)(cur + k * PG),
                             (unsigned long long)((h + k * PG) | attr),
                             (unsigned long long)model[i + (long)k]);
                    break;
                }
        } else {
            cmp_walk(e, ent & EPT_E_ADDR_MASK, lvl - 1, cur, next, i);
        }
        cur = next;
    }
}

static void cmp_range(const struct ept *e, uint64_t gpa, uint64_t end)
{
    cmp_walk(e, e->pml4, 4, gpa, end, page_idx(gpa));
}

/* One page through the API against the model. */
static void cmp_translate(const struct ept *e, uint64_t gpa)
{
    long i = page_idx(gpa);
    if (i < 0)
        return;
    uint64_t off = rnd(PG), hpa = 0;
    uint32_t p = 0, mt = 0, lvl = 0;
    hv_status_t rc = ept_translate(e, gpa + off, &hpa, &p, &mt, &lvl);
    uint64_t m = model[i];
    if (!m) {
        if (rc != HV_ERR_NOT_FOUND)
            MISMATCH("translate 0x%llx: rc %d, model unmapped", (unsigned long long)gpa, rc);
    } else if (rc != HV_OK || hpa != (m & ~0xfffull) + off || p != (m & 7) ||
               mt != ((m >> 3) & 7) || lvl < 1 || lvl > 3) {
        MISMATCH("translate 0x%llx: rc %d hpa 0x%llx p %u mt %u lvl %u, model 0x%llx",
                 (unsigned long long)gpa, rc, (unsigned long long)hpa, p, mt, lvl,
                 (unsigned long long)m);
    }
}

static void full_check(const struct ept *e)
{
    for (unsigned r = 0; r < NREG; r++)
        cmp_range(e, reg_base[r], reg_base[r] + reg_size[r]);
    struct audit a = audit(e, true);
    if (a.bad)
        MISMATCH("audit: %s at 0x%llx (%llu problems)", a.why, (unsigned long long)a.where,
                 (unsigned long long)a.bad);
    if (a.tables != e->tables || a.tables != F.live)
        MISMATCH("tables: reachable %llu, counted %llu, live frames %llu",
                 (unsigned long long)a.tables, (unsigned long long)e->tables,
                 (unsigned long long)F.live);
    if (a.pages != model_mapped)
        MISMATCH("mapped pages: EPT %llu, model %llu", (unsigned long long)a.pages,
                 (unsigned long long)model_mapped);
    for (unsigned l = 1; l <= 3; l++)
        if (a.leaves[l] > S.max_leaves[l])
            S.max_leaves[l] = a.leaves[l];
    if (a.tables > S.max_tables)
        S.max_tables = a.tables;
}

/* Arms a random OOM for the next call (1 in 100), returns whether armed. */
static bool maybe_oom(void)
{
    if (rnd(100))
        return false;
    F.fail_at = F.attempts + 1 + rnd(3);
    S.oom_armed++;
    return true;
}

/* S.rc[]: ok, invalid, no memory, exists, not mapped. */
static void count_rc(hv_status_t rc)
{
    static const hv_status_t codes[5] = { HV_OK, HV_ERR_INVALID_ARGS, HV_ERR_NO_MEMORY,
                                          HV_ERR_ALREADY_EXISTS, HV_ERR_NOT_FOUND };
    for (int i = 0; i < 5; i++)
        if (rc == codes[i])
            S.rc[i]++;
}

/* After a call: the touched range, its neighbours, its ends and random pages. */
static void after_op(const struct ept *e, uint64_t gpa, uint64_t end)
{
    cmp_range(e, gpa, end);
    if (page_idx(gpa - PG) >= 0 && page_idx(gpa - PG) == page_idx(gpa) - 1)
        cmp_range(e, gpa - PG, gpa);
    if (end < TOP && page_idx(end) >= 0 && page_idx(end) == page_idx(end - PG) + 1)
        cmp_range(e, end, end + PG);
    cmp_translate(e, gpa);
    cmp_translate(e, end - PG);
    for (int k = 0; k < 3; k++) {
        unsigned r = (unsigned)rnd(NREG);
        cmp_translate(e, reg_base[r] + rnd(reg_size[r] / PG) * PG);
    }
}

/* A failed call must leave counts alone and ask for no flush. */
static void check_unchanged(const struct ept *e, int rc, uint64_t tables, uint64_t live)
{
    if (e->tables != tables || F.live != live)
        MISMATCH("rc %d but tables %llu -> %llu, live %llu -> %llu", rc,
                 (unsigned long long)tables, (unsigned long long)e->tables,
                 (unsigned long long)live, (unsigned long long)F.live);
    if (e->needs_flush)
        MISMATCH("rc %d but needs_flush set", rc);
}

static void do_map(struct ept *e, uint64_t gpa, uint64_t len, uint64_t hpa, uint32_t perms, uint32_t mt)
{
    long i0 = page_idx(gpa);
    uint64_t n = len / PG;
    bool valid = perms_valid(perms, e->features & EPT_FEAT_EXEC_ONLY) && mt_valid(mt) &&
                 hpa < (1ull << 52) && len <= (1ull << 52) - hpa;
    hv_status_t exp = !valid ? HV_ERR_INVALID_ARGS : model_count(i0, n) ? HV_ERR_ALREADY_EXISTS : HV_OK;
    uint64_t tables = e->tables, live = F.live;
    bool armed = maybe_oom();
    ept_take_flush(e);
    hv_status_t rc = ept_map(e, gpa, hpa, len, perms, mt);
    F.fail_at = 0;
    S.ops++;
    count_rc(rc);
    if (rc == HV_ERR_NO_MEMORY && armed && exp == HV_OK) {
        S.ooms++;
        exp = rc;
    }
    if (rc != exp)
        MISMATCH("map [0x%llx +0x%llx) -> 0x%llx p%u mt%u: rc %d, expected %d",
                 (unsigned long long)gpa, (unsigned long long)len, (unsigned long long)hpa,
                 perms, mt, rc, exp);
    if (rc == HV_OK) {
        for (uint64_t k = 0; k < n; k++)
            model_set(i0 + (long)k, (hpa + k * PG) | perms | (uint64_t)mt << 3);
        if (e->needs_flush)
            MISMATCH("map into empty entries set needs_flush");
    } else {
        check_unchanged(e, rc, tables, live);
    }
    after_op(e, gpa, gpa + len);
}

static void do_unmap(struct ept *e, uint64_t gpa, uint64_t len)
{
    long i0 = page_idx(gpa);
    uint64_t n = len / PG;
    uint64_t had = model_count(i0, n);
    uint64_t tables = e->tables, live = F.live;
    bool armed = maybe_oom();
    ept_take_flush(e);
    hv_status_t rc = ept_unmap(e, gpa, len);
    F.fail_at = 0;
    S.ops++;
    count_rc(rc);
    hv_status_t exp = HV_OK;
    if (rc == HV_ERR_NO_MEMORY && armed && had) {
        S.ooms++;
        S.ooms_split++;
        exp = rc;
    }
    if (rc != exp)
        MISMATCH("unmap [0x%llx +0x%llx): rc %d, expected %d", (unsigned long long)gpa,
                 (unsigned long long)len, rc, exp);
    if (rc == HV_OK) {
        for (uint64_t k = 0; k < n; k++) {
            long i = i0 + (long)k;
            if (!(i & 511) && n - k >= 512 && !chunk[i >> 9])
                k += 511;               /* nothing mapped in this chunk */
            else
                model_set(i, 0);
        }
        if (e->needs_flush != (had != 0))
            MISMATCH("unmap removed %llu pages, needs_flush %d", (unsigned long long)had,
                     e->needs_flush);
    } else {
        check_unchanged(e, rc, tables, live);
    }
    after_op(e, gpa, gpa + len);
}

static void do_protect(struct ept *e, uint64_t gpa, uint64_t len, uint32_t perms)
{
    long i0 = page_idx(gpa);
    uint64_t n = len / PG;
    bool valid = perms_valid(perms, e->features & EPT_FEAT_EXEC_ONLY);
    hv_status_t exp = !valid ? HV_ERR_INVALID_ARGS : model_count(i0, n) != n ? HV_ERR_NOT_FOUND : HV_OK;
    uint64_t tables = e->tables, live = F.live;
    bool armed = maybe_oom();
    ept_take_flush(e);
    hv_status_t rc = ept_protect(e, gpa, len, perms);
    F.fail_at = 0;
    S.ops++;
    count_rc(rc);
    if (rc == HV_ERR_NO_MEMORY && armed && exp == HV_OK) {
        S.ooms++;
        S.ooms_split++;
        exp = rc;
    }
    if (rc != exp)
        MISMATCH("protect [0x%llx +0x%llx) p%u: rc %d, expected %d", (unsigned long long)gpa,
                 (unsigned long long)len, perms, rc, exp);
    if (rc == HV_OK) {
        bool reduced = false;
        for (uint64_t k = 0; k < n; k++) {
            uint64_t m = model[i0 + (long)k];
            if (m & 7 & ~(uint64_t)perms)
                reduced = true;
            model_set(i0 + (long)k, (m & ~7ull) | perms);
        }
        if (reduced && !e->needs_flush)
            MISMATCH("protect took rights away without needs_flush");
    } else {
        check_unchanged(e, rc, tables, live);
    }
    after_op(e, gpa, gpa + len);
}

static uint32_t rand_perms(bool exec_only)
{
    static const uint32_t ok[] = { 1, 3, 5, 7, 7, 4 };
    static const uint32_t bad[] = { 0, 2, 6, 8, 4 };
    if (rnd(50) == 0)
        return bad[rnd(exec_only ? 4 : 5)];
    return ok[rnd(exec_only ? 6 : 5)];
}

static uint32_t rand_mt(void)
{
    static const uint32_t ok[] = { 0, 1, 4, 5, 6, 6, 6 };
    static const uint32_t bad[] = { 2, 3, 7 };
    if (rnd(70) == 0)
        return bad[rnd(3)];
    return ok[rnd(7)];
}

static void random_run(uint32_t feat, long nops, uint64_t seed)
{
    struct ept e;
    setup(&e, feat);
    model = calloc(MODEL_PAGES, sizeof *model);
    chunk = calloc(MODEL_PAGES / 512, sizeof *chunk);
    model_mapped = 0;
    rng_state = seed;
    memset(&S, 0, sizeof S);
    bool exec_only = feat & EPT_FEAT_EXEC_ONLY;
    clock_t t0 = clock();
    long next_full = 1000;

    while (S.ops < nops) {
        unsigned r = rnd(100) < 60 ? 0 : (unsigned)(1 + rnd(2));
        uint64_t size = reg_size[r];
        uint64_t off, npg, align = PG;
        uint64_t k = rnd(1000);
        if (k < 450) {                      /* small */
            npg = 1 + rnd(16);
            off = rnd(size / PG) * PG;
        } else if (k < 700) {               /* medium, up to 6 MiB */
            npg = 1 + rnd(1536);
            off = rnd(size / PG) * PG;
        } else if (k < 880) {               /* 2M-aligned, maybe jittered */
            npg = (1 + rnd(4)) * 512;
            off = rnd(size / EPT_2M) * EPT_2M;
            align = EPT_2M;
            if (rnd(10) < 3) {
                off += rnd(512) * PG;
                align = PG;
            }
            if (rnd(10) < 3)
                npg += rnd(512);
        } else if (k < 995) {               /* larger, up to 24 MiB */
            npg = 1 + rnd(6144);
            off = rnd(size / PG) * PG;
        } else {                            /* 1G-aligned */
            npg = (1 + (rnd(4) == 0)) * (GiB / PG);
            off = rnd(size / GiB) * GiB;
            align = GiB;
        }
        if (off + npg * PG > size)
            npg = (size - off) / PG;
        uint64_t gpa = reg_base[r] + off, len = npg * PG;

        uint64_t op = rnd(100);
        if (op < 45) {
            uint64_t hpa;
            if (align == GiB)
                hpa = rnd(1ull << 15) << 30;
            else if (align == EPT_2M)
                hpa = rnd(1ull << 24) << 21;
            else
                hpa = rnd(4) ? (rnd(1ull << 19) << 21) | (gpa & (EPT_2M - 1))  /* congruent */
                             : rnd(1ull << 28) << 12;
            uint64_t edge = rnd(200);
            if (edge == 0)
                hpa = (1ull << 52) - len;                           /* just fits */
            else if (edge == 1)
                hpa = (1ull << 52) - len + PG * (1 + rnd(4));       /* just does not */
            if (align > PG && rnd(2))
                do_unmap(&e, gpa, len);     /* make room so large leaves appear */
            do_map(&e, gpa, len, hpa, rand_perms(exec_only), rand_mt());
        } else if (op < 80) {
            do_unmap(&e, gpa, len);
        } else {
            do_protect(&e, gpa, len, rand_perms(exec_only));
        }
        if (S.ops >= next_full) {
            full_check(&e);
            next_full += 1000;
        }
    }
    full_check(&e);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("    ept random (features 0x%x): %ld ops, %ld mismatches; results ok %ld inval %ld nomem %ld "
           "exists %ld notmapped %ld; %ld OOMs injected (%ld in splits, %ld armed); leaves checked 4K %llu 2M %llu "
           "1G %llu; peak tables %llu; %.2f s\n",
           feat, S.ops, S.mismatches, S.rc[0], S.rc[1], S.rc[2], S.rc[3], S.rc[4], S.ooms,
           S.ooms_split, S.oom_armed, (unsigned long long)S.seen_leaves[1], (unsigned long long)S.seen_leaves[2],
           (unsigned long long)S.seen_leaves[3], (unsigned long long)S.max_tables, secs);
    CHECK_EQ(S.mismatches, 0);
    CHECK(S.ops >= nops);
    CHECK(S.ooms > S.ooms_split);       /* OOMs hit maps ... */
    if (feat & EPT_FEAT_2M)
        CHECK(S.ooms_split > 0);        /* ... and splits */
    CHECK(S.seen_leaves[1] > 0);
    CHECK_EQ(S.seen_leaves[2] > 0, (feat & EPT_FEAT_2M) != 0);
    CHECK_EQ(S.seen_leaves[3] > 0, (feat & EPT_FEAT_1G) != 0);
    for (int c = 0; c < 5; c++)
        CHECK(S.rc[c] > 0);             /* every result code occurred */
    teardown(&e);
    free(model);
    free(chunk);
    model = NULL;
    chunk = NULL;
}

UT_TEST(ept_random_reference)
{
    random_run(EPT_FEAT_2M | EPT_FEAT_1G | EPT_FEAT_EXEC_ONLY, 100000, 0x5eed0e57ull);
}

UT_TEST(ept_random_small_leaves)
{
    random_run(EPT_FEAT_2M, 15000, 0xfeedull);
    random_run(0, 10000, 0xbeefull);
}
