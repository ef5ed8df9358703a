/* The 8254 PIT against a fake TSC: calibration via counter 2, IRQ 0 rate, latches, read-back. */
#include "pit8254.h"
#include "ut.h"

#define HZ 2500000000ull                        /* a 2.5 GHz fake TSC */

struct fake_tsc {
    uint64_t t, step;                           /* each read advances by step */
};

static uint64_t fake_now(void *ctx)
{
    struct fake_tsc *f = ctx;
    uint64_t v = f->t;
    f->t += f->step;
    return v;
}

static void setup(struct pit8254 *pit, struct vmm_devices *t, struct fake_tsc *f)
{
    f->t = 1000000;
    f->step = 0;
    pit_init(pit, fake_now, f, HZ);
    vmm_devices_init(t);
    CHECK(pit_register(pit, t));
}

static void out8(struct vmm_devices *t, uint16_t port, uint8_t v)
{
    bool claimed = false;
    vmm_io_write(t, port, 1, v, &claimed);
    CHECK(claimed);
}

static uint8_t in8(struct vmm_devices *t, uint16_t port)
{
    return (uint8_t)vmm_io_read(t, port, 1, 0);
}

/* TSC ticks for n PIT clocks (rounded up: the PIT has counted n clocks then). */
static uint64_t ticks(uint64_t n)
{
    return (n * HZ + PIT_HZ - 1) / PIT_HZ;
}

/* Linux's pit_calibrate_tsc(): gate 2 on, speaker off, mode 0, poll OUT2 in port 0x61. */
static void calibrate(uint16_t count, uint8_t lsb_msb_ctrl)
{
    struct pit8254 pit;
    struct vmm_devices t;
    struct fake_tsc f;
    setup(&pit, &t, &f);
    f.step = 1000;                              /* 0.4 us per port access */
    out8(&t, 0x61, (in8(&t, 0x61) & ~0x02) | 0x01);
    out8(&t, 0x43, lsb_msb_ctrl);
    out8(&t, 0x42, count & 0xff);
    uint64_t loaded = f.t;                      /* the count loads at the MSB write */
    out8(&t, 0x42, count >> 8);
    unsigned polls = 0;
    uint64_t end;
    for (;;) {
        end = f.t;
        if (in8(&t, 0x61) & 0x20)
            break;
        polls++;
    }
    uint64_t expect = ticks(count ? count : 65536);
    uint64_t elapsed = end - loaded;
    CHECK(polls > 100);
    /* Within one PIT clock (where the count started inside its clock) and one poll. */
    CHECK(elapsed + ticks(1) >= expect);
    CHECK(elapsed <= expect + ticks(1) + f.step);
}

UT_TEST(pit_tsc_calibration_counter2_mode0)
{
    calibrate(11932, 0xb0);                     /* Linux: 10 ms with CLOCK_TICK_RATE/100 */
    calibrate(0xffff, 0xb0);
    calibrate(0, 0xb0);                         /* 0 is 65536 */
}

UT_TEST(pit_counter2_gate_and_port61_bits)
{
    struct pit8254 pit;
    struct vmm_devices t;
    struct fake_tsc f;
    setup(&pit, &t, &f);
    out8(&t, 0x61, 0x00);
    out8(&t, 0x43, 0xb0);
    out8(&t, 0x42, 100);
    out8(&t, 0x42, 0);
    f.t += ticks(1000);
    CHECK_EQ(in8(&t, 0x61) & 0x20, 0);          /* gate low: mode 0 does not count */
    uint8_t a = in8(&t, 0x61), b = in8(&t, 0x61);
    CHECK_EQ((a ^ b) & 0x10, 0x10);             /* the refresh toggle flips */
    out8(&t, 0x61, 0x03);
    CHECK_EQ(in8(&t, 0x61) & 0x0f, 0x03);
    f.t += ticks(99);
    CHECK_EQ(in8(&t, 0x61) & 0x20, 0);
    f.t += ticks(2);
    CHECK_EQ(in8(&t, 0x61) & 0x20, 0x20);
}

