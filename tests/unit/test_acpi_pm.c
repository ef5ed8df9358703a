/*
 * root/vmm/acpi_pm.c: the PM1 registers and PM timer as ACPICA and Linux use
 * them: S5 power-off through PM1a_CNT, write-1-to-clear status, the 24-bit
 * 3.579545 MHz timer on a fake clock.
 */
#include <string.h>
#include "acpi_pm.h"
#include "ut.h"
#include "vmm_device.h"

#define FAKE_HZ 2000000000ull           /* a 2 GHz "TSC" */

static uint64_t fake_now;
static unsigned clock_calls;

static uint64_t fake_clock(void *ctx)
{
    (void)ctx;
    clock_calls++;
    return fake_now;
}

static struct acpi_pm pm;
static struct vmm_exit ex;
static struct vmm_devices table;

static void setup_at(uint64_t start, uint64_t hz)
{
    fake_now = start;
    memset(&ex, 0, sizeof(ex));
    memset(&pm, 0x5a, sizeof(pm));
    acpi_pm_init(&pm, fake_clock, 0, hz, &ex);
    struct vmm_device d;
    acpi_pm_device(&pm, &d);
    vmm_devices_init(&table);
    CHECK(vmm_devices_add(&table, &d));
}

static void setup(void)
{
    setup_at(123456789, FAKE_HZ);
}

static uint32_t in(uint16_t port, unsigned size)
{
    return vmm_io_read(&table, port, size, 0);
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
    vmm_io_write(&table, port, size, v, 0);
}

static uint16_t slp(unsigned typ)
{
    return (uint16_t)(typ << ACPI_PM1_SLP_TYP_SHIFT);
}

UT_TEST(acpi_pm_reset_state)
{
    setup();
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK, 2), 0);
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK + 2, 2), 0);
    CHECK_EQ(in(ACPI_PM1A_CNT_BLK, 2), ACPI_PM1_SCI_EN);    /* ACPI mode from reset */
    CHECK_EQ(in(ACPI_PM_TMR_BLK, 4), 0);
    CHECK_EQ(in(0x606, 2), 0);
    CHECK(!acpi_pm_sci_pending(&pm));
    CHECK(!ex.done);
    CHECK(vmm_devices_port(&table, 0x600));
    CHECK(vmm_devices_port(&table, 0x60b));
    CHECK(!vmm_devices_port(&table, 0x5ff));
    CHECK(!vmm_devices_port(&table, 0x60c));
}

/* ACPICA's S5 entry: SLP_TYP first, then SLP_TYP | SLP_EN, 16-bit writes. */
UT_TEST(acpi_pm_s5_powers_off)
{
    setup();
    uint16_t cnt = (uint16_t)in(ACPI_PM1A_CNT_BLK, 2);
    cnt = (uint16_t)((cnt & ~(ACPI_PM1_SLP_TYP | ACPI_PM1_SLP_EN)) | slp(ACPI_PM_SLP_TYP_S5));
    out(ACPI_PM1A_CNT_BLK, 2, cnt);
    CHECK(!ex.done);                        /* SLP_TYP alone does nothing */
    CHECK_EQ(in(ACPI_PM1A_CNT_BLK, 2), ACPI_PM1_SCI_EN | slp(ACPI_PM_SLP_TYP_S5));
    out(ACPI_PM1A_CNT_BLK, 2, cnt | ACPI_PM1_SLP_EN);
    CHECK(ex.done);
    CHECK_EQ(ex.status, 0);
    CHECK(!strcmp(ex.why, "ACPI S5 power-off"));
}

UT_TEST(acpi_pm_s5_in_one_write_and_byte_writes)
{
    setup();
    out(ACPI_PM1A_CNT_BLK, 2, slp(ACPI_PM_SLP_TYP_S5) | ACPI_PM1_SLP_EN);
    CHECK(ex.done);
    CHECK_EQ(ex.status, 0);
    /* The high byte alone carries SLP_TYP and SLP_EN. */
    setup();
    out(ACPI_PM1A_CNT_BLK + 1, 1, (slp(ACPI_PM_SLP_TYP_S5) | ACPI_PM1_SLP_EN) >> 8);
    CHECK(ex.done);
    /* A 32-bit write at the control block works too. */
    setup();
    out(ACPI_PM1A_CNT_BLK, 4, slp(ACPI_PM_SLP_TYP_S5) | ACPI_PM1_SLP_EN);
    CHECK(ex.done);
}

