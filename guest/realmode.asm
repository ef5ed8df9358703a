; realmode [16-bit real mode]: prints a line, then proves it runs in real
; mode: CR0.PE is clear and a segment register holds a paragraph number
; (DS = 0x0800 addresses linear 0x8000; in protected mode loading 0x0800
; into DS would fault, the GDT has no such descriptor). Then RDMSR of an
; unknown MSR: the kernel's #GP arrives through the real-mode IVT (without an
; error code: VM entry refuses one while CR0.PE = 0).
; Console: "Hello from real mode"
; Exit status: 0 ok, 1 CR0.PE set, 2 DS:offset did not reach 0x8000+offset,
;   3 RDMSR of an unknown MSR did not fault, 4 the #GP frame is not at RDMSR.
        bits 16
        org 0x8000
%include "lib.inc"

start:  xor ax, ax
        mov ds, ax                  ; DS = 0: SI holds the linear address
        cld
        mov si, msg
.next:  lodsb
        test al, al
        jz .printed
        out CONSOLE_PORT, al
        jmp .next

.printed:
        smsw ax                     ; low word of CR0
        test al, 1                  ; PE
        jnz .protected

        mov ax, 0x0800              ; base 0x0800 * 16 = 0x8000 = $$
        mov ds, ax
        cmp dword [marker - $$], MARKER
        jne .bad_segment
        xor ax, ax
        mov ds, ax

        mov word [13 * 4], .gp_handler  ; IVT vector 13 -> 0000:.gp_handler
        mov word [13 * 4 + 2], 0
        mov ecx, 0x12345678
.rdmsr: rdmsr
        EXIT 3

.gp_handler:                        ; IP, CS, FLAGS on the stack, no error code
        mov bp, sp
        cmp word [bp], .rdmsr       ; a fault: IP is the RDMSR's
        jne .bad_frame
        EXIT 0                      ; 66 B8 imm32, 66 E7 F4

.protected:   EXIT 1
.bad_segment: EXIT 2
.bad_frame:   EXIT 4

MARKER  equ 'REAL'
marker: dd MARKER
msg:    db "Hello from real mode", 10, 0
