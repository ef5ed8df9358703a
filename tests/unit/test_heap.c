/*
 * mm/heap.c tests, on a fake page source backed by aligned_alloc(4096, 4096)
 * that counts pages out and back, fills new pages with garbage (the heap
 * must zero objects itself) and can be told to fail or to keep returned
 * pages readable (so stale pointers can be handed back to heap_free).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "heap.h"
#include "ut.h"

#define SRC_MAX_PAGES 4096

struct pagesrc {
    long outstanding;           /* handed out, not yet returned */
    long allocs, frees;
    long fail_after;            /* successful allocations left; < 0: unlimited */
    int bad_frees;              /* page_free of something we never handed out */
    int quarantine;             /* keep returned pages (readable) until drain */
    void *live[SRC_MAX_PAGES];
    int nlive;
    void *held[SRC_MAX_PAGES];  /* returned pages kept for quarantine */
    int nheld;
};

static void *src_alloc(void *ctx)
{
    struct pagesrc *s = ctx;
    if (s->fail_after == 0 || s->nlive == SRC_MAX_PAGES)
        return NULL;
    if (s->fail_after > 0)
        s->fail_after--;
    void *p = aligned_alloc(HEAP_PAGE, HEAP_PAGE);
    if (!p)
        return NULL;
    memset(p, 0xa5, HEAP_PAGE);         /* "zeroed-or-not": make it not */
    s->live[s->nlive++] = p;
    s->outstanding++;
    s->allocs++;
    return p;
}

static void src_free(void *ctx, void *page)
{
    struct pagesrc *s = ctx;
    for (int i = 0; i < s->nlive; i++) {
        if (s->live[i] == page) {
            s->live[i] = s->live[--s->nlive];
            s->outstanding--;
            s->frees++;
            if (s->quarantine && s->nheld < SRC_MAX_PAGES) {
                memset(page, 0xdb, HEAP_PAGE);  /* what the next owner might write */
                s->held[s->nheld++] = page;
            } else {
                free(page);
            }
            return;
        }
    }
    s->bad_frees++;
}

static int src_owns(const struct pagesrc *s, const void *p)
{
    uintptr_t a = (uintptr_t)p;
    for (int i = 0; i < s->nlive; i++)
        if (a >= (uintptr_t)s->live[i] && a < (uintptr_t)s->live[i] + HEAP_PAGE)
            return 1;
    return 0;
}

static void src_drain(struct pagesrc *s)
{
    for (int i = 0; i < s->nheld; i++)
        free(s->held[i]);
    s->nheld = 0;
    for (int i = 0; i < s->nlive; i++)     /* leaked by the heap: reclaim */
        free(s->live[i]);
    s->nlive = 0;
}

static struct pagesrc *src_new(void)
{
    struct pagesrc *s = calloc(1, sizeof *s);
    s->fail_after = -1;
    return s;
}

static size_t class_of(size_t size)
{
    size_t c = (size_t)1 << HEAP_MIN_SHIFT;
    while (c < size)
        c <<= 1;
    return c;
}

static int all_bytes(const void *p, unsigned char v, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != v)
            return 0;
    return 1;
}

/* The heap is back to nothing and every page went home. */
static void check_empty(struct heap *h, struct pagesrc *s)
{
    CHECK_EQ(h->objects, 0);
    CHECK_EQ(h->pages, 0);
    CHECK_EQ(s->outstanding, 0);
    CHECK_EQ(s->bad_frees, 0);
    for (unsigned c = 0; c < HEAP_CLASSES; c++)
        CHECK(h->partial[c] == NULL);
}

UT_TEST(heap_init_state)
{
    struct pagesrc *s = src_new();
    struct heap h;
    memset(&h, 0x77, sizeof h);
    heap_init(&h, src_alloc, src_free, s);
    CHECK(h.page_alloc == src_alloc);
    CHECK(h.page_free == src_free);
    CHECK(h.ctx == s);
    check_empty(&h, s);
    CHECK_EQ(s->allocs, 0);
    src_drain(s);
    free(s);
}

