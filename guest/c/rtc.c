/*
 * rtc: the CMOS real-time clock (MC146818A / DS12887 datasheets) at ports
 * 0x70/0x71:
 * - the date and time, read as Linux does (wait for UIP in register A to be
 *   clear, read, read again until two reads agree), in the mode register B
 *   gives (bit 2 DM: binary or BCD, bit 1: 24 or 12 hour with bit 7 of the
 *   hour the PM flag); every field in range, century (register 0x32) and
 *   year 2024-2100;
 * - the modes: with SET (B bit 7) the guest rewrites the time in binary 12 h,
 *   reads it back the same (to a few seconds), then again in BCD 24 h;
 * - UIP is seen set while polling register A for ~1.1 s of TSC time, and the
 *   seconds advance by 1 or 2 across it; register D reads VRT (bit 7);
 * - bit 7 of port 0x70 (NMI mask) does not change what reads return;
 * - the periodic interrupt: register A rate 6 (1024 Hz), B PIE, IRQ 8 on the
 *   slave 8259A through the cascade (IR2): N interrupts (rtc.n, default 256)
 *   at 1024 Hz within 1% against the TSC, register C shows IRQF and PF; then
 *   at rate 10 (64 Hz): reading C clears it (a second read in the handler
 *   gives 0); without that read the line stays high and no further
 *   interrupt comes; after it they come again.
 * Exit status: 0, or the code of the first failed check (10-27).
 */
#include "pc.h"

GUEST_NAME("rtc");

#define RTC_SEC         0x00
#define RTC_MIN         0x02
#define RTC_HOUR        0x04
#define RTC_DAY         0x07
#define RTC_MONTH       0x08
#define RTC_YEAR        0x09
#define RTC_A           0x0a
#define RTC_B           0x0b
#define RTC_C           0x0c
#define RTC_D           0x0d
#define RTC_CENTURY     0x32
#define A_UIP           0x80
#define B_SET           0x80
#define B_PIE           0x40
#define B_DM_BINARY     0x04
#define B_24H           0x02
#define C_IRQF          0x80
#define C_PF            0x40
#define D_VRT           0x80
#define VEC_MASTER      0x20
#define VEC_SLAVE       0x28

static uint64_t tsc_hz;
/* Periodic interrupts not timed at the start (one may be stale: the rate is new). */
#define UNTIMED         2

static uint8_t cmos_read_nmi(uint8_t reg, bool nmi_off)
{
    outb(0x70, (uint8_t)(reg | (nmi_off ? 0x80 : 0)));
    return inb(0x71);
}

static uint8_t cmos_read(uint8_t reg)
{
    return cmos_read_nmi(reg, false);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
    outb(0x70, reg);
    outb(0x71, v);
}

/* Binary, 24 hour. */
struct rtc_time {
    uint32_t sec, min, hour, day, month, year;  /* year with the century */
};

struct raw {
    uint8_t r[7];                               /* sec, min, hour, day, month, year, century */
};
static const uint8_t raw_regs[7] = { RTC_SEC, RTC_MIN, RTC_HOUR, RTC_DAY, RTC_MONTH, RTC_YEAR, RTC_CENTURY };

static bool read_raw(struct raw *out)
{
    for (unsigned tries = 0; tries < 100; tries++) {
        for (unsigned i = 0; i < 100000 && (cmos_read(RTC_A) & A_UIP); i++)
            ;
        struct raw a, b;
        for (unsigned i = 0; i < 7; i++)
            a.r[i] = cmos_read(raw_regs[i]);
        for (unsigned i = 0; i < 7; i++)
            b.r[i] = cmos_read(raw_regs[i]);
        if (!memcmp(&a, &b, sizeof(a))) {
            *out = a;
            return true;
        }
    }
    return false;
}

static bool bcd_ok(uint8_t v)
{
    return (v & 0xf) <= 9 && (v >> 4) <= 9;
}

static uint32_t from_bcd(uint8_t v)
{
    return (v >> 4) * 10u + (v & 0xf);
}

static uint8_t to_bcd(uint32_t v)
{
    return (uint8_t)((v / 10) << 4 | v % 10);
}

