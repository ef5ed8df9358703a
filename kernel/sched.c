/*
 * Round-robin scheduling on each CPU (include/sched.h). Threads ready to run
 * wait in a FIFO run queue; blocked threads sit on a wait queue and, with a
 * deadline, on the CPU's sorted sleeper list. The LAPIC timer is one-shot
 * and armed for the earlier of "the current slice ends while others wait"
 * and "the first sleeper's deadline"; with one thread and nothing to time it
 * stays off, so a lone VMM runs undisturbed.
 */
#include "base.h"
#include "lapic.h"
#include "cpu.h"
#include "thread.h"
#include "sched.h"
#include "x86.h"


static void sched_timer_irq(void);

static uint64_t slice_ticks;            /* TSC ticks per time slice */
static uint64_t idle_ticks;             /* every CPU's time halted in sched_idle */
/* The periodic poll (sched_set_poll); boot CPU only, like the threads for now. */
static void (*poll_fn)(void);
static uint64_t poll_period, poll_next;
static uint64_t timer_per_tsc_q32;      /* APIC timer ticks per TSC tick, 32.32 fixed point */

void sched_init_cpu(void)
{
    static struct thread boot_idle;     /* the boot CPU's; more come with SMP */
    struct percpu *c = this_cpu();
    boot_idle = (struct thread){ .obj = { HV_OBJ_THREAD, 1, 0, 0, 0 }, .state = THREAD_RUNNING };
    c->idle = c->current = &boot_idle;
    c->next_event = c->timer_armed = HV_TIME_INFINITE;
    slice_ticks = tsc_hz() / 1000 * HV_TIME_SLICE_MS;
    timer_per_tsc_q32 = (lapic_timer_hz() << 32) / tsc_hz();
    trap_set_irq_handler(VEC_TIMER, sched_timer_irq);
    trap_set_preempt_handler(sched_yield);
}

/* ---- queues ------------------------------------------------------------------------- */

static void waitq_push(struct waitq *q, struct thread *t)
{
    t->next = 0;
    if (q->tail)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
}

static struct thread *waitq_pop(struct waitq *q)
{
    struct thread *t = q->head;
    if (t) {
        q->head = t->next;
        if (!q->head)
            q->tail = 0;
    }
    return t;
}

static void waitq_remove(struct waitq *q, struct thread *t)
{
    struct thread *prev = 0;
    for (struct thread *w = q->head; w; prev = w, w = w->next) {
        if (w != t)
            continue;
        if (prev)
            prev->next = w->next;
        else
            q->head = w->next;
        if (q->tail == w)
            q->tail = prev;
        return;
    }
}

static void sleepers_insert(struct percpu *c, struct thread *t)
{
    struct thread **pp = &c->sleepers;
    while (*pp && (*pp)->deadline <= t->deadline)
        pp = &(*pp)->sleep_next;
    t->sleep_next = *pp;
    *pp = t;
}

static void sleepers_remove(struct percpu *c, struct thread *t)
{
    for (struct thread **pp = &c->sleepers; *pp; pp = &(*pp)->sleep_next) {
        if (*pp == t) {
            *pp = t->sleep_next;
            return;
        }
    }
}

/* ---- the timer ---------------------------------------------------------------------- */

/*
 * Lazy: the hardware timer is only ever moved earlier. An interrupt for an
 * event that went away or moved later just finds nothing due and re-arms,
 * which costs less than reprogramming the APIC at every switch and wake-up.
 */
static void timer_program(struct percpu *c)
{
    uint64_t next = HV_TIME_INFINITE;
    if (c->runq.head && c->current != c->idle)
        next = c->slice_end;
    if (c->sleepers && c->sleepers->deadline < next)
        next = c->sleepers->deadline;
    if (poll_fn && poll_next < next)
        next = poll_next;
    c->next_event = next;                       /* also bounds guest runs (vmx/vcpu.c) */
    if (next >= c->timer_armed)
        return;
    c->timer_armed = next;
    uint64_t now = rdtsc();
    uint64_t delta = next > now ? next - now : 1;
    if (delta > (1ull << 31))
        delta = 1ull << 31;             /* fires early at worst; the handler re-arms */
    uint64_t count = (delta * timer_per_tsc_q32) >> 32;
    lapic_timer_oneshot(VEC_TIMER, count > 0xffffffffu ? 0xffffffffu : (uint32_t)count);
}

