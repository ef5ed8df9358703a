/*
 * Machine-wide VMX choices, made once after VMXON: the control values (by
 * the allowed-0/allowed-1 rule on the TRUE_* MSRs where present), the MSR
 * and I/O bitmaps, and the host-state area every VMCS shares.
 */
#include "ept.h"
#include "base.h"
#include "lapic.h"
#include "percpu.h"
#include "mm.h"
#include "vmcs.h"
#include "vmx.h"
#include "vmx_setup.h"
#include "x86.h"

struct vmx_config vmx_cfg;
struct cpuid_policy vmx_cpuid;

#define MSR_SPEC_CTRL         0x048
#define MSR_PRED_CMD          0x049
#define MSR_ARCH_CAPABILITIES 0x10a

static uint32_t adjust(const char *what, uint64_t cap, uint32_t required, uint32_t optional)
{
    uint32_t out = 0, missing = 0;
    if (vmx_ctl_adjust(cap, required, optional, &out, &missing) != HV_OK)
        panic("vmx: the CPU lacks required %s controls 0x%x", what, missing);
    return out;
}

/* Let an MSR's reads and/or writes through (bitmap bits clear, SDM Vol. 3C 24.6.9). */
static void msr_passthrough(uint8_t *bitmap, uint32_t msr, bool read, bool write)
{
    uint32_t base = msr >= 0xc0000000 ? 1024 : 0, idx = msr & 0x1fff;
    if (read)
        bitmap[base + idx / 8] &= (uint8_t)~(1u << (idx % 8));
    if (write)
        bitmap[2048 + base + idx / 8] &= (uint8_t)~(1u << (idx % 8));
}

static struct cpuid_leaf host_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf)
{
    (void)ctx;
    struct cpuid_regs r = cpuid(leaf, subleaf);
    return (struct cpuid_leaf){ r.eax, r.ebx, r.ecx, r.edx };
}

/*
 * The CPU model (vmx/cpu_model.c) from the host's CPUID and the controls chosen above,
 * and the CR0/CR4 bits that follow from it. Needs tsc_hz(), calibrated before.
 */
static void cpu_model_setup(struct vmx_config *k)
{
    struct cpuid_host h = {
        .query = host_cpuid,
        .tsc_hz = tsc_hz(),
        .crystal_hz = lapic_timer_hz() * 16,    /* calibrated at divide-by-16 */
        .xsave = k->xsave,
        .invpcid = k->proc2 & PROC2_INVPCID,
        .rdtscp = k->proc2 & PROC2_RDTSCP,
        .pkrs = k->entry & ENTRY_LOAD_PKRS,
        .x2apic = HV_GUEST_X2APIC,
    };
    if (cpuid(0, 0).eax >= 7 && (cpuid(7, 0).edx & (1u << 29)))
        h.arch_capabilities = rdmsr(MSR_ARCH_CAPABILITIES);
    cpuid_policy_build(&vmx_cpuid, &h);

    /* CR4: what the model offers and the CPU allows in VMX operation; VMXE stays ours. */
    k->cr4_allowed = vmx_cpuid.cr4_allowed & k->cr4_fixed1 & ~CR4_VMXE;
    /*
     * Guest-owned bits: those hv never has to see change. CR0: MP, EM, TS, WP, AM (the FPU
     * and paging modifiers; EPT needs no shadow paging). Ours: PE and PG (mode switches:
     * EFER.LMA, the IA-32e entry control, PDPTEs), CD and NW (not applied: EPT sets memory
     * types), NE and ET (fixed in VMX operation). CR4: all it may set except PAE and LA57
     * (paging-mode switches) and the bits it may not set (VMXE, SMXE, hidden features),
     * which exit so that they #GP.
     */
    k->cr0_guest_owned = (CR0_MP | CR0_EM | CR0_TS | CR0_WP | CR0_AM) & ~k->cr0_fixed0 &
                         k->cr0_fixed1;
    k->cr4_guest_owned = k->cr4_allowed & ~(CR4_PAE | CR4_LA57) & ~k->cr4_fixed0;
}

