/* Exit handlers that live outside vmx/exit.c. Each returns 1 to resume, 0 to leave. */
#ifndef VMX_EXITS_H
#define VMX_EXITS_H

#include <stdint.h>
#include "vcpu.h"
#include "vmcs.h"

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
