/*
 * What the assembly of arch/x86 (and boot/mb2_entry.asm above it) shares
 * with C, generated into arch_offsets.inc (see asm_offsets.h): the per-CPU
 * fields the SYSCALL entry uses, the trap frame isr.asm builds, the user
 * selectors and RFLAGS of the first entry to ring 3, and the shutdown status
 * of the 32-bit stub. Not kernel code: compiled with -S only.
 */
#include "asm_offsets.h"
#include "base.h"
#include "cpu.h"
#include "percpu.h"
#include "x86.h"

/* isr.asm pushes 15 registers, the vector and the error below the CPU's 5 words. */
_Static_assert(sizeof(struct trap_frame) == (15 + 2 + 5) * 8, "isr.asm fills the whole trap frame");
_Static_assert(sizeof(((struct percpu *)0)->kernel_rsp) == 8, "syscall_entry.asm: kernel_rsp is 8 bytes");
_Static_assert(sizeof(((struct percpu *)0)->user_rsp) == 8, "syscall_entry.asm: user_rsp is 8 bytes");

void asm_offsets(void);
void asm_offsets(void)
{
    /* syscall_entry.asm, through GS. */
    ASM_CONST(PERCPU_KERNEL_RSP, offsetof(struct percpu, kernel_rsp));
    ASM_CONST(PERCPU_USER_RSP, offsetof(struct percpu, user_rsp));

    /* isr.asm: where it finds the interrupted rbp and CS. */
    ASM_CONST(TRAP_FRAME_RBP, offsetof(struct trap_frame, rbp));
    ASM_CONST(TRAP_FRAME_VECTOR, offsetof(struct trap_frame, vector));
    ASM_CONST(TRAP_FRAME_RIP, offsetof(struct trap_frame, rip));
    ASM_CONST(TRAP_FRAME_CS, offsetof(struct trap_frame, cs));

    /* enter_user (syscall_entry.asm). */
    ASM_CONST(SEL_UCODE, SEL_UCODE);
    ASM_CONST(SEL_UDATA, SEL_UDATA);
    ASM_CONST(RFLAGS_IF, RFLAGS_IF);

    /* boot/mb2_entry.asm: no long mode. */
    ASM_CONST(SHUTDOWN_NO_LONGMODE, SHUTDOWN_NO_LONGMODE);
}
