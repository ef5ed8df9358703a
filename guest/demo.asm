; demo [Multiboot v1 kernel, a.out kludge]: the guest `make run` shows.
; An ordinary Multiboot kernel: checks the boot magic, reads the memory size
; from the Multiboot information, drives a 16550 UART on COM1 by polling
; LSR.THRE (the root task emulates it on trapped ports), and reports its
; status on the exit port 0xf4.
bits 32
org 0x100000

MB_MAGIC   equ 0x1badb002
MB_FLAGS   equ (1 << 1) | (1 << 16)     ; memory info; load by the address fields below
COM1       equ 0x3f8
EXIT_PORT  equ 0xf4

header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
    dd header                           ; header_addr
    dd header                           ; load_addr
    dd load_end                         ; load_end_addr
    dd bss_end                          ; bss_end_addr
    dd start                            ; entry_addr

start:
    mov esp, stack_top
    mov [mbi], ebx
    cmp eax, 0x2badb002
    jne .bad_magic
    call uart_init
    mov esi, hello
    call puts
    mov ebx, [mbi]
    test dword [ebx], 1 << 0            ; flags.mem valid?
    jz .no_mem
    mov esi, mem_msg
    call puts
    mov eax, [ebx + 8]                  ; mem_upper, KiB above 1 MiB
    shr eax, 10
    add eax, 1                          ; plus the first MiB
    call putdec
    mov esi, mib
    call puts
    mov eax, 0
    out EXIT_PORT, eax
.halt:
    cli
    hlt
    jmp .halt
.no_mem:
    mov eax, 2
    out EXIT_PORT, eax
    jmp .halt
.bad_magic:
    mov eax, 1
    out EXIT_PORT, eax
    jmp .halt

uart_init:                              ; 115200 8N1, FIFOs on
    mov dx, COM1 + 1
    xor al, al
    out dx, al                          ; IER: no interrupts
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al                          ; LCR: DLAB
    mov dx, COM1
    mov al, 1
    out dx, al                          ; DLL
    mov dx, COM1 + 1
    xor al, al
    out dx, al                          ; DLM
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al                          ; LCR: 8N1
    mov dx, COM1 + 2
    mov al, 0xc7
    out dx, al                          ; FCR
    ret

putc:                                   ; al = character
    mov ah, al
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20                       ; LSR.THRE
    jz .wait
    mov dx, COM1
    mov al, ah
    out dx, al
    ret

puts:                                   ; esi = NUL-terminated string
    lodsb
    test al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

putdec:                                 ; eax = unsigned number
    mov ecx, 10
    xor edi, edi
.digits:
    xor edx, edx
    div ecx
    push edx
    inc edi
    test eax, eax
    jnz .digits
.print:
    pop eax
    add al, '0'
    call putc
    dec edi
    jnz .print
    ret

hello:   db "Hello from a Multiboot kernel, through a 16550 the root task emulates", 10, 0
mem_msg: db "Multiboot says the machine has ", 0
mib:     db " MiB of RAM", 10, 0

align 4
load_end:
absolute load_end                       ; bss: in memory, not in the file
mbi:    resd 1
        resb 4096
stack_top:
bss_end:
