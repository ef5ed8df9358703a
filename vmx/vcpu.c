/*
 * vCPU life cycle: VMCS set-up (controls, host state, architectural start
 * state), the run loop around vmx_enter, and the guest state the VMCS does
 * not switch (syscall MSRs, KERNEL_GS_BASE, XCR0).
 */
#include "base.h"
#include "percpu.h"
#include "mm.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx.h"
#include "vmx_setup.h"
#include "x86.h"

extern char vmx_exit_stub[];

#define GUEST_PAT_RESET 0x0007040600070406ull

/* Access rights: present, S=1, type; G and D/B or L as given. */
#define AR_CODE16 0x009b
#define AR_DATA16 0x0093
#define AR_CODE32 0xc09b
#define AR_DATA32 0xc093
#define AR_CODE64 0xa09b
#define AR_LDTR   0x0082
#define AR_TSS    0x008b

#define MSR_SPEC_CTRL 0x048
#define MSR_TSC_AUX   0xc0000103

static void set_segment(unsigned idx, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
    /* ES, CS, SS, DS, FS, GS, LDTR, TR: encodings advance by 2 per segment. */
    vmcs_write(VMCS_GUEST_ES_SEL + 2 * idx, sel);
    vmcs_write(VMCS_GUEST_ES_BASE + 2 * idx, base);
    vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * idx, limit);
    vmcs_write(VMCS_GUEST_ES_AR + 2 * idx, ar);
}

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

static uint64_t tss_base(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr;
    uint16_t tr;
    __asm__ volatile("sgdt %0; str %1" : "=m"(gdtr), "=r"(tr));
    const uint64_t *gdt = (const uint64_t *)(uintptr_t)gdtr.base;
    uint64_t lo = gdt[tr >> 3], hi = gdt[(tr >> 3) + 1];
    return ((lo >> 16) & 0xffffff) | ((lo >> 56) & 0xff) << 24 | (hi & 0xffffffff) << 32;
}

/* Host state: what the CPU loads on every exit (SDM Vol. 3C, "Host-State Area" and
 * "Loading Host State"). */
