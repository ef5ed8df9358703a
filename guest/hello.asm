; hello [32-bit protected mode]: prints one line and exits with status 0.
; Console: "Hello from a 32-bit protected-mode guest"
        bits 32
        org 0x8000
%include "lib.inc"

start:  PUTS msg
        EXIT 0

msg:    db "Hello from a 32-bit protected-mode guest", 10, 0
