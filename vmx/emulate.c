/*
 * Instructions the kernel finishes for the guest without its VMM: CPUID (the
 * CPU model of vmx/cpu_model.c), control-register writes (through guest/host
 * masks and read shadows), MSRs that are not passed through, XSETBV.
 * Anything the architecture would fault on gets the same fault injected.
 */
#include "cpu.h"
#include "base.h"
#include "cpu_model.h"
#include "percpu.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_exits.h"
#include "vmx_caps.h"
#include "vmx_setup.h"
#include "x86.h"

#define EXC_UD 6
#define EXC_GP 13

static void gp(struct vcpu *v)
{
    vcpu_inject_exception(v, EXC_GP, true, 0);
}

static uint64_t get_gpr(struct vcpu *v, unsigned r)
{
    return r == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) : v->regs[r];
}

static void set_gpr(struct vcpu *v, unsigned r, uint64_t val)
{
    if (r == GPR_RSP)
        vmcs_write(VMCS_GUEST_RSP, val);
    else
        v->regs[r] = val;
}

/* ---- CPUID ------------------------------------------------------------------- */

static inline void cpuid_result(struct vcpu *v, const struct cpuid_leaf *r)
{
    v->regs[GPR_RAX] = r->eax;
    v->regs[GPR_RBX] = r->ebx;
    v->regs[GPR_RCX] = r->ecx;
    v->regs[GPR_RDX] = r->edx;
    vmx_skip_instruction(v);
}

/* Leaves that depend on the vCPU or the subleaf: out of line, off the fast path. */
static __attribute__((noinline)) int cpuid_exit_dynamic(struct vcpu *v, const struct cpuid_slot *s)
{
    struct cpuid_vcpu state = { v->apic_id, vcpu_guest_cr4(v), v->xcr0 };
    struct cpuid_leaf r = cpuid_dynamic(&vmx_cpuid, s, (uint32_t)v->regs[GPR_RCX], &state);
    cpuid_result(v, &r);
    return 1;
}

/* The table built at boot answers by index: no host CPUID, no switch. */
int vmx_exit_cpuid(struct vcpu *v, uint32_t reason)
{
    (void)reason;
    const struct cpuid_slot *s = cpuid_slot(&vmx_cpuid, (uint32_t)v->regs[GPR_RAX]);
    if (__builtin_expect(s->kind != CPUID_PLAIN, 0))
        return cpuid_exit_dynamic(v, s);                /* a tail call */
    cpuid_result(v, &s->r);
    return 1;
}

/* ---- control registers ---------------------------------------------------------- */

/* A MOV to CR0/CR3/CR4 hv carried out for the guest: drop the guest's cached translations
 * as the instruction would have (SDM Vol. 3A 4.10.4.1); VM entries keep them (VPID). */
static void flush_guest_tlb(struct vcpu *v)
{
    vmx_invvpid(v->vpid);
}

static bool cs_64bit(void)
{
    return vmcs_read(VMCS_GUEST_CS_AR) & (1u << 13);      /* CS.L */
}

/* MOV to CR0 (also CLTS, LMSW): HV_OK, or an error when it faults (#GP). The checks of
 * SDM Vol. 2B MOV (control registers) and Vol. 3A 2.5, 9.8.5 (IA-32e mode). */
