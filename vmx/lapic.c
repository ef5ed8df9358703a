/*
 * The virtual local APIC's kernel side (the register logic is vmx/vlapic.c):
 * trap-and-emulate of the xAPIC page (SDM Vol. 3A 10.4.1: the page at
 * IA32_APIC_BASE; the VMM must leave it unmapped in the EPT so accesses exit),
 * the x2APIC MSRs (10.12.1.2) and IA32_TSC_DEADLINE (10.5.4.1), and the timer:
 * its deadline is in guest TSC, the preemption timer ends a run there (or at
 * the scheduler's next event, the earlier), and the kernel sets IRR and injects.
 */
#include "base.h"
#include "cpu_model.h"
#include "percpu.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx.h"
#include "vmx_exits.h"
#include "vmx_setup.h"
#include "x86.h"

#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN   (1ull << 11)

static uint64_t tsc_offset(void)
{
    return vmx_cfg.tsc_offsetting ? vmcs_read(VMCS_TSC_OFFSET) : 0;
}

static uint64_t guest_tsc(void)
{
    return rdtsc() + tsc_offset();
}

void vcpu_lapic_init(struct vcpu *v)
{
    /* CPUID leaf 0x15: TSC = crystal * EBX / EAX; the crystal clocks the timer (10.5.4). */
    const struct cpuid_slot *s = cpuid_slot(&vmx_cpuid, 0x15);
    uint32_t crystal = s->r.eax, tsc = s->r.ebx;
    if (!crystal || !tsc || crystal >= (1u << 24) || tsc >= (1u << 24))
        crystal = tsc = 1;
    vlapic_reset(&v->lapic, v->apic_id, tsc, crystal);
}

bool vcpu_lapic_enabled(const struct vcpu *v)
{
    return (v->apic_base & APIC_BASE_EN) && vlapic_sw_enabled(&v->lapic);
}

bool vcpu_lapic_page(const struct vcpu *v, uint64_t gpa)
{
    return (v->apic_base & (APIC_BASE_EN | APIC_BASE_EXTD)) == APIC_BASE_EN &&
           (gpa & ~0xfffull) == (v->apic_base & ~0xfffull & ((1ull << 52) - 1));
}

/* The guest EOIed a level-triggered vector (vlapic_eoi moved it from TMR to eoi_level):
 * the run ends after the instruction with VCPU_EXIT_EOI (vmx_attention) for the VMM's
 * I/O APIC model (10.8.5: remote IRR). */
static void level_eoi(struct vcpu *v, unsigned vec)
{
    v->lapic.eoi_level[vec / 32] &= ~(1u << (vec % 32));
    v->eoi_exit = (uint16_t)(vec + 1);
    v->attention = 1;
}

/* After the guest touched the APIC: NMIs it sent itself, new IRR bits, a new deadline. */
static void after_access(struct vcpu *v)
{
    if (v->lapic.nmi) {
        v->lapic.nmi = false;
        v->pending_nmi = true;
    }
    vcpu_update_attention(v);
}

/* EOI with a vector in service (10.8.5): clear its ISR bit (the cached top, no scan); a
 * level-triggered one is reported, else a vector it held back may go in now. The IRR is
 * looked at only when nothing was due before (attention clear): then every IRR bit was at
 * or below the old PPR, and a lower PPR may let the highest in. */
void vcpu_lapic_eoi(struct vcpu *v)
{
    struct vlapic *l = &v->lapic;
    int vec = vlapic_eoi(l);
    if (l->eoi_level[vec / 32] & (1u << (vec % 32)))
        level_eoi(v, (unsigned)vec);
    else if (!v->attention && vlapic_pending(l) >= 0)
        v->attention = 1;
}

int vcpu_lapic_mmio(struct vcpu *v)
{
    const __typeof__(v->exit.mem) *m = &v->exit.mem;
    uint32_t off = (uint32_t)(m->gpa & 0xfff), shift = 8 * (off & 3);
    v->lapic_mmio++;
    /* 10.4.1: registers are 32 bits on 16-byte boundaries; narrower accesses see part. */
    int eoi = -1;
    if (m->write) {
        if ((off & ~0xfu) == APIC_EOI)
            eoi = (int)vlapic_eoi(&v->lapic);   /* any value (10.8.5) */
        else
            vlapic_write(&v->lapic, off & ~3u, (uint32_t)(m->data << shift), guest_tsc());
        vmx_advance_rip(v, v->exit.insn_len);
        vcpu_lapic_program_preempt(v);
    } else {
        uint32_t val = (off & 0xf) < 4 ? vlapic_read(&v->lapic, off & ~3u, guest_tsc()) : 0;
        vcpu_complete_mmio_load(v, (uint64_t)(val >> shift));
    }
    after_access(v);
    if (eoi >= 0 && (v->lapic.eoi_level[eoi / 32] & (1u << (eoi % 32))))
        level_eoi(v, (unsigned)eoi);
    return 1;
}

