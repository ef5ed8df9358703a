/*
 * chaosio: guest-side fuzzing. A xorshift32 generator with a fixed seed
 * drives N random accesses (default 20000; chaosio.n=, chaosio.seed=): port
 * IN/OUT of 1, 2 or 4 bytes, MMIO loads and stores between the top of RAM and
 * 4 GiB, RDMSR of any number and WRMSR of numbers that cannot break the guest,
 * #GP caught. Passing means surviving: the counts, then exit status 0.
 *
 * Left alone, because on a PC they reset, power off, write our RAM or are
 * our console: ports 0x64 (keyboard controller reset), 0x92 (port A fast
 * reset), 0xb2 (SMI command), 0xcf9 (reset control), 0xe9 and 0x3f8-0x3ff
 * (console), 0xf4-0xf7 (exit), 0x514-0x51b (fw_cfg DMA, which writes RAM),
 * 0x604-0x605 (ACPI PM1a control: power off); memory-map entries (RAM,
 * firmware), the I/O APIC page 0xfec00000 and 0xfee00000-0xfeefffff (local
 * APIC; MSI writes there can send INIT or NMI); see wrmsr_allowed for MSRs.
 * PCI configuration address 0xcf8 is cleared first, so that data-port
 * writes do not land in whatever register the firmware selected last.
 */
#include "rt.h"
#include "mb_util.h"

GUEST_NAME("chaosio");

#define FOUR_GIB        (1ull << 32)

static uint32_t rng;

