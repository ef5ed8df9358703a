/*
 * Local APIC: mode selection (x2APIC or xAPIC), register access for both
 * modes, EOI, IPIs, and calibration of the TSC and APIC timer against the
 * PIT.
 */
#include "lapic.h"
#include "base.h"
#include "x86.h"
#include "x86.h"

#define APIC_BASE_BSP  (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)     /* x2APIC mode */
#define APIC_BASE_EN   (1ull << 11)
#define APIC_BASE_ADDR 0x000ffffffffff000ull

#define CPUID1_EDX_APIC   (1u << 9)
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_HYPERVISOR (1u << 31)

/* Vector left in masked LVT entries: if one is ever unmasked by mistake, the
 * trap handler reports it as an unexpected interrupt (and sends EOI). */
#define LVT_UNUSED_VEC 0xfe
#define LVT_DM_NMI     (4u << 8)
#define LVT_DM_EXTINT  (7u << 8)
#define SPURIOUS_VEC   0xff

enum lapic_mode { MODE_NONE, MODE_XAPIC, MODE_X2APIC };

static enum lapic_mode mode;
static volatile uint32_t *mmio;         /* xAPIC register page */
static uint64_t mmio_phys;
static uint64_t tsc_freq, timer_freq;

/* ---- register access ------------------------------------------------------ */

static inline uint32_t x2_msr(uint32_t reg)
{
    return MSR_X2APIC_BASE + (reg >> 4);
}

uint64_t lapic_read(uint32_t reg)
{
    if (mode == MODE_X2APIC)
        return rdmsr(x2_msr(reg));
    if (mode == MODE_XAPIC) {
        if (reg == LAPIC_ICR)
            return (uint64_t)mmio[LAPIC_ICR_HIGH / 4] << 32 | mmio[LAPIC_ICR / 4];
        return mmio[reg / 4];
    }
    return 0;
}

void lapic_write(uint32_t reg, uint64_t v)
{
    if (mode == MODE_X2APIC) {
        wrmsr(x2_msr(reg), v);
    } else if (mode == MODE_XAPIC) {
        if (reg == LAPIC_ICR)
            mmio[LAPIC_ICR_HIGH / 4] = (uint32_t)(v >> 32);
        mmio[reg / 4] = (uint32_t)v;
    }
}

bool lapic_is_x2apic(void)
{
    return mode == MODE_X2APIC;
}

uint32_t lapic_id(void)
{
    if (mode == MODE_X2APIC)
        return (uint32_t)rdmsr(x2_msr(LAPIC_ID));
    if (mode == MODE_XAPIC)
        return mmio[LAPIC_ID / 4] >> 24;
    return cpuid(1, 0).ebx >> 24;
}

void lapic_eoi(void)
{
    if (mode != MODE_NONE)
        lapic_write(LAPIC_EOI, 0);
}

/* xAPIC: wait until the ICR is no longer send-pending. */
static bool icr_idle(void)
{
    for (uint32_t i = 0; i < 1000000; i++) {
        if (!(mmio[LAPIC_ICR / 4] & LAPIC_ICR_PENDING))
            return true;
        pause();
    }
    return false;
}

bool lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
    if (mode == MODE_X2APIC) {
        /* x2APIC ICR writes are not serializing: order earlier stores first. */
        __asm__ volatile("mfence" ::: "memory");
        wrmsr(x2_msr(LAPIC_ICR), (uint64_t)apic_id << 32 | icr_low);
        return true;
    }
    if (mode != MODE_XAPIC || apic_id > 0xff || !icr_idle())
        return false;
    mmio[LAPIC_ICR_HIGH / 4] = apic_id << 24;
    mmio[LAPIC_ICR / 4] = icr_low;     /* this write sends */
    return icr_idle();
}

/* ---- initialisation ----------------------------------------------------------- */

static void choose_mode(void)
{
    struct cpuid_regs f = cpuid(1, 0);
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    bool x2 = (f.ecx & CPUID1_ECX_X2APIC) != 0;

    if (x2 && cmdline_has("lapic", "xapic")) {
        if (base & APIC_BASE_EXTD)      /* leaving x2APIC needs a full APIC reset */
            pr_warn("lapic: firmware enabled x2APIC, ignoring lapic=xapic\n");
        else
            x2 = false;
    }
    /* Disabled -> xAPIC -> x2APIC: always go through the enabled xAPIC state. */
    if (!(base & APIC_BASE_EN)) {
        base |= APIC_BASE_EN;
        wrmsr(MSR_IA32_APIC_BASE, base);
    }
    if (x2) {
        if (!(base & APIC_BASE_EXTD))
            wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
        mode = MODE_X2APIC;
    } else {
        mmio_phys = base & APIC_BASE_ADDR;
        mmio = phys_to_virt(mmio_phys);
        mode = MODE_XAPIC;
    }
}

