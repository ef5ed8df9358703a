; long64 [64-bit long mode]: prints a line, then checks CPUID filtering,
; MSR pass-through/emulation and the REX registers. All data is addressed
; RIP-relative (`default rel`).
; Console: "Hello from a 64-bit long-mode guest"
; Exit status: 0 ok,
;   1 leaf 1 ECX[31] (hypervisor) clear    2 leaf 1 ECX[5] (VMX) set
;   3 leaf 0x40000000 EAX < 0x40000000     4 signature not "HVMicroVisor"
;   5 FS_BASE read back differs            6 EFER.LME clear
;   7 EFER.LMA clear                       8 r8..r15 sum wrong
        bits 64
        default rel
        org 0x8000
%include "lib.inc"

MSR_EFER    equ 0xc0000080
MSR_FS_BASE equ 0xc0000100
FS_VALUE    equ 0x123456789abc

start:  PUTS msg

        ; CPUID: hypervisor bit set, VMX hidden, our signature.
        mov eax, 1
        xor ecx, ecx
        cpuid
        bt ecx, 31
        jnc .no_hv_bit
        bt ecx, 5
        jc .vmx_visible
        mov eax, 0x40000000
        xor ecx, ecx
        cpuid
        cmp eax, 0x40000000
        jb .bad_max_leaf
        cmp ebx, [signature]
        jne .bad_signature
        cmp ecx, [signature + 4]
        jne .bad_signature
        cmp edx, [signature + 8]
        jne .bad_signature

        ; FS_BASE passes through: WRMSR then RDMSR must give the value back.
        mov ecx, MSR_FS_BASE
        mov rax, [fs_value]
        mov rdx, rax
        shr rdx, 32                 ; EDX:EAX = value
        wrmsr
        xor eax, eax
        xor edx, edx
        rdmsr
        shl rdx, 32
        or rax, rdx                 ; RDMSR zeroed bits 63:32 of RAX and RDX
        cmp rax, [fs_value]
        jne .bad_fs_base

        ; EFER (emulated): long mode enabled and active.
        mov ecx, MSR_EFER
        rdmsr
        bt eax, 8
        jnc .no_lme
        bt eax, 10
        jnc .no_lma

        ; r8..r15: r(8+i) = (i+1) << (60 - 4i) | (i+1) << 4i, i = 0..6, so
        ; the sum has the digits 1..7 at both ends: 0x1234567007654321.
        mov r8,  0x1000000000000001
        mov r9,  0x0200000000000020
        mov r10, 0x0030000000000300
        mov r11, 0x0004000000004000
        mov r12, 0x0000500000050000
        mov r13, 0x0000060000600000
        mov r14, 0x0000007007000000
        mov r15, r8
        add r15, r9
        add r15, r10
        add r15, r11
        add r15, r12
        add r15, r13
        add r15, r14
        cmp r15, [expected_sum]
        jne .bad_sum
        EXIT 0

.no_hv_bit:     EXIT 1
.vmx_visible:   EXIT 2
.bad_max_leaf:  EXIT 3
.bad_signature: EXIT 4
.bad_fs_base:   EXIT 5
.no_lme:        EXIT 6
.no_lma:        EXIT 7
.bad_sum:       EXIT 8

        align 8
fs_value:     dq FS_VALUE
expected_sum: dq 0x1234567007654321
signature:    db "HVMicroVisor"        ; EBX, ECX, EDX
msg:          db "Hello from a 64-bit long-mode guest", 10, 0
