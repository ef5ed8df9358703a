/*
 * kernel/handle_table.c tests: the API contract, the error order, rights,
 * duplicate, exhaustion, stale values across a full generation wrap,
 * forged values, a randomized run against a reference model, and teardown.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "handle_table.h"
#include "ut.h"

static const hv_rights_t each_right[] = {
    HV_RIGHT_DUPLICATE, HV_RIGHT_TRANSFER, HV_RIGHT_READ,
    HV_RIGHT_WRITE, HV_RIGHT_EXECUTE, HV_RIGHT_SIGNAL,
};
#define NRIGHTS (sizeof(each_right) / sizeof(each_right[0]))

static char objs[4096];                 /* distinct object addresses: &objs[i] */

static uint64_t rng_state;

static uint64_t rnd(void)               /* splitmix64 */
{
    return ut_splitmix64(&rng_state);
}

static uint32_t rnd_below(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}

static hv_rights_t rnd_rights(void)
{
    return (hv_rights_t)rnd() & HV_RIGHTS_ALL;
}

static uint32_t rnd_type(void)
{
    return 1 + rnd_below(4);            /* GUEST .. THREAD */
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- basics ------------------------------------------------------------------ */

UT_TEST(ht_add_get_remove)
{
    struct ht_entry st[8];
    struct handle_table t;
    ht_init(&t, st, 8);
    CHECK_EQ(ht_count(&t), 0);
    CHECK_EQ(ht_capacity(&t), 8);

    hv_handle_t a = 0, b = 0;
    CHECK_EQ(ht_add(&t, &objs[1], HV_OBJ_GUEST, HV_RIGHTS_ALL, &a), HV_OK);
    CHECK_EQ(ht_add(&t, &objs[2], HV_OBJ_VCPU, HV_RIGHT_READ, &b), HV_OK);
    CHECK(a != HV_HANDLE_INVALID && b != HV_HANDLE_INVALID && a != b);
    CHECK_EQ(ht_count(&t), 2);

    void *o = NULL;
    CHECK_EQ(ht_get(&t, a, HV_OBJ_GUEST, HV_RIGHT_READ | HV_RIGHT_WRITE, &o), HV_OK);
    CHECK(o == &objs[1]);
    CHECK_EQ(ht_get(&t, b, HV_OBJ_NONE, 0, &o), HV_OK);
    CHECK(o == &objs[2]);
    CHECK_EQ(ht_get(&t, b, HV_OBJ_VCPU, HV_RIGHT_READ, NULL), HV_OK);   /* obj optional */

    uint32_t type = 0;
    hv_rights_t r = 0;
    CHECK_EQ(ht_get_info(&t, b, HV_OBJ_NONE, 0, &o, &type, &r), HV_OK);
    CHECK(o == &objs[2]);
    CHECK_EQ(type, HV_OBJ_VCPU);
    CHECK_EQ(r, HV_RIGHT_READ);
    CHECK_EQ(ht_get_info(&t, a, HV_OBJ_GUEST, 0, NULL, NULL, NULL), HV_OK);

    o = NULL;
    CHECK_EQ(ht_remove(&t, a, &o, &type), HV_OK);
    CHECK(o == &objs[1]);
    CHECK_EQ(type, HV_OBJ_GUEST);
    CHECK_EQ(ht_count(&t), 1);
    CHECK_EQ(ht_get(&t, a, HV_OBJ_NONE, 0, &o), HV_ERR_BAD_HANDLE);
    CHECK_EQ(ht_remove(&t, a, &o, &type), HV_ERR_BAD_HANDLE);
    CHECK_EQ(ht_get(&t, b, HV_OBJ_VCPU, 0, &o), HV_OK);          /* the other one untouched */
    CHECK(o == &objs[2]);
    CHECK_EQ(ht_remove(&t, b, NULL, NULL), HV_OK);                /* out-params optional */
    CHECK_EQ(ht_count(&t), 0);
    CHECK_EQ(ht_get(&t, b, HV_OBJ_NONE, 0, &o), HV_ERR_BAD_HANDLE);
}

UT_TEST(ht_encoding_documented)
{
    CHECK_EQ(HT_INDEX_BITS + HT_GEN_BITS, 32);
    CHECK_EQ(HT_MAX_CAPACITY, 4095);
    CHECK_EQ(HT_REUSE_BOUND, (1u << 20) - 1);
    struct ht_entry st[4];
    struct handle_table t;
    ht_init(&t, st, 4);
    hv_handle_t h;
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_PORT, 0, &h), HV_OK);
    CHECK_EQ(ht_handle_index(h), 0);
    CHECK_EQ(ht_handle_gen(h), 1);
    CHECK_EQ(h, ht_make_handle(0, 1));
    CHECK_EQ(ht_remove(&t, h, NULL, NULL), HV_OK);
    /* FIFO free list: slots 1..3 come before slot 0 again, which is then at generation 2. */
    hv_handle_t hs[4];
    for (int i = 0; i < 4; i++)
        CHECK_EQ(ht_add(&t, &objs[i], HV_OBJ_PORT, 0, &hs[i]), HV_OK);
    CHECK_EQ(hs[0], ht_make_handle(1, 1));
    CHECK_EQ(hs[1], ht_make_handle(2, 1));
    CHECK_EQ(hs[2], ht_make_handle(3, 1));
    CHECK_EQ(hs[3], ht_make_handle(0, 2));
}

