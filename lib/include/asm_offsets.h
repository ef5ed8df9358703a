/*
 * Constants the assembly shares with C (struct offsets, VMCS encodings,
 * selectors, ...) are defined once, in C. A layer's asm_offsets.c names each
 * with ASM_CONST; the Makefile compiles that file with -S (it is never
 * linked) and turns every marker into a NASM line
 *     %define NAME value    ; expression
 * in $(BUILD)/gen/<layer>/<name>_offsets.inc, which the layer's .asm files
 * %include.
 */
#ifndef ASM_OFFSETS_H
#define ASM_OFFSETS_H

#include <stddef.h>

/* The marker in the compiler's output: .ascii "->NAME value expression". */
#define ASM_CONST(name, value) \
    __asm__ volatile("\n.ascii \"->" #name " %c0 " #value "\"" : : "i"(value))

#endif
