/* A dropping byte FIFO (lib/include/byte_ring.h). */
#include "byte_ring.h"

void byte_ring_init(struct byte_ring *r, uint8_t *buf, uint32_t cap)
{
    *r = (struct byte_ring){ .buf = buf, .cap = cap };
}

uint32_t byte_ring_put(struct byte_ring *r, const uint8_t *src, uint32_t n)
{
    uint32_t room = r->cap - r->count, take = n < room ? n : room;
    for (uint32_t i = 0; i < take; i++)
        r->buf[(r->head + r->count + i) % r->cap] = src[i];
    r->count += take;
    r->dropped += n - take;
    return take;
}

uint32_t byte_ring_peek(const struct byte_ring *r, uint8_t *dst, uint32_t max)
{
    uint32_t n = max < r->count ? max : r->count;
    for (uint32_t i = 0; i < n; i++)
        dst[i] = r->buf[(r->head + i) % r->cap];
    return n;
}

void byte_ring_consume(struct byte_ring *r, uint32_t n)
{
    if (n > r->count)
        n = r->count;
    if (r->cap)
        r->head = (r->head + n) % r->cap;
    r->count -= n;
}

void byte_ring_clear(struct byte_ring *r)
{
    r->head = r->count = 0;
}
