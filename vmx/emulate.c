/*
 * Instructions the kernel finishes for the guest without its VMM: CPUID
 * (filtered host values), control-register writes (through guest/host
 * masks and read shadows), MSRs that are not passed through, XSETBV.
 * Anything the architecture would fault on gets the same fault injected.
 */
#include "cpu.h"
#include "base.h"
#include "percpu.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_exits.h"
#include "vmx_caps.h"
#include "vmx_setup.h"
#include "x86.h"

#define EXC_UD 6
#define EXC_GP 13

#define CR0_ET (1ull << 4)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR4_PCIDE (1ull << 17)

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

int vmx_exit_cpuid(struct vcpu *v, uint32_t reason)
{
    (void)reason;
    uint32_t leaf = (uint32_t)v->regs[GPR_RAX], sub = (uint32_t)v->regs[GPR_RCX];
    struct cpuid_regs r = { 0, 0, 0, 0 };
    if ((leaf & 0xffffff00) == 0x40000000) {
        if (leaf == 0x40000000) {
            const char *sig = HV_CPUID_SIGNATURE;
            r.eax = 0x40000000;
            r.ebx = (uint32_t)sig[0] | (uint32_t)sig[1] << 8 | (uint32_t)sig[2] << 16 | (uint32_t)sig[3] << 24;
            r.ecx = (uint32_t)sig[4] | (uint32_t)sig[5] << 8 | (uint32_t)sig[6] << 16 | (uint32_t)sig[7] << 24;
            r.edx = (uint32_t)sig[8] | (uint32_t)sig[9] << 8 | (uint32_t)sig[10] << 16 | (uint32_t)sig[11] << 24;
        }
    } else {
        r = cpuid(leaf, sub);
        switch (leaf) {
        case 1:
            r.ecx &= ~((1u << 5) | (1u << 6));          /* VMX, SMX */
            r.ecx |= 1u << 31;                          /* running under a hypervisor */
            r.ecx &= ~(1u << 27);                       /* OSXSAVE follows the guest's CR4 */
            if (v->cr4_shadow & CR4_OSXSAVE)
                r.ecx |= 1u << 27;
            break;
        case 7:
            if (sub == 0)
                r.ebx &= ~(1u << 10);                   /* INVPCID: not enabled */
            break;
        case 0xd:
            if (sub == 1)
                r.eax &= ~(1u << 3);                    /* XSAVES: not enabled */
            break;
        case 0x80000001:
            r.edx &= ~(1u << 27);                       /* RDTSCP: not enabled */
            break;
        }
    }
    v->regs[GPR_RAX] = r.eax;
    v->regs[GPR_RBX] = r.ebx;
    v->regs[GPR_RCX] = r.ecx;
    v->regs[GPR_RDX] = r.edx;
    vmx_skip_instruction(v);
    return 1;
}

/* ---- control registers ---------------------------------------------------------- */

/* PAE paging without long mode: VM entry loads the PDPTEs from the VMCS. */
static hv_status_t load_pdptes(struct vcpu *v, uint64_t cr3)
{
    uint64_t pdpte[4];
    hv_status_t rc = vm_read_guest(v->vm, cr3 & 0xffffffe0, pdpte, sizeof(pdpte));
    if (rc != HV_OK)
        return rc;
    for (unsigned i = 0; i < 4; i++)
        vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
    return HV_OK;
}

static bool pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LMA);
}

/* HV_OK, or an error when the write faults (#GP). */
static hv_status_t set_cr0(struct vcpu *v, uint64_t val)
{
    val |= CR0_ET;                                      /* hard-wired to 1 */
    uint64_t old = v->cr0_shadow;
    uint64_t efer = vmcs_read(VMCS_GUEST_EFER);
    uint64_t cr4 = v->cr4_shadow;
    if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD)))
        return HV_ERR_INVALID_ARGS;
    if ((val & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME)) {
        /* Entering long mode: needs PAE and a CS that is not already 64-bit. */
        if (!(cr4 & CR4_PAE) || (vmcs_read(VMCS_GUEST_CS_AR) & (1u << 13)))
            return HV_ERR_INVALID_ARGS;
        efer |= EFER_LMA;
        vmcs_write(VMCS_GUEST_EFER, efer);
        vmcs_write(VMCS_ENTRY_CONTROLS, vmcs_read(VMCS_ENTRY_CONTROLS) | ENTRY_GUEST_64BIT);
        vcpu_msrs_update(v);                            /* long mode: SWAPGS needs KERNEL_GS_BASE */
    } else if (!(val & CR0_PG) && (old & CR0_PG) && (efer & EFER_LMA)) {
        if (cr4 & CR4_PCIDE)
            return HV_ERR_INVALID_ARGS;
        efer &= ~EFER_LMA;
        vmcs_write(VMCS_GUEST_EFER, efer);
        vmcs_write(VMCS_ENTRY_CONTROLS, vmcs_read(VMCS_ENTRY_CONTROLS) & ~ENTRY_GUEST_64BIT);
    }
    if (pae_paging(val, cr4, efer) && !pae_paging(old, cr4, efer) &&
        load_pdptes(v, vmcs_read(VMCS_GUEST_CR3)) != HV_OK)
        return HV_ERR_INVALID_ARGS;
    v->cr0_shadow = val;
    vmcs_write(VMCS_CR0_SHADOW, val);
    vmcs_write(VMCS_GUEST_CR0, vcpu_real_cr0(val));
    return HV_OK;
}

