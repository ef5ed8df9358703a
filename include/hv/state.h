/* vCPU state for vcpu_read_state / vcpu_write_state. */
#ifndef HV_STATE_H
#define HV_STATE_H

#include <stdint.h>

enum hv_vcpu_state_kind {
    HV_VCPU_STATE = 0,          /* struct hv_vcpu_state: general registers */
    HV_VCPU_IO = 1,             /* struct hv_vcpu_io: completes a trapped IN (write only) */
};

struct hv_vcpu_state {
    uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

struct hv_vcpu_io {
    uint8_t access_size;        /* 1, 2 or 4, else HV_ERR_INVALID_ARGS */
    uint8_t reserved[3];
    uint32_t data;
};

#endif