static hv_status_t set_cr0(struct vcpu *v, uint64_t val)
{
    val |= CR0_ET;                                      /* hard-wired to 1 */
    uint64_t old = vcpu_guest_cr0(v), cr4 = vcpu_guest_cr4(v);
    uint64_t efer = vmcs_read(VMCS_GUEST_EFER), new_efer = efer;
    if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD)))
        return HV_ERR_INVALID_ARGS;
    if ((val & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME)) {
        /* Entering IA-32e mode: needs PAE and a CS that is not already 64-bit. */
        if (!(cr4 & CR4_PAE) || cs_64bit())
            return HV_ERR_INVALID_ARGS;
        new_efer |= EFER_LMA;
    } else if (!(val & CR0_PG) && (old & CR0_PG) && (efer & EFER_LMA)) {
        /* Leaving it: from compatibility mode only, with PCIDs off. */
        if ((cr4 & CR4_PCIDE) || cs_64bit())
            return HV_ERR_INVALID_ARGS;
        new_efer &= ~EFER_LMA;
    }
    /* PAE paging after a change of PG, CD or NW: the PDPTEs are (re)loaded (Vol. 3A 4.4.1). */
    if (vcpu_pae_paging(val, cr4, new_efer) && ((val ^ old) & (CR0_PG | CR0_CD | CR0_NW)) &&
        !vcpu_load_pdptes(v, vmcs_read(VMCS_GUEST_CR3)))
        return HV_ERR_INVALID_ARGS;
    if (new_efer != efer) {
        /* EFER.LMA and the "IA-32e mode guest" entry control move together (Vol. 3C
         * 26.3.1.1); the SYSCALL MSRs are needed from now on (SWAPGS). */
        vmcs_write(VMCS_GUEST_EFER, new_efer);
        uint64_t entry = vmcs_read(VMCS_ENTRY_CONTROLS);
        vmcs_write(VMCS_ENTRY_CONTROLS, (new_efer & EFER_LMA) ? entry | ENTRY_GUEST_64BIT
                                                             : entry & ~(uint64_t)ENTRY_GUEST_64BIT);
        if (new_efer & EFER_LMA)
            vcpu_msrs_update(v);
    }
    v->cr0_shadow = val;
    vmcs_write(VMCS_CR0_SHADOW, val);
    vmcs_write(VMCS_GUEST_CR0, vcpu_real_cr0(val));
    if ((val ^ old) & (CR0_PG | CR0_WP | CR0_PE))
        flush_guest_tlb(v);
    return HV_OK;
}

/* CR4 bits whose change flushes the TLB (Vol. 3A 4.10.4.1). */
#define CR4_PAGING (CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCIDE | CR4_SMEP | CR4_SMAP | CR4_PKE | \
                    CR4_LA57 | CR4_PKS)

static hv_status_t set_cr4(struct vcpu *v, uint64_t val)
{
    uint64_t efer = vmcs_read(VMCS_GUEST_EFER), old = vcpu_guest_cr4(v), cr0 = vcpu_guest_cr0(v);
    /* Bits the CPU model lacks are reserved (VMXE, SMXE, hidden features). */
    if (val & ~vmx_cfg.cr4_allowed)
        return HV_ERR_INVALID_ARGS;
    /* IA-32e mode: PAE stays, LA57 cannot change; PCIDE needs IA-32e mode and CR3[11:0] = 0. */
    if ((efer & EFER_LMA) && (!(val & CR4_PAE) || ((val ^ old) & CR4_LA57)))
        return HV_ERR_INVALID_ARGS;
    if ((val & CR4_PCIDE) && !(old & CR4_PCIDE) &&
        (!(efer & EFER_LMA) || (vmcs_read(VMCS_GUEST_CR3) & 0xfff)))
        return HV_ERR_INVALID_ARGS;
    if (vcpu_pae_paging(cr0, val, efer) &&
        ((val ^ old) & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)) &&
        !vcpu_load_pdptes(v, vmcs_read(VMCS_GUEST_CR3)))
        return HV_ERR_INVALID_ARGS;
    v->cr4_shadow = val;
    vmcs_write(VMCS_CR4_SHADOW, val);
    vmcs_write(VMCS_GUEST_CR4, vcpu_real_cr4(val));
    if ((val ^ old) & CR4_PAGING)
        flush_guest_tlb(v);
    return HV_OK;
}

/* MOV to CR3 exits only where the CPU cannot turn CR3-load exiting off. */
static hv_status_t set_cr3(struct vcpu *v, uint64_t val)
{
    uint64_t cr4 = vcpu_guest_cr4(v), bits = vmx_cpuid.phys_bits;
    if (cr4 & CR4_PCIDE)
        val &= ~(1ull << 63);                           /* "don't flush": not part of CR3 */
    if (bits < 64 && (val & (~0ull << bits)))
        return HV_ERR_INVALID_ARGS;
    if (vcpu_pae_paging(vcpu_guest_cr0(v), cr4, vmcs_read(VMCS_GUEST_EFER)) &&
        !vcpu_load_pdptes(v, val))
        return HV_ERR_INVALID_ARGS;
    vmcs_write(VMCS_GUEST_CR3, val);
    flush_guest_tlb(v);
    return HV_OK;
}

