/* thread_create and thread_exit: decoding; the threads are object/process_ops.c's. */
#include "process.h"
#include "syscall_impl.h"

static bool user_addr(uint64_t va)
{
    return va >= VSPACE_USER_BASE && va < VSPACE_USER_TOP;
}

hv_status_t sys_thread_create(uint64_t entry, uint64_t stack_top, uint64_t arg,
                              uint32_t options, uint64_t out)
{
    struct process *p = current_process();
    if (options != 0 || !user_addr(entry) || !user_addr(stack_top - 8) || (stack_top & 15) ||
        !vspace_check(&p->vs, stack_top - 8, 8, VS_R | VS_W) ||
        !vspace_check(&p->vs, out, sizeof(hv_handle_t), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    return process_thread_create(p, entry, stack_top, arg, out);
}

_Noreturn void sys_thread_exit(void)
{
    process_thread_exit(current_process());
}
