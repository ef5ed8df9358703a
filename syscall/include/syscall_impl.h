/*
 * Kernel side of the hypercalls: a handler sys_<name>(typed parameters) per
 * entry of the table in include/hv/syscall.h. The dispatcher
 * (syscall/syscall.c) decodes the registers by each parameter's kind first;
 * a handler looks up the handles with their rights, makes one call into
 * object/ and copies the results out. Pointers stay user addresses
 * (uint64_t), checked with vspace_*.
 */
#ifndef SYSCALL_IMPL_H
#define SYSCALL_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include "hv/hv.h"

/* Install the dispatcher as arch/x86's SYSCALL handler. */
void syscall_init(void);

/* The handlers' parameter types by kind. */
#define SC_KTYPE_HANDLE(type) type
#define SC_KTYPE_U32(type) type
#define SC_KTYPE_U64(type) type
#define SC_KTYPE_PTR(type) uint64_t
#define SC_KTYPE_WIDE(type) uint64_t
#define SC_KPARAM(i, kind, type, name) SC_KTYPE_##kind(type) name
#define SC_KRET_STATUS hv_status_t
#define SC_KRET_NORETURN _Noreturn void
#define SC_PROTO(NAME, nr, name, ret, n, params) \
    SC_KRET_##ret sys_##name(HV_SC_PARAMS(n, SC_KPARAM, params));
HV_SYSCALLS(SC_PROTO)
#undef SC_PROTO

/* Decoding one register by kind: HV_OK, or the error include/hv/syscall.h gives. */
static inline hv_status_t sc_decode_HANDLE(uint64_t raw)
{
    return raw > UINT32_MAX ? HV_ERR_BAD_HANDLE : HV_OK;
}

static inline hv_status_t sc_decode_U32(uint64_t raw)
{
    return raw > UINT32_MAX ? HV_ERR_INVALID_ARGS : HV_OK;
}

/* U64, PTR and WIDE registers are taken whole. */
#define sc_decode_U64(raw) HV_OK
#define sc_decode_PTR(raw) HV_OK
#define sc_decode_WIDE(raw) HV_OK

#endif
