/*
 * ioapic_level: APIC mode with the I/O APIC (82093AA datasheet, SDM Vol. 3A
 * ch. 10). The guest masks both 8259As, enables its local APIC (SVR bit 8,
 * spurious vector 0xff), finds the I/O APIC and the ISA overrides in the
 * MADT, and then:
 * - level: COM1's 16550 with IER.THRI and MCR.OUT2 holds IRQ 4 high while
 *   its transmit holding register is empty (until IIR is read or THR is
 *   written). The pin's entry is level-triggered, active high. Unmasked with
 *   IF=0: remote IRR set in the entry, the vector in the local APIC's IRR and
 *   TMR. With IF=1 each EOI brings the interrupt back while the source stays:
 *   N deliveries (ioapic_level.n, default 16), remote IRR and ISR set in each
 *   handler; the Nth reads IIR (THRE, which clears the source), and no more
 *   come. A byte written to THR raises it once more; that handler clears
 *   IER.THRI and again no more come. Remote IRR and ISR end clear.
 * - edge: IRQ 0 (the PIT, channel 0 in mode 2 at 1000 Hz) through the pin the
 *   MADT's override gives (2 on a PC): ticks arrive at 1000 Hz within 1%,
 *   remote IRR stays clear; masking the entry stops them (but for one the
 *   local APIC had already accepted, in its IRR), unmasking resumes.
 * Exit status: 0, or the code of the first failed check (10-27).
 */
#include "pc.h"

GUEST_NAME("ioapic_level");

#define VEC_UART        0x44
#define VEC_TICK        0x30
#define VEC_SPURIOUS    0xff
#define VEC_PIC         0x20
#define TICK_HZ         1000
#define UNTIMED         2       /* ticks not timed at the start (one may be stale) */

static uint32_t lapic, ioapic;
static unsigned uart_pin, tick_pin;
static uint64_t dest, tsc_hz;
static uint32_t limit;

static volatile unsigned phase;
static volatile uint32_t uart_irqs, rirr_seen, isr_seen, iir_read = 0xff, spurious;
static volatile uint32_t ticks, tick_rirr;
static volatile uint64_t first_tsc, last_tsc;

static void uart_irq(uint32_t vector)
{
    (void)vector;
    uart_irqs++;
    if (ioapic_rte(ioapic, uart_pin) & IOAPIC_RTE_RIRR)
        rirr_seen++;
    if (lapic_vector_bit(lapic, LAPIC_ISR, VEC_UART))
        isr_seen++;
    if (phase == 1 && uart_irqs >= limit)
        iir_read = inb(COM1_BASE + UART_IIR);           /* clears THRE as the source */
    else if (phase == 2)
        outb(COM1_BASE + UART_IER, 0);                  /* THRI off: the line drops */
    if (uart_irqs > 10 * limit + 100)                   /* a storm that never ends */
        outb(COM1_BASE + UART_IER, 0);
    lapic_write(lapic, LAPIC_EOI, 0);
}

static void tick_irq(uint32_t vector)
{
    (void)vector;
    uint64_t t = rdtsc();
    if (ticks++ == UNTIMED)
        first_tsc = t;
    last_tsc = t;
    if (ioapic_rte(ioapic, tick_pin) & IOAPIC_RTE_RIRR)
        tick_rirr++;
    lapic_write(lapic, LAPIC_EOI, 0);
}

static void spurious_irq(uint32_t vector)
{
    (void)vector;
    spurious++;                                         /* no EOI for the spurious vector */
}

static void unexpected(uint32_t vector)
{
    rt_fail(EXIT_CHECK, "unexpected interrupt vector 0x%x", vector);
}

/* Busy-waits with IF=1 until *counter reaches n or us pass, then us_after more. */
static void run_until(volatile uint32_t *counter, uint32_t n, uint32_t us, uint32_t us_after)
{
    uint64_t start = rdtsc(), lim = muldiv64(tsc_hz, us, 1000000);
    rt_sti();
    while (*counter < n && rdtsc() - start < lim)
        rt_pause();
    pc_delay_us(tsc_hz, us_after);
    rt_cli();
}

