/* A guest's trap ranges: checks, overlap rules, lookup (see trap_map.h). */
#include "trap_map.h"
#include "hv/syscall.h"

#define TRAP_PAGE 0x1000ull

hv_status_t trap_check(uint32_t kind, uint64_t addr, uint64_t len)
{
    if ((kind != HV_TRAP_MEM && kind != HV_TRAP_IO && kind != HV_TRAP_BELL) || !len ||
        addr + len < addr)
        return HV_ERR_INVALID_ARGS;
    if (kind == HV_TRAP_BELL && ((addr | len) & (TRAP_PAGE - 1)))
        return HV_ERR_INVALID_ARGS;
    return HV_OK;
}

/* MEM and BELL traps share the guest-physical space; IO traps have the ports. */
static bool same_space(uint32_t k1, uint32_t k2)
{
    return (k1 == HV_TRAP_IO) == (k2 == HV_TRAP_IO);
}

hv_status_t trap_map_add(struct trap_map *m, const struct trap *t, uint64_t gpa_limit,
                         void *(*alloc)(size_t size))
{
    uint64_t end = t->addr + t->len;
    if (t->kind == HV_TRAP_IO && end > TRAP_IO_LIMIT)
        return HV_ERR_INVALID_ARGS;
    if (t->kind != HV_TRAP_IO && end > gpa_limit)
        return HV_ERR_OUT_OF_RANGE;
    for (const struct trap *o = m->head; o; o = o->next)
        if (same_space(o->kind, t->kind) && t->addr < o->addr + o->len && o->addr < end)
            return HV_ERR_ALREADY_EXISTS;
    struct trap *n = alloc(sizeof(*n));
    if (!n)
        return HV_ERR_NO_MEMORY;
    *n = *t;
    n->next = m->head;
    m->head = n;
    return HV_OK;
}

void trap_map_clear(struct trap_map *m, void (*release)(struct trap *t))
{
    while (m->head) {
        struct trap *t = m->head;
        m->head = t->next;
        release(t);
    }
}
