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

/* After the guest touched the APIC: NMIs it sent itself, new IRR bits, a new deadline. */
static void after_access(struct vcpu *v)
{
    if (v->lapic.nmi) {
        v->lapic.nmi = false;
        v->pending_nmi = true;
    }
    vcpu_update_attention(v);
}

int vcpu_lapic_mmio(struct vcpu *v)
{
    const __typeof__(v->exit.mem) *m = &v->exit.mem;
    uint32_t off = (uint32_t)(m->gpa & 0xfff), shift = 8 * (off & 3);
    v->lapic_mmio++;
    /* 10.4.1: registers are 32 bits on 16-byte boundaries; narrower accesses see part. */
    if (m->write) {
        vlapic_write(&v->lapic, off & ~3u, (uint32_t)(m->data << shift), guest_tsc());
        vmx_advance_rip(v, v->exit.insn_len);
        vcpu_lapic_program_preempt(v);
    } else {
        uint32_t val = (off & 0xf) < 4 ? vlapic_read(&v->lapic, off & ~3u, guest_tsc()) : 0;
        vcpu_complete_mmio_load(v, (uint64_t)(val >> shift));
    }
    after_access(v);
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
        /* The hot one: EOI (10.12.1.2: a non-zero value #GPs). */
        if (val)
            return HV_ERR_INVALID_ARGS;
        vlapic_eoi(&v->lapic);
        vcpu_update_attention(v);       /* a vector held behind the ISR may go in now */
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

/* Preemption-timer ticks to the earlier of the scheduler's next event and the APIC
 * timer's deadline (both in host TSC). */
void vcpu_lapic_program_preempt(struct vcpu *v)
{
    uint64_t d = vlapic_timer_deadline(&v->lapic);
    v->own_timer = v->preempt_ticks || d;   /* vcpu_run comes here while a deadline is set */
    if (v->preempt_ticks || !vmx_cfg.preempt_timer)
        return;                         /* a fixed budget (the test driver's), or no timer */
    uint64_t next = v->sched_timer ? this_cpu()->next_event : ~0ull;
    if (d) {
        uint64_t host = d - tsc_offset();
        if (host < next)
            next = host;
    }
    uint64_t now = rdtsc();
    uint64_t ticks = next == ~0ull ? 0xffffffffull
                   : next > now ? (next - now) >> vmx_caps.preempt_timer_shift : 0;
    vmcs_write(VMCS_PREEMPTION_TIMER, ticks > 0xffffffffull ? 0xffffffffull : ticks);
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
