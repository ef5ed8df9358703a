/* Guest hypercalls: decoding and copies; the guest object is object/guest.c. */
#include "guest.h"
#include "handles.h"
#include "port.h"
#include "process.h"
#include "syscall_impl.h"

hv_status_t sys_guest_create(uint32_t options, uint64_t out)
{
    if (options != 0 ||
        !vspace_check(&current_process()->vs, out, sizeof(hv_handle_t), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    struct guest *g;
    hv_status_t rc = guest_create(&g);
    if (rc != HV_OK)
        return rc;
    rc = handle_publish(&g->obj, HV_RIGHTS_ALL, 0, out);
    object_unref(&g->obj);                      /* on failure the last: destroys it again */
    return rc;
}

hv_status_t sys_guest_map(hv_handle_t guest, uint64_t gpa, uint64_t va, uint64_t len,
                          uint32_t flags)
{
    struct guest *g;
    hv_status_t rc = handle_get(guest, HV_OBJ_GUEST, HV_RIGHT_WRITE, &g);
    return rc != HV_OK ? rc : guest_map(g, current_process(), gpa, va, len, flags);
}

hv_status_t sys_guest_unmap(hv_handle_t guest, uint64_t gpa, uint64_t len)
{
    struct guest *g;
    hv_status_t rc = handle_get(guest, HV_OBJ_GUEST, HV_RIGHT_WRITE, &g);
    return rc != HV_OK ? rc : guest_unmap(g, gpa, len);
}

hv_status_t sys_guest_protect(hv_handle_t guest, uint64_t gpa, uint64_t len, uint32_t flags)
{
    struct guest *g;
    hv_status_t rc = handle_get(guest, HV_OBJ_GUEST, HV_RIGHT_WRITE, &g);
    return rc != HV_OK ? rc : guest_protect(g, gpa, len, flags);
}

/* port is WIDE: a handle for BELL traps only, else it must be HV_HANDLE_INVALID. */
hv_status_t sys_guest_set_trap(hv_handle_t guest, uint32_t kind, uint64_t addr, uint64_t len,
                               uint64_t port, uint64_t key)
{
    struct guest *g;
    hv_status_t rc = handle_get(guest, HV_OBJ_GUEST, HV_RIGHT_WRITE, &g);
    if (rc != HV_OK || (rc = trap_check(kind, addr, len)) != HV_OK)
        return rc;
    struct trap t = { .kind = kind, .addr = addr, .len = len, .key = key, .port = 0 };
    if (kind == HV_TRAP_BELL) {
        if ((rc = sc_decode_HANDLE(port)) != HV_OK ||
            (rc = handle_get((hv_handle_t)port, HV_OBJ_PORT, HV_RIGHT_WRITE, &t.port)) != HV_OK)
            return rc;
    } else if (port != HV_HANDLE_INVALID) {
        return HV_ERR_INVALID_ARGS;
    }
    return guest_set_trap(g, &t);
}
