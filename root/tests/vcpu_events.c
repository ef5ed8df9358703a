/*
 * Self-test cases of the vCPU's events and time (run by root/tests/hypercalls.c):
 * vcpu_resume's deadline (running and in HLT), vcpu_interrupt's delivery modes and
 * their errors (FIXED edge/level, NMI, ExtINT with the LINT0 rule), HV_PKT_GUEST_EOI,
 * HV_VCPU_LAPIC and HV_VCPU_STATS, and system_info's idle_ticks.
 */
#include "hc_case.h"
#include "libsys.h"
#include "root_tests.h"
#include "rt.h"

BLOB(tg_irq);
BLOB(tg_count);
BLOB(tg_nmi);
BLOB(tg_eoi);
BLOB(tg_outs);
BLOB(tg_sti_hlt);
BLOB(tg_hlt);
extern const uint8_t tg_irq_handler[], tg_irq_after_hlt[], tg_nmi_after_hlt[],
    tg_nmi_end_hlt[], tg_nmi_handler[], tg_nmi_irq_handler[], tg_eoi_handler[], tg_eoi_after_hlt[],
    tg_eoi_after_eoi[], tg_outs_after[], tg_sti_hlt_after[], tg_hlt_after[], tg_count_after[];

#define REG(off) ((off) >> 4)
#define APIC_SVR_REG 0x0f0
#define APIC_LINT0_REG 0x350
#define APIC_LVT_TIMER_REG 0x320
#define APIC_TMR_REG 0x180
#define APIC_ISR_REG 0x100
#define APIC_VERSION_REG 0x030
#define EXIT_REASON_HLT 12

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static bool get_lapic(hv_handle_t v, struct hv_vcpu_lapic *l)
{
    return EXPECT(hv_vcpu_read_state(v, HV_VCPU_LAPIC, l, sizeof(*l)), HV_OK);
}

/* ---- vcpu_resume's deadline ----------------------------------------------------------- */

/* A deadline already past: HV_ERR_TIMED_OUT at once, the guest does not move. */
static void t_resume_deadline_past(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_hlt)))
        return;
    struct hv_packet p;
    EXPECT(hv_vcpu_resume(t.v, &p, 0), HV_ERR_TIMED_OUT);
    EXPECT(hv_vcpu_resume(t.v, &p, rdtsc()), HV_ERR_TIMED_OUT);
    struct hv_vcpu_state s;
    if (get_regs(t.v, &s))
        CHECK(s.rip == CODE_GPA, "rip 0x%llx after a past deadline", (unsigned long long)s.rip);
    /* HV_TIME_INFINITE after a deadline: runs to the HLT as before. */
    if (resume(t.v, &p))
        EXPECT_HALT(&p, GADDR(tg_hlt, tg_hlt_after));
    /* A far deadline changes nothing for a guest that halts first. */
    if (EXPECT(hv_vcpu_resume(t.v, &p, rdtsc() + (1ull << 40)), HV_OK))
        EXPECT_HALT(&p, GADDR(tg_hlt, tg_hlt_after) + 1);
}

/* A guest that spins: the call ends at the deadline, not long after. */
static void t_resume_deadline_running(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_count)))
        return;
    struct hv_vcpu_state s;
    if (!get_regs(t.v, &s))
        return;
    s.rcx = 0xffffffffu;                        /* billions of instructions */
    if (!set_regs(t.v, &s))
        return;
    struct hv_packet p;
    for (int i = 0; i < 3 && !case_failed; i++) {
        uint64_t deadline = rdtsc() + 200000;
        EXPECT(hv_vcpu_resume(t.v, &p, deadline), HV_ERR_TIMED_OUT);
        uint64_t now = rdtsc();
        CHECK(now >= deadline && now - deadline < 60000,
              "run %d: returned %lld ticks after the deadline", i, (long long)(now - deadline));
        if (get_regs(t.v, &s))
            CHECK(s.rcx < 0xffffffffu - 20000 && s.rip < GADDR(tg_count, tg_count_after),
                  "run %d: ecx 0x%llx rip 0x%llx: the guest did not run", i,
                  (unsigned long long)s.rcx, (unsigned long long)s.rip);
    }
}

