/*
 * hv_types.h - scalar types and flag values of the Hypervisor.framework
 * (Intel) C API. Written for hv from Apple's public documentation.
 * Only <stdint.h>; no Mach types (the port-I/O notifier, which needs a
 * mach_port_t, is not offered).
 */
#ifndef HVF_HV_TYPES_H
#define HVF_HV_TYPES_H

#include <stdint.h>

/* hv_capability() ids */
enum {
    HV_CAP_VCPUMAX,
    HV_CAP_ADDRSPACEMAX
};
typedef uint64_t hv_capability_t;

/* guest address spaces (hv_vm_space_create) */
enum {
    HV_VM_SPACE_DEFAULT = 0
};
typedef unsigned hv_vm_space_t;

/* hv_vm_create() options */
#define HV_VM_DEFAULT             ((hv_vm_options_t)0)
#define HV_VM_SPECIFY_MITIGATIONS ((hv_vm_options_t)1 << 0)
#define HV_VM_MITIGATION_A_ENABLE ((hv_vm_options_t)1 << 1)
#define HV_VM_MITIGATION_B_ENABLE ((hv_vm_options_t)1 << 2)
#define HV_VM_MITIGATION_C_ENABLE ((hv_vm_options_t)1 << 3)
#define HV_VM_MITIGATION_D_ENABLE ((hv_vm_options_t)1 << 4)
#define HV_VM_MITIGATION_E_ENABLE ((hv_vm_options_t)1 << 6)
#define HV_VM_ACCEL_APIC          ((hv_vm_options_t)1 << 10)
typedef uint64_t hv_vm_options_t;

/* hv_vcpu_create() options */
#define HV_VCPU_DEFAULT      ((hv_vcpu_options_t)0)
#define HV_VCPU_ACCEL_RDPMC  ((hv_vcpu_options_t)1 << 0)
#define HV_VCPU_TSC_RELATIVE ((hv_vcpu_options_t)1 << 1)
typedef uint64_t hv_vcpu_options_t;

/* guest-physical permissions for hv_vm_map() / hv_vm_protect() */
#define HV_MEMORY_READ          ((hv_memory_flags_t)1 << 0)
#define HV_MEMORY_WRITE         ((hv_memory_flags_t)1 << 1)
#define HV_MEMORY_EXEC          ((hv_memory_flags_t)1 << 2)
#define HV_MEMORY_UEXEC         ((hv_memory_flags_t)1 << 3)
#define HV_MEMORY_MAXPROT       ((hv_memory_flags_t)1 << 4)
#define HV_MEMORY_MAXPROT_READ  ((hv_memory_flags_t)1 << 5)
#define HV_MEMORY_MAXPROT_WRITE ((hv_memory_flags_t)1 << 6)
#define HV_MEMORY_MAXPROT_EXEC  ((hv_memory_flags_t)1 << 7)
#define HV_MEMORY_MAXPROT_UEXEC ((hv_memory_flags_t)1 << 8)
typedef uint64_t hv_memory_flags_t;

/* guest access to a managed MSR (hv_vcpu_set_msr_access) */
enum {
    HV_MSR_NONE  = 0,
    HV_MSR_READ  = 1 << 0,
    HV_MSR_WRITE = 1 << 1
};
typedef uint32_t hv_msr_flags_t;

/* hv_vm_allocate() flags */
enum {
    HV_ALLOCATE_DEFAULT = 0
};
typedef uint64_t hv_allocate_flags_t;

typedef unsigned hv_vcpuid_t;       /* a vCPU id */
typedef const void *hv_uvaddr_t;    /* an address in this program */
typedef uint64_t hv_gpaddr_t;       /* a guest-physical address */

#endif
