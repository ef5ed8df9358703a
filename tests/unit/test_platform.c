/*
 * root/vmm/platform.c: the PIT, RTC, COM1 and the PM block driving their
 * lines through the router on one fake TSC; the deadlines the VMM resumes
 * with; when a halted guest can still be woken; the ports it claims.
 */
#include <string.h>
#include "pc_ports.h"
#include "platform.h"
#include "ut.h"

#define HZ 2000000000ull                /* a 2 GHz TSC */
#define T0 1000000ull

static uint64_t tsc;
static struct platform p;
static struct uart16550 com1;
static struct acpi_pm pm;
static struct vmm_exit ex;
static struct vmm_devices t;
static uint32_t injected[64];
static unsigned ninjected;

static unsigned clock_reads;

static uint64_t clock(void *ctx)
{
    (void)ctx;
    clock_reads++;
    return tsc;
}

static int64_t wall(void *ctx)
{
    (void)ctx;
    return 1798761600;                  /* 2027-01-01 00:00:00 UTC */
}

static void inject(void *ctx, uint32_t irq)
{
    CHECK(ctx == &p);
    if (ninjected < 64)
        injected[ninjected] = irq;
    ninjected++;
}

static void putc_none(void *ctx, char c)
{
    (void)ctx;
    (void)c;
}

/* Port accesses as the VMM makes them: the table, then platform_access. */
static void out_n(uint16_t port, unsigned size, uint32_t v)
{
    bool claimed = false;
    vmm_io_write(&t, port, size, v, &claimed);
    CHECK(claimed);
    platform_access(&p, true, port);
}

static void out(uint16_t port, uint8_t v)
{
    out_n(port, 1, v);
}

static uint8_t in(uint16_t port)
{
    bool claimed = false;
    uint8_t v = (uint8_t)vmm_io_read(&t, port, 1, &claimed);
    CHECK(claimed);
    platform_access(&p, true, port);
    return v;
}

/* COM1 is the VMM's own device (not in this table): its registers directly. */
static void com1_out(uint16_t port, uint8_t v)
{
    uart_write(&com1, port, v);
    platform_access(&p, true, port);
}

static void set_rte(unsigned pin, uint32_t low)
{
    vmm_mmio_write(&t, IOAPIC_BASE, 4, IOAPIC_REG_REDTBL + 2 * pin, 0);
    platform_access(&p, false, IOAPIC_BASE);
    vmm_mmio_write(&t, IOAPIC_BASE + IOAPIC_IOWIN, 4, low, 0);
    platform_access(&p, false, IOAPIC_BASE + IOAPIC_IOWIN);
}

/* A PC after its firmware: the 8259s at 0x20/0x28, all lines masked; APIC state unknown
 * (no callback): ExtINTs are taken. */
static void setup(void)
{
    tsc = T0;
    ninjected = 0;
    memset(&ex, 0, sizeof(ex));
    uart_init(&com1, 0x3f8, putc_none, 0);
    acpi_pm_init(&pm, clock, 0, HZ, &ex);
    const struct platform_config cfg = { .now = clock, .ticks_hz = HZ, .wall = wall,
                                         .ram_below_4g = 128u << 20, .com1 = &com1, .pm = &pm,
                                         .irq = { .inject = inject, .ctx = &p } };
    platform_init(&p, &cfg);
    vmm_devices_init(&t);
    CHECK(platform_register(&p, &t));
    struct vmm_device d;
    acpi_pm_device(&pm, &d);
    CHECK(vmm_devices_add(&t, &d));
    out(0x20, 0x11); out(0x21, 0x20); out(0x21, 0x04); out(0x21, 0x01);
    out(0xa0, 0x11); out(0xa1, 0x28); out(0xa1, 0x02); out(0xa1, 0x01);
    out(0x21, 0xff); out(0xa1, 0xff);
}

static void unmask(unsigned irq)
{
    if (irq >= 8) {
        out(0xa1, (uint8_t)(in(0xa1) & ~(1u << (irq - 8))));
        irq = 2;
    }
    out(0x21, (uint8_t)(in(0x21) & ~(1u << irq)));
}

