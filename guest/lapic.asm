; lapic [32-bit protected mode]: the virtual local APIC in xAPIC mode, MMIO at
; 0xfee00000, emulated in the kernel (vmx/lapic.c). Checks: the version
; register; a self-IPI through ICR arrives at once; TPR = 0x50 holds vector
; 0x41 in IRR and lowering TPR lets it in; a one-shot timer fires once, no
; earlier than programmed and within 1% of it (RDTSC, the clock ratio from
; CPUID leaf 0x15); a periodic timer fires 10 times at its period within 1%;
; the guest HLTs with IF=1 between ticks (the kernel must keep it asleep in
; the kernel, not return HLT to its VMM). ICR details (10.6.1): delivery mode
; NMI to self reaches the NMI handler (gate 2); a fixed self-IPI with an
; illegal vector (0-15) delivers nothing and sets ESR bit 5 "send illegal
; vector" (seen after a write to ESR, 10.5.3); a reserved delivery mode (011b)
; is ignored and the guest goes on.
; Then x2APIC mode (IA32_APIC_BASE.EXTD, shown in CPUID): version and LDR
; MSRs, a self-IPI through SELF_IPI (0x83f) and through ICR (0x830), TPR
; (0x808) masking, EOI through MSR 0x80b, and a TSC-deadline timer
; (IA32_TSC_DEADLINE) that fires within 1% and reads 0 afterwards.
; Console: "lapic: one-shot N ticks (expected E), periodic P ticks (expected Q)",
; "lapic: TSC-deadline D ticks (expected 600000)"
; Exit status: 0 all good; 1..14 the check that failed.
        bits 32
        org 0x8000
%include "lib.inc"

APIC      equ 0xfee00000
NVEC      equ 0x60
ONESHOT   equ 500000              ; timer counts (divide by 1)
PERIOD    equ 50000
NPERIODS  equ 10
DEADLINE  equ 600000              ; TSC ticks

start:  lgdt [gdtr]                     ; our own: under the root task's VMM
        jmp CODE_SEL:.cs                ; GDTR is not set up (Multiboot state)
.cs:    mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        IDT_CLEAR NVEC
        IDT_GATE 0x40, ipi40
        IDT_GATE 0x41, ipi41
        IDT_GATE 0x42, ipi42
        IDT_GATE 0x43, ipi43
        IDT_GATE 0x44, ipi44
        IDT_GATE 0x50, timer
        IDT_GATE 2, nmi
        IDT_GATE 5, bad5
        lidt [idtr]
        PUTS msg

        ; TSC ticks per timer count: CPUID.15H EBX/EAX (1:1 when the leaf is empty).
        mov eax, 0x15
        xor ecx, ecx
        cpuid
        test eax, eax
        jz .ratio_done
        test ebx, ebx
        jz .ratio_done
        mov [ratio_den], eax
        mov [ratio_num], ebx
.ratio_done:

        mov eax, [APIC + 0x30]
        cmp eax, 0x50014
        jne fail1
        mov dword [APIC + 0xf0], 0x1ff          ; SVR: software-enable, spurious 0xff
        sti

        ; Self-IPI through ICR (shorthand self, fixed, vector 0x40).
        mov dword [APIC + 0x300], 0x40040
        nop
        cmp dword [cnt40], 1
        jne fail2

        ; TPR 0x50 holds vector 0x41 (class 4) in IRR.
        mov dword [APIC + 0x80], 0x50
        mov dword [APIC + 0x300], 0x40041
        nop
        cmp dword [cnt41], 0
        jne fail3
        mov eax, [APIC + 0x220]                 ; IRR bits 0x40..0x5f
        test eax, 2
        jz fail3
        mov dword [APIC + 0x80], 0
        nop
        cmp dword [cnt41], 1
        jne fail4
        mov eax, [APIC + 0xa0]                  ; PPR back to 0, ISR empty
        test eax, eax
        jnz fail4

        ; NMI through ICR: shorthand self, delivery mode NMI (100b), vector 0.
        mov dword [APIC + 0x300], 0x40400
        nop
        cmp dword [cntnmi], 1
        jne fail12
        ; Illegal vector 5, fixed, self: nothing arrives; ESR bit 5 after a write to ESR.
        mov dword [APIC + 0x280], 0             ; latch and clear what was there
        mov dword [APIC + 0x300], 0x40005
        nop
        cmp dword [cnt5], 0
        jne fail13
        mov dword [APIC + 0x280], 0
        mov eax, [APIC + 0x280]
        test eax, 0x20                          ; send illegal vector
        jz fail13
        mov dword [APIC + 0x280], 0
        mov eax, [APIC + 0x280]                 ; nothing new since: 0
        test eax, eax
        jnz fail13
        ; Reserved delivery mode 011b: ignored, nothing arrives, the guest goes on.
        mov dword [APIC + 0x300], 0x40340
        nop
        cmp dword [cnt40], 1
        jne fail14
        mov eax, [APIC + 0x100 + 0x20]          ; ISR and IRR of 0x40..0x5f: clear
        mov ebx, [APIC + 0x200 + 0x20]          ; (plain loads: what the MMIO decoder takes)
        or eax, ebx
        jnz fail14

        ; One-shot timer, divide by 1, vector 0x50.
        mov dword [APIC + 0x3e0], 0xb
        mov dword [APIC + 0x320], 0x50
        rdtsc
        mov [t0], eax
        mov dword [APIC + 0x380], ONESHOT
