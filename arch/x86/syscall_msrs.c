/* SYSCALL set-up: the MSRs, and which C function the entry stub calls. */
#include "cpu.h"
#include "x86.h"

extern void syscall_entry(void);

/* In arch/x86/syscall_entry.asm, beside the indirect call that reads it (which costs
 * what a direct call does). */
extern syscall_handler_fn syscall_handler;

void syscall_arch_init(syscall_handler_fn handler)
{
    syscall_handler = handler;
    /* SYSCALL: CS 0x08, SS 0x10. SYSRET: CS = 0x18 + 16 = 0x28, SS = 0x18 + 8 = 0x20 (RPL 3). */
    wrmsr(MSR_STAR, (uint64_t)(SEL_UCODE32 | 3) << 48 | (uint64_t)SEL_KCODE << 32);
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    /* Interrupts, traps, direction, alignment check off on entry. */
    wrmsr(MSR_FMASK, RFLAGS_IF | (1u << 8) | (1u << 10) | (1u << 18));
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}
