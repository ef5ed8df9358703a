/* VMCS instructions and failure reporting. */
#include "base.h"
#include "vmcs.h"
#include "vmx_names.h"

static int vmx_ptr_insn_result(uint8_t cf, uint8_t zf)
{
    return cf ? 1 : zf ? 2 : 0;
}

int vmcs_clear(uint64_t phys)
{
    uint8_t cf, zf;
    __asm__ volatile("vmclear %2; setc %0; setz %1" : "=r"(cf), "=r"(zf) : "m"(phys) : "cc", "memory");
    return vmx_ptr_insn_result(cf, zf);
}

int vmcs_load(uint64_t phys)
{
    uint8_t cf, zf;
    __asm__ volatile("vmptrld %2; setc %0; setz %1" : "=r"(cf), "=r"(zf) : "m"(phys) : "cc", "memory");
    return vmx_ptr_insn_result(cf, zf);
}

uint64_t vmcs_current(void)
{
    uint64_t phys;
    __asm__ volatile("vmptrst %0" : "=m"(phys) :: "memory");
    return phys;
}

void vmcs_fail(const char *op, uint32_t field)
{
    uint64_t current = vmcs_current();
    if (current == ~0ull)
        panic("%s of field 0x%x: VMfailInvalid (no current VMCS)", op, field);
    uint64_t err;
    __asm__ volatile("vmread %1, %0" : "=r"(err) : "r"((uint64_t)VMCS_INSN_ERROR) : "cc");
    panic("%s of field 0x%x: VMfailValid, error %llu: %s", op, field,
          (unsigned long long)err, vmx_insn_error_name((uint32_t)err));
}
