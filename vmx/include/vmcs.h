/*
 * VMCS access. VMREAD/VMWRITE failing means the hypervisor used a field
 * the CPU lacks or has no current VMCS: a bug, reported with the
 * VM-instruction error by name (vmx/vmcs.c). The success path costs one
 * extra branch.
 */
#ifndef VMCS_H
#define VMCS_H

#include <stdint.h>
#include "vmcs_fields.h"

__attribute__((noreturn, cold)) void vmcs_fail(const char *op, uint32_t field);

static inline uint64_t vmcs_read(uint32_t field)
{
    uint64_t v;
    __asm__ goto("vmread %[f], %[v]\n\tjbe %l[fail]"
                 : [v] "=r"(v) : [f] "r"((uint64_t)field) : "cc" : fail);
    return v;
fail:
    vmcs_fail("VMREAD", field);
}

static inline void vmcs_write(uint32_t field, uint64_t value)
{
    __asm__ goto("vmwrite %[v], %[f]\n\tjbe %l[fail]"
                 :: [v] "rm"(value), [f] "r"((uint64_t)field) : "cc", "memory" : fail);
    return;
fail:
    vmcs_fail("VMWRITE", field);
}

/* 0 on success, else 1 (VMfailInvalid) or 2 (VMfailValid). */
int vmcs_clear(uint64_t phys);
int vmcs_load(uint64_t phys);
uint64_t vmcs_current(void);

#endif