int vmx_exit_cr_access(struct vcpu *v, uint32_t reason)
{
    uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
    unsigned cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
    hv_status_t rc = HV_OK;
    switch (type) {
    case 0:                                             /* MOV to CR */
        if (cr == 0)
            rc = set_cr0(v, get_gpr(v, reg));
        else if (cr == 4)
            rc = set_cr4(v, get_gpr(v, reg));
        else if (cr == 3)
            rc = set_cr3(v, get_gpr(v, reg));
        else if (cr == 8) {
            /* The task priority: kept per vCPU (the host APIC's TPR is not the guest's);
             * bits 63:4 are reserved (Vol. 3A 10.8.6.1). */
            uint64_t tpr = get_gpr(v, reg);
            if (tpr >> 4) {
                rc = HV_ERR_INVALID_ARGS;
            } else {
                v->lapic.tpr = (uint32_t)tpr << 4;      /* CR8 = TPR[7:4] (10.8.6.1) */
                vcpu_update_attention(v);               /* a lower TPR may let a vector in */
            }
        } else
            return vcpu_leave(v, VCPU_EXIT_UNHANDLED, reason);
        break;
    case 1:                                             /* MOV from CR */
        if (cr == 3)
            set_gpr(v, reg, vmcs_read(VMCS_GUEST_CR3));
        else if (cr == 8)
            set_gpr(v, reg, v->lapic.tpr >> 4);
        else
            return vcpu_leave(v, VCPU_EXIT_UNHANDLED, reason);
        break;
    case 2:                                             /* CLTS */
        rc = set_cr0(v, vcpu_guest_cr0(v) & ~CR0_TS);
        break;
    default: {                                          /* LMSW: sets PE, never clears it */
        uint64_t src = (q >> 16) & 0xf, cr0 = vcpu_guest_cr0(v);
        rc = set_cr0(v, (cr0 & ~0xeull) | src | (cr0 & CR0_PE));
        break;
    }
    }
    if (rc != HV_OK)
        gp(v);
    else
        vmx_skip_instruction(v);
    return 1;
}

/* ---- MSRs -----------------------------------------------------------------------
 * Architectural MSRs (SDM Vol. 4 Table 2-2) a kernel uses at start-up, as hardware has
 * them; what the CPU model does not have, and anything else, #GPs (never a dead guest).
 * Reserved bits written #GP as the SDM says for each MSR.
 */

#define MSR_TSC               0x010
#define MSR_PLATFORM_ID       0x017
#define MSR_BIOS_SIGN_ID      0x08b
#define MSR_PLATFORM_INFO     0x0ce
#define MSR_MTRRCAP           0x0fe
#define MSR_ARCH_CAPABILITIES 0x10a
#define MSR_MISC_ENABLE       0x1a0
#define MSR_DEBUGCTL          0x1d9
#define MSR_PKRS              0x6e1
#define MSR_TSC_AUX           0xc0000103

/*
 * IA32_MISC_ENABLE as the guest reads it (Vol. 4 Table 2-2): fast strings (0) on, BTS (11)
 * and PEBS (12) unavailable. Clear: automatic thermal control (3), performance monitoring
 * (7), EIST (16), MONITOR/MWAIT (18), limit CPUID maxval (22), xTPR disable (23), XD
 * disable (34): those features are hidden or not limited. Writes must keep the value.
 */
#define MISC_ENABLE_VALUE ((1ull << 0) | (1ull << 11) | (1ull << 12))

/* IA32_DEBUGCTL bits a guest may set: BTF (1), single-step on branches, when the VMCS
 * switches DEBUGCTL. LBR and the perfmon freezes need the hidden LBR/perfmon features. */
