/* The MC146818A RTC and CMOS RAM against a fake clock: formats, UIP, SET, flags, interrupts. */
#include "rtc_cmos.h"
#include "ut.h"

#define HZ 1000000000ull                        /* a 1 GHz fake clock: 1 tick = 1 ns */
#define T0 5000000000ull
#define MIB (1024ull * 1024)

static uint64_t clock_value;
static int64_t wall_value;

static uint64_t fake_now(void *ctx)
{
    (void)ctx;
    return clock_value;
}

static int64_t fake_wall(void *ctx)
{
    (void)ctx;
    return wall_value;
}

static void setup(struct rtc_cmos *rtc, struct vmm_devices *t, int64_t unix_secs, uint64_t ram)
{
    clock_value = T0;
    wall_value = unix_secs;
    rtc_init(rtc, fake_now, 0, HZ, fake_wall, 0, ram);
    vmm_devices_init(t);
    CHECK(rtc_register(rtc, t));
}

static uint8_t cmos_read(struct vmm_devices *t, uint8_t idx)
{
    vmm_io_write(t, RTC_PORT_INDEX, 1, idx, 0);
    return (uint8_t)vmm_io_read(t, RTC_PORT_DATA, 1, 0);
}

static void cmos_write(struct vmm_devices *t, uint8_t idx, uint8_t v)
{
    vmm_io_write(t, RTC_PORT_INDEX, 1, idx, 0);
    vmm_io_write(t, RTC_PORT_DATA, 1, v, 0);
}

UT_TEST(rtc_known_date_bcd_and_binary)
{
    struct rtc_cmos rtc;
    struct vmm_devices t;
    setup(&rtc, &t, 1709214330, 0);             /* Thursday 2024-02-29 13:45:30 UTC */
    const uint8_t bcd[] = { 0x30, 0, 0x45, 0, 0x13, 0, 5, 0x29, 0x02, 0x24 };
    for (uint8_t i = 0; i < 10; i += 1)
        if (i != 1 && i != 3 && i != 5)
            CHECK_EQ(cmos_read(&t, i), bcd[i]);
    CHECK_EQ(cmos_read(&t, RTC_REG_CENTURY), 0x20);
    CHECK_EQ(cmos_read(&t, RTC_REG_B), 0x02);
    cmos_write(&t, RTC_REG_B, RTC_B_24H | RTC_B_DM);
    const uint8_t bin[] = { 30, 0, 45, 0, 13, 0, 5, 29, 2, 24 };
    for (uint8_t i = 0; i < 10; i += 1)
        if (i != 1 && i != 3 && i != 5)
            CHECK_EQ(cmos_read(&t, i), bin[i]);
    CHECK_EQ(cmos_read(&t, RTC_REG_CENTURY), 20);
    clock_value += 30 * HZ;                     /* the clock runs from the ticks */
    CHECK_EQ(cmos_read(&t, 0), 0);
    CHECK_EQ(cmos_read(&t, 2), 46);
}

UT_TEST(rtc_12_hour_mode)
{
    struct rtc_cmos rtc;
    struct vmm_devices t;
    setup(&rtc, &t, 1709214330, 0);
    cmos_write(&t, RTC_REG_B, 0x00);            /* BCD, 12-hour */
    CHECK_EQ(cmos_read(&t, 4), 0x81);           /* 1 PM */
    cmos_write(&t, RTC_REG_B, RTC_B_SET);
    cmos_write(&t, 4, 0x12);                    /* 12 AM is midnight */
    cmos_write(&t, RTC_REG_B, RTC_B_24H | RTC_B_SET);
    CHECK_EQ(cmos_read(&t, 4), 0x00);
    cmos_write(&t, RTC_REG_B, RTC_B_SET | RTC_B_DM);
    cmos_write(&t, 4, 0x80 | 12);               /* 12 PM is noon */
    CHECK_EQ(cmos_read(&t, 4), 0x80 | 12);
    cmos_write(&t, RTC_REG_B, RTC_B_24H | RTC_B_DM);
    CHECK_EQ(cmos_read(&t, 4), 12);
    CHECK_EQ(cmos_read(&t, 2), 45);
}