UT_TEST(acpi_pm_other_sleep_types_ignored)
{
    setup();
    for (unsigned typ = 0; typ < 8; typ++) {
        if (typ == ACPI_PM_SLP_TYP_S5)
            continue;
        out(ACPI_PM1A_CNT_BLK, 2, slp(typ) | ACPI_PM1_SLP_EN);
        CHECK(!ex.done);
        /* SLP_TYP reads back, SLP_EN does not, SCI_EN stays. */
        CHECK_EQ(in(ACPI_PM1A_CNT_BLK, 2), slp(typ) | ACPI_PM1_SCI_EN);
    }
    /* S5's type without SLP_EN, or SLP_EN written to the low byte only: nothing. */
    out(ACPI_PM1A_CNT_BLK, 2, slp(ACPI_PM_SLP_TYP_S5));
    out(ACPI_PM1A_CNT_BLK, 1, 0xff);
    CHECK(!ex.done);
    /* A write to the status or enable registers with bit 13 set: nothing. */
    out(ACPI_PM1A_EVT_BLK, 4, 0xffffffffu);
    CHECK(!ex.done);
}

UT_TEST(acpi_pm_cnt_bits)
{
    setup();
    out(ACPI_PM1A_CNT_BLK, 2, 0);           /* SCI_EN cannot be cleared */
    CHECK_EQ(in(ACPI_PM1A_CNT_BLK, 2), ACPI_PM1_SCI_EN);
    out(ACPI_PM1A_CNT_BLK, 2, ACPI_PM1_BM_RLD | ACPI_PM1_GBL_RLS);
    CHECK_EQ(in(ACPI_PM1A_CNT_BLK, 2), ACPI_PM1_SCI_EN | ACPI_PM1_BM_RLD);  /* GBL_RLS write-only */
    CHECK_EQ(in(ACPI_PM1A_CNT_BLK, 1), ACPI_PM1_SCI_EN | ACPI_PM1_BM_RLD);
    CHECK_EQ(in(ACPI_PM1A_CNT_BLK + 1, 1), 0);
}

UT_TEST(acpi_pm_status_write_one_to_clear)
{
    setup();
    acpi_pm_raise(&pm, ACPI_PM1_PWRBTN | ACPI_PM1_SLPBTN | ACPI_PM1_GBL);
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK, 2), ACPI_PM1_PWRBTN | ACPI_PM1_SLPBTN | ACPI_PM1_GBL);
    out(ACPI_PM1A_EVT_BLK, 2, 0);           /* zeros change nothing */
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK, 2), ACPI_PM1_PWRBTN | ACPI_PM1_SLPBTN | ACPI_PM1_GBL);
    out(ACPI_PM1A_EVT_BLK, 2, ACPI_PM1_PWRBTN);
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK, 2), ACPI_PM1_SLPBTN | ACPI_PM1_GBL);
    out(ACPI_PM1A_EVT_BLK + 1, 1, ACPI_PM1_SLPBTN >> 8);    /* byte access to the high half */
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK, 2), ACPI_PM1_GBL);
    out(ACPI_PM1A_EVT_BLK, 2, 0xffff);
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK, 2), 0);
}

UT_TEST(acpi_pm_enable_and_sci)
{
    setup();
    out(ACPI_PM1A_EVT_BLK + 2, 2, 0xffff);
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK + 2, 2), ACPI_PM1_EN_MASK);
    out(ACPI_PM1A_EVT_BLK + 2, 2, ACPI_PM1_PWRBTN);
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK + 2, 2), ACPI_PM1_PWRBTN);
    CHECK(!acpi_pm_sci_pending(&pm));
    acpi_pm_raise(&pm, ACPI_PM1_SLPBTN);     /* not enabled */
    CHECK(!acpi_pm_sci_pending(&pm));
    acpi_pm_raise(&pm, ACPI_PM1_PWRBTN);
    CHECK(acpi_pm_sci_pending(&pm));
    /* One 32-bit access covers STS (low half) and EN (high half), as ACPICA may do. */
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK, 4), (uint32_t)ACPI_PM1_PWRBTN << 16 | ACPI_PM1_PWRBTN |
                                           ACPI_PM1_SLPBTN);
    out(ACPI_PM1A_EVT_BLK, 4, ACPI_PM1_PWRBTN);    /* clears PWRBTN_STS, disables all */
    CHECK(!acpi_pm_sci_pending(&pm));
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK, 4), ACPI_PM1_SLPBTN);
}

