/*
 * VM-exit dispatch: a table indexed by basic exit reason, a counter per
 * reason. Handlers return 1 to resume the guest at once (the fast path) or
 * 0 after filling v->exit for vcpu_run's caller.
 */
#include "base.h"
#include "percpu.h"
#include "cpu.h"
#include "vcpu.h"
#include "vmx.h"
#include "vmcs.h"
#include "vmx_exits.h"
#include "x86.h"

static int exit_unhandled(struct vcpu *v, uint32_t reason)
{
    return vcpu_leave(v, VCPU_EXIT_UNHANDLED, reason);
}

static int exit_exception(struct vcpu *v, uint32_t reason)
{
    uint32_t info = (uint32_t)vmcs_read(VMCS_EXIT_INTR_INFO);
    if ((info & INTR_TYPE_MASK) == INTR_TYPE_NMI) {
        /* A host NMI arrived while the guest ran: nothing in the host uses NMIs yet. */
        pr_warn("vmx: host NMI during guest execution\n");
        return 1;
    }
    vcpu_reinject_vectoring();
    vcpu_leave(v, VCPU_EXIT_EXCEPTION, reason);
    v->exit.exception.vector = info & 0xff;
    v->exit.exception.has_error = info & INTR_INFO_ERROR_CODE;
    v->exit.exception.error = v->exit.exception.has_error ? (uint32_t)vmcs_read(VMCS_EXIT_INTR_ERROR) : 0;
    return 0;
}

static int exit_external_interrupt(struct vcpu *v, uint32_t reason)
{
    /* Acknowledged on exit: the vector is in the exit information. */
    irq_dispatch((uint8_t)vmcs_read(VMCS_EXIT_INTR_INFO));
    if (this_cpu()->need_resched)
        return vcpu_leave(v, VCPU_EXIT_YIELD, reason);  /* the caller lets others run */
    return 1;
}

static int exit_triple_fault(struct vcpu *v, uint32_t reason)
{
    return vcpu_leave(v, VCPU_EXIT_TRIPLE_FAULT, reason);
}

static int exit_window(struct vcpu *v, uint32_t reason)
{
    (void)reason;
    vcpu_try_inject(v);
    if (__builtin_expect(v->stats_on, 0))
        vcpu_stats_entry(v);
    return 1;
}

static int exit_hlt(struct vcpu *v, uint32_t reason)
{
    vmx_skip_instruction(v);
    bool intr = vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF;
    if (v->pending_nmi || (intr && vcpu_irq_pending(v)))
        return 1;                       /* an event is waiting: deliver, don't halt */
    if (intr && v->hlt_block) {
        /* The APIC timer or the run's deadline ends it: the caller blocks the thread until
         * the earlier, an interrupt or a kick. */
        uint64_t wake = v->deadline;
        if (vcpu_lapic_timer_wakes(v) && vcpu_lapic_host_deadline(v) < wake)
            wake = vcpu_lapic_host_deadline(v);
        if (wake != ~0ull) {
            vcpu_leave(v, VCPU_EXIT_HLT, reason);
            v->exit.hlt.wake_tsc = wake ? wake : 1;
            return 0;
        }
    }
    if (intr && vmx_caps.activity_hlt && vcpu_lapic_timer_wakes(v)) {
        /* The APIC timer will wake it: the guest sleeps in the HLT activity state until
         * the preemption timer's exit at the deadline (or a host interrupt, or the
         * scheduler's event), and the timer's interrupt ends the halt (event.c). */
        vmcs_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
        vcpu_lapic_program_preempt(v);
        return 1;
    }
    vcpu_leave(v, VCPU_EXIT_HLT, reason);
    v->exit.hlt.wake_tsc = 0;                   /* halted until the caller acts */
    return 0;
}

static int exit_skip(struct vcpu *v, uint32_t reason)
{
    /* INVD, WBINVD, PAUSE: no device does non-coherent DMA here. */
    (void)reason;
    vmx_skip_instruction(v);
    return 1;
}

static int exit_vmcall(struct vcpu *v, uint32_t reason)
{
    (void)reason;
    v->regs[GPR_RAX] = 0;
    vmx_skip_instruction(v);
    return 1;
}