UT_TEST(platform_claims_the_pc_ports)
{
    setup();
    static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42,
                                      0x43, 0x61, 0x70, 0x71 };
    for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
        CHECK(vmm_devices_port(&t, ports[i]) != 0);
    CHECK(vmm_devices_mmio(&t, 0xfec00000) != 0);
    /* The PC's other fixed ports fit beside them: nobody claims a port twice. */
    struct pc_ports pc;
    pc_ports_init(&pc, &ex, putc_none, 0);
    CHECK(pc_ports_register(&pc, &t));
    CHECK(t.count <= VMM_MAX_DEVICES - 4);      /* room left for COM1, fw_cfg and more */
}

UT_TEST(platform_nothing_armed_at_reset)
{
    setup();
    CHECK_EQ(platform_next_event(&p), PLATFORM_NO_EVENT);
    CHECK(!platform_can_wake(&p, false));
    CHECK(!platform_can_wake(&p, true));        /* COM1's interrupts are off */
    platform_sync(&p);
    CHECK_EQ(ninjected, 0);
}

UT_TEST(platform_pit_channel0_ticks_irq0)
{
    setup();
    unmask(0);
    out(0x43, 0x34);                            /* counter 0, LSB/MSB, mode 2 */
    out(0x40, 0xa9);
    out(0x40, 0x04);                            /* 1193: about 1 ms */
    uint64_t next = platform_next_event(&p);
    /* The first rising edge of OUT0 after 1193 PIT clocks, on the TSC. */
    uint64_t want = T0 + 1193 * HZ / PIT_HZ;
    CHECK(next >= want && next <= want + 1);
    CHECK(platform_can_wake(&p, false));
    tsc = next - 1;
    platform_sync(&p);
    CHECK_EQ(ninjected, 0);
    tsc = next;
    platform_sync(&p);
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_EXTINT | 0x20);
    /* Ten periods later without a sync: one interrupt (coalesced), after the EOI. */
    tsc = next + 10 * (next - T0);
    out(0x20, 0x20);
    platform_sync(&p);
    CHECK_EQ(ninjected, 2);
    CHECK(platform_next_event(&p) > tsc);
    /* Masked at the 8259 (and the I/O APIC at reset): armed, yet nothing can wake. */
    out(0x21, 0xff);
    CHECK(platform_next_event(&p) != PLATFORM_NO_EVENT);
    CHECK(!platform_can_wake(&p, false));
}

UT_TEST(platform_pit_through_ioapic_pin2)
{
    setup();
    set_rte(2, 0x30);                        /* GSI 2: vector 0x30, edge, physical 0 */
    out(0x43, 0x34);
    out(0x40, 0x00);
    out(0x40, 0x00);                            /* 65536: 54.9 ms */
    CHECK(platform_can_wake(&p, false));
    tsc = platform_next_event(&p);
    platform_sync(&p);
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_FIXED | 0x30);
}

UT_TEST(platform_rtc_periodic_irq8)
{
    setup();
    unmask(8);
    out(0x70, 0x0a);
    out(0x71, 0x26);                            /* 1024 Hz */
    out(0x70, 0x0b);
    out(0x71, 0x42);                            /* PIE, 24-hour */
    uint64_t next = platform_next_event(&p);
    CHECK(next > T0 && next <= T0 + HZ / 1024 + 1);
    CHECK(platform_can_wake(&p, false));
    tsc = next;
    platform_sync(&p);
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_EXTINT | 0x28);
    /* IRQF holds the line (no new edge, no deadline) until register C is read. */
    CHECK_EQ(platform_next_event(&p), PLATFORM_NO_EVENT);
    out(0x70, 0x0c);
    CHECK(in(0x71) & 0xc0);
    out(0xa0, 0x20);
    out(0x20, 0x20);
    platform_sync(&p);
    CHECK_EQ(ninjected, 1);
    CHECK(platform_next_event(&p) > tsc);
}

UT_TEST(platform_com1_irq4)
{
    setup();
    unmask(4);
    com1_out(0x3fc, UART_MCR_OUT2);
    com1_out(0x3f9, UART_IER_THRI);             /* THR empty: at once, after the access */
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_EXTINT | 0x24);
    /* Console input can wake a halted guest only with the receive interrupt on. */
    CHECK(!platform_can_wake(&p, true));
    com1_out(0x3f9, UART_IER_RDI);
    CHECK(platform_can_wake(&p, true));
    CHECK(!platform_can_wake(&p, false));
    out(0x21, 0xff);
    CHECK(!platform_can_wake(&p, true));
}

