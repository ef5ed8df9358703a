/*
 * What a process asks for through hypercalls besides its objects:
 * anonymous memory (mem_map, mem_unmap) and more threads.
 */
#include "base.h"
#include "handles.h"
#include "mm.h"
#include "process.h"
#include "sched.h"

hv_status_t process_mem_map(struct process *p, uint64_t len, uint32_t flags, uint64_t *va_out)
{
    if (!len || (len & (FRAME_SIZE - 1)) || len > MMAP_TOP - MMAP_BASE ||
        (flags & ~(uint32_t)(HV_MEM_READ | HV_MEM_WRITE)) || !(flags & HV_MEM_READ))
        return HV_ERR_INVALID_ARGS;
    uint32_t rights = VS_R | (flags & HV_MEM_WRITE ? VS_W : 0);
    /* 2 MiB-aligned addresses for large requests, so guests can get 2 MiB EPT leaves. */
    uint64_t align = len >= (2ull << 20) ? (2ull << 20) : FRAME_SIZE;
    uint64_t va = (p->mmap_next + align - 1) & ~(align - 1);
    if (va + len > MMAP_TOP || va + len < va)
        return HV_ERR_NO_MEMORY;
    struct mem_region *r = kmalloc(sizeof(*r));
    if (!r)
        return HV_ERR_NO_MEMORY;
    hv_status_t rc = align > FRAME_SIZE ? process_map_anon_2m(p, va, len, rights)
                                        : process_map_anon(p, va, len, rights);
    if (rc != HV_OK) {
        kfree(r);
        return rc;
    }
    *r = (struct mem_region){ va, len, rights, 0, p->regions };
    p->regions = r;
    p->mmap_next = va + len + FRAME_SIZE;               /* a guard page after each region */
    *va_out = va;
    return HV_OK;
}

hv_status_t process_mem_unmap(struct process *p, uint64_t va, uint64_t len)
{
    struct mem_region **pp = &p->regions;
    while (*pp && !((*pp)->va == va && (*pp)->len == len))
        pp = &(*pp)->next;
    if (!*pp)
        return HV_ERR_INVALID_ARGS;
    struct mem_region *r = *pp;
    if (r->guest_refs)
        return HV_ERR_BAD_STATE;
    for (uint64_t off = 0; off < r->len; off += FRAME_SIZE)
        frame_free(vspace_unmap_page(&p->vs, r->va + off));
    *pp = r->next;
    kfree(r);
    return HV_OK;
}

hv_status_t process_thread_create(struct process *p, uint64_t entry, uint64_t stack_top,
                                  uint64_t arg, uint64_t user_out)
{
    if (p->nthreads >= HV_THREADS_MAX)
        return HV_ERR_NO_RESOURCES;
    struct thread *t = thread_new(p, &p->vs, entry, stack_top - 8, arg);
    if (!t)
        return HV_ERR_NO_MEMORY;
    hv_status_t rc = handle_publish(&t->obj, HV_RIGHT_DUPLICATE | HV_RIGHT_TRANSFER |
                                                 HV_RIGHT_READ | HV_RIGHT_WRITE, 0, user_out);
    if (rc != HV_OK) {
        thread_reap(t);                         /* never ran */
        return rc;
    }
    static const uint64_t no_return = 0;        /* entry's return address: a fault */
    vspace_copy_out(&p->vs, stack_top - 8, &no_return, sizeof(no_return));  /* checked */
    p->nthreads++;
    sched_ready(t);
    return HV_OK;
}

void process_thread_exit(struct process *p)
{
    if (--p->nthreads == 0) {
        pr_err("root: the root task's last thread exited (a root task ends with "
               "system_shutdown)\n");
        shutdown(SHUTDOWN_FAIL);
    }
    sched_exit();
}
