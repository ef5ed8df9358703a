; beyond_ram [32-bit protected mode]: jumps to 0x40000000, which is not
; guest RAM: the instruction fetch exits as an EPT violation and the kernel
; reports it and stops the guest.
; Console: "beyond_ram: jumping to 0x40000000"
; Expected outcome: EPT violation on an instruction fetch at GPA 0x40000000.
; Nothing follows the jump.
        bits 32
        org 0x8000
%include "lib.inc"

TARGET  equ 0x40000000

start:  PUTS msg
        mov eax, TARGET
        jmp eax                     ; FF E0

msg:    db "beyond_ram: jumping to 0x40000000", 10, 0
