/*
 * idle: a guest that does nothing, the way an idle kernel does nothing: the
 * local APIC timer periodic at 100 Hz (divide by 16, its rate measured
 * against the TSC over 10 ms first), HLT with IF=1 between ticks, for
 * idle.ticks ticks (default 100: one second). Checks that the ticks came at
 * 100 Hz within 1% of TSC time. Run with the VMM option guest.stats, which
 * prints the vCPU's "cpu use" at the end: an idle guest should cost next to
 * nothing (the integration test wants < 5%).
 * Exit status: 0, or the code of the first failed check (10-13).
 */
#include "pc.h"

GUEST_NAME("idle");

#define VEC_TIMER       0x40
#define VEC_SPURIOUS    0xff
#define HZ              100

static uint32_t lapic;
static volatile uint32_t ticks;
static volatile uint64_t first_tsc, last_tsc;

static void timer_irq(uint32_t vector)
{
    (void)vector;
    uint64_t t = rdtsc();
    if (ticks++ == 0)
        first_tsc = t;
    last_tsc = t;
    lapic_write(lapic, LAPIC_EOI, 0);
}

static void spurious_irq(uint32_t vector)
{
    (void)vector;
}

int gmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    const char *src;
    char a[24], b[24];
    uint64_t tsc_hz = pc_tsc_hz(&src);
    uint32_t n = rt_cmdline_u32("idle.ticks", 100);
    if (n < 2)
        n = 2;
    if (!check_status(10, tsc_hz >= 1000000 && (cpuid(1, 0).edx & (1u << 9)),
                      "TSC frequency (%s) and a local APIC (CPUID)", src))
        return 0;
    rt_set_vector(VEC_TIMER, timer_irq);
    rt_set_vector(VEC_SPURIOUS, spurious_irq);
    pic_init(0x20, 0x28, 0xffff);
    uint64_t base = rdmsr(MSR_APIC_BASE);
    if (!(base & APIC_BASE_EN))
        wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
    lapic = lapic_base();
    lapic_write(lapic, LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
    lapic_write(lapic, LAPIC_TPR, 0);

    /* The timer's rate: a one-shot count down from 2^32 - 1 over 10 ms of TSC time. */
    lapic_write(lapic, LAPIC_TIMER_DIV, 0x3);                       /* divide by 16 */
    lapic_write(lapic, LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VEC_TIMER);
    lapic_write(lapic, LAPIC_TIMER_INIT, 0xffffffffu);
    uint64_t t0 = rdtsc();
    pc_delay_us(tsc_hz, 10000);
    uint32_t cur = lapic_read(lapic, LAPIC_TIMER_CUR);
    uint64_t t1 = rdtsc();
    lapic_write(lapic, LAPIC_TIMER_INIT, 0);
    uint64_t timer_hz = muldiv64(0xffffffffu - cur, tsc_hz, t1 - t0);
    rt_printf("idle: tsc %s MHz (%s), local APIC timer %s MHz after divide by 16\n", pc_mhz(a, sizeof(a), tsc_hz),
              src, pc_mhz(b, sizeof(b), timer_hz));
    if (!check_status(11, timer_hz >= HZ * 100, "the local APIC timer counts down"))
        return 0;

    uint32_t count = (uint32_t)udiv64(timer_hz + HZ / 2, HZ);
    lapic_write(lapic, LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | VEC_TIMER);
    lapic_write(lapic, LAPIC_TIMER_INIT, count);
    uint64_t start = rdtsc(), limit = muldiv64(tsc_hz, 3 * (n + 1), HZ);
    uint32_t halts = 0;
    while (ticks < n + 1 && rdtsc() - start < limit) {
        rt_sti_hlt();
        halts++;
    }
    rt_cli();
    lapic_write(lapic, LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VEC_TIMER);
    lapic_write(lapic, LAPIC_TIMER_INIT, 0);
    uint32_t got = ticks;
    uint64_t dt = last_tsc - first_tsc, want = muldiv64(tsc_hz, got > 1 ? got - 1 : 0, HZ);
    uint32_t ms = (uint32_t)udiv64(dt * 1000, tsc_hz);
    rt_printf("idle: %u ticks in %u ms, %u halts\n", got, ms, halts);
    check_status(12, got >= n + 1, "%u timer ticks while the guest halts", n + 1);
    check_status(13, got > 1 && pc_within(dt, want, 100), "at %u Hz within 1%% of TSC time", HZ);
    lapic_write(lapic, LAPIC_SVR, VEC_SPURIOUS);
    return 0;
}