static uint64_t bitmap_page_all_ones(void)
{
    uint64_t f = frame_alloc();
    if (f == FRAME_NONE)
        panic("vmx: no frame for a bitmap");
    uint8_t *p = phys_to_virt(f);
    for (int i = 0; i < 4096; i++)
        p[i] = 0xff;
    return f;
}

void vmx_setup(void)
{
    const struct vmx_caps *c = &vmx_caps;
    struct vmx_config *k = &vmx_cfg;

    k->pin = adjust("pin-based", c->pin_msr, PIN_EXT_INT_EXITING | PIN_NMI_EXITING,
                    PIN_VIRTUAL_NMIS);
    k->preempt_timer = c->preempt_timer;
    k->proc = adjust("processor-based", c->proc_msr,
                     PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS |
                     PROC_ACTIVATE_SECONDARY | PROC_MWAIT_EXITING | PROC_MONITOR_EXITING |
                     PROC_RDPMC_EXITING | PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING,
                     PROC_USE_TSC_OFFSETTING);
    k->tsc_offsetting = k->proc & PROC_USE_TSC_OFFSETTING;
    /* Window exiting is switched on per entry; it must be allowed. */
    if (!((c->proc_msr >> 32) & PROC_INTR_WINDOW_EXITING))
        panic("vmx: the CPU lacks interrupt-window exiting");
    k->nmi_window = (k->pin & PIN_VIRTUAL_NMIS) && ((c->proc_msr >> 32) & PROC_NMI_WINDOW_EXITING);
    /* INVPCID and RDTSCP/RDPID run natively when enabled (else they #UD): the CPU
     * model shows them exactly when these are on. */
    k->proc2 = adjust("secondary", c->proc2_msr, PROC2_EPT | PROC2_UNRESTRICTED,
                      PROC2_VPID | PROC2_INVPCID | PROC2_RDTSCP);
    k->vpid = k->proc2 & PROC2_VPID;
    k->exit = adjust("VM-exit", c->exit_msr,
                     EXIT_HOST_64BIT | EXIT_ACK_INTERRUPT | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
                     EXIT_SAVE_PAT | EXIT_LOAD_PAT, EXIT_SAVE_PREEMPT_TIMER | EXIT_SAVE_DEBUG);
    /* Only legal together with the timer itself: vcpus that use the timer add it. */
    k->save_preempt_timer = k->exit & EXIT_SAVE_PREEMPT_TIMER;
    k->exit &= ~EXIT_SAVE_PREEMPT_TIMER;
    k->entry = adjust("VM-entry", c->entry_msr, ENTRY_LOAD_EFER | ENTRY_LOAD_PAT,
                      ENTRY_LOAD_DEBUG | ENTRY_LOAD_PKRS);
    k->debugctl = (k->entry & ENTRY_LOAD_DEBUG) && (k->exit & EXIT_SAVE_DEBUG);
    if (!c->ept_4level || !c->ept_wb || !c->invept)
        panic("vmx: EPT lacks 4-level walks, write-back or INVEPT");

    k->ept_features = (c->ept_2m ? EPT_FEAT_2M : 0) | (c->ept_1g ? EPT_FEAT_1G : 0) |
                      (c->ept_exec_only ? EPT_FEAT_EXEC_ONLY : 0);

    k->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
    k->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
    k->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
    k->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);

    /* Every MSR and port exits unless listed here. */
    k->msr_bitmap = bitmap_page_all_ones();
    uint8_t *mb = phys_to_virt(k->msr_bitmap);
    /* The VMCS switches these two; the SYSCALL MSRs are emulated (vcpu.h). */
    msr_passthrough(mb, MSR_FS_BASE, true, true);
    msr_passthrough(mb, MSR_GS_BASE, true, true);
    k->io_bitmap_a = bitmap_page_all_ones();
    k->io_bitmap_b = bitmap_page_all_ones();

    /* XSETBV is done for the guest in the exit handler: the host needs CR4.OSXSAVE.
     * Guest FPU state is saved with XSAVE (FXSAVE without it), so OSFXSR too. */
    write_cr4(read_cr4() | CR4_OSFXSR);
    k->xsave = cpuid(1, 0).ecx & (1u << 26);
    if (k->xsave) {
        /* Every user component the CPU has: the save area then holds any guest's. */
        write_cr4(read_cr4() | CR4_OSXSAVE);
        struct cpuid_regs d = cpuid(0xd, 0);
        k->host_xcr0 = (uint64_t)d.edx << 32 | d.eax;
        __asm__ volatile("xsetbv" ::"c"(0), "a"(d.eax), "d"(d.edx));
        this_cpu()->xcr0 = k->host_xcr0;
        if (cpuid(0xd, 0).ebx > 4096)
            panic("vmx: the XSAVE area (%u bytes) is larger than a page", cpuid(0xd, 0).ebx);
    }
    cpu_model_setup(k);
    /* Speculation controls where the model has them: a kernel may write IA32_SPEC_CTRL on
     * every entry and exit, so it passes through; each vCPU's value moves with its FPU state
     * (vmx/vcpu.c). IA32_PRED_CMD is write-only: reads still exit and #GP. */
    if (vmx_cpuid.spec_ctrl)
        msr_passthrough(mb, MSR_SPEC_CTRL, true, true);
    if (vmx_cpuid.pred_cmd)
        msr_passthrough(mb, MSR_PRED_CMD, false, true);
    pr_info("vmx: controls pin 0x%x proc 0x%x proc2 0x%x exit 0x%x entry 0x%x%s%s\n",
            k->pin, k->proc, k->proc2, k->exit, k->entry,
            k->preempt_timer ? ", preemption timer" : "", k->vpid ? ", VPID" : "");
    const struct cpuid_leaf *t = &vmx_cpuid.slot[0x15].r;
    pr_info("vmx: guest CPU model: XCR0 0x%llx, CR4 0x%llx (guest-owned 0x%llx), CR0 guest-owned "
            "0x%llx, TSC %u kHz (crystal %u Hz x %u / %u)%s%s%s%s\n",
            (unsigned long long)vmx_cpuid.xcr0_mask, (unsigned long long)k->cr4_allowed,
            (unsigned long long)k->cr4_guest_owned, (unsigned long long)k->cr0_guest_owned,
            vmx_cpuid.slot[CPUID_HV_SLOT + 0x10].r.eax, t->ecx, t->ebx, t->eax,
            vmx_cpuid.invpcid ? ", INVPCID" : "", vmx_cpuid.tsc_aux ? ", RDTSCP" : "",
            vmx_cpuid.spec_ctrl ? ", SPEC_CTRL" : "", k->tsc_offsetting ? ", TSC offsetting" : "");
}