UT_TEST(ht_zero_and_invalid_rejected)
{
    static struct ht_entry st[HT_MAX_CAPACITY];
    struct handle_table t;
    ht_init(&t, st, 5000);                      /* clamped */
    CHECK_EQ(ht_capacity(&t), HT_MAX_CAPACITY);
    hv_handle_t h;
    for (uint32_t i = 0; i < HT_MAX_CAPACITY; i++)
        CHECK_EQ(ht_add(&t, &objs[i], HV_OBJ_GUEST, HV_RIGHTS_ALL, &h), HV_OK);
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, HV_RIGHTS_ALL, &h), HV_ERR_NO_RESOURCES);

    const hv_handle_t bad[] = { 0, HV_HANDLE_INVALID, 0xffffffffu, HT_INDEX_MASK,
                                ht_make_handle(HT_INDEX_MASK, 1) };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        void *o = (void *)1;
        CHECK_EQ(ht_get(&t, bad[i], HV_OBJ_NONE, 0, &o), HV_ERR_BAD_HANDLE);
        CHECK(o == (void *)1);                  /* nothing written on failure */
        CHECK_EQ(ht_duplicate(&t, bad[i], HV_RIGHT_SAME_RIGHTS, &h, &o), HV_ERR_BAD_HANDLE);
        CHECK_EQ(ht_remove(&t, bad[i], &o, NULL), HV_ERR_BAD_HANDLE);
    }
    /* Generation 0 never names anything, whatever the index. */
    int accepted = 0;
    for (uint32_t i = 0; i <= HT_INDEX_MASK; i++)
        accepted += ht_get(&t, ht_make_handle(i, 0), HV_OBJ_NONE, 0, NULL) == HV_OK;
    CHECK_EQ(accepted, 0);
    CHECK_EQ(ht_count(&t), HT_MAX_CAPACITY);

    /* Capacity 0: always full, never anything live. */
    struct handle_table z;
    ht_init(&z, NULL, 0);
    CHECK_EQ(ht_add(&z, &objs[0], HV_OBJ_GUEST, 0, &h), HV_ERR_NO_RESOURCES);
    CHECK_EQ(ht_get(&z, ht_make_handle(0, 1), HV_OBJ_NONE, 0, NULL), HV_ERR_BAD_HANDLE);
    CHECK(!ht_pop_any(&z, NULL, NULL));
    CHECK_EQ(ht_count(&z), 0);
}

UT_TEST(ht_add_invalid_args)
{
    struct ht_entry st[2];
    struct handle_table t;
    ht_init(&t, st, 2);
    hv_handle_t h = 7;
    CHECK_EQ(ht_add(&t, NULL, HV_OBJ_GUEST, 0, &h), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, 0, NULL), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_NONE, 0, &h), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, HV_RIGHT_SAME_RIGHTS, &h), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, 1u << 5, &h), HV_ERR_INVALID_ARGS);
    CHECK_EQ(h, 7);
    CHECK_EQ(ht_count(&t), 0);
    /* Argument errors come before exhaustion. */
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, 0, &h), HV_OK);
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, 0, &h), HV_OK);
    CHECK_EQ(ht_add(&t, NULL, HV_OBJ_GUEST, 0, &h), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, 0, &h), HV_ERR_NO_RESOURCES);
    CHECK_EQ(ht_duplicate(&t, h, HV_RIGHT_SAME_RIGHTS, NULL, NULL), HV_ERR_INVALID_ARGS);
}

/* ---- error order and rights --------------------------------------------------------------- */

UT_TEST(ht_error_order)
{
    struct ht_entry st[4];
    struct handle_table t;
    ht_init(&t, st, 4);
    hv_handle_t h, closed;
    CHECK_EQ(ht_add(&t, &objs[1], HV_OBJ_VCPU, HV_RIGHT_READ, &h), HV_OK);
    CHECK_EQ(ht_add(&t, &objs[2], HV_OBJ_VCPU, HV_RIGHT_READ, &closed), HV_OK);
    CHECK_EQ(ht_remove(&t, closed, NULL, NULL), HV_OK);

    void *o = (void *)1;
    /* Not live, wrong type and missing rights all at once: BAD_HANDLE. */
    CHECK_EQ(ht_get(&t, closed, HV_OBJ_GUEST, HV_RIGHT_WRITE, &o), HV_ERR_BAD_HANDLE);
    CHECK_EQ(ht_get(&t, h ^ (1u << HT_INDEX_BITS), HV_OBJ_GUEST, HV_RIGHT_WRITE, &o),
             HV_ERR_BAD_HANDLE);
    /* Live, wrong type and missing rights: WRONG_TYPE. */
    CHECK_EQ(ht_get(&t, h, HV_OBJ_GUEST, HV_RIGHT_WRITE, &o), HV_ERR_WRONG_TYPE);
    CHECK_EQ(ht_get(&t, h, HV_OBJ_PORT, 0, &o), HV_ERR_WRONG_TYPE);
    /* Right type (or any type), missing rights: ACCESS_DENIED. */
    CHECK_EQ(ht_get(&t, h, HV_OBJ_VCPU, HV_RIGHT_WRITE, &o), HV_ERR_ACCESS_DENIED);
    CHECK_EQ(ht_get(&t, h, HV_OBJ_NONE, HV_RIGHT_READ | HV_RIGHT_WRITE, &o), HV_ERR_ACCESS_DENIED);
    CHECK(o == (void *)1);
    uint32_t ty = 99;
    hv_rights_t r = 99;
    CHECK_EQ(ht_get_info(&t, h, HV_OBJ_PORT, 0, &o, &ty, &r), HV_ERR_WRONG_TYPE);
    CHECK(o == (void *)1);
    CHECK_EQ(ty, 99);
    CHECK_EQ(r, 99);
    /* All satisfied. */
    CHECK_EQ(ht_get(&t, h, HV_OBJ_VCPU, HV_RIGHT_READ, &o), HV_OK);
    CHECK(o == &objs[1]);
    CHECK_EQ(ht_get(&t, h, HV_OBJ_NONE, 0, &o), HV_OK);
}

