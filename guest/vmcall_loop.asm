; vmcall_loop [32-bit protected mode]: VMCALL benchmark.
; Runs N VMCALLs (the kernel absorbs each one, advances RIP and returns
; RAX = 0), then checks that the kernel preserved the other registers.
; Exit status: 0 ok, 1 EAX != 0, 2 EBX, 3 ESI, 4 EDI, 5 EBP, 6 EDX changed.
        bits 32
        org 0x8000
%include "lib.inc"

N         equ 10000
MAGIC_EBX equ 0xb0b1b2b3
MAGIC_ESI equ 0x51525354
MAGIC_EDI equ 0xd0d1d2d3
MAGIC_EBP equ 0xb4b5b6b7
MAGIC_EDX equ 0xd4d5d6d7

start:  mov ebx, MAGIC_EBX
        mov esi, MAGIC_ESI
        mov edi, MAGIC_EDI
        mov ebp, MAGIC_EBP
        mov edx, MAGIC_EDX
        mov eax, 0xffffffff         ; must read 0 after the VMCALLs
        mov ecx, N

.loop:  vmcall
        dec ecx
        jnz .loop

        test eax, eax
        jnz .bad_eax
        cmp ebx, MAGIC_EBX
        jne .bad_ebx
        cmp esi, MAGIC_ESI
        jne .bad_esi
        cmp edi, MAGIC_EDI
        jne .bad_edi
        cmp ebp, MAGIC_EBP
        jne .bad_ebp
        cmp edx, MAGIC_EDX
        jne .bad_edx
        EXIT 0

.bad_eax: EXIT 1
.bad_ebx: EXIT 2
.bad_esi: EXIT 3
.bad_edi: EXIT 4
.bad_ebp: EXIT 5
.bad_edx: EXIT 6
