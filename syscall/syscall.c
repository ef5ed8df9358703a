/*
 * SYSCALL set-up, the dispatch table, and the hypercalls that are not about
 * guests: null, debug_write, system_info/shutdown, handles, mem_map/unmap.
 */
#include "acpi.h"
#include "cpu.h"
#include "base.h"
#include "lapic.h"
#include "mm.h"
#include "percpu.h"
#include "handles.h"
#include "process.h"
#include "syscall_impl.h"
#include "vmx.h"
#include "x86.h"


static const syscall_fn table[HV_SYS_COUNT] = {
    [HV_SYS_NULL] = sys_null,
    [HV_SYS_DEBUG_WRITE] = sys_debug_write,
    [HV_SYS_SYSTEM_INFO] = sys_system_info,
    [HV_SYS_SYSTEM_SHUTDOWN] = sys_system_shutdown,
    [HV_SYS_HANDLE_CLOSE] = sys_handle_close,
    [HV_SYS_HANDLE_DUPLICATE] = sys_handle_duplicate,
    [HV_SYS_GUEST_CREATE] = sys_guest_create,
    [HV_SYS_GUEST_MAP] = sys_guest_map,
    [HV_SYS_GUEST_UNMAP] = sys_guest_unmap,
    [HV_SYS_GUEST_PROTECT] = sys_guest_protect,
    [HV_SYS_GUEST_SET_TRAP] = sys_guest_set_trap,
    [HV_SYS_VCPU_CREATE] = sys_vcpu_create,
    [HV_SYS_VCPU_RESUME] = sys_vcpu_resume,
    [HV_SYS_VCPU_KICK] = sys_vcpu_kick,
    [HV_SYS_VCPU_INTERRUPT] = sys_vcpu_interrupt,
    [HV_SYS_VCPU_READ_STATE] = sys_vcpu_read_state,
    [HV_SYS_VCPU_WRITE_STATE] = sys_vcpu_write_state,
    [HV_SYS_MEM_MAP] = sys_mem_map,
    [HV_SYS_MEM_UNMAP] = sys_mem_unmap,
    [HV_SYS_PORT_CREATE] = sys_port_create,
    [HV_SYS_PORT_QUEUE] = sys_port_queue,
    [HV_SYS_PORT_WAIT] = sys_port_wait,
    [HV_SYS_THREAD_CREATE] = sys_thread_create,
    [HV_SYS_THREAD_EXIT] = sys_thread_exit,
};
_Static_assert(sizeof(table) / sizeof(table[0]) == HV_SYS_COUNT, "every call has a slot");

int64_t syscall_dispatch(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                         uint64_t a5, uint64_t nr)
{
    if (nr >= HV_SYS_COUNT)
        return HV_ERR_BAD_SYSCALL;
    return table[nr](a0, a1, a2, a3, a4, a5);
}

void syscall_init(void)
{
    syscall_arch_init(syscall_dispatch);
}

static struct process *cur_proc(void)
{
    return current_thread()->proc;
}

SYSCALL_DEFINE(handle_close)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    if (a0 > UINT32_MAX)
        return HV_ERR_BAD_HANDLE;
    return handle_close((hv_handle_t)a0);
}

SYSCALL_DEFINE(handle_duplicate)
{
    (void)a3, (void)a4, (void)a5;
    struct process *p = cur_proc();
    if (a0 > UINT32_MAX)
        return HV_ERR_BAD_HANDLE;
    if (a1 > UINT32_MAX)
        return HV_ERR_INVALID_ARGS;
    if (!vspace_check(&p->vs, a2, sizeof(hv_handle_t), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    return handle_duplicate((hv_handle_t)a0, (hv_rights_t)a1, a2);
}

/* ---- simple calls ------------------------------------------------------------------ */

SYSCALL_DEFINE(null)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return HV_OK;
}

SYSCALL_DEFINE(debug_write)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    static char buf[HV_DEBUG_WRITE_MAX];
    if (a1 > HV_DEBUG_WRITE_MAX || !vspace_copy_in(&cur_proc()->vs, buf, a0, a1))
        return HV_ERR_INVALID_ARGS;
    console_write(buf, a1);
    return HV_OK;
}

SYSCALL_DEFINE(system_info)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    if (a1 < sizeof(struct hv_system_info))
        return HV_ERR_BUFFER_TOO_SMALL;
    struct hv_system_info info = {
        .num_cpus = cpus_online,
        .memory_bytes = frames_total() * FRAME_SIZE,
        .free_bytes = frames_free() * FRAME_SIZE,
        .vmx_revision = vmx_caps.revision,
        .vmx_flags = (vmx_caps.ept_2m ? HV_VMX_EPT_2M : 0) | (vmx_caps.ept_1g ? HV_VMX_EPT_1G : 0) |
                     (vmx_caps.vpid ? HV_VMX_VPID : 0) |
                     (vmx_caps.unrestricted ? HV_VMX_UNRESTRICTED : 0) |
                     (vmx_caps.preempt_timer ? HV_VMX_PREEMPT_TIMER : 0),
        .tsc_hz = tsc_hz(),
    };
    if (!vspace_copy_out(&cur_proc()->vs, a0, &info, sizeof(info)))
        return HV_ERR_INVALID_ARGS;
    return HV_OK;
}

SYSCALL_DEFINE(system_shutdown)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    if (a0 > 255)
        return HV_ERR_INVALID_ARGS;
    pr_info("root: system_shutdown(%llu)\n", (unsigned long long)a0);
    shutdown((enum shutdown_status)a0);
}

/* ---- anonymous memory ------------------------------------------------------------- */

SYSCALL_DEFINE(mem_map)
{
    (void)a3, (void)a4, (void)a5;
    struct process *p = cur_proc();
    uint64_t len = a0;
    uint32_t rights = (a1 & HV_MEM_READ ? VS_R : 0) | (a1 & HV_MEM_WRITE ? VS_W : 0);
    if (!len || (len & (FRAME_SIZE - 1)) || len > MMAP_TOP - MMAP_BASE ||
        (a1 & ~(uint64_t)(HV_MEM_READ | HV_MEM_WRITE)) || !(a1 & HV_MEM_READ) ||
        !vspace_check(&p->vs, a2, sizeof(uint64_t), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
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
    vspace_copy_out(&p->vs, a2, &va, sizeof(va));
    return HV_OK;
}

SYSCALL_DEFINE(mem_unmap)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    struct process *p = cur_proc();
    struct mem_region **pp = &p->regions;
    while (*pp && !((*pp)->va == a0 && (*pp)->len == a1))
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
