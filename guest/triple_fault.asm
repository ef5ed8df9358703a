; triple_fault [32-bit protected mode]: with an IDT of limit 0, INT3 cannot
; be delivered (#GP), nor can the #GP (#DF), nor the #DF: triple fault. The
; kernel reports it and stops the guest; nothing after INT3 may run.
; Console: "triple_fault: zero-limit IDT, executing int3"
; Expected outcome: triple-fault exit. Exit status 0x99 means the guest
; went on running after INT3 (a wrong hypervisor).
        bits 32
        org 0x8000
%include "lib.inc"

start:  PUTS msg
        lidt [null_idtr]
        int3
        EXIT 0x99

null_idtr:
        dw 0                        ; limit 0: no vector fits
        dd 0
msg:    db "triple_fault: zero-limit IDT, executing int3", 10, 0