/* Decodes raw in the mode of register b; false if a BCD digit or the 12 h hour is malformed. */
static bool decode(const struct raw *raw, uint8_t b, struct rtc_time *t)
{
    bool bin = b & B_DM_BINARY, ok = true;
    uint32_t v[7];
    for (unsigned i = 0; i < 7; i++) {
        uint8_t x = raw->r[i];
        if (i == 2 && !(b & B_24H))
            x &= 0x7f;                          /* the PM flag */
        if (!bin && !bcd_ok(x))
            ok = false;
        v[i] = bin ? x : from_bcd(x);
    }
    uint32_t hour = v[2];
    if (!(b & B_24H)) {
        if (hour < 1 || hour > 12)
            ok = false;
        hour = hour % 12 + (raw->r[2] & 0x80 ? 12 : 0);
    }
    *t = (struct rtc_time){ v[0], v[1], hour, v[3], v[4], v[6] * 100 + v[5] };
    return ok;
}

static void encode(const struct rtc_time *t, uint8_t b, struct raw *raw)
{
    bool bin = b & B_DM_BINARY;
    uint32_t hour = t->hour;
    uint8_t pm = 0;
    if (!(b & B_24H)) {
        pm = hour >= 12 ? 0x80 : 0;
        hour = hour % 12 ? hour % 12 : 12;
    }
    uint32_t v[7] = { t->sec, t->min, hour, t->day, t->month, t->year % 100, t->year / 100 };
    for (unsigned i = 0; i < 7; i++)
        raw->r[i] = bin ? (uint8_t)v[i] : to_bcd(v[i]);
    raw->r[2] |= pm;
}

/* Sets the clock to t in the mode of b (SET held while writing), then b without SET. */
static void write_time(const struct rtc_time *t, uint8_t b)
{
    struct raw raw;
    encode(t, b, &raw);
    cmos_write(RTC_B, (uint8_t)(b | B_SET));
    for (unsigned i = 0; i < 7; i++)
        cmos_write(raw_regs[i], raw.r[i]);
    cmos_write(RTC_B, (uint8_t)(b & ~B_SET));
}

static bool plausible(const struct rtc_time *t)
{
    return t->sec < 60 && t->min < 60 && t->hour < 24 && t->day >= 1 && t->day <= 31 && t->month >= 1 &&
           t->month <= 12 && t->year >= 2024 && t->year <= 2100;
}

static uint32_t seconds_of_day(const struct rtc_time *t)
{
    return (t->hour * 60 + t->min) * 60 + t->sec;
}

/* b later than a by 0..max seconds (same day or just past midnight). */
static bool close_after(const struct rtc_time *a, const struct rtc_time *b, uint32_t max)
{
    uint32_t d = (seconds_of_day(b) + 86400 - seconds_of_day(a)) % 86400;
    return d <= max && (d > 0 || (a->day == b->day && a->month == b->month && a->year == b->year));
}

static void show(const char *what, const struct rtc_time *t, uint8_t b)
{
    rt_printf("rtc: %s: %04u-%02u-%02u %02u:%02u:%02u (register B 0x%02x: %s, %s)\n", what, t->year, t->month,
              t->day, t->hour, t->min, t->sec, b, b & B_DM_BINARY ? "binary" : "BCD", b & B_24H ? "24 h" : "12 h");
}

/* ---- the periodic interrupt ---------------------------------------------------------- */

static volatile uint32_t ticks, flags_missing;
static volatile uint8_t second_c;               /* register C read again right after */
static volatile bool acknowledge = true;
static volatile uint64_t first_tsc, last_tsc;

static void irq8(uint32_t vector)
{
    (void)vector;
    uint64_t t = rdtsc();
    if (ticks++ == UNTIMED)
        first_tsc = t;
    last_tsc = t;
    if (acknowledge) {
        uint8_t c = cmos_read(RTC_C);
        if ((c & (C_IRQF | C_PF)) != (C_IRQF | C_PF))
            flags_missing++;
        second_c = cmos_read(RTC_C);            /* a period from the next flag: clear */
    }
    pic_eoi(8);
}

static void spurious_irq(uint32_t vector)
{
    rt_fail(EXIT_CHECK, "unexpected interrupt vector 0x%x", vector);
}