.wait1: hlt
        cmp dword [cnt50], 1
        jb .wait1
        mov eax, [tick]
        sub eax, [t0]
        mov [oneshot_ticks], eax
        mov eax, ONESHOT
        call expected
        mov [oneshot_exp], eax
        mov ebx, [oneshot_ticks]
        cmp ebx, eax
        jb fail5                                ; early
        call within_1pct
        jc fail5
        mov eax, [APIC + 0x390]                 ; current count: 0 after one shot
        test eax, eax
        jnz fail6

        ; Periodic timer: NPERIODS interrupts, one period apart.
        mov dword [cnt50], 0
        mov dword [APIC + 0x320], 0x20050
        mov dword [APIC + 0x380], PERIOD
.wait2: hlt
        cmp dword [cnt50], 1
        jb .wait2
        mov eax, [tick]
        mov [t0], eax
.wait3: hlt
        cmp dword [cnt50], NPERIODS + 1
        jb .wait3
        mov dword [APIC + 0x320], 0x10000       ; masked: stop
        mov dword [APIC + 0x380], 0
        mov eax, [tick]
        sub eax, [t0]
        mov [periodic_ticks], eax
        mov eax, PERIOD * NPERIODS
        call expected
        mov [periodic_exp], eax
        mov ebx, [periodic_ticks]
        call within_1pct
        jc fail7

; ---- x2APIC mode (IA32_APIC_BASE.EXTD): the same through MSRs ----------------------
        mov eax, 1
        cpuid
        bt ecx, 21                              ; x2APIC
        jnc fail8
        bt ecx, 24                              ; TSC-deadline
        jnc fail8
        cli
        mov ecx, 0x1b
        rdmsr
        or eax, 1 << 10
        wrmsr
        mov byte [x2mode], 1
        sti
        mov ecx, 0x803                          ; version
        rdmsr
        cmp eax, 0x50014
        jne fail8
        mov ecx, 0x80d                          ; LDR: cluster 0, bit 0 (ID 0)
        rdmsr
        cmp eax, 1
        jne fail8

        mov ecx, 0x83f                          ; SELF_IPI
        mov eax, 0x42
        xor edx, edx
        wrmsr
        nop
        cmp dword [cnt42], 1
        jne fail9
        mov ecx, 0x830                          ; ICR: destination 0 (us) in EDX, vector 0x43
        mov eax, 0x43
        xor edx, edx
        wrmsr
        nop
        cmp dword [cnt43], 1
        jne fail9

        mov ecx, 0x808                          ; TPR 0x50 holds 0x44
        mov eax, 0x50
        xor edx, edx
        wrmsr
        mov ecx, 0x83f
        mov eax, 0x44
        wrmsr
        nop
        cmp dword [cnt44], 0
        jne fail10
        mov ecx, 0x808
        xor eax, eax
        wrmsr
        nop
        cmp dword [cnt44], 1
        jne fail10

        ; TSC-deadline mode: LVT timer mode 10b, IA32_TSC_DEADLINE = now + DEADLINE.
        mov dword [cnt50], 0
        mov ecx, 0x832
        mov eax, 0x40050
        xor edx, edx
        wrmsr
        rdtsc
        mov [t0], eax
        add eax, DEADLINE
        adc edx, 0
        mov ecx, 0x6e0
        wrmsr
