/*
 * hv_error.h - return codes of the Hypervisor.framework (Intel) C API.
 * Written for hv from Apple's public documentation; same names and values.
 * hv_return_t is a Mach error (an int); the codes live in the hypervisor
 * subsystem 0xba5 of the "local" error system: base 0xfae94000.
 */
#ifndef HVF_HV_ERROR_H
#define HVF_HV_ERROR_H

typedef int hv_return_t;

/* system 0x3e ("local") << 26 | subsystem 0xba5 << 14 */
#define err_sub_hypervisor    ((int)(0xba5u << 14))
#define err_common_hypervisor ((int)(0xf8000000u | (0xba5u << 14)))

enum {
    HV_SUCCESS      = 0,
    HV_ERROR        = err_common_hypervisor | 0x01,
    HV_BUSY         = err_common_hypervisor | 0x02,
    HV_BAD_ARGUMENT = err_common_hypervisor | 0x03,
    HV_NO_RESOURCES = err_common_hypervisor | 0x05,
    HV_NO_DEVICE    = err_common_hypervisor | 0x06,
    HV_DENIED       = err_common_hypervisor | 0x07,
    HV_FAULT        = err_common_hypervisor | 0x08,
    HV_UNSUPPORTED  = err_common_hypervisor | 0x0f
};

#endif