UT_TEST(pit_mode2_irq0_rate_1000hz)
{
    struct pit8254 pit;
    struct vmm_devices t;
    struct fake_tsc f;
    setup(&pit, &t, &f);
    uint64_t t0 = f.t;
    out8(&t, 0x43, 0x34);                       /* counter 0, LSB/MSB, mode 2 */
    out8(&t, 0x40, 1193 & 0xff);
    out8(&t, 0x40, 1193 >> 8);
    CHECK_EQ(pit_update(&pit, f.t), 0);         /* mode 2 starts high: no edge at load */
    uint64_t now = f.t, edges = 0, calls = 0;
    while (now < t0 + HZ) {
        uint64_t next = pit_irq0_next_edge(&pit, now);
        CHECK(next > now && next != PIT_NO_EDGE);
        CHECK_EQ(pit_update(&pit, next - 1), 0);
        now = next;
        uint32_t e = pit_update(&pit, now);
        CHECK_EQ(e, 1);
        edges += e;
        calls++;
    }
    /* 1193182 / 1193 = 1000.15 Hz */
    CHECK(edges >= 999 && edges <= 1001);
    CHECK_EQ(edges, calls);
    /* Skipped deadlines pile up and are reported at once. */
    now += HZ / 10;
    uint32_t late = pit_update(&pit, now);
    CHECK(late >= 99 && late <= 101);
    CHECK_EQ(pit_irq0_next_edge(&pit, now) > now, 1);
}

UT_TEST(pit_mode0_irq0_one_edge_and_square_wave)
{
    struct pit8254 pit;
    struct vmm_devices t;
    struct fake_tsc f;
    setup(&pit, &t, &f);
    out8(&t, 0x43, 0x30);                       /* mode 0: OUT low */
    out8(&t, 0x40, 0x10);
    out8(&t, 0x40, 0x00);
    uint64_t next = pit_irq0_next_edge(&pit, f.t);
    CHECK_EQ(next, f.t + (16 * HZ + PIT_HZ - 1) / PIT_HZ);
    CHECK(!pit_out(&pit, 0, next - 1));
    CHECK_EQ(pit_update(&pit, next), 1);
    CHECK(pit_out(&pit, 0, next));
    CHECK_EQ(pit_irq0_next_edge(&pit, next + HZ), PIT_NO_EDGE);
    CHECK_EQ(pit_update(&pit, next + HZ), 0);
    /* Mode 3 with N = 100: high 50, low 50; a control word raising OUT0 is an edge. */
    f.t = next + HZ;
    out8(&t, 0x43, 0x30);
    out8(&t, 0x43, 0x36);
    CHECK_EQ(pit_update(&pit, f.t), 1);
    out8(&t, 0x40, 100);
    out8(&t, 0x40, 0);
    uint64_t s = f.t;
    CHECK(pit_out(&pit, 0, s + ticks(49)));
    CHECK(!pit_out(&pit, 0, s + ticks(51)));
    CHECK(pit_out(&pit, 0, s + ticks(101)));
    CHECK_EQ(pit_update(&pit, s + ticks(1000) + 1), 10);
}

UT_TEST(pit_latch_freezes_the_count)
{
    struct pit8254 pit;
    struct vmm_devices t;
    struct fake_tsc f;
    setup(&pit, &t, &f);
    out8(&t, 0x43, 0x34);
    out8(&t, 0x40, 0x00);
    out8(&t, 0x40, 0x00);                       /* 65536 */
    f.t += ticks(1000) + 1;
    out8(&t, 0x43, 0x00);                       /* latch counter 0 */
    f.t += ticks(5000);
    out8(&t, 0x43, 0x00);                       /* ignored: already latched */
    uint16_t v = in8(&t, 0x40);
    v |= (uint16_t)(in8(&t, 0x40) << 8);
    CHECK_EQ(v, 65536 - 1000);
    v = in8(&t, 0x40);                          /* unlatched: the live count */
    v |= (uint16_t)(in8(&t, 0x40) << 8);
    CHECK_EQ(v, 65536 - 6000);
}

