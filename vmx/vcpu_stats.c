/*
 * HV_VCPU_STATS (include/hv/state.h): where a vCPU's time goes. Counted only
 * while enabled (vcpu.stats_on, one predictable branch on the exit path when
 * off): guest time from entry to exit, and per basic exit reason (SDM Vol. 3C
 * appendix C) the count and the time from the exit to the next entry. The
 * entry is stamped where the kernel decides to go back in (vmx/exit.c for
 * the fast path, vcpu_run's slow path otherwise: stats_on keeps own_timer
 * set), a few instructions before VMRESUME.
 */
#include "vcpu.h"
#include "x86.h"

void vcpu_stats_enable(struct vcpu *v)
{
    uint8_t *p = (uint8_t *)&v->stats;
    for (size_t i = 0; i < sizeof(v->stats); i++)
        p[i] = 0;
    v->stats_in_guest = false;
    v->stats_reason = HV_VCPU_STATS_REASONS;    /* no exit to charge yet */
    v->stats_tsc = rdtsc();
    v->stats_on = true;
    v->own_timer = true;                        /* vcpu_run's slow path stamps the entries */
}

void vcpu_stats_exit(struct vcpu *v, uint32_t basic)
{
    uint64_t now = rdtsc();
    if (v->stats_in_guest)
        v->stats.guest_ticks += now - v->stats_tsc;
    v->stats_in_guest = false;
    v->stats_tsc = now;
    v->stats.exits++;
    v->stats_reason = (uint16_t)(basic < HV_VCPU_STATS_REASONS ? basic : HV_VCPU_STATS_REASONS);
    if (basic < HV_VCPU_STATS_REASONS)
        v->stats.reason[basic].count++;
}

void vcpu_stats_entry(struct vcpu *v)
{
    if (v->stats_in_guest)
        return;
    uint64_t now = rdtsc();
    if (v->stats_reason < HV_VCPU_STATS_REASONS)
        v->stats.reason[v->stats_reason].ticks += now - v->stats_tsc;
    v->stats_in_guest = true;
    v->stats_tsc = now;
}