/* ---- switching ---------------------------------------------------------------------- */

/* Run the next ready thread (or idle); current is already queued, blocked or dead. */
static void schedule(void)
{
    struct percpu *c = this_cpu();
    struct thread *prev = c->current, *next = waitq_pop(&c->runq);
    if (!next)
        next = c->idle;
    c->need_resched = false;
    if (next != prev) {
        c->slice_end = rdtsc() + slice_ticks;
        if (prev->state == THREAD_DEAD)
            c->zombie = prev;
        thread_activate(next);
    }
    next->state = THREAD_RUNNING;
    timer_program(c);
    if (next != prev) {
        context_switch(&prev->ksp, next->ksp);
        thread_finish_switch();
    }
}

void sched_ready(struct thread *t)
{
    struct percpu *c = this_cpu();
    t->state = THREAD_READY;
    waitq_push(&c->runq, t);
    if (c->current == c->idle)
        c->need_resched = true;
    timer_program(c);
}

void sched_yield(void)
{
    struct percpu *c = this_cpu();
    if (c->current != c->idle)
        sched_ready(c->current);
    schedule();
}

hv_status_t sched_block(struct waitq *q, uint64_t deadline)
{
    struct percpu *c = this_cpu();
    struct thread *t = c->current;
    t->state = THREAD_BLOCKED;
    t->waitq = q;
    t->deadline = deadline;
    t->wake_status = HV_ERR_TIMED_OUT;
    if (q)
        waitq_push(q, t);
    if (deadline != HV_TIME_INFINITE)
        sleepers_insert(c, t);
    schedule();
    return t->wake_status;
}

static void wake(struct thread *t, hv_status_t status)
{
    struct percpu *c = this_cpu();
    if (t->waitq)
        waitq_remove(t->waitq, t);
    if (t->deadline != HV_TIME_INFINITE)
        sleepers_remove(c, t);
    t->waitq = 0;
    t->wake_status = status;
    sched_ready(t);
}

struct thread *sched_wake_one(struct waitq *q, hv_status_t status)
{
    struct thread *t = q->head;
    if (t)
        wake(t, status);
    return t;
}

void sched_wake_all(struct waitq *q, hv_status_t status)
{
    while (q->head)
        wake(q->head, status);
}

void sched_exit(void)
{
    struct thread *t = current_thread();
    t->state = THREAD_DEAD;
    schedule();
    __builtin_unreachable();
}

static void sched_timer_irq(void)
{
    this_cpu()->timer_armed = HV_TIME_INFINITE; /* it fired, maybe early by rounding */
    sched_tick();
}

void sched_set_poll(void (*fn)(void), uint64_t period)
{
    poll_fn = fn;
    poll_period = period ? period : 1;
    poll_next = rdtsc() + poll_period;
    timer_program(this_cpu());
}

void sched_tick(void)
{
    struct percpu *c = this_cpu();
    uint64_t now = rdtsc();
    if (poll_fn && now >= poll_next) {
        poll_next = now + poll_period;
        poll_fn();                              /* may wake threads */
    }
    while (c->sleepers && c->sleepers->deadline <= now)
        wake(c->sleepers, HV_ERR_TIMED_OUT);
    if (c->runq.head && (c->current == c->idle || now >= c->slice_end))
        c->need_resched = true;
    timer_program(c);
}

void sched_idle(void)
{
    for (;;) {
        cli();
        struct percpu *c = this_cpu();
        if (c->runq.head) {
            schedule();
            continue;
        }
        if (!c->sleepers && !poll_fn) {
            /* Nothing runs, nothing will time out, no poll (console input) can wake a
             * thread, and only threads wake threads. */
            pr_err("sched: every thread is blocked with no deadline: nothing can wake them\n");
            shutdown(SHUTDOWN_FAIL);
        }
        uint64_t t0 = rdtsc();
        __asm__ volatile("sti; hlt" ::: "memory");      /* sti's shadow covers hlt */
        /* The wake-up interrupt's handler ran in between: counted as idle, it is short. */
        __atomic_fetch_add(&idle_ticks, rdtsc() - t0, __ATOMIC_RELAXED);
    }
}

uint64_t sched_idle_ticks(void)
{
    return __atomic_load_n(&idle_ticks, __ATOMIC_RELAXED);
}