hv_status_t vcpu_lapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    if (msr == MSR_TSC_DEADLINE) {
        if (!vmx_cpuid.tsc_deadline)
            return HV_ERR_NOT_FOUND;
        *val = vlapic_tsc_deadline_read(&v->lapic);
        return HV_OK;
    }
    if (msr < X2APIC_MSR_BASE || msr > X2APIC_MSR_LAST)
        return HV_ERR_NOT_FOUND;
    return vlapic_msr_read(&v->lapic, msr, guest_tsc(), val) ? HV_OK : HV_ERR_INVALID_ARGS;
}

hv_status_t vcpu_lapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (msr == X2APIC_MSR_BASE + (APIC_EOI >> 4) && v->lapic.x2apic) {
        /* EOI (10.12.1.2: a non-zero value #GPs); value 0 comes by exit.c's fast path. */
        if (val)
            return HV_ERR_INVALID_ARGS;
        if (v->lapic.isr_top)
            vcpu_lapic_eoi(v);
        return HV_OK;
    }
    if (msr == MSR_TSC_DEADLINE) {
        if (!vmx_cpuid.tsc_deadline)
            return HV_ERR_NOT_FOUND;
        vlapic_tsc_deadline_write(&v->lapic, val, guest_tsc());
        vcpu_lapic_program_preempt(v);
        return HV_OK;
    }
    if (msr < X2APIC_MSR_BASE || msr > X2APIC_MSR_LAST)
        return HV_ERR_NOT_FOUND;
    if (!vlapic_msr_write(&v->lapic, msr, val, guest_tsc()))
        return HV_ERR_INVALID_ARGS;
    if (msr == X2APIC_MSR_BASE + (APIC_TIMER_ICR >> 4) || msr == X2APIC_MSR_BASE + (APIC_LVT_TIMER >> 4))
        vcpu_lapic_program_preempt(v);
    after_access(v);
    return HV_OK;
}

void vcpu_lapic_base_changed(struct vcpu *v, uint64_t old)
{
    struct vlapic *l = &v->lapic;
    if (!(v->apic_base & APIC_BASE_EN)) {
        /* 10.4.3: a disabled APIC is in its reset state when enabled again. */
        vcpu_lapic_init(v);
        return;
    }
    bool x2 = v->apic_base & APIC_BASE_EXTD;
    if (x2 && !(old & APIC_BASE_EXTD)) {
        /* 10.12.10.2: the logical x2APIC ID derives from the x2APIC ID. */
        l->x2apic = true;
        l->ldr = (l->id >> 4) << 16 | 1u << (l->id & 0xf);
        l->dfr = 0xffffffffu;
    }
}

/* ---- timer ------------------------------------------------------------------------ */

void vcpu_lapic_timer_check(struct vcpu *v)
{
    uint64_t d = vlapic_timer_deadline(&v->lapic);
    if (d && guest_tsc() >= d) {
        vlapic_timer_expire(&v->lapic, guest_tsc());
        vcpu_update_attention(v);
    }
}

bool vcpu_lapic_timer_wakes(const struct vcpu *v)
{
    return vcpu_lapic_enabled(v) && vlapic_timer_deadline(&v->lapic) &&
           !(v->lapic.lvt[LVT_TIMER] & LVT_MASKED);
}

uint64_t vcpu_lapic_host_deadline(const struct vcpu *v)
{
    (void)v;                            /* the current VMCS is v's */
    uint64_t d = vlapic_timer_deadline(&v->lapic) - tsc_offset();
    return d ? d : 1;
}

/* Preemption-timer ticks to the earliest of the scheduler's next event, the run's deadline
 * and the APIC timer's deadline (all in host TSC; SDM Vol. 3C 25.5.1: the timer counts
 * down at the TSC rate divided by 2^IA32_VMX_MISC[4:0]). now: host TSC; off: TSC offset. */
static inline __attribute__((always_inline)) void program_preempt(struct vcpu *v, uint64_t now,
                                                                  uint64_t off)
{
    uint64_t d = vlapic_timer_deadline(&v->lapic);
    /* vcpu_run comes here while a deadline is set */
    v->own_timer = v->preempt_ticks || d || v->deadline != ~0ull || v->stats_on;
    if (v->preempt_ticks || !vmx_cfg.preempt_timer)
        return;                         /* a fixed budget (the test driver's), or no timer */
    uint64_t next = v->sched_timer ? this_cpu()->next_event : ~0ull;
    if (v->deadline < next)
        next = v->deadline;             /* the caller's (vcpu_resume's), host TSC */
    if (d && d - off < next)
        next = d - off;
    uint64_t ticks = next == ~0ull ? 0xffffffffull
                   : next > now ? (next - now) >> vmx_caps.preempt_timer_shift : 0;
    vmcs_write(VMCS_PREEMPTION_TIMER, ticks > 0xffffffffull ? 0xffffffffull : ticks);
}

void vcpu_lapic_program_preempt(struct vcpu *v)
{
    uint64_t off = tsc_offset();
    program_preempt(v, rdtsc(), off);
}