UT_TEST(heap_rejects_bad_sizes)
{
    struct pagesrc *s = src_new();
    struct heap h;
    heap_init(&h, src_alloc, src_free, s);
    CHECK(heap_alloc(&h, 0) == NULL);
    CHECK(heap_alloc(&h, HEAP_MAX_OBJECT + 1) == NULL);
    CHECK(heap_alloc(&h, 4096) == NULL);
    CHECK(heap_alloc(&h, SIZE_MAX) == NULL);
    CHECK(heap_alloc(&h, (size_t)1 << 63) == NULL);
    CHECK_EQ(s->allocs, 0);                 /* no page taken for nothing */
    check_empty(&h, s);
    CHECK_EQ(heap_free(&h, NULL), HV_OK);       /* NULL is ignored */
    check_empty(&h, s);
    src_drain(s);
    free(s);
}

/* Every size 1..1024: usable, zeroed, aligned, inside a source page. */
UT_TEST(heap_every_size_alloc_free)
{
    struct pagesrc *s = src_new();
    struct heap h;
    heap_init(&h, src_alloc, src_free, s);
    for (size_t size = 1; size <= HEAP_MAX_OBJECT; size++) {
        unsigned char *p = heap_alloc(&h, size);
        CHECK(p != NULL);
        if (!p)
            continue;
        size_t cls = class_of(size), align = cls < 64 ? cls : 64;
        CHECK_EQ((uintptr_t)p % align, 0);
        CHECK(src_owns(s, p));
        CHECK(src_owns(s, p + cls - 1));    /* the whole class slot fits the page */
        CHECK(((uintptr_t)p & (HEAP_PAGE - 1)) != 0);   /* page start holds the header */
        CHECK(all_bytes(p, 0, cls));
        CHECK_EQ(h.objects, 1);
        CHECK_EQ(h.pages, 1);
        memset(p, 0xee, size);
        CHECK_EQ(heap_free(&h, p), HV_OK);
        CHECK_EQ(s->outstanding, 0);        /* empty slab returned at once */
    }
    check_empty(&h, s);
    CHECK_EQ(s->allocs, HEAP_MAX_OBJECT);
    src_drain(s);
    free(s);
}

UT_TEST(heap_class_boundaries)
{
    struct pagesrc *s = src_new();
    struct heap h;
    heap_init(&h, src_alloc, src_free, s);
    void *a1 = heap_alloc(&h, 1);
    void *a16 = heap_alloc(&h, 16);         /* same 16-byte class as 1 */
    CHECK(a1 && a16);
    CHECK_EQ(h.pages, 1);
    void *a17 = heap_alloc(&h, 17);         /* next class: a new slab */
    CHECK(a17 != NULL);
    CHECK_EQ(h.pages, 2);
    void *a32 = heap_alloc(&h, 32);         /* shares 17's class */
    CHECK_EQ(h.pages, 2);
    void *a1024 = heap_alloc(&h, 1024);
    CHECK_EQ(h.pages, 3);
    void *a513 = heap_alloc(&h, 513);       /* rounds up to 1024 */
    CHECK_EQ(h.pages, 3);
    void *a1025 = heap_alloc(&h, 1025);
    CHECK(a1025 == NULL);
    CHECK_EQ(h.pages, 3);
    CHECK_EQ(h.objects, 6);
    void *all[] = { a1, a16, a17, a32, a1024, a513 };
    for (unsigned i = 0; i < 6; i++) {
        CHECK(all[i] != NULL);
        for (unsigned j = 0; j < i; j++)
            CHECK(all[i] != all[j]);
    }
    for (unsigned i = 0; i < 6; i++)
        CHECK_EQ(heap_free(&h, all[i]), HV_OK);
    check_empty(&h, s);
    src_drain(s);
    free(s);
}

