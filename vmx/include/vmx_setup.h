/* Machine-wide VMX configuration chosen once after VMXON (vmx/vmx_setup.c). */
#ifndef VMX_SETUP_H
#define VMX_SETUP_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu_model.h"

/*
 * x2APIC and TSC-deadline in the guest's CPUID (and the APIC base's EXTD bit):
 * on, the virtual local APIC (vmx/lapic.c) emulates the x2APIC and
 * IA32_TSC_DEADLINE MSRs. The one switch for both.
 */
#define HV_GUEST_X2APIC 1

struct vmx_config {
    uint32_t pin, proc, proc2, exit, entry;     /* base control values */
    bool preempt_timer, save_preempt_timer;
    bool nmi_window;                            /* virtual NMIs + NMI-window exiting */
    bool vpid;
    uint32_t ept_features;                      /* EPT_FEAT_* */
    uint64_t msr_bitmap, io_bitmap_a, io_bitmap_b;   /* physical addresses */
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    bool xsave;
    uint64_t host_xcr0;
    bool tsc_offsetting;                        /* "use TSC offsetting": WRMSR TSC moves RDTSC */
    bool debugctl;                              /* entry loads, exit saves DEBUGCTL and DR7 */
    /* CR0/CR4 bits the guest owns: no exit on writes, read from the real register
     * (guest/host mask bit 0, SDM Vol. 3C 24.6.6). Every other bit is the read shadow's. */
    uint64_t cr0_guest_owned, cr4_guest_owned;
    uint64_t cr4_allowed;                       /* CR4 bits a guest may set: policy & fixed1 */
};

extern struct vmx_config vmx_cfg;
/* The CPU model every guest sees (vmx/include/cpu_model.h), built by vmx_setup. */
extern struct cpuid_policy vmx_cpuid;

/* Compute controls (allowed-0/allowed-1 rule), build bitmaps; panics with the missing controls. */
void vmx_setup(void);

/* Write the host-state area of the current VMCS. */

/* INVEPT single-context (or all-context) for eptp; INVVPID single-context for vpid. */
void vmx_invept(uint64_t eptp);
void vmx_invvpid(uint16_t vpid);

/* VPIDs: 1..65535, never two live vCPUs with one. 0 when none is left. */
uint16_t vpid_alloc(void);
void vpid_free(uint16_t vpid);

#endif