static void write_host_state(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr, idtr;
    __asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));

    vmcs_write(VMCS_HOST_CR0, read_cr0());
    vmcs_write(VMCS_HOST_CR3, read_cr3());
    vmcs_write(VMCS_HOST_CR4, read_cr4());
    vmcs_write(VMCS_HOST_CS_SEL, 0x08);
    vmcs_write(VMCS_HOST_SS_SEL, 0x10);
    vmcs_write(VMCS_HOST_DS_SEL, 0x10);
    vmcs_write(VMCS_HOST_ES_SEL, 0x10);
    vmcs_write(VMCS_HOST_FS_SEL, 0);
    vmcs_write(VMCS_HOST_GS_SEL, 0);
    vmcs_write(VMCS_HOST_TR_SEL, 0x30);
    vmcs_write(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
    vmcs_write(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
    vmcs_write(VMCS_HOST_TR_BASE, tss_base());
    vmcs_write(VMCS_HOST_GDTR_BASE, gdtr.base);
    vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
    vmcs_write(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS));
    vmcs_write(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
    vmcs_write(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
    vmcs_write(VMCS_HOST_EFER, rdmsr(MSR_EFER));
    vmcs_write(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
    vmcs_write(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_stub);
    /* HOST_RSP is written by vmx_enter. */
}

static void write_controls(struct vcpu *v, const struct vcpu_start *s)
{
    uint32_t entry = vmx_cfg.entry | (s->mode == GUEST_LONG64 ? ENTRY_GUEST_64BIT : 0);
    uint32_t pin = vmx_cfg.pin;
    uint32_t exitc = vmx_cfg.exit;
    /* The preemption timer also ends runs at the guest's APIC timer deadline. */
    if (v->preempt_ticks || v->sched_timer || vmx_cfg.preempt_timer) {
        pin |= PIN_PREEMPT_TIMER;
        exitc |= vmx_cfg.save_preempt_timer ? EXIT_SAVE_PREEMPT_TIMER : 0;
    }
    v->proc_controls = vmx_cfg.proc;
    vmcs_write(VMCS_PIN_CONTROLS, pin);
    vmcs_write(VMCS_PROC_CONTROLS, v->proc_controls);
    vmcs_write(VMCS_PROC_CONTROLS2, vmx_cfg.proc2 & (v->vpid ? ~0u : ~PROC2_VPID));
    vmcs_write(VMCS_EXIT_CONTROLS, exitc);
    vmcs_write(VMCS_ENTRY_CONTROLS, entry);
    vmcs_write(VMCS_EXCEPTION_BITMAP, v->exception_bitmap);
    vmcs_write(VMCS_PF_ERROR_MASK, 0);
    vmcs_write(VMCS_PF_ERROR_MATCH, 0);
    vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
    vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
    vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
    vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
    vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
    vmcs_write(VMCS_MSR_BITMAP, vmx_cfg.msr_bitmap);
    vmcs_write(VMCS_IO_BITMAP_A, vmx_cfg.io_bitmap_a);
    vmcs_write(VMCS_IO_BITMAP_B, vmx_cfg.io_bitmap_b);
    vmcs_write(VMCS_EPT_POINTER, ept_eptp(&v->vm->ept));
    if (v->vpid)
        vmcs_write(VMCS_VPID, v->vpid);
    vmcs_write(VMCS_TSC_OFFSET, 0);
    /* The guest owns what vmx_setup chose (mask bit 0); writes of any other bit exit. */
    vmcs_write(VMCS_CR0_MASK, ~vmx_cfg.cr0_guest_owned);
    vmcs_write(VMCS_CR4_MASK, ~vmx_cfg.cr4_guest_owned);
    /* The timer value itself is written by vcpu_run before every run. */
}

/* Protected and long mode: flat segments from the caller's GDT, no IDT yet. */
static void flat_segments(const struct vcpu_start *s, uint16_t cs_sel, uint32_t cs_ar)
{
    set_segment(SEG_CS, cs_sel, 0, 0xffffffff, cs_ar);
    for (unsigned i = SEG_ES; i <= SEG_GS; i++)
        if (i != SEG_CS)
            set_segment(i, 0x10, 0, 0xffffffff, AR_DATA32);
    vmcs_write(VMCS_GUEST_GDTR_BASE, s->gdt_base);
    vmcs_write(VMCS_GUEST_GDTR_LIMIT, s->gdt_limit);
    vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0);
}

/* The architectural start state for each mode (SDM 9.1.1 where it applies). */
static void write_guest_state(struct vcpu *v, const struct vcpu_start *s)
{
    uint64_t cr0, cr4 = 0, efer = 0;
    switch (s->mode) {
    case GUEST_REAL16:
        cr0 = 0x60000010;                       /* CD, NW, ET: the reset value */
        set_segment(SEG_CS, s->cs, (uint64_t)s->cs << 4, 0xffff, AR_CODE16);
        for (unsigned i = SEG_ES; i <= SEG_GS; i++)
            if (i != SEG_CS)
                set_segment(i, 0, 0, 0xffff, AR_DATA16);
        vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
        vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0xffff);
        vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0x3ff);  /* the real-mode IVT */
        break;
    case GUEST_PROT32:
        cr0 = CR0_PE | (1u << 4);
        flat_segments(s, 0x08, AR_CODE32);
        break;
    default:
        cr0 = CR0_PE | CR0_PG | (1u << 4);
        cr4 = CR4_PAE;
        efer = EFER_LME | EFER_LMA;
        flat_segments(s, 0x18, AR_CODE64);
        break;
    }
    set_segment(SEG_LDTR, 0, 0, 0xffff, AR_LDTR);
    set_segment(SEG_TR, 0, 0, 0xffff, AR_TSS);
    vmcs_write(VMCS_GUEST_IDTR_BASE, 0);

    v->cr0_shadow = cr0;
    v->cr4_shadow = cr4;
    vmcs_write(VMCS_CR0_SHADOW, cr0);
    vmcs_write(VMCS_CR4_SHADOW, cr4);
    vmcs_write(VMCS_GUEST_CR0, vcpu_real_cr0(cr0));
    vmcs_write(VMCS_GUEST_CR4, vcpu_real_cr4(cr4));
    vmcs_write(VMCS_GUEST_CR3, s->mode == GUEST_LONG64 ? s->cr3 : 0);
    vmcs_write(VMCS_GUEST_EFER, efer);
    vmcs_write(VMCS_GUEST_PAT, GUEST_PAT_RESET);
    vmcs_write(VMCS_GUEST_DR7, 0x400);
    vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
    if (vmx_cfg.entry & ENTRY_LOAD_PKRS)
        vmcs_write(VMCS_GUEST_PKRS, 0);
    vmcs_write(VMCS_GUEST_RSP, s->rsp);
    vmcs_write(VMCS_GUEST_RIP, s->rip);
    vmcs_write(VMCS_GUEST_RFLAGS, 0x2);
    vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
    vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
    vmcs_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
    vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
    vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
    vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
    vmcs_write(VMCS_LINK_POINTER, ~0ull);
    for (unsigned i = 0; i < 4; i++)
        vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, 0);
}

