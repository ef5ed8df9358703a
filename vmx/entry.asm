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

VMCS_HOST_RSP equ 0x6c14
V_CR2         equ 128
V_LAUNCHED    equ 136
V_ATTENTION   equ 137
%define R(n) [rdi + (n) * 8]

%macro LOAD_GUEST_GPRS 0
    mov rax, R(0)
    mov rcx, R(1)
    mov rdx, R(2)
    mov rbx, R(3)
    mov rbp, R(5)
    mov rsi, R(6)
    mov r8, R(8)
    mov r9, R(9)
    mov r10, R(10)
    mov r11, R(11)
    mov r12, R(12)
    mov r13, R(13)
    mov r14, R(14)
    mov r15, R(15)
    mov rdi, R(7)
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
    mov rax, [rdi + V_CR2]
    mov cr2, rax
    cmp byte [rdi + V_LAUNCHED], 0
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
    mov R(0), rax
    mov R(1), rcx
    mov R(2), rdx
    mov R(3), rbx
    mov R(5), rbp
    mov R(6), rsi
    mov R(8), r8
    mov R(9), r9
    mov R(10), r10
    mov R(11), r11
    mov R(12), r12
    mov R(13), r13
    mov R(14), r14
    mov R(15), r15
    pop qword R(7)
    call vmx_handle_exit            ; rsp is 16-byte aligned here
    mov rdi, [rsp]
    test eax, eax
    jz .to_caller
    cmp byte [rdi + V_ATTENTION], 0
    je vmx_resume_guest
    call vmx_attention              ; events to inject, or a kick
    mov rdi, [rsp]
    test eax, eax
    jnz vmx_resume_guest
.to_caller:
    mov byte [rdi + V_LAUNCHED], 1
    mov rax, cr2
    mov [rdi + V_CR2], rax
    xor eax, eax
    jmp vmx_leave
