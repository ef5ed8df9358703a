/* The MC146818A RTC and the CMOS RAM (see rtc_cmos.h). Pure code. */
#include "rtc_cmos.h"
#include "kstring.h"

#define TBUC_US 244                     /* UIP is set this long before an update */

static void put16(uint8_t *ram, unsigned lo, uint64_t v)
{
    if (v > 0xffff)
        v = 0xffff;
    ram[lo] = (uint8_t)v;
    ram[lo + 1] = (uint8_t)(v >> 8);
}

void rtc_init(struct rtc_cmos *rtc, rtc_clock_fn now, void *clock_ctx, uint64_t ticks_hz,
              int64_t (*wall)(void *ctx), void *wall_ctx, uint64_t ram_below_4g)
{
    memset(rtc, 0, sizeof(*rtc));
    rtc->now = now;
    rtc->clock_ctx = clock_ctx;
    rtc->ticks_hz = ticks_hz ? ticks_hz : 1;
    rtc->tick_base = rtc->last = now(clock_ctx);
    rtc->base_secs = wall(wall_ctx);
    rtc->ram[RTC_REG_A] = 0x26;
    rtc->ram[RTC_REG_B] = RTC_B_24H;
    const uint64_t kib = 1024, mib = 1024 * kib;
    put16(rtc->ram, 0x15, 640);
    uint64_t ext = ram_below_4g > mib ? (ram_below_4g - mib) / kib : 0;
    put16(rtc->ram, 0x17, ext);
    put16(rtc->ram, 0x30, ext);
    put16(rtc->ram, 0x34, ram_below_4g > 16 * mib ? (ram_below_4g - 16 * mib) / (64 * kib) : 0);
    uint16_t sum = 0;
    for (unsigned i = 0x10; i <= 0x2d; i++)
        sum = (uint16_t)(sum + rtc->ram[i]);
    rtc->ram[0x2e] = (uint8_t)(sum >> 8);
    rtc->ram[0x2f] = (uint8_t)sum;
}

bool rtc_nmi_masked(const struct rtc_cmos *rtc)
{
    return rtc->nmi_masked;
}

static bool divider_runs(const struct rtc_cmos *rtc)
{
    return ((rtc->ram[RTC_REG_A] >> 4) & 7) == 2;
}

static unsigned periodic_hz(const struct rtc_cmos *rtc)
{
    unsigned rs = rtc->ram[RTC_REG_A] & 0x0f;
    if (!rs || !divider_runs(rtc))
        return 0;
    return rs <= 2 ? 512u >> rs : 65536u >> rs;  /* 32.768 kHz: 1, 2 give 256, 128 Hz */
}

/* floor((x - tick_base) * rate / hz), exactly. */
static uint64_t periods(const struct rtc_cmos *rtc, uint64_t x, unsigned rate)
{
    uint64_t e = x - rtc->tick_base, hz = rtc->ticks_hz;
    return e / hz * rate + e % hz * rate / hz;
}

static uint64_t seconds(const struct rtc_cmos *rtc, uint64_t x)
{
    return (x - rtc->tick_base) / rtc->ticks_hz;
}

