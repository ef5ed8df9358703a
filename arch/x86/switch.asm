; Thread switch: the callee-saved registers go on the old thread's kernel
; stack, its rsp into *save; the new thread's registers come off its stack.
; Interrupts are off in the kernel, so RFLAGS needs no saving.
bits 64
default rel

global context_switch, thread_trampoline

section .text
; void context_switch(uint64_t *save, uint64_t next_rsp)
context_switch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
    mov rsp, rsi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; A new thread's first switch returns here (kernel/thread.c builds that frame,
; with the C function to run in r12: the layer above names it, not this file).
thread_trampoline:
    xor ebp, ebp                    ; the backtrace ends here
    call r12                        ; does not return
    ud2