UT_TEST(ht_rights_each)
{
    struct ht_entry st[4];
    struct handle_table t;
    ht_init(&t, st, 4);
    for (size_t i = 0; i < NRIGHTS; i++) {
        hv_rights_t r = each_right[i];
        hv_handle_t all_but, only, none;
        CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, HV_RIGHTS_ALL & ~r, &all_but), HV_OK);
        CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, r, &only), HV_OK);
        CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, 0, &none), HV_OK);

        CHECK_EQ(ht_get(&t, all_but, HV_OBJ_GUEST, r, NULL), HV_ERR_ACCESS_DENIED);
        CHECK_EQ(ht_get(&t, all_but, HV_OBJ_GUEST, HV_RIGHTS_ALL, NULL), HV_ERR_ACCESS_DENIED);
        CHECK_EQ(ht_get(&t, all_but, HV_OBJ_GUEST, HV_RIGHTS_ALL & ~r, NULL), HV_OK);
        CHECK_EQ(ht_get(&t, only, HV_OBJ_GUEST, r, NULL), HV_OK);
        CHECK_EQ(ht_get(&t, only, HV_OBJ_GUEST, 0, NULL), HV_OK);
        for (size_t j = 0; j < NRIGHTS; j++)
            if (j != i) {
                CHECK_EQ(ht_get(&t, only, HV_OBJ_GUEST, each_right[j], NULL), HV_ERR_ACCESS_DENIED);
                CHECK_EQ(ht_get(&t, only, HV_OBJ_GUEST, r | each_right[j], NULL),
                         HV_ERR_ACCESS_DENIED);
                CHECK_EQ(ht_get(&t, all_but, HV_OBJ_GUEST, each_right[j], NULL), HV_OK);
            }
        CHECK_EQ(ht_get(&t, none, HV_OBJ_GUEST, r, NULL), HV_ERR_ACCESS_DENIED);
        CHECK_EQ(ht_get(&t, none, HV_OBJ_GUEST, 0, NULL), HV_OK);
        /* SAME_RIGHTS is not a right: never granted by a lookup. */
        CHECK_EQ(ht_get(&t, only, HV_OBJ_GUEST, HV_RIGHT_SAME_RIGHTS, NULL), HV_ERR_ACCESS_DENIED);

        hv_rights_t got = 0;
        CHECK_EQ(ht_get_info(&t, all_but, HV_OBJ_NONE, 0, NULL, NULL, &got), HV_OK);
        CHECK_EQ(got, HV_RIGHTS_ALL & ~r);
        CHECK_EQ(ht_remove(&t, all_but, NULL, NULL), HV_OK);
        CHECK_EQ(ht_remove(&t, only, NULL, NULL), HV_OK);
        CHECK_EQ(ht_remove(&t, none, NULL, NULL), HV_OK);
    }
    CHECK_EQ(ht_count(&t), 0);
}

/* ---- duplicate ----------------------------------------------------------------------------- */

