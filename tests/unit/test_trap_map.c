/*
 * object/trap_map.c tests: the argument checks, the order of add's errors,
 * the two address spaces, lookup at the range edges, an allocator that
 * fails, clearing, and a randomized run against a reference model.
 */
#include <stdint.h>
#include <stdlib.h>
#include "hv/syscall.h"
#include "trap_map.h"
#include "ut.h"

#define GPA_LIMIT (1ull << 48)
#define PAGE 0x1000ull

/* An allocator that counts and can be told to fail. */
static int live_nodes, fail_alloc;

static void *alloc_node(size_t size)
{
    if (fail_alloc)
        return NULL;
    live_nodes++;
    return malloc(size);
}

static int released;
static void release_node(struct trap *t)
{
    released++;
    live_nodes--;
    free(t);
}

static hv_status_t add(struct trap_map *m, uint32_t kind, uint64_t addr, uint64_t len,
                       uint64_t key)
{
    struct trap t = { .kind = kind, .addr = addr, .len = len, .key = key };
    return trap_map_add(m, &t, GPA_LIMIT, alloc_node);
}

static void clear(struct trap_map *m)
{
    released = 0;
    trap_map_clear(m, release_node);
    CHECK(m->head == NULL);
    CHECK_EQ(live_nodes, 0);
}

UT_TEST(trap_check_rules)
{
    CHECK_EQ(trap_check(HV_TRAP_MEM, 0xfee00000, 1), HV_OK);
    CHECK_EQ(trap_check(HV_TRAP_IO, 0x3f8, 8), HV_OK);
    CHECK_EQ(trap_check(HV_TRAP_BELL, 0x100000, 0x2000), HV_OK);
    /* Kinds: only 0, 1, 2. */
    CHECK_EQ(trap_check(3, 0x1000, 1), HV_ERR_INVALID_ARGS);
    CHECK_EQ(trap_check(0xffffffffu, 0x1000, 1), HV_ERR_INVALID_ARGS);
    /* len 0, and ranges that wrap around 2^64. */
    CHECK_EQ(trap_check(HV_TRAP_MEM, 0x1000, 0), HV_ERR_INVALID_ARGS);
    CHECK_EQ(trap_check(HV_TRAP_IO, 0, 0), HV_ERR_INVALID_ARGS);
    CHECK_EQ(trap_check(HV_TRAP_MEM, UINT64_MAX, 2), HV_ERR_INVALID_ARGS);
    CHECK_EQ(trap_check(HV_TRAP_MEM, UINT64_MAX, 1), HV_ERR_INVALID_ARGS);  /* end 2^64 wraps */
    CHECK_EQ(trap_check(HV_TRAP_MEM, UINT64_MAX - 1, 1), HV_OK);
    CHECK_EQ(trap_check(HV_TRAP_MEM, 0, UINT64_MAX), HV_OK);
    /* BELL: addr and len page aligned; MEM and IO need not be. */
    CHECK_EQ(trap_check(HV_TRAP_BELL, 0x100800, 0x1000), HV_ERR_INVALID_ARGS);
    CHECK_EQ(trap_check(HV_TRAP_BELL, 0x100000, 0x800), HV_ERR_INVALID_ARGS);
    CHECK_EQ(trap_check(HV_TRAP_BELL, 0x100000, 0x1001), HV_ERR_INVALID_ARGS);
    CHECK_EQ(trap_check(HV_TRAP_MEM, 0x100800, 0x801), HV_OK);
}

