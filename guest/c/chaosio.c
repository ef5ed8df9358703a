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
 *
 * Then the interrupt controllers and timers, chaosio.irq_n accesses each
 * (default 2000), interrupts off (IF=0) throughout, handlers on every vector
 * (NMIs, which ignore IF, are counted):
 * - ports of the 8259As (0x20/0x21, 0xa0/0xa1), the 8254 (0x40-0x43), port
 *   0x61, the RTC (0x70/0x71) and the ELCR (0x4d0/0x4d1): IN/OUT, 1/2/4 bytes;
 * - the local APIC page (IA32_APIC_BASE, xAPIC): loads and stores at any
 *   offset and size, any exception caught and counted; not the ICR's low
 *   half (an IPI to ourselves could be INIT), and LVT delivery modes SMI,
 *   INIT, NMI and the reserved ones become fixed;
 * - the x2APIC MSRs 0x800-0x8ff with x2APIC off: every RDMSR and WRMSR must
 *   raise #GP (a check). With CPUID's x2APIC bit also in x2APIC mode: random
 *   WRMSRs (ICR 0x830 left alone, LVT delivery modes as above), the illegal
 *   ones raise #GP; then back to xAPIC through the disabled state;
 * - the I/O APIC page: IOREGSEL then IOWIN, stores and loads anywhere on the
 *   page; redirection entries get delivery modes fixed, lowest priority or
 *   ExtINT only (an INIT or NMI pin would stop or flood the guest).
 * Afterwards everything is quietened (both 8259As and every I/O APIC entry
 * masked, PIT channels in one-shot mode, RTC interrupts off, local APIC
 * timer stopped) and the guest must go on to its normal end.
 */
#include "pc.h"
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

/* ---- interrupt controllers and timers ----------------------------------------------------- */

static struct {
    uint32_t port_in, port_out, lapic_read, lapic_write, lapic_fault, x2_gp_off, x2_no_gp_off, x2_write,
        x2_gp_on, ioapic_read, ioapic_write, ioapic_fault, nmi, skipped;
} irqc;

static void nmi(uint32_t vector)
{
    (void)vector;
    irqc.nmi++;
}

static void stray(uint32_t vector)
{
    rt_fail(EXIT_CHECK, "interrupt vector 0x%x with IF=0", vector);
}

/* MMIO of 1/2/4 bytes that may fault: the vector, or RT_NO_FAULT. */
static int mmio_write_safe(uint32_t a, unsigned size, uint32_t v)
{
    rt_fault_vector = RT_NO_FAULT;
    if (size == 1)
        __asm__ volatile("1: movb %b1, (%0)\n2:\n" RT_FIXUP("1b", "2b") : : "r"(a), "q"(v) : "memory");
    else if (size == 2)
        __asm__ volatile("1: movw %w1, (%0)\n2:\n" RT_FIXUP("1b", "2b") : : "r"(a), "r"(v) : "memory");
    else
        __asm__ volatile("1: movl %1, (%0)\n2:\n" RT_FIXUP("1b", "2b") : : "r"(a), "r"(v) : "memory");
    return rt_fault_vector;
}

static int mmio_read_safe(uint32_t a, unsigned size)
{
    uint32_t v = 0;
    rt_fault_vector = RT_NO_FAULT;
    if (size == 1)
        __asm__ volatile("1: movzbl (%1), %0\n2:\n" RT_FIXUP("1b", "2b") : "+r"(v) : "r"(a) : "memory");
    else if (size == 2)
        __asm__ volatile("1: movzwl (%1), %0\n2:\n" RT_FIXUP("1b", "2b") : "+r"(v) : "r"(a) : "memory");
    else
        __asm__ volatile("1: movl (%1), %0\n2:\n" RT_FIXUP("1b", "2b") : "+r"(v) : "r"(a) : "memory");
    return rt_fault_vector;
}

/* Delivery mode (bits 8-10) of an LVT entry: SMI, NMI, INIT and the reserved ones become fixed. */
static uint32_t lvt_sane(uint32_t v)
{
    uint32_t mode = v >> 8 & 7;
    return mode == 0 || mode == 7 ? v : v & ~0x700u;
}

static bool lvt_with_mode(uint32_t reg)                 /* xAPIC offsets */
{
    return reg == 0x2f0 || (reg >= 0x330 && reg <= 0x360);
}

/* Progress every 500 accesses of a round, so a stall shows where it is. */
static void progress(const char *round, uint32_t i)
{
    if ((i + 1) % 500 == 0)
        rt_printf("chaosio: %s: %u done\n", round, i + 1);
}

