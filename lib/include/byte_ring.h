/*
 * A byte FIFO over a caller's buffer that drops what does not fit (the
 * kernel console's input buffer, arch/x86/console.c). Pure: host tested.
 */
#ifndef BYTE_RING_H
#define BYTE_RING_H

#include <stdint.h>

struct byte_ring {
    uint8_t *buf;
    uint32_t cap;
    uint32_t head;              /* index of the oldest byte */
    uint32_t count;
    uint64_t dropped;           /* bytes put that found the ring full */
};

void byte_ring_init(struct byte_ring *r, uint8_t *buf, uint32_t cap);
/* Append n bytes; those beyond the free space are dropped (counted). Returns how many went in. */
uint32_t byte_ring_put(struct byte_ring *r, const uint8_t *src, uint32_t n);
/* Copy up to max of the oldest bytes to dst without taking them; returns how many. */
uint32_t byte_ring_peek(const struct byte_ring *r, uint8_t *dst, uint32_t max);
/* Take the n oldest bytes (at most all there are). */
void byte_ring_consume(struct byte_ring *r, uint32_t n);
/* Empty the ring (the drop count stays). */
void byte_ring_clear(struct byte_ring *r);

static inline uint32_t byte_ring_count(const struct byte_ring *r)
{
    return r->count;
}

#endif
