/*
 * SYSCALL set-up, the dispatcher made from the table of include/hv/syscall.h,
 * and the hypercalls that are about no object: null, debug_write,
 * system_info/shutdown, handles, mem_map/unmap.
 */
#include "acpi.h"
#include "base.h"
#include "cpu.h"
#include "handles.h"
#include "host_rtc.h"
#include "lapic.h"
#include "mm.h"
#include "percpu.h"
#include "process.h"
#include "sched.h"
#include "syscall_impl.h"
#include "vmx.h"

hv_status_t sys_null(void)
{
    return HV_OK;
}

hv_status_t sys_debug_write(uint64_t buf, size_t len)
{
    static char text[HV_DEBUG_WRITE_MAX];
    if (len > HV_DEBUG_WRITE_MAX || !vspace_copy_in(&current_process()->vs, text, buf, len))
        return HV_ERR_INVALID_ARGS;
    console_write(text, len);
    return HV_OK;
}

hv_status_t sys_system_info(uint64_t out, size_t size)
{
    if (size < sizeof(struct hv_system_info))
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
        .idle_ticks = sched_idle_ticks(),
    };
    info.wall_unix = host_rtc_boot_time(&info.wall_tsc);
    if (!vspace_copy_out(&current_process()->vs, out, &info, sizeof(info)))
        return HV_ERR_INVALID_ARGS;
    return HV_OK;
}

hv_status_t sys_system_shutdown(uint32_t status)
{
    if (status > 255)
        return HV_ERR_INVALID_ARGS;
    pr_info("root: system_shutdown(%llu)\n", (unsigned long long)status);
    shutdown((enum shutdown_status)status);
}

hv_status_t sys_handle_close(hv_handle_t h)
{
    return handle_close(h);
}

hv_status_t sys_handle_duplicate(hv_handle_t h, hv_rights_t rights, uint64_t out)
{
    if (!vspace_check(&current_process()->vs, out, sizeof(hv_handle_t), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    return handle_duplicate(h, rights, out);
}

hv_status_t sys_mem_map(uint64_t len, uint32_t flags, uint64_t out_va)
{
    struct process *p = current_process();
    uint64_t va;
    if (!vspace_check(&p->vs, out_va, sizeof(va), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    hv_status_t rc = process_mem_map(p, len, flags, &va);
    if (rc == HV_OK)
        vspace_copy_out(&p->vs, out_va, &va, sizeof(va));        /* checked */
    return rc;
}

hv_status_t sys_mem_unmap(uint64_t va, uint64_t len)
{
    return process_mem_unmap(current_process(), va, len);
}

/* ---- dispatch ---------------------------------------------------------------------- */

/*
 * Per call, sc_<name>: the registers decoded by kind in argument order,
 * then the handler with typed arguments. The handlers of this file are
 * inlined, so sc_null is just `return HV_OK`.
 */
#define SC_RAW __attribute__((unused)) uint64_t
#define SC_DECODE(i, kind, type, name)                                                     \
    {                                                                                       \
        hv_status_t rc_ = sc_decode_##kind(a##i);                                           \
        if (rc_ != HV_OK)                                                                   \
            return rc_;                                                                     \
    }
#define SC_ARG(i, kind, type, name) (SC_KTYPE_##kind(type))a##i
#define SC_CALL_STATUS(call) return call;
#define SC_CALL_NORETURN(call) call;
#define SC_WRAPPER(NAME, nr, name, ret, n, params)                                          \
    static int64_t sc_##name(SC_RAW a0, SC_RAW a1, SC_RAW a2, SC_RAW a3, SC_RAW a4,         \
                             SC_RAW a5)                                                     \
    {                                                                                       \
        HV_SC_MAP(n, SC_DECODE, HV_SC_NOSEP, params)                                        \
        SC_CALL_##ret(sys_##name(HV_SC_MAP(n, SC_ARG, HV_SC_COMMA, params)))                \
    }
HV_SYSCALLS(SC_WRAPPER)

typedef int64_t (*syscall_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                              uint64_t a5);

#define SC_SLOT(NAME, nr, name, ret, n, params) [HV_SYS_##NAME] = sc_##name,
static const syscall_fn table[HV_SYS_COUNT] = { HV_SYSCALLS(SC_SLOT) };

/* Every number below HV_SYS_COUNT has a call: numbers beyond it do not fit the table,
 * two calls on one slot are a -Woverride-init error, and the counts match. */
#define SC_ONE(NAME, nr, name, ret, n, params) +1
_Static_assert(0 HV_SYSCALLS(SC_ONE) == HV_SYS_COUNT, "hypercall numbers 0 .. HV_SYS_COUNT-1");

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
