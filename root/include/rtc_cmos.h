/*
 * The PC's Motorola MC146818A real-time clock and its CMOS RAM, as a device
 * model for the VMM's table (vmm_device.h). Pure: the time base is a tick
 * callback with its rate (acpi_pm.h's convention), the wall clock a callback
 * returning Unix seconds, read once at rtc_init(): from then on the clock
 * counts seconds from the ticks, like the chip's own oscillator, so second
 * boundaries, UIP and the interrupts all follow the same time base.
 *
 * Ports: 0x70 index (write-only: bits 6:0 select one of 128 bytes, bit 7 is
 * the PC's NMI mask, stored for rtc_nmi_masked(); reads give 0xff), 0x71 the
 * selected byte.
 *
 * Registers (MC146818A datasheet):
 *   0x00 seconds, 0x02 minutes, 0x04 hours, 0x06 day of week (1-7, Sunday 1),
 *   0x07 day of month, 0x08 month, 0x09 year (00-99), and 0x32 the century
 *   (a PC BIOS convention, which the ACPI FADT's CENTURY field names): BCD, or
 *   binary when register B's DM is set; hours 0-23, or 1-12 with bit 7 = PM
 *   when B's 24/12 bit is clear. The registers always show the current time
 *   in the current format (a format change takes effect at once). A write
 *   sets that field: while SET is 1 the fields are held as written and the
 *   clock resumes from them when SET goes to 0 (the next update a second
 *   later); a write with SET 0 sets the running clock at once.
 *   0x01, 0x03, 0x05 seconds / minutes / hours alarm: compared at every
 *   update in the current format; a value 0xc0-0xff matches anything.
 *   0x0a A: bit 7 UIP (read-only) is 1 in the 244 us (tBUC) before each
 *   update; the update itself (the seconds step, UF, AF) happens at the
 *   second boundary. DV2-0 (6:4): 010 runs the clock (the PC's 32.768 kHz
 *   time base); any other value stops the divider chain (the clock holds,
 *   no periodic interrupts), and going back to 010 makes the first update
 *   come half a second later. RS3-0 (3:0): the periodic rate, 0 none, 1 256
 *   Hz, 2 128 Hz, n = 3-15: 65536 >> n Hz (6 = 1024 Hz). Reset 0x26.
 *   0x0b B: SET (7) inhibits updates (and clears UIE when set), PIE (6),
 *   AIE (5), UIE (4), SQWE (3, stored: there is no SQW pin), DM (2), 24/12
 *   (1), DSE (0, stored: no daylight-saving switching). Reset 0x02.
 *   0x0c C (read-only): IRQF (7) = PF&PIE | AF&AIE | UF&UIE, PF (6) at each
 *   periodic tick, AF (5) at an update matching the alarm, UF (4) at each
 *   update; the flags are set whatever the enables, and a read returns
 *   them and clears them all.
 *   0x0d D (read-only): VRT (7) is always 1 (the battery is fine).
 *   0x0e-0x7f: CMOS RAM, read/write. At init, as a PC BIOS leaves it: base
 *   memory 640 KiB at 0x15/0x16, extended memory above 1 MiB in KiB at
 *   0x17/0x18 and 0x30/0x31 (at most 0xffff), memory above 16 MiB in 64 KiB
 *   units at 0x34/0x35 (SeaBIOS/QEMU's place), the checksum of 0x10-0x2d at
 *   0x2e (MSB) / 0x2f; everything else 0.
 *
 * IRQ 8: the chip's IRQ output is asserted while IRQF is set. The VMM sets
 * the PIC's line 8 to rtc_irq_level() after every RTC port access and at the
 * deadline rtc_next_event() gives (the next periodic tick or second boundary
 * that can raise an enabled flag; none while IRQF is already set).
 */
#ifndef RTC_CMOS_H
#define RTC_CMOS_H

#include <stdbool.h>
#include <stdint.h>
#include "rtc_calendar.h"
#include "vmm_device.h"

#define RTC_PORT_INDEX  0x70
#define RTC_PORT_DATA   0x71
#define RTC_IRQ         8
#define RTC_REG_A       0x0a
#define RTC_REG_B       0x0b
#define RTC_REG_C       0x0c
#define RTC_REG_D       0x0d
#define RTC_REG_CENTURY 0x32
#define RTC_NO_EVENT    UINT64_MAX

#define RTC_A_UIP   0x80
#define RTC_B_SET   0x80
#define RTC_B_PIE   0x40
#define RTC_B_AIE   0x20
#define RTC_B_UIE   0x10
#define RTC_B_DM    0x04
#define RTC_B_24H   0x02
#define RTC_C_IRQF  0x80
#define RTC_C_PF    0x40
#define RTC_C_AF    0x20
#define RTC_C_UF    0x10

typedef uint64_t (*rtc_clock_fn)(void *ctx);


struct rtc_cmos {
    rtc_clock_fn now;
    void *clock_ctx;
    uint64_t ticks_hz;
    uint8_t index;
    bool nmi_masked;
    uint8_t ram[128];           /* alarms, A (bits 6:0), B, CMOS RAM */
    uint8_t flags;              /* C's PF, AF, UF */
    int64_t base_secs;          /* Unix time of the second that began at tick_base */
    uint64_t tick_base;
    uint64_t last;              /* tick up to which the flags are accounted */
    bool held;                  /* SET or divider stopped: the time is held_tm */
    struct rtc_tm held_tm;
    uint8_t wday_adj;           /* a written weekday's offset from the computed one */
};

/*
 * Reset state: A 0x26, B 0x02 (BCD, 24-hour), the time from wall(). ticks_hz
 * must be nonzero and below 2^42. ram_below_4g (bytes) fills the memory-size
 * bytes.
 */
void rtc_init(struct rtc_cmos *rtc, rtc_clock_fn now, void *clock_ctx, uint64_t ticks_hz,
              int64_t (*wall)(void *ctx), void *wall_ctx, uint64_t ram_below_4g);

bool rtc_nmi_masked(const struct rtc_cmos *rtc);
/* Whether IRQ 8 is asserted at tick now. */
bool rtc_irq_level(struct rtc_cmos *rtc, uint64_t now);
/* The next tick that may assert IRQ 8, or RTC_NO_EVENT. */
uint64_t rtc_next_event(struct rtc_cmos *rtc, uint64_t now);

uint32_t rtc_io_read(void *ctx, uint16_t port, unsigned size);
void rtc_io_write(void *ctx, uint16_t port, unsigned size, uint32_t value);

/* Register "rtc" 0x70-0x71. */
bool rtc_register(struct rtc_cmos *rtc, struct vmm_devices *t);


#endif
