; out_loop [32-bit protected mode]: port-I/O benchmark, N times
; `out 0x80, al` (absorbed by the kernel). Exit status 0.
        bits 32
        org 0x8000
%include "lib.inc"

N       equ 10000

start:  mov ecx, N
.loop:  out BENCH_PORT, al
        dec ecx
        jnz .loop
        EXIT 0
