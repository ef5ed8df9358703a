/*
 * libsys: one C function per hypercall of include/hv/syscall.h, nothing
 * else. Each passes its arguments through unchanged (32-bit ones
 * zero-extended to 64 bits, as the kernel range-checks whole registers)
 * and returns the kernel's status.
 */
#ifndef LIBSYS_H
#define LIBSYS_H

#include <stddef.h>
#include <stdint.h>
#include "hv/hv.h"

hv_status_t hv_null(void);
hv_status_t hv_debug_write(const char *buf, size_t len);
hv_status_t hv_system_info(struct hv_system_info *out, size_t size);
hv_status_t hv_system_shutdown(uint32_t status);

hv_status_t hv_handle_close(hv_handle_t h);
hv_status_t hv_handle_duplicate(hv_handle_t h, hv_rights_t rights, hv_handle_t *out);

hv_status_t hv_guest_create(uint32_t options, hv_handle_t *out);
hv_status_t hv_guest_map(hv_handle_t guest, uint64_t gpa, uint64_t va, uint64_t len,
                         uint32_t flags);
hv_status_t hv_guest_unmap(hv_handle_t guest, uint64_t gpa, uint64_t len);
hv_status_t hv_guest_protect(hv_handle_t guest, uint64_t gpa, uint64_t len, uint32_t flags);
hv_status_t hv_guest_set_trap(hv_handle_t guest, uint32_t kind, uint64_t addr, uint64_t len,
                              hv_handle_t port, uint64_t key);

hv_status_t hv_vcpu_create(hv_handle_t guest, uint32_t options, uint64_t entry,
                           hv_handle_t *out);
hv_status_t hv_vcpu_resume(hv_handle_t vcpu, struct hv_packet *packet);
hv_status_t hv_vcpu_kick(hv_handle_t vcpu);
hv_status_t hv_vcpu_interrupt(hv_handle_t vcpu, uint32_t vector);
hv_status_t hv_vcpu_read_state(hv_handle_t vcpu, uint32_t kind, void *buf, size_t len);
hv_status_t hv_vcpu_write_state(hv_handle_t vcpu, uint32_t kind, const void *buf, size_t len);

hv_status_t hv_mem_map(uint64_t len, uint32_t flags, uint64_t *out_va);
hv_status_t hv_mem_unmap(uint64_t va, uint64_t len);

hv_status_t hv_port_create(uint32_t options, hv_handle_t *out);
hv_status_t hv_port_queue(hv_handle_t port, const struct hv_packet *packet);
hv_status_t hv_port_wait(hv_handle_t port, uint64_t deadline, struct hv_packet *out);

hv_status_t hv_thread_create(uint64_t entry, uint64_t stack_top, uint64_t arg, uint32_t options,
                             hv_handle_t *out);
__attribute__((noreturn)) void hv_thread_exit(void);

/*
 * Any hypercall number with any six raw register values (for a fuzzer):
 * returns rax as the kernel left it, not truncated to hv_status_t.
 */
long hv_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

#endif