static uint8_t to_reg(const struct rtc_cmos *rtc, unsigned v)
{
    v %= 100;
    return (rtc->ram[RTC_REG_B] & RTC_B_DM) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned from_reg(const struct rtc_cmos *rtc, uint8_t v)
{
    return (rtc->ram[RTC_REG_B] & RTC_B_DM) ? v : (v >> 4) * 10u + (v & 0xf);
}

static uint8_t hour_reg(const struct rtc_cmos *rtc, unsigned h)
{
    if (rtc->ram[RTC_REG_B] & RTC_B_24H)
        return to_reg(rtc, h);
    return (uint8_t)(to_reg(rtc, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
}

static unsigned hour_from_reg(const struct rtc_cmos *rtc, uint8_t v)
{
    if (rtc->ram[RTC_REG_B] & RTC_B_24H)
        return from_reg(rtc, v);
    return from_reg(rtc, v & 0x7f) % 12 + (v & 0x80 ? 12 : 0);
}

/* An alarm byte matches when equal or "don't care" (0xc0-0xff). */
static bool alarm_match(uint8_t alarm, uint8_t now)
{
    return alarm >= 0xc0 || alarm == now;
}

static bool alarm_at(const struct rtc_cmos *rtc, int64_t secs)
{
    int64_t s = secs % 86400;
    if (s < 0)
        s += 86400;
    return alarm_match(rtc->ram[1], to_reg(rtc, (unsigned)(s % 60))) &&
           alarm_match(rtc->ram[3], to_reg(rtc, (unsigned)(s / 60 % 60))) &&
           alarm_match(rtc->ram[5], hour_reg(rtc, (unsigned)(s / 3600)));
}

/* Raise the flags of the periodic ticks and updates in (last, t]. */
static void rtc_sync(struct rtc_cmos *rtc, uint64_t t)
{
    if (t <= rtc->last)
        return;
    unsigned rate = periodic_hz(rtc);
    if (rate && periods(rtc, t, rate) != periods(rtc, rtc->last, rate))
        rtc->flags |= RTC_C_PF;
    if (!rtc->held) {
        uint64_t from = seconds(rtc, rtc->last), to = seconds(rtc, t);
        if (to != from)
            rtc->flags |= RTC_C_UF;
        if (to - from > 86400)                  /* a day covers every alarm time */
            from = to - 86400;
        for (uint64_t s = from + 1; s <= to && !(rtc->flags & RTC_C_AF); s++)
            if (alarm_at(rtc, rtc->base_secs + (int64_t)s))
                rtc->flags |= RTC_C_AF;
    }
    rtc->last = t;
}

static uint64_t clock_now(struct rtc_cmos *rtc)
{
    uint64_t t = rtc->now(rtc->clock_ctx);
    if (t < rtc->last)
        t = rtc->last;
    rtc_sync(rtc, t);
    return t;
}

static void current_tm(const struct rtc_cmos *rtc, uint64_t t, struct rtc_tm *tm)
{
    if (rtc->held)
        *tm = rtc->held_tm;
    else
        rtc_unix_to_tm(rtc->base_secs + (int64_t)seconds(rtc, t), tm);
}

/* The clock holds (SET or divider stopped) or resumes; t is synced. */
static void hold_update(struct rtc_cmos *rtc, uint64_t t, bool from_divider_reset)
{
    bool hold = (rtc->ram[RTC_REG_B] & RTC_B_SET) || !divider_runs(rtc);
    if (hold == rtc->held)
        return;
    if (hold) {
        current_tm(rtc, t, &rtc->held_tm);
    } else {
        rtc->base_secs = rtc_tm_to_unix(&rtc->held_tm);
        uint64_t half = rtc->ticks_hz / 2;      /* the first update half a second on */
        rtc->tick_base = from_divider_reset && t >= half ? t - half : t;
    }
    rtc->held = hold;
}

static unsigned weekday_of(const struct rtc_cmos *rtc, const struct rtc_tm *tm)
{
    return (rtc_weekday(rtc_tm_to_unix(tm)) + rtc->wday_adj) % 7 + 1;
}

static uint8_t time_read(const struct rtc_cmos *rtc, unsigned idx, uint64_t t)
{
    struct rtc_tm tm;
    current_tm(rtc, t, &tm);
    int64_t y = tm.year < 0 ? 0 : tm.year;
    switch (idx) {
    case 0: return to_reg(rtc, tm.sec);
    case 2: return to_reg(rtc, tm.min);
    case 4: return hour_reg(rtc, tm.hour);
    case 6: return (uint8_t)weekday_of(rtc, &tm);
    case 7: return to_reg(rtc, tm.day);
    case 8: return to_reg(rtc, tm.mon);
    case 9: return to_reg(rtc, (unsigned)(y % 100));
    default: return to_reg(rtc, (unsigned)(y / 100 % 100));      /* century */
    }
}

static void time_write(struct rtc_cmos *rtc, unsigned idx, uint8_t v, uint64_t t)
{
    struct rtc_tm tm;
    current_tm(rtc, t, &tm);
    unsigned n = idx == 4 ? hour_from_reg(rtc, v) : from_reg(rtc, v);
    switch (idx) {
    case 0: tm.sec = (uint8_t)n; break;
    case 2: tm.min = (uint8_t)n; break;
    case 4: tm.hour = (uint8_t)n; break;
    case 6: {
        unsigned want = (v ? v - 1u : 0) % 7, have = rtc_weekday(rtc_tm_to_unix(&tm));
        rtc->wday_adj = (uint8_t)((want + 7 - have) % 7);
        return;
    }
    case 7: tm.day = (uint8_t)n; break;
    case 8: tm.mon = (uint8_t)n; break;
    case 9: tm.year = tm.year - tm.year % 100 + n; break;
    default: tm.year = tm.year % 100 + 100 * (int64_t)n; break;   /* century */
    }
    if (rtc->held) {
        rtc->held_tm = tm;
    } else {                                    /* running: the set second starts now */
        rtc->base_secs = rtc_tm_to_unix(&tm);
        rtc->tick_base += seconds(rtc, t) * rtc->ticks_hz;
    }
}

static bool uip(const struct rtc_cmos *rtc, uint64_t t)
{
    if (rtc->held)
        return false;
    uint64_t hz = rtc->ticks_hz, phase = (t - rtc->tick_base) % hz;
    return phase >= hz - hz * TBUC_US / 1000000;
}

static bool is_time_reg(unsigned idx)
{
    return (idx <= 9 && idx != 1 && idx != 3 && idx != 5) || idx == RTC_REG_CENTURY;
}

static uint8_t reg_read(struct rtc_cmos *rtc, unsigned idx)
{
    uint64_t t = clock_now(rtc);
    if (is_time_reg(idx))
        return time_read(rtc, idx, t);
    switch (idx) {
    case RTC_REG_A:
        return (uint8_t)((rtc->ram[RTC_REG_A] & 0x7f) | (uip(rtc, t) ? RTC_A_UIP : 0));
    case RTC_REG_C: {
        uint8_t v = rtc->flags;
        if (v & rtc->ram[RTC_REG_B] & 0x70)
            v |= RTC_C_IRQF;
        rtc->flags = 0;
        return v;
    }
    case RTC_REG_D:
        return 0x80;                            /* VRT */
    default:
        return rtc->ram[idx];
    }
}

static void reg_write(struct rtc_cmos *rtc, unsigned idx, uint8_t v)
{
    uint64_t t = clock_now(rtc);
    if (is_time_reg(idx)) {
        time_write(rtc, idx, v, t);
        return;
    }
    switch (idx) {
    case RTC_REG_A: {
        bool was_reset = !divider_runs(rtc);
        rtc->ram[RTC_REG_A] = v & 0x7f;
        hold_update(rtc, t, was_reset);
        break;
    }
    case RTC_REG_B:
        if (v & RTC_B_SET)
            v &= (uint8_t)~RTC_B_UIE;           /* SET going high clears UIE */
        rtc->ram[RTC_REG_B] = v;
        hold_update(rtc, t, false);
        break;
    case RTC_REG_C: case RTC_REG_D:
        break;                                  /* read-only */
    default:
        rtc->ram[idx] = v;
        break;
    }
}

bool rtc_irq_level(struct rtc_cmos *rtc, uint64_t now)
{
    rtc_sync(rtc, now);
    return (rtc->flags & rtc->ram[RTC_REG_B] & 0x70) != 0;
}

uint64_t rtc_next_event(struct rtc_cmos *rtc, uint64_t now)
{
    if (now < rtc->last)
        now = rtc->last;
    if (rtc_irq_level(rtc, now))
        return RTC_NO_EVENT;                    /* IRQF stays until C is read */
    uint8_t b = rtc->ram[RTC_REG_B];
    uint64_t next = RTC_NO_EVENT, hz = rtc->ticks_hz;
    unsigned rate = periodic_hz(rtc);
    if ((b & RTC_B_PIE) && rate) {
        uint64_t k = periods(rtc, now, rate) + 1;
        next = rtc->tick_base + k / rate * hz + (k % rate * hz + rate - 1) / rate;
    }
    if ((b & (RTC_B_UIE | RTC_B_AIE)) && !rtc->held) {
        uint64_t s = rtc->tick_base + (seconds(rtc, now) + 1) * hz;
        if (s < next)
            next = s;
    }
    return next;
}

uint32_t rtc_io_read(void *ctx, uint16_t port, unsigned size)
{
    struct rtc_cmos *rtc = ctx;
    uint32_t high = (uint32_t)vmm_all_ones(size) & ~0xffu;
    if (port == RTC_PORT_DATA)
        return high | reg_read(rtc, rtc->index);
    return high | 0xff;                         /* the index port is write-only */
}

void rtc_io_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    (void)size;                                 /* the low byte acts */
    struct rtc_cmos *rtc = ctx;
    if (port == RTC_PORT_INDEX) {
        rtc->index = value & 0x7f;
        rtc->nmi_masked = value & 0x80;
    } else {
        reg_write(rtc, rtc->index, (uint8_t)value);
    }
}

bool rtc_register(struct rtc_cmos *rtc, struct vmm_devices *t)
{
    const struct vmm_device d = { "rtc", RTC_PORT_INDEX, 2, 0, 0, rtc, rtc_io_read,
                                  rtc_io_write, 0, 0 };
    return vmm_devices_add(t, &d);
}
