/* VMX root operation on this machine. */
#ifndef VMX_H
#define VMX_H

#include "vmx_caps.h"

extern struct vmx_caps vmx_caps;

/*
 * Detect VMX, settle IA32_FEATURE_CONTROL, read and print the capabilities
 * and execute VMXON on the calling CPU. A machine that cannot run VMX gets
 * one clear line and a distinct shutdown status; this never returns then.
 */
void vmx_init_boot_cpu(void);

#endif
