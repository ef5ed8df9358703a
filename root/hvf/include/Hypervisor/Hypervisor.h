/* Hypervisor.h - the whole Hypervisor.framework (Intel) C API for hv. */
#ifndef HVF_HYPERVISOR_H
#define HVF_HYPERVISOR_H

#include <Hypervisor/hv_error.h>
#include <Hypervisor/hv_types.h>
#include <Hypervisor/hv_arch_x86.h>
#include <Hypervisor/hv_arch_vmx.h>
#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>

#endif