#define DEBUGCTL_BTF (1ull << 1)

/* IA32_APIC_BASE (Vol. 3A 10.4.4): BSP (8), x2APIC enable (10), enable (11), base. */
#define APIC_BASE_BSP  (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN   (1ull << 11)
#define APIC_BASE_ADDR 0xfee00000ull

/* HV_OK: done, the guest moves on; an error: the access faults (#GP). */
static void finish_msr(struct vcpu *v, hv_status_t rc)
{
    if (rc != HV_OK)
        gp(v);
    else
        vmx_skip_instruction(v);
}

static bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* The value of an emulated MSR: HV_OK, or HV_ERR_NOT_SUPPORTED when the model lacks it. */
static hv_status_t read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    const struct cpuid_policy *p = &vmx_cpuid;
    switch (msr) {
    case MSR_EFER: *val = vmcs_read(VMCS_GUEST_EFER); return HV_OK;
    case MSR_IA32_PAT: *val = vmcs_read(VMCS_GUEST_PAT); return HV_OK;
    case MSR_IA32_SYSENTER_CS: *val = vmcs_read(VMCS_GUEST_SYSENTER_CS); return HV_OK;
    case MSR_IA32_SYSENTER_ESP: *val = vmcs_read(VMCS_GUEST_SYSENTER_ESP); return HV_OK;
    case MSR_IA32_SYSENTER_EIP: *val = vmcs_read(VMCS_GUEST_SYSENTER_EIP); return HV_OK;
    case MSR_IA32_APIC_BASE: *val = v->apic_base; return HV_OK;
    case MSR_IA32_FEATURE_CONTROL: *val = FC_LOCK; return HV_OK;    /* locked, VMX off */
    case MSR_TSC:
        *val = rdtsc() + (vmx_cfg.tsc_offsetting ? vmcs_read(VMCS_TSC_OFFSET) : 0);
        return HV_OK;
    case MSR_MISC_ENABLE: *val = MISC_ENABLE_VALUE; return HV_OK;
    case MSR_PLATFORM_ID: *val = 0; return HV_OK;
    case MSR_BIOS_SIGN_ID: *val = 0; return HV_OK;                  /* microcode revision 0 */
    case MSR_PLATFORM_INFO: *val = p->platform_info; return HV_OK;
    case MSR_DEBUGCTL: *val = vmcs_read(VMCS_GUEST_DEBUGCTL); return HV_OK;
    case MSR_MTRRCAP:
        *val = MTRRCAP_VALUE;
        return p->mtrr ? HV_OK : HV_ERR_NOT_SUPPORTED;
    case MSR_ARCH_CAPABILITIES:
        *val = p->arch_capabilities;
        return p->arch_cap ? HV_OK : HV_ERR_NOT_SUPPORTED;
    case MSR_TSC_AUX:
        *val = v->tsc_aux;
        return p->tsc_aux ? HV_OK : HV_ERR_NOT_SUPPORTED;
    case MSR_PKRS:
        if (!p->pkrs)
            return HV_ERR_NOT_SUPPORTED;
        *val = vmcs_read(VMCS_GUEST_PKRS);
        return HV_OK;
    default: {
        uint64_t *m = p->mtrr ? mtrr_msr(&v->mtrr, msr) : 0;
        if (!m)
            return HV_ERR_NOT_SUPPORTED;                /* an MSR this CPU model lacks */
        *val = *m;
        return HV_OK;
    }
    }
}

