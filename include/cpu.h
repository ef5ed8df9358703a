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

/* Saved by kernel/isr.asm; the order matches its pushes. */
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

/* Frame-pointer backtrace from rbp, at most max frames. */
void backtrace_print(uint64_t rbp, int max);

#endif
