/*
 * The scheduler: per-CPU round robin with a time slice, wait queues with
 * deadlines, and a tickless one-shot LAPIC timer that is armed only when
 * there is something to time (a slice to end with others waiting, or a
 * deadline). The kernel is not preemptible: a thread gives the CPU up only
 * at preemption points (returning to ring 3 from an interrupt, between
 * guest runs in vcpu_resume) or when it blocks or exits.
 */
#ifndef SCHED_H
#define SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include "hv/status.h"
#include "percpu.h"

struct thread;

/* The boot context becomes this CPU's idle thread; hooks the timer vector and the
 * ring-3 preemption point into arch/. After lapic_timer_calibrate. */
void sched_init_cpu(void);
/* Run t when its turn comes. */
void sched_ready(struct thread *t);
/* Give the CPU to the next ready thread, if any; the caller stays ready. */
void sched_yield(void);
/*
 * Block the current thread on q (may be NULL: sleep) until woken or the TSC
 * reaches deadline (HV_TIME_INFINITE: never). Returns the waker's status, or
 * HV_ERR_TIMED_OUT. Call with the deadline still in the future.
 */
hv_status_t sched_block(struct waitq *q, uint64_t deadline);
/* Wake the first waiter of q with status; NULL when there was none. */
struct thread *sched_wake_one(struct waitq *q, hv_status_t status);
void sched_wake_all(struct waitq *q, hv_status_t status);
/* End the current thread. */
__attribute__((noreturn)) void sched_exit(void);
/* This CPU's idle loop; the boot context ends here. */
__attribute__((noreturn)) void sched_idle(void);
/* TSC ticks all CPUs spent halted in sched_idle since boot (hv_system_info.idle_ticks). */
uint64_t sched_idle_ticks(void);
/* The timer's event is due: wake sleepers, end the slice. From the timer interrupt,
 * and when a guest's run ends on the preemption timer. */
void sched_tick(void);

/*
 * A periodic poll: fn runs from the timer (and from a guest run that ends on
 * the preemption timer) every period TSC ticks, a few more at worst, in
 * kernel context; it may wake threads. While one is set the timer stays
 * armed, so the idle CPU sleeps in HLT between polls instead of stopping the
 * machine as "nothing can wake them". fn NULL stops it; one poll at a time
 * (the console's input, object/console_input.c).
 */
void sched_set_poll(void (*fn)(void), uint64_t period);

static inline bool sched_need_resched(void)
{
    return this_cpu()->need_resched;
}

#endif
