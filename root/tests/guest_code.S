/*
 * Tiny 32-bit guests for the hypercall self-test (root/tests/hypercalls.c).
 * Each one is copied into guest RAM at TG_CODE_GPA (0x8000) and entered
 * there by hv_vcpu_create in the Multiboot machine state (flat 32-bit
 * protected mode, paging off, interrupts off). They live in .rodata: the
 * root task never executes them, it copies their bytes. An absolute guest
 * address inside a blob is written A(blob, label) = label - blob + 0x8000.
 *
 * Symbols: tg_NAME (first byte) and tg_NAME_end, plus tg_NAME_<point>
 * labels the test uses to compute expected rips and instruction bytes.
 */
#define CODE_GPA 0x8000
#define A(blob, l) ((l) - (blob) + CODE_GPA)
#define BLOB(name) .globl name, name##_end; name:
#define END(name) name##_end:
#define LABEL(name) .globl name; name:

    .section .rodata.tg, "a", @progbits
    .code32

/* OUT to a trapped port, then HLT. */
BLOB(tg_out_hlt)
    mov $0x78, %al                      /* 'x' */
    out %al, $0xe9
    outw %ax, $0xe9                     /* 16-bit OUT: data = ax */
LABEL(tg_out_hlt_hlt)
    hlt
LABEL(tg_out_hlt_after)
END(tg_out_hlt)

/* Three INs of sizes 1, 2 and 4 (the last with the port in DX), then HLT. */
BLOB(tg_in)
    in $0x61, %al
    mov %eax, %ebx
    in $0x62, %ax
    mov %eax, %ecx
    mov $0x64, %dx
    in (%dx), %eax
    hlt
LABEL(tg_in_after)
END(tg_in)

/* MMIO stores and loads in a MEM trap at 0xfeb00000. */
BLOB(tg_mmio)
LABEL(tg_mmio_st32)
    movl $0xdeadbeef, 0xfeb00004
    mov $0x1122, %bx
LABEL(tg_mmio_st16)
    mov %bx, 0xfeb00010
LABEL(tg_mmio_ld32)
    mov 0xfeb00020, %ecx
LABEL(tg_mmio_ld8zx)
    movzbl 0xfeb00030, %edx
LABEL(tg_mmio_st8)
    mov %dl, 0xfeb00031
    hlt
LABEL(tg_mmio_after)
END(tg_mmio)

/* A store to untrapped, unmapped guest memory. */
BLOB(tg_mmio_untrapped)
    movl $1, 0xfec00000
    hlt
END(tg_mmio_untrapped)

/* OUT to a port outside every trap. */
BLOB(tg_out_untrapped)
    out %al, $0x80
LABEL(tg_out_untrapped_next)
    hlt
LABEL(tg_out_untrapped_after)
END(tg_out_untrapped)

/* Loads its own GDT (the VMM puts a flat one at 0x500) and an IDT at 0x6000,
 * enables interrupts and halts; the VMM queues vector 0x40 whose handler
 * outputs 'I'; after the HLT it outputs 'D' and halts again. */
BLOB(tg_irq)
    lgdt A(tg_irq, 1f)
    lidt A(tg_irq, 2f)
LABEL(tg_irq_sti)                       /* entry when the VMM sets GDTR/IDTR itself */
    sti
    hlt
LABEL(tg_irq_after_hlt)
    mov $0x44, %al                      /* 'D' */
    out %al, $0xe9
    cli
    hlt
LABEL(tg_irq_handler)
    push %eax
    mov $0x49, %al                      /* 'I' */
    out %al, $0xe9
    pop %eax
    iret
    .p2align 2
1:  .word 31                            /* GDTR: 4 descriptors at 0x500 */
    .long 0x500
2:  .word 0x40 * 8 + 7                  /* IDTR: vectors 0..0x40 at 0x6000 */
    .long 0x6000
END(tg_irq)

