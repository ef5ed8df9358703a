/*
 * Processes and threads. One process so far: the root task. A thread is
 * what a vCPU binds to; the kernel stack it runs hypercalls on is its own.
 * The scheduler (kernel/sched.c) decides which thread runs.
 */
#ifndef PROCESS_H
#define PROCESS_H

#include <stdint.h>
#include "handle_table.h"
#include "hv/hv.h"
#include "object.h"
#include "vspace.h"

#define PROCESS_HANDLES 1024
#define THREAD_KSTACK_PAGES 4

/* Anonymous memory from mem_map. */
struct mem_region {
    uint64_t va, len;
    uint32_t rights;            /* VS_R | VS_W */
    uint32_t guest_refs;        /* guest mappings of it: unmap refused while > 0 */
    struct mem_region *next;
};

struct process;
struct waitq;

enum thread_state { THREAD_READY, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

/*
 * A thread: a kernel stack for its hypercalls and traps, its place in the
 * scheduler, and what it waits for. References: one while it lives (dropped
 * once it is dead and off its stack), one per handle, one per vCPU it owns.
 */
struct thread {
    struct object obj;          /* HV_OBJ_THREAD */
    struct process *proc;       /* NULL for a CPU's idle thread */
    uint64_t kstack;            /* physical base of the kernel stack (0: the boot stack) */
    uint64_t kstack_top;
    uint64_t ksp;               /* saved kernel rsp while switched out (kernel/switch.asm) */
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

struct process {
    struct vspace vs;
    struct handle_table handles;
    struct ht_entry *handle_slots;
    struct mem_region *regions;
    uint64_t mmap_next;         /* mem_map hands out fresh addresses upward from here */
    uint32_t nthreads;          /* alive */
};

#define MMAP_BASE    0x0000100000000000ull
#define MMAP_TOP     0x0000300000000000ull
#define MODULES_BASE 0x0000400000000000ull
#define STARTUP_VA   0x00003fffffff0000ull
#define USER_STACK_TOP   0x00007ffffff00000ull
#define USER_STACK_PAGES 16

int process_init(struct process *p);
/*
 * A new thread of p that will enter ring 3 at entry with rsp and rdi = arg
 * once the scheduler runs it (sched_ready). NULL when out of memory.
 */
struct thread *thread_new(struct process *p, uint64_t entry, uint64_t rsp, uint64_t arg);
/* Free the kernel stack of a thread that never ran, or of a dead one no longer on it,
 * and drop its life reference. */
void thread_reap(struct thread *t);
void thread_activate(struct thread *t);     /* its kernel stack for traps/syscalls, its space */
struct thread *current_thread(void);

/* Map fresh zeroed frames at va (page aligned); 0 or a negative HV_ERR_*. */
int process_map_anon(struct process *p, uint64_t va, uint64_t len, uint32_t rights);
/* The same for a 2 MiB-aligned va: physically contiguous 2 MiB blocks where the
 * allocator has them (so guests get 2 MiB EPT leaves), single frames otherwise. */
int process_map_anon_2m(struct process *p, uint64_t va, uint64_t len, uint32_t rights);

/* Load the root task (boot module "root") and make its first thread ready to run. */
void root_task_start(const struct boot_info *bi);

#endif
