/*
 * lib/byte_ring.c: FIFO order across the wrap, dropping beyond the
 * capacity (counted), peek without taking, consume bounds, and a
 * randomized run against a reference queue.
 */
#include <stdint.h>
#include <string.h>
#include "byte_ring.h"
#include "ut.h"

UT_TEST(byte_ring_fifo_and_drop)
{
    uint8_t buf[8], out[16];
    struct byte_ring r;
    byte_ring_init(&r, buf, sizeof(buf));
    CHECK_EQ(byte_ring_count(&r), 0);
    CHECK_EQ(byte_ring_peek(&r, out, sizeof(out)), 0);
    CHECK_EQ(byte_ring_put(&r, (const uint8_t *)"abcde", 5), 5);
    CHECK_EQ(byte_ring_peek(&r, out, 3), 3);
    CHECK(!memcmp(out, "abc", 3));
    CHECK_EQ(byte_ring_count(&r), 5);           /* peek takes nothing */
    byte_ring_consume(&r, 3);
    CHECK_EQ(byte_ring_put(&r, (const uint8_t *)"fghijklm", 8), 6);     /* 2 + 6 = 8 */
    CHECK_EQ(r.dropped, 2);
    CHECK_EQ(byte_ring_peek(&r, out, sizeof(out)), 8);
    CHECK(!memcmp(out, "defghijk", 8));
    CHECK_EQ(byte_ring_put(&r, (const uint8_t *)"z", 1), 0);
    CHECK_EQ(r.dropped, 3);
    byte_ring_consume(&r, 100);                 /* more than there is: all */
    CHECK_EQ(byte_ring_count(&r), 0);
    CHECK_EQ(byte_ring_put(&r, (const uint8_t *)"xy", 2), 2);
    byte_ring_clear(&r);
    CHECK_EQ(byte_ring_count(&r), 0);
    CHECK_EQ(r.dropped, 3);
}

UT_TEST(byte_ring_random_against_model)
{
    uint8_t buf[37], model[4096], tmp[64];
    uint32_t mh = 0, mn = 0;                    /* model: linear, compacted when needed */
    uint64_t dropped = 0, seed = 11;
    struct byte_ring r;
    byte_ring_init(&r, buf, sizeof(buf));
    uint8_t next = 0;
    for (int step = 0; step < 100000; step++) {
        uint64_t x = ut_splitmix64(&seed);
        uint32_t n = (uint32_t)(x >> 8) % 50;
        if (x & 1) {
            uint8_t src[64];
            for (uint32_t i = 0; i < n; i++)
                src[i] = next++;
            uint32_t room = sizeof(buf) - mn, take = n < room ? n : room;
            if (mh + mn + take > sizeof(model)) {
                memmove(model, model + mh, mn);
                mh = 0;
            }
            memcpy(model + mh + mn, src, take);
            mn += take;
            dropped += n - take;
            CHECK_EQ(byte_ring_put(&r, src, n), take);
        } else {
            uint32_t got = byte_ring_peek(&r, tmp, n);
            CHECK_EQ(got, n < mn ? n : mn);
            CHECK(!memcmp(tmp, model + mh, got));
            byte_ring_consume(&r, got);
            mh += got;
            mn -= got;
        }
        CHECK_EQ(byte_ring_count(&r), mn);
        CHECK_EQ(r.dropped, dropped);
    }
}