UT_TEST(trap_add_limits)
{
    struct trap_map m = { NULL };
    /* IO: the last port is 0xffff. */
    CHECK_EQ(add(&m, HV_TRAP_IO, 0xfff0, 0x10, 1), HV_OK);
    CHECK_EQ(add(&m, HV_TRAP_IO, 0xffff, 2, 1), HV_ERR_INVALID_ARGS);
    CHECK_EQ(add(&m, HV_TRAP_IO, 0x10000, 1, 1), HV_ERR_INVALID_ARGS);
    /* MEM and BELL: up to the guest-physical limit. */
    CHECK_EQ(add(&m, HV_TRAP_MEM, GPA_LIMIT - 1, 1, 2), HV_OK);
    CHECK_EQ(add(&m, HV_TRAP_MEM, GPA_LIMIT, 1, 2), HV_ERR_OUT_OF_RANGE);
    CHECK_EQ(add(&m, HV_TRAP_BELL, GPA_LIMIT - PAGE, 2 * PAGE, 3), HV_ERR_OUT_OF_RANGE);
    CHECK_EQ(add(&m, HV_TRAP_BELL, GPA_LIMIT - 2 * PAGE, PAGE, 3), HV_OK);
    /* A MEM range at a low address may be any size the IO limit would refuse. */
    CHECK_EQ(add(&m, HV_TRAP_MEM, 0xf000, 0x2000, 4), HV_OK);
    CHECK_EQ(live_nodes, 4);
    clear(&m);
    CHECK_EQ(released, 4);
}

