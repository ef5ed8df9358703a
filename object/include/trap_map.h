/*
 * A guest's traps (object/trap_map.c): ranges of guest-physical addresses
 * (HV_TRAP_MEM, HV_TRAP_BELL) or I/O ports (HV_TRAP_IO) whose accesses
 * become packets. MEM and BELL traps share the guest-physical space, IO
 * traps have the port space; traps of one space never overlap.
 *
 * Pure logic: compiled into the kernel and into the host unit tests. The
 * map calls nothing but the allocator trap_map_add is given; whoever clears
 * it frees the nodes.
 */
#ifndef TRAP_MAP_H
#define TRAP_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hv/status.h"

struct port;

struct trap {
    uint32_t kind;              /* HV_TRAP_MEM, HV_TRAP_IO or HV_TRAP_BELL */
    uint64_t addr, len;         /* [addr, addr + len) */
    uint64_t key;               /* goes into the trap's packets */
    struct port *port;          /* BELL: where its packets go; NULL otherwise */
    struct trap *next;
};

struct trap_map {
    struct trap *head;          /* newest first */
};

/* Highest port number + 1 for IO traps. */
#define TRAP_IO_LIMIT 0x10000ull

/*
 * The checks on a new trap that come before its port is looked up:
 * HV_ERR_INVALID_ARGS for an unknown kind, len 0, a range that wraps around
 * 2^64, or a BELL range not page aligned (addr or len); else HV_OK.
 */
hv_status_t trap_check(uint32_t kind, uint64_t addr, uint64_t len);

/*
 * Add a copy of t (which passed trap_check; t->next is ignored), checking in
 * this order:
 *   HV_ERR_INVALID_ARGS    an IO range beyond port 0xffff
 *   HV_ERR_OUT_OF_RANGE    a MEM or BELL range beyond gpa_limit
 *   HV_ERR_ALREADY_EXISTS  overlaps a trap of the same space
 *   HV_ERR_NO_MEMORY       alloc(sizeof(struct trap)) returned NULL
 * Nothing changes on an error.
 */
hv_status_t trap_map_add(struct trap_map *m, const struct trap *t, uint64_t gpa_limit,
                         void *(*alloc)(size_t size));

/* The trap of this kind whose range holds addr, or NULL. Inline: on every trapped exit. */
static inline const struct trap *trap_map_find(const struct trap_map *m, uint32_t kind,
                                               uint64_t addr)
{
    for (const struct trap *t = m->head; t; t = t->next)
        if (t->kind == kind && addr >= t->addr && addr - t->addr < t->len)
            return t;
    return NULL;
}

/* Empty the map, handing each trap to release (which frees it). */
void trap_map_clear(struct trap_map *m, void (*release)(struct trap *t));

#endif