static void xsetbv(uint64_t v)
{
    __asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/*
 * Guest x87/SSE/AVX state. Each vCPU has a save area; the registers hold one
 * vCPU's state at a time (the CPU's fpu_owner) and change hands only when a
 * different vCPU runs, so a VMM looping on one vCPU pays nothing. The kernel
 * and the root task (-mgeneral-regs-only) never touch these registers.
 * IA32_SPEC_CTRL (passed through) and IA32_TSC_AUX (read by RDTSCP/RDPID)
 * move with them: the host uses neither, and runs with the last guest's.
 */
static void fpu_area_init(void *area)
{
    /* The reset state; a zero XSAVE header makes XRSTOR load every component's init state. */
    *(uint16_t *)area = 0x37f;                  /* FCW */
    *(uint32_t *)((uint8_t *)area + 24) = 0x1f80;   /* MXCSR */
}

static void fpu_switch(struct vcpu *v)
{
    struct percpu *c = this_cpu();
    if (c->fpu_owner == v)
        return;
    /* Every component moves, so a guest that enables more later finds its own values. */
    if (vmx_cfg.xsave && c->xcr0 != vmx_cfg.host_xcr0) {
        xsetbv(vmx_cfg.host_xcr0);
        c->xcr0 = vmx_cfg.host_xcr0;
    }
    uint32_t lo = (uint32_t)vmx_cfg.host_xcr0, hi = (uint32_t)(vmx_cfg.host_xcr0 >> 32);
    if (vmx_cpuid.spec_ctrl) {
        if (c->fpu_owner)
            c->fpu_owner->spec_ctrl = rdmsr(MSR_SPEC_CTRL);
        wrmsr(MSR_SPEC_CTRL, v->spec_ctrl);
    }
    if (vmx_cpuid.tsc_aux)
        wrmsr(MSR_TSC_AUX, v->tsc_aux);
    if (c->fpu_owner) {
        if (vmx_cfg.xsave)
            __asm__ volatile("xsave64 %0" : "=m"(*(uint8_t(*)[4096])c->fpu_owner->fpu)
                             : "a"(lo), "d"(hi));
        else
            __asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[512])c->fpu_owner->fpu));
    }
    if (vmx_cfg.xsave)
        __asm__ volatile("xrstor64 %0" :: "m"(*(const uint8_t(*)[4096])v->fpu), "a"(lo), "d"(hi));
    else
        __asm__ volatile("fxrstor64 %0" :: "m"(*(const uint8_t(*)[512])v->fpu));
    c->fpu_owner = v;
}

hv_status_t vcpu_init(struct vcpu *v, struct vm *vm, const struct vcpu_start *s)
{
    uint64_t preempt = v->preempt_ticks, excbm = v->exception_bitmap;
    _Static_assert(sizeof(*v) % 8 == 0, "zeroed by the word");
    for (size_t i = 0; i < sizeof(*v) / 8; i++)
        ((uint64_t *)v)[i] = 0;
    v->preempt_ticks = preempt;
    v->own_timer = preempt != 0;
    v->exception_bitmap = excbm;
    v->vm = vm;
    v->start_mode = s->mode;
    v->sched_timer = s->sched_timer && vmx_cfg.preempt_timer;
    v->pending_irq = -1;
    v->deadline = ~0ull;
    v->xcr0 = 1;                                /* x87 only, the reset value */
    v->apic_id = s->apic_id;
    v->apic_base = 0xfee00000 | (1u << 11) | (s->apic_id ? 0 : 1u << 8);  /* enabled, BSP */
    vcpu_lapic_init(v);

    v->vmcs_phys = frame_alloc();
    if (v->vmcs_phys == FRAME_NONE)
        return HV_ERR_NO_MEMORY;
    uint64_t fpu = frame_alloc();
    if (fpu == FRAME_NONE) {
        frame_free(v->vmcs_phys);
        return HV_ERR_NO_MEMORY;
    }
    if (vmx_cfg.vpid && !(v->vpid = vpid_alloc())) {
        frame_free(fpu);
        frame_free(v->vmcs_phys);
        return HV_ERR_NO_RESOURCES;
    }
    fpu_area_init(v->fpu = phys_to_virt(fpu));
    *(uint32_t *)phys_to_virt(v->vmcs_phys) = vmx_caps.revision;
    if (vmcs_clear(v->vmcs_phys) || vmcs_load(v->vmcs_phys))
        panic("vmx: VMCLEAR/VMPTRLD of a fresh VMCS failed");
    write_controls(v, s);
    write_host_state();
    write_guest_state(v, s);
    return HV_OK;
}

