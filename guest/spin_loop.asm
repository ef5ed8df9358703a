; spin_loop [32-bit protected mode]: long stretches of guest execution
; between fast-path exits, for the VMX preemption-timer test: N rounds of
; SPIN DEC/JNZ iterations followed by a CPUID (absorbed by the kernel), so
; the guest spends its time in non-root mode, not in exit round trips (Bochs
; advances time in quanta of instructions: short guest stretches between
; exits may all fall inside one quantum and never move the timer).
; Exit status: 0 ok, 1 a spin counter ended non-zero.
        bits 32
        org 0x8000
%include "lib.inc"

N       equ 1000
SPIN    equ 200

start:  mov esi, N
.round: mov ecx, SPIN
.spin:  dec ecx
        jnz .spin
        test ecx, ecx
        jnz .bad
        xor eax, eax                ; CPUID clobbers EAX, EBX, ECX, EDX
        cpuid
        dec esi
        jnz .round
        EXIT 0

.bad:   EXIT 1
