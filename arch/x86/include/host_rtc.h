/*
 * The machine's own CMOS real-time clock (MC146818-compatible, ports
 * 0x70/0x71), read once at boot so hv_system_info can give the VMMs the
 * wall-clock time (their guests' RTCs start from it).
 */
#ifndef HOST_RTC_H
#define HOST_RTC_H

#include <stdbool.h>
#include <stdint.h>
#include "rtc_calendar.h"

/* The century register most PCs use (ACPI FADT CENTURY; the kernel's ACPI parser does not
 * take the FADT's value, and a wrong guess only falls back to 20xx). */
#define HOST_RTC_CENTURY 0x32

/* The time registers as read: seconds 0x00, minutes 0x02, hours 0x04, day 0x07,
 * month 0x08, year 0x09, century (FADT's CENTURY, commonly 0x32; 0: none), B 0x0b. */
struct host_rtc_regs {
    uint8_t sec, min, hour, day, mon, year, century, reg_b;
};

/* Pure: decode per register B (bit 2 binary, bit 1 24-hour; MC146818 datasheet
 * "Register B"); a century byte that is not 19-21 means 20xx. False when a field is out
 * of range (a clock that was never set). */
bool host_rtc_decode(const struct host_rtc_regs *r, struct rtc_tm *out);

/* Read the clock (waiting out an update in progress, twice until two reads agree) and
 * return Unix seconds, or -1 when it reads as garbage or keeps changing. */
int64_t host_rtc_read_unix(uint8_t century_reg);

/* At boot: read the clock once and keep it with the TSC of that moment. */
void host_rtc_init(uint8_t century_reg);
/* Unix seconds at boot and the TSC then; 0 (and *tsc 0) when the clock was unreadable. */
uint64_t host_rtc_boot_time(uint64_t *tsc);

#endif
