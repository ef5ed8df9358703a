/*
 * Threads as the scheduler sees them: a kernel stack, a place in a queue,
 * what the thread waits for, and the address space it runs in. The process
 * that owns a thread (object/process.h) is opaque here: the kernel layer
 * never looks inside it.
 */
#ifndef THREAD_H
#define THREAD_H

#include <stdint.h>
#include "hv/hv.h"
#include "object.h"
#include "percpu.h"

#define THREAD_KSTACK_PAGES 4

struct process;
struct vspace;
struct waitq;

enum thread_state { THREAD_READY, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

/*
 * References: one while it lives (dropped once it is dead and off its
 * stack), one per handle, one per vCPU it owns.
 */
struct thread {
    struct object obj;          /* HV_OBJ_THREAD */
    struct process *proc;       /* owner (opaque here); NULL for a CPU's idle thread */
    struct vspace *vs;          /* the owner's address space, activated on switch */
    uint64_t kstack;            /* physical base of the kernel stack (0: the boot stack) */
    uint64_t kstack_top;
    uint64_t ksp;               /* saved kernel rsp while switched out (arch/x86/switch.asm) */
    enum thread_state state;
    struct thread *next;        /* run queue or wait queue link */

    /* Blocked: on which queue, until when, and why it woke. */
    struct waitq *waitq;
    uint64_t deadline;          /* TSC; HV_TIME_INFINITE: none */
    struct thread *sleep_next;  /* the CPU's deadline-sorted sleepers */
    hv_status_t wake_status;
    struct hv_packet wait_packet;   /* handed over by port_enqueue */

    /* First entry to ring 3. */
    uint64_t entry, user_rsp, arg;
};

/*
 * A new thread of proc (running in vs) that will enter ring 3 at entry with
 * rsp and rdi = arg once the scheduler runs it (sched_ready). NULL when out
 * of memory.
 */
struct thread *thread_new(struct process *proc, struct vspace *vs, uint64_t entry,
                          uint64_t rsp, uint64_t arg);
/* Free the kernel stack of a thread that never ran, or of a dead one no longer on it,
 * and drop its life reference. */
void thread_reap(struct thread *t);
void thread_activate(struct thread *t);     /* its kernel stack for traps/syscalls, its space */
/* First thing after a switch lands in a thread: reap the CPU's dead thread, whose
 * stack the switch has just left. */
void thread_finish_switch(void);

static inline struct thread *current_thread(void)
{
    return this_cpu()->current;
}

#endif