static uint32_t next(void)
{
    rng ^= rng << 13;           /* xorshift32 (Marsaglia 2003) */
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static unsigned random_size(void)
{
    static const unsigned sizes[3] = { 1, 2, 4 };
    return sizes[next() % 3];
}

/* ---- ports ---------------------------------------------------------------------------- */

static const struct {
    uint16_t first, last;
} port_skip[] = {
    { 0x0064, 0x0064 }, { 0x0092, 0x0092 }, { 0x00b2, 0x00b2 }, { 0x00e9, 0x00e9 },
    { 0x00f4, 0x00f7 }, { 0x03f8, 0x03ff }, { 0x0514, 0x051b }, { 0x0604, 0x0605 },
    { 0x0cf9, 0x0cf9 },
};

static bool port_allowed(uint32_t port, unsigned size)
{
    if (port + size > 0x10000)
        return false;
    for (unsigned i = 0; i < sizeof(port_skip) / sizeof(port_skip[0]); i++)
        if (port <= port_skip[i].last && port_skip[i].first < port + size)
            return false;
    return true;
}

/* ---- MMIO ----------------------------------------------------------------------------- */

static uint64_t ram_top;

static bool mmio_allowed(uint64_t a, unsigned size)
{
    uint64_t end = a + size;
    if (a < ram_top || end > FOUR_GIB)
        return false;
    if (a < 0xfec01000 && end > 0xfec00000)             /* I/O APIC */
        return false;
    if (a < 0xfef00000 && end > 0xfee00000)             /* local APIC, MSI window */
        return false;
    return !mb_mmap_covers_any(a, size);
}

/* Half uniform in [ram_top, 4 GiB), half in the top 32 MiB where PC devices live. */
static uint32_t random_mmio_address(void)
{
    uint32_t span = (uint32_t)(FOUR_GIB - ram_top);   /* ram_top >= 1 MiB: fits */
    if (next() & 1)
        return (uint32_t)ram_top + next() % span;
    return 0xfe000000u + next() % 0x2000000u;
}

/* ---- MSRs ----------------------------------------------------------------------------- */

/*
 * WRMSR only outside what the guest (or the machine) depends on: 0x0-0x2ff
 * (TSC, APIC base, SYSENTER, MISC_ENABLE, PAT, MTRRs, ...), 0x800-0x8ff
 * (x2APIC), 0x40000000-0x400000ff (hypervisor interface: pages written into
 * RAM), 0x4b564d00-0x4b564dff (KVM paravirtual clocks, also written into RAM),
 * 0xc0000080-0xc0000103 (EFER, STAR, FS/GS base, TSC_AUX), 0xc0010000-0xc001ffff
 * (AMD's HWCR, SYSCFG, TOP_MEM: memory types).
 */
static bool wrmsr_allowed(uint32_t msr)
{
    static const struct { uint32_t first, last; } skip[] = {
        { 0x00000000, 0x000002ff }, { 0x00000800, 0x000008ff }, { 0x40000000, 0x400000ff },
        { 0x4b564d00, 0x4b564dff }, { 0xc0000080, 0xc0000103 }, { 0xc0010000, 0xc001ffff },
    };
    for (unsigned i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
        if (msr >= skip[i].first && msr <= skip[i].last)
            return false;
    return true;
}

/* Half uniform, half near the bases where MSRs exist. */
static uint32_t random_msr(void)
{
    static const uint32_t bases[] = { 0x00000000, 0x40000000, 0x4b564d00, 0xc0000000, 0xc0010000 };
    if (next() & 1)
        return next();
    return bases[next() % 5] + (next() & 0x1fff);
}

/* ---- the run --------------------------------------------------------------------------- */

static struct {
    uint32_t port_in, port_out, mmio_read, mmio_write, msr_read, msr_write, gp, skipped;
} count;

/* What the current access is, for the report if it faults unexpectedly. */
static const char *doing = "";
static uint32_t doing_where;

static void fatal_report(void)
{
    rt_printf("chaosio: the unexpected exception came during %s 0x%08x\n", doing, doing_where);
}

static void one_access(void)
{
    unsigned size = random_size();
    uint32_t kind = next() % 8, value = next();
    if (kind < 4) {                                     /* half the accesses: ports */
        uint32_t port = next() & 0xffff;
        if (!port_allowed(port, size)) {
            count.skipped++;
            return;
        }
        doing_where = port;
        if (kind & 1) {
            doing = "OUT to port";
            rt_out((uint16_t)port, size, value);
            count.port_out++;
        } else {
            doing = "IN from port";
            (void)rt_in((uint16_t)port, size);
            count.port_in++;
        }
    } else if (kind < 6) {                              /* a quarter: MMIO */
        uint32_t a = random_mmio_address();
        if (!mmio_allowed(a, size)) {
            count.skipped++;
            return;
        }
        doing_where = a;
        if (kind & 1) {
            doing = "MMIO store to";
            rt_mmio_write(a, size, value);
            count.mmio_write++;
        } else {
            doing = "MMIO load from";
            (void)rt_mmio_read(a, size);
            count.mmio_read++;
        }
    } else {                                            /* a quarter: MSRs */
        uint32_t msr = random_msr();
        uint64_t v;
        int vec;
        doing_where = msr;
        if (kind & 1) {
            if (!wrmsr_allowed(msr)) {
                count.skipped++;
                return;
            }
            doing = "WRMSR";
            vec = rt_wrmsr_safe(msr, (uint64_t)next() << 32 | value);
            count.msr_write++;
        } else {
            doing = "RDMSR";
            vec = rt_rdmsr_safe(msr, &v);
            count.msr_read++;
        }
        if (vec == 13)
            count.gp++;
        else if (vec != RT_NO_FAULT)
            rt_fail(EXIT_CHECK, "%s 0x%08x raised vector %d, not #GP", doing, msr, vec);
    }
}

int gmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    uint32_t n = rt_cmdline_u32("chaosio.n", 20000);
    rng = rt_cmdline_u32("chaosio.seed", 0x2545f491);
    if (!rng)
        rng = 1;                                        /* xorshift stays 0 from 0 */
    ram_top = mb_ram_top_below_4g();
    if (!check(ram_top >= (1u << 20) && ram_top < FOUR_GIB, "RAM top 0x%llx from the Multiboot information",
               (unsigned long long)ram_top))
        return EXIT_CHECK;
    rt_printf("chaosio: %u accesses, seed 0x%08x, MMIO in [0x%08x, 4 GiB)\n", n, rng, (uint32_t)ram_top);
    rt_fatal_hook = fatal_report;
    outl(0xcf8, 0);                                     /* no PCI configuration register selected */
    for (uint32_t i = 0; i < n; i++) {
        one_access();
        if ((i + 1) % 5000 == 0)
            rt_printf("chaosio: %u done\n", i + 1);
    }
    rt_fatal_hook = NULL;
    rt_printf("chaosio: ports %u in, %u out; mmio %u loads, %u stores; msrs %u rdmsr, %u wrmsr, %u #GP; "
              "%u skipped\n",
              count.port_in, count.port_out, count.mmio_read, count.mmio_write, count.msr_read,
              count.msr_write, count.gp, count.skipped);
    check(count.port_in + count.port_out + count.mmio_read + count.mmio_write + count.msr_read +
                  count.msr_write + count.skipped == n,
          "all %u accesses done or skipped, and the guest still runs", n);
    return 0;
}
