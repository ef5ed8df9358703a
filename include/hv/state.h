/* vCPU state for vcpu_read_state / vcpu_write_state. */
#ifndef HV_STATE_H
#define HV_STATE_H

#include <stdint.h>

enum hv_vcpu_state_kind {
    HV_VCPU_STATE = 0,          /* struct hv_vcpu_state: general registers */
    HV_VCPU_IO = 1,             /* struct hv_vcpu_io: completes a trapped IN (write only) */
    HV_VCPU_SREGS = 2,          /* struct hv_vcpu_sregs: segments, tables, control registers */
};

struct hv_vcpu_state {
    uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

/* A segment register as VMX holds it. ar: access rights in the VMCS format
 * (type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15, unusable 16). */
struct hv_segment {
    uint64_t base;
    uint32_t limit;
    uint32_t ar;
    uint16_t selector;
    uint16_t reserved[3];
};

struct hv_dtable {
    uint64_t base;
    uint16_t limit;
    uint16_t reserved[3];
};

/*
 * Writing: cr0 and cr4 are the values the guest sees (the kernel adds the
 * bits VMX forces); cr4.VMXE, reserved cr4 bits and efer bits other than
 * SCE, LME, LMA and NXE are HV_ERR_INVALID_ARGS; efer.LMA selects 64-bit
 * entry. A state the CPU then refuses comes back from vcpu_resume as an
 * HV_PKT_VCPU_EXIT with bit 31 of the reason set (failed VM entry).
 */
struct hv_vcpu_sregs {
    struct hv_segment es, cs, ss, ds, fs, gs, ldtr, tr;     /* the VMCS order */
    struct hv_dtable gdt, idt;
    uint64_t cr0, cr2, cr3, cr4, efer;
};

struct hv_vcpu_io {
    uint8_t access_size;        /* 1, 2 or 4, else HV_ERR_INVALID_ARGS */
    uint8_t reserved[3];
    uint32_t data;
};

#endif