/* For APs: enter the mode the boot CPU chose. */
static void enter_mode(void)
{
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    if (!(base & APIC_BASE_EN)) {
        base |= APIC_BASE_EN;
        wrmsr(MSR_IA32_APIC_BASE, base);
    }
    if (mode == MODE_X2APIC && !(base & APIC_BASE_EXTD))
        wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
}

void lapic_init(void)
{
    if (!(cpuid(1, 0).edx & CPUID1_EDX_APIC)) {
        pr_warn("lapic: CPU has no local APIC\n");
        return;
    }
    if (mode == MODE_NONE)
        choose_mode();
    else
        enter_mode();

    uint32_t ver = (uint32_t)lapic_read(LAPIC_VERSION);
    uint32_t max_lvt = (ver >> 16) & 0xff;

    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | SPURIOUS_VEC);
    lapic_write(LAPIC_TIMER_INIT, 0);
    lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV16);
    lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | LVT_UNUSED_VEC);
    lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED | LVT_DM_EXTINT);
    lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_MASKED | LVT_DM_NMI);
    lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED | LVT_UNUSED_VEC);
    if (max_lvt >= 4)
        lapic_write(LAPIC_LVT_PERF, LAPIC_LVT_MASKED | LVT_UNUSED_VEC);
    if (max_lvt >= 5)
        lapic_write(LAPIC_LVT_THERMAL, LAPIC_LVT_MASKED | LVT_UNUSED_VEC);
    if (max_lvt >= 6)
        lapic_write(LAPIC_LVT_CMCI, LAPIC_LVT_MASKED | LVT_UNUSED_VEC);
    /* Back-to-back writes clear the ESR (xAPIC latches errors on a write). */
    lapic_write(LAPIC_ESR, 0);
    lapic_write(LAPIC_ESR, 0);

    /* Acknowledge interrupts the firmware left in service (bounded). */
    for (int n = 0; n < 256; n++) {
        bool any = false;
        for (uint32_t r = 0; r < 8; r++)
            any |= lapic_read(LAPIC_ISR0 + r * 0x10) != 0;
        if (!any)
            break;
        lapic_eoi();
    }

    bool bsp = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_BSP;
    if (mode == MODE_X2APIC)
        pr_info("lapic: x2APIC mode, %s, id %u, version 0x%x, %u LVT entries\n", bsp ? "BSP" : "AP",
                lapic_id(), ver & 0xff, max_lvt + 1);
    else
        pr_info("lapic: xAPIC mode at 0x%llx, %s, id %u, version 0x%x, %u LVT entries\n",
                (unsigned long long)mmio_phys, bsp ? "BSP" : "AP",
                lapic_id(), ver & 0xff, max_lvt + 1);
}

/* ---- timer / TSC calibration ------------------------------------------------------ */

#define PIT_HZ        1193182ull
#define PIT_CAL_COUNT 11932u            /* 10.0002 ms */
#define PIT_CH2       0x42
#define PIT_CMD       0x43
#define PIT_CMD_CH2_LOHI_MODE0 0xb0     /* channel 2, lo/hi byte, mode 0, binary */
#define PORT_B        0x61
#define PORT_B_GATE2  0x01
#define PORT_B_SPKR   0x02
#define PORT_B_OUT2   0x20

/* Give up on the PIT after this many polls or TSC ticks (10 ms needs ~50M ticks at 5 GHz). */
#define PIT_POLL_LIMIT 10000000u
#define PIT_TSC_LIMIT  (1ull << 32)