static void level(void)
{
    limit = rt_cmdline_u32("ioapic_level.n", 16);
    if (limit < 2 || limit > 1000)
        limit = 16;
    uint64_t rte = VEC_UART | IOAPIC_RTE_LEVEL | dest;  /* fixed, physical, active high */
    ioapic_set_rte(ioapic, uart_pin, rte | IOAPIC_RTE_MASKED);
    uart_drain();                                       /* the console's last byte is out */
    uint8_t mcr = inb(COM1_BASE + UART_MCR);
    outb(COM1_BASE + UART_MCR, (uint8_t)(mcr | UART_MCR_OUT2));
    outb(COM1_BASE + UART_IER, UART_IER_THRI);          /* THR empty: IRQ 4 goes high */

    /* From here no console output until THRI is off again. */
    phase = 1;
    ioapic_set_rte(ioapic, uart_pin, rte);              /* unmasked, IF=0 */
    pc_delay_us(tsc_hz, 1000);
    uint64_t pending = ioapic_rte(ioapic, uart_pin);
    bool irr = lapic_vector_bit(lapic, LAPIC_IRR, VEC_UART), tmr = lapic_vector_bit(lapic, LAPIC_TMR, VEC_UART);
    run_until(&uart_irqs, limit, 500000, 20000);
    uint32_t n1 = uart_irqs, rirr1 = rirr_seen, isr1 = isr_seen;
    uint64_t after1 = ioapic_rte(ioapic, uart_pin);
    bool isr_after1 = lapic_vector_bit(lapic, LAPIC_ISR, VEC_UART);

    phase = 2;
    outb(COM1_BASE + UART_THR, '\r');                   /* THRE again once it is sent */
    run_until(&uart_irqs, n1 + 1, 100000, 20000);
    uint32_t n2 = uart_irqs - n1;
    uint8_t ier = inb(COM1_BASE + UART_IER);
    outb(COM1_BASE + UART_IER, 0);
    ioapic_set_rte(ioapic, uart_pin, rte | IOAPIC_RTE_MASKED);
    uint64_t after2 = ioapic_rte(ioapic, uart_pin);
    bool isr_after2 = lapic_vector_bit(lapic, LAPIC_ISR, VEC_UART);
    outb(COM1_BASE + UART_MCR, mcr);

    rt_printf("ioapic_level: level pin %u: entry 0x%08x%08x with IF=0, %u deliveries, IIR 0x%02x, then %u\n",
              uart_pin, (uint32_t)(pending >> 32), (uint32_t)pending, n1, iir_read, n2);
    check_status(14, pending & IOAPIC_RTE_RIRR, "delivered with IF=0: remote IRR set in the entry");
    check_status(15, irr && tmr, "the local APIC holds vector 0x%x in IRR (%u) and TMR (%u)", VEC_UART, irr, tmr);
    check_status(16, n1 == limit, "each EOI brings the level interrupt back while the source stays: %u "
                 "deliveries, none after IIR was read (%u)", limit, n1);
    check_status(17, rirr1 == n1 && isr1 == n1, "remote IRR (%u) and ISR (%u) set in each handler", rirr1, isr1);
    check_status(18, (iir_read & 0x0f) == 0x02, "IIR named THRE as the source (0x%02x)", iir_read);
    check_status(19, !(after1 & IOAPIC_RTE_RIRR) && !isr_after1, "after the EOI remote IRR and ISR are clear");
    check_status(20, n2 == 1 && ier == 0, "a byte to THR raises it once more; with THRI off it stops (%u)", n2);
    check_status(21, !(after2 & IOAPIC_RTE_RIRR) && !isr_after2, "remote IRR and ISR clear at the end");
}

static void edge(void)
{
    uint64_t rte = VEC_TICK | dest;                     /* fixed, physical, edge, active high */
    ticks = tick_rirr = 0;
    ioapic_set_rte(ioapic, tick_pin, rte);
    pit_program(0, 2, (uint16_t)(PIT_HZ / TICK_HZ));
    uint32_t n = 100;
    uint64_t start = rdtsc(), lim = muldiv64(tsc_hz, 3 * (n + UNTIMED) * 1000000 / TICK_HZ + 100000, 1000000);
    while (ticks < UNTIMED + n + 1 && rdtsc() - start < lim)
        rt_sti_hlt();
    rt_cli();
    uint32_t got = ticks > UNTIMED ? ticks - UNTIMED : 0;
    uint64_t dt = last_tsc - first_tsc;
    uint64_t got_mhz = got > 1 && dt ? muldiv64((uint64_t)(got - 1) * 1000, tsc_hz, dt) : 0;
    uint64_t want_mhz = udiv64((uint64_t)PIT_HZ * 1000, PIT_HZ / TICK_HZ);
    rt_printf("ioapic_level: edge pin %u: %u ticks at %u.%03u Hz\n", tick_pin, got, (uint32_t)udiv64(got_mhz, 1000),
              (uint32_t)(got_mhz - udiv64(got_mhz, 1000) * 1000));
    check_status(22, got >= n + 1, "PIT ticks arrive through pin %u while the guest halts", tick_pin);
    check_status(23, got > 1 && pc_within(got_mhz, want_mhz, 100), "at %u Hz within 1%%", TICK_HZ);
    check_status(24, tick_rirr == 0, "an edge entry leaves remote IRR clear (%u set)", tick_rirr);

    /* A tick the local APIC accepted before the mask still comes (IRR); nothing after it. */
    ioapic_set_rte(ioapic, tick_pin, rte | IOAPIC_RTE_MASKED);
    uint32_t accepted = lapic_vector_bit(lapic, LAPIC_IRR, VEC_TICK), before = ticks;
    rt_sti();
    pc_delay_us(tsc_hz, 20000);
    rt_cli();
    check_status(25, ticks - before == accepted, "masking the entry stops the ticks (%u in 20 periods, %u of them "
                 "in the local APIC's IRR before)", ticks - before, accepted);
    ioapic_set_rte(ioapic, tick_pin, rte);
    before = ticks;
    rt_sti();
    pc_delay_us(tsc_hz, 10000);
    rt_cli();
    check_status(26, ticks - before >= 5, "unmasking it brings them back (%u in 10 periods)", ticks - before);
    ioapic_set_rte(ioapic, tick_pin, rte | IOAPIC_RTE_MASKED);
    pit_program(0, 0, 0xffff);
}

int gmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    const char *src;
    struct madt_info m;
    tsc_hz = pc_tsc_hz(&src);
    bool madt = acpi_madt(&m);
    if (!check_status(10, tsc_hz >= 1000000 && (cpuid(1, 0).edx & (1u << 9)) && madt && m.ioapics == 1,
                      "TSC frequency (%s), a local APIC (CPUID), a MADT with one I/O APIC", src))
        return 0;
    ioapic = m.ioapic_addr;
    uart_pin = m.irq_gsi[4] - m.ioapic_gsi_base;
    tick_pin = m.irq_gsi[0] - m.ioapic_gsi_base;
    uint32_t ver = ioapic_read(ioapic, IOAPIC_REG_VER), pins = (ver >> 16 & 0xff) + 1;
    rt_printf("ioapic_level: I/O APIC at 0x%08x (GSI base %u), version 0x%02x, %u pins; IRQ 0 -> GSI %u, IRQ 4 -> "
              "GSI %u\n", ioapic, m.ioapic_gsi_base, ver & 0xff, pins, m.irq_gsi[0], m.irq_gsi[4]);
    check_status(11, ioapic == IOAPIC_DEFAULT && pins == 24, "the I/O APIC at 0x%08x with 24 pins", IOAPIC_DEFAULT);
    check_status(12, tick_pin == 2 && uart_pin == 4, "IRQ 0 comes in on pin 2 (override), IRQ 4 on pin 4");
    if (tick_pin >= pins || uart_pin >= pins)
        return 0;

    for (unsigned v = 32; v < 256; v++)
        rt_set_vector((uint8_t)v, unexpected);
    rt_set_vector(VEC_UART, uart_irq);
    rt_set_vector(VEC_TICK, tick_irq);
    rt_set_vector(VEC_SPURIOUS, spurious_irq);
    for (unsigned p = 0; p < pins; p++)
        ioapic_set_rte(ioapic, p, IOAPIC_RTE_MASKED | (VEC_TICK + 0x10 + p));

    /* APIC mode: 8259As initialised and masked, the local APIC enabled. */
    pic_init(VEC_PIC, VEC_PIC + 8, 0xffff);
    uint64_t base = rdmsr(MSR_APIC_BASE);
    if (!(base & APIC_BASE_EN))
        wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
    lapic = lapic_base();
    lapic_write(lapic, LAPIC_TPR, 0);
    lapic_write(lapic, LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
    uint32_t svr = lapic_read(lapic, LAPIC_SVR), id = lapic_read(lapic, LAPIC_ID) >> 24;
    dest = (uint64_t)id << 56;
    rt_printf("ioapic_level: local APIC at 0x%08x, id %u, version 0x%08x, SVR 0x%03x\n", lapic, id,
              lapic_read(lapic, LAPIC_VER), svr);
    check_status(13, (svr & 0x1ff) == (LAPIC_SVR_ENABLE | VEC_SPURIOUS), "the local APIC is enabled (SVR 0x%x)", svr);

    level();
    edge();
    check_status(27, spurious == 0, "no spurious local APIC interrupts (%u)", spurious);
    lapic_write(lapic, LAPIC_SVR, VEC_SPURIOUS);
    return 0;
}
