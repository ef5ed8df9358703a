/*
 * Unix seconds <-> Gregorian date (rtc_calendar.h). Pure code.
 * Days are counted in 400-year eras of 146097 days, the year starting on
 * March 1 so that the leap day is the last day of the counted year.
 */
#include "rtc_calendar.h"

#define DAYS_PER_ERA      146097
#define EPOCH_FROM_0000   719468        /* days from 0000-03-01 to 1970-01-01 */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                    /* 0-399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  /* 0-365 from March 1 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* 0-146096 */
    return era * DAYS_PER_ERA + doe - EPOCH_FROM_0000;
}

int64_t rtc_tm_to_unix(const struct rtc_tm *tm)
{
    unsigned mon = tm->mon < 1 ? 1 : tm->mon > 12 ? 12 : tm->mon;
    unsigned day = tm->day < 1 ? 1 : tm->day;
    int64_t days = days_from_civil(tm->year, mon, day);
    return days * 86400 + tm->hour * 3600 + tm->min * 60 + tm->sec;
}

void rtc_unix_to_tm(int64_t secs, struct rtc_tm *tm)
{
    int64_t days = floor_div(secs, 86400), rem = secs - days * 86400;
    tm->hour = (uint8_t)(rem / 3600);
    tm->min = (uint8_t)(rem / 60 % 60);
    tm->sec = (uint8_t)(rem % 60);
    int64_t z = days + EPOCH_FROM_0000;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    int64_t doe = z - era * DAYS_PER_ERA;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;                               /* 0 = March */
    tm->day = (uint8_t)(doy - (153 * mp + 2) / 5 + 1);
    tm->mon = (uint8_t)(mp < 10 ? mp + 3 : mp - 9);
    tm->year = yoe + era * 400 + (tm->mon <= 2);
}

unsigned rtc_weekday(int64_t secs)
{
    int64_t days = floor_div(secs, 86400);
    return (unsigned)((days % 7 + 7 + 4) % 7);                      /* 1970-01-01 was a Thursday */
}
