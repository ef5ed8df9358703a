; hlt_irq [32-bit protected mode]: HLT wake-up by an injected interrupt.
; With IF=1 the kernel answers HLT by injecting external interrupt vector
; 0x30. The guest installs a handler that counts interrupts, then does
; `sti; hlt` (HLT sits in the STI interrupt shadow, so the kernel has to wait
; for the interrupt window before injecting).
; Console: "hlt_irq: halting with interrupts enabled, expecting vector 0x30"
; Exit status: 0 exactly one interrupt arrived, 2 otherwise.
        bits 32
        org 0x8000
%include "lib.inc"

VECTOR  equ 0x30
NVEC    equ VECTOR + 1              ; gates 0..0x30; all but 0x30 not present

start:  IDT_CLEAR NVEC
        IDT_GATE VECTOR, irq_handler
        lidt [idtr]
        PUTS msg
        sti
        hlt                         ; returns after the handler's IRET
        cli
        cmp dword [irq_count], 1
        jne .bad_count
        EXIT 0

.bad_count:
        EXIT 2

irq_handler:
        inc dword [irq_count]
        iretd

        align 4
irq_count: dd 0
idtr:   IDTR NVEC
msg:    db "hlt_irq: halting with interrupts enabled, expecting vector 0x30", 10, 0
