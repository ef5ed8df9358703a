; bad_cr0 [32-bit protected mode]: MOV to CR0 with PG=1 and PE=0 must raise
; #GP in the guest. The guest's #GP handler exits with status 13.
; Console: "bad_cr0: setting CR0.PG=1 with CR0.PE=0, expecting #GP"
; Exit status: 13 ok (#GP delivered), 0x98 the MOV to CR0 completed.
        bits 32
        org 0x8000
%include "lib.inc"

NVEC    equ 14                      ; gates 0..13; only #GP (13) present

start:  IDT_CLEAR NVEC
        IDT_GATE 13, gp_handler
        lidt [idtr]
        PUTS msg
        mov eax, cr0
        and eax, ~1                 ; PE = 0
        or eax, 0x80000000          ; PG = 1
        mov cr0, eax                ; #GP
        EXIT 0x98

gp_handler:                         ; error code on the stack: never returns
        EXIT 13

        align 2
idtr:   IDTR NVEC
msg:    db "bad_cr0: setting CR0.PG=1 with CR0.PE=0, expecting #GP", 10, 0
