/*
 * A small Hypervisor.framework program, compiled (never linked) to check
 * that the headers under root/hvf/include declare what such a program uses
 * with the types it expects: built freestanding with -std=c11 -pedantic
 * -Wall -Wextra -Werror by root/root.mk. It includes nothing from libsys
 * (whose hv_vcpu_create/hv_vcpu_interrupt stubs would clash).
 */
#include <Hypervisor/Hypervisor.h>

int hvf_sample_run_once(void *ram, size_t ram_size);

/* Every entry point, by address: a wrong prototype fails the build. */
struct hvf_api {
    hv_return_t (*capability)(hv_capability_t, uint64_t *);
    hv_return_t (*vm_create)(hv_vm_options_t);
    hv_return_t (*vm_destroy)(void);
    hv_return_t (*vm_allocate)(void **, size_t, hv_allocate_flags_t);
    hv_return_t (*vm_deallocate)(void *, size_t);
    hv_return_t (*vm_space_create)(hv_vm_space_t *);
    hv_return_t (*vm_space_destroy)(hv_vm_space_t);
    hv_return_t (*vm_map)(hv_uvaddr_t, hv_gpaddr_t, size_t, hv_memory_flags_t);
    hv_return_t (*vm_unmap)(hv_gpaddr_t, size_t);
    hv_return_t (*vm_protect)(hv_gpaddr_t, size_t, hv_memory_flags_t);
    hv_return_t (*vm_map_space)(hv_vm_space_t, hv_uvaddr_t, hv_gpaddr_t, size_t,
                                hv_memory_flags_t);
    hv_return_t (*vm_unmap_space)(hv_vm_space_t, hv_gpaddr_t, size_t);
    hv_return_t (*vm_protect_space)(hv_vm_space_t, hv_gpaddr_t, size_t, hv_memory_flags_t);
    hv_return_t (*vm_sync_tsc)(uint64_t);
    uint64_t (*tsc_clock)(void);
    hv_return_t (*vcpu_set_tsc_relative)(hv_vcpuid_t, int64_t);
    hv_return_t (*vcpu_create)(hv_vcpuid_t *, hv_vcpu_options_t);
    hv_return_t (*vcpu_destroy)(hv_vcpuid_t);
    hv_return_t (*vcpu_set_space)(hv_vcpuid_t, hv_vm_space_t);
    hv_return_t (*vcpu_read_register)(hv_vcpuid_t, hv_x86_reg_t, uint64_t *);
    hv_return_t (*vcpu_write_register)(hv_vcpuid_t, hv_x86_reg_t, uint64_t);
    hv_return_t (*vcpu_read_fpstate)(hv_vcpuid_t, void *, size_t);
    hv_return_t (*vcpu_write_fpstate)(hv_vcpuid_t, void *, size_t);
    hv_return_t (*vcpu_enable_native_msr)(hv_vcpuid_t, uint32_t, bool);
    hv_return_t (*vcpu_enable_managed_msr)(hv_vcpuid_t, uint32_t, bool);
    hv_return_t (*vcpu_set_msr_access)(hv_vcpuid_t, uint32_t, hv_msr_flags_t);
    hv_return_t (*vcpu_read_msr)(hv_vcpuid_t, uint32_t, uint64_t *);
    hv_return_t (*vcpu_write_msr)(hv_vcpuid_t, uint32_t, uint64_t);
    hv_return_t (*vcpu_flush)(hv_vcpuid_t);
    hv_return_t (*vcpu_invalidate_tlb)(hv_vcpuid_t);
    hv_return_t (*vcpu_run)(hv_vcpuid_t);
    hv_return_t (*vcpu_run_until)(hv_vcpuid_t, uint64_t);
    hv_return_t (*vcpu_interrupt)(hv_vcpuid_t *, unsigned int);
    hv_return_t (*vcpu_get_exec_time)(hv_vcpuid_t, uint64_t *);
    hv_return_t (*vmx_vcpu_read_vmcs)(hv_vcpuid_t, uint32_t, uint64_t *);
    hv_return_t (*vmx_vcpu_write_vmcs)(hv_vcpuid_t, uint32_t, uint64_t);
    hv_return_t (*vmx_vcpu_get_cap_write_vmcs)(hv_vcpuid_t, uint32_t, uint64_t *, uint64_t *);
    hv_return_t (*vmx_vcpu_read_shadow_vmcs)(hv_vcpuid_t, uint32_t, uint64_t *);
    hv_return_t (*vmx_vcpu_write_shadow_vmcs)(hv_vcpuid_t, uint32_t, uint64_t);
    hv_return_t (*vmx_vcpu_set_shadow_access)(hv_vcpuid_t, uint32_t, hv_shadow_flags_t);
    hv_return_t (*vmx_read_capability)(hv_vmx_capability_t, uint64_t *);
    hv_return_t (*vmx_get_msr_info)(hv_vmx_msr_info_t, uint64_t *);
    hv_return_t (*vmx_vcpu_set_apic_address)(hv_vcpuid_t, hv_gpaddr_t);
};

