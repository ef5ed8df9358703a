/*
 * VMX capability MSRs: raw values, decoded capabilities, and the rules the
 * SDM gives for using them (allowed-0/allowed-1 controls, CR0/CR4 fixed
 * bits, IA32_FEATURE_CONTROL). Pure logic: kernel and host tests.
 */
#ifndef VMX_CAPS_H
#define VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>
#include "hv/status.h"

#define MSR_VMX_BASIC          0x480
#define MSR_VMX_PINBASED       0x481
#define MSR_VMX_PROCBASED      0x482
#define MSR_VMX_EXIT           0x483
#define MSR_VMX_ENTRY          0x484
#define MSR_VMX_MISC           0x485
#define MSR_VMX_CR0_FIXED0     0x486
#define MSR_VMX_CR0_FIXED1     0x487
#define MSR_VMX_CR4_FIXED0     0x488
#define MSR_VMX_CR4_FIXED1     0x489
#define MSR_VMX_VMCS_ENUM      0x48a
#define MSR_VMX_PROCBASED2     0x48b
#define MSR_VMX_EPT_VPID_CAP   0x48c
#define MSR_VMX_TRUE_PINBASED  0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e
#define MSR_VMX_TRUE_EXIT      0x48f
#define MSR_VMX_TRUE_ENTRY     0x490
#define MSR_VMX_VMFUNC         0x491

#define VMX_BASIC_TRUE_CTLS    (1ull << 55)
#define PROC_ACTIVATE_SECONDARY (1u << 31)
#define PROC2_EPT              (1u << 1)
#define PROC2_VPID             (1u << 5)
#define PROC2_UNRESTRICTED     (1u << 7)
#define PROC2_VMFUNC           (1u << 13)
#define PROC_USE_MSR_BITMAPS   (1u << 28)
#define PROC_USE_IO_BITMAPS    (1u << 25)
#define PIN_PREEMPT_TIMER      (1u << 6)

#define FC_LOCK                (1ull << 0)
#define FC_VMX_IN_SMX          (1ull << 1)
#define FC_VMX_OUTSIDE_SMX     (1ull << 2)

/* Raw MSR values; a field is 0 when its MSR does not exist on this CPU. */
struct vmx_msrs {
    uint64_t basic, pinbased, procbased, exit, entry, misc;
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1, vmcs_enum;
    uint64_t procbased2, ept_vpid_cap;
    uint64_t true_pinbased, true_procbased, true_exit, true_entry, vmfunc;
};

struct vmx_caps {
    uint32_t revision;
    uint32_t vmcs_size;
    uint32_t vmcs_memtype;              /* 6 = write-back */
    bool true_ctls;
    bool phys_32bit;                    /* VMX structures must sit below 4 GiB */
    bool ins_outs_info;
    bool secondary;
    bool msr_bitmaps, io_bitmaps;
    bool ept, ept_exec_only, ept_4level, ept_wb, ept_uc, ept_2m, ept_1g, ept_ad;
    bool invept, invept_single, invept_all;
    bool vpid, invvpid, invvpid_addr, invvpid_single, invvpid_all;
    bool unrestricted;
    bool preempt_timer;
    uint32_t preempt_timer_shift;       /* the timer ticks every 2^shift TSC ticks */
    bool activity_hlt;                  /* VM entry into the HLT activity state (MISC bit 6) */
    uint32_t cr3_targets;
    uint32_t msr_list_max;              /* recommended max MSR-load/store entries */
    /* The control MSRs to use: TRUE_* when available. */
    uint64_t pin_msr, proc_msr, exit_msr, entry_msr, proc2_msr;
};

/* Which MSRs exist follows from earlier ones; the kernel reads in this order. */
bool vmx_has_true_msrs(uint64_t basic);
bool vmx_has_procbased2(uint64_t procbased);
bool vmx_has_ept_vpid_cap(uint64_t procbased2);

void vmx_caps_decode(const struct vmx_msrs *m, struct vmx_caps *c);

/*
 * The allowed-0/allowed-1 rule: bits 31:0 of a control MSR are the bits
 * that must be 1, bits 63:32 the bits that may be 1. Builds the control
 * value from `required` and `optional` bits. Returns HV_OK, or
 * HV_ERR_NOT_SUPPORTED when a required bit cannot be set, with those bits in
 * *missing.
 */
hv_status_t vmx_ctl_adjust(uint64_t cap_msr, uint32_t required, uint32_t optional,
                           uint32_t *out, uint32_t *missing);

/* CR0/CR4 under VMX: (v | fixed0) & fixed1. */
static inline uint64_t vmx_cr_fixed(uint64_t v, uint64_t fixed0, uint64_t fixed1)
{
    return (v | fixed0) & fixed1;
}

enum vmx_fc_verdict {
    VMX_FC_OK,          /* locked, VMX outside SMX enabled */
    VMX_FC_WRITE,       /* unlocked: write *new_fc (enable + lock) first */
    VMX_FC_LOCKED_OFF,  /* locked with VMX off: firmware disabled VT-x */
};

enum vmx_fc_verdict vmx_feature_control(uint64_t fc, uint64_t *new_fc);

#endif