static void wait_ticks(uint32_t n, uint32_t timeout_us)
{
    uint64_t start = rdtsc(), limit = muldiv64(tsc_hz, timeout_us, 1000000);
    while (ticks < n && rdtsc() - start < limit)
        rt_sti_hlt();
    rt_cli();
}

static void periodic(void)
{
    uint32_t n = rt_cmdline_u32("rtc.n", 256);
    if (n < 2)
        n = 2;
    for (unsigned v = VEC_MASTER; v < VEC_MASTER + 16; v++)
        rt_set_vector((uint8_t)v, spurious_irq);
    rt_set_vector(VEC_SLAVE, irq8);
    pic_init(VEC_MASTER, VEC_SLAVE, (uint16_t)~(1u << 2 | 1u << 8));    /* cascade and IRQ 8 */
    uint8_t a = cmos_read(RTC_A), b = cmos_read(RTC_B);
    cmos_write(RTC_A, (uint8_t)((a & 0x70) | 6));                        /* rate 6: 32768 >> 5 Hz */
    (void)cmos_read(RTC_C);
    cmos_write(RTC_B, (uint8_t)(b | B_PIE));
    ticks = flags_missing = 0;
    wait_ticks(UNTIMED + n + 1, (uint32_t)((uint64_t)(UNTIMED + n + 1) * 3000000 / 1024) + 100000);
    uint32_t got = ticks > UNTIMED ? ticks - UNTIMED : 0;
    uint64_t dt = last_tsc - first_tsc;
    uint64_t got_mhz = got > 1 && dt ? muldiv64((uint64_t)(got - 1) * 1000, tsc_hz, dt) : 0;
    rt_printf("rtc: periodic rate 6: %u interrupts at %u.%03u Hz (expected 1024 Hz)\n", got,
              (uint32_t)udiv64(got_mhz, 1000), (uint32_t)(got_mhz - udiv64(got_mhz, 1000) * 1000));
    check_status(21, got >= n + 1, "IRQ 8 arrives through the slave 8259A %u times while the guest halts", n + 1);
    check_status(22, got > 1 && pc_within(got_mhz, 1024000, 100), "the periodic rate is within 1%% of 1024 Hz");
    check_status(23, got && flags_missing == 0, "register C shows IRQF and PF in each handler (%u without)",
                 flags_missing);

    /* Rate 10 (64 Hz) from here: a period is long against a few port accesses. */
    cmos_write(RTC_A, (uint8_t)((a & 0x70) | 10));
    uint32_t before = ticks;
    wait_ticks(before + 3, 200000);
    uint8_t c2 = second_c;
    check_status(26, ticks == before + 3 && !(c2 & (C_IRQF | C_PF)),
                 "reading register C clears it: a second read in the handler gives 0x%02x", c2);

    /* Not acknowledged: IRQ 8 stays high, the edge-triggered 8259A sees no new edge. */
    acknowledge = false;
    before = ticks;
    rt_sti();
    pc_delay_us(tsc_hz, 20 * 15625);            /* 20 periods */
    rt_cli();
    uint32_t unacked = ticks - before;
    check_status(24, unacked == 1, "without reading register C one interrupt comes in 20 periods, not more (%u)",
                 unacked);
    uint8_t c = cmos_read(RTC_C);
    check_status(25, (c & (C_IRQF | C_PF)) == (C_IRQF | C_PF), "register C then holds IRQF and PF (0x%02x)", c);
    acknowledge = true;
    before = ticks;
    rt_sti();
    pc_delay_us(tsc_hz, 10 * 15625);
    rt_cli();
    check_status(27, ticks - before >= 5, "after the read the interrupts come again (%u in 10 periods)",
                 ticks - before);

    cmos_write(RTC_B, (uint8_t)(cmos_read(RTC_B) & ~B_PIE));
    cmos_write(RTC_A, a);
    (void)cmos_read(RTC_C);
    pic_set_mask(0xffff);
}

int gmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    const char *src;
    tsc_hz = pc_tsc_hz(&src);
    if (!check_status(10, tsc_hz >= 1000000, "CPUID gives the TSC frequency (%s)", src))
        return 0;

    /* As the firmware left it. */
    uint8_t b0 = cmos_read(RTC_B);
    struct raw raw;
    struct rtc_time t0 = { 0 }, t1 = { 0 }, t2 = { 0 };
    bool read_ok = read_raw(&raw);
    bool fmt_ok = decode(&raw, b0, &t0);
    show("now", &t0, b0);
    check_status(11, read_ok, "two reads with UIP clear agree");
    check_status(12, fmt_ok, "the registers are well-formed in that mode");
    check_status(13, plausible(&t0), "plausible: year 2024-2100 (century byte 0x32: %u), fields in range",
                 t0.year / 100);

    /* Binary, 12 h: write the time in that mode, read it back. */
    uint8_t b12 = (uint8_t)((b0 & ~(B_SET | B_24H | B_PIE)) | B_DM_BINARY);
    write_time(&t0, b12);
    bool ok = read_raw(&raw) && decode(&raw, cmos_read(RTC_B), &t1);
    show("binary 12 h", &t1, cmos_read(RTC_B));
    check_status(14, ok && (raw.r[2] & 0x7f) >= 1 && (raw.r[2] & 0x7f) <= 12 && raw.r[5] <= 99,
                 "binary 12 h: hour 1-12 with bit 7 for PM (0x%02x), binary year (0x%02x)", raw.r[2], raw.r[5]);
    check_status(15, ok && close_after(&t0, &t1, 3) && t1.day == t0.day, "binary 12 h reads back what was written");

    /* BCD, 24 h. */
    uint8_t b24 = (uint8_t)((b0 & ~(B_SET | B_DM_BINARY | B_PIE)) | B_24H);
    write_time(&t1, b24);
    ok = read_raw(&raw) && decode(&raw, cmos_read(RTC_B), &t2);
    show("BCD 24 h", &t2, cmos_read(RTC_B));
    check_status(16, ok && close_after(&t1, &t2, 3) && bcd_ok(raw.r[6]) && raw.r[6] >= 0x20,
                 "BCD 24 h reads back what was written, century byte BCD (0x%02x)", raw.r[6]);

    /* UIP and the seconds across ~1.1 s of TSC time. */
    read_raw(&raw);
    uint32_t s0 = from_bcd(raw.r[0]);
    uint64_t start = rdtsc(), span = muldiv64(tsc_hz, 1100, 1000);
    uint32_t polls = 0, uip = 0;
    while (rdtsc() - start < span) {
        polls++;
        if (cmos_read(RTC_A) & A_UIP)
            uip++;
    }
    read_raw(&raw);
    uint32_t s1 = from_bcd(raw.r[0]), adv = (s1 + 60 - s0) % 60;
    rt_printf("rtc: seconds %u -> %u in 1.1 s; UIP set in %u of %u polls\n", s0, s1, uip, polls);
    check_status(17, adv == 1 || adv == 2, "the seconds advance by 1 or 2 in 1.1 s of TSC time (%u)", adv);
    check_status(18, uip > 0 && uip < polls, "UIP in register A is set before the update, clear otherwise");
    uint8_t d = cmos_read(RTC_D);
    check_status(19, d & D_VRT, "register D: VRT set (0x%02x)", d);

    /* The NMI mask bit of port 0x70 selects the same registers. */
    uint8_t a_plain = cmos_read(RTC_A), a_nmi = cmos_read_nmi(RTC_A, true);
    uint8_t sec_plain = cmos_read(RTC_SEC), sec_nmi = cmos_read_nmi(RTC_SEC, true);
    uint8_t cent_nmi = cmos_read_nmi(RTC_CENTURY, true);
    (void)cmos_read(RTC_D);                     /* NMIs enabled again */
    check_status(20, (a_plain & 0x7f) == (a_nmi & 0x7f) && (sec_nmi == sec_plain || from_bcd(sec_nmi) ==
                  (from_bcd(sec_plain) + 1) % 60) && cent_nmi == raw.r[6],
                 "port 0x70 bit 7 (NMI off) reads the same registers (A 0x%02x/0x%02x, seconds 0x%02x/0x%02x)",
                 a_plain, a_nmi, sec_plain, sec_nmi);

    periodic();
    /* Back to the firmware's mode. */
    if (read_raw(&raw) && decode(&raw, cmos_read(RTC_B), &t2))
        write_time(&t2, (uint8_t)(b0 & ~(B_SET | B_PIE)));
    return 0;
}
