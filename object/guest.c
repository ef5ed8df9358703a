/*
 * Guests: memory shared from the root task's mem_map regions via EPT (each
 * mapping remembers its region, so mem_unmap can refuse while a guest maps
 * it), and the trap map. The last handle tears everything down.
 */
#include "base.h"
#include "guest.h"
#include "mm.h"
#include "port.h"
#include "process.h"
#include "vmx_setup.h"

/* One guest_map: where the memory came from. */
struct guest_mapping {
    uint64_t gpa, len;
    struct mem_region *region;
    struct guest_mapping *next;
};

static void release_trap(struct trap *t)
{
    if (t->port)
        object_unref(port_object(t->port));
    kfree(t);
}

static void guest_teardown(struct object *o)
{
    struct guest *g = (struct guest *)o;
    if (g->dead)
        return;
    g->dead = true;
    trap_map_clear(&g->traps, release_trap);
    while (g->maps) {
        struct guest_mapping *m = g->maps;
        g->maps = m->next;
        m->region->guest_refs--;
        kfree(m);
    }
    vm_destroy(&g->vm);
}

static void guest_destroy(struct object *o)
{
    guest_teardown(o);
    kfree_pages(o, sizeof(struct guest));
}

hv_status_t guest_create(struct guest **out)
{
    struct guest *g = kalloc_pages(sizeof(*g));
    if (!g)
        return HV_ERR_NO_MEMORY;
    g->obj = (struct object){ HV_OBJ_GUEST, 1, 0, guest_teardown, guest_destroy };
    hv_status_t rc = vm_init(&g->vm);
    if (rc != HV_OK) {
        kfree_pages(g, sizeof(*g));
        return rc;
    }
    *out = g;
    return HV_OK;
}

static uint32_t ept_perms(uint32_t flags)
{
    return (flags & HV_GUEST_PERM_READ ? EPT_R : 0) | (flags & HV_GUEST_PERM_WRITE ? EPT_W : 0) |
           (flags & HV_GUEST_PERM_EXECUTE ? EPT_X : 0);
}

static bool perms_valid(uint32_t flags)
{
    return flags && !(flags & ~7u) && (flags & HV_GUEST_PERM_READ);
}

static bool range_ok(uint64_t gpa, uint64_t len)
{
    return len && !((gpa | len) & (FRAME_SIZE - 1)) && gpa + len > gpa;
}

static void flush(struct guest *g)
{
    if (ept_take_flush(&g->vm.ept))
        vmx_invept(ept_eptp(&g->vm.ept));
}

hv_status_t guest_map(struct guest *g, struct process *p, uint64_t gpa, uint64_t va,
                      uint64_t len, uint32_t flags)
{
    if (!range_ok(gpa, len) || (va & (FRAME_SIZE - 1)) || !perms_valid(flags))
        return HV_ERR_INVALID_ARGS;
    if (gpa + len > EPT_GPA_LIMIT)
        return HV_ERR_OUT_OF_RANGE;
    /* The memory must be one mem_map region of p, with at least these rights. */
    struct mem_region *r = p->regions;
    while (r && !(va >= r->va && va + len <= r->va + r->len && va + len > va))
        r = r->next;
    if (!r || ((flags & HV_GUEST_PERM_WRITE) && !(r->rights & VS_W)))
        return HV_ERR_INVALID_ARGS;
    struct guest_mapping *m = kmalloc(sizeof(*m));
    if (!m)
        return HV_ERR_NO_MEMORY;
    /* Map physically contiguous runs at once so large EPT leaves can be used. */
    uint64_t done = 0;
    while (done < len) {
        uint64_t pa, next;
        uint32_t rr;
        if (!vspace_lookup(&p->vs, va + done, &pa, &rr))        /* regions have no holes */
            panic("guest_map: mem_map region at 0x%llx has a hole", (unsigned long long)r->va);
        uint64_t run = FRAME_SIZE;
        while (done + run < len && vspace_lookup(&p->vs, va + done + run, &next, &rr) &&
               next == pa + run)
            run += FRAME_SIZE;
        hv_status_t rc = ept_map(&g->vm.ept, gpa + done, pa, run, ept_perms(flags), EPT_MT_WB);
        if (rc != HV_OK) {
            ept_unmap(&g->vm.ept, gpa, done);
            flush(g);
            kfree(m);
            return rc;
        }
        done += run;
    }
    *m = (struct guest_mapping){ gpa, len, r, g->maps };
    g->maps = m;
    r->guest_refs++;
    return HV_OK;
}

