; benchio [32-bit protected mode]: the platform paths of the root task's VMM,
; measured from inside the guest with RDTSC (under Bochs one tick is one
; instruction). Each loop is N exits that travel to the VMM and back:
;   fw_cfg byte read   IN from port 0x511 (fw_cfg data, signature selected)
;   unknown-port IN    IN from port 0x1234, which no device claims (all ones)
;   MMIO load          a load from 0xc0000000, above RAM, claimed by nobody
; Prints "start" at once, then one "bench: ..." line per path on port 0xe9,
; then exits with 0.
        bits 32
        org 0x8000
%include "lib.inc"

N       equ 2000

; BENCH_BEGIN / BENCH_END label: time N runs of the code between them (which
; keeps ECX), then print the line named by label.
%macro BENCH_BEGIN 0
        rdtsc
        mov [t0], eax
        mov ecx, N
%%loop:
%push bench
%define %$loop %%loop
%endmacro

%macro BENCH_END 1
        dec ecx
        jnz %$loop
%pop
        rdtsc
        sub eax, [t0]
        mov [total], eax
        PUTS %1
        mov eax, [total]
        xor edx, edx
        mov ebx, N
        div ebx
        PUTDEC32
        PUTS per_trip
        mov eax, [total]
        PUTDEC32
        PUTS per_n
%endmacro

start:  PUTS hello                  ; first: `make bench` times make run up to this line
        mov dx, 0x510               ; select the fw_cfg signature item
        xor eax, eax
        out dx, ax
        mov dx, 0x511
        BENCH_BEGIN
        in al, dx
        BENCH_END name_fwcfg
        mov dx, 0x1234
        BENCH_BEGIN
        in al, dx
        BENCH_END name_port
        BENCH_BEGIN
        mov eax, [0xc0000000]
        BENCH_END name_mmio
        EXIT 0

hello:      db "start", 10, 0
t0:         dd 0
total:      dd 0
name_fwcfg: db "bench: fw_cfg byte read to the VMM   ", 0
name_port:  db "bench: unknown-port IN to the VMM   ", 0
name_mmio:  db "bench: MMIO load outside RAM        ", 0
per_trip:   db " ticks per round trip (", 0
per_n:      db " ticks / 2000)", 10, 0
