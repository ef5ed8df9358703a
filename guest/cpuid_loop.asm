; cpuid_loop [32-bit protected mode]: CPUID benchmark, then checks the
; filtered values the kernel presents.
; Exit status: 0 ok, 1 leaf 1 ECX[31] (hypervisor) clear, 2 leaf 1 ECX[5]
; (VMX) set, 3 leaf 0x40000000 EAX < 0x40000000, 4/5/6 EBX/ECX/EDX is not
; "HVMi"/"croV"/"isor".
        bits 32
        org 0x8000
%include "lib.inc"

N       equ 10000

start:  mov esi, N                  ; CPUID clobbers EAX, EBX, ECX, EDX only
.loop:  xor eax, eax                ; leaf 0
        cpuid
        dec esi
        jnz .loop

        mov eax, 1
        xor ecx, ecx
        cpuid
        test ecx, 1 << 31
        jz .no_hv_bit
        test ecx, 1 << 5
        jnz .vmx_visible

        mov eax, 0x40000000
        xor ecx, ecx
        cpuid
        cmp eax, 0x40000000
        jb .bad_max_leaf
        cmp ebx, 'HVMi'             ; nasm string constants are little-endian
        jne .bad_ebx
        cmp ecx, 'croV'
        jne .bad_ecx
        cmp edx, 'isor'
        jne .bad_edx
        EXIT 0

.no_hv_bit:    EXIT 1
.vmx_visible:  EXIT 2
.bad_max_leaf: EXIT 3
.bad_ebx:      EXIT 4
.bad_ecx:      EXIT 5
.bad_edx:      EXIT 6