UT_TEST(trap_add_error_order)
{
    struct trap_map m = { NULL };
    CHECK_EQ(add(&m, HV_TRAP_IO, 0x60, 1, 1), HV_OK);
    CHECK_EQ(add(&m, HV_TRAP_MEM, 0x1000, 0x1000, 1), HV_OK);
    /* Range errors before overlap, overlap before allocation. */
    CHECK_EQ(add(&m, HV_TRAP_IO, 0x60, 0x10000, 1), HV_ERR_INVALID_ARGS);
    CHECK_EQ(add(&m, HV_TRAP_MEM, 0x1000, GPA_LIMIT, 1), HV_ERR_OUT_OF_RANGE);
    fail_alloc = 1;
    CHECK_EQ(add(&m, HV_TRAP_IO, 0x60, 1, 1), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(add(&m, HV_TRAP_MEM, 0x1800, 1, 1), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(add(&m, HV_TRAP_IO, 0x61, 1, 1), HV_ERR_NO_MEMORY);
    fail_alloc = 0;
    /* Nothing changed by the failures. */
    CHECK_EQ(live_nodes, 2);
    CHECK(trap_map_find(&m, HV_TRAP_IO, 0x61) == NULL);
    CHECK_EQ(add(&m, HV_TRAP_IO, 0x61, 1, 1), HV_OK);
    clear(&m);
}

UT_TEST(trap_spaces_and_overlap)
{
    struct trap_map m = { NULL };
    CHECK_EQ(add(&m, HV_TRAP_MEM, 0x2000, 0x1000, 1), HV_OK);
    /* MEM and BELL share guest-physical addresses. */
    CHECK_EQ(add(&m, HV_TRAP_BELL, 0x2000, 0x1000, 2), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(add(&m, HV_TRAP_BELL, 0x1000, 0x2000, 2), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(add(&m, HV_TRAP_MEM, 0x2fff, 1, 2), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(add(&m, HV_TRAP_MEM, 0x1000, 0x3000, 2), HV_ERR_ALREADY_EXISTS);  /* covers it */
    /* Touching is not overlapping. */
    CHECK_EQ(add(&m, HV_TRAP_BELL, 0x1000, 0x1000, 3), HV_OK);
    CHECK_EQ(add(&m, HV_TRAP_MEM, 0x3000, 1, 4), HV_OK);
    /* IO traps have their own space: the same numbers are free there. */
    CHECK_EQ(add(&m, HV_TRAP_IO, 0x2000, 0x1000, 5), HV_OK);
    CHECK_EQ(add(&m, HV_TRAP_IO, 0x2800, 1, 6), HV_ERR_ALREADY_EXISTS);
    CHECK_EQ(live_nodes, 4);
    clear(&m);
}

UT_TEST(trap_find_edges)
{
    struct trap_map m = { NULL };
    CHECK(trap_map_find(&m, HV_TRAP_MEM, 0) == NULL);
    CHECK_EQ(add(&m, HV_TRAP_MEM, 0xfee00000, 0x1000, 11), HV_OK);
    CHECK_EQ(add(&m, HV_TRAP_IO, 0x3f8, 8, 12), HV_OK);
    CHECK_EQ(add(&m, HV_TRAP_BELL, 0x10000, 0x1000, 13), HV_OK);
    CHECK_EQ(add(&m, HV_TRAP_MEM, UINT64_MAX - 0x10, 1, 14), HV_ERR_OUT_OF_RANGE);

    const struct trap *t = trap_map_find(&m, HV_TRAP_MEM, 0xfee00000);
    CHECK(t && t->key == 11 && t->kind == HV_TRAP_MEM && t->len == 0x1000);
    CHECK(trap_map_find(&m, HV_TRAP_MEM, 0xfee00fff) == t);
    CHECK(trap_map_find(&m, HV_TRAP_MEM, 0xfee01000) == NULL);
    CHECK(trap_map_find(&m, HV_TRAP_MEM, 0xfedfffff) == NULL);
    /* Found by kind: the IO range's numbers are not MEM addresses and vice versa. */
    CHECK(trap_map_find(&m, HV_TRAP_MEM, 0x3f8) == NULL);
    CHECK(trap_map_find(&m, HV_TRAP_IO, 0xfee00000) == NULL);
    t = trap_map_find(&m, HV_TRAP_IO, 0x3ff);
    CHECK(t && t->key == 12);
    CHECK(trap_map_find(&m, HV_TRAP_IO, 0x400) == NULL);
    /* A BELL range is not a MEM trap. */
    CHECK(trap_map_find(&m, HV_TRAP_MEM, 0x10000) == NULL);
    t = trap_map_find(&m, HV_TRAP_BELL, 0x10800);
    CHECK(t && t->key == 13);
    clear(&m);
    CHECK_EQ(released, 3);
    CHECK(trap_map_find(&m, HV_TRAP_IO, 0x3f8) == NULL);
}

UT_TEST(trap_add_copies_the_template)
{
    struct trap_map m = { NULL };
    struct port *port = (struct port *)&m;          /* any non-NULL address: never used */
    struct trap t = { .kind = HV_TRAP_BELL, .addr = 0x5000, .len = 0x1000, .key = 77,
                      .port = port, .next = (struct trap *)&t };
    CHECK_EQ(trap_map_add(&m, &t, GPA_LIMIT, alloc_node), HV_OK);
    t.key = 1;                                      /* the map has its own copy */
    const struct trap *f = trap_map_find(&m, HV_TRAP_BELL, 0x5000);
    CHECK(f && f != &t && f->key == 77 && f->port == port && f->next == NULL);
    clear(&m);
}

static uint64_t rng_state;
static uint64_t rnd(void)               /* splitmix64 */
{
    return ut_splitmix64(&rng_state);
}

/* Random adds against a bitmap of taken addresses per space, then lookups everywhere. */
UT_TEST(trap_random_against_model)
{
    enum { SPAN = 256 };                    /* addresses 0 .. SPAN-1 in each space */
    for (int round = 0; round < 50; round++) {
        struct trap_map m = { NULL };
        uint64_t owner[2][SPAN] = { { 0 } };   /* key + 1 of the trap holding it, 0: free */
        uint32_t kind_at[2][SPAN] = { { 0 } };
        rng_state = (uint64_t)round;
        for (int i = 0; i < 60; i++) {
            uint32_t kind = (uint32_t)(rnd() % 2) ? HV_TRAP_IO : HV_TRAP_MEM;
            uint64_t addr = rnd() % SPAN, len = 1 + rnd() % 16;
            if (addr + len > SPAN)
                len = SPAN - addr;
            int s = kind == HV_TRAP_IO;
            bool free_range = true;
            for (uint64_t a = addr; a < addr + len; a++)
                free_range &= owner[s][a] == 0;
            hv_status_t rc = add(&m, kind, addr, len, (uint64_t)i);
            CHECK_EQ(rc, free_range ? HV_OK : HV_ERR_ALREADY_EXISTS);
            if (rc == HV_OK)
                for (uint64_t a = addr; a < addr + len; a++)
                    owner[s][a] = (uint64_t)i + 1, kind_at[s][a] = kind;
        }
        for (int s = 0; s < 2; s++)
            for (uint64_t a = 0; a < SPAN; a++) {
                uint32_t kind = s ? HV_TRAP_IO : HV_TRAP_MEM;
                const struct trap *t = trap_map_find(&m, kind, a);
                if (!owner[s][a])
                    CHECK(t == NULL);
                else
                    CHECK(t && t->key + 1 == owner[s][a] && t->kind == kind_at[s][a]);
            }
        clear(&m);
    }
}
