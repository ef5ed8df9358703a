/*
 * hv.h - VMs, guest memory, address spaces and vCPUs of the
 * Hypervisor.framework (Intel) C API. Written for hv from Apple's public
 * documentation; same names and parameter types.
 */
#ifndef HVF_HV_H
#define HVF_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <Hypervisor/hv_error.h>
#include <Hypervisor/hv_types.h>
#include <Hypervisor/hv_arch_x86.h>

#ifdef __cplusplus
extern "C" {
#endif

/* hv_vcpu_run_until(): no deadline */
#define HV_DEADLINE_FOREVER (~(uint64_t)0)

extern hv_return_t hv_capability(hv_capability_t capability, uint64_t *value);

/* the VM (one per process) */
extern hv_return_t hv_vm_create(hv_vm_options_t flags);
extern hv_return_t hv_vm_destroy(void);

/* memory for guests, page-aligned */
extern hv_return_t hv_vm_allocate(void **uvap, size_t size, hv_allocate_flags_t flags);
extern hv_return_t hv_vm_deallocate(void *uva, size_t size);

/* guest-physical address spaces */
extern hv_return_t hv_vm_space_create(hv_vm_space_t *asid);
extern hv_return_t hv_vm_space_destroy(hv_vm_space_t asid);

/* mappings in the default address space */
extern hv_return_t hv_vm_map(hv_uvaddr_t uva, hv_gpaddr_t gpa, size_t size,
                             hv_memory_flags_t flags);
extern hv_return_t hv_vm_unmap(hv_gpaddr_t gpa, size_t size);
extern hv_return_t hv_vm_protect(hv_gpaddr_t gpa, size_t size, hv_memory_flags_t flags);

/* mappings in a given address space */
extern hv_return_t hv_vm_map_space(hv_vm_space_t asid, hv_uvaddr_t uva, hv_gpaddr_t gpa,
                                   size_t size, hv_memory_flags_t flags);
extern hv_return_t hv_vm_unmap_space(hv_vm_space_t asid, hv_gpaddr_t gpa, size_t size);
extern hv_return_t hv_vm_protect_space(hv_vm_space_t asid, hv_gpaddr_t gpa, size_t size,
                                       hv_memory_flags_t flags);

/* time */
extern hv_return_t hv_vm_sync_tsc(uint64_t tsc);
extern uint64_t hv_tsc_clock(void);
extern hv_return_t hv_vcpu_set_tsc_relative(hv_vcpuid_t vcpu, int64_t offset);

/* vCPUs: one per thread; all but hv_vcpu_interrupt on the owning thread */
extern hv_return_t hv_vcpu_create(hv_vcpuid_t *vcpu, hv_vcpu_options_t flags);
extern hv_return_t hv_vcpu_destroy(hv_vcpuid_t vcpu);
extern hv_return_t hv_vcpu_set_space(hv_vcpuid_t vcpu, hv_vm_space_t asid);

extern hv_return_t hv_vcpu_read_register(hv_vcpuid_t vcpu, hv_x86_reg_t reg,
                                         uint64_t *value);
extern hv_return_t hv_vcpu_write_register(hv_vcpuid_t vcpu, hv_x86_reg_t reg,
                                          uint64_t value);
extern hv_return_t hv_vcpu_read_fpstate(hv_vcpuid_t vcpu, void *buffer, size_t size);
extern hv_return_t hv_vcpu_write_fpstate(hv_vcpuid_t vcpu, void *buffer, size_t size);

extern hv_return_t hv_vcpu_enable_native_msr(hv_vcpuid_t vcpu, uint32_t msr, bool enable);
extern hv_return_t hv_vcpu_enable_managed_msr(hv_vcpuid_t vcpu, uint32_t msr, bool enable);
extern hv_return_t hv_vcpu_set_msr_access(hv_vcpuid_t vcpu, uint32_t msr,
                                          hv_msr_flags_t flags);
extern hv_return_t hv_vcpu_read_msr(hv_vcpuid_t vcpu, uint32_t msr, uint64_t *value);
extern hv_return_t hv_vcpu_write_msr(hv_vcpuid_t vcpu, uint32_t msr, uint64_t value);

extern hv_return_t hv_vcpu_flush(hv_vcpuid_t vcpu);
extern hv_return_t hv_vcpu_invalidate_tlb(hv_vcpuid_t vcpu);

extern hv_return_t hv_vcpu_run(hv_vcpuid_t vcpu);
extern hv_return_t hv_vcpu_run_until(hv_vcpuid_t vcpu, uint64_t deadline);
extern hv_return_t hv_vcpu_interrupt(hv_vcpuid_t *vcpus, unsigned int vcpu_count);
extern hv_return_t hv_vcpu_get_exec_time(hv_vcpuid_t vcpu, uint64_t *time);

#ifdef __cplusplus
}
#endif

#endif
