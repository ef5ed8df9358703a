/*
 * Handles of the current process to kernel objects (object/handles.c): the
 * table is object/handle_table.c; here each handle also counts on its object.
 */
#ifndef HANDLES_H
#define HANDLES_H

#include "handle_table.h"
#include "hv/hv.h"
#include "object.h"
#include "process.h"

/* Publish a new handle to o in the current process (takes a reference on success)
 * and store its value at user address user_out; *out (if given) gets it too. */
hv_status_t handle_publish(struct object *o, hv_rights_t rights, hv_handle_t *out,
                           uint64_t user_out);
/*
 * handle_get(h, type, needed, &obj): the object behind handle h of the
 * current process, checked as ht_get does (HV_ERR_BAD_HANDLE,
 * HV_ERR_WRONG_TYPE, HV_ERR_ACCESS_DENIED), into obj: a pointer to the
 * struct of that type (struct guest *, struct port *, ...), which starts
 * with its struct object. Nothing is written on failure and no reference
 * is taken. A macro so obj can be any such pointer; inline because every
 * vcpu_resume looks up its vCPU.
 */
#define handle_get(h, type, needed, out) __extension__({                                   \
    void *handle_obj_;                                                                     \
    hv_status_t handle_rc_ = ht_get(&current_process()->handles, (h), (type), (needed),    \
                                    &handle_obj_);                                         \
    if (handle_rc_ == HV_OK)                                                               \
        *(out) = handle_obj_;                                                              \
    handle_rc_;                                                                            \
})

/* Close h: the object loses a handle (and its no_handles runs at the last). */
hv_status_t handle_close(hv_handle_t h);
/* A second handle to h's object with rights (a subset of h's), stored at user address
 * user_out (checked writable by the caller before). */
hv_status_t handle_duplicate(hv_handle_t h, hv_rights_t rights, uint64_t user_out);

#endif