/*
 * The preemption timer's exit: the guest's APIC timer (fired here), the scheduler's event or
 * a caller's budget (those leave the kernel), or the run's deadline. One TSC read and one
 * TSC-offset read serve the expiry and the next timer value. When nothing else was due
 * (attention clear), the timer's vector is the highest deliverable one if its class is
 * above PPR (every IRR bit waiting was at or below PPR), so it is injected here, without
 * scanning the IRR and without vmx_attention's generic pass.
 */
int vcpu_lapic_preempt_exit(struct vcpu *v, uint32_t reason)
{
    uint64_t now = rdtsc(), off = tsc_offset();
    struct vlapic *l = &v->lapic;
    int inject = -1;
    if (l->timer_deadline && now + off >= l->timer_deadline) {
        bool quiet = !v->attention;
        vlapic_timer_expire(l, now + off);
        uint32_t lvt = l->lvt[LVT_TIMER];
        uint8_t vec = (uint8_t)lvt;
        if (!quiet || vec < 16)
            vcpu_update_attention(v);           /* other events, or an ESR error's vector */
        else if (!(lvt & LVT_MASKED) && vlapic_above_ppr(l, vec))
            inject = vec;
    }
    bool sched = v->preempt_ticks || (v->sched_timer && this_cpu()->next_event <= now);
    if (sched || now >= v->deadline) {
        if (inject >= 0)
            v->attention = 1;                   /* the next entry injects it */
        return vcpu_leave(v, sched ? VCPU_EXIT_PREEMPT : VCPU_EXIT_DEADLINE, reason);
    }
    program_preempt(v, now, off);
    if (inject >= 0)
        vcpu_inject_apic(v, (uint8_t)inject);
    return 1;
}

void vcpu_set_deadline(struct vcpu *v, uint64_t deadline)
{
    v->deadline = deadline;
    if (deadline != ~0ull)
        v->own_timer = true;            /* vcpu_run's slow path programs the timer for it */
}

/* ---- from outside -------------------------------------------------------------------- */

void vcpu_lapic_deliver(struct vcpu *v, uint8_t vector, bool level)
{
    struct vlapic *l = &v->lapic;
    if (!vcpu_lapic_enabled(v)) {
        /* Virtual wire: the 8259's INTR reaches the CPU past a disabled APIC (10.4.7.2
         * leaves LINT0 masked, so only ExtINT-style delivery is possible). */
        vcpu_queue_interrupt(v, vector);
        return;
    }
    /* Any thread: one atomic OR per word, the vCPU's thread reads them when it enters. */
    uint32_t bit = 1u << (vector % 32);
    if (level)
        __atomic_fetch_or(&l->tmr[vector / 32], bit, __ATOMIC_RELAXED);
    else
        __atomic_fetch_and(&l->tmr[vector / 32], ~bit, __ATOMIC_RELAXED);
    __atomic_fetch_or(&l->irr[vector / 32], bit, __ATOMIC_SEQ_CST);
    v->attention = 1;
}

void vcpu_lapic_extint(struct vcpu *v, uint8_t vector)
{
    uint32_t lint0 = v->lapic.lvt[LVT_LINT0];
    /* 10.5.1: LINT0 in ExtINT mode (delivery mode 111b) passes the 8259's INTR; a disabled
     * APIC passes it as the virtual wire (10.4.7.2 masks the LVTs then). */
    if (vcpu_lapic_enabled(v) && ((lint0 & LVT_MASKED) || ((lint0 >> 8) & 7) != 7))
        return;                         /* dropped, as the masked pin drops it */
    vcpu_queue_interrupt(v, vector);
}

/* ---- HV_VCPU_LAPIC --------------------------------------------------------------------- */

void vcpu_lapic_read_state(struct vcpu *v, struct hv_vcpu_lapic *s)
{
    vlapic_state_get(&v->lapic, s, guest_tsc());
    s->apic_base = v->apic_base;
}

bool vcpu_lapic_write_state(struct vcpu *v, const struct hv_vcpu_lapic *s)
{
    /* IA32_APIC_BASE as WRMSR takes it (10.4.4, 10.12.1), without the transition rules. */
    uint64_t flags = (1ull << 8) | APIC_BASE_EN | (vmx_cpuid.x2apic ? APIC_BASE_EXTD : 0);
    uint64_t addr = ((1ull << vmx_cpuid.phys_bits) - 1) & ~0xfffull;
    if ((s->apic_base & ~(flags | addr)) ||
        (s->apic_base & (APIC_BASE_EN | APIC_BASE_EXTD)) == APIC_BASE_EXTD ||
        !vlapic_state_valid(s))
        return false;
    v->apic_base = s->apic_base;
    vlapic_state_set(&v->lapic, s, s->apic_base & APIC_BASE_EXTD, guest_tsc());
    vcpu_update_attention(v);
    vcpu_lapic_program_preempt(v);
    return true;
}