const struct hvf_api hvf_api_table = {
    hv_capability, hv_vm_create, hv_vm_destroy, hv_vm_allocate, hv_vm_deallocate,
    hv_vm_space_create, hv_vm_space_destroy, hv_vm_map, hv_vm_unmap, hv_vm_protect,
    hv_vm_map_space, hv_vm_unmap_space, hv_vm_protect_space, hv_vm_sync_tsc,
    hv_tsc_clock, hv_vcpu_set_tsc_relative, hv_vcpu_create, hv_vcpu_destroy,
    hv_vcpu_set_space, hv_vcpu_read_register, hv_vcpu_write_register,
    hv_vcpu_read_fpstate, hv_vcpu_write_fpstate, hv_vcpu_enable_native_msr,
    hv_vcpu_enable_managed_msr, hv_vcpu_set_msr_access, hv_vcpu_read_msr,
    hv_vcpu_write_msr, hv_vcpu_flush, hv_vcpu_invalidate_tlb, hv_vcpu_run,
    hv_vcpu_run_until, hv_vcpu_interrupt, hv_vcpu_get_exec_time,
    hv_vmx_vcpu_read_vmcs, hv_vmx_vcpu_write_vmcs, hv_vmx_vcpu_get_cap_write_vmcs,
    hv_vmx_vcpu_read_shadow_vmcs, hv_vmx_vcpu_write_shadow_vmcs,
    hv_vmx_vcpu_set_shadow_access, hv_vmx_read_capability, hv_vmx_get_msr_info,
    hv_vmx_vcpu_set_apic_address,
};

/* The usual shape of an HVF program: real-mode guest at 0, port-I/O exits. */
static uint64_t cap2ctrl(uint64_t cap, uint64_t ctrl)
{
    return (ctrl | (cap & 0xffffffff)) & (cap >> 32);
}

int hvf_sample_run_once(void *ram, size_t ram_size)
{
    hv_vcpuid_t vcpu;
    uint64_t cap, reason, qual, len, rip;

    if (hv_vm_create(HV_VM_DEFAULT) != HV_SUCCESS)
        return 1;
    if (hv_vm_map(ram, 0, ram_size, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC))
        return 1;
    if (hv_vcpu_create(&vcpu, HV_VCPU_DEFAULT))
        return 1;
    hv_vmx_read_capability(HV_VMX_CAP_PINBASED, &cap);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_CTRL_PIN_BASED,
                           cap2ctrl(cap, PIN_BASED_INTR | PIN_BASED_NMI));
    hv_vmx_read_capability(HV_VMX_CAP_PROCBASED, &cap);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_CTRL_CPU_BASED,
                           cap2ctrl(cap, CPU_BASED_HLT | CPU_BASED_SECONDARY_CTLS));
    hv_vmx_read_capability(HV_VMX_CAP_PROCBASED2, &cap);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_CTRL_CPU_BASED2, cap2ctrl(cap, CPU_BASED2_UNRESTRICTED));
    hv_vmx_read_capability(HV_VMX_CAP_ENTRY, &cap);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_CTRL_VMENTRY_CONTROLS, cap2ctrl(cap, 0));
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_CS, 0);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_CS_AR, 0x9b);
    hv_vcpu_write_register(vcpu, HV_X86_RIP, 0);
    hv_vcpu_write_register(vcpu, HV_X86_RFLAGS, 0x2);

    for (;;) {
        if (hv_vcpu_run_until(vcpu, HV_DEADLINE_FOREVER) != HV_SUCCESS)
            return 1;
        hv_vmx_vcpu_read_vmcs(vcpu, VMCS_RO_EXIT_REASON, &reason);
        hv_vmx_vcpu_read_vmcs(vcpu, VMCS_RO_EXIT_QUALIFIC, &qual);
        switch (reason & 0xffff) {
        case VMX_REASON_IO:
            hv_vmx_vcpu_read_vmcs(vcpu, VMCS_RO_VMEXIT_INSTR_LEN, &len);
            hv_vcpu_read_register(vcpu, HV_X86_RIP, &rip);
            hv_vcpu_write_register(vcpu, HV_X86_RIP, rip + len);
            hv_vmx_vcpu_write_vmcs(vcpu, VMCS_CTRL_VMENTRY_IRQ_INFO,
                                   IRQ_INFO_VALID | IRQ_INFO_EXT_IRQ | 0x20);
            break;
        case VMX_REASON_HLT:
            hv_vcpu_destroy(vcpu);
            hv_vm_unmap(0, ram_size);
            return hv_vm_destroy() == HV_SUCCESS ? 0 : 1;
        default:
            return 1;
        }
    }
}
