; mmio_loop [32-bit protected mode]: MMIO benchmark on the test register at
; 0xfeb00000 (not in EPT: every access exits and is emulated by the kernel).
; One store, then N loads that must return the stored value.
; Exit status: 0 ok, 1 a load returned something else.
        bits 32
        org 0x8000
%include "lib.inc"

N       equ 10000
MMIO    equ 0xfeb00000
PATTERN equ 0x5a5aa5a5

start:  mov dword [MMIO], PATTERN   ; C7 05 disp32 imm32
        mov ecx, N
.loop:  mov eax, [MMIO]             ; A1 moffs32
        cmp eax, PATTERN
        jne .mismatch
        dec ecx
        jnz .loop
        EXIT 0

.mismatch:
        EXIT 1