/* HLT with IF=1 and a deadline (no APIC timer): asleep in the kernel until it; the CPU
 * idles meanwhile, and the stats see the halt. */
static void t_resume_deadline_hlt(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_sti_hlt)))
        return;
    struct hv_vcpu_stats zero = { 0 }, st;
    if (!EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_STATS, &zero, sizeof(zero)), HV_OK))
        return;
    struct hv_system_info a, b;
    if (!EXPECT(hv_system_info(&a, sizeof(a)), HV_OK))
        return;
    uint64_t interval = a.tsc_hz / 50;          /* 20 ms */
    struct hv_packet p;
    uint64_t t0 = rdtsc(), deadline = t0 + interval;
    EXPECT(hv_vcpu_resume(t.v, &p, deadline), HV_ERR_TIMED_OUT);
    uint64_t t1 = rdtsc();
    if (!EXPECT(hv_system_info(&b, sizeof(b)), HV_OK))
        return;
    CHECK(t1 >= deadline && t1 - deadline < interval / 4,
          "returned %lld ticks after the deadline", (long long)(t1 - deadline));
    CHECK(b.idle_ticks - a.idle_ticks >= interval / 2 && b.idle_ticks - a.idle_ticks <= t1 - t0,
          "idle_ticks grew by %llu over %llu ticks", (unsigned long long)(b.idle_ticks - a.idle_ticks),
          (unsigned long long)(t1 - t0));
    if (EXPECT(hv_vcpu_read_state(t.v, HV_VCPU_STATS, &st, sizeof(st)), HV_OK))
        CHECK(st.halt_ticks >= interval / 2 && st.halt_ticks <= t1 - t0 &&
              st.reason[EXIT_REASON_HLT].count == 1 && st.exits == 1,
              "halt_ticks %llu, HLT exits %llu, exits %llu over %llu ticks",
              (unsigned long long)st.halt_ticks, (unsigned long long)st.reason[EXIT_REASON_HLT].count,
              (unsigned long long)st.exits, (unsigned long long)(t1 - t0));
    /* The HLT is over: without a deadline the next one comes back to the VMM as before
     * (IF=1, nothing to wake it). */
    struct hv_vcpu_state s;
    if (get_regs(t.v, &s))
        CHECK(s.rip == GADDR(tg_sti_hlt, tg_sti_hlt_after), "rip 0x%llx", (unsigned long long)s.rip);
    if (resume(t.v, &p))
        EXPECT_HALT(&p, GADDR(tg_sti_hlt, tg_sti_hlt_after) + 1);
    /* The first HLT's exit-to-entry time (the sleep in it) is charged at the next entry. */
    uint64_t halted = st.halt_ticks;
    if (EXPECT(hv_vcpu_read_state(t.v, HV_VCPU_STATS, &st, sizeof(st)), HV_OK))
        CHECK(st.reason[EXIT_REASON_HLT].count == 2 && st.reason[EXIT_REASON_HLT].ticks >= halted,
              "HLT exits %llu (%llu ticks), halt_ticks %llu",
              (unsigned long long)st.reason[EXIT_REASON_HLT].count,
              (unsigned long long)st.reason[EXIT_REASON_HLT].ticks, (unsigned long long)halted);
}

/* An interrupt ends a HLT before its deadline. */
static void t_resume_deadline_hlt_interrupted(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_irq)) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_IO, 0xe9, 1, 0, 9), HV_OK))
        return;
    set_gate(&t, 0x40, GADDR(tg_irq, tg_irq_handler));
    struct hv_packet p;
    /* Queued before the resume: the guest takes it at its STI;HLT, before any sleep. */
    if (!EXPECT(hv_vcpu_interrupt(t.v, HV_IRQ_EXTINT | 0x40), HV_OK))
        return;
    if (EXPECT(hv_vcpu_resume(t.v, &p, rdtsc() + 100000000ull), HV_OK))
        EXPECT_IO(&p, 0xe9, 1, false, 'I', 9);
}