UT_TEST(ht_duplicate_rules)
{
    struct ht_entry st[4];
    struct handle_table t;
    ht_init(&t, st, 4);
    const hv_rights_t base = HV_RIGHT_DUPLICATE | HV_RIGHT_READ | HV_RIGHT_WRITE;
    hv_handle_t h, d1, d2, d3, nodup, tmp;
    CHECK_EQ(ht_add(&t, &objs[5], HV_OBJ_PORT, base, &h), HV_OK);

    /* Subset. */
    void *o = NULL;
    CHECK_EQ(ht_duplicate(&t, h, HV_RIGHT_READ, &d1, &o), HV_OK);
    CHECK(o == &objs[5]);
    CHECK(d1 != h && d1 != 0);
    hv_rights_t r;
    uint32_t ty;
    CHECK_EQ(ht_get_info(&t, d1, HV_OBJ_PORT, HV_RIGHT_READ, &o, &ty, &r), HV_OK);
    CHECK(o == &objs[5]);
    CHECK_EQ(ty, HV_OBJ_PORT);
    CHECK_EQ(r, HV_RIGHT_READ);
    CHECK_EQ(ht_get(&t, d1, HV_OBJ_PORT, HV_RIGHT_WRITE, NULL), HV_ERR_ACCESS_DENIED);
    /* d1 lacks DUPLICATE: ACCESS_DENIED, before the rights check. */
    CHECK_EQ(ht_duplicate(&t, d1, HV_RIGHT_READ, &tmp, NULL), HV_ERR_ACCESS_DENIED);
    CHECK_EQ(ht_duplicate(&t, d1, HV_RIGHT_SAME_RIGHTS, &tmp, NULL), HV_ERR_ACCESS_DENIED);
    CHECK_EQ(ht_duplicate(&t, d1, HV_RIGHTS_ALL, &tmp, NULL), HV_ERR_ACCESS_DENIED);

    /* SAME_RIGHTS keeps them. */
    CHECK_EQ(ht_duplicate(&t, h, HV_RIGHT_SAME_RIGHTS, &d2, NULL), HV_OK);
    CHECK_EQ(ht_get_info(&t, d2, HV_OBJ_NONE, 0, NULL, NULL, &r), HV_OK);
    CHECK_EQ(r, base);

    /* Superset, unknown bits, SAME_RIGHTS mixed with others: INVALID_ARGS. */
    tmp = 0x1234;
    CHECK_EQ(ht_duplicate(&t, h, base | HV_RIGHT_EXECUTE, &tmp, NULL), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ht_duplicate(&t, h, HV_RIGHT_SIGNAL, &tmp, NULL), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ht_duplicate(&t, h, HV_RIGHT_SAME_RIGHTS | HV_RIGHT_READ, &tmp, NULL),
             HV_ERR_INVALID_ARGS);
    CHECK_EQ(ht_duplicate(&t, h, 1u << 20, &tmp, NULL), HV_ERR_INVALID_ARGS);
    CHECK_EQ(tmp, 0x1234);
    CHECK_EQ(ht_count(&t), 3);

    /* No rights at all is a subset. */
    CHECK_EQ(ht_duplicate(&t, h, 0, &d3, NULL), HV_OK);
    CHECK_EQ(ht_get(&t, d3, HV_OBJ_PORT, 0, NULL), HV_OK);
    CHECK_EQ(ht_count(&t), 4);

    /* Full: NO_RESOURCES, but only after the handle and rights checks. */
    CHECK_EQ(ht_duplicate(&t, h, HV_RIGHT_READ, &tmp, NULL), HV_ERR_NO_RESOURCES);
    CHECK_EQ(ht_duplicate(&t, h, HV_RIGHTS_ALL, &tmp, NULL), HV_ERR_INVALID_ARGS);
    CHECK_EQ(ht_duplicate(&t, d1, HV_RIGHT_READ, &tmp, NULL), HV_ERR_ACCESS_DENIED);
    CHECK_EQ(ht_duplicate(&t, 0, HV_RIGHT_READ, &tmp, NULL), HV_ERR_BAD_HANDLE);
    CHECK_EQ(tmp, 0x1234);

    /* The original can close; duplicates stay. A closed one cannot be duplicated. */
    CHECK_EQ(ht_remove(&t, h, NULL, NULL), HV_OK);
    CHECK_EQ(ht_duplicate(&t, h, HV_RIGHT_READ, &tmp, NULL), HV_ERR_BAD_HANDLE);
    CHECK_EQ(ht_get(&t, d2, HV_OBJ_PORT, base, &o), HV_OK);
    CHECK(o == &objs[5]);
    CHECK_EQ(ht_duplicate(&t, d2, HV_RIGHT_DUPLICATE, &tmp, NULL), HV_OK);
    CHECK_EQ(ht_duplicate(&t, tmp, HV_RIGHT_SAME_RIGHTS, &tmp, NULL), HV_ERR_NO_RESOURCES);

    /* Added without DUPLICATE. */
    CHECK_EQ(ht_remove(&t, d1, NULL, NULL), HV_OK);
    CHECK_EQ(ht_add(&t, &objs[6], HV_OBJ_GUEST, HV_RIGHTS_ALL & ~HV_RIGHT_DUPLICATE, &nodup), HV_OK);
    CHECK_EQ(ht_remove(&t, d3, NULL, NULL), HV_OK);
    CHECK_EQ(ht_duplicate(&t, nodup, HV_RIGHT_READ, &tmp, NULL), HV_ERR_ACCESS_DENIED);
}

/* ---- exhaustion ---------------------------------------------------------------------------- */

