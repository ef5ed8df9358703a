/*
 * Guest objects (object/guest.c): an address space (EPT) built from the
 * root task's mem_map regions, and the guest's traps. vCPUs
 * (object/vcpu_object.h) run in it.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include "hv/hv.h"
#include "object.h"
#include "trap_map.h"
#include "vcpu.h"

struct process;
struct guest_mapping;

struct guest {
    struct object obj;          /* HV_OBJ_GUEST */
    struct vm vm;
    bool dead;                  /* no handles left: torn down, vCPUs refuse to run */
    struct trap_map traps;      /* BELL traps hold a reference on their port */
    struct guest_mapping *maps;
};

/* A guest with an empty address space, holding one reference for the caller.
 * HV_ERR_NO_MEMORY. */
hv_status_t guest_create(struct guest **out);

/*
 * The hypercalls of include/hv/syscall.h on a guest, after its handle was
 * looked up; errors as documented there. guest_map shares memory of p's
 * mem_map regions.
 */
hv_status_t guest_map(struct guest *g, struct process *p, uint64_t gpa, uint64_t va,
                      uint64_t len, uint32_t flags);
hv_status_t guest_unmap(struct guest *g, uint64_t gpa, uint64_t len);
hv_status_t guest_protect(struct guest *g, uint64_t gpa, uint64_t len, uint32_t flags);
/* t passed trap_check and, for BELL, carries its port: the trap takes a reference. */
hv_status_t guest_set_trap(struct guest *g, const struct trap *t);

#endif