/* ---- vcpu_interrupt ---------------------------------------------------------------------- */

static void t_interrupt_flags_errors(void)
{
    hv_handle_t g = new_guest(), v;
    if (!g || !EXPECT(hv_vcpu_create(g, 0, CODE_GPA, &v), HV_OK))
        return;
    track(v);
    static const struct { uint64_t irq; hv_status_t want; } c[] = {
        { 0, HV_ERR_OUT_OF_RANGE }, { 15, HV_ERR_OUT_OF_RANGE },
        { HV_IRQ_LEVEL | 2, HV_ERR_OUT_OF_RANGE },
        { 16, HV_OK }, { 255, HV_OK }, { HV_IRQ_LEVEL | 0x40, HV_OK },
        { HV_IRQ_NMI, HV_OK }, { HV_IRQ_EXTINT, HV_OK }, { HV_IRQ_EXTINT | 5, HV_OK },
        { HV_IRQ_EXTINT | 255, HV_OK },
        { 256, HV_ERR_INVALID_ARGS },                       /* lowest priority */
        { (2u << 8) | 0x40, HV_ERR_INVALID_ARGS },          /* SMI */
        { (3u << 8) | 0x40, HV_ERR_INVALID_ARGS },          /* reserved */
        { (5u << 8) | 0x40, HV_ERR_INVALID_ARGS },          /* INIT */
        { (6u << 8) | 0x40, HV_ERR_INVALID_ARGS },          /* start-up */
        { HV_IRQ_NMI | 2, HV_ERR_INVALID_ARGS },            /* an NMI with a vector */
        { HV_IRQ_NMI | HV_IRQ_LEVEL, HV_ERR_INVALID_ARGS },
        { HV_IRQ_EXTINT | HV_IRQ_LEVEL | 0x20, HV_ERR_INVALID_ARGS },
        { (1u << 11) | 0x40, HV_ERR_INVALID_ARGS },         /* destination mode */
        { (1u << 14) | 0x40, HV_ERR_INVALID_ARGS },         /* level assert bit */
        { (1u << 16) | 0x40, HV_ERR_INVALID_ARGS },
        { (3u << 18) | 0x40, HV_ERR_INVALID_ARGS },         /* shorthand */
        { 0xffffffffu, HV_ERR_INVALID_ARGS },
        { (1ull << 32) | 0x40, HV_ERR_INVALID_ARGS },       /* WIDE: the whole register */
        { (1ull << 63) | HV_IRQ_NMI, HV_ERR_INVALID_ARGS },
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        EXPECTF(hv_syscall6(HV_SYS_VCPU_INTERRUPT, v, (long)c[i].irq, 0, 0, 0, 0), c[i].want,
                "vcpu_interrupt(0x%llx)", (unsigned long long)c[i].irq);
}

/* An NMI reaches the guest's gate 2 although it halted with IF=0. A second NMI and an
 * ExtINT queued while the handler runs with IF=1: the interrupt goes in at once (NMI
 * blocking does not hold it back), the NMI after the handler's IRET. */
static void t_interrupt_nmi(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_nmi)) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_IO, 0xe9, 1, 0, 9), HV_OK))
        return;
    set_gate(&t, 2, GADDR(tg_nmi, tg_nmi_handler));
    set_gate(&t, 0x40, GADDR(tg_nmi, tg_nmi_irq_handler));
    struct hv_packet p;
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_nmi, tg_nmi_after_hlt)))
        return;
    if (!EXPECT(hv_vcpu_interrupt(t.v, HV_IRQ_NMI), HV_OK))
        return;
    if (!resume(t.v, &p) || !EXPECT_IO(&p, 0xe9, 1, false, 'N', 9))
        return;
    if (!EXPECT(hv_vcpu_interrupt(t.v, HV_IRQ_NMI), HV_OK) ||
        !EXPECT(hv_vcpu_interrupt(t.v, HV_IRQ_EXTINT | 0x40), HV_OK))
        return;
    static const char want[] = "IND";
    for (unsigned i = 0; i < 3; i++)
        if (!resume(t.v, &p) || !EXPECT_IO(&p, 0xe9, 1, false, (uint8_t)want[i], 9))
            return;
    if (resume(t.v, &p))
        EXPECT_HALT(&p, GADDR(tg_nmi, tg_nmi_end_hlt));
}