static hv_status_t set_cr4(struct vcpu *v, uint64_t val)
{
    uint64_t efer = vmcs_read(VMCS_GUEST_EFER);
    /* VMXE is hidden; bits this CPU cannot set are reserved for the guest too. */
    if ((val & CR4_VMXE) || (val & ~vmx_cfg.cr4_fixed1))
        return HV_ERR_INVALID_ARGS;
    if ((efer & EFER_LMA) && !(val & CR4_PAE))
        return HV_ERR_INVALID_ARGS;
    if ((val & CR4_OSXSAVE) && !vmx_cfg.xsave)
        return HV_ERR_INVALID_ARGS;
    uint64_t old = v->cr4_shadow, cr0 = v->cr0_shadow;
    if (pae_paging(cr0, val, efer) && (!pae_paging(cr0, old, efer) ||
                                        ((val ^ old) & (CR4_PGE | CR4_PAE | (1ull << 4) /* PSE */))) &&
        load_pdptes(v, vmcs_read(VMCS_GUEST_CR3)) != HV_OK)
        return HV_ERR_INVALID_ARGS;
    v->cr4_shadow = val;
    vmcs_write(VMCS_CR4_SHADOW, val);
    vmcs_write(VMCS_GUEST_CR4, vcpu_real_cr4(val));
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
            vmcs_write(VMCS_GUEST_CR3, get_gpr(v, reg));
        else
            return vcpu_leave(v, VCPU_EXIT_UNHANDLED, reason);
        break;
    case 1:                                             /* MOV from CR */
        if (cr == 3)
            set_gpr(v, reg, vmcs_read(VMCS_GUEST_CR3));
        else
            return vcpu_leave(v, VCPU_EXIT_UNHANDLED, reason);
        break;
    case 2:                                             /* CLTS */
        rc = set_cr0(v, v->cr0_shadow & ~CR0_TS);
        break;
    default: {                                          /* LMSW: sets PE, never clears it */
        uint64_t src = (q >> 16) & 0xf;
        rc = set_cr0(v, (v->cr0_shadow & ~0xeull) | src | (v->cr0_shadow & CR0_PE));
        break;
    }
    }
    if (rc != HV_OK)
        gp(v);
    else
        vmx_skip_instruction(v);
    return 1;
}

/* ---- MSRs ----------------------------------------------------------------------- */

#define MSR_TSC            0x010
#define MSR_PLATFORM_ID    0x017
#define MSR_BIOS_SIGN_ID   0x08b
#define MSR_MTRRCAP        0x0fe
#define MSR_MISC_ENABLE    0x1a0
#define MSR_MTRR_DEF_TYPE  0x2ff

static bool pat_valid(uint64_t pat)
{
    for (int i = 0; i < 8; i++) {
        uint8_t t = (pat >> (8 * i)) & 0xff;
        if (t == 2 || t == 3 || t > 7)
            return false;
    }
    return true;
}

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