int vmx_exit_rdmsr(struct vcpu *v, uint32_t reason)
{
    (void)reason;
    uint32_t msr = (uint32_t)v->regs[GPR_RCX];
    uint64_t val = 0;
    hv_status_t rc = HV_OK;
    if ((msr >> 8) == (X2APIC_MSR_BASE >> 8) || msr == MSR_TSC_DEADLINE) {
        rc = vcpu_lapic_rdmsr(v, msr, &val);            /* the virtual APIC (vmx/lapic.c) */
        if (rc == HV_OK) {
            v->regs[GPR_RAX] = (uint32_t)val;
            v->regs[GPR_RDX] = val >> 32;
        }
        finish_msr(v, rc);
        return 1;
    }
    int sw = vcpu_switched_msr_index(msr);
    if (sw >= 0)                                        /* SWAPGS may have changed it in hardware */
        val = v->msrs_loaded ? rdmsr(msr) : v->guest_msrs[sw];
    else
        rc = read_msr(v, msr, &val);
    if (rc == HV_OK) {
        v->regs[GPR_RAX] = (uint32_t)val;
        v->regs[GPR_RDX] = val >> 32;
    }
    finish_msr(v, rc);
    return 1;
}

static hv_status_t write_efer(struct vcpu *v, uint64_t val)
{
    uint64_t old = vmcs_read(VMCS_GUEST_EFER);
    /* Reserved bits #GP; LME cannot change while paging is on (Vol. 3A 9.8.5). */
    if ((val & ~vmx_cpuid.efer_allowed) ||
        (((val ^ old) & EFER_LME) && (vcpu_guest_cr0(v) & CR0_PG)))
        return HV_ERR_INVALID_ARGS;
    /* LMA is the CPU's to set: keep it. */
    vmcs_write(VMCS_GUEST_EFER, (val & ~EFER_LMA) | (old & EFER_LMA));
    vcpu_msrs_update(v);                                /* SCE on: SYSCALL needs its MSRs */
    return HV_OK;
}

static hv_status_t write_apic_base(struct vcpu *v, uint64_t val)
{
    /* The base moves within MAXPHYADDR (10.4.5; the VMM must leave the new page unmapped
     * for the kernel to see the accesses). x2APIC mode exists only with the x2APIC
     * feature; the legal transitions are those of 10.12.5 (Figure 10-27): no x2APIC
     * without the enable bit, x2APIC -> xAPIC only through disabled, disabled -> x2APIC
     * only through xAPIC. */
    uint64_t flags = APIC_BASE_BSP | APIC_BASE_EN | (vmx_cpuid.x2apic ? APIC_BASE_EXTD : 0);
    uint64_t addr = ((1ull << vmx_cpuid.phys_bits) - 1) & ~0xfffull;
    uint64_t old = v->apic_base, on = APIC_BASE_EN | APIC_BASE_EXTD;
    if ((val & ~(flags | addr)) || (val & on) == APIC_BASE_EXTD ||
        ((old & on) == on && (val & on) == APIC_BASE_EN) ||
        (!(old & APIC_BASE_EN) && (val & on) == on))
        return HV_ERR_INVALID_ARGS;
    v->apic_base = val;
    if ((old ^ val) & on)
        vcpu_lapic_base_changed(v, old);
    return HV_OK;
}