/* #UD for what the CPU model hides: VMX and SMX (GETSEC), MONITOR/MWAIT (CPUID.01H:
 * ECX.MONITOR = 0, SDM Vol. 2B MONITOR "#UD If CPUID.01H:ECX.MONITOR[bit 3] = 0"). */
static int exit_ud(struct vcpu *v, uint32_t reason)
{
    (void)reason;
    vcpu_inject_exception(v, 6, false, 0);
    return 1;
}

/* RDPMC: architectural perfmon version 0 has no counter to name (#GP, Vol. 2B RDPMC). */
static int exit_rdpmc(struct vcpu *v, uint32_t reason)
{
    (void)reason;
    vcpu_inject_exception(v, 13, true, 0);
    return 1;
}

static int exit_io(struct vcpu *v, uint32_t reason)
{
    uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
    uint16_t port = (uint16_t)(q >> 16);
    uint8_t size = (uint8_t)((q & 7) + 1);
    bool in = q & (1u << 3), string = q & (1u << 4);
    if (!in && !string && (v->vm->sink_ports[port / 8] & (1u << (port % 8)))) {
        vmx_skip_instruction(v);
        return 1;
    }
    vcpu_leave(v, VCPU_EXIT_IO, reason);
    v->exit.insn_len = (uint32_t)vmcs_read(VMCS_EXIT_INSN_LEN);
    v->exit.io.port = port;
    v->exit.io.size = size;
    v->exit.io.in = in;
    v->exit.io.string = string;
    v->exit.io.rep = q & (1u << 5);
    v->exit.io.data = in ? 0 : (uint32_t)(v->regs[GPR_RAX] & (size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu));
    return 0;
}

static int exit_entry_failure(struct vcpu *v, uint32_t reason)
{
    vcpu_leave(v, VCPU_EXIT_ENTRY_FAILED, reason);
    v->exit.entry_failure.reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
    v->exit.entry_failure.qualification = v->exit.qualification;
    vmx_diagnose_entry_failure(v);
    return 0;
}

/* x2APIC EOI (WRMSR 0x80b with 0, SDM Vol. 3A 10.12.1.2) straight from the exit: with
 * nothing in service it does nothing (10.8.5), else the cached top ISR bit goes. Every
 * other WRMSR, and a non-zero EOI (#GP), takes the general path (vmx/emulate.c). */
static int exit_wrmsr(struct vcpu *v, uint32_t reason)
{
    if ((uint32_t)v->regs[GPR_RCX] == X2APIC_MSR_BASE + (APIC_EOI >> 4) &&
        !((uint32_t)v->regs[GPR_RAX] | (uint32_t)v->regs[GPR_RDX]) && v->lapic.x2apic) {
        if (v->lapic.isr_top)
            vcpu_lapic_eoi(v);
        vmx_skip_instruction(v);
        return 1;
    }
    return vmx_exit_wrmsr(v, reason);
}

static int exit_ept_misconfig(struct vcpu *v, uint32_t reason)
{
    /* A malformed EPT entry is a hypervisor bug: say where, stop this guest. */
    vcpu_leave(v, VCPU_EXIT_UNHANDLED, reason);
    v->exit.ept.gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
    v->exit.ept.access = 0;
    pr_err("vmx: EPT misconfiguration at GPA 0x%llx\n", (unsigned long long)v->exit.ept.gpa);
    return 0;
}

static int exit_ept_violation(struct vcpu *v, uint32_t reason)
{
    vcpu_reinject_vectoring();
    vcpu_leave(v, VCPU_EXIT_EPT_FAULT, reason);
    int rc = vmx_handle_ept_violation(v);
    /* The xAPIC page is the kernel's to emulate (vmx/lapic.c), never the VMM's. */
    if (v->exit.kind == VCPU_EXIT_MMIO && vcpu_lapic_page(v, v->exit.mem.gpa))
        return vcpu_lapic_mmio(v);
    return rc;
}

typedef int (*exit_fn)(struct vcpu *v, uint32_t reason);

