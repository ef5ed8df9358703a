/* Per-CPU data, reached through GS in the kernel (SWAPGS on entry from ring 3). */
#ifndef PERCPU_H
#define PERCPU_H

#include <stdint.h>

struct thread;

struct percpu {
    uint64_t kernel_rsp;        /* 0: top of the current thread's kernel stack */
    uint64_t user_rsp;          /* 8: scratch for the SYSCALL entry */
    struct percpu *self;        /* 16 */
    uint32_t cpu;               /* 24 */
    uint32_t reserved;
    struct thread *current;     /* 32 */
};

/* Offsets used by kernel/syscall_entry.asm. */
#define PERCPU_KERNEL_RSP 0
#define PERCPU_USER_RSP   8

void percpu_init_boot(void);

static inline struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("mov %%gs:16, %0" : "=r"(p));
    return p;
}

#endif
