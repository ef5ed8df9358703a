/* VMX capability decoding and control rules. Pure: kernel and host tests. */
#include "vmx_caps.h"

bool vmx_has_true_msrs(uint64_t basic)
{
    return basic & VMX_BASIC_TRUE_CTLS;
}

bool vmx_has_procbased2(uint64_t procbased)
{
    return (procbased >> 32) & PROC_ACTIVATE_SECONDARY;
}

bool vmx_has_ept_vpid_cap(uint64_t procbased2)
{
    uint32_t allowed1 = (uint32_t)(procbased2 >> 32);
    return allowed1 & (PROC2_EPT | PROC2_VPID);
}

static bool bit(uint64_t v, unsigned n)
{
    return (v >> n) & 1;
}

void vmx_caps_decode(const struct vmx_msrs *m, struct vmx_caps *c)
{
    *c = (struct vmx_caps){ 0 };
    c->revision = (uint32_t)(m->basic & 0x7fffffff);
    c->vmcs_size = (uint32_t)((m->basic >> 32) & 0x1fff);
    c->phys_32bit = bit(m->basic, 48);
    c->vmcs_memtype = (uint32_t)((m->basic >> 50) & 0xf);
    c->ins_outs_info = bit(m->basic, 54);
    c->true_ctls = vmx_has_true_msrs(m->basic);

    c->pin_msr = c->true_ctls ? m->true_pinbased : m->pinbased;
    c->proc_msr = c->true_ctls ? m->true_procbased : m->procbased;
    c->exit_msr = c->true_ctls ? m->true_exit : m->exit;
    c->entry_msr = c->true_ctls ? m->true_entry : m->entry;

    uint32_t proc1 = (uint32_t)(c->proc_msr >> 32);
    c->msr_bitmaps = proc1 & PROC_USE_MSR_BITMAPS;
    c->io_bitmaps = proc1 & PROC_USE_IO_BITMAPS;
    c->secondary = proc1 & PROC_ACTIVATE_SECONDARY;
    c->proc2_msr = c->secondary ? m->procbased2 : 0;

    uint32_t proc2 = (uint32_t)(c->proc2_msr >> 32);
    uint64_t ev = m->ept_vpid_cap;
    c->ept = proc2 & PROC2_EPT;
    if (c->ept) {
        c->ept_exec_only = bit(ev, 0);
        c->ept_4level = bit(ev, 6);
        c->ept_uc = bit(ev, 8);
        c->ept_wb = bit(ev, 14);
        c->ept_2m = bit(ev, 16);
        c->ept_1g = bit(ev, 17);
        c->invept = bit(ev, 20);
        c->ept_ad = bit(ev, 21);
        c->invept_single = c->invept && bit(ev, 25);
        c->invept_all = c->invept && bit(ev, 26);
    }
    c->vpid = proc2 & PROC2_VPID;
    if (c->vpid) {
        c->invvpid = bit(ev, 32);
        c->invvpid_addr = c->invvpid && bit(ev, 40);
        c->invvpid_single = c->invvpid && bit(ev, 41);
        c->invvpid_all = c->invvpid && bit(ev, 42);
    }
    c->unrestricted = (proc2 & PROC2_UNRESTRICTED) && c->ept;
    c->preempt_timer = (uint32_t)(c->pin_msr >> 32) & PIN_PREEMPT_TIMER;
    c->preempt_timer_shift = (uint32_t)(m->misc & 0x1f);
    c->activity_hlt = m->misc & (1u << 6);
    c->cr3_targets = (uint32_t)((m->misc >> 16) & 0x1ff);
    c->msr_list_max = 512u * ((uint32_t)((m->misc >> 25) & 7) + 1);
}

hv_status_t vmx_ctl_adjust(uint64_t cap_msr, uint32_t required, uint32_t optional,
                           uint32_t *out, uint32_t *missing)
{
    uint32_t must_be_1 = (uint32_t)cap_msr;
    uint32_t may_be_1 = (uint32_t)(cap_msr >> 32);
    uint32_t lacking = required & ~may_be_1;
    if (missing)
        *missing = lacking;
    if (lacking)
        return HV_ERR_NOT_SUPPORTED;
    *out = ((required | optional) & may_be_1) | must_be_1;
    return HV_OK;
}

enum vmx_fc_verdict vmx_feature_control(uint64_t fc, uint64_t *new_fc)
{
    if (fc & FC_LOCK)
        return (fc & FC_VMX_OUTSIDE_SMX) ? VMX_FC_OK : VMX_FC_LOCKED_OFF;
    *new_fc = fc | FC_VMX_OUTSIDE_SMX | FC_LOCK;
    return VMX_FC_WRITE;
}