UT_TEST(ht_full_and_recover)
{
    enum { CAP = 32 };
    struct ht_entry st[CAP];
    struct handle_table t;
    ht_init(&t, st, CAP);
    hv_handle_t hs[CAP], h;
    for (int i = 0; i < CAP; i++)
        CHECK_EQ(ht_add(&t, &objs[i], HV_OBJ_GUEST, HV_RIGHTS_ALL, &hs[i]), HV_OK);
    uint32_t sorted[CAP];
    memcpy(sorted, hs, sizeof(hs));
    qsort(sorted, CAP, sizeof(sorted[0]), cmp_u32);
    for (int i = 1; i < CAP; i++)
        CHECK(sorted[i] != sorted[i - 1]);
    CHECK_EQ(ht_count(&t), CAP);

    h = 0x55;
    CHECK_EQ(ht_add(&t, &objs[100], HV_OBJ_GUEST, HV_RIGHTS_ALL, &h), HV_ERR_NO_RESOURCES);
    CHECK_EQ(ht_duplicate(&t, hs[0], HV_RIGHT_SAME_RIGHTS, &h, NULL), HV_ERR_NO_RESOURCES);
    CHECK_EQ(h, 0x55);
    CHECK_EQ(ht_count(&t), CAP);

    void *o;
    CHECK_EQ(ht_remove(&t, hs[17], &o, NULL), HV_OK);
    CHECK(o == &objs[17]);
    CHECK_EQ(ht_count(&t), CAP - 1);
    CHECK_EQ(ht_add(&t, &objs[100], HV_OBJ_THREAD, HV_RIGHT_READ, &h), HV_OK);
    CHECK(h != hs[17]);
    CHECK_EQ(ht_get(&t, hs[17], HV_OBJ_NONE, 0, NULL), HV_ERR_BAD_HANDLE);
    CHECK_EQ(ht_get(&t, h, HV_OBJ_THREAD, HV_RIGHT_READ, &o), HV_OK);
    CHECK(o == &objs[100]);
    CHECK_EQ(ht_add(&t, &objs[101], HV_OBJ_GUEST, 0, &h), HV_ERR_NO_RESOURCES);
    for (int i = 0; i < CAP; i++)
        if (i != 17) {
            CHECK_EQ(ht_get(&t, hs[i], HV_OBJ_GUEST, HV_RIGHTS_ALL, &o), HV_OK);
            CHECK(o == &objs[i]);
        }
    /* Empty it completely and fill it again. */
    for (int i = 0; i < CAP; i++)
        if (i != 17)
            CHECK_EQ(ht_remove(&t, hs[i], NULL, NULL), HV_OK);
    CHECK_EQ(ht_count(&t), 1);
    for (int i = 0; i < CAP - 1; i++)
        CHECK_EQ(ht_add(&t, &objs[i], HV_OBJ_GUEST, 0, &h), HV_OK);
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, 0, &h), HV_ERR_NO_RESOURCES);
    for (int i = 0; i < CAP; i++)
        CHECK_EQ(ht_get(&t, hs[i], HV_OBJ_NONE, 0, NULL), HV_ERR_BAD_HANDLE);
}

/* ---- stale values --------------------------------------------------------------------------- */

/* One slot churned through its whole generation cycle: no value recurs before the wrap. */
UT_TEST(ht_stale_one_slot_full_wrap)
{
    struct ht_entry st[1];
    struct handle_table t;
    ht_init(&t, st, 1);
    hv_handle_t h0, prev, h = 0;
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, HV_RIGHTS_ALL, &h0), HV_OK);
    CHECK_EQ(ht_remove(&t, h0, NULL, NULL), HV_OK);
    prev = h0;
    unsigned long bad = 0;
    for (uint32_t k = 1; k < HT_REUSE_BOUND; k++) {
        void *obj = &objs[k & 1023];
        bad += ht_add(&t, obj, HV_OBJ_GUEST, HV_RIGHTS_ALL, &h) != HV_OK;
        bad += h == h0 || h == prev || h == 0;
        bad += ht_get(&t, h0, HV_OBJ_NONE, 0, NULL) != HV_ERR_BAD_HANDLE;
        bad += ht_get(&t, prev, HV_OBJ_NONE, 0, NULL) != HV_ERR_BAD_HANDLE;
        bad += ht_remove(&t, prev, NULL, NULL) != HV_ERR_BAD_HANDLE;
        void *o = NULL;
        bad += ht_remove(&t, h, &o, NULL) != HV_OK || o != obj;
        prev = h;
    }
    CHECK_EQ(bad, 0);
    /* The documented wrap: after HT_REUSE_BOUND frees of the slot the first value is back. */
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, HV_RIGHTS_ALL, &h), HV_OK);
    CHECK_EQ(h, h0);
    CHECK(h != prev);
}

/* A slot reused thousands of times beside live handles: every old value stays dead. */
UT_TEST(ht_stale_after_many_reuses)
{
    enum { CAP = 4, CHURN = 5000 };
    struct ht_entry st[CAP];
    struct handle_table t;
    ht_init(&t, st, CAP);
    hv_handle_t keep[CAP - 1];
    for (int i = 0; i < CAP - 1; i++)
        CHECK_EQ(ht_add(&t, &objs[i], HV_OBJ_VCPU, HV_RIGHT_READ, &keep[i]), HV_OK);
    static uint32_t old[CHURN];
    unsigned long bad = 0;
    for (int k = 0; k < CHURN; k++) {
        hv_handle_t h;
        bad += ht_add(&t, &objs[1000 + k % 8], HV_OBJ_PORT, HV_RIGHTS_ALL, &h) != HV_OK;
        bad += ht_handle_index(h) != CAP - 1;       /* the only free slot */
        old[k] = h;
        if (k > 0)
            bad += ht_get(&t, old[k - 1], HV_OBJ_NONE, 0, NULL) != HV_ERR_BAD_HANDLE;
        bad += ht_remove(&t, h, NULL, NULL) != HV_OK;
    }
    CHECK_EQ(bad, 0);
    /* Refill the slot once more, then every old value must still be rejected. */
    hv_handle_t cur;
    CHECK_EQ(ht_add(&t, &objs[2000], HV_OBJ_THREAD, HV_RIGHT_WRITE, &cur), HV_OK);
    for (int k = 0; k < CHURN; k++) {
        bad += old[k] == cur;
        bad += ht_get(&t, old[k], HV_OBJ_NONE, 0, NULL) != HV_ERR_BAD_HANDLE;
        bad += ht_remove(&t, old[k], NULL, NULL) != HV_ERR_BAD_HANDLE;
        hv_handle_t d;
        bad += ht_duplicate(&t, old[k], HV_RIGHT_SAME_RIGHTS, &d, NULL) != HV_ERR_BAD_HANDLE;
    }
    CHECK_EQ(bad, 0);
    qsort(old, CHURN, sizeof(old[0]), cmp_u32);
    for (int k = 1; k < CHURN; k++)
        bad += old[k] == old[k - 1];
    CHECK_EQ(bad, 0);
    void *o;
    for (int i = 0; i < CAP - 1; i++) {
        CHECK_EQ(ht_get(&t, keep[i], HV_OBJ_VCPU, HV_RIGHT_READ, &o), HV_OK);
        CHECK(o == &objs[i]);
    }
    CHECK_EQ(ht_get(&t, cur, HV_OBJ_THREAD, HV_RIGHT_WRITE, &o), HV_OK);
    CHECK(o == &objs[2000]);
    CHECK_EQ(ht_count(&t), CAP);
}

