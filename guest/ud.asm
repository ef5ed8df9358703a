; ud [32-bit protected mode]: UD2 raises #UD, which the kernel intercepts in
; test mode, reports and stops the guest.
; Console: "ud: executing ud2"
; Expected outcome: #UD exit. Exit status 0x97 means UD2 was skipped.
        bits 32
        org 0x8000
%include "lib.inc"

start:  PUTS msg
        ud2
        EXIT 0x97

msg:    db "ud: executing ud2", 10, 0
