/* VMX detection, capability report and VMXON on the boot CPU. */
#include "base.h"
#include "mm.h"
#include "vmx.h"
#include "x86.h"

struct vmx_caps vmx_caps;
static struct vmx_msrs msrs;
static uint64_t vmxon_region;          /* per CPU once APs run VMX too */

static void read_msrs(struct vmx_msrs *m)
{
    m->basic = rdmsr(MSR_VMX_BASIC);
    m->pinbased = rdmsr(MSR_VMX_PINBASED);
    m->procbased = rdmsr(MSR_VMX_PROCBASED);
    m->exit = rdmsr(MSR_VMX_EXIT);
    m->entry = rdmsr(MSR_VMX_ENTRY);
    m->misc = rdmsr(MSR_VMX_MISC);
    m->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
    m->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
    m->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
    m->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
    m->vmcs_enum = rdmsr(MSR_VMX_VMCS_ENUM);
    /* Later MSRs exist only when earlier ones say so (else RDMSR faults). */
    if (vmx_has_procbased2(m->procbased)) {
        m->procbased2 = rdmsr(MSR_VMX_PROCBASED2);
        if (vmx_has_ept_vpid_cap(m->procbased2))
            m->ept_vpid_cap = rdmsr(MSR_VMX_EPT_VPID_CAP);
        if ((m->procbased2 >> 32) & PROC2_VMFUNC)
            m->vmfunc = rdmsr(MSR_VMX_VMFUNC);
    }
    if (vmx_has_true_msrs(m->basic)) {
        m->true_pinbased = rdmsr(MSR_VMX_TRUE_PINBASED);
        m->true_procbased = rdmsr(MSR_VMX_TRUE_PROCBASED);
        m->true_exit = rdmsr(MSR_VMX_TRUE_EXIT);
        m->true_entry = rdmsr(MSR_VMX_TRUE_ENTRY);
    }
}

static const char *yn(bool b)
{
    return b ? "yes" : "no";
}

static void print_caps(const struct vmx_caps *c)
{
    pr_info("vmx: revision 0x%x, VMCS %u bytes, memory type %s, TRUE controls %s\n",
            c->revision, c->vmcs_size, c->vmcs_memtype == 6 ? "WB" : "UC", yn(c->true_ctls));
    pr_info("vmx: EPT %s (4-level %s, WB %s, 2M %s, 1G %s, A/D %s, exec-only %s), "
            "INVEPT single %s all %s\n",
            yn(c->ept), yn(c->ept_4level), yn(c->ept_wb), yn(c->ept_2m), yn(c->ept_1g),
            yn(c->ept_ad), yn(c->ept_exec_only), yn(c->invept_single), yn(c->invept_all));
    pr_info("vmx: VPID %s, INVVPID addr %s single %s all %s\n", yn(c->vpid),
            yn(c->invvpid_addr), yn(c->invvpid_single), yn(c->invvpid_all));
    pr_info("vmx: unrestricted guest %s, MSR bitmaps %s, I/O bitmaps %s\n",
            yn(c->unrestricted), yn(c->msr_bitmaps), yn(c->io_bitmaps));
    if (c->preempt_timer)
        pr_info("vmx: preemption timer yes (1 tick per %u TSC ticks)\n", 1u << c->preempt_timer_shift);
    else
        pr_info("vmx: preemption timer no\n");
}

/* Returns 0 on success, else the VM-instruction failure kind. */
static int vmxon(uint64_t phys)
{
    uint8_t cf, zf;
    __asm__ volatile("vmxon %2; setc %0; setz %1"
                     : "=r"(cf), "=r"(zf) : "m"(phys) : "cc", "memory");
    return cf ? 1 : zf ? 2 : 0;
}

void vmx_init_boot_cpu(void)
{
    if (!(cpuid(1, 0).ecx & (1u << 5))) {
        pr_err("vmx: this CPU has no VMX (CPUID.1:ECX.VMX[bit 5] = 0): cannot run guests; "
               "use a VT-x machine, nested KVM, or Bochs\n");
        shutdown(SHUTDOWN_NO_VMX);
    }

    uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL), new_fc = 0;
    if (cmdline_has("test", "vmx-lockoff")) {
        /*
         * Play a firmware that disabled VT-x: lock the MSR with VMX off when
         * it is still unlocked; when the firmware locked it already (Bochs's
         * BIOS does), the kernel sees that value instead of the real one.
         */
        if (!(fc & FC_LOCK)) {
            wrmsr(MSR_IA32_FEATURE_CONTROL, FC_LOCK);
            fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
        } else {
            fc = FC_LOCK;
        }
        pr_info("vmx: test: IA32_FEATURE_CONTROL locked with VMX off, as a firmware would\n");
    }
    switch (vmx_feature_control(fc, &new_fc)) {
    case VMX_FC_LOCKED_OFF:
        pr_err("vmx: VMX is disabled and locked by the firmware (IA32_FEATURE_CONTROL = 0x%llx); "
               "enable VT-x in the firmware setup\n", (unsigned long long)fc);
        shutdown(SHUTDOWN_VMX_LOCKED);
    case VMX_FC_WRITE:
        wrmsr(MSR_IA32_FEATURE_CONTROL, new_fc);
        pr_info("vmx: IA32_FEATURE_CONTROL was unlocked: enabled VMX and locked it (0x%llx)\n",
                (unsigned long long)new_fc);
        break;
    case VMX_FC_OK:
        break;
    }

    read_msrs(&msrs);
    vmx_caps_decode(&msrs, &vmx_caps);
    print_caps(&vmx_caps);
    if (vmx_caps.vmcs_size > FRAME_SIZE || vmx_caps.vmcs_memtype != 6) {
        pr_err("vmx: unsupported VMCS layout (size %u, memory type %u)\n",
               vmx_caps.vmcs_size, vmx_caps.vmcs_memtype);
        shutdown(SHUTDOWN_NO_VMX);
    }

    write_cr0(vmx_cr_fixed(read_cr0(), msrs.cr0_fixed0, msrs.cr0_fixed1));
    write_cr4(vmx_cr_fixed(read_cr4() | CR4_VMXE, msrs.cr4_fixed0, msrs.cr4_fixed1));

    vmxon_region = frame_alloc();
    if (vmxon_region == FRAME_NONE)
        panic("vmx: no frame for the VMXON region");
    *(uint32_t *)phys_to_virt(vmxon_region) = vmx_caps.revision;

    int rc = vmxon(vmxon_region);
    if (rc) {
        pr_err("vmx: VMXON failed (%s)\n", rc == 1 ? "VMfailInvalid" : "VMfailValid");
        shutdown(SHUTDOWN_FAIL);
    }
    pr_info("vmx: VMXON ok on the boot CPU (region 0x%llx)\n", (unsigned long long)vmxon_region);
}