/* ---- forged values --------------------------------------------------------------------------- */

struct live_rec {
    uint32_t h;
    void *obj;
};

static int cmp_rec(const void *a, const void *b)
{
    return cmp_u32(&((const struct live_rec *)a)->h, &((const struct live_rec *)b)->h);
}

static const struct live_rec *find_rec(const struct live_rec *v, int n, uint32_t h)
{
    struct live_rec key = { h, NULL };
    return bsearch(&key, v, (size_t)n, sizeof(*v), cmp_rec);
}

UT_TEST(ht_forged_values)
{
    enum { CAP = 1024 };
    static struct ht_entry st[CAP];
    static struct live_rec live[CAP];
    struct handle_table t;
    ht_init(&t, st, CAP);
    rng_state = 0x0123456789abcdefull;

    /* Churn so generations differ between slots, ending with a few hundred live. */
    int n = 0;
    for (int op = 0; op < 40000; op++) {
        bool add = n == 0 || (n < CAP && rnd_below(100) < (op < 30000 ? 50u : 60u));
        if (add) {
            void *obj = &objs[rnd_below(sizeof(objs))];
            hv_handle_t h;
            CHECK_EQ(ht_add(&t, obj, HV_OBJ_GUEST, HV_RIGHTS_ALL, &h), HV_OK);
            live[n].h = h;
            live[n++].obj = obj;
        } else {
            int i = (int)rnd_below((uint32_t)n);
            CHECK_EQ(ht_remove(&t, live[i].h, NULL, NULL), HV_OK);
            live[i] = live[--n];
        }
    }
    while (n > 400) {
        CHECK_EQ(ht_remove(&t, live[n - 1].h, NULL, NULL), HV_OK);
        n--;
    }
    CHECK(n >= 200);
    CHECK_EQ(ht_count(&t), (uint32_t)n);
    qsort(live, (size_t)n, sizeof(live[0]), cmp_rec);
    uint32_t maxgen = 0;
    for (int i = 0; i < n; i++)
        if (ht_handle_gen(live[i].h) > maxgen)
            maxgen = ht_handle_gen(live[i].h);
    CHECK(maxgen > 1);

    /* 1,000,000 random 32-bit values. */
    unsigned long wrong = 0, accepted = 0;
    for (int k = 0; k < 1000000; k++) {
        uint32_t v = (uint32_t)rnd();
        const struct live_rec *r = find_rec(live, n, v);
        void *o = NULL;
        hv_status_t rc = ht_get(&t, v, HV_OBJ_NONE, 0, &o);
        if (r) {
            accepted++;
            wrong += rc != HV_OK || o != r->obj;
        } else {
            wrong += rc != HV_ERR_BAD_HANDLE || o != NULL;
        }
    }
    CHECK_EQ(wrong, 0);

    /* Targeted forgeries: plausible index and small generation. Many hit. */
    for (int k = 0; k < 300000; k++) {
        uint32_t v = ht_make_handle(rnd_below(CAP + 16) & HT_INDEX_MASK, rnd_below(maxgen + 2));
        const struct live_rec *r = find_rec(live, n, v);
        void *o = NULL;
        hv_status_t rc = ht_get(&t, v, HV_OBJ_NONE, 0, &o);
        if (r) {
            accepted++;
            wrong += rc != HV_OK || o != r->obj;
        } else {
            wrong += rc != HV_ERR_BAD_HANDLE || o != NULL;
        }
    }
    CHECK_EQ(wrong, 0);
    CHECK(accepted > 1000);

    /* Every single-bit corruption of a live value: accepted only if it is itself live. */
    for (int i = 0; i < n; i++)
        for (int b = 0; b < 32; b++) {
            uint32_t v = live[i].h ^ (1u << b);
            const struct live_rec *r = find_rec(live, n, v);
            void *o = NULL;
            hv_status_t rc = ht_get(&t, v, HV_OBJ_NONE, 0, &o);
            wrong += r ? (rc != HV_OK || o != r->obj) : (rc != HV_ERR_BAD_HANDLE);
        }
    CHECK_EQ(wrong, 0);
    /* Nothing above changed the table. */
    CHECK_EQ(ht_count(&t), (uint32_t)n);
    for (int i = 0; i < n; i++) {
        void *o;
        CHECK_EQ(ht_get(&t, live[i].h, HV_OBJ_GUEST, HV_RIGHTS_ALL, &o), HV_OK);
        CHECK(o == live[i].obj);
    }
}

/* ---- randomized model ------------------------------------------------------------------------ */