hv_status_t guest_unmap(struct guest *g, uint64_t gpa, uint64_t len)
{
    if (!range_ok(gpa, len))
        return HV_ERR_INVALID_ARGS;
    if (gpa + len > EPT_GPA_LIMIT)
        return HV_ERR_OUT_OF_RANGE;
    /* A record split below needs memory: get it before anything changes. */
    struct guest_mapping *spare = kmalloc(sizeof(*spare));
    if (!spare)
        return HV_ERR_NO_MEMORY;
    /* The EPT first: it changes all or nothing, so the records stay true either way. */
    if (ept_unmap(&g->vm.ept, gpa, len) != HV_OK) {
        kfree(spare);
        return HV_ERR_NO_MEMORY;                        /* a large leaf needed tables to split */
    }
    flush(g);
    /* Mapping records cut by the range shrink or split (at most one split per call). */
    for (struct guest_mapping **pp = &g->maps; *pp;) {
        struct guest_mapping *m = *pp;
        uint64_t lo = m->gpa, hi = m->gpa + m->len;
        if (hi <= gpa || lo >= gpa + len) {
            pp = &m->next;
            continue;
        }
        if (lo < gpa && hi > gpa + len) {               /* a hole in the middle: split */
            struct guest_mapping *tail = spare;
            spare = 0;
            *tail = (struct guest_mapping){ gpa + len, hi - (gpa + len), m->region, m->next };
            m->len = gpa - lo;
            m->next = tail;
            m->region->guest_refs++;
            pp = &tail->next;
        } else if (lo < gpa) {
            m->len = gpa - lo;
            pp = &m->next;
        } else if (hi > gpa + len) {
            m->gpa = gpa + len;
            m->len = hi - m->gpa;
            pp = &m->next;
        } else {
            *pp = m->next;
            m->region->guest_refs--;
            kfree(m);
        }
    }
    if (spare)
        kfree(spare);
    return HV_OK;
}

hv_status_t guest_protect(struct guest *g, uint64_t gpa, uint64_t len, uint32_t flags)
{
    if (!range_ok(gpa, len) || !perms_valid(flags))
        return HV_ERR_INVALID_ARGS;
    if (gpa + len > EPT_GPA_LIMIT)
        return HV_ERR_OUT_OF_RANGE;
    /* No more rights than the root task's memory has: W needs writable regions throughout. */
    if (flags & HV_GUEST_PERM_WRITE)
        for (const struct guest_mapping *m = g->maps; m; m = m->next)
            if (m->gpa < gpa + len && gpa < m->gpa + m->len && !(m->region->rights & VS_W))
                return HV_ERR_INVALID_ARGS;
    hv_status_t rc = ept_protect(&g->vm.ept, gpa, len, ept_perms(flags));
    flush(g);
    /* A page of the range not mapped: HV_ERR_INVALID_ARGS, as syscall.h documents. */
    return rc == HV_ERR_NOT_FOUND ? HV_ERR_INVALID_ARGS : rc;
}

hv_status_t guest_set_trap(struct guest *g, const struct trap *t)
{
    hv_status_t rc = trap_map_add(&g->traps, t, EPT_GPA_LIMIT, kmalloc);
    if (rc == HV_OK && t->port)
        object_ref(port_object(t->port));
    return rc;
}
