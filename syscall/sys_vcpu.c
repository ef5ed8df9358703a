/* vCPU hypercalls: decoding and copies; the vCPU object is object/vcpu_object.c. */
#include "handles.h"
#include "process.h"
#include "syscall_impl.h"
#include "vcpu_object.h"

hv_status_t sys_vcpu_create(hv_handle_t guest, uint32_t options, uint64_t entry, uint64_t out)
{
    struct guest *g;
    hv_status_t rc = handle_get(guest, HV_OBJ_GUEST, HV_RIGHT_WRITE, &g);
    if (rc != HV_OK)
        return rc;
    if (options != 0 || entry >= (1ull << 32) ||
        !vspace_check(&current_process()->vs, out, sizeof(hv_handle_t), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    struct vcpu_obj *v;
    if ((rc = vcpu_obj_create(g, entry, &v)) != HV_OK)
        return rc;
    rc = handle_publish(&v->obj, HV_RIGHT_DUPLICATE | HV_RIGHT_TRANSFER | HV_RIGHT_EXECUTE |
                                     HV_RIGHT_SIGNAL | HV_RIGHT_READ | HV_RIGHT_WRITE, 0, out);
    object_unref(&v->obj);                              /* destroys it again on failure */
    return rc;
}

hv_status_t sys_vcpu_resume(hv_handle_t vcpu, uint64_t packet, uint64_t deadline)
{
    struct vcpu_obj *v;
    hv_status_t rc = vcpu_obj_get(vcpu, HV_RIGHT_EXECUTE, true, &v);
    return rc != HV_OK ? rc : vcpu_obj_resume(v, packet, deadline);
}

hv_status_t sys_vcpu_kick(hv_handle_t vcpu)
{
    struct vcpu_obj *v;
    hv_status_t rc = vcpu_obj_get(vcpu, HV_RIGHT_SIGNAL, false, &v);
    if (rc == HV_OK)
        vcpu_obj_kick(v);
    return rc;
}

/* irq is WIDE: the whole register is checked (bits above 31 are HV_ERR_INVALID_ARGS). */
hv_status_t sys_vcpu_interrupt(hv_handle_t vcpu, uint64_t irq)
{
    struct vcpu_obj *v;
    hv_status_t rc = vcpu_obj_get(vcpu, HV_RIGHT_SIGNAL, false, &v);
    return rc != HV_OK ? rc : vcpu_obj_interrupt(v, irq);
}

/* The size of a state kind's struct; 0 for a kind that cannot be read (write: written). */
static size_t state_size(uint32_t kind, bool write)
{
    union vcpu_obj_state s;
    switch (kind) {
    case HV_VCPU_STATE:
        return sizeof(s.regs);
    case HV_VCPU_SREGS:
        return sizeof(s.sregs);
    case HV_VCPU_LAPIC:
        return sizeof(s.lapic);
    case HV_VCPU_STATS:
        return sizeof(s.stats);
    case HV_VCPU_IO:
        return write ? sizeof(s.io) : 0;
    default:
        return 0;
    }
}

hv_status_t sys_vcpu_read_state(hv_handle_t vcpu, uint32_t kind, uint64_t buf, size_t len)
{
    struct vcpu_obj *v;
    hv_status_t rc = vcpu_obj_get(vcpu, HV_RIGHT_READ, true, &v);
    if (rc != HV_OK)
        return rc;
    size_t size = state_size(kind, false);
    if (!size || len != size)
        return HV_ERR_INVALID_ARGS;
    union vcpu_obj_state s;
    vcpu_obj_read_state(v, kind, &s);
    return vspace_copy_out(&current_process()->vs, buf, &s, size) ? HV_OK : HV_ERR_INVALID_ARGS;
}

hv_status_t sys_vcpu_write_state(hv_handle_t vcpu, uint32_t kind, uint64_t buf, size_t len)
{
    struct vcpu_obj *v;
    hv_status_t rc = vcpu_obj_get(vcpu, HV_RIGHT_WRITE, true, &v);
    if (rc != HV_OK)
        return rc;
    size_t size = state_size(kind, true);
    union vcpu_obj_state s;
    if (!size || len != size || !vspace_copy_in(&current_process()->vs, &s, buf, size))
        return HV_ERR_INVALID_ARGS;
    return vcpu_obj_write_state(v, kind, &s);
}
