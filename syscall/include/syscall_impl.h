/* Kernel side of the hypercalls: one function per call, each validates every argument. */
#ifndef SYSCALL_IMPL_H
#define SYSCALL_IMPL_H

#include <stdint.h>
#include "hv/hv.h"
#include "handles.h"

typedef int64_t (*syscall_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                              uint64_t a5);

/* Install the dispatcher as arch/x86's SYSCALL handler. */
void syscall_init(void);

#define SYSCALL_DEFINE(name) \
    int64_t sys_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)

/* kernel/syscall.c */
SYSCALL_DEFINE(null);
SYSCALL_DEFINE(debug_write);
SYSCALL_DEFINE(system_info);
SYSCALL_DEFINE(system_shutdown);
SYSCALL_DEFINE(handle_close);
SYSCALL_DEFINE(handle_duplicate);
SYSCALL_DEFINE(mem_map);
SYSCALL_DEFINE(mem_unmap);
/* kernel/sys_guest.c */
SYSCALL_DEFINE(guest_create);
SYSCALL_DEFINE(guest_map);
SYSCALL_DEFINE(guest_unmap);
SYSCALL_DEFINE(guest_protect);
SYSCALL_DEFINE(guest_set_trap);
SYSCALL_DEFINE(vcpu_create);
SYSCALL_DEFINE(vcpu_resume);
SYSCALL_DEFINE(vcpu_kick);
SYSCALL_DEFINE(vcpu_interrupt);
SYSCALL_DEFINE(vcpu_read_state);
SYSCALL_DEFINE(vcpu_write_state);
/* kernel/port.c */
SYSCALL_DEFINE(port_create);
SYSCALL_DEFINE(port_queue);
SYSCALL_DEFINE(port_wait);
/* kernel/sys_thread.c */
SYSCALL_DEFINE(thread_create);
SYSCALL_DEFINE(thread_exit);

#endif
