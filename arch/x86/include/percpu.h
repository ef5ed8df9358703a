/* Per-CPU data, reached through GS in the kernel (SWAPGS on entry from ring 3). */
#ifndef PERCPU_H
#define PERCPU_H

#include <stdbool.h>
#include <stdint.h>

struct thread;
struct vcpu;

/* A FIFO of threads: a CPU's ready threads, or threads blocked on something. */
struct waitq {
    struct thread *head, *tail;
};

/* arch/x86/syscall_entry.asm uses kernel_rsp and user_rsp (offsets from asm_offsets.c). */
struct percpu {
    uint64_t kernel_rsp;        /* 0: top of the current thread's kernel stack */
    uint64_t user_rsp;          /* 8: scratch for the SYSCALL entry */
    struct percpu *self;        /* 16 */
    uint32_t cpu;               /* 24 */
    uint32_t reserved;
    struct thread *current;     /* 32 */

    /* The scheduler's state for this CPU (kernel/sched.c). */
    struct thread *idle;        /* runs when nothing else can; the boot context */
    struct waitq runq;          /* ready threads, FIFO */
    struct thread *sleepers;    /* blocked with a deadline, earliest first */
    struct thread *zombie;      /* dead, its stack still in use until the next switch */
    uint64_t slice_end;         /* TSC at which current's time slice ends */
    uint64_t next_event;        /* TSC of the scheduler's next event; ~0: none */
    uint64_t timer_armed;       /* TSC the LAPIC timer is set for; ~0: not set */
    bool need_resched;          /* a preemption point should call sched_yield */
    struct vcpu *fpu_owner;     /* whose guest FPU state the registers hold (vmx/vcpu.c) */
    uint64_t xcr0;              /* XCR0 as loaded: the last guest's (vmx/vcpu.c) */
};

void percpu_init_boot(void);
/* CPUs the kernel runs on (set at boot from the MADT). */
extern uint32_t cpus_online;

static inline struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("mov %%gs:16, %0" : "=r"(p));
    return p;
}

#endif
