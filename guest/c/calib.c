/*
 * calib: TSC calibration the way Linux does it at boot, against the two
 * fixed-frequency clocks of a PC, compared with the frequency CPUID gives
 * (leaf 0x15, else 0x16):
 * - PIT channel 2: port 0x61 bit 0 raises gate 2 (bit 1, the speaker, off),
 *   channel 2 in mode 0 (interrupt on terminal count) with a 50 ms count;
 *   OUT2, port 0x61 bit 5, goes high at the terminal count; the TSC across
 *   the poll. Three runs, the median.
 * - ACPI PM timer (3.579545 MHz): its port from the FADT (PM_TMR_BLK, found
 *   through the RSDP in the BIOS area), else 0x608; 24 bits unless the
 *   FADT's TMR_VAL_EXT says 32, so the difference is taken modulo the wrap.
 *   50 ms, three runs, the median.
 * Both within 1% of CPUID. Prints "calib: cpuid A MHz, pit B MHz, pmtimer C MHz".
 * Exit status: 0, or the code of the first failed check (10-15).
 */
#include "pc.h"

GUEST_NAME("calib");

#define CAL_MS          50
#define RUNS            3

static uint64_t median3(uint64_t a, uint64_t b, uint64_t c)
{
    if (a > b) { uint64_t t = a; a = b; b = t; }
    if (b > c) { uint64_t t = b; b = c; c = t; }
    return a > b ? a : b;
}

/* One PIT channel 2 run: TSC Hz, or 0 if OUT2 never rose. */
static uint64_t pit_run(uint32_t *polls)
{
    uint32_t latch = PIT_HZ / (1000 / CAL_MS);
    /* Gate high, speaker off (Linux pit_calibrate_tsc). */
    outb(PORT_B, (uint8_t)((inb(PORT_B) & ~0x02) | 0x01));
    /* Channel 2, LSB then MSB, mode 0, binary: OUT2 low until the count runs out. */
    outb(PIT_CMD, 0xb0);
    outb(0x42, (uint8_t)latch);
    outb(0x42, (uint8_t)(latch >> 8));
    uint64_t t1 = rdtsc(), t2 = t1;
    uint32_t n = 0;
    bool high = false;
    /* Bounded: the loop stops on its own after a billion TSC ticks past the expected end. */
    while (!(high = inb(PORT_B) & 0x20) && (t2 = rdtsc()) - t1 < 4000000000ull)
        n++;
    t2 = rdtsc();
    *polls = n;
    if (!high || n == 0)
        return 0;
    return muldiv64(t2 - t1, PIT_HZ, latch);
}

/* One PM timer run over CAL_MS: TSC Hz. */
static uint64_t pm_run(uint16_t port, uint32_t mask)
{
    uint32_t want = PM_TIMER_HZ / (1000 / CAL_MS);
    uint32_t p1 = inl(port) & mask;
    uint64_t t1 = rdtsc(), t2 = t1;
    uint32_t d = 0;
    while (d < want && (t2 = rdtsc()) - t1 < 4000000000ull)
        d = ((inl(port) & mask) - p1) & mask;
    t2 = rdtsc();
    if (d < want)
        return 0;
    return muldiv64(t2 - t1, PM_TIMER_HZ, d);
}

int gmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    const char *src;
    char a[24], b[24], c[24];
    uint64_t cpuid_hz = pc_tsc_hz(&src);
    check_status(10, cpuid_hz >= 1000000, "CPUID gives the TSC frequency (%s)", src);

    uint64_t pit[RUNS];
    uint32_t polls[RUNS];
    for (unsigned i = 0; i < RUNS; i++)
        pit[i] = pit_run(&polls[i]);
    uint64_t pit_hz = median3(pit[0], pit[1], pit[2]);
    rt_printf("calib: pit channel 2: %s, %s, %s MHz (%u, %u, %u polls of port 0x61)\n",
              pc_mhz(a, sizeof(a), pit[0]), pc_mhz(b, sizeof(b), pit[1]), pc_mhz(c, sizeof(c), pit[2]),
              polls[0], polls[1], polls[2]);
    check_status(11, pit[0] && pit[1] && pit[2], "OUT2 (port 0x61 bit 5) rises at channel 2's terminal count, "
                 "after being low");

    uint32_t mask = 0xffffff;
    uint16_t port = acpi_pm_timer(&mask);
    const char *port_src = "FADT";
    if (!port) {
        port = 0x608;
        mask = 0xffffff;
        port_src = "fixed";
    }
    rt_printf("calib: PM timer at port 0x%x (%s), %u bits\n", port, port_src, mask == 0xffffff ? 24 : 32);
    check_status(12, port_src[0] == 'F', "the FADT (through the RSDP) gives the PM timer port");
    uint64_t pm[RUNS];
    for (unsigned i = 0; i < RUNS; i++)
        pm[i] = pm_run(port, mask);
    uint64_t pm_hz = median3(pm[0], pm[1], pm[2]);
    check_status(13, pm[0] && pm[1] && pm[2], "the PM timer counts %u ticks in each run", PM_TIMER_HZ / 20);

    rt_printf("calib: cpuid %s MHz, pit %s MHz, pmtimer %s MHz\n", pc_mhz(a, sizeof(a), cpuid_hz),
              pc_mhz(b, sizeof(b), pit_hz), pc_mhz(c, sizeof(c), pm_hz));
    check_status(14, cpuid_hz && pc_within(pit_hz, cpuid_hz, 100), "PIT calibration within 1%% of CPUID");
    check_status(15, cpuid_hz && pc_within(pm_hz, cpuid_hz, 100), "PM timer calibration within 1%% of CPUID");
    outb(PORT_B, (uint8_t)(inb(PORT_B) & ~0x03));     /* gate 2 low, speaker off */
    return 0;
}