int vmx_exit_rdmsr(struct vcpu *v, uint32_t reason)
{
    (void)reason;
    uint32_t msr = (uint32_t)v->regs[GPR_RCX];
    uint64_t val = 0;
    hv_status_t rc = HV_OK;
    int sw = vcpu_switched_msr_index(msr);
    if (sw >= 0)                                        /* SWAPGS may have changed it in hardware */
        val = v->msrs_loaded ? rdmsr(msr) : v->guest_msrs[sw];
    else switch (msr) {
    case MSR_EFER: val = vmcs_read(VMCS_GUEST_EFER); break;
    case MSR_IA32_PAT: val = vmcs_read(VMCS_GUEST_PAT); break;
    case MSR_IA32_SYSENTER_CS: val = vmcs_read(VMCS_GUEST_SYSENTER_CS); break;
    case MSR_IA32_SYSENTER_ESP: val = vmcs_read(VMCS_GUEST_SYSENTER_ESP); break;
    case MSR_IA32_SYSENTER_EIP: val = vmcs_read(VMCS_GUEST_SYSENTER_EIP); break;
    case MSR_IA32_APIC_BASE: val = v->apic_base; break;
    case MSR_IA32_FEATURE_CONTROL: val = FC_LOCK; break;        /* locked, VMX off */
    case MSR_TSC: val = rdtsc() + vmcs_read(VMCS_TSC_OFFSET); break;
    case MSR_MISC_ENABLE: val = 1; break;                       /* fast strings */
    case MSR_PLATFORM_ID: case MSR_BIOS_SIGN_ID: case MSR_MTRRCAP: case MSR_MTRR_DEF_TYPE:
        val = 0;
        break;
    default:
        rc = HV_ERR_NOT_SUPPORTED;                      /* an MSR this vCPU lacks */
    }
    if (rc == HV_OK) {
        v->regs[GPR_RAX] = (uint32_t)val;
        v->regs[GPR_RDX] = val >> 32;
    }
    finish_msr(v, rc);
    return 1;
}

int vmx_exit_wrmsr(struct vcpu *v, uint32_t reason)
{
    (void)reason;
    uint32_t msr = (uint32_t)v->regs[GPR_RCX];
    uint64_t val = (v->regs[GPR_RDX] << 32) | (uint32_t)v->regs[GPR_RAX];
    hv_status_t rc = HV_OK;
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
    switch (msr) {
    case MSR_EFER: {
        uint64_t old = vmcs_read(VMCS_GUEST_EFER);
        uint64_t allowed = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
        if ((val & ~allowed) || (((val ^ old) & EFER_LME) && (v->cr0_shadow & CR0_PG)))
            rc = HV_ERR_INVALID_ARGS;
        else {  /* LMA is the CPU's to set: keep it */
            vmcs_write(VMCS_GUEST_EFER, (val & ~EFER_LMA) | (old & EFER_LMA));
            vcpu_msrs_update(v);                        /* SCE on: SYSCALL needs its MSRs */
        }
        break;
    }
    case MSR_IA32_PAT:
        if (pat_valid(val))
            vmcs_write(VMCS_GUEST_PAT, val);
        else
            rc = HV_ERR_INVALID_ARGS;
        break;
    case MSR_IA32_SYSENTER_CS: vmcs_write(VMCS_GUEST_SYSENTER_CS, val); break;
    case MSR_IA32_SYSENTER_ESP: vmcs_write(VMCS_GUEST_SYSENTER_ESP, val); break;
    case MSR_IA32_SYSENTER_EIP: vmcs_write(VMCS_GUEST_SYSENTER_EIP, val); break;
    case MSR_IA32_APIC_BASE:
        /* The APIC stays where it is; enable/x2APIC bits are the guest's to report. */
        if ((val & ~0xd00ull) != 0xfee00000ull)
            rc = HV_ERR_INVALID_ARGS;
        else
            v->apic_base = val;
        break;
    case MSR_TSC:
        vmcs_write(VMCS_TSC_OFFSET, val - rdtsc());
        break;
    case MSR_MISC_ENABLE: case MSR_BIOS_SIGN_ID:
        break;                                          /* accepted, no effect */
    default:
        rc = HV_ERR_NOT_SUPPORTED;
    }
    finish_msr(v, rc);
    return 1;
}

/* ---- XSETBV ---------------------------------------------------------------------- */

int vmx_exit_xsetbv(struct vcpu *v, uint32_t reason)
{
    (void)reason;
    uint64_t val = (v->regs[GPR_RDX] << 32) | (uint32_t)v->regs[GPR_RAX];
    struct cpuid_regs leaf_d = cpuid(0xd, 0);
    uint64_t supported = (uint64_t)leaf_d.edx << 32 | leaf_d.eax;
    /* The SDM's XSETBV #GP rules, checked here because a #GP in the host would be ours:
     * XCR0 only; x87 always on; AVX needs SSE; AVX-512's three components together and
     * with AVX; MPX's two together; AMX's two together; nothing the CPU lacks. */
    uint64_t avx512 = 0xe0, mpx = 0x18, amx = 3ull << 17;
    if ((uint32_t)v->regs[GPR_RCX] != 0 || !(val & 1) || ((val & 4) && !(val & 2)) ||
        ((val & avx512) && ((val & avx512) != avx512 || !(val & 4))) ||
        ((val & mpx) && (val & mpx) != mpx) || ((val & amx) && (val & amx) != amx) ||
        (val & ~supported)) {
        gp(v);
        return 1;
    }
    v->xcr0 = val;
    __asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
    this_cpu()->xcr0 = val;
    vmx_skip_instruction(v);
    return 1;
}
