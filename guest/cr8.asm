; cr8 [64-bit long mode]: CR8 is the task priority (SDM Vol. 3A 10.8.6.1:
; CR8[3:0] = TPR[7:4], a write clears TPR[3:0], bits 63:4 reserved) and masks
; vectors as TPR does (10.8.3: a vector goes in only when its class, bits 7:4,
; is above PPR's). Through the x2APIC MSRs: TPR 0x808, PPR 0x80a, EOI 0x80b,
; SELF_IPI 0x83f.
; Console: "cr8: CR8 masks vectors 0x45, 0x55 at 5 and lets them in at 4 and 0"
; Exit status: 0 ok,
;   1 CR8 read back differs     2 TPR after MOV CR8 not CR8 << 4
;   3 CR8 after a TPR write not TPR[7:4]
;   4 a vector at or below CR8's class went in     5 PPR not 0x50 at CR8 = 5
;   6 a vector above CR8's class did not go in (or the wrong one)
;   7 CR8 = 4 did not let 0x55 in at once (or let 0x45 in too)
;   8 CR8 = 0 did not let 0x45 in
;   9 MOV to CR8 with bit 4 set did not #GP, or changed CR8
        bits 64
        default rel
        org 0x8000
%include "lib.inc"

NVEC        equ 0x70
MSR_APIC_BASE equ 0x1b
MSR_TPR     equ 0x808
MSR_PPR     equ 0x80a
MSR_EOI     equ 0x80b
MSR_SVR     equ 0x80f
MSR_SELF_IPI equ 0x83f

; GATE64 vector, handler: 64-bit interrupt gate at IDT_BASE (16 bytes), CS 0x18.
%macro GATE64 2
        lea rax, [%2]
        mov [IDT_BASE + (%1) * 16], ax
        mov word [IDT_BASE + (%1) * 16 + 2], 0x18
        mov word [IDT_BASE + (%1) * 16 + 4], 0x8e00
        shr rax, 16
        mov [IDT_BASE + (%1) * 16 + 6], ax
        shr rax, 16
        mov [IDT_BASE + (%1) * 16 + 8], eax
        mov dword [IDT_BASE + (%1) * 16 + 12], 0
%endmacro

%macro SELF_IPI 1
        mov ecx, MSR_SELF_IPI
        mov eax, %1
        xor edx, edx
        wrmsr
%endmacro

%macro FAIL_IF 2                    ; condition, status
        j%1 fail_%2
%endmacro

start:  cld
        xor eax, eax
        mov edi, IDT_BASE
        mov ecx, NVEC * 16 / 4
        rep stosd
        GATE64 13, gp_handler
        GATE64 0x45, irq45
        GATE64 0x55, irq55
        GATE64 0x65, irq65
        lidt [idtr]

        mov ecx, MSR_APIC_BASE          ; x2APIC mode (enabled xAPIC -> x2APIC)
        rdmsr
        or eax, 1 << 10
        wrmsr
        mov ecx, MSR_SVR                ; software-enable
        mov eax, 0x1ff
        xor edx, edx
        wrmsr

        ; CR8 <-> TPR[7:4].
        mov eax, 5
        mov cr8, rax
        xor eax, eax
        mov rax, cr8
        cmp rax, 5
        FAIL_IF ne, 1
        mov ecx, MSR_TPR
        rdmsr
        cmp eax, 0x50
        FAIL_IF ne, 2
        mov ecx, MSR_TPR
        mov eax, 0x3c
        xor edx, edx
        wrmsr
        mov rax, cr8
        cmp rax, 3
        FAIL_IF ne, 3

        ; CR8 = 5: 0x45 and 0x55 (classes 4 and 5) wait in IRR.
        mov eax, 5
        mov cr8, rax
        sti
        SELF_IPI 0x45
        SELF_IPI 0x55
        mov ecx, 1000
.wait:  cmp byte [count], 0
        FAIL_IF ne, 4
        dec ecx
        jnz .wait
        mov ecx, MSR_PPR
        rdmsr
        cmp eax, 0x50
        FAIL_IF ne, 5

        ; 0x65 (class 6) goes in past them.
        SELF_IPI 0x65
        mov ecx, 100
.wait65: cmp byte [count], 1
        je .got65
        dec ecx
        jnz .wait65
        jmp fail_6
.got65: cmp byte [log], 0x65
        FAIL_IF ne, 6

        ; CR8 = 4 lets 0x55 in before the next instruction, not 0x45.
        mov eax, 4
        mov cr8, rax
        cmp byte [count], 2
        FAIL_IF ne, 7
        cmp byte [log + 1], 0x55
        FAIL_IF ne, 7
        ; CR8 = 0 lets 0x45 in.
        xor eax, eax
        mov cr8, rax
        cmp byte [count], 3
        FAIL_IF ne, 8
        cmp byte [log + 2], 0x45
        FAIL_IF ne, 8
        cli

        ; Bits 63:4 are reserved: #GP, CR8 unchanged.
        mov eax, 0x12
        mov cr8, rax                    ; 44 0f 22 c0: the #GP handler skips 4 bytes
        cmp byte [gp_count], 1
        FAIL_IF ne, 9
        mov rax, cr8
        test rax, rax
        FAIL_IF nz, 9

        PUTS msg
        EXIT 0

fail_1: EXIT 1
fail_2: EXIT 2
fail_3: EXIT 3
fail_4: EXIT 4
fail_5: EXIT 5
fail_6: EXIT 6
fail_7: EXIT 7
fail_8: EXIT 8
fail_9: EXIT 9

; Each handler logs its vector and EOIs.
%macro IRQ 1
irq%1:  push rax
        push rcx
        push rdx
        movzx eax, byte [count]
        lea rcx, [log]
        mov byte [rcx + rax], 0x%1
        inc byte [count]
        mov ecx, MSR_EOI
        xor eax, eax
        xor edx, edx
        wrmsr
        pop rdx
        pop rcx
        pop rax
        iretq
%endmacro
        IRQ 45
        IRQ 55
        IRQ 65

gp_handler:
        inc byte [gp_count]
        add qword [rsp + 8], 4          ; past the MOV to CR8 (error code at [rsp])
        add rsp, 8
        iretq

        align 8
idtr:   dw NVEC * 16 - 1
        dq IDT_BASE
count:  db 0
gp_count: db 0
log:    times 8 db 0
msg:    db "cr8: CR8 masks vectors 0x45, 0x55 at 5 and lets them in at 4 and 0", 10, 0