struct model_rec {
    uint32_t h;
    void *obj;
    uint32_t type;
    hv_rights_t rights;
};

/* Open-addressing set of every value ever issued (values are never 0). */
#define ISSUED_BITS 20
static uint32_t issued[1u << ISSUED_BITS];

static bool issued_insert(uint32_t v)   /* false if already present */
{
    uint32_t i = (v * 2654435761u) >> (32 - ISSUED_BITS);
    while (issued[i]) {
        if (issued[i] == v)
            return false;
        i = (i + 1) & ((1u << ISSUED_BITS) - 1);
    }
    issued[i] = v;
    return true;
}

static int model_find(const struct model_rec *m, int n, uint32_t h)
{
    for (int i = 0; i < n; i++)
        if (m[i].h == h)
            return i;
    return -1;
}

UT_TEST(ht_model_random)
{
    enum { CAP = 64, OPS = 200000, STALE = 256 };
    static struct ht_entry st[CAP];
    struct model_rec m[CAP];
    uint32_t stale[STALE] = { 0 };
    int n = 0;
    unsigned nstale = 0;
    unsigned long wrong = 0, empty_hits = 0, full_hits = 0, issued_n = 0;
    struct handle_table t;
    ht_init(&t, st, CAP);
    memset(issued, 0, sizeof(issued));
    rng_state = 42;

    for (int op = 0; op < OPS; op++) {
        /* Alternate fill-biased and drain-biased phases so the table both runs full and empties. */
        bool drain = (op / 400) & 1;
        uint32_t kind = rnd_below(100);
        uint32_t add_end = drain ? 15 : 30, remove_end = drain ? 60 : 45, dup_end = remove_end + 10;
        /* A handle to act on: mostly live, sometimes stale, sometimes random. */
        uint32_t h;
        uint32_t pick = rnd_below(10);
        if (n > 0 && pick < 7)
            h = m[rnd_below((uint32_t)n)].h;
        else if (nstale > 0 && pick < 9)
            h = stale[rnd_below(nstale < STALE ? nstale : STALE)];
        else
            h = (uint32_t)rnd();
        int mi = model_find(m, n, h);

        if (kind < add_end) {                           /* add */
            void *obj = &objs[rnd_below(sizeof(objs))];
            uint32_t type = rnd_type();
            hv_rights_t rights = rnd_rights();
            hv_handle_t nh = 0;
            hv_status_t rc = ht_add(&t, obj, type, rights, &nh);
            if (n == CAP) {
                full_hits++;
                wrong += rc != HV_ERR_NO_RESOURCES;
            } else if (rc != HV_OK || nh == 0 || !issued_insert(nh)) {
                wrong++;
            } else {
                issued_n++;
                m[n++] = (struct model_rec){ nh, obj, type, rights };
            }
        } else if (kind < remove_end) {                 /* remove */
            void *o = NULL;
            uint32_t ty = 0;
            hv_status_t rc = ht_remove(&t, h, &o, &ty);
            if (mi < 0) {
                wrong += rc != HV_ERR_BAD_HANDLE;
            } else {
                wrong += rc != HV_OK || o != m[mi].obj || ty != m[mi].type;
                stale[nstale++ % STALE] = h;
                m[mi] = m[--n];
            }
        } else if (kind < dup_end) {                    /* duplicate */
            hv_rights_t rights;
            uint32_t rr = rnd_below(10);
            if (rr < 3)
                rights = HV_RIGHT_SAME_RIGHTS;
            else if (rr < 5 && mi >= 0)
                rights = m[mi].rights & rnd_rights();   /* a subset */
            else
                rights = rnd_rights() | (rr == 9 ? HV_RIGHT_SAME_RIGHTS : 0);
            hv_handle_t nh = 0;
            void *o = NULL;
            hv_status_t rc = ht_duplicate(&t, h, rights, &nh, &o);
            hv_status_t want;
            hv_rights_t eff = rights;
            if (mi < 0)
                want = HV_ERR_BAD_HANDLE;
            else if (!(m[mi].rights & HV_RIGHT_DUPLICATE))
                want = HV_ERR_ACCESS_DENIED;
            else if (rights != HV_RIGHT_SAME_RIGHTS && (rights & ~m[mi].rights))
                want = HV_ERR_INVALID_ARGS;
            else if (n == CAP)
                want = HV_ERR_NO_RESOURCES;
            else
                want = HV_OK;
            if (rights == HV_RIGHT_SAME_RIGHTS && mi >= 0)
                eff = m[mi].rights;
            wrong += rc != want;
            if (rc == HV_OK && want == HV_OK) {
                if (o != m[mi].obj || nh == 0 || !issued_insert(nh)) {
                    wrong++;
                } else {
                    issued_n++;
                    m[n++] = (struct model_rec){ nh, m[mi].obj, m[mi].type, eff };
                }
            }
        } else {                                        /* get */
            uint32_t type = rnd_below(3) == 0 ? HV_OBJ_NONE : rnd_type();
            hv_rights_t needed = rnd_below(4) == 0 ? 0 : rnd_rights() & rnd_rights();
            void *o = NULL;
            uint32_t ty = 0;
            hv_rights_t r = 0;
            hv_status_t rc = ht_get_info(&t, h, type, needed, &o, &ty, &r);
            hv_status_t want;
            if (mi < 0)
                want = HV_ERR_BAD_HANDLE;
            else if (type != HV_OBJ_NONE && type != m[mi].type)
                want = HV_ERR_WRONG_TYPE;
            else if ((m[mi].rights & needed) != needed)
                want = HV_ERR_ACCESS_DENIED;
            else
                want = HV_OK;
            wrong += rc != want;
            if (want == HV_OK)
                wrong += o != m[mi].obj || ty != m[mi].type || r != m[mi].rights;
            else
                wrong += o != NULL;
            void *o2 = NULL;
            wrong += ht_get(&t, h, type, needed, &o2) != want;
        }
        wrong += ht_count(&t) != (uint32_t)n;
        empty_hits += n == 0;
    }
    CHECK_EQ(wrong, 0);
    CHECK(full_hits > 100);                     /* the table did run full */
    CHECK(empty_hits > 100);                    /* ... and ran empty */
    CHECK(issued_n > 30000);

    /* Every model entry is live with its exact attributes; every stale value is dead. */
    for (int i = 0; i < n; i++) {
        void *o;
        uint32_t ty;
        hv_rights_t r;
        CHECK_EQ(ht_get_info(&t, m[i].h, m[i].type, m[i].rights, &o, &ty, &r), HV_OK);
        CHECK(o == m[i].obj);
        CHECK_EQ(r, m[i].rights);
    }
    for (unsigned i = 0; i < (nstale < STALE ? nstale : STALE); i++)
        CHECK_EQ(ht_get(&t, stale[i], HV_OBJ_NONE, 0, NULL), HV_ERR_BAD_HANDLE);

    /* Tear down: pop_any hands back exactly the model's entries. */
    int live_before = n;
    void *o;
    uint32_t ty;
    int pops = 0;
    while (ht_pop_any(&t, &o, &ty)) {
        pops++;
        int i;
        for (i = 0; i < n; i++)
            if (m[i].obj == o && m[i].type == ty)
                break;
        CHECK(i < n);
        if (i < n)
            m[i] = m[--n];
        if (pops > CAP)
            break;
    }
    CHECK_EQ(pops, live_before);
    CHECK_EQ(n, 0);
    CHECK_EQ(ht_count(&t), 0);
}

