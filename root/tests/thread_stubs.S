/*
 * Thread entries that need exact control of registers and the stack, for
 * root/tests/threads.c and root/tests/fuzz.c. They run in ring 3 as threads
 * of the root task (64-bit code, unlike the guest blobs of guest_code.S).
 * 23 is HV_SYS_THREAD_EXIT (include/hv/syscall.h; threads.c checks the value).
 * The ud2 after each thread_exit turns a thread_exit that returns into a
 * fault the kernel reports, instead of running on into other code.
 */
#define SYS_THREAD_EXIT 23

    .text
    .code64

/* tt_exit(): thread_exit at once, without touching the stack (any number of
 * threads may share one stack, or start on a stack nobody else uses). */
    .globl tt_exit
    .type tt_exit, @function
tt_exit:
    mov $SYS_THREAD_EXIT, %eax
    syscall
    ud2
    .size tt_exit, . - tt_exit

/* tt_count(volatile uint32_t *n): add 1 to *n atomically, then thread_exit; the stack
 * is not touched (the caller may take it away as soon as it sees *n change). */
    .globl tt_count
    .type tt_count, @function
tt_count:
    lock incl (%rdi)
    mov $SYS_THREAD_EXIT, %eax
    syscall
    ud2
    .size tt_count, . - tt_count

/* tt_probe(struct tt_probe *p): the thread's start state, unchanged: the 16 general
 * registers in hv_vcpu_state order (rax rcx rdx rbx rsp rbp rsi rdi r8..r15), the
 * 8 bytes at rsp, rflags; then tt_count(&tt_finished). */
    .globl tt_probe
    .type tt_probe, @function
tt_probe:
    mov %rax, 0(%rdi)
    mov %rcx, 8(%rdi)
    mov %rdx, 16(%rdi)
    mov %rbx, 24(%rdi)
    mov %rsp, 32(%rdi)
    mov %rbp, 40(%rdi)
    mov %rsi, 48(%rdi)
    mov %rdi, 56(%rdi)
    mov %r8, 64(%rdi)
    mov %r9, 72(%rdi)
    mov %r10, 80(%rdi)
    mov %r11, 88(%rdi)
    mov %r12, 96(%rdi)
    mov %r13, 104(%rdi)
    mov %r14, 112(%rdi)
    mov %r15, 120(%rdi)
    mov (%rsp), %rax
    mov %rax, 128(%rdi)
    pushfq
    pop %rax
    mov %rax, 136(%rdi)
    movabs $tt_finished, %rdi           /* the image sits at 512 GiB: 64-bit address */
    jmp tt_count
    .size tt_probe, . - tt_probe

    .section .note.GNU-stack, "", @progbits
