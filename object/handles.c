/* Handles of the current process: publish, look up, close, duplicate. */
#include "handles.h"
#include "process.h"

static struct process *cur_proc(void)
{
    return current_process();
}

static void handle_dropped(struct object *o)
{
    if (--o->handles == 0 && o->no_handles)
        o->no_handles(o);
    object_unref(o);
}

hv_status_t handle_publish(struct object *o, hv_rights_t rights, hv_handle_t *out, uint64_t user_out)
{
    struct process *p = cur_proc();
    hv_handle_t h;
    hv_status_t rc = ht_add(&p->handles, o, o->type, rights, &h);
    if (rc != HV_OK)
        return rc;
    if (!vspace_copy_out(&p->vs, user_out, &h, sizeof(h))) {
        void *obj;
        uint32_t type;
        ht_remove(&p->handles, h, &obj, &type);
        return HV_ERR_INVALID_ARGS;
    }
    object_ref(o);
    o->handles++;
    if (out)
        *out = h;
    return HV_OK;
}

hv_status_t handle_close(hv_handle_t h)
{
    void *obj;
    uint32_t type;
    hv_status_t rc = ht_remove(&cur_proc()->handles, h, &obj, &type);
    if (rc == HV_OK)
        handle_dropped(obj);
    return rc;
}

hv_status_t handle_duplicate(hv_handle_t h, hv_rights_t rights, uint64_t user_out)
{
    struct process *p = cur_proc();
    hv_handle_t dup;
    void *obj;
    hv_status_t rc = ht_duplicate(&p->handles, h, rights, &dup, &obj);
    if (rc != HV_OK)
        return rc;
    object_ref(obj);
    ((struct object *)obj)->handles++;
    vspace_copy_out(&p->vs, user_out, &dup, sizeof(dup));   /* checked by the caller */
    return HV_OK;
}