/* Many live objects per class: unique fill bytes survive each other. */
UT_TEST(heap_objects_do_not_overlap)
{
    static const size_t sizes[] = { 1, 15, 16, 17, 31, 32, 33, 64, 65, 127, 128, 129,
                                    255, 256, 257, 511, 512, 513, 1000, 1023, 1024 };
    enum { PER = 300 };
    struct pagesrc *s = src_new();
    struct heap h;
    heap_init(&h, src_alloc, src_free, s);
    size_t nsz = sizeof sizes / sizeof *sizes;
    unsigned char **obj = calloc(nsz * PER, sizeof *obj);
    for (size_t k = 0; k < nsz; k++)
        for (unsigned i = 0; i < PER; i++) {
            unsigned char *p = heap_alloc(&h, sizes[k]);
            CHECK(p != NULL);
            if (!p)
                continue;
            CHECK(all_bytes(p, 0, sizes[k]));
            memset(p, (int)((k * PER + i) % 251 + 1), sizes[k]);
            obj[k * PER + i] = p;
        }
    CHECK_EQ(h.objects, nsz * PER);
    CHECK_EQ(h.pages, s->outstanding);
    for (size_t k = 0; k < nsz; k++)
        for (unsigned i = 0; i < PER; i++)
            if (obj[k * PER + i])
                CHECK(all_bytes(obj[k * PER + i], (unsigned char)((k * PER + i) % 251 + 1),
                                sizes[k]));
    /* Free every other object, check the rest, then free the rest. */
    for (size_t n = 0; n < nsz * PER; n += 2)
        if (obj[n])
            CHECK_EQ(heap_free(&h, obj[n]), HV_OK);
    for (size_t n = 1; n < nsz * PER; n += 2)
        if (obj[n]) {
            CHECK(all_bytes(obj[n], (unsigned char)(n % 251 + 1), sizes[n / PER]));
            CHECK_EQ(heap_free(&h, obj[n]), HV_OK);
        }
    check_empty(&h, s);
    free(obj);
    src_drain(s);
    free(s);
}

UT_TEST(heap_reused_object_is_zeroed)
{
    struct pagesrc *s = src_new();
    struct heap h;
    heap_init(&h, src_alloc, src_free, s);
    for (size_t size = 16; size <= HEAP_MAX_OBJECT; size <<= 1) {
        unsigned char *keep = heap_alloc(&h, size);     /* holds the slab */
        unsigned char *p = heap_alloc(&h, size);
        CHECK(keep && p);
        memset(p, 0xff, size);
        CHECK_EQ(heap_free(&h, p), HV_OK);
        unsigned char *q = heap_alloc(&h, size / 2 + 1);  /* same class */
        CHECK(q != NULL);
        CHECK(all_bytes(q, 0, size));       /* the whole slot, not just the ask */
        CHECK_EQ(heap_free(&h, q), HV_OK);
        CHECK_EQ(heap_free(&h, keep), HV_OK);
    }
    check_empty(&h, s);
    src_drain(s);
    free(s);
}

