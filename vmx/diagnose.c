/*
 * A failed VM entry says only "invalid guest state". Say which rule broke:
 * check the guest-state rules that a hypervisor bug most often violates
 * (SDM Vol. 3 26.3.1) and print the state a person needs.
 */
#include "base.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_exits.h"
#include "vmx_setup.h"
#include "x86.h"

static int problems;

static void check(bool ok, const char *rule)
{
    if (!ok) {
        pr_err("vmx:   violated: %s\n", rule);
        problems++;
    }
}

static const char *const seg_names[8] = { "ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR" };

void vmx_diagnose_entry_failure(struct vcpu *v)
{
    (void)v;
    uint32_t reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
    uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
    uint64_t cr0 = vmcs_read(VMCS_GUEST_CR0), cr4 = vmcs_read(VMCS_GUEST_CR4);
    uint64_t efer = vmcs_read(VMCS_GUEST_EFER), rflags = vmcs_read(VMCS_GUEST_RFLAGS);
    uint32_t entry = (uint32_t)vmcs_read(VMCS_ENTRY_CONTROLS);
    uint32_t proc2 = (uint32_t)vmcs_read(VMCS_PROC_CONTROLS2);
    bool ug = proc2 & (1u << 7);
    bool ia32e = entry & ENTRY_GUEST_64BIT;

    pr_err("vmx: VM entry failed: %s (exit reason 0x%x, qualification 0x%llx)\n",
           vmx_exit_reason_name(reason & 0xffff), reason, (unsigned long long)q);
    pr_err("vmx:   cr0 %llx cr4 %llx efer %llx rflags %llx rip %llx entry-ctls %x\n",
           (unsigned long long)cr0, (unsigned long long)cr4, (unsigned long long)efer,
           (unsigned long long)rflags, (unsigned long long)vmcs_read(VMCS_GUEST_RIP), entry);
    for (unsigned i = 0; i < 8; i++)
        pr_err("vmx:   %-4s sel %04llx base %llx limit %llx ar %llx\n", seg_names[i],
               (unsigned long long)vmcs_read(VMCS_GUEST_ES_SEL + 2 * i),
               (unsigned long long)vmcs_read(VMCS_GUEST_ES_BASE + 2 * i),
               (unsigned long long)vmcs_read(VMCS_GUEST_ES_LIMIT + 2 * i),
               (unsigned long long)vmcs_read(VMCS_GUEST_ES_AR + 2 * i));

    problems = 0;
    uint64_t f0 = vmx_cfg.cr0_fixed0 & (ug ? ~(CR0_PE | CR0_PG) : ~0ull);
    check((cr0 & f0) == f0 && !(cr0 & ~vmx_cfg.cr0_fixed1), "CR0 fixed bits (IA32_VMX_CR0_FIXED0/1)");
    check(!(cr0 & CR0_PG) || (cr0 & CR0_PE), "CR0.PG requires CR0.PE");
    check((cr4 & vmx_cfg.cr4_fixed0) == vmx_cfg.cr4_fixed0 && !(cr4 & ~vmx_cfg.cr4_fixed1),
          "CR4 fixed bits (IA32_VMX_CR4_FIXED0/1)");
    check(!ia32e || ((cr0 & CR0_PG) && (cr4 & CR4_PAE)), "IA-32e guest needs CR0.PG and CR4.PAE");
    check(!!(efer & EFER_LMA) == ia32e, "EFER.LMA must equal the IA-32e-mode-guest entry control");
    check(!(cr0 & CR0_PG) || !!(efer & EFER_LME) == !!(efer & EFER_LMA),
          "with paging, EFER.LME must equal EFER.LMA");
    check(rflags & 2, "RFLAGS bit 1 must be 1");
    check(!(rflags & ~0x3f7fd7ull), "RFLAGS reserved bits must be 0");
    uint32_t tr_ar = (uint32_t)vmcs_read(VMCS_GUEST_TR_AR);
    check((tr_ar & 0xf) == 11 || (!ia32e && (tr_ar & 0xf) == 3), "TR type must be a busy TSS");
    check(!(tr_ar & (1u << 16)) && (tr_ar & 0x80), "TR must be usable and present");
    uint32_t cs_ar = (uint32_t)vmcs_read(VMCS_GUEST_CS_AR);
    check(!(ia32e && (cs_ar & (1u << 13)) && (cs_ar & (1u << 14))), "64-bit CS must have D=0");
    uint32_t act = (uint32_t)vmcs_read(VMCS_GUEST_ACTIVITY_STATE);
    check(act <= ACTIVITY_WAIT_SIPI, "activity state must be 0..3");
    uint32_t intr = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
    check(!((intr & 1) && (intr & 2)), "STI and MOV-SS blocking together");
    check(!(intr & 1) || (rflags & RFLAGS_IF), "STI blocking requires RFLAGS.IF");
    check(vmcs_read(VMCS_LINK_POINTER) == ~0ull, "VMCS link pointer must be ~0");
    if (!problems)
        pr_err("vmx:   no rule found broken by the checks made here\n");
}
