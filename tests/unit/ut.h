/*
 * Tiny host unit-test harness. A test file declares cases with
 * UT_TEST(name) { ... CHECK(...); } — they register themselves, so adding a
 * file needs no edit anywhere else. A case passes when none of its checks fail.
 */
#ifndef UT_H
#define UT_H

#include <stdio.h>
#include <stdint.h>

typedef void (*ut_fn)(void);
void ut_register(const char *name, ut_fn fn);
void ut_fail(const char *file, int line, const char *expr);
void ut_fail_eq(const char *file, int line, const char *a, const char *b,
                unsigned long long va, unsigned long long vb);

#define UT_TEST(name)                                                    \
    static void name(void);                                             \
    __attribute__((constructor)) static void ut_reg_##name(void)        \
    { ut_register(#name, name); }                                       \
    static void name(void)

#define CHECK(c) do { if (!(c)) ut_fail(__FILE__, __LINE__, #c); } while (0)
#define CHECK_EQ(a, b) do {                                              \
        unsigned long long ut_a = (unsigned long long)(a);              \
        unsigned long long ut_b = (unsigned long long)(b);              \
        if (ut_a != ut_b) ut_fail_eq(__FILE__, __LINE__, #a, #b, ut_a, ut_b); \
    } while (0)

/* splitmix64: a small, good pseudo-random sequence from any seed (fixed seeds make
 * the randomized tests repeatable). */
static inline uint64_t ut_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#endif