/* ExtINT: any vector, two queued at once both arrive; dropped while the APIC is enabled
 * with LINT0 masked, taken with LINT0 unmasked in ExtINT mode. */
static void t_interrupt_extint(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_irq)) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_IO, 0xe9, 1, 0, 9), HV_OK))
        return;
    set_gate(&t, 5, GADDR(tg_irq, tg_irq_handler));
    set_gate(&t, 0x30, GADDR(tg_irq, tg_irq_handler));
    set_gate(&t, 0x31, GADDR(tg_irq, tg_irq_handler));
    struct hv_packet p;
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_irq, tg_irq_after_hlt)))
        return;
    /* The APIC is software-disabled from reset: the 8259's INTR passes. Two vectors queued
     * before the guest runs: neither is lost. Vector 5 is fine for ExtINT. */
    struct hv_vcpu_state s;
    if (!get_regs(t.v, &s))
        return;
    s.rip = GADDR(tg_irq, tg_irq_after_hlt) - 2;        /* back to the STI; HLT */
    if (!set_regs(t.v, &s) || !EXPECT(hv_vcpu_interrupt(t.v, HV_IRQ_EXTINT | 0x31), HV_OK) ||
        !EXPECT(hv_vcpu_interrupt(t.v, HV_IRQ_EXTINT | 0x30), HV_OK))
        return;
    int got = 0;
    for (int i = 0; i < 3 && resume(t.v, &p); i++) {
        if (p.type == HV_PKT_GUEST_IO && p.guest_io.data == 'I')
            got++;
        else
            break;
    }
    CHECK(got == 2, "%d of 2 queued ExtINTs arrived (then packet type %u)", got, p.type);
    EXPECT_HALT(&p, GADDR(tg_irq, tg_irq_after_hlt));
    if (!get_regs(t.v, &s))
        return;
    s.rip = GADDR(tg_irq, tg_irq_after_hlt) - 2;
    if (!set_regs(t.v, &s) || !EXPECT(hv_vcpu_interrupt(t.v, HV_IRQ_EXTINT | 5), HV_OK) ||
        !resume(t.v, &p) || !EXPECT_IO(&p, 0xe9, 1, false, 'I', 9) || !resume(t.v, &p) ||
        !EXPECT_HALT(&p, GADDR(tg_irq, tg_irq_after_hlt)))
        return;
    /* Software-enabled with LINT0 masked: dropped (HV_OK), the guest halts. */
    struct hv_vcpu_lapic l;
    if (!get_lapic(t.v, &l))
        return;
    l.regs[REG(APIC_SVR_REG)] = 0x1ff;
    l.regs[REG(APIC_LINT0_REG)] = 0x10000 | 0x700;
    if (!EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_LAPIC, &l, sizeof(l)), HV_OK))
        return;
    s.rip = GADDR(tg_irq, tg_irq_after_hlt) - 2;
    if (!set_regs(t.v, &s) || !EXPECT(hv_vcpu_interrupt(t.v, HV_IRQ_EXTINT | 0x30), HV_OK) ||
        !resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_irq, tg_irq_after_hlt)))
        return;
    /* LINT0 unmasked in ExtINT mode: taken. */
    l.regs[REG(APIC_LINT0_REG)] = 0x700;
    if (!EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_LAPIC, &l, sizeof(l)), HV_OK))
        return;
    if (!set_regs(t.v, &s) || !EXPECT(hv_vcpu_interrupt(t.v, HV_IRQ_EXTINT | 0x30), HV_OK))
        return;
    if (resume(t.v, &p))
        EXPECT_IO(&p, 0xe9, 1, false, 'I', 9);
}

/* Level-triggered FIXED: the guest's EOI comes back as HV_PKT_GUEST_EOI (after the EOI,
 * rip past it); an edge one stays in the kernel. */
