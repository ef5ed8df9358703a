; Interrupt and exception entry stubs: push a uniform trap frame
; (struct trap_frame in include/cpu.h) and call trap_dispatch.
bits 64
default rel

extern trap_dispatch
global isr_table

%include "arch_offsets.inc"         ; TRAP_FRAME_* (arch/x86/asm_offsets.c)

section .text
; Vectors where the CPU pushes an error code.
%define HAS_ERR(v) ((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || (v) == 13 || (v) == 14 || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%assign v 0
%rep 256
isr_%+v:
%if HAS_ERR(v) == 0
    push 0
%endif
    push v
    jmp isr_common
%assign v v+1
%endrep

; From ring 3, GS holds the user's base: SWAPGS to the per-CPU data and back.
; (The CPU pushed ss, rsp, rflags, cs, rip; the stub error and vector.)
isr_common:
    test byte [rsp + TRAP_FRAME_CS - TRAP_FRAME_VECTOR], 3  ; the interrupted CS
    jz .kernel
    swapgs
.kernel:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rdi, rsp
    mov rbp, [rsp + TRAP_FRAME_RBP] ; interrupted rbp: backtrace continues through it
    mov rbx, rsp                    ; align the stack for the C call
    and rsp, -16
    call trap_dispatch
    mov rsp, rbx
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, TRAP_FRAME_RIP - TRAP_FRAME_VECTOR  ; vector, error
    test byte [rsp + TRAP_FRAME_CS - TRAP_FRAME_RIP], 3  ; back to ring 3?
    jz .iret
    swapgs
.iret:
    iretq

section .rodata
align 8
isr_table:
%assign v 0
%rep 256
    dq isr_%+v
%assign v v+1
%endrep
