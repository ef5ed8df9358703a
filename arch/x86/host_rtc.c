/* Reading the machine's CMOS RTC once at boot (host_rtc.h). */
#include "base.h"
#include "host_rtc.h"
#include "x86.h"

#define CMOS_INDEX   0x70
#define CMOS_DATA    0x71
#define CMOS_NMI_OFF 0x80       /* keep NMIs masked while we select registers */
#define RTC_A_UIP    0x80
#define UIP_SPINS    1000000    /* an update takes under 2 ms; a stuck clock must not hang boot */

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, CMOS_NMI_OFF | reg);
    return inb(CMOS_DATA);
}

/* One snapshot taken while no update is in progress (MC146818: reads during UIP may
 * see a half-updated time). False when UIP never clears. */
static bool snapshot(uint8_t century_reg, struct host_rtc_regs *r)
{
    for (unsigned i = 0; cmos_read(0x0a) & RTC_A_UIP; i++)
        if (i == UIP_SPINS)
            return false;
    *r = (struct host_rtc_regs){ cmos_read(0x00), cmos_read(0x02), cmos_read(0x04),
                                 cmos_read(0x07), cmos_read(0x08), cmos_read(0x09),
                                 century_reg ? cmos_read(century_reg) : 0, cmos_read(0x0b) };
    return true;
}

int64_t host_rtc_read_unix(uint8_t century_reg)
{
    struct host_rtc_regs a, b;
    for (int tries = 0; tries < 5; tries++) {
        if (!snapshot(century_reg, &a) || !snapshot(century_reg, &b))
            return -1;
        if (a.sec == b.sec && a.min == b.min && a.hour == b.hour && a.day == b.day &&
            a.mon == b.mon && a.year == b.year && a.century == b.century) {
            struct rtc_tm tm;
            return host_rtc_decode(&a, &tm) ? rtc_tm_to_unix(&tm) : -1;
        }
    }
    return -1;
}

static uint64_t boot_unix, boot_tsc;

void host_rtc_init(uint8_t century_reg)
{
    int64_t t = host_rtc_read_unix(century_reg);
    if (t <= 0) {
        pr_warn("rtc: the machine's clock reads as garbage: guests' clocks start at a fixed date\n");
        return;
    }
    boot_unix = (uint64_t)t;
    boot_tsc = rdtsc();
    struct rtc_tm tm;
    rtc_unix_to_tm(t, &tm);
    pr_info("rtc: machine clock %04lld-%02u-%02u %02u:%02u:%02u\n", (long long)tm.year, tm.mon,
            tm.day, tm.hour, tm.min, tm.sec);
}

uint64_t host_rtc_boot_time(uint64_t *tsc)
{
    *tsc = boot_tsc;
    return boot_unix;
}
