/*
 * Kernel objects reachable through handles. `handles` counts the handles
 * naming the object: when it drops to 0, `no_handles` runs (a guest tears
 * down its vCPUs, EPT and traps then, a port cancels its waiters). `refs`
 * counts every holder, handles included; the memory goes at 0 (`destroy`).
 */
#ifndef OBJECT_H
#define OBJECT_H

#include <stdint.h>
#include "hv/hv.h"

struct object {
    uint32_t type;              /* enum hv_obj_type */
    uint32_t refs;
    uint32_t handles;
    void (*no_handles)(struct object *o);
    void (*destroy)(struct object *o);
};

/* Inline: taken and dropped on every vcpu_resume. */
static inline void object_ref(struct object *o)
{
    o->refs++;
}

static inline void object_unref(struct object *o)     /* destroys on the last reference */
{
    if (--o->refs == 0)
        o->destroy(o);
}

#endif
