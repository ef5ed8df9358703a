; lapic_bench [32-bit protected mode]: the virtual local APIC's paths, timed
; from inside with RDTSC (under Bochs one tick is one instruction), for
; `make bench` (test=bench). Each figure is the mean over N, loop included:
;   xAPIC EOI          MOV to the EOI register of the xAPIC page (MMIO exit)
;   x2APIC EOI         WRMSR 0x80b with nothing in service
;   x2APIC EOI in service  the same WRMSR in the self-IPI handler, retiring its vector
;   TSC-deadline write WRMSR IA32_TSC_DEADLINE (a deadline far away)
;   timer delivery     the deadline passes -> the handler's first instruction
;   self-IPI           WRMSR SELF_IPI -> the handler's first instruction
; Prints one "bench: ..." line per path, then exits with 0.
        bits 32
        org 0x8000
%include "lib.inc"

APIC    equ 0xfee00000
N       equ 1000
NDELIV  equ 100
NVEC    equ 0x60

%macro WRMSR_IMM 3                  ; msr, eax, edx
        mov ecx, %1
        mov eax, %2
        mov edx, %3
        wrmsr
%endmacro

; PRINT label, total, count: "label mean (total / count)"
%macro PRINT 3
        PUTS %1
        mov eax, [%2]
        xor edx, edx
        mov ebx, %3
        div ebx
        PUTDEC32
        PUTS per_trip
        mov eax, [%2]
        PUTDEC32
        PUTS per_n
        mov eax, %3
        PUTDEC32
        PUTS close
%endmacro

start:  lgdt [gdtr]
        jmp CODE_SEL:.cs
.cs:    mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        IDT_CLEAR NVEC
        IDT_GATE 0x50, timer
        IDT_GATE 0x51, ipi
        lidt [idtr]
        mov dword [APIC + 0xf0], 0x1ff          ; software-enable

        ; xAPIC EOI (MMIO)
        rdtsc
        mov [t0], eax
        mov esi, N
.l1:    mov dword [APIC + 0xb0], 0
        dec esi
        jnz .l1
        rdtsc
        sub eax, [t0]
        mov [total], eax
        PRINT name_xeoi, total, N

        ; x2APIC from here
        mov ecx, 0x1b
        rdmsr
        or eax, 1 << 10
        wrmsr

        rdtsc
        mov [t0], eax
        mov esi, N
        xor eax, eax
        xor edx, edx
        mov ecx, 0x80b
.l2:    wrmsr
        dec esi
        jnz .l2
        rdtsc
        sub eax, [t0]
        mov [total], eax
        PRINT name_x2eoi, total, N

        WRMSR_IMM 0x832, 0x40050, 0             ; LVT timer: TSC-deadline, vector 0x50
        rdtsc
        mov [t0], eax
        mov esi, N
        mov ecx, 0x6e0
        mov eax, 0xffffffff
        mov edx, 0x7fffffff
.l3:    wrmsr
        dec esi
        jnz .l3
        rdtsc
        sub eax, [t0]
        mov [total], eax
        PRINT name_tscd, total, N
        WRMSR_IMM 0x6e0, 0, 0                   ; disarm

        ; Timer delivery: deadline = now + 3000, spin with IF=1 until the handler ran.
        mov dword [total], 0
        mov edi, NDELIV
        sti
.l4:    mov byte [fired], 0
        rdtsc
        add eax, 3000
        adc edx, 0
        mov [deadline], eax
        mov ecx, 0x6e0
        wrmsr
.spin4: cmp byte [fired], 0
        je .spin4
        mov eax, [tick]
        sub eax, [deadline]
        add [total], eax
        dec edi
        jnz .l4
        PRINT name_timer, total, NDELIV

        ; Self-IPI: WRMSR SELF_IPI -> handler.
        mov dword [total], 0
        mov edi, NDELIV
.l5:    mov byte [fired], 0
        rdtsc
        mov [t0], eax
        WRMSR_IMM 0x83f, 0x51, 0
.spin5: cmp byte [fired], 0
        je .spin5
        mov eax, [tick]
        sub eax, [t0]
        add [total], eax
        dec edi
        jnz .l5
        cli
        PRINT name_ipi, total, NDELIV
        PRINT name_eoi_isr, eoisum, NDELIV
        EXIT 0

timer:  push eax
        push edx
        rdtsc
        mov [tick], eax
        mov byte [fired], 1
        push ecx
        WRMSR_IMM 0x80b, 0, 0
        pop ecx
        pop edx
        pop eax
        iretd
ipi:    push eax
        push edx
        rdtsc
        mov [tick], eax
        mov byte [fired], 1
        push ecx
        rdtsc                                   ; time the EOI that retires 0x51
        mov [e0], eax
        WRMSR_IMM 0x80b, 0, 0
        rdtsc
        sub eax, [e0]
        add [eoisum], eax
        pop ecx
        pop edx
        pop eax
        iretd

        align 4
t0:     dd 0
total:  dd 0
tick:   dd 0
deadline: dd 0
e0:     dd 0
eoisum: dd 0
fired:  db 0
        align 4
idtr:   IDTR NVEC
        align 8
gdt:    dq 0, 0x00cf9b000000ffff, 0x00cf93000000ffff
gdtr:   dw 3 * 8 - 1
        dd gdt
name_xeoi:  db "bench: xAPIC EOI (MMIO write)            ", 0
name_x2eoi: db "bench: x2APIC EOI, nothing in service    ", 0
name_eoi_isr: db "bench: x2APIC EOI retiring a vector      ", 0
name_tscd:  db "bench: TSC-deadline write (WRMSR 0x6e0)  ", 0
name_timer: db "bench: timer deadline -> handler         ", 0
name_ipi:   db "bench: self-IPI (WRMSR 0x83f) -> handler ", 0
per_trip:   db " ticks (", 0
per_n:      db " ticks / ", 0
close:      db ")", 10, 0
