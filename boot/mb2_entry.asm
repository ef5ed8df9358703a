; Multiboot2 header and 32-bit entry. GRUB (BIOS or UEFI) enters here in
; 32-bit protected mode, paging off, eax = magic, ebx = MBI. We check for
; long mode, enable it on the early identity map from entry64.asm, and call
;   void mb2_main(uint32_t magic, uint32_t mbi)
bits 32

extern boot_pml4, boot_gdt_ptr, boot_enter_long64, boot_stack_top, kernel_entry_tsc, mb2_main
global mb2_start32

MB2_MAGIC   equ 0xe85250d6
MB2_ARCH    equ 0                   ; i386 protected mode
COM1        equ 0x3f8
%include "arch_offsets.inc"         ; SHUTDOWN_NO_LONGMODE (arch/x86/asm_offsets.c)

section .multiboot
align 8
mb2_header:
    dd MB2_MAGIC
    dd MB2_ARCH
    dd mb2_header_end - mb2_header
    dd 0x100000000 - (MB2_MAGIC + MB2_ARCH + (mb2_header_end - mb2_header))
align 8
    dw 3, 0                         ; entry address tag: our 32-bit entry,
    dd 12                           ; not the ELF's 64-bit e_entry
    dd mb2_start32
align 8
    dw 0, 0                         ; end tag
    dd 8
mb2_header_end:

section .text.boot
mb2_start32:
    cli
    mov edi, eax                    ; magic  -> first C argument
    mov esi, ebx                    ; mbi    -> second C argument
    rdtsc
    mov [kernel_entry_tsc], eax
    mov [kernel_entry_tsc + 4], edx

    ; Long mode present? CPUID 0x80000001 EDX bit 29.
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode

    mov eax, cr4
    or eax, 1 << 5                  ; PAE
    mov cr4, eax
    mov eax, boot_pml4
    mov cr3, eax
    mov ecx, 0xc0000080             ; EFER.LME
    rdmsr
    or eax, 1 << 8
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | 1           ; PG | PE
    mov cr0, eax
    mov esp, boot_stack_top         ; for the call below (a 64-bit push)
    lgdt [boot_gdt_ptr]             ; 32-bit form reads the low 4 base bytes
    jmp 0x08:.long_mode

.no_long_mode:
    mov esi, no_lm_msg
.putc:
    lodsb
    test al, al
    jz .exit
    mov ah, al
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov dx, COM1
    mov al, ah
    out dx, al
    jmp .putc
.exit:
    mov dx, 0xf4                    ; QEMU isa-debug-exit
    mov eax, SHUTDOWN_NO_LONGMODE
    out dx, eax
.halt:
    hlt
    jmp .halt

bits 64
.long_mode:
    mov rsp, boot_stack_top         ; upper half of rsp is not defined here
    call boot_enter_long64
    mov edi, edi                    ; zero-extend the 32-bit arguments
    mov esi, esi
    call mb2_main
.hang:
    hlt
    jmp .hang

section .rodata
no_lm_msg: db "hv: error: this CPU has no long mode (x86-64); cannot boot", 13, 10, 0