/* ---- teardown ------------------------------------------------------------------------------------ */

UT_TEST(ht_pop_any_empties)
{
    enum { CAP = 100 };
    struct ht_entry st[CAP];
    struct handle_table t;
    ht_init(&t, st, CAP);
    CHECK(!ht_pop_any(&t, NULL, NULL));
    hv_handle_t hs[CAP];
    for (int i = 0; i < CAP; i++)
        CHECK_EQ(ht_add(&t, &objs[i], (uint32_t)(1 + i % 4), HV_RIGHTS_ALL, &hs[i]), HV_OK);
    for (int i = 0; i < CAP; i += 3)
        CHECK_EQ(ht_remove(&t, hs[i], NULL, NULL), HV_OK);

    bool seen[CAP] = { false };
    int pops = 0;
    void *o;
    uint32_t ty;
    /* Interleave: pop a few, add one (reusing a low slot), keep popping. */
    for (int k = 0; k < 5; k++) {
        CHECK(ht_pop_any(&t, &o, &ty));
        int i = (int)((char *)o - objs);
        CHECK(i >= 0 && i < CAP && i % 3 != 0 && !seen[i]);
        if (i >= 0 && i < CAP) {
            seen[i] = true;
            CHECK_EQ(ty, (uint32_t)(1 + i % 4));
        }
        pops++;
    }
    hv_handle_t extra;
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, 0, &extra), HV_OK);
    bool extra_seen = false;
    while (ht_pop_any(&t, &o, &ty)) {
        int i = (int)((char *)o - objs);
        if (i == 0 && !extra_seen) {
            extra_seen = true;
            CHECK_EQ(ty, HV_OBJ_GUEST);
            continue;
        }
        CHECK(i >= 0 && i < CAP && i % 3 != 0 && !seen[i]);
        if (i >= 0 && i < CAP) {
            seen[i] = true;
            CHECK_EQ(ty, (uint32_t)(1 + i % 4));
        }
        if (++pops > CAP)
            break;
    }
    CHECK(extra_seen);
    for (int i = 0; i < CAP; i++)
        CHECK_EQ(seen[i], i % 3 != 0);
    CHECK_EQ(ht_count(&t), 0);
    CHECK(!ht_pop_any(&t, &o, &ty));
    /* Popped handles are dead; the table is reusable to full capacity. */
    for (int i = 0; i < CAP; i++)
        CHECK_EQ(ht_get(&t, hs[i], HV_OBJ_NONE, 0, NULL), HV_ERR_BAD_HANDLE);
    CHECK_EQ(ht_get(&t, extra, HV_OBJ_NONE, 0, NULL), HV_ERR_BAD_HANDLE);
    hv_handle_t h;
    for (int i = 0; i < CAP; i++)
        CHECK_EQ(ht_add(&t, &objs[i], HV_OBJ_GUEST, 0, &h), HV_OK);
    CHECK_EQ(ht_add(&t, &objs[0], HV_OBJ_GUEST, 0, &h), HV_ERR_NO_RESOURCES);
    int again = 0;
    while (ht_pop_any(&t, NULL, NULL) && again <= CAP)
        again++;
    CHECK_EQ(again, CAP);
    CHECK_EQ(ht_count(&t), 0);
}