UT_TEST(acpi_pm_timer_rate)
{
    setup();
    CHECK_EQ(in(ACPI_PM_TMR_BLK, 4), 0);
    fake_now += FAKE_HZ / 1000;             /* 1 ms: 3579.545 ticks */
    CHECK_EQ(in(ACPI_PM_TMR_BLK, 4), 3579);
    fake_now += FAKE_HZ / 1000;
    CHECK_EQ(in(ACPI_PM_TMR_BLK, 4), 7159);
    fake_now = 123456789 + FAKE_HZ;         /* 1 s after init */
    CHECK_EQ(in(ACPI_PM_TMR_BLK, 4), ACPI_PM_TIMER_HZ);
    fake_now = 123456789 + 3 * FAKE_HZ + FAKE_HZ / 2;  /* 3.5 s: 12528407.5 ticks */
    CHECK_EQ(in(ACPI_PM_TMR_BLK, 4), 12528407);
    /* One timer tick is 558.7 clock ticks at 2 GHz. */
    setup_at(0, FAKE_HZ);
    fake_now = 558;
    CHECK_EQ(acpi_pm_timer(&pm), 0);
    fake_now = 559;
    CHECK_EQ(acpi_pm_timer(&pm), 1);
    /* Other clock rates: 3.579545 MHz itself counts one to one; 1 GHz. */
    setup_at(5, ACPI_PM_TIMER_HZ);
    fake_now = 5 + 1234567;
    CHECK_EQ(acpi_pm_timer(&pm), 1234567);
    setup_at(0, 1000000000ull);
    fake_now = 10000000000ull;              /* 10 s */
    CHECK_EQ(acpi_pm_timer(&pm), (10ull * ACPI_PM_TIMER_HZ) & ACPI_PM_TIMER_MASK);
}

UT_TEST(acpi_pm_timer_wraps_at_24_bits)
{
    setup_at(0, ACPI_PM_TIMER_HZ);          /* one clock tick per timer tick */
    fake_now = ACPI_PM_TIMER_MASK;
    CHECK_EQ(in(ACPI_PM_TMR_BLK, 4), 0xffffff);
    fake_now++;
    CHECK_EQ(in(ACPI_PM_TMR_BLK, 4), 0);    /* bits 31:24 read 0: 24-bit timer */
    fake_now += 5;
    CHECK_EQ(in(ACPI_PM_TMR_BLK, 4), 5);
    /* Byte and word reads of the timer. */
    fake_now = 0x123456;
    CHECK_EQ(in(ACPI_PM_TMR_BLK, 2), 0x3456);
    CHECK_EQ(in(ACPI_PM_TMR_BLK + 2, 1), 0x12);
    CHECK_EQ(in(ACPI_PM_TMR_BLK + 3, 1), 0);
    /* Writes to the timer are ignored. */
    out(ACPI_PM_TMR_BLK, 4, 0);
    CHECK_EQ(in(ACPI_PM_TMR_BLK, 4), 0x123456);
    /* Many wraps later: still the low 24 bits of the count. */
    fake_now = 1000ull * (1u << 24) + 77;
    CHECK_EQ(in(ACPI_PM_TMR_BLK, 4), 77);
    /* Monotonic in between, as Linux's acpi_pm clocksource check wants. */
    setup();
    uint32_t last = 0;
    for (unsigned i = 0; i < 1000; i++) {
        fake_now += 7919;
        uint32_t t = in(ACPI_PM_TMR_BLK, 4);
        CHECK(t >= last);
        last = t;
    }
}