static void irq_ports(uint32_t n)
{
    uint32_t trace = rt_cmdline_u32("chaosio.trace", ~0u);    /* print each access from this one */
    static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71,
                                      0x4d0, 0x4d1 };
    for (uint32_t i = 0; i < n; i++) {
        progress("ports", i);
        unsigned size = random_size();
        uint32_t port = ports[next() % (sizeof(ports) / sizeof(ports[0]))], value = next();
        if (!port_allowed(port, size)) {                /* 0x61 + 4 reaches 0x64 */
            irqc.skipped++;
            continue;
        }
        doing_where = port;
        bool out = next() & 1;
        if (i >= trace)
            rt_printf("chaosio: %u: %s 0x%x, %u bytes, 0x%08x\n", i, out ? "OUT" : "IN", port, size, value);
        if (out) {
            doing = "OUT to port";
            rt_out((uint16_t)port, size, value);
            irqc.port_out++;
        } else {
            doing = "IN from port";
            (void)rt_in((uint16_t)port, size);
            irqc.port_in++;
        }
    }
}

static void lapic_mmio(uint32_t base, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        progress("local APIC", i);
        unsigned size = random_size();
        /* Three in four at a register's first byte, the others anywhere. */
        uint32_t off = next() & 3 ? (next() & 0x3f) << 4 : next() & 0xfff, value = next();
        if (off + size > 0x1000 || (off < 0x304 && off + size > 0x300)) {
            irqc.skipped++;
            continue;
        }
        doing_where = base + off;
        int vec;
        if (next() & 1) {
            doing = "local APIC store to";
            if (lvt_with_mode(off & ~0xfu) && (off & 0xf) == 0 && size == 4)
                value = lvt_sane(value);
            else if (lvt_with_mode(off & ~0xfu) && (off & 0xf) <= 1 && (off & 0xf) + size > 1)
                value &= ~(0x700u >> (8 * (off & 0xf)));    /* the mode's bits in this store: fixed */
            vec = mmio_write_safe(base + off, size, value);
            irqc.lapic_write++;
        } else {
            doing = "local APIC load from";
            vec = mmio_read_safe(base + off, size);
            irqc.lapic_read++;
        }
        if (vec != RT_NO_FAULT)
            irqc.lapic_fault++;
    }
}

static void x2apic_msrs(uint32_t n, bool x2_on)
{
    for (uint32_t i = 0; i < n; i++) {
        progress(x2_on ? "x2APIC on" : "x2APIC off", i);
        uint32_t msr = 0x800 + (next() & 0xff), lo = next(), hi = next();
        uint64_t v;
        doing_where = msr;
        int vec;
        if (!x2_on) {
            if (next() & 1) {
                doing = "x2APIC WRMSR (x2APIC off)";
                vec = rt_wrmsr_safe(msr, (uint64_t)hi << 32 | lo);
            } else {
                doing = "x2APIC RDMSR (x2APIC off)";
                vec = rt_rdmsr_safe(msr, &v);
            }
            if (vec == 13)
                irqc.x2_gp_off++;
            else
                irqc.x2_no_gp_off++;
            continue;
        }
        static const uint16_t writable[] = { 0x808, 0x80b, 0x80f, 0x828, 0x82f, 0x832, 0x833, 0x834,
                                             0x835, 0x836, 0x837, 0x838, 0x83e, 0x83f };
        if (next() & 1) {                               /* half on registers that take writes, */
            msr = writable[next() % (sizeof(writable) / sizeof(writable[0]))];
            if (next() & 1)                             /* half of those a vector and the mask bit */
                lo &= 0x100ff;
        }
        if (msr == 0x830) {                             /* ICR: an IPI */
            irqc.skipped++;
            continue;
        }
        if (next() & 1 || (lo & ~0x100ffu) == 0) {      /* half in the fields registers use */
            hi = 0;
            lo &= 0x3ffff;
        }
        if (msr == 0x82f || (msr >= 0x833 && msr <= 0x836))
            lo = lvt_sane(lo);
        doing = "x2APIC WRMSR";
        vec = rt_wrmsr_safe(msr, (uint64_t)hi << 32 | lo);
        irqc.x2_write++;
        if (vec == 13)
            irqc.x2_gp_on++;
        else if (vec != RT_NO_FAULT)
            rt_fail(EXIT_CHECK, "WRMSR 0x%x in x2APIC mode raised vector %d, not #GP", msr, vec);
    }
}

static void ioapic_mmio(uint32_t base, uint32_t n)
{
    uint32_t sel = 0;
    for (uint32_t i = 0; i < n; i++) {
        progress("I/O APIC", i);
        uint32_t pick = next() % 4, value = next();
        int vec;
        doing = "I/O APIC store to";
        if (pick == 0) {                                /* IOREGSEL */
            sel = next() & 0x3f;
            doing_where = base;
            vec = mmio_write_safe(base + IOAPIC_REGSEL, 4, sel);
            irqc.ioapic_write++;
        } else if (pick == 1) {                         /* IOWIN store */
            if (sel >= 0x10 && !(sel & 1)) {            /* an entry's low half: a harmless mode */
                static const uint32_t modes[3] = { 0, 1, 7 };
                value = (value & ~0x700u) | modes[next() % 3] << 8;
            }
            doing_where = base + IOAPIC_WIN;
            vec = mmio_write_safe(base + IOAPIC_WIN, 4, value);
            irqc.ioapic_write++;
        } else {                                        /* anywhere on the page, not IOWIN */
            unsigned size = random_size();
            uint32_t off = next() & 0xfff;
            if (off + size > 0x1000 || (off < 0x20 && off + size > 0x10)) {
                irqc.skipped++;
                continue;
            }
            doing_where = base + off;
            if (pick == 2) {
                vec = mmio_write_safe(base + off, size, value);
                irqc.ioapic_write++;
                if (off < 4)
                    sel = ~0u;                          /* a partial IOREGSEL store: unknown */
            } else {
                doing = "I/O APIC load from";
                vec = mmio_read_safe(base + off, size);
                irqc.ioapic_read++;
            }
        }
        if (vec != RT_NO_FAULT)
            irqc.ioapic_fault++;
    }
}