.wait4: hlt
        cmp dword [cnt50], 1
        jb .wait4
        mov eax, [tick]
        sub eax, [t0]
        mov [deadline_ticks], eax
        cmp eax, DEADLINE
        jb fail11                               ; early
        mov ebx, eax
        mov eax, DEADLINE
        call within_1pct
        jc fail11
        mov ecx, 0x6e0                          ; reads 0 once it fired
        rdmsr
        or eax, edx
        jnz fail11
        cli

        PUTS m_res1
        mov eax, [oneshot_ticks]
        PUTDEC32
        PUTS m_res2
        mov eax, [oneshot_exp]
        PUTDEC32
        PUTS m_res3
        mov eax, [periodic_ticks]
        PUTDEC32
        PUTS m_res2
        mov eax, [periodic_exp]
        PUTDEC32
        PUTS m_res5
        mov eax, [deadline_ticks]
        PUTDEC32
        PUTS m_res6
        EXIT 0

fail1:  EXIT 1
fail2:  EXIT 2
fail3:  EXIT 3
fail4:  EXIT 4
fail5:  EXIT 5
fail6:  EXIT 6
fail7:  EXIT 7
fail8:  EXIT 8
fail9:  EXIT 9
fail10: EXIT 10
fail11: EXIT 11
fail12: EXIT 12
fail13: EXIT 13
fail14: EXIT 14

; EAX = counts -> EAX = TSC ticks (counts * num / den).
expected:
        mul dword [ratio_num]
        div dword [ratio_den]
        ret

; CF set unless |EBX - EAX| <= EAX / 100.
within_1pct:
        push eax
        mov ecx, eax
        xor edx, edx
        push ebx
        mov ebx, 100
        div ebx
        pop ebx                                 ; EAX = 1% of expected
        sub ebx, ecx
        jns .pos
        neg ebx
.pos:   cmp eax, ebx                            ; CF when 1% < |diff|
        pop eax
        ret

; EOI: the MMIO register in xAPIC mode, MSR 0x80b (value 0) in x2APIC mode.
eoi:    cmp byte [x2mode], 0
        jne .msr
        mov dword [APIC + 0xb0], 0
        ret
.msr:   push eax
        push ecx
        push edx
        mov ecx, 0x80b
        xor eax, eax
        xor edx, edx
        wrmsr
        pop edx
        pop ecx
        pop eax
        ret

ipi40:  inc dword [cnt40]
        call eoi
        iretd
ipi41:  inc dword [cnt41]
        call eoi
        iretd
ipi42:  inc dword [cnt42]
        call eoi
        iretd
ipi43:  inc dword [cnt43]
        call eoi
        iretd
ipi44:  inc dword [cnt44]
        call eoi
        iretd
nmi:    inc dword [cntnmi]                      ; no EOI for an NMI (10.8.1)
        iretd
bad5:   inc dword [cnt5]
        iretd
timer:  push eax
        push edx
        rdtsc
        mov [tick], eax
        inc dword [cnt50]
        call eoi
        pop edx
        pop eax
        iretd

        align 4
cnt40:  dd 0
cnt41:  dd 0
cnt50:  dd 0
cnt42:  dd 0
cnt43:  dd 0
cnt44:  dd 0
cntnmi: dd 0
cnt5:   dd 0
x2mode: db 0
        align 4
deadline_ticks: dd 0
t0:     dd 0
tick:   dd 0
ratio_num: dd 1
ratio_den: dd 1
oneshot_ticks: dd 0
oneshot_exp: dd 0
periodic_ticks: dd 0
periodic_exp: dd 0
idtr:   IDTR NVEC
        align 8
gdt:    dq 0, 0x00cf9b000000ffff, 0x00cf93000000ffff
gdtr:   dw 3 * 8 - 1
        dd gdt
msg:    db "lapic: xAPIC and x2APIC self-IPI, TPR, one-shot, periodic and TSC-deadline timer with HLT", 10, 0
m_res1: db "lapic: one-shot ", 0
m_res2: db " ticks (expected ", 0
m_res3: db "), periodic ", 0
m_res5: db ")", 10, "lapic: TSC-deadline ", 0
m_res6: db " ticks (expected 600000)", 10, 0
