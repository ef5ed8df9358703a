/*
 * arch/x86/rtc_decode.c: the host RTC's registers in BCD and binary, 12-
 * and 24-hour mode, the century byte and its fallback, and registers of a
 * clock that was never set refused; lib/rtc_calendar.c turns the result
 * into Unix seconds.
 */
#include <stdint.h>
#include "host_rtc.h"
#include "ut.h"

UT_TEST(host_rtc_bcd_24h)
{
    /* 2026-12-04 18:59:07, BCD, 24-hour (register B bit 1). */
    struct host_rtc_regs r = { 0x07, 0x59, 0x18, 0x04, 0x12, 0x26, 0x20, 0x02 };
    struct rtc_tm tm;
    CHECK(host_rtc_decode(&r, &tm));
    CHECK_EQ(tm.year, 2026);
    CHECK_EQ(tm.mon, 12);
    CHECK_EQ(tm.day, 4);
    CHECK_EQ(tm.hour, 18);
    CHECK_EQ(tm.min, 59);
    CHECK_EQ(tm.sec, 7);
    CHECK_EQ(rtc_tm_to_unix(&tm), 1796410747);
}

UT_TEST(host_rtc_binary_12h)
{
    /* Binary (bit 2), 12-hour: 12 AM is 0 h, 12 PM is 12 h, 6 PM is 18 h. */
    struct host_rtc_regs r = { 7, 59, 0x80 | 6, 4, 12, 26, 20, 0x04 };
    struct rtc_tm tm;
    CHECK(host_rtc_decode(&r, &tm));
    CHECK_EQ(tm.hour, 18);
    r.hour = 12;
    CHECK(host_rtc_decode(&r, &tm));
    CHECK_EQ(tm.hour, 0);
    r.hour = 0x80 | 12;
    CHECK(host_rtc_decode(&r, &tm));
    CHECK_EQ(tm.hour, 12);
    r.hour = 13;                                /* no 13 o'clock in 12-hour mode */
    CHECK(!host_rtc_decode(&r, &tm));
}

UT_TEST(host_rtc_century)
{
    struct host_rtc_regs r = { 0, 0, 0, 1, 1, 0x99, 0x19, 0x02 };
    struct rtc_tm tm;
    CHECK(host_rtc_decode(&r, &tm));
    CHECK_EQ(tm.year, 1999);
    r.century = 0;                              /* no century register: 20xx */
    CHECK(host_rtc_decode(&r, &tm));
    CHECK_EQ(tm.year, 2099);
    r.century = 0xff;                           /* garbage there: 20xx too */
    CHECK(host_rtc_decode(&r, &tm));
    CHECK_EQ(tm.year, 2099);
}

UT_TEST(host_rtc_garbage_refused)
{
    const struct host_rtc_regs bad[] = {
        { 0x60, 0, 0, 1, 1, 0x26, 0x20, 0x02 },  /* second 60 */
        { 0, 0x5a, 0, 1, 1, 0x26, 0x20, 0x02 },  /* not BCD */
        { 0, 0, 0x24, 1, 1, 0x26, 0x20, 0x02 },  /* hour 24 */
        { 0, 0, 0, 0, 1, 0x26, 0x20, 0x02 },     /* day 0 */
        { 0, 0, 0, 1, 0x13, 0x26, 0x20, 0x02 },  /* month 13 */
        { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },   /* nothing there */
    };
    struct rtc_tm tm;
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(!host_rtc_decode(&bad[i], &tm));
}
