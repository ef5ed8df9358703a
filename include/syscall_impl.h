/* Kernel side of the hypercalls: one function per call, each validates every argument. */
#ifndef SYSCALL_IMPL_H
#define SYSCALL_IMPL_H

#include <stdint.h>
#include "hv/hv.h"

typedef int64_t (*syscall_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                              uint64_t a5);

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

/*
 * Objects reachable through handles. `handles` counts the handles naming the
 * object: when it drops to 0, `no_handles` runs (a guest tears down its
 * vCPUs, EPT and traps then, as the ABI promises). `refs` counts every
 * holder, handles included; the memory goes at 0 (`destroy`).
 */
struct object {
    uint32_t type;              /* enum hv_obj_type */
    uint32_t refs;
    uint32_t handles;
    void (*no_handles)(struct object *o);
    void (*destroy)(struct object *o);
};

void object_ref(struct object *o);
void object_unref(struct object *o);    /* destroys on the last reference */

/* Publish a new handle to o (takes a reference on success). */
hv_status_t handle_publish(struct object *o, hv_rights_t rights, hv_handle_t *out_user_ptr_value,
                           uint64_t user_out);
/* Look up a handle of the current process. */
hv_status_t handle_lookup(hv_handle_t h, uint32_t type, hv_rights_t needed, struct object **o);

#endif