UT_TEST(rtc_uip_window)
{
    struct rtc_cmos rtc;
    struct vmm_devices t;
    setup(&rtc, &t, 1709214330, 0);
    clock_value = T0 + HZ - 245000;             /* 245 us before the update */
    CHECK_EQ(cmos_read(&t, RTC_REG_A), 0x26);
    CHECK_EQ(cmos_read(&t, 0), 0x30);
    clock_value = T0 + HZ - 243000;            /* 243 us before: UIP */
    CHECK_EQ(cmos_read(&t, RTC_REG_A), 0xa6);
    CHECK_EQ(cmos_read(&t, 0), 0x30);
    clock_value = T0 + HZ;
    CHECK_EQ(cmos_read(&t, RTC_REG_A), 0x26);
    CHECK_EQ(cmos_read(&t, 0), 0x31);
    clock_value = T0 + 2 * HZ - 1000;           /* SET clears UIP */
    cmos_write(&t, RTC_REG_B, RTC_B_SET | RTC_B_24H);
    CHECK_EQ(cmos_read(&t, RTC_REG_A), 0x26);
}

UT_TEST(rtc_set_freezes_and_writes_the_time)
{
    struct rtc_cmos rtc;
    struct vmm_devices t;
    setup(&rtc, &t, 1709214330, 0);
    cmos_write(&t, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
    cmos_write(&t, RTC_REG_B, RTC_B_SET | RTC_B_24H | RTC_B_UIE);
    CHECK_EQ(cmos_read(&t, RTC_REG_B), RTC_B_SET | RTC_B_24H);      /* UIE cleared */
    clock_value += 5 * HZ;
    CHECK_EQ(cmos_read(&t, 0), 0x30);           /* no updates while SET */
    CHECK_EQ(cmos_read(&t, RTC_REG_C) & RTC_C_UF, 0);
    /* Field by field, through an impossible intermediate date (Feb 31). */
    cmos_write(&t, 7, 0x31);
    cmos_write(&t, 8, 0x12);
    cmos_write(&t, 9, 0x30);
    cmos_write(&t, 4, 0x23);
    cmos_write(&t, 2, 0x59);
    cmos_write(&t, 0, 0x58);
    CHECK_EQ(cmos_read(&t, 7), 0x31);
    CHECK_EQ(cmos_read(&t, 8), 0x12);
    clock_value += 3 * HZ;
    CHECK_EQ(cmos_read(&t, 0), 0x58);
    cmos_write(&t, RTC_REG_B, RTC_B_24H);       /* run: 2030-12-31 23:59:58 */
    CHECK_EQ(cmos_read(&t, 6), 3);              /* a Tuesday */
    clock_value += 2 * HZ + HZ / 2;
    CHECK_EQ(cmos_read(&t, 0), 0x00);
    CHECK_EQ(cmos_read(&t, 2), 0x00);
    CHECK_EQ(cmos_read(&t, 4), 0x00);
    CHECK_EQ(cmos_read(&t, 7), 0x01);
    CHECK_EQ(cmos_read(&t, 8), 0x01);
    CHECK_EQ(cmos_read(&t, 9), 0x31);
    CHECK_EQ(cmos_read(&t, RTC_REG_CENTURY), 0x20);
    CHECK_EQ(cmos_read(&t, 6), 4);              /* Wednesday 2031-01-01 */
    cmos_write(&t, 6, 1);                       /* the weekday register is the guest's */
    CHECK_EQ(cmos_read(&t, 6), 1);
    clock_value += HZ;
    CHECK_EQ(cmos_read(&t, 6), 1);
    clock_value += 86400 * HZ;
    CHECK_EQ(cmos_read(&t, 6), 2);
}

UT_TEST(rtc_register_c_read_clears)
{
    struct rtc_cmos rtc;
    struct vmm_devices t;
    setup(&rtc, &t, 1709214330, 0);
    clock_value += HZ;                          /* one update, periodic ticks (rate 6) */
    CHECK(!rtc_irq_level(&rtc, clock_value));   /* no enables: flags without IRQ */
    CHECK_EQ(cmos_read(&t, RTC_REG_C), RTC_C_PF | RTC_C_UF);
    CHECK_EQ(cmos_read(&t, RTC_REG_C), 0);
    cmos_write(&t, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
    clock_value += HZ;
    CHECK(rtc_irq_level(&rtc, clock_value));
    CHECK_EQ(rtc_next_event(&rtc, clock_value), RTC_NO_EVENT);
    CHECK_EQ(cmos_read(&t, RTC_REG_C), RTC_C_IRQF | RTC_C_PF | RTC_C_UF);
    CHECK(!rtc_irq_level(&rtc, clock_value));
    cmos_write(&t, RTC_REG_C, 0xff);            /* read-only */
    CHECK_EQ(cmos_read(&t, RTC_REG_C), 0);
    CHECK_EQ(cmos_read(&t, RTC_REG_D), 0x80);
}

UT_TEST(rtc_periodic_1024hz)
{
    struct rtc_cmos rtc;
    struct vmm_devices t;
    setup(&rtc, &t, 1709214330, 0);
    cmos_write(&t, RTC_REG_A, 0x26);            /* rate 6: 1024 Hz */
    cmos_write(&t, RTC_REG_B, RTC_B_24H | RTC_B_PIE);
    unsigned irqs = 0;
    uint64_t now = clock_value;
    while (now < T0 + HZ) {
        uint64_t next = rtc_next_event(&rtc, now);
        CHECK(next > now && next != RTC_NO_EVENT);
        CHECK(!rtc_irq_level(&rtc, next - 1));
        now = clock_value = next;
        CHECK(rtc_irq_level(&rtc, now));
        CHECK_EQ(cmos_read(&t, RTC_REG_C) & (RTC_C_IRQF | RTC_C_PF), RTC_C_IRQF | RTC_C_PF);
        irqs++;
    }
    CHECK(irqs >= 1023 && irqs <= 1025);
    cmos_write(&t, RTC_REG_A, 0x2f);            /* rate 15: 2 Hz */
    uint64_t next = rtc_next_event(&rtc, now);
    CHECK(next > now && next - now <= HZ / 2);
    cmos_write(&t, RTC_REG_A, 0x20);            /* rate 0: none */
    CHECK_EQ(rtc_next_event(&rtc, now), RTC_NO_EVENT);
}

UT_TEST(rtc_update_interrupt_once_per_second)
{
    struct rtc_cmos rtc;
    struct vmm_devices t;
    setup(&rtc, &t, 1709214330, 0);
    clock_value = T0 + HZ / 3;
    cmos_write(&t, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
    unsigned irqs = 0;
    uint64_t now = clock_value;
    while (now < T0 + 10 * HZ) {
        uint64_t next = rtc_next_event(&rtc, now);
        CHECK_EQ((next - T0) % HZ, 0);
        now = clock_value = next;
        CHECK(rtc_irq_level(&rtc, now));
        CHECK_EQ(cmos_read(&t, RTC_REG_C) & (RTC_C_IRQF | RTC_C_UF), RTC_C_IRQF | RTC_C_UF);
        irqs++;
    }
    CHECK_EQ(irqs, 10);
    CHECK_EQ(cmos_read(&t, 0), 0x40);           /* 13:45:30 + 10 s */
}

UT_TEST(rtc_alarm_interrupt)
{
    struct rtc_cmos rtc;
    struct vmm_devices t;
    setup(&rtc, &t, 1709214330, 0);
    cmos_write(&t, 1, 0x33);                    /* 13:45:33 */
    cmos_write(&t, 3, 0x45);
    cmos_write(&t, 5, 0x13);
    cmos_write(&t, RTC_REG_B, RTC_B_24H | RTC_B_AIE);
    clock_value += 2 * HZ;
    CHECK(!rtc_irq_level(&rtc, clock_value));
    clock_value += HZ;
    CHECK(rtc_irq_level(&rtc, clock_value));
    CHECK_EQ(cmos_read(&t, RTC_REG_C) & (RTC_C_IRQF | RTC_C_AF), RTC_C_IRQF | RTC_C_AF);
    cmos_write(&t, 1, 0xc0);                    /* any second of 13:45 */
    clock_value += HZ;
    CHECK_EQ(cmos_read(&t, RTC_REG_C) & RTC_C_AF, RTC_C_AF);
    clock_value += 3600 * HZ;                   /* 14:45: the hour no longer matches... */
    cmos_read(&t, RTC_REG_C);                   /* (it did on the way, clear that) */
    clock_value += HZ;
    CHECK_EQ(cmos_read(&t, RTC_REG_C) & RTC_C_AF, 0);
}

UT_TEST(rtc_nmi_mask_bit)
{
    struct rtc_cmos rtc;
    struct vmm_devices t;
    setup(&rtc, &t, 0, 0);
    CHECK(!rtc_nmi_masked(&rtc));
    vmm_io_write(&t, RTC_PORT_INDEX, 1, 0x80 | RTC_REG_D, 0);
    CHECK(rtc_nmi_masked(&rtc));
    CHECK_EQ(vmm_io_read(&t, RTC_PORT_DATA, 1, 0), 0x80);           /* index bits 6:0 only */
    CHECK_EQ(vmm_io_read(&t, RTC_PORT_INDEX, 1, 0), 0xff);
    vmm_io_write(&t, RTC_PORT_INDEX, 1, RTC_REG_B, 0);
    CHECK(!rtc_nmi_masked(&rtc));
}

UT_TEST(rtc_cmos_ram_and_memory_size)
{
    struct rtc_cmos rtc;
    struct vmm_devices t;
    setup(&rtc, &t, 0, 32 * MIB);
    CHECK_EQ(cmos_read(&t, 0x15) | cmos_read(&t, 0x16) << 8, 640);
    CHECK_EQ(cmos_read(&t, 0x17) | cmos_read(&t, 0x18) << 8, 31 * 1024);
    CHECK_EQ(cmos_read(&t, 0x30) | cmos_read(&t, 0x31) << 8, 31 * 1024);
    CHECK_EQ(cmos_read(&t, 0x34) | cmos_read(&t, 0x35) << 8, 256);
    unsigned sum = 0;
    for (uint8_t i = 0x10; i <= 0x2d; i++)
        sum += cmos_read(&t, i);
    CHECK_EQ(cmos_read(&t, 0x2e) << 8 | cmos_read(&t, 0x2f), sum);
    setup(&rtc, &t, 0, 2048 * MIB);
    CHECK_EQ(cmos_read(&t, 0x17) | cmos_read(&t, 0x18) << 8, 0xffff);
    CHECK_EQ(cmos_read(&t, 0x34) | cmos_read(&t, 0x35) << 8, (2048 - 16) * 16);
    for (uint8_t i = 0x0e; i < 0x80; i++)
        if (i != RTC_REG_CENTURY)
            cmos_write(&t, i, (uint8_t)(i ^ 0x5a));
    for (uint8_t i = 0x0e; i < 0x80; i++)
        if (i != RTC_REG_CENTURY)
            CHECK_EQ(cmos_read(&t, i), (uint8_t)(i ^ 0x5a));
    CHECK_EQ(cmos_read(&t, 9), 0x70);           /* 1970 */
    CHECK_EQ(cmos_read(&t, RTC_REG_CENTURY), 0x19);
}

UT_TEST(rtc_divider_reset_holds_then_half_second)
{
    struct rtc_cmos rtc;
    struct vmm_devices t;
    setup(&rtc, &t, 946684799, 0);              /* 1999-12-31 23:59:59 */
    cmos_write(&t, RTC_REG_A, 0x70);            /* divider in reset */
    clock_value += 10 * HZ;
    CHECK_EQ(cmos_read(&t, 0), 0x59);
    cmos_write(&t, RTC_REG_A, 0x26);
    clock_value += HZ / 2 - 1;
    CHECK_EQ(cmos_read(&t, 0), 0x59);
    clock_value += 1;
    CHECK_EQ(cmos_read(&t, 0), 0x00);
    CHECK_EQ(cmos_read(&t, 9), 0x00);
    CHECK_EQ(cmos_read(&t, RTC_REG_CENTURY), 0x20);
}

UT_TEST(rtc_calendar_round_trip)
{
    struct rtc_tm tm;
    rtc_unix_to_tm(1709214330, &tm);
    CHECK(tm.year == 2024 && tm.mon == 2 && tm.day == 29 && tm.hour == 13 && tm.min == 45);
    CHECK_EQ(rtc_weekday(1709214330), 4);
    rtc_unix_to_tm(-1, &tm);                    /* 1969-12-31 23:59:59 */
    CHECK(tm.year == 1969 && tm.mon == 12 && tm.day == 31 && tm.sec == 59);
    uint64_t seed = 42;
    for (int i = 0; i < 10000; i++) {
        /* 1900 .. 2300 */
        int64_t s = -2208988800ll + (int64_t)(ut_splitmix64(&seed) % 12622780800ull);
        rtc_unix_to_tm(s, &tm);
        CHECK(tm.mon >= 1 && tm.mon <= 12 && tm.day >= 1 && tm.day <= 31);
        CHECK_EQ(rtc_tm_to_unix(&tm), s);
    }
}
