; ept_scan [32-bit protected mode]: touches unmapped guest-physical memory.
; For every A = 0x00200000 (end of RAM), +1 MiB, ..., 0xfdf00000 (the scan
; stops before 0xfe000000, so it never reaches the test MMIO page at
; 0xfeb00000, the IOAPIC or the LAPIC): read [A] (must be 0xffffffff),
; write 0x11111111 to [A+4], read [A+4] (must still be 0xffffffff: writes
; are dropped). Each access exits as an EPT violation and the kernel counts
; them.
;   steps    = (0xfe000000 - 0x00200000) / 0x00100000 = 4062
;   accesses = 3 * 4062 = 12186 EPT-violation exits
; Console: "ept_scan: 12186 accesses beyond RAM, all exited"
;   or, on failure, "ept_scan: read 0xVVVVVVVV at 0xAAAAAAAA"
; Exit status: 0 every read returned all ones, 1 otherwise.
        bits 32
        org 0x8000
%include "lib.inc"

SCAN_START equ 0x00200000           ; first byte after the 2 MiB of RAM
SCAN_END   equ 0xfe000000           ; exclusive
STEP       equ 0x00100000
MMIO_PAGE  equ 0xfeb00000
FILL       equ 0x11111111
STEPS      equ (SCAN_END - SCAN_START) / STEP
ACCESSES   equ 3 * STEPS

%if MMIO_PAGE >= SCAN_START && MMIO_PAGE < SCAN_END
%error "the scan would hit the test MMIO page: skip its 1 MiB block"
%endif
%if ACCESSES != 12186
%error "update the access count documented above"
%endif

start:  mov ebx, SCAN_START
        xor ebp, ebp                ; accesses made
.next:  mov edi, ebx                ; address of the next access
        mov eax, [ebx]              ; 8B 03: load
        inc ebp
        cmp eax, 0xffffffff
        jne .fail
        mov dword [ebx + 4], FILL   ; C7 43 04 imm32: store (dropped)
        inc ebp
        lea edi, [ebx + 4]
        mov eax, [ebx + 4]          ; 8B 43 04: load
        inc ebp
        cmp eax, 0xffffffff
        jne .fail
        add ebx, STEP
        cmp ebx, SCAN_END
        jb .next

        PUTS msg_count              ; "ept_scan: <accesses> accesses ..."
        mov eax, ebp
        PUTDEC32
        PUTS msg_ok
        EXIT 0

.fail:  mov ebp, eax                ; value read (PUTS clobbers ESI)
        PUTS msg_read
        mov eax, ebp
        PUTHEX32
        PUTS msg_at
        mov eax, edi
        PUTHEX32
        mov al, 10
        out CONSOLE_PORT, al
        EXIT 1

msg_count: db "ept_scan: ", 0
msg_ok:    db " accesses beyond RAM, all exited", 10, 0
msg_read:  db "ept_scan: read 0x", 0
msg_at:    db " at 0x", 0
