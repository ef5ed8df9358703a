/* thread_create and thread_exit: more threads for the root task. */
#include "base.h"
#include "process.h"
#include "sched.h"
#include "syscall_impl.h"

static bool user_addr(uint64_t va)
{
    return va >= VSPACE_USER_BASE && va < VSPACE_USER_TOP;
}

SYSCALL_DEFINE(thread_create)
{
    (void)a5;
    uint64_t entry = a0, stack_top = a1, arg = a2, options = a3, out = a4;
    struct process *p = current_process();
    if (options != 0 || !user_addr(entry) || !user_addr(stack_top - 8) || (stack_top & 15) ||
        !vspace_check(&p->vs, stack_top - 8, 8, VS_R | VS_W) ||
        !vspace_check(&p->vs, out, sizeof(hv_handle_t), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    if (p->nthreads >= HV_THREADS_MAX)
        return HV_ERR_NO_RESOURCES;
    struct thread *t = thread_new(p, &p->vs, entry, stack_top - 8, arg);
    if (!t)
        return HV_ERR_NO_MEMORY;
    hv_status_t rc = handle_publish(&t->obj, HV_RIGHT_DUPLICATE | HV_RIGHT_TRANSFER |
                                                 HV_RIGHT_READ | HV_RIGHT_WRITE, 0, out);
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

SYSCALL_DEFINE(thread_exit)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    struct process *p = current_process();
    if (--p->nthreads == 0) {
        pr_err("root: the root task's last thread exited (a root task ends with "
               "system_shutdown)\n");
        shutdown(SHUTDOWN_FAIL);
    }
    sched_exit();
}