UT_TEST(pit_read_back_status_and_count)
{
    struct pit8254 pit;
    struct vmm_devices t;
    struct fake_tsc f;
    setup(&pit, &t, &f);
    out8(&t, 0x43, 0x34);
    out8(&t, 0x43, 0xe2);                       /* read-back: status of counter 0 */
    CHECK_EQ(in8(&t, 0x40), 0xf4);              /* OUT 1, null count, LSB/MSB, mode 2 */
    out8(&t, 0x40, 0x00);
    out8(&t, 0x40, 0x10);
    out8(&t, 0x43, 0xe2);
    CHECK_EQ(in8(&t, 0x40), 0xb4);              /* count loaded */
    out8(&t, 0x43, 0xb0);                       /* counter 2 mode 0, gate low */
    out8(&t, 0x43, 0xe8);
    CHECK_EQ(in8(&t, 0x42), 0x70);              /* OUT low, null count */
    out8(&t, 0x43, 0x1b);                       /* counter 0 LSB only, mode 5 (raw bits), BCD */
    out8(&t, 0x43, 0xe2);
    CHECK_EQ(in8(&t, 0x40), 0xdb);              /* OUT 1, null count, LSB, 101, BCD */
    /* Count and status together: the status first, then the count. */
    out8(&t, 0x43, 0x34);
    out8(&t, 0x40, 0x34);
    out8(&t, 0x40, 0x12);
    f.t += ticks(0x10);
    out8(&t, 0x43, 0xc2);
    f.t += ticks(0x100);
    CHECK_EQ(in8(&t, 0x40), 0xb4);
    CHECK_EQ(in8(&t, 0x40), 0x24);
    CHECK_EQ(in8(&t, 0x40), 0x12);
}

UT_TEST(pit_access_modes_lsb_msb)
{
    struct pit8254 pit;
    struct vmm_devices t;
    struct fake_tsc f;
    setup(&pit, &t, &f);
    out8(&t, 0x43, 0x10);                       /* LSB only, mode 0 */
    out8(&t, 0x40, 0x42);
    CHECK_EQ(in8(&t, 0x40), 0x42);
    CHECK_EQ(in8(&t, 0x40), 0x42);
    out8(&t, 0x43, 0x20);                       /* MSB only */
    out8(&t, 0x40, 0x12);
    CHECK_EQ(in8(&t, 0x40), 0x12);
    out8(&t, 0x43, 0x00);
    CHECK_EQ(in8(&t, 0x40), 0x12);
    out8(&t, 0x43, 0x30);                       /* LSB then MSB */
    out8(&t, 0x40, 0x78);
    CHECK(!pit_out(&pit, 0, f.t));
    out8(&t, 0x40, 0x56);
    CHECK_EQ(in8(&t, 0x40), 0x78);
    CHECK_EQ(in8(&t, 0x40), 0x56);
    f.t += ticks(0x100);
    CHECK_EQ(in8(&t, 0x40), 0x78);
    CHECK_EQ(in8(&t, 0x40), 0x55);
    /* BCD: 0x1000 is 1000 counts, read back in BCD. */
    out8(&t, 0x43, 0x31);
    out8(&t, 0x40, 0x00);
    out8(&t, 0x40, 0x10);
    f.t += ticks(1);
    CHECK_EQ(in8(&t, 0x40), 0x99);
    CHECK_EQ(in8(&t, 0x40), 0x09);
    CHECK_EQ(in8(&t, 0x43), 0xff);              /* the control port is write-only */
}

UT_TEST(pit_mode2_new_count_at_period_end)
{
    struct pit8254 pit;
    struct vmm_devices t;
    struct fake_tsc f;
    setup(&pit, &t, &f);
    out8(&t, 0x43, 0x34);
    out8(&t, 0x40, 100);
    out8(&t, 0x40, 0);
    uint64_t s = f.t;
    f.t = s + ticks(30);
    out8(&t, 0x40, 50);
    out8(&t, 0x40, 0);
    CHECK_EQ(pit_irq0_next_edge(&pit, f.t), s + (100 * HZ + PIT_HZ - 1) / PIT_HZ);
    CHECK_EQ(pit_update(&pit, s + ticks(301) + 1), 5);      /* edges at 100, 150, 200, 250, 300 */
}
