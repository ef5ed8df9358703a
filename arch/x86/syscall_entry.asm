; SYSCALL entry: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9.
; Switches to the thread's kernel stack (per-CPU data through GS), keeps
; every user register but rax (status), rcx and r11 (SYSCALL's own), calls
;   int64_t syscall_handler(a0, a1, a2, a3, a4, a5, nr)
; (the function syscall_arch_init installed) and returns with SYSRET.
; Interrupts stay off (IA32_FMASK clears IF).
bits 64
default rel

global syscall_entry, enter_user, syscall_handler

%include "arch_offsets.inc"         ; PERCPU_*, SEL_*, RFLAGS_IF (arch/x86/asm_offsets.c)

section .bss
align 8
syscall_handler: resq 1             ; set by syscall_arch_init (arch/x86/syscall_msrs.c)

section .text
syscall_entry:
    swapgs
    mov [gs:PERCPU_USER_RSP], rsp
    mov rsp, [gs:PERCPU_KERNEL_RSP]
    push qword [gs:PERCPU_USER_RSP]
    push r11                        ; user rflags
    push rcx                        ; user rip
    push rbp
    xor ebp, ebp                    ; the kernel backtrace ends here
    push rdi
    push rsi
    push rdx
    push r10
    push r8
    push r9
    sub rsp, 8                      ; 16-byte alignment for the call
    push rax                        ; 7th argument: the number
    mov rcx, r10
    call [syscall_handler]
    add rsp, 16
    pop r9
    pop r8
    pop r10
    pop rdx
    pop rsi
    pop rdi
    pop rbp
    pop rcx
    pop r11
    pop rsp                         ; the user stack
    swapgs
    o64 sysret

; void enter_user(uint64_t rip, uint64_t rsp, uint64_t arg): first entry to ring 3.
enter_user:
    mov rax, rdi
    push SEL_UDATA | 3              ; SS: user data | RPL 3
    push rsi                        ; RSP
    push RFLAGS_IF | 2              ; RFLAGS: IF, bit 1
    push SEL_UCODE | 3              ; CS: 64-bit user code | RPL 3
    push rax                        ; RIP
    mov rdi, rdx
    xor eax, eax
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor ebp, ebp
    xor r8, r8
    xor r9, r9
    xor r10, r10
    xor r11, r11
    xor r12, r12
    xor r13, r13
    xor r14, r14
    xor r15, r15
    swapgs
    iretq
