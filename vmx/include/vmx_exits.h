/* Exit handlers that live outside vmx/exit.c. Each returns 1 to resume, 0 to leave. */
#ifndef VMX_EXITS_H
#define VMX_EXITS_H

#include <stdint.h>
#include "vcpu.h"
#include "vmcs.h"

/*
 * Move the guest past an instruction the hypervisor completed for it. Ends
 * STI/MOV-SS blocking as executing the instruction would have. Inline: it is
 * on every fast path (vcpu_advance_rip is the same for the layers above,
 * which may not touch the VMCS). The current VMCS is v's.
 */
static inline void vmx_advance_rip(struct vcpu *v, uint32_t len)
{
    (void)v;
    vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + len);
    uint64_t block = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
    if (__builtin_expect(block & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS), 0))
        vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
                   block & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

/* By the exit's instruction length (valid for instruction-caused exits only). */
static inline void vmx_skip_instruction(struct vcpu *v)
{
    vmx_advance_rip(v, (uint32_t)vmcs_read(VMCS_EXIT_INSN_LEN));
}

/* Fill v->exit (kind, reason, qualification, rip) for the caller; returns 0.
 * Inline: every handler that leaves uses it (and exit.c and emulate.c both). */
static inline int vcpu_leave(struct vcpu *v, uint32_t kind, uint32_t reason)
{
    v->exit.kind = kind;
    v->exit.reason = reason;
    v->exit.qualification = vmcs_read(VMCS_EXIT_QUALIFICATION);
    v->exit.rip = vmcs_read(VMCS_GUEST_RIP);
    return 0;
}

int vmx_exit_cpuid(struct vcpu *v, uint32_t reason);       /* vmx/emulate.c */
int vmx_exit_cr_access(struct vcpu *v, uint32_t reason);
int vmx_exit_rdmsr(struct vcpu *v, uint32_t reason);
int vmx_exit_wrmsr(struct vcpu *v, uint32_t reason);
int vmx_exit_xsetbv(struct vcpu *v, uint32_t reason);
/* vmx/vm.c: after vcpu_leave(v, VCPU_EXIT_EPT_FAULT, ...); may make it VCPU_EXIT_MMIO. */
int vmx_handle_ept_violation(struct vcpu *v);
void vmx_diagnose_entry_failure(struct vcpu *v);            /* vmx/diagnose.c */

/* The hypervisor's CPUID signature at leaf 0x40000000 (EBX, ECX, EDX). */
#define HV_CPUID_SIGNATURE "HVMicroVisor"

#endif
