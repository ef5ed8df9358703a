/*
 * The guest state the root task reads and writes (include/hv/state.h),
 * copied between the ABI structs and the vCPU's VMCS. Each function makes
 * v's VMCS current first.
 */
#include "hv/state.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_setup.h"
#include "x86.h"

void vcpu_read_state(struct vcpu *v, struct hv_vcpu_state *s)
{
    vcpu_load(v);
    uint64_t *dst = &s->rax;                            /* rax .. r15 in enum gpr order */
    for (int i = 0; i < 16; i++)
        dst[i] = v->regs[i];
    s->rsp = vmcs_read(VMCS_GUEST_RSP);
    s->rip = vmcs_read(VMCS_GUEST_RIP);
    s->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
}

bool vcpu_write_state(struct vcpu *v, const struct hv_vcpu_state *s)
{
    /* RFLAGS as VM entry checks it (SDM Vol. 3 26.3.1.4): bit 1 set, reserved bits
     * clear; VM (virtual-8086) is not allowed here. */
    if (!(s->rflags & 2) || (s->rflags & ~0x3f7fd7ull) || (s->rflags & (1u << 17)))
        return false;
    vcpu_load(v);
    const uint64_t *src = &s->rax;
    for (int i = 0; i < 16; i++)
        v->regs[i] = src[i];
    vmcs_write(VMCS_GUEST_RSP, s->rsp);
    vmcs_write(VMCS_GUEST_RIP, s->rip);
    vmcs_write(VMCS_GUEST_RFLAGS, s->rflags);
    return true;
}

/* Segment registers and tables in VMCS order: ES CS SS DS FS GS LDTR TR. */
void vcpu_read_sregs(struct vcpu *v, struct hv_vcpu_sregs *s)
{
    vcpu_load(v);
    struct hv_segment *seg = &s->es;
    for (unsigned i = 0; i < 8; i++) {
        seg[i] = (struct hv_segment){
            .base = vmcs_read(VMCS_GUEST_ES_BASE + 2 * i),
            .limit = (uint32_t)vmcs_read(VMCS_GUEST_ES_LIMIT + 2 * i),
            .ar = (uint32_t)vmcs_read(VMCS_GUEST_ES_AR + 2 * i),
            .selector = (uint16_t)vmcs_read(VMCS_GUEST_ES_SEL + 2 * i),
        };
    }
    s->gdt = (struct hv_dtable){ .base = vmcs_read(VMCS_GUEST_GDTR_BASE),
                                 .limit = (uint16_t)vmcs_read(VMCS_GUEST_GDTR_LIMIT) };
    s->idt = (struct hv_dtable){ .base = vmcs_read(VMCS_GUEST_IDTR_BASE),
                                 .limit = (uint16_t)vmcs_read(VMCS_GUEST_IDTR_LIMIT) };
    s->cr0 = vcpu_guest_cr0(v);
    s->cr2 = v->cr2;
    s->cr3 = vmcs_read(VMCS_GUEST_CR3);
    s->cr4 = vcpu_guest_cr4(v);
    s->efer = vmcs_read(VMCS_GUEST_EFER);
}

bool vcpu_write_sregs(struct vcpu *v, const struct hv_vcpu_sregs *s)
{
    /* The CPU model's CR4 and EFER bits only (VMXE is never the guest's). */
    if ((s->cr4 & ~vmx_cfg.cr4_allowed) || (s->efer & ~vmx_cpuid.efer_allowed) || (s->cr0 >> 32))
        return false;
    vcpu_load(v);
    /* PAE paging: VM entry takes the PDPTEs from the VMCS (Vol. 3C 26.3.2.4). */
    if (vcpu_pae_paging(s->cr0, s->cr4, s->efer) && !vcpu_load_pdptes(v, s->cr3))
        return false;
    const struct hv_segment *seg = &s->es;
    for (unsigned i = 0; i < 8; i++) {
        vmcs_write(VMCS_GUEST_ES_BASE + 2 * i, seg[i].base);
        vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * i, seg[i].limit);
        vmcs_write(VMCS_GUEST_ES_AR + 2 * i, seg[i].ar & 0x1f0ff);     /* defined AR bits */
        vmcs_write(VMCS_GUEST_ES_SEL + 2 * i, seg[i].selector);
    }
    vmcs_write(VMCS_GUEST_GDTR_BASE, s->gdt.base);
    vmcs_write(VMCS_GUEST_GDTR_LIMIT, s->gdt.limit);
    vmcs_write(VMCS_GUEST_IDTR_BASE, s->idt.base);
    vmcs_write(VMCS_GUEST_IDTR_LIMIT, s->idt.limit);
    v->cr0_shadow = s->cr0 | (1u << 4);                             /* ET is hard-wired */
    v->cr4_shadow = s->cr4;
    vmcs_write(VMCS_CR0_SHADOW, v->cr0_shadow);
    vmcs_write(VMCS_CR4_SHADOW, v->cr4_shadow);
    vmcs_write(VMCS_GUEST_CR0, vcpu_real_cr0(v->cr0_shadow));
    vmcs_write(VMCS_GUEST_CR4, vcpu_real_cr4(v->cr4_shadow));
    vmcs_write(VMCS_GUEST_CR3, s->cr3);
    v->cr2 = s->cr2;
    vmcs_write(VMCS_GUEST_EFER, s->efer);
    /* IA-32e mode guest follows EFER.LMA (SDM Vol. 3 24.8.1, 26.3.1.1). */
    uint64_t entry = vmcs_read(VMCS_ENTRY_CONTROLS);
    vmcs_write(VMCS_ENTRY_CONTROLS, (s->efer & EFER_LMA) ? entry | ENTRY_GUEST_64BIT
                                                         : entry & ~(uint64_t)ENTRY_GUEST_64BIT);
    vmx_invvpid(v->vpid);                               /* new paging state: no stale translations */
    return true;
}