/* 2000 CPUIDs (finished in the kernel), then HLT: a guest a kick can cut short. */
BLOB(tg_spin)
    mov $2000, %esi
1:  xor %eax, %eax
    cpuid
    dec %esi
    jnz 1b
    hlt
LABEL(tg_spin_after)
END(tg_spin)

/* HLT as the very first instruction. */
BLOB(tg_hlt)
    hlt
LABEL(tg_hlt_after)
    hlt
END(tg_hlt)

/* #UD with no IDT: #GP, #DF, triple fault. */
BLOB(tg_ud)
    ud2
END(tg_ud)

/* One store to RAM at 0x2000 (for protect/unmap tests), then HLT. */
BLOB(tg_store)
LABEL(tg_store_insn)
    movl $0x600dd00d, 0x2000
    hlt
LABEL(tg_store_after)
END(tg_store)

/* Writes the SYSCALL MSRs and KERNEL_GS_BASE (which the kernel switches for guests),
 * turns EFER.SCE on, reads LSTAR back into EDI:ESI and halts; then reads
 * KERNEL_GS_BASE into EBX and STAR's high half into EBP and halts again. */
BLOB(tg_msr)
    mov $0xc0000082, %ecx               /* LSTAR */
    mov $0x12345000, %eax
    mov $0x00007fff, %edx
    wrmsr
    mov $0xc0000081, %ecx               /* STAR */
    mov $0x89abcdef, %eax
    mov $0x00330028, %edx
    wrmsr
    mov $0xc0000084, %ecx               /* FMASK */
    mov $0x00047700, %eax
    xor %edx, %edx
    wrmsr
    mov $0xc0000102, %ecx               /* KERNEL_GS_BASE */
    mov $0xabcd0000, %eax
    xor %edx, %edx
    wrmsr
    mov $0xc0000083, %ecx               /* CSTAR */
    mov $0x0badc000, %eax
    xor %edx, %edx
    wrmsr
    mov $0xc0000080, %ecx               /* EFER.SCE */
    rdmsr
    or $1, %eax
    wrmsr
    mov $0xc0000082, %ecx
    rdmsr
    mov %eax, %esi
    mov %edx, %edi
    hlt
LABEL(tg_msr_second)
    mov $0xc0000102, %ecx
    rdmsr
    mov %eax, %ebx
    mov $0xc0000081, %ecx
    rdmsr
    mov %edx, %ebp
    hlt
LABEL(tg_msr_after)
END(tg_msr)

/* Counts ECX down to 0, then HLT: a guest that runs as long as the VMM asks (about
 * ECX * 2 instructions), for kicks and interrupts from another thread. */
BLOB(tg_count)
1:  dec %ecx
    jnz 1b
    hlt
LABEL(tg_count_after)
END(tg_count)

/* Loads its GDT and an IDT at 0x6000 (the VMM writes gate 0x40), enables interrupts
 * and counts ECX down. Vector 0x40's handler outputs 'I' on port 0xe9; if the count
 * runs out first, the guest outputs 'T' there and halts. */
BLOB(tg_irq_spin)
    lgdt A(tg_irq_spin, 1f)
    lidt A(tg_irq_spin, 2f)
    sti
3:  dec %ecx
    jnz 3b
    mov $0x54, %al                      /* 'T' */
    out %al, $0xe9
    hlt
LABEL(tg_irq_spin_handler)
    mov $0x49, %al                      /* 'I' */
    out %al, $0xe9
    iret
    .p2align 2
1:  .word 31
    .long 0x500
2:  .word 0x40 * 8 + 7
    .long 0x6000
END(tg_irq_spin)

/* ECX stores to EBX, EBX + 8, EBX + 16, ... (bell-trap pages: packets), HLT; then
 * one load from ESI (a bell page: an EPT violation for the VMM) and HLT again. */
BLOB(tg_bell)
1:  mov %ecx, (%ebx)
    add $8, %ebx
    dec %ecx
    jnz 1b
    hlt
LABEL(tg_bell_read)
    mov (%esi), %eax