UT_TEST(platform_pm_timer_sci)
{
    setup();
    set_rte(9, 0x39 | IOAPIC_RTE_LEVEL);     /* SCI: GSI 9 level, active high (the MADT) */
    out_n(ACPI_PM1A_EVT_BLK + 2, 2, ACPI_PM1_TMR);
    uint64_t next = platform_next_event(&p);
    uint64_t want = T0 + (1ull << 23) * HZ / ACPI_PM_TIMER_HZ;
    CHECK(next >= want && next <= want + 1);
    CHECK(platform_can_wake(&p, false));
    tsc = next;
    platform_sync(&p);
    CHECK_EQ(ninjected, 1);
    CHECK_EQ(injected[0], IRQ_FIXED | IRQ_LEVEL | 0x39);
    /* EOIed while still asserted: again (level). Cleared by the guest, EOIed: nothing more. */
    platform_eoi(&p, 0x39);
    CHECK_EQ(ninjected, 2);
    out_n(ACPI_PM1A_EVT_BLK, 2, ACPI_PM1_TMR);
    platform_eoi(&p, 0x39);
    CHECK_EQ(ninjected, 2);
    CHECK(platform_next_event(&p) > tsc);       /* the next change of bit 23 */
}

UT_TEST(platform_access_looks_only_at_that_device)
{
    setup();
    unmask(0);
    out(0x43, 0x34);
    out(0x40, 0xa9);
    out(0x40, 0x04);
    uint64_t next = platform_next_event(&p);
    CHECK(next != PLATFORM_NO_EVENT);
    /* Another device's port, a COM1 port, an MMIO address: no clock read, same deadline. */
    unsigned reads = clock_reads;
    platform_access(&p, true, 0x80);
    com1_out(0x3ff, 0x55);
    platform_access(&p, false, 0xfec00010);
    CHECK_EQ(clock_reads, reads);
    CHECK_EQ(platform_next_event(&p), next);
    /* The deadline passes without an exit: the sync at the deadline delivers. */
    tsc = next;
    CHECK_EQ(ninjected, 0);
    platform_sync(&p);
    CHECK_EQ(ninjected, 1);
    CHECK(platform_next_event(&p) > tsc);
    /* A PIT access moves the deadline: a new count restarts the period. */
    tsc += 100;
    out(0x43, 0x34);
    out(0x40, 0x00);
    out(0x40, 0x10);                            /* 4096 */
    uint64_t want = tsc + 4096 * HZ / PIT_HZ;   /* from the PIT clock now: up to one earlier */
    CHECK(platform_next_event(&p) + HZ / PIT_HZ + 1 >= want && platform_next_event(&p) <= want + 1);
    CHECK(platform_next_event(&p) > tsc + 4095 * HZ / PIT_HZ);
}

UT_TEST(platform_guest_time_is_the_tsc)
{
    /* PIT channel 2, the PM timer and the RTC all count the TSC at its rate: a guest
     * measuring 10 ms on each finds the same TSC ticks. */
    setup();
    out(0x61, 0x01);                            /* gate 2 high */
    out(0x43, 0xb0);                            /* counter 2, LSB/MSB, mode 0 */
    out(0x42, 0xff);
    out(0x42, 0xff);
    uint32_t pm0 = acpi_pm_timer(&pm);
    tsc += HZ / 100;                            /* 10 ms */
    out(0x43, 0x80);                            /* latch counter 2 */
    unsigned lo = in(0x42), hi = in(0x42);
    unsigned pit_elapsed = 0xffff - (lo | hi << 8);
    CHECK(pit_elapsed >= 11931 && pit_elapsed <= 11932);
    uint32_t pm_elapsed = acpi_pm_timer(&pm) - pm0;
    CHECK(pm_elapsed >= 35795 && pm_elapsed <= 35796);
    /* A whole second later the RTC's seconds moved by one. */
    out(0x70, 0x00);
    unsigned s0 = in(0x71);
    tsc += HZ;
    unsigned s1 = in(0x71);
    CHECK_EQ(((s0 >> 4) * 10 + (s0 & 15) + 1) % 60, (s1 >> 4) * 10 + (s1 & 15));  /* BCD */
}
