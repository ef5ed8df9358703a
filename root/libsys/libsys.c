/*
 * Hypercall stubs (include/hv/syscall.h): SYSCALL with the number in rax,
 * arguments in rdi, rsi, rdx, r10, r8, r9, the status back in rax; the CPU
 * clobbers rcx and r11. Every other register survives the call.
 */
#include "libsys.h"

static inline long raw6(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    register uint64_t r10 __asm__("r10") = a3;
    register uint64_t r8 __asm__("r8") = a4;
    register uint64_t r9 __asm__("r9") = a5;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

long hv_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    return raw6(nr, (uint64_t)a0, (uint64_t)a1, (uint64_t)a2, (uint64_t)a3, (uint64_t)a4,
                (uint64_t)a5);
}

/* One stub per table entry. Registers: pointers as addresses, the rest zero-extended;
 * the unused ones 0. */
#define LIBSYS_REG_HANDLE(x) (uint64_t)(x)
#define LIBSYS_REG_U32(x) (uint64_t)(x)
#define LIBSYS_REG_U64(x) (uint64_t)(x)
#define LIBSYS_REG_WIDE(x) (uint64_t)(x)
#define LIBSYS_REG_PTR(x) (uint64_t)(uintptr_t)(x)
#define LIBSYS_REG(i, kind, type, name) LIBSYS_REG_##kind(name)
#define LIBSYS_ZEROS_0 0, 0, 0, 0, 0, 0
#define LIBSYS_ZEROS_1 , 0, 0, 0, 0, 0
#define LIBSYS_ZEROS_2 , 0, 0, 0, 0
#define LIBSYS_ZEROS_3 , 0, 0, 0
#define LIBSYS_ZEROS_4 , 0, 0
#define LIBSYS_ZEROS_5 , 0
#define LIBSYS_ZEROS_6
#define LIBSYS_CALL_STATUS(call) return (hv_status_t)call;
#define LIBSYS_CALL_NORETURN(call) call; __builtin_unreachable();
#define LIBSYS_STUB(NAME, nr, name, ret, n, params)                                         \
    LIBSYS_RET_##ret hv_##name(HV_SC_PARAMS(n, LIBSYS_PARAM, params))                       \
    {                                                                                       \
        LIBSYS_CALL_##ret(raw6(HV_SYS_##NAME,                                               \
                               HV_SC_MAP(n, LIBSYS_REG, HV_SC_COMMA, params) LIBSYS_ZEROS_##n)) \
    }
HV_SYSCALLS(LIBSYS_STUB)
