; 64-bit kernel entry (ELF e_entry), used by the EFI loader:
;   void entry64(struct boot_info *bi)  -- SysV ABI, interrupts off.
; Leaves the firmware's page tables and GDT (they live in memory the frame
; allocator will hand out) for the kernel's own early ones, then calls C.
bits 64
default rel

extern kernel_entry_tsc
global entry64, boot_enter_long64, boot_stack_top, boot_pml4, boot_gdt_ptr
extern efi_entry

BOOT_STACK_SIZE equ 16384

section .text.boot
entry64:
    cli
    mov r12, rdi                    ; keep bi across rdtsc
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov [kernel_entry_tsc], rax
    mov rax, boot_pml4
    mov cr3, rax
    call boot_enter_long64
    mov rdi, r12
    call efi_entry
.hang:
    hlt
    jmp .hang

; Load the early GDT and segment registers, switch to the boot stack.
; Called with a valid stack; returns on the boot stack. Clobbers rax, rcx.
boot_enter_long64:
    pop rcx                         ; return address
    lgdt [boot_gdt_ptr]
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top
    xor ebp, ebp                    ; end of the backtrace chain
    push 0x08
    lea rax, [.reload_cs]
    push rax
    retfq
.reload_cs:
    jmp rcx

section .data
align 16

align 16
boot_gdt:
    dq 0                            ; null
    dq 0x00af9a000000ffff           ; 0x08: 64-bit code, ring 0
    dq 0x00cf92000000ffff           ; 0x10: data, ring 0
boot_gdt_end:
boot_gdt_ptr:                       ; also read by the 32-bit stub: limit, base
    dw boot_gdt_end - boot_gdt - 1
    dq boot_gdt

align 4096
boot_pml4:
    dq boot_pdpt + 3
    times 511 dq 0
boot_pdpt:
    dq boot_pd + 0x0000 + 3
    dq boot_pd + 0x1000 + 3
    dq boot_pd + 0x2000 + 3
    dq boot_pd + 0x3000 + 3
    times 508 dq 0
boot_pd:
%assign i 0
%rep 2048
    dq (i << 21) | 0x83             ; present, writable, 2 MiB
%assign i i+1
%endrep

section .bss
align 16
boot_stack:
    resb BOOT_STACK_SIZE
boot_stack_top:
