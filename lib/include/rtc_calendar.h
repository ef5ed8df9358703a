/*
 * The proleptic Gregorian calendar: Unix seconds <-> date (lib/rtc_calendar.c).
 * Pure; the kernel reads the host's RTC with it, the VMM's RTC model keeps
 * the guest's date with it.
 */
#ifndef RTC_CALENDAR_H
#define RTC_CALENDAR_H

#include <stdint.h>

/* A broken-down date and time (binary, 24-hour). */
struct rtc_tm {
    int64_t year;
    uint8_t mon, day, hour, min, sec;   /* 1-12, 1-31, 0-23, 0-59, 0-59 */
};

int64_t rtc_tm_to_unix(const struct rtc_tm *tm);
void rtc_unix_to_tm(int64_t secs, struct rtc_tm *tm);
/* Day of the week of Unix time secs, 0 = Sunday. */
unsigned rtc_weekday(int64_t secs);

#endif
