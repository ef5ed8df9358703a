; VM entry and exit. vmx_enter saves the host's callee-saved registers and
; loads guest CR2 once, then enters the guest. On an exit (HOST_RIP =
; vmx_exit_stub, HOST_RSP = the stack below) it saves the guest GPRs and
; calls vmx_handle_exit; when that says resume and no event needs
; attention, it goes straight back with VMRESUME: the fast path touches
; nothing else. Only when leaving for the caller are CR2 and the launched
; state written back (a host page fault is fatal, so CR2 still holds the
; guest's value then).
bits 64
default rel

extern vmx_handle_exit, vmx_attention
global vmx_enter, vmx_exit_stub

%include "vmx_offsets.inc"          ; VCPU_*, VMCS_HOST_RSP (vmx/asm_offsets.c)
%define R(reg) [rdi + VCPU_ %+ reg]

%macro LOAD_GUEST_GPRS 0
    mov rax, R(RAX)
    mov rcx, R(RCX)
    mov rdx, R(RDX)
    mov rbx, R(RBX)
    mov rbp, R(RBP)
    mov rsi, R(RSI)
    mov r8, R(R8)
    mov r9, R(R9)
    mov r10, R(R10)
    mov r11, R(R11)
    mov r12, R(R12)
    mov r13, R(R13)
    mov r14, R(R14)
    mov r15, R(R15)
    mov rdi, R(RDI)
%endmacro

section .text
; int vmx_enter(struct vcpu *v): 0 when the exit handler asked to leave,
; 1 on VMfailInvalid, 2 on VMfailValid.
vmx_enter:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    push rdi                        ; [rsp] = vcpu, found again on every exit
    mov rax, VMCS_HOST_RSP
    vmwrite rax, rsp
    jbe vmx_fail
    mov rax, [rdi + VCPU_CR2]
    mov cr2, rax
    cmp byte [rdi + VCPU_LAUNCHED], 0
    jne vmx_resume_guest
    LOAD_GUEST_GPRS
    vmlaunch
    jmp vmx_fail

vmx_resume_guest:                   ; rdi = vcpu
    LOAD_GUEST_GPRS
    vmresume

vmx_fail:                           ; CF: VMfailInvalid, ZF: VMfailValid
    mov eax, 1
    jc vmx_leave
    mov eax, 2
vmx_leave:
    pop rdi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

vmx_exit_stub:
    push rdi
    mov rdi, [rsp + 8]
    mov R(RAX), rax
    mov R(RCX), rcx
    mov R(RDX), rdx
    mov R(RBX), rbx
    mov R(RBP), rbp
    mov R(RSI), rsi
    mov R(R8), r8
    mov R(R9), r9
    mov R(R10), r10
    mov R(R11), r11
    mov R(R12), r12
    mov R(R13), r13
    mov R(R14), r14
    mov R(R15), r15
    pop qword R(RDI)
    call vmx_handle_exit            ; rsp is 16-byte aligned here
    mov rdi, [rsp]
    test eax, eax
    jz .to_caller
    cmp byte [rdi + VCPU_ATTENTION], 0
    je vmx_resume_guest
    call vmx_attention              ; events to inject, or a kick
    mov rdi, [rsp]
    test eax, eax
    jnz vmx_resume_guest
.to_caller:
    mov byte [rdi + VCPU_LAUNCHED], 1
    mov rax, cr2
    mov [rdi + VCPU_CR2], rax
    xor eax, eax
    jmp vmx_leave
