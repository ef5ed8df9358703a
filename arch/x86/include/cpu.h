/* Per-CPU descriptor tables and trap frames. */
#ifndef CPU_H
#define CPU_H

#include <stdint.h>

/* GDT layout; the user selectors are ordered for SYSRET (STAR). */
#define SEL_KCODE   0x08
#define SEL_KDATA   0x10
#define SEL_UCODE32 0x18
#define SEL_UDATA   0x20
#define SEL_UCODE   0x28
#define SEL_TSS     0x30
#define GDT_ENTRIES 9               /* TSS takes two slots */

/* IST slots (1-based in the IDT gate). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3
#define IST_STACK_SIZE   8192

#define VEC_SPURIOUS 0xff
#define VEC_TIMER    0xf0           /* the local APIC timer */
#define VEC_CONSOLE  0xe0           /* COM1's receive interrupt (ISA IRQ 4 via the I/O APIC) */

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

struct cpu_tables {
    uint64_t gdt[GDT_ENTRIES];
    struct tss tss;
};

/* Saved by arch/x86/isr.asm; the order matches its pushes. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
};

void gdt_init_cpu(struct cpu_tables *t, const uint64_t ist_tops[3]);
void gdt_init_boot(void);
void idt_init(void);
void idt_load(void);
void trap_dispatch(struct trap_frame *f);
/* Handle a hardware interrupt taken outside the IDT (e.g. acknowledged on VM exit). */
void irq_dispatch(uint8_t vector);
/*
 * The layers above plug in here, so that arch/ never names them: a handler
 * per interrupt vector (run after EOI), and the preemption point taken when
 * an interrupt returns to ring 3 with the per-CPU need_resched flag set.
 */
void trap_set_irq_handler(uint8_t vector, void (*fn)(void));
void trap_set_preempt_handler(void (*fn)(void));

void tss_set_rsp0(uint64_t rsp0);

/* arch/x86/switch.asm: save the callee-saved registers on the current stack and its
 * rsp in *save, switch to next_rsp. A new thread's frame returns into thread_trampoline,
 * which calls the function left in its r12 slot. */
void context_switch(uint64_t *save, uint64_t next_rsp);
void thread_trampoline(void);

/* arch/x86/syscall_entry.asm: first entry to ring 3 at rip with rsp, rdi = arg. */
__attribute__((noreturn)) void enter_user(uint64_t rip, uint64_t rsp, uint64_t arg);
/* SYSCALL: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9; the handler's
 * return value goes back in rax. Sets the SYSCALL MSRs and the handler entry calls. */
typedef int64_t (*syscall_handler_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                                      uint64_t a4, uint64_t a5, uint64_t nr);
void syscall_arch_init(syscall_handler_fn handler);

/* Frame-pointer backtrace from rbp, at most max frames. */
void backtrace_print(uint64_t rbp, int max);

#endif