/* Fill several slabs per class, free in shuffled order: all pages go home. */
UT_TEST(heap_all_pages_returned)
{
    struct pagesrc *s = src_new();
    struct heap h;
    heap_init(&h, src_alloc, src_free, s);
    enum { N = 3000 };
    void **v = calloc(N, sizeof *v);
    uint32_t x = 12345;
    for (unsigned i = 0; i < N; i++) {
        v[i] = heap_alloc(&h, (size_t)16 << (i % HEAP_CLASSES));
        CHECK(v[i] != NULL);
    }
    CHECK(s->outstanding > (long)HEAP_CLASSES);
    CHECK_EQ(h.pages, s->outstanding);
    for (unsigned i = N - 1; i > 0; i--) {  /* Fisher-Yates, fixed seed */
        x = x * 1103515245u + 12345u;
        unsigned j = (x >> 8) % (i + 1);
        void *t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
    for (unsigned i = 0; i < N; i++) {
        CHECK_EQ(heap_free(&h, v[i]), HV_OK);
        CHECK_EQ(h.pages, s->outstanding);
    }
    check_empty(&h, s);
    CHECK_EQ(s->allocs, s->frees);
    free(v);
    src_drain(s);
    free(s);
}

UT_TEST(heap_double_free_refused)
{
    struct pagesrc *s = src_new();
    s->quarantine = 1;
    struct heap h;
    heap_init(&h, src_alloc, src_free, s);

    /* Slab still alive: the object sits on the free list. */
    void *a = heap_alloc(&h, 40), *b = heap_alloc(&h, 40);
    CHECK(a && b);
    CHECK_EQ(heap_free(&h, a), HV_OK);
    CHECK_EQ(heap_free(&h, a), HV_ERR_INVALID_ARGS);
    CHECK_EQ(heap_free(&h, a), HV_ERR_INVALID_ARGS);
    CHECK_EQ(h.objects, 1);
    CHECK_EQ(h.pages, 1);
    /* The free list is not corrupted: a comes back at most once. */
    void *c = heap_alloc(&h, 40), *d = heap_alloc(&h, 40), *e = heap_alloc(&h, 40);
    CHECK(c && d && e);
    CHECK(c != d && c != e && d != e);
    CHECK(c != b && d != b && e != b);
    CHECK_EQ(h.objects, 4);
    CHECK_EQ(heap_free(&h, b), HV_OK);
    CHECK_EQ(heap_free(&h, c), HV_OK);
    CHECK_EQ(heap_free(&h, d), HV_OK);
    CHECK_EQ(heap_free(&h, b), HV_ERR_INVALID_ARGS);
    CHECK_EQ(heap_free(&h, e), HV_OK);
    check_empty(&h, s);

    /* Slab already handed back (page kept readable): still refused. */
    void *f = heap_alloc(&h, 100);
    CHECK(f != NULL);
    CHECK_EQ(heap_free(&h, f), HV_OK);
    CHECK_EQ(s->outstanding, 0);
    CHECK_EQ(heap_free(&h, f), HV_ERR_INVALID_ARGS);
    check_empty(&h, s);
    CHECK_EQ(s->frees, s->allocs);          /* no second page_free */
    src_drain(s);
    free(s);
}

UT_TEST(heap_double_free_from_full_slab)
{
    /* Full slab (off the partial list): free one, double free it. */
    struct pagesrc *s = src_new();
    struct heap h;
    heap_init(&h, src_alloc, src_free, s);
    void *v[64];
    unsigned n = 0;
    while (n < 64) {
        v[n] = heap_alloc(&h, 1024);
        CHECK(v[n] != NULL);
        n++;
        if (h.pages == 2)
            break;                          /* v[0..n-2] filled the first slab */
    }
    CHECK_EQ(h.pages, 2);
    CHECK(n >= 2);
    CHECK_EQ(heap_free(&h, v[0]), HV_OK);
    CHECK_EQ(heap_free(&h, v[0]), HV_ERR_INVALID_ARGS);
    CHECK_EQ(h.objects, n - 1);
    void *r = heap_alloc(&h, 1024);         /* reuses the freed slot */
    CHECK(r != NULL);
    CHECK_EQ(h.pages, 2);
    v[0] = r;
    for (unsigned i = 0; i < n; i++)
        CHECK_EQ(heap_free(&h, v[i]), HV_OK);
    check_empty(&h, s);
    src_drain(s);
    free(s);
}

UT_TEST(heap_foreign_pointers_refused)
{
    struct pagesrc *s = src_new();
    struct heap h;
    heap_init(&h, src_alloc, src_free, s);
    unsigned char *a = heap_alloc(&h, 16), *b = heap_alloc(&h, 1024);
    CHECK(a && b);
    memset(a, 0x11, 16);
    memset(b, 0x22, 1024);

    /* A page that never came from the heap (zeroed and garbage-filled). */
    unsigned char *other = aligned_alloc(HEAP_PAGE, HEAP_PAGE);
    memset(other, 0, HEAP_PAGE);
    CHECK_EQ(heap_free(&h, other + 64), HV_ERR_INVALID_ARGS);
    CHECK_EQ(heap_free(&h, other), HV_ERR_INVALID_ARGS);
    memset(other, 0xa5, HEAP_PAGE);
    CHECK_EQ(heap_free(&h, other + 128), HV_ERR_INVALID_ARGS);
    CHECK(all_bytes(other + 8, 0xa5, HEAP_PAGE - 8));
    free(other);

    /* Inside real slabs but not at an object start. */
    uintptr_t pa = (uintptr_t)a & ~(uintptr_t)(HEAP_PAGE - 1);
    uintptr_t pb = (uintptr_t)b & ~(uintptr_t)(HEAP_PAGE - 1);
    CHECK_EQ(heap_free(&h, (void *)pa), HV_ERR_INVALID_ARGS);            /* the slab header */
    CHECK_EQ(heap_free(&h, (void *)(pa + 8)), HV_ERR_INVALID_ARGS);
    CHECK_EQ(heap_free(&h, a + 1), HV_ERR_INVALID_ARGS);
    CHECK_EQ(heap_free(&h, a + 8), HV_ERR_INVALID_ARGS);
    CHECK_EQ(heap_free(&h, a + 15), HV_ERR_INVALID_ARGS);
    CHECK_EQ(heap_free(&h, b + 16), HV_ERR_INVALID_ARGS);
    CHECK_EQ(heap_free(&h, b + 512), HV_ERR_INVALID_ARGS);
    CHECK_EQ(heap_free(&h, (void *)(pb + HEAP_PAGE - 1)), HV_ERR_INVALID_ARGS);  /* tail slack */
    CHECK_EQ(heap_free(&h, (void *)(pb + HEAP_PAGE - 8)), HV_ERR_INVALID_ARGS);
    /* A never-allocated, correctly aligned slot of a live slab is free already. */
    unsigned char *next16 = a + 16 == (unsigned char *)pa + HEAP_PAGE ? a - 16 : a + 16;
    CHECK_EQ(heap_free(&h, next16), HV_ERR_INVALID_ARGS);
    /* Exhaustively: in both slabs, every address but the live object is refused. */
    unsigned accepted = 0;
    for (unsigned off = 0; off < HEAP_PAGE; off++) {
        if ((void *)(pa + off) != a && heap_free(&h, (void *)(pa + off)) != HV_ERR_INVALID_ARGS)
            accepted++;
        if ((void *)(pb + off) != b && heap_free(&h, (void *)(pb + off)) != HV_ERR_INVALID_ARGS)
            accepted++;
    }
    CHECK_EQ(accepted, 0);

    CHECK_EQ(h.objects, 2);
    CHECK_EQ(h.pages, 2);
    CHECK(all_bytes(a, 0x11, 16));
    CHECK(all_bytes(b, 0x22, 1024));
    /* The heap still works after all that. */
    unsigned char *c = heap_alloc(&h, 16);
    CHECK(c != NULL && c != a);
    CHECK_EQ(h.pages, 2);
    CHECK_EQ(heap_free(&h, c), HV_OK);
    CHECK_EQ(heap_free(&h, a), HV_OK);
    CHECK_EQ(heap_free(&h, b), HV_OK);
    check_empty(&h, s);
    src_drain(s);
    free(s);
}

UT_TEST(heap_page_source_failure)
{
    struct pagesrc *s = src_new();
    s->fail_after = 0;
    struct heap h;
    heap_init(&h, src_alloc, src_free, s);
    for (size_t size = 1; size <= HEAP_MAX_OBJECT; size *= 2)
        CHECK(heap_alloc(&h, size) == NULL);
    check_empty(&h, s);

    /* One page allowed: a class fills it, then fails; others fail at once. */
    s->fail_after = 1;
    void *v[16];
    unsigned n = 0;
    while (n < 16 && (v[n] = heap_alloc(&h, 1000)) != NULL)
        n++;
    CHECK(n >= 1 && n < 16);
    CHECK_EQ(h.objects, n);
    CHECK_EQ(h.pages, 1);
    CHECK(heap_alloc(&h, 16) == NULL);
    CHECK_EQ(h.objects, n);
    /* Freeing one makes room in the existing slab without a new page. */
    CHECK_EQ(heap_free(&h, v[n - 1]), HV_OK);
    v[n - 1] = heap_alloc(&h, 600);
    CHECK(v[n - 1] != NULL);
    for (unsigned i = 0; i < n; i++)
        CHECK_EQ(heap_free(&h, v[i]), HV_OK);
    check_empty(&h, s);

    s->fail_after = -1;                      /* source recovers */
    void *p = heap_alloc(&h, 16);
    CHECK(p != NULL);
    CHECK_EQ(heap_free(&h, p), HV_OK);
    check_empty(&h, s);
    src_drain(s);
    free(s);
}

/* ---- randomized stress ------------------------------------------------------ */

static uint64_t rng_state;
static uint64_t rng(void)
{
    uint64_t x = rng_state;                 /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

struct live_obj {
    unsigned char *p;
    size_t size;
    unsigned char fill;
};

UT_TEST(heap_random_stress)
{
    enum { OPS = 200000, MAXLIVE = 3000 };
    struct pagesrc *s = src_new();
    struct heap h;
    heap_init(&h, src_alloc, src_free, s);
    struct live_obj *live = calloc(MAXLIVE, sizeof *live);
    unsigned nlive = 0, bad_pattern = 0, bad_zero = 0, bad_free = 0, nulls = 0;
    unsigned double_tries = 0, double_ok = 0;
    rng_state = 0x9e3779b97f4a7c15ull;

    for (unsigned op = 0; op < OPS; op++) {
        /* Drift between mostly-alloc and mostly-free phases. */
        unsigned bias = (op / 20000) % 2 ? 35 : 65;
        int do_alloc = nlive == 0 || (nlive < MAXLIVE && rng() % 100 < bias);
        if (do_alloc) {
            size_t size;
            uint64_t r = rng();
            if (r % 4 == 0)
                size = 1 + (size_t)(rng() % HEAP_MAX_OBJECT);
            else
                size = ((size_t)16 << (r >> 8) % HEAP_CLASSES) - (size_t)(rng() % 3);
            unsigned char *p = heap_alloc(&h, size);
            if (!p) {
                nulls++;
                continue;
            }
            if (!all_bytes(p, 0, size))
                bad_zero++;
            unsigned char fill = (unsigned char)(op * 13 + 1);
            memset(p, fill, size);
            live[nlive++] = (struct live_obj){ p, size, fill };
        } else {
            unsigned i = (unsigned)(rng() % nlive);
            struct live_obj o = live[i];
            live[i] = live[--nlive];
            if (!all_bytes(o.p, o.fill, o.size))
                bad_pattern++;
            if (heap_free(&h, o.p) != HV_OK)
                bad_free++;
            /* Now and then, hand it back again while its slab still lives. */
            if (rng() % 16 == 0 && src_owns(s, o.p)) {
                double_tries++;
                if (heap_free(&h, o.p) == HV_ERR_INVALID_ARGS)
                    double_ok++;
            }
        }
        if (op % 5000 == 0) {
            CHECK_EQ(h.objects, nlive);
            CHECK_EQ(h.pages, s->outstanding);
        }
    }
    CHECK_EQ(nulls, 0);
    CHECK_EQ(bad_zero, 0);
    CHECK_EQ(bad_pattern, 0);
    CHECK_EQ(bad_free, 0);
    CHECK(double_tries > 100);
    CHECK_EQ(double_ok, double_tries);
    CHECK_EQ(h.objects, nlive);
    while (nlive) {
        struct live_obj o = live[--nlive];
        CHECK(all_bytes(o.p, o.fill, o.size));
        CHECK_EQ(heap_free(&h, o.p), HV_OK);
    }
    check_empty(&h, s);                      /* no leak: every page went back */
    CHECK_EQ(s->allocs, s->frees);
    free(live);
    src_drain(s);
    free(s);
}