/* Everything that could interrupt quiet again (only the end of the run is to come). */
static void quieten(uint32_t ioapic)
{
    pic_init(0x20, 0x28, 0xffff);
    for (unsigned ch = 0; ch < 3; ch += 2)
        pit_program(ch, 0, 0xffff);
    outb(0x70, 0x0b);
    outb(0x71, 0x02);                                   /* RTC: 24 h BCD, no interrupts */
    outb(0x70, 0x0c);
    (void)inb(0x71);
    outb(0x70, 0x0d);
    for (unsigned p = 0; p < 24; p++)
        ioapic_set_rte(ioapic, p, IOAPIC_RTE_MASKED);
    uint64_t base = rdmsr(MSR_APIC_BASE);
    if (base & APIC_BASE_EN) {
        uint32_t l = (uint32_t)base & 0xfffff000u;
        lapic_write(l, LAPIC_TIMER_INIT, 0);
        lapic_write(l, LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
    }
}

static void interrupt_chaos(void)
{
    uint32_t n = rt_cmdline_u32("chaosio.irq_n", 2000);
    for (unsigned v = 32; v < 256; v++)
        rt_set_vector((uint8_t)v, stray);
    rt_set_vector(2, nmi);
    struct madt_info m;
    uint32_t ioapic = acpi_madt(&m) && m.ioapics ? m.ioapic_addr : IOAPIC_DEFAULT;
    bool has_apic = cpuid(1, 0).edx & (1u << 9), has_x2 = cpuid(1, 0).ecx & (1u << 21);
    uint64_t apic_base = has_apic ? rdmsr(MSR_APIC_BASE) : 0;
    uint32_t lapic = (uint32_t)apic_base & 0xfffff000u;
    rt_printf("chaosio: interrupt controllers: %u accesses each; local APIC 0x%08x%s, x2APIC %s, I/O APIC 0x%08x\n",
              n, lapic, apic_base & APIC_BASE_EN ? "" : " (off)", has_x2 ? "offered" : "not offered", ioapic);

    irq_ports(n);
    if (has_apic && (apic_base & (APIC_BASE_EN | APIC_BASE_X2)) == APIC_BASE_EN)
        lapic_mmio(lapic, n);
    x2apic_msrs(n / 4, false);
    check(irqc.x2_no_gp_off == 0, "x2APIC off: every x2APIC MSR access raises #GP (%u did not)",
          irqc.x2_no_gp_off);
    if (has_apic && has_x2) {
        check(rt_wrmsr_safe(MSR_APIC_BASE, apic_base | APIC_BASE_EN | APIC_BASE_X2) == RT_NO_FAULT,
              "x2APIC mode on (CPUID offers it)");
        x2apic_msrs(n, true);
        /* x2APIC -> xAPIC only through the disabled state (SDM 10.12.5). */
        int off = rt_wrmsr_safe(MSR_APIC_BASE, apic_base & ~(uint64_t)(APIC_BASE_EN | APIC_BASE_X2));
        int on = rt_wrmsr_safe(MSR_APIC_BASE, apic_base);
        check(off == RT_NO_FAULT && on == RT_NO_FAULT, "back to xAPIC mode through the disabled state");
        check(irqc.x2_gp_on > 0, "x2APIC mode: illegal x2APIC MSR writes raise #GP (%u of %u)", irqc.x2_gp_on,
              irqc.x2_write);
    }
    ioapic_mmio(ioapic, n);
    quieten(ioapic);
    rt_printf("chaosio: interrupt controllers: ports %u in, %u out; local APIC %u loads, %u stores, %u faults\n",
              irqc.port_in, irqc.port_out, irqc.lapic_read, irqc.lapic_write, irqc.lapic_fault);
    rt_printf("chaosio: x2APIC MSRs %u #GP while off, %u writes (%u #GP) while on; I/O APIC %u loads, %u stores, "
              "%u faults; %u NMIs; %u skipped\n",
              irqc.x2_gp_off, irqc.x2_write, irqc.x2_gp_on, irqc.ioapic_read, irqc.ioapic_write, irqc.ioapic_fault,
              irqc.nmi, irqc.skipped);
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
    rt_fatal_hook = fatal_report;
    interrupt_chaos();
    rt_fatal_hook = NULL;
    return 0;
}
