/*
 * Handles of the current process to kernel objects (object/handles.c): the
 * table is object/handle_table.c; here each handle also counts on its object.
 */
#ifndef HANDLES_H
#define HANDLES_H

#include "hv/hv.h"
#include "object.h"

/* Publish a new handle to o in the current process (takes a reference on success)
 * and store its value at user address user_out; *out (if given) gets it too. */
hv_status_t handle_publish(struct object *o, hv_rights_t rights, hv_handle_t *out,
                           uint64_t user_out);
/* Look up a handle of the current process. */
hv_status_t handle_lookup(hv_handle_t h, uint32_t type, hv_rights_t needed, struct object **o);

/* Close h: the object loses a handle (and its no_handles runs at the last). */
hv_status_t handle_close(hv_handle_t h);
/* A second handle to h's object with rights (a subset of h's), stored at user address
 * user_out (checked writable by the caller before). */
hv_status_t handle_duplicate(hv_handle_t h, hv_rights_t rights, uint64_t user_out);

#endif