/* Every slot filled: dispatch is one indexed jump, no NULL test. The range
 * default is overridden on purpose, hence the pragma. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const exit_fn handlers[VMX_EXIT_REASONS] = {
    [0 ... VMX_EXIT_REASONS - 1] = exit_unhandled,
    [EXIT_EXCEPTION_NMI] = exit_exception,
    [EXIT_EXTERNAL_INTERRUPT] = exit_external_interrupt,
    [EXIT_TRIPLE_FAULT] = exit_triple_fault,
    [EXIT_INTERRUPT_WINDOW] = exit_window,
    [EXIT_NMI_WINDOW] = exit_window,
    [EXIT_CPUID] = vmx_exit_cpuid,
    [EXIT_HLT] = exit_hlt,
    [EXIT_INVD] = exit_skip,
    [EXIT_WBINVD] = exit_skip,
    [EXIT_MONITOR] = exit_ud,
    [EXIT_MWAIT] = exit_ud,
    [EXIT_GETSEC] = exit_ud,
    [EXIT_RDPMC] = exit_rdpmc,
    [EXIT_PAUSE] = exit_skip,
    [EXIT_VMCALL] = exit_vmcall,
    [EXIT_VMCLEAR] = exit_ud,
    [EXIT_VMLAUNCH] = exit_ud,
    [EXIT_VMPTRLD] = exit_ud,
    [EXIT_VMPTRST] = exit_ud,
    [EXIT_VMREAD] = exit_ud,
    [EXIT_VMRESUME] = exit_ud,
    [EXIT_VMWRITE] = exit_ud,
    [EXIT_VMXOFF] = exit_ud,
    [EXIT_VMXON] = exit_ud,
    [EXIT_INVEPT] = exit_ud,
    [EXIT_INVVPID] = exit_ud,
    [EXIT_VMFUNC] = exit_ud,
    [EXIT_CR_ACCESS] = vmx_exit_cr_access,
    [EXIT_IO] = exit_io,
    [EXIT_RDMSR] = vmx_exit_rdmsr,
    [EXIT_WRMSR] = exit_wrmsr,
    [EXIT_INVALID_GUEST_STATE] = exit_entry_failure,
    [EXIT_MSR_LOADING] = exit_entry_failure,
    [EXIT_MACHINE_CHECK] = exit_entry_failure,
    [EXIT_EPT_VIOLATION] = exit_ept_violation,
    [EXIT_EPT_MISCONFIG] = exit_ept_misconfig,
    [EXIT_PREEMPTION_TIMER] = vcpu_lapic_preempt_exit,
    [EXIT_XSETBV] = vmx_exit_xsetbv,
};
#pragma GCC diagnostic pop

/* HV_VCPU_STATS on: the exit and, when the guest goes straight back, the entry are timed
 * here; other entries in vcpu_run and vmx_attention. */
static __attribute__((noinline)) int handle_counted(struct vcpu *v, uint32_t basic)
{
    vcpu_stats_exit(v, basic);
    int rc = basic < VMX_EXIT_REASONS ? (v->exit_counts[basic]++, handlers[basic](v, basic))
                                      : exit_unhandled(v, basic);
    if (rc && !v->attention)
        vcpu_stats_entry(v);
    return rc;
}

int vmx_handle_exit(struct vcpu *v)
{
    uint32_t basic = (uint16_t)vmcs_read(VMCS_EXIT_REASON);
    if (__builtin_expect(v->stats_on, 0))
        return handle_counted(v, basic);
    if (__builtin_expect(basic >= VMX_EXIT_REASONS, 0))
        return exit_unhandled(v, basic);
    v->exit_counts[basic]++;
    return handlers[basic](v, basic);
}

int vmx_attention(struct vcpu *v)
{
    if (v->kick) {
        v->kick = false;
        vcpu_update_attention(v);
        return vcpu_leave(v, VCPU_EXIT_KICKED, (uint16_t)vmcs_read(VMCS_EXIT_REASON));
    }
    if (v->eoi_exit)
        return vcpu_leave_eoi(v);
    vcpu_try_inject(v);
    return 1;
}
