/*
 * libsys: one C function per hypercall of include/hv/syscall.h, nothing
 * else: hv_<name>(parameters) as the table there declares it. Each passes
 * its arguments through unchanged (32-bit ones zero-extended to 64 bits, as
 * the kernel range-checks whole registers) and returns the kernel's status.
 */
#ifndef LIBSYS_H
#define LIBSYS_H

#include <stddef.h>
#include <stdint.h>
#include "hv/hv.h"

#define LIBSYS_RET_STATUS hv_status_t
#define LIBSYS_RET_NORETURN __attribute__((noreturn)) void
#define LIBSYS_PARAM(i, kind, type, name) type name
#define LIBSYS_PROTO(NAME, nr, name, ret, n, params) \
    LIBSYS_RET_##ret hv_##name(HV_SC_PARAMS(n, LIBSYS_PARAM, params));
HV_SYSCALLS(LIBSYS_PROTO)
#undef LIBSYS_PROTO

/*
 * Any hypercall number with any six raw register values (for a fuzzer):
 * returns rax as the kernel left it, not truncated to hv_status_t.
 */
long hv_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

#endif