static hv_status_t write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    const struct cpuid_policy *p = &vmx_cpuid;
    switch (msr) {
    case MSR_EFER:
        return write_efer(v, val);
    case MSR_IA32_PAT:
        if (!pat_valid(val))
            return HV_ERR_INVALID_ARGS;
        vmcs_write(VMCS_GUEST_PAT, val);
        return HV_OK;
    case MSR_IA32_SYSENTER_CS:
        vmcs_write(VMCS_GUEST_SYSENTER_CS, val);
        return HV_OK;
    case MSR_IA32_SYSENTER_ESP:
    case MSR_IA32_SYSENTER_EIP:
        /* Canonical (WRMSR); VM entry requires it too (Vol. 3C 26.3.1.1). */
        if (!canonical(val))
            return HV_ERR_INVALID_ARGS;
        vmcs_write(msr == MSR_IA32_SYSENTER_ESP ? VMCS_GUEST_SYSENTER_ESP : VMCS_GUEST_SYSENTER_EIP,
                   val);
        return HV_OK;
    case MSR_IA32_APIC_BASE:
        return write_apic_base(v, val);
    case MSR_TSC:
        /* With TSC offsetting the guest's RDTSC follows; without, the write is accepted and
         * RDTSC stays the host's. */
        if (vmx_cfg.tsc_offsetting)
            vmcs_write(VMCS_TSC_OFFSET, val - rdtsc());
        return HV_OK;
    case MSR_MISC_ENABLE:
        return val == MISC_ENABLE_VALUE ? HV_OK : HV_ERR_INVALID_ARGS;
    case MSR_BIOS_SIGN_ID:
        return HV_OK;                                   /* "write 0, CPUID, read" (Vol. 3A 9.11.7) */
    case MSR_DEBUGCTL:
        if (val & ~(vmx_cfg.debugctl ? DEBUGCTL_BTF : 0))
            return HV_ERR_INVALID_ARGS;
        vmcs_write(VMCS_GUEST_DEBUGCTL, val);
        return HV_OK;
    case MSR_TSC_AUX:
        if (!p->tsc_aux)
            return HV_ERR_NOT_SUPPORTED;
        if (val >> 32)                                  /* bits 63:32 reserved */
            return HV_ERR_INVALID_ARGS;
        v->tsc_aux = val;
        wrmsr(MSR_TSC_AUX, val);                        /* v owns the register while it runs */
        return HV_OK;
    case MSR_PKRS:
        if (!p->pkrs)
            return HV_ERR_NOT_SUPPORTED;
        if (val >> 32)
            return HV_ERR_INVALID_ARGS;
        vmcs_write(VMCS_GUEST_PKRS, val);               /* loaded by every VM entry */
        return HV_OK;
    default: {
        /* MTRRs: stored and read back; EPT, not the guest's MTRRs, sets memory types
         * (Vol. 3C 28.2.6.2: with EPT the guest's MTRRs are not consulted). */
        uint64_t *m = p->mtrr ? mtrr_msr(&v->mtrr, msr) : 0;
        if (!m)
            return HV_ERR_NOT_SUPPORTED;                /* read-only, or not in this model */
        if (!mtrr_msr_valid(msr, val, p->phys_bits))
            return HV_ERR_INVALID_ARGS;
        *m = val;
        return HV_OK;
    }
    }
}

int vmx_exit_wrmsr(struct vcpu *v, uint32_t reason)
{
    (void)reason;
    uint32_t msr = (uint32_t)v->regs[GPR_RCX];
    uint64_t val = (v->regs[GPR_RDX] << 32) | (uint32_t)v->regs[GPR_RAX];
    if ((msr >> 8) == (X2APIC_MSR_BASE >> 8) || msr == MSR_TSC_DEADLINE) {
        finish_msr(v, vcpu_lapic_wrmsr(v, msr, val));  /* the virtual APIC (vmx/lapic.c) */
        return 1;
    }
    int sw = vcpu_switched_msr_index(msr);
    if (sw >= 0) {
        /* Addresses must be canonical (#GP as on hardware); STAR and FMASK take any value. */
        if (msr != MSR_STAR && msr != MSR_FMASK && !canonical(val)) {
            finish_msr(v, HV_ERR_INVALID_ARGS);
            return 1;
        }
        v->guest_msrs[sw] = val;
        if (v->msrs_loaded)
            wrmsr(msr, val);
        finish_msr(v, HV_OK);
        return 1;
    }
    finish_msr(v, write_msr(v, msr, val));
    return 1;
}

/* ---- XSETBV ---------------------------------------------------------------------- */

int vmx_exit_xsetbv(struct vcpu *v, uint32_t reason)
{
    (void)reason;
    uint64_t val = (v->regs[GPR_RDX] << 32) | (uint32_t)v->regs[GPR_RAX];
    /* The SDM's XSETBV #GP rules (Vol. 2D XSETBV, Vol. 1 13.3), checked here because a #GP
     * in the host would be ours: XCR0 only, and a value the CPU model's leaf 0xD offers. */
    if ((uint32_t)v->regs[GPR_RCX] != 0 || !xcr0_valid(&vmx_cpuid, val)) {
        gp(v);
        return 1;
    }
    v->xcr0 = val;
    __asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
    this_cpu()->xcr0 = val;
    vmx_skip_instruction(v);
    return 1;
}
