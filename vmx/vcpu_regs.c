/*
 * Guest register rules shared by the vCPU set-up and the exit handlers: the
 * real CR0/CR4 under VMX's fixed bits, and the MSRs the VMCS does not switch
 * (SYSCALL's and KERNEL_GS_BASE), loaded only while the guest can use them;
 * and moving RIP past an instruction for the layers above (vcpu_advance_rip).
 */
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_exits.h"
#include "vmx_setup.h"
#include "x86.h"

#define MSR_CSTAR 0xc0000083

/*
 * Real CR0/CR4 from the guest's view: VMX fixed bits (PE/PG free under unrestricted
 * guest, SDM Vol. 3C 26.3.1.1). CR0.CD and NW stay clear in the real register: the
 * memory type of guest RAM is EPT's write-back, as are the guest's MTRRs (all devices
 * are emulated, nothing does non-coherent DMA); the guest reads its own values back.
 */
uint64_t vcpu_real_cr0(uint64_t guest_cr0)
{
    uint64_t fixed0 = vmx_cfg.cr0_fixed0 & ~(CR0_PE | CR0_PG);
    return ((guest_cr0 & ~(CR0_CD | CR0_NW)) | fixed0) & vmx_cfg.cr0_fixed1;
}

uint64_t vcpu_real_cr4(uint64_t guest_cr4)
{
    return (guest_cr4 | vmx_cfg.cr4_fixed0) & vmx_cfg.cr4_fixed1;
}

uint64_t vcpu_guest_cr0(struct vcpu *v)
{
    uint64_t own = vmx_cfg.cr0_guest_owned;
    return (v->cr0_shadow & ~own) | (vmcs_read(VMCS_GUEST_CR0) & own);
}

uint64_t vcpu_guest_cr4(struct vcpu *v)
{
    uint64_t own = vmx_cfg.cr4_guest_owned;
    return (v->cr4_shadow & ~own) | (vmcs_read(VMCS_GUEST_CR4) & own);
}

bool vcpu_load_pdptes(struct vcpu *v, uint64_t cr3)
{
    uint64_t pdpte[4];
    if (vm_read_guest(v->vm, cr3 & 0xffffffe0, pdpte, sizeof(pdpte)) != HV_OK)
        return false;
    /* Reserved in a present PDPTE: bits 2:1, 8:5 and MAXPHYADDR and up (Vol. 3A 4.4.1,
     * Table 4-8); VM entry checks the same (Vol. 3C 26.3.1.6). */
    uint64_t bits = vmx_cpuid.phys_bits, reserved = 0x1e6ull | (bits < 64 ? ~0ull << bits : 0);
    for (unsigned i = 0; i < 4; i++)
        if ((pdpte[i] & 1) && (pdpte[i] & reserved))
            return false;
    for (unsigned i = 0; i < 4; i++)
        vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
    return true;
}

const uint32_t vcpu_switched_msr[VCPU_SWITCHED_MSRS] = {
    MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_FMASK,
};

int vcpu_switched_msr_index(uint32_t msr)
{
    for (int i = 0; i < VCPU_SWITCHED_MSRS; i++)
        if (vcpu_switched_msr[i] == msr)
            return i;
    return -1;
}

void vcpu_msrs_update(struct vcpu *v)
{
    if (v->msrs_loaded || !(vmcs_read(VMCS_GUEST_EFER) & (EFER_SCE | EFER_LMA)))
        return;
    for (int i = 0; i < VCPU_SWITCHED_MSRS; i++) {
        v->host_msrs[i] = rdmsr(vcpu_switched_msr[i]);
        wrmsr(vcpu_switched_msr[i], v->guest_msrs[i]);
    }
    v->msrs_loaded = true;
}

void vcpu_msrs_unload(struct vcpu *v)
{
    if (!v->msrs_loaded)
        return;
    for (int i = 0; i < VCPU_SWITCHED_MSRS; i++) {
        v->guest_msrs[i] = rdmsr(vcpu_switched_msr[i]);
        wrmsr(vcpu_switched_msr[i], v->host_msrs[i]);
    }
    v->msrs_loaded = false;
}

void vcpu_advance_rip(struct vcpu *v, uint32_t len)
{
    vmx_advance_rip(v, len);
}
