/*
 * pic_pit: the 8259A pair and the 8254's channel 0 as a PC kernel uses them
 * (Intel 8259A and 8254 datasheets). ICW1-ICW4 with vector bases 0x20/0x28,
 * everything masked but IRQ 0; the IRR latches PIT edges while IRQ 0 is
 * masked and the ISR stays clear (OCW3 reads); the poll command (OCW3 P=1)
 * answers 0x80 | 0 and puts IRQ 0 in service until the EOI; then channel 0
 * in mode 2 (rate generator) and mode 3 (square wave): the guest sleeps in
 * HLT with IF=1 between ticks, counts N IRQ 0 interrupts (ISR bit 0 set in
 * the handler, non-specific EOI through OCW2; the first two not timed, as
 * one may be a stale request) and checks their rate against
 * the TSC, whose frequency CPUID gives (leaf 0x15/0x16), within 1%; masking
 * IRQ 0 in the IMR stops the ticks (IRR still latches them) and unmasking
 * brings them back; no spurious IRQ 7/15.
 * Options: pic_pit.n=N ticks per rate (default 200), pic_pit.hz2=, pic_pit.hz3=
 * (rates in modes 2 and 3, default 1000 and 500).
 * Exit status: 0, or the code of the first failed check (10-26).
 */
#include "pc.h"

GUEST_NAME("pic_pit");

#define VEC_MASTER      0x20
#define VEC_SLAVE       0x28
/*
 * Interrupts not timed at the start of a measurement: one the IRR latched
 * before the new count was written (IRQ 0 unmasked with IF=0) comes at once,
 * so the timing starts at the third, which is the new rate's for certain.
 */
#define UNTIMED         2

static uint64_t tsc_hz;
static volatile uint32_t ticks, spurious, isr_bad, isr_seen;
static volatile uint64_t first_tsc, last_tsc;

static void irq0(uint32_t vector)
{
    (void)vector;
    uint64_t t = rdtsc();
    if (ticks == UNTIMED)
        first_tsc = t;
    last_tsc = t;
    if (isr_seen < 4) {                 /* the first few: IRQ 0 is in service in its handler */
        isr_seen++;
        if (!(pic_read_isr() & 1))
            isr_bad++;
    }
    ticks++;
    outb(PIC1_CMD, PIC_EOI);            /* OCW2: non-specific EOI */
}

/* IR7 of either 8259A without a request: the spurious vector; no EOI (ISR not set), but a
 * slave's spurious IR7 came through the master's IR2, which is in service. */
static void spurious_irq(uint32_t vector)
{
    spurious++;
    if (vector == VEC_SLAVE + 7)
        outb(PIC1_CMD, PIC_EOI);
}

/* Sleeps in HLT until ticks reaches n or timeout_us of TSC time pass. */
static void wait_ticks(uint32_t n, uint32_t timeout_us)
{
    uint64_t start = rdtsc(), limit = muldiv64(tsc_hz, timeout_us, 1000000);
    while (ticks < n && rdtsc() - start < limit)
        rt_sti_hlt();
    rt_cli();
}

/* Channel 0 in mode at about hz: N ticks, their rate against the TSC within 1%. */
static void measure(unsigned mode, uint32_t hz, uint32_t n, uint32_t code)
{
    uint16_t count = (uint16_t)((PIT_HZ + hz / 2) / hz);
    uint64_t want_mhz = udiv64((uint64_t)PIT_HZ * 1000, count);        /* milli-Hz */
    ticks = 0;
    isr_seen = isr_bad = 0;
    pit_program(0, mode, count);
    /* n + 1 timed ticks: n periods between the first and the last. Allow 3x the time. */
    wait_ticks(UNTIMED + n + 1, (uint32_t)udiv64((uint64_t)(n + 1 + UNTIMED) * 3000000000ull, want_mhz) + 100000);
    uint32_t got = ticks > UNTIMED ? ticks - UNTIMED : 0;
    uint64_t dt = last_tsc - first_tsc;
    uint64_t got_mhz = got > 1 && dt ? muldiv64((uint64_t)(got - 1) * 1000, tsc_hz, dt) : 0;
    rt_printf("pic_pit: mode %u, count %u: %u ticks at %u.%03u Hz (expected %u.%03u Hz)\n", mode, count,
              got, (uint32_t)udiv64(got_mhz, 1000), (uint32_t)(got_mhz - udiv64(got_mhz, 1000) * 1000),
              (uint32_t)udiv64(want_mhz, 1000), (uint32_t)(want_mhz - udiv64(want_mhz, 1000) * 1000));
    check_status(code, got >= n + 1, "mode %u: %u IRQ 0 interrupts arrive while the guest halts", mode, n + 1);
    check_status(code + 1, got > 1 && pc_within(got_mhz, want_mhz, 100),
                 "mode %u: the tick rate is within 1%% of %u Hz (TSC)", mode, hz);
    check_status(code + 2, isr_seen > 0 && isr_bad == 0,
                 "mode %u: ISR bit 0 is set in the IRQ 0 handler (%u of %u not)", mode, isr_bad, isr_seen);
}

int gmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    const char *src;
    char mhz[24];
    uint32_t n = rt_cmdline_u32("pic_pit.n", 200), hz2 = rt_cmdline_u32("pic_pit.hz2", 1000),
             hz3 = rt_cmdline_u32("pic_pit.hz3", 500);
    if (n < 2)
        n = 2;
    if (hz2 < 20 || hz2 > 20000)
        hz2 = 1000;
    if (hz3 < 20 || hz3 > 20000)
        hz3 = 500;
    tsc_hz = pc_tsc_hz(&src);
    rt_printf("pic_pit: tsc %s MHz (%s)\n", pc_mhz(mhz, sizeof(mhz), tsc_hz), src);
    if (!check_status(10, tsc_hz >= 1000000, "CPUID gives the TSC frequency"))
        return 0;

    rt_set_vector(VEC_MASTER, irq0);
    rt_set_vector(VEC_MASTER + 7, spurious_irq);
    rt_set_vector(VEC_SLAVE + 7, spurious_irq);
    pic_init(VEC_MASTER, VEC_SLAVE, 0xffff);
    check_status(11, pic_get_mask() == 0xffff, "IMR reads back 0xffff after ICW1-4 and OCW1 (0x%04x)",
                 pic_get_mask());

    /* Masked: the IRR still latches the edges, nothing goes in service. */
    uint16_t count = (uint16_t)(PIT_HZ / 1000);
    pit_program(0, 2, count);
    pc_delay_us(tsc_hz, 5000);
    uint16_t irr = pic_read_irr(), isr = pic_read_isr();
    check_status(12, irr & 1, "masked IRQ 0: IRR bit 0 latches the PIT's ticks (IRR 0x%04x)", irr);
    check_status(13, isr == 0, "masked IRQ 0: nothing in service (ISR 0x%04x)", isr);

    /* Unmasked with IF=0: the poll command reads 0x80 | level 0 and sets ISR bit 0 like an INTA. */
    pic_set_mask(0xfffe);
    pc_delay_us(tsc_hz, 3000);
    outb(PIC1_CMD, PIC_POLL);
    uint8_t poll = inb(PIC1_CMD);
    isr = pic_read_isr();
    check_status(14, poll == 0x80, "OCW3 poll with IRQ 0 pending reads 0x80 (0x%02x)", poll);
    check_status(15, isr == 0x0001, "the poll put IRQ 0 in service (ISR 0x%04x)", isr);
    outb(PIC1_CMD, PIC_EOI);
    isr = pic_read_isr();
    check_status(16, isr == 0, "the non-specific EOI clears it (ISR 0x%04x)", isr);

    measure(2, hz2, n, 17);
    uint32_t n3 = n / 2 > 2 ? n / 2 : 2;
    measure(3, hz3, n3, 20);

    /* IMR: a masked IRQ 0 delivers nothing, its edges wait in the IRR; unmasking resumes. */
    pic_set_mask(0xffff);
    uint32_t before = ticks;
    rt_sti();
    pc_delay_us(tsc_hz, 20 * 1000000 / hz3);
    rt_cli();
    uint32_t masked = ticks - before;
    irr = pic_read_irr();
    check_status(23, masked == 0, "masking IRQ 0 in the IMR stops the ticks (%u in 20 periods)", masked);
    check_status(24, irr & 1, "masked IRQ 0 still latches in the IRR (IRR 0x%04x)", irr);
    pic_set_mask(0xfffe);
    before = ticks;
    rt_sti();
    pc_delay_us(tsc_hz, 5 * 1000000 / hz3);
    rt_cli();
    check_status(25, ticks - before >= 2, "unmasking IRQ 0 brings the ticks back (%u in 5 periods)",
                 ticks - before);

    pic_set_mask(0xffff);
    pit_program(0, 0, 0xffff);          /* mode 0: one terminal count, then quiet */
    isr = pic_read_isr();
    check_status(26, spurious == 0 && isr == 0, "no spurious IRQ 7/15 (%u), nothing left in service (ISR 0x%04x)",
                 spurious, isr);
    return 0;
}
