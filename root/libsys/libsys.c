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

/* Pointers and sizes as 64-bit values; the casts from uint32_t zero-extend. */
#define P(x) ((uint64_t)(uintptr_t)(x))

long hv_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    return raw6(nr, (uint64_t)a0, (uint64_t)a1, (uint64_t)a2, (uint64_t)a3, (uint64_t)a4,
                (uint64_t)a5);
}

hv_status_t hv_null(void)
{
    return (hv_status_t)raw6(HV_SYS_NULL, 0, 0, 0, 0, 0, 0);
}

hv_status_t hv_debug_write(const char *buf, size_t len)
{
    return (hv_status_t)raw6(HV_SYS_DEBUG_WRITE, P(buf), len, 0, 0, 0, 0);
}

hv_status_t hv_system_info(struct hv_system_info *out, size_t size)
{
    return (hv_status_t)raw6(HV_SYS_SYSTEM_INFO, P(out), size, 0, 0, 0, 0);
}

hv_status_t hv_system_shutdown(uint32_t status)
{
    return (hv_status_t)raw6(HV_SYS_SYSTEM_SHUTDOWN, status, 0, 0, 0, 0, 0);
}

hv_status_t hv_handle_close(hv_handle_t h)
{
    return (hv_status_t)raw6(HV_SYS_HANDLE_CLOSE, h, 0, 0, 0, 0, 0);
}

hv_status_t hv_handle_duplicate(hv_handle_t h, hv_rights_t rights, hv_handle_t *out)
{
    return (hv_status_t)raw6(HV_SYS_HANDLE_DUPLICATE, h, rights, P(out), 0, 0, 0);
}

hv_status_t hv_guest_create(uint32_t options, hv_handle_t *out)
{
    return (hv_status_t)raw6(HV_SYS_GUEST_CREATE, options, P(out), 0, 0, 0, 0);
}

hv_status_t hv_guest_map(hv_handle_t guest, uint64_t gpa, uint64_t va, uint64_t len,
                         uint32_t flags)
{
    return (hv_status_t)raw6(HV_SYS_GUEST_MAP, guest, gpa, va, len, flags, 0);
}

hv_status_t hv_guest_unmap(hv_handle_t guest, uint64_t gpa, uint64_t len)
{
    return (hv_status_t)raw6(HV_SYS_GUEST_UNMAP, guest, gpa, len, 0, 0, 0);
}

hv_status_t hv_guest_protect(hv_handle_t guest, uint64_t gpa, uint64_t len, uint32_t flags)
{
    return (hv_status_t)raw6(HV_SYS_GUEST_PROTECT, guest, gpa, len, flags, 0, 0);
}

hv_status_t hv_guest_set_trap(hv_handle_t guest, uint32_t kind, uint64_t addr, uint64_t len,
                              hv_handle_t port, uint64_t key)
{
    return (hv_status_t)raw6(HV_SYS_GUEST_SET_TRAP, guest, kind, addr, len, port, key);
}

hv_status_t hv_vcpu_create(hv_handle_t guest, uint32_t options, uint64_t entry,
                           hv_handle_t *out)
{
    return (hv_status_t)raw6(HV_SYS_VCPU_CREATE, guest, options, entry, P(out), 0, 0);
}

hv_status_t hv_vcpu_resume(hv_handle_t vcpu, struct hv_packet *packet)
{
    return (hv_status_t)raw6(HV_SYS_VCPU_RESUME, vcpu, P(packet), 0, 0, 0, 0);
}

hv_status_t hv_vcpu_kick(hv_handle_t vcpu)
{
    return (hv_status_t)raw6(HV_SYS_VCPU_KICK, vcpu, 0, 0, 0, 0, 0);
}

hv_status_t hv_vcpu_interrupt(hv_handle_t vcpu, uint32_t vector)
{
    return (hv_status_t)raw6(HV_SYS_VCPU_INTERRUPT, vcpu, vector, 0, 0, 0, 0);
}

hv_status_t hv_vcpu_read_state(hv_handle_t vcpu, uint32_t kind, void *buf, size_t len)
{
    return (hv_status_t)raw6(HV_SYS_VCPU_READ_STATE, vcpu, kind, P(buf), len, 0, 0);
}

hv_status_t hv_vcpu_write_state(hv_handle_t vcpu, uint32_t kind, const void *buf, size_t len)
{
    return (hv_status_t)raw6(HV_SYS_VCPU_WRITE_STATE, vcpu, kind, P(buf), len, 0, 0);
}

hv_status_t hv_mem_map(uint64_t len, uint32_t flags, uint64_t *out_va)
{
    return (hv_status_t)raw6(HV_SYS_MEM_MAP, len, flags, P(out_va), 0, 0, 0);
}

hv_status_t hv_mem_unmap(uint64_t va, uint64_t len)
{
    return (hv_status_t)raw6(HV_SYS_MEM_UNMAP, va, len, 0, 0, 0, 0);
}

hv_status_t hv_port_create(uint32_t options, hv_handle_t *out)
{
    return (hv_status_t)raw6(HV_SYS_PORT_CREATE, options, P(out), 0, 0, 0, 0);
}

hv_status_t hv_port_queue(hv_handle_t port, const struct hv_packet *packet)
{
    return (hv_status_t)raw6(HV_SYS_PORT_QUEUE, port, P(packet), 0, 0, 0, 0);
}

hv_status_t hv_port_wait(hv_handle_t port, uint64_t deadline, struct hv_packet *out)
{
    return (hv_status_t)raw6(HV_SYS_PORT_WAIT, port, deadline, P(out), 0, 0, 0);
}

hv_status_t hv_thread_create(uint64_t entry, uint64_t stack_top, uint64_t arg, uint32_t options,
                             hv_handle_t *out)
{
    return (hv_status_t)raw6(HV_SYS_THREAD_CREATE, entry, stack_top, arg, options, P(out), 0);
}

void hv_thread_exit(void)
{
    raw6(HV_SYS_THREAD_EXIT, 0, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}