LABEL(tg_bell_read_end)
    hlt
LABEL(tg_bell_after)
END(tg_bell)

/* Turns SSE on, puts EBX in XMM0, stops at OUT 0x80 (the VMM runs other vCPUs meanwhile),
 * then reports XMM0's low dword with a 32-bit OUT to 0x81 and halts. */
BLOB(tg_sse)
    mov %cr4, %eax
    or $0x600, %eax                     /* OSFXSR | OSXMMEXCPT */
    mov %eax, %cr4
    mov %cr0, %eax
    and $~4, %eax                       /* EM off */
    or $2, %eax                         /* MP on */
    mov %eax, %cr0
    movd %ebx, %xmm0
    mov %ebx, %eax
    out %al, $0x80
    movd %xmm0, %eax
    out %eax, $0x81
    hlt
END(tg_sse)

/* Loads its GDT and IDT, halts with IF=0 (the VMM sees HLT); after it outputs 'D' and
 * halts again. The NMI handler (gate 2, set by the VMM) enables interrupts and outputs
 * 'N' (an external interrupt may come in while NMIs are blocked); the interrupt handler
 * (gate 0x40) outputs 'I'. */
BLOB(tg_nmi)
    lgdt A(tg_nmi, 1f)
    lidt A(tg_nmi, 2f)
    hlt
LABEL(tg_nmi_after_hlt)
    mov $0x44, %al                      /* 'D' */
    out %al, $0xe9
    hlt
LABEL(tg_nmi_end_hlt)
LABEL(tg_nmi_handler)
    sti
    mov $0x4e, %al                      /* 'N' */
    out %al, $0xe9
    iret
LABEL(tg_nmi_irq_handler)
    mov $0x49, %al                      /* 'I' */
    out %al, $0xe9
    iret
    .p2align 2
1:  .word 31
    .long 0x500
2:  .word 0x40 * 8 + 7
    .long 0x6000
END(tg_nmi)

/* Software-enables its local APIC through the xAPIC page (SVR = 0x1ff), enables
 * interrupts and halts in a loop. The handler (gate 0x40) outputs 'I' and writes EOI. */
BLOB(tg_eoi)
    lgdt A(tg_eoi, 1f)
    lidt A(tg_eoi, 2f)
    movl $0x1ff, 0xfee000f0
    sti
3:  hlt
LABEL(tg_eoi_after_hlt)
    jmp 3b
LABEL(tg_eoi_handler)
    push %eax
    mov $0x49, %al                      /* 'I' */
    out %al, $0xe9
    movl $0, 0xfee000b0                 /* EOI */
LABEL(tg_eoi_after_eoi)
    pop %eax
    iret
    .p2align 2
1:  .word 31
    .long 0x500
2:  .word 0x40 * 8 + 7
    .long 0x6000
END(tg_eoi)

/* ECX OUTs to port 0x80, then HLT (exit counting). */
BLOB(tg_outs)
1:  out %al, $0x80
    dec %ecx
    jnz 1b
    hlt
LABEL(tg_outs_after)
END(tg_outs)

/* STI and HLT: asleep in the kernel while a deadline is set. */
BLOB(tg_sti_hlt)
    sti
    hlt
LABEL(tg_sti_hlt_after)
    hlt
END(tg_sti_hlt)

/* For root/bench: halts with IF=1 in a loop; the handler (gate 0x40) reads the TSC
 * first and reports its low half with a 32-bit OUT to port 0x81. */
BLOB(tg_bench_irq)
    lgdt A(tg_bench_irq, 1f)
    lidt A(tg_bench_irq, 2f)
    sti
3:  hlt
    jmp 3b
LABEL(tg_bench_irq_handler)
    rdtsc
    out %eax, $0x81
    iret
    .p2align 2
1:  .word 31
    .long 0x500
2:  .word 0x40 * 8 + 7
    .long 0x6000
END(tg_bench_irq)

    .section .note.GNU-stack, "", @progbits
