/*
 * entry.S - Multiboot v1 header, entry point, GDT and exception stubs of the
 * C test guests. The loader enters _start in 32-bit protected mode, paging
 * off, EAX = 0x2BADB002, EBX = the Multiboot information; GDTR, IDTR and ESP
 * are undefined, so a GDT and a stack come first.
 */
#define MB_HEADER_MAGIC 0x1BADB002
#define MB_FLAGS        0x3             /* page-aligned modules, memory info */
#define CODE_SEL        0x08
#define DATA_SEL        0x10
#define STACK_SIZE      16384
/* Vectors for which the CPU pushes an error code: 8, 10-14, 17, 21, 29, 30. */
#define ERRCODE_VECTORS 0x60227D00

        .section .multiboot, "a"
        .balign 4
        .long MB_HEADER_MAGIC
        .long MB_FLAGS
        .long -(MB_HEADER_MAGIC + MB_FLAGS)

        .text
        .globl _start
_start:
        cli
        cld
        mov     %eax, %esi              /* keep the boot magic and the MBI */
        mov     %ebx, %ebp
        lgdt    gdt_desc
        ljmp    $CODE_SEL, $1f
1:      mov     $DATA_SEL, %ecx
        mov     %ecx, %ds
        mov     %ecx, %es
        mov     %ecx, %fs
        mov     %ecx, %gs
        mov     %ecx, %ss
        /* Zero .bss (the stack is in it); .bigbss is left to the loader. */
        mov     $__bss_start, %edi
        mov     $__bss_end, %ecx
        sub     %edi, %ecx
        xor     %eax, %eax
        rep stosb
        mov     $stack_top, %esp
        push    %ebp                    /* mbi */
        push    %esi                    /* magic */
        call    rt_start                /* does not return */
2:      cli
        hlt
        jmp     2b

/*
 * One stub per vector 0-255 (isr_H_L for vector 16 * H + L): push a dummy
 * error code where the CPU pushes none (only exceptions 8, 10-14, 17, 21, 29
 * and 30 push one; the guests take interrupts on vectors >= 32 only).
 */
        .macro ISR hi, lo
isr_\hi\()_\lo:
        .if (\hi >= 2) + (((1 << (\hi * 16 + \lo)) & ERRCODE_VECTORS) == 0)     /* "or" */
        push    $0
        .endif
        push    $(\hi * 16 + \lo)
        jmp     isr_common
        .endm

        .irp h, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        .irp l, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        ISR     \h, \l
        .endr
        .endr

/* Frame for rt_exception (struct rt_frame): pusha registers, vector, error code, EIP, CS, EFLAGS. */
isr_common:
        pusha
        cld
        push    %esp
        call    rt_exception            /* may change the saved EIP to resume elsewhere */
        add     $4, %esp
        popa
        add     $8, %esp                /* vector and error code */
        iret

        .section .rodata
        .balign 4
        .globl rt_isr_table
rt_isr_table:
        .irp h, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        .irp l, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        .long   isr_\h\()_\l
        .endr
        .endr

        .data
        .balign 8
/* Flat 4 GiB segments; accessed bits preset so the CPU never writes the table. */
gdt:    .quad   0
        .quad   0x00CF9B000000FFFF      /* 0x08: code, 32-bit */
        .quad   0x00CF93000000FFFF      /* 0x10: data */
gdt_end:
        .balign 4
        .word   0
gdt_desc:
        .word   gdt_end - gdt - 1
        .long   gdt

        .section .bss
        .balign 16
stack:  .skip   STACK_SIZE
stack_top:

        .section .note.GNU-stack, "", @progbits