static void t_interrupt_level_eoi(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_eoi)) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_IO, 0xe9, 1, 0, 9), HV_OK))
        return;
    set_gate(&t, 0x40, GADDR(tg_eoi, tg_eoi_handler));
    struct hv_packet p;
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_eoi, tg_eoi_after_hlt)))
        return;
    if (!EXPECT(hv_vcpu_interrupt(t.v, HV_IRQ_FIXED | HV_IRQ_LEVEL | 0x40), HV_OK))
        return;
    struct hv_vcpu_lapic l;
    if (get_lapic(t.v, &l))
        CHECK(l.regs[REG(APIC_TMR_REG) + 2] == 1u && (l.regs[REG(APIC_SVR_REG)] & 0x100),
              "TMR[2] 0x%x SVR 0x%x", l.regs[REG(APIC_TMR_REG) + 2], l.regs[REG(APIC_SVR_REG)]);
    if (!resume(t.v, &p) || !EXPECT_IO(&p, 0xe9, 1, false, 'I', 9) || !resume(t.v, &p))
        return;
    if (!CHECK(p.type == HV_PKT_GUEST_EOI && p.guest_eoi.vector == 0x40 && p.key == 0,
               "packet type %u vector 0x%x, expected GUEST_EOI 0x40", p.type, p.guest_eoi.vector))
        return;
    struct hv_vcpu_state s;
    if (get_regs(t.v, &s))
        CHECK(s.rip == GADDR(tg_eoi, tg_eoi_after_eoi), "rip 0x%llx after the EOI",
              (unsigned long long)s.rip);
    if (get_lapic(t.v, &l))
        CHECK(l.regs[REG(APIC_ISR_REG) + 2] == 0 && l.regs[REG(APIC_TMR_REG) + 2] == 0,
              "ISR[2] 0x%x TMR[2] 0x%x after the EOI", l.regs[REG(APIC_ISR_REG) + 2],
              l.regs[REG(APIC_TMR_REG) + 2]);
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_eoi, tg_eoi_after_hlt)))
        return;
    /* Edge: the handler's EOI stays in the kernel. */
    if (!EXPECT(hv_vcpu_interrupt(t.v, 0x40), HV_OK) || !resume(t.v, &p) ||
        !EXPECT_IO(&p, 0xe9, 1, false, 'I', 9) || !resume(t.v, &p))
        return;
    EXPECT_HALT(&p, GADDR(tg_eoi, tg_eoi_after_hlt));
}

/* ---- HV_VCPU_LAPIC ------------------------------------------------------------------------ */

static void t_vcpu_lapic_state(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_hlt)))
        return;
    struct hv_vcpu_lapic l, back;
    if (!get_lapic(t.v, &l))
        return;
    CHECK((l.apic_base & ~0xfffull) == 0xfee00000ull && (l.apic_base & 0x900) == 0x900 &&
          l.regs[REG(APIC_VERSION_REG)] == 0x50014 && l.regs[REG(APIC_SVR_REG)] == 0xff &&
          l.regs[REG(APIC_LINT0_REG)] == 0x10000 && l.tsc_deadline == 0,
          "reset state: base 0x%llx version 0x%x SVR 0x%x LINT0 0x%x",
          (unsigned long long)l.apic_base, l.regs[REG(APIC_VERSION_REG)],
          l.regs[REG(APIC_SVR_REG)], l.regs[REG(APIC_LINT0_REG)]);
    /* Round trip with changes: enabled, a one-shot timer far away, a TPR. */
    l.regs[REG(APIC_SVR_REG)] = 0x1ff;
    l.regs[REG(APIC_LVT_TIMER_REG)] = 0x10040;          /* masked: it never fires here */
    l.regs[REG(0x380)] = 0x7fffffff;                    /* initial count */
    l.regs[REG(0x390)] = 0x7ffffff0;                    /* current count */
    l.regs[REG(0x080)] = 0x30;                          /* TPR */
    if (!EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_LAPIC, &l, sizeof(l)), HV_OK) ||
        !get_lapic(t.v, &back))
        return;
    for (unsigned i = 0; i < 64; i++) {
        if (i == REG(0x390) || i == REG(0x0a0))
            continue;
        CHECK(back.regs[i] == l.regs[i], "reg 0x%x: wrote 0x%x, read 0x%x", i * 16, l.regs[i],
              back.regs[i]);
    }
    CHECK(back.regs[REG(0x390)] <= 0x7ffffff0 && back.regs[REG(0x390)] > 0x7ff00000,
          "current count 0x%x: not running on from 0x7ffffff0", back.regs[REG(0x390)]);
    CHECK(back.regs[REG(0x0a0)] == 0x30 && back.apic_base == l.apic_base, "PPR 0x%x base 0x%llx",
          back.regs[REG(0x0a0)], (unsigned long long)back.apic_base);
    /* The guest still runs. */
    struct hv_packet p;
    if (resume(t.v, &p))
        EXPECT_HALT(&p, GADDR(tg_hlt, tg_hlt_after));
}