UT_TEST(acpi_pm_timer_status_on_bit23)
{
    setup_at(0, ACPI_PM_TIMER_HZ);
    fake_now = (1u << 23) - 1;
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK, 2) & ACPI_PM1_TMR, 0);
    fake_now = 1u << 23;                    /* bit 23 rises */
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK, 2) & ACPI_PM1_TMR, ACPI_PM1_TMR);
    out(ACPI_PM1A_EVT_BLK, 2, ACPI_PM1_TMR);
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK, 2) & ACPI_PM1_TMR, 0);
    fake_now = (1u << 24) - 1;
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK, 2) & ACPI_PM1_TMR, 0);
    fake_now = 1u << 24;                    /* wrap: bit 23 falls */
    CHECK_EQ(in(ACPI_PM1A_EVT_BLK, 2) & ACPI_PM1_TMR, ACPI_PM1_TMR);
    /* With TMR_EN, the SCI would be asserted. */
    out(ACPI_PM1A_EVT_BLK + 2, 2, ACPI_PM1_TMR);
    CHECK(acpi_pm_sci_pending(&pm));
    out(ACPI_PM1A_EVT_BLK, 2, ACPI_PM1_TMR);
    CHECK(!acpi_pm_sci_pending(&pm));
}

UT_TEST(acpi_pm_next_event_is_bit23_change)
{
    setup_at(1000, FAKE_HZ);
    CHECK_EQ(acpi_pm_next_event(&pm), ACPI_PM_NO_EVENT);        /* TMR_EN clear */
    out(ACPI_PM1A_EVT_BLK + 2, 2, ACPI_PM1_TMR);
    uint64_t t = acpi_pm_next_event(&pm);
    CHECK(t != ACPI_PM_NO_EVENT);
    /* The first clock tick at which the timer reaches 2^23. */
    fake_now = t - 1;
    CHECK(acpi_pm_timer(&pm) < (1u << 23));
    CHECK(!acpi_pm_sci_pending(&pm));
    fake_now = t;
    CHECK_EQ(acpi_pm_timer(&pm), 1u << 23);
    CHECK(acpi_pm_sci_pending(&pm));
    CHECK_EQ(acpi_pm_next_event(&pm), ACPI_PM_NO_EVENT);        /* TMR_STS already set */
    out(ACPI_PM1A_EVT_BLK, 2, ACPI_PM1_TMR);
    uint64_t t2 = acpi_pm_next_event(&pm);                      /* the wrap: bit 23 falls */
    fake_now = t2 - 1;
    CHECK(!acpi_pm_sci_pending(&pm));
    fake_now = t2;
    CHECK_EQ(acpi_pm_timer(&pm), 0);
    CHECK(acpi_pm_sci_pending(&pm));
    /* 2^23 PM ticks apart: 2^23 / 3579545 s of the 2 GHz clock, to a tick. */
    uint64_t want = (1ull << 23) * FAKE_HZ / ACPI_PM_TIMER_HZ;
    CHECK(t2 - t >= want && t2 - t <= want + 1);
}

UT_TEST(acpi_pm_next_event_late_in_a_long_run)
{
    setup_at(0, 3000000000ull);
    out(ACPI_PM1A_EVT_BLK + 2, 2, ACPI_PM1_TMR);
    fake_now = 3000000000ull * 86400 * 365;     /* a year on: no overflow */
    acpi_pm_sci_pending(&pm);
    out(ACPI_PM1A_EVT_BLK, 2, ACPI_PM1_TMR);
    uint64_t t = acpi_pm_next_event(&pm);
    CHECK(t > fake_now);
    fake_now = t - 1;
    CHECK(!acpi_pm_sci_pending(&pm));
    fake_now = t;
    CHECK(acpi_pm_sci_pending(&pm));
}

UT_TEST(acpi_pm_clock_read_per_access)
{
    setup();
    clock_calls = 0;
    in(ACPI_PM_TMR_BLK, 4);
    CHECK_EQ(clock_calls, 1);               /* one clock read per port access */
    /* An access running past the block: the bytes beyond read all ones. */
    CHECK_EQ(acpi_pm_io_read(&pm, ACPI_PM_TMR_BLK + 2, 4), 0xffff0000u | (in(ACPI_PM_TMR_BLK, 4) >> 16));
}
