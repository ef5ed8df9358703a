/*
 * guest.stats: the vCPU's exit counters (HV_VCPU_STATS) switched on before
 * the guest runs, and at the end the table of exit_stats.h with the CPU use
 * over the run (hv_system_info.idle_ticks against the TSC).
 */
#include "exit_stats.h"
#include "libsys.h"
#include "rt.h"
#include "vmm.h"

static bool idle_now(uint64_t *idle)
{
    struct hv_system_info info;
    if (hv_system_info(&info, sizeof(info)) != HV_OK)
        return false;
    *idle = info.idle_ticks;
    return true;
}

void vmm_stats_start(struct vm *vm)
{
    static const struct hv_vcpu_stats zero;
    vm->stats_on = false;
    if (!vm->opt->stats)
        return;
    hv_status_t rc = hv_vcpu_write_state(vm->vcpu, HV_VCPU_STATS, &zero, sizeof(zero));
    if (rc != HV_OK || !idle_now(&vm->stats_idle)) {
        printf("root: guest %s: guest.stats: HV_VCPU_STATS: %s (%d), no statistics\n", vm->name,
               hv_status_name(rc), rc);
        return;
    }
    vm->stats_tsc = vmm_tsc(0);
    vm->stats_on = true;
}

static void line(void *ctx, const char *s)
{
    struct vm *vm = ctx;
    printf("root: guest %s: %s\n", vm->name, s);
}

void vmm_stats_report(struct vm *vm)
{
    static struct hv_vcpu_stats s;
    if (!vm->stats_on)
        return;
    vm->stats_on = false;
    uint64_t idle;
    struct exit_stats_run run = { .tsc_growth = vmm_tsc(0) - vm->stats_tsc };
    hv_status_t rc = hv_vcpu_read_state(vm->vcpu, HV_VCPU_STATS, &s, sizeof(s));
    if (rc != HV_OK || !idle_now(&idle)) {
        printf("root: guest %s: guest.stats: cannot read them: %s (%d)\n", vm->name,
               hv_status_name(rc), rc);
        return;
    }
    run.idle_growth = idle - vm->stats_idle;
    vmm_flush(vm);
    exit_stats_format(&s, &run, line, vm);
}