void vcpu_destroy(struct vcpu *v)
{
    if (!v->vmcs_phys)
        return;
    if (this_cpu()->fpu_owner == v)
        this_cpu()->fpu_owner = 0;
    frame_free(virt_to_phys(v->fpu));
    vmcs_clear(v->vmcs_phys);                   /* flush it out of the CPU first */
    frame_free(v->vmcs_phys);
    vpid_free(v->vpid);
    v->vmcs_phys = 0;
}


void vcpu_load(struct vcpu *v)
{
    if (vmcs_current() != v->vmcs_phys && vmcs_load(v->vmcs_phys))
        panic("vmx: VMPTRLD failed");
}

/* Preemption-timer ticks until the scheduler's next event (no APIC timer armed). */
static uint32_t sched_timer_ticks(void)
{
    uint64_t next = this_cpu()->next_event, now = rdtsc();
    if (next == ~0ull)
        return 0xffffffffu;             /* nothing to time: a long run, then look again */
    uint64_t ticks = next > now ? (next - now) >> vmx_caps.preempt_timer_shift : 0;
    return ticks > 0xffffffffu ? 0xffffffffu : (uint32_t)ticks;
}

/* Events, guest state the VMCS does not switch, then VM entry. stats: HV_VCPU_STATS is on
 * (a constant in each caller, so the usual path carries no test of it). */
static inline __attribute__((always_inline)) int enter(struct vcpu *v, bool stats)
{
    /* Every new event (IRR bit, ExtINT, NMI) sets attention; so does a level-triggered EOI
     * still to report (a kick went first), which ends this run before it starts. */
    if (v->attention) {
        if (__builtin_expect(v->eoi_exit != 0, 0))
            return vcpu_leave_eoi(v);
        vcpu_try_inject(v);
    }
    vcpu_msrs_update(v);
    fpu_switch(v);
    /* The host never uses the extended state, so the guest's XCR0 stays loaded after exits. */
    struct percpu *c = this_cpu();
    if (vmx_cfg.xsave && c->xcr0 != v->xcr0) {
        xsetbv(v->xcr0);
        c->xcr0 = v->xcr0;
    }

    if (stats)
        vcpu_stats_entry(v);
    int rc = vmx_enter(v);

    vcpu_msrs_unload(v);
    if (rc) {
        v->stats_in_guest = false;                      /* it never got in */
        v->exit.kind = VCPU_EXIT_ENTRY_FAILED;
        v->exit.reason = 0;
        v->exit.entry_failure.vm_insn_error = rc == 2 ? (uint32_t)vmcs_read(VMCS_INSN_ERROR) : 0;
        v->exit.entry_failure.reason = 0;
        v->exit.rip = vmcs_read(VMCS_GUEST_RIP);
    }
    return 0;
}

/* own_timer: a fixed budget, the APIC timer, a deadline or HV_VCPU_STATS. */
static __attribute__((noinline)) int run_slow(struct vcpu *v)
{
    if (v->preempt_ticks) {
        vmcs_write(VMCS_PREEMPTION_TIMER, v->preempt_ticks);
    } else {
        /* The preemption timer does not wait for the host's interrupt (Bochs, for one,
         * leaves the LAPIC timer pending while a guest runs with interrupts off): it
         * ends the run at the scheduler's next event, the APIC timer or the run's
         * deadline (vmx/lapic.c). */
        vcpu_lapic_timer_check(v);
        vcpu_lapic_program_preempt(v);
    }
    return v->stats_on ? enter(v, true) : enter(v, false);
}

int vcpu_run(struct vcpu *v)
{
    vcpu_load(v);
    if (__builtin_expect(v->own_timer, 0))
        return run_slow(v);
    if (v->sched_timer)
        vmcs_write(VMCS_PREEMPTION_TIMER, sched_timer_ticks());
    else if (vmx_cfg.preempt_timer)
        vmcs_write(VMCS_PREEMPTION_TIMER, 0xffffffffu);    /* nothing to time */
    return enter(v, false);
}
