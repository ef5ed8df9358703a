/* Machine-wide VMX configuration chosen once after VMXON (vmx/vmx_setup.c). */
#ifndef VMX_SETUP_H
#define VMX_SETUP_H

#include <stdbool.h>
#include <stdint.h>

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
};

extern struct vmx_config vmx_cfg;

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
