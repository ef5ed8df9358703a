/* Decoding the host RTC's time registers (host_rtc.h). Pure. */
#include "host_rtc.h"

#define RTC_B_24H    0x02
#define RTC_B_BINARY 0x04
#define RTC_HOUR_PM  0x80       /* 12-hour mode: bit 7 of the hours byte */

/* A BCD byte, or -1 when a nibble is not a decimal digit. */
static int from_bcd(uint8_t v)
{
    if ((v & 0xf) > 9 || (v >> 4) > 9)
        return -1;
    return (v >> 4) * 10 + (v & 0xf);
}

static int field(uint8_t v, bool binary)
{
    return binary ? v : from_bcd(v);
}

bool host_rtc_decode(const struct host_rtc_regs *r, struct rtc_tm *out)
{
    bool binary = r->reg_b & RTC_B_BINARY;
    int sec = field(r->sec, binary), min = field(r->min, binary);
    int day = field(r->day, binary), mon = field(r->mon, binary), year = field(r->year, binary);
    int hour = field(r->hour & (uint8_t)~RTC_HOUR_PM, binary);
    int century = r->century ? field(r->century, binary) : -1;
    if (sec < 0 || sec > 59 || min < 0 || min > 59 || day < 1 || day > 31 || mon < 1 ||
        mon > 12 || year < 0 || year > 99 || hour < 0)
        return false;
    if (!(r->reg_b & RTC_B_24H)) {
        /* 12-hour mode: 12 AM is midnight, 12 PM is noon. */
        if (hour < 1 || hour > 12)
            return false;
        hour = (hour % 12) + ((r->hour & RTC_HOUR_PM) ? 12 : 0);
    } else if (hour > 23) {
        return false;
    }
    if (century < 19 || century > 21)
        century = 20;
    *out = (struct rtc_tm){ .year = century * 100 + year, .mon = (uint8_t)mon,
                            .day = (uint8_t)day, .hour = (uint8_t)hour, .min = (uint8_t)min,
                            .sec = (uint8_t)sec };
    return true;
}