static void t_vcpu_lapic_state_errors(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_hlt)))
        return;
    struct hv_vcpu_lapic good, l;
    if (!get_lapic(t.v, &good))
        return;
    EXPECT(hv_vcpu_read_state(t.v, HV_VCPU_LAPIC, &l, sizeof(l) - 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_read_state(t.v, HV_VCPU_LAPIC, &l, sizeof(l) + 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_LAPIC, &good, sizeof(good) - 8), HV_ERR_INVALID_ARGS);
    FOR_BAD_PTRS(b, sizeof(l), true)
        EXPECTF(hv_vcpu_read_state(t.v, HV_VCPU_LAPIC, P(b->va), sizeof(l)), HV_ERR_INVALID_ARGS,
                "read_state(LAPIC, %s)", b->name);
    static const uint64_t bad_base[] = {
        0xfee00000ull | (1u << 11) | 1,                 /* reserved bit 0 */
        0xfee00000ull | (1u << 11) | (1u << 9),         /* reserved bit 9 */
        0xfee00000ull | (1u << 10),                     /* x2APIC without enable */
        0xfee00000ull | (1u << 11) | (1ull << 52),      /* above any MAXPHYADDR */
        0xfee00000ull | (1u << 11) | (1ull << 63),
    };
    for (unsigned i = 0; i < sizeof(bad_base) / sizeof(bad_base[0]); i++) {
        l = good;
        l.apic_base = bad_base[i];
        EXPECTF(hv_vcpu_write_state(t.v, HV_VCPU_LAPIC, &l, sizeof(l)), HV_ERR_INVALID_ARGS,
                "apic_base 0x%llx", (unsigned long long)bad_base[i]);
    }
    static const struct { uint32_t off, val; } bad_reg[] = {
        { 0x0f0, 0x11ff },                              /* SVR bit 12 */
        { 0x0f0, 0x800000ff },
        { 0x320, 0x80040 },                             /* LVT timer bit 19 */
        { 0x350, 0x100000 },                            /* LINT0 bit 20 */
        { 0x370, 0x400 },                               /* the error LVT's delivery mode */
        { 0x340, 0x20000 },                             /* perf: timer mode bits */
    };
    for (unsigned i = 0; i < sizeof(bad_reg) / sizeof(bad_reg[0]); i++) {
        l = good;
        l.regs[REG(bad_reg[i].off)] = bad_reg[i].val;
        EXPECTF(hv_vcpu_write_state(t.v, HV_VCPU_LAPIC, &l, sizeof(l)), HV_ERR_INVALID_ARGS,
                "reg 0x%x = 0x%x", bad_reg[i].off, bad_reg[i].val);
    }
    /* Nothing of the refused writes stuck. */
    if (get_lapic(t.v, &l))
        CHECK(l.apic_base == good.apic_base && l.regs[REG(APIC_SVR_REG)] == 0xff,
              "after refused writes: base 0x%llx SVR 0x%x", (unsigned long long)l.apic_base,
              l.regs[REG(APIC_SVR_REG)]);
}

/* ---- HV_VCPU_STATS --------------------------------------------------------------------------- */