/* Frequencies without the PIT: CPUID 0x15/0x16, a hypervisor's timing leaf, or guesses. */
static const char *fallback(uint64_t *tsc, uint64_t *timer)
{
    const char *src = "guessed";
    uint32_t max = cpuid(0, 0).eax;
    *tsc = 0;
    *timer = 0;
    if (cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR) {
        /* VMware-style leaf, also offered by KVM/QEMU: TSC and APIC bus in kHz. */
        if (cpuid(0x40000000, 0).eax >= 0x40000010) {
            struct cpuid_regs h = cpuid(0x40000010, 0);
            if (h.eax && h.ebx) {
                *tsc = (uint64_t)h.eax * 1000;
                *timer = (uint64_t)h.ebx * 1000 / 16;
                return "CPUID 0x40000010";
            }
        }
    }
    if (max >= 0x15) {
        struct cpuid_regs c = cpuid(0x15, 0);
        if (c.eax && c.ebx && c.ecx) {  /* the APIC timer runs on the crystal clock */
            *tsc = (uint64_t)c.ecx * c.ebx / c.eax;
            *timer = c.ecx / 16;
            src = "CPUID 0x15";
        }
    }
    if (!*tsc && max >= 0x16) {
        uint32_t mhz = cpuid(0x16, 0).eax & 0xffff;
        if (mhz) {
            *tsc = (uint64_t)mhz * 1000000;
            src = "CPUID 0x16, timer guessed";
        }
    }
    if (!*tsc)
        *tsc = 2000000000ull;
    if (!*timer)
        *timer = 1000000000ull / 16;    /* 1 GHz bus, as QEMU models it */
    return src;
}

void lapic_timer_calibrate(void)
{
    bool irq_on = read_rflags() & RFLAGS_IF;
    cli();

    bool apic = mode != MODE_NONE;
    if (apic) {
        lapic_write(LAPIC_TIMER_INIT, 0);
        lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV16);
        lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | LVT_UNUSED_VEC);    /* one-shot */
    }

    uint8_t port_b = inb(PORT_B);
    outb(PORT_B, (uint8_t)((port_b & ~PORT_B_SPKR) | PORT_B_GATE2));
    outb(PIT_CMD, PIT_CMD_CH2_LOHI_MODE0);      /* OUT2 goes low */
    outb(PIT_CH2, PIT_CAL_COUNT & 0xff);
    outb(PIT_CH2, PIT_CAL_COUNT >> 8);          /* counting starts */

    uint64_t t0 = rdtsc();
    if (apic)
        lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
    bool signalled = false;
    for (uint32_t i = 0; i < PIT_POLL_LIMIT; i++) {
        if (inb(PORT_B) & PORT_B_OUT2) {
            signalled = true;
            break;
        }
        if (rdtsc() - t0 > PIT_TSC_LIMIT)
            break;
    }
    uint32_t cur = apic ? (uint32_t)lapic_read(LAPIC_TIMER_CUR) : 0xffffffffu;
    uint64_t t1 = rdtsc();

    if (apic)
        lapic_write(LAPIC_TIMER_INIT, 0);
    outb(PORT_B, port_b);
    if (irq_on)
        sti();

    uint64_t fb_tsc, fb_timer;
    const char *src = "PIT 10 ms";
    if (signalled) {
        tsc_freq = (t1 - t0) * PIT_HZ / PIT_CAL_COUNT;
        timer_freq = (uint64_t)(0xffffffffu - cur) * PIT_HZ / PIT_CAL_COUNT;
        if (!tsc_freq || (apic && !timer_freq)) {
            src = fallback(&fb_tsc, &fb_timer);
            pr_warn("lapic: PIT calibration gave TSC %llu Hz, timer %llu Hz; using %s for zeros\n",
                    (unsigned long long)tsc_freq, (unsigned long long)timer_freq, src);
            if (!tsc_freq)
                tsc_freq = fb_tsc;
            if (!timer_freq)
                timer_freq = fb_timer;
        }
    } else {
        src = fallback(&fb_tsc, &fb_timer);
        pr_warn("lapic: PIT channel 2 never signalled, using %s frequencies\n", src);
        tsc_freq = fb_tsc;
        timer_freq = fb_timer;
    }
    pr_info("lapic: timer %llu Hz, TSC %llu Hz (%s)\n", (unsigned long long)timer_freq,
            (unsigned long long)tsc_freq, src);
}

uint64_t tsc_hz(void)
{
    return tsc_freq;
}

uint64_t lapic_timer_hz(void)
{
    return timer_freq;
}

/* ---- one-shot timer for the scheduler --------------------------------------------- */

void lapic_timer_oneshot(uint8_t vector, uint32_t count)
{
    lapic_write(LAPIC_LVT_TIMER, vector);               /* one-shot, unmasked */
    lapic_write(LAPIC_TIMER_INIT, count ? count : 1);   /* divide 16, left by calibration */
}
