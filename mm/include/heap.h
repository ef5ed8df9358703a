/*
 * Small-object kernel heap: power-of-two slabs of 16..1024 bytes, one page
 * per slab, pages from a caller-supplied source. Empty slabs go back to the
 * source at once, so the frame count returns to where it was when every
 * object is freed. Larger objects take whole frames from the frame
 * allocator directly. Pure logic: kernel and host tests.
 */
#ifndef HEAP_H
#define HEAP_H

#include <stddef.h>
#include <stdint.h>
#include "hv/status.h"

#define HEAP_PAGE 4096
#define HEAP_MIN_SHIFT 4                /* 16 bytes */
#define HEAP_MAX_SHIFT 10               /* 1024 bytes */
#define HEAP_CLASSES (HEAP_MAX_SHIFT - HEAP_MIN_SHIFT + 1)
#define HEAP_MAX_OBJECT (1u << HEAP_MAX_SHIFT)

struct slab;

struct heap {
    void *(*page_alloc)(void *ctx);     /* one zeroed-or-not 4 KiB aligned page, or NULL */
    void (*page_free)(void *ctx, void *page);
    void *ctx;
    struct slab *partial[HEAP_CLASSES]; /* slabs with at least one free object */
    uint64_t pages;                     /* slab pages held */
    uint64_t objects;                   /* live objects */
};

void heap_init(struct heap *h, void *(*page_alloc)(void *), void (*page_free)(void *, void *),
               void *ctx);

/* Zeroed memory for size bytes (1..HEAP_MAX_OBJECT), or NULL. */
void *heap_alloc(struct heap *h, size_t size);

/* Frees p (NULL ignored): HV_OK, or HV_ERR_INVALID_ARGS when p is not a live heap object. */
hv_status_t heap_free(struct heap *h, void *p);

#endif