static void t_vcpu_stats(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_outs)) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_IO, 0x80, 1, 0, 3), HV_OK))
        return;
    struct hv_vcpu_stats st, zero = { 0 };
    /* Off until enabled: all zero. */
    if (EXPECT(hv_vcpu_read_state(t.v, HV_VCPU_STATS, &st, sizeof(st)), HV_OK))
        CHECK(st.exits == 0 && st.guest_ticks == 0 && st.reason[30].count == 0,
              "before enabling: %llu exits", (unsigned long long)st.exits);
    EXPECT(hv_vcpu_read_state(t.v, HV_VCPU_STATS, &st, sizeof(st) - 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_STATS, &zero, sizeof(zero) + 1), HV_ERR_INVALID_ARGS);
    for (unsigned i = 0; i < 4; i++) {
        struct hv_vcpu_stats nz = { 0 };
        uint64_t *w = (uint64_t *)&nz;
        w[i == 3 ? sizeof(nz) / 8 - 1 : i] = 1;          /* any non-zero field */
        EXPECTF(hv_vcpu_write_state(t.v, HV_VCPU_STATS, &nz, sizeof(nz)), HV_ERR_INVALID_ARGS,
                "stats with word %u set", i);
    }
    struct hv_vcpu_state s;
    if (!get_regs(t.v, &s))
        return;
    s.rcx = 25;
    if (!set_regs(t.v, &s) ||
        !EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_STATS, &zero, sizeof(zero)), HV_OK))
        return;
    struct hv_packet p;
    for (int i = 0; i < 25; i++)
        if (!resume(t.v, &p) || !EXPECT_IO(&p, 0x80, 1, false, s.rax & 0xff, 3))
            return;
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_outs, tg_outs_after)))
        return;
    if (!EXPECT(hv_vcpu_read_state(t.v, HV_VCPU_STATS, &st, sizeof(st)), HV_OK))
        return;
    uint64_t sum = 0;
    for (unsigned r = 0; r < HV_VCPU_STATS_REASONS; r++)
        sum += st.reason[r].count;
    CHECK(st.reason[30].count == 25 && st.reason[EXIT_REASON_HLT].count == 1 &&
          st.exits >= 26 && sum == st.exits && st.reason[30].ticks > 25 * 100 &&
          st.guest_ticks > 0 && st.halt_ticks == 0,
          "OUT exits %llu (%llu ticks), HLT %llu, exits %llu (reasons sum %llu), guest %llu, "
          "halt %llu", (unsigned long long)st.reason[30].count,
          (unsigned long long)st.reason[30].ticks, (unsigned long long)st.reason[12].count,
          (unsigned long long)st.exits, (unsigned long long)sum,
          (unsigned long long)st.guest_ticks, (unsigned long long)st.halt_ticks);
    /* Writing zero again resets. */
    if (EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_STATS, &zero, sizeof(zero)), HV_OK) &&
        EXPECT(hv_vcpu_read_state(t.v, HV_VCPU_STATS, &st, sizeof(st)), HV_OK))
        CHECK(st.exits == 0 && st.reason[30].count == 0, "after the reset: %llu exits",
              (unsigned long long)st.exits);
}

const struct hc_case event_cases[] = {
    { "vcpu_resume_deadline_past", t_resume_deadline_past },
    { "vcpu_resume_deadline_running", t_resume_deadline_running },
    { "vcpu_resume_deadline_hlt", t_resume_deadline_hlt },
    { "vcpu_resume_deadline_hlt_interrupted", t_resume_deadline_hlt_interrupted },
    { "vcpu_interrupt_flags_errors", t_interrupt_flags_errors },
    { "vcpu_interrupt_nmi", t_interrupt_nmi },
    { "vcpu_interrupt_extint", t_interrupt_extint },
    { "vcpu_interrupt_level_eoi", t_interrupt_level_eoi },
    { "vcpu_lapic_state", t_vcpu_lapic_state },
    { "vcpu_lapic_state_errors", t_vcpu_lapic_state_errors },
    { "vcpu_stats", t_vcpu_stats },
};
const unsigned n_event_cases = sizeof(event_cases) / sizeof(event_cases[0]);