struct inv_desc {
    uint64_t a, b;
};

void vmx_invept(uint64_t eptp)
{
    struct inv_desc d = { eptp, 0 };
    uint64_t type = vmx_caps.invept_single ? 1 : 2;
    uint8_t bad;
    __asm__ volatile("invept %1, %2; setbe %0" : "=r"(bad) : "m"(d), "r"(type) : "cc", "memory");
    if (bad)
        panic("vmx: INVEPT type %llu failed", (unsigned long long)type);
}

void vmx_invvpid(uint16_t vpid)
{
    if (!vmx_cfg.vpid || !vmx_caps.invvpid)
        return;
    struct inv_desc d = { vpid, 0 };
    uint64_t type = vmx_caps.invvpid_single ? 1 : 2;
    uint8_t bad;
    __asm__ volatile("invvpid %1, %2; setbe %0" : "=r"(bad) : "m"(d), "r"(type) : "cc", "memory");
    if (bad)
        panic("vmx: INVVPID type %llu failed", (unsigned long long)type);
}

/* VPID 0 is the host's; a freed VPID is flushed before it can be handed out again. */
static uint64_t vpid_map[65536 / 64] = { 1 };
static uint32_t vpid_hint = 1;

uint16_t vpid_alloc(void)
{
    for (uint32_t n = 0; n < 65536; n++) {
        uint32_t id = (vpid_hint + n) & 0xffff;
        if (!(vpid_map[id / 64] & (1ull << (id % 64)))) {
            vpid_map[id / 64] |= 1ull << (id % 64);
            vpid_hint = id + 1;
            return (uint16_t)id;
        }
    }
    return 0;
}

void vpid_free(uint16_t vpid)
{
    if (!vpid)
        return;
    vmx_invvpid(vpid);
    vpid_map[vpid / 64] &= ~(1ull << (vpid % 64));
}
