/*
 * A small x86 instruction decoder for emulating memory-mapped I/O.
 *
 * An EPT violation reports the guest-physical address but not the
 * instruction length or its operands (the VM-exit instruction-length field
 * is undefined for EPT violations), so the hypervisor fetches the bytes at
 * guest CS:RIP and decodes them here. Only the plain moves between a
 * general-purpose register or an immediate and memory are recognised: the
 * forms compilers emit for MMIO accessors. Everything else is reported as
 * unsupported (or invalid, when the CPU itself would raise #UD/#GP), and the
 * caller decides what to do with the guest.
 *
 * Supported (the memory operand is a ModRM operand with mod != 3 unless
 * noted; 16-, 32- and 64-bit modes unless noted):
 *   88 /r        MOV r/m8, r8            store, register source
 *   89 /r        MOV r/m16/32/64, r      store, register source
 *   8A /r        MOV r8, r/m8            load
 *   8B /r        MOV r16/32/64, r/m      load
 *   C6 /0 ib     MOV r/m8, imm8          store, immediate source
 *   C7 /0 iw/id  MOV r/m16/32/64, imm    store, immediate (REX.W: imm32
 *                                        sign-extended to 64 bits)
 *   A0 / A1      MOV AL / rAX, moffs     load; no ModRM, the offset is as
 *                                        wide as the address size (8 bytes
 *                                        in 64-bit mode unless 67h)
 *   A2 / A3      MOV moffs, AL / rAX     store
 *   0F B6 / B7   MOVZX r, r/m8 / r/m16   load, zero-extended
 *   0F BE / BF   MOVSX r, r/m8 / r/m16   load, sign-extended
 *   63 /r        MOVSXD r, r/m32         load, sign-extended; 64-bit mode only
 *                                        (outside it 63 is ARPL: unsupported)
 *
 * Prefixes: 66 (operand size), 67 (address size), 2E 36 3E 26 64 65
 * (segment; the last one wins; in 64-bit mode 2E 36 3E 26 are ignored as the
 * SDM says), REX 40-4F in 64-bit mode only (it counts only when it directly
 * precedes the opcode or the 0F escape: a REX followed by any other prefix,
 * including another REX, is ignored, also for the byte-register rule).
 * Legacy prefixes may repeat and come in any order. F2/F3 (REP/REPNE, and
 * XACQUIRE/XRELEASE) on a supported opcode give HV_ERR_NOT_SUPPORTED; F0
 * (LOCK) on a supported opcode gives HV_ERR_INVALID_ARGS, because MOV, MOVZX,
 * MOVSX and MOVSXD raise #UD with LOCK.
 *
 * The decoder reads at most min(avail, 15) bytes and never past `avail`.
 * The effective address is not computed: the CPU reports the GPA.
 *
 * Pure: no libc, compiled into the freestanding kernel and the host tests.
 */
#ifndef INSN_DECODE_H
#define INSN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hv/status.h"

/* Longest legal x86 instruction; a longer one raises #GP. */
#define INSN_MAX_LEN 15

/*
 * Default operand and address size of the guest's code segment:
 *   INSN_MODE_64  EFER.LMA = 1 and CS.L = 1 (operands default to 32 bits,
 *                 addresses to 64, REX is recognised)
 *   INSN_MODE_32  protected/compatibility mode with CS.D = 1
 *   INSN_MODE_16  real mode, virtual-8086 mode, or CS.D = 0
 * The value is the default address size in bytes.
 */
enum insn_mode {
    INSN_MODE_16 = 2,
    INSN_MODE_32 = 4,
    INSN_MODE_64 = 8,
};

/*
 * Errors (hv_status_t, negative, so never a length: those are 1..15):
 *   HV_ERR_BUFFER_TOO_SMALL  needs more bytes than `avail` (<= 15)
 *   HV_ERR_NOT_SUPPORTED     may be valid, but not a form emulated here
 *   HV_ERR_INVALID_ARGS      the CPU would fault: longer than 15 bytes,
 *                            UD0/UD1/UD2, C6/C7 with reg != 0, LOCK on a
 *                            supported move; also an unknown `mode`
 */

/* Source of a store. */
enum insn_src {
    INSN_SRC_NONE = 0,          /* loads */
    INSN_SRC_REG  = 1,          /* store of register `reg` (low `size` bytes) */
    INSN_SRC_IMM  = 2,          /* store of `imm` */
};

/* Segment registers, numbered as in the ModRM sreg field and the VMCS. */
enum insn_seg {
    INSN_SEG_ES = 0,
    INSN_SEG_CS = 1,
    INSN_SEG_SS = 2,
    INSN_SEG_DS = 3,
    INSN_SEG_FS = 4,
    INSN_SEG_GS = 5,
};

/* One decoded memory move. */
struct insn_mem {
    uint8_t len;            /* instruction length in bytes, 1..15 */
    uint8_t size;           /* memory access size in bytes: 1, 2, 4 or 8 */
    bool write;             /* true: store to memory; false: load */
    uint8_t src_kind;       /* enum insn_src: INSN_SRC_NONE for loads */
    /*
     * General-purpose register: the load destination or the store source,
     * 0..15 = rAX, rCX, rDX, rBX, rSP, rBP, rSI, rDI, r8..r15 (REX.R
     * included). For A0-A3 it is 0 (AL/rAX). Unused (0) for immediate stores.
     */
    uint8_t reg;
    /*
     * The operand is AH, CH, DH or BH: bits 15:8 of register `reg` (0..3).
     * Only for 1-byte register operands (88, 8A) without an effective REX
     * prefix and ModRM.reg 4..7; with any REX those encodings are SPL, BPL,
     * SIL and DIL (reg 4..7, high8 false).
     */
    bool high8;
    /*
     * Immediate stores: the value written to memory, `size` bytes
     * zero-extended into the 64 bits, except for C7 with REX.W where imm32
     * is sign-extended to 64 bits as the CPU does. 0 otherwise.
     */
    uint64_t imm;
    /* Loads: the register is written with `dst_size` bytes, made from the
     * `size` loaded bytes by: */
    bool zero_extend;       /* MOVZX (0F B6/B7) */
    bool sign_extend;       /* MOVSX (0F BE/BF), MOVSXD (63) */
    /*
     * Loads: register width written, 1, 2, 4 or 8 (equal to `size` for
     * 8A/8B/A0/A1; MOVZX/MOVSX/MOVSXD with dst_size == size just copy).
     * Bytes of the register above dst_size are preserved, except that a
     * 4-byte write in 64-bit mode clears bits 63:32 — flagged by
     * `zero_upper32`. 0 for stores.
     */
    uint8_t dst_size;
    bool zero_upper32;
    uint8_t op_size;        /* operand-size attribute after 66h/REX.W: 2, 4, 8 */
    uint8_t addr_size;      /* address-size attribute after 67h: 2, 4 or 8 */
    /*
     * Segment of the access (enum insn_seg): the override when there is one
     * that counts, else SS for a base of (E)BP/(E)SP/RBP/RSP (16-bit: [bp+si],
     * [bp+di], [bp+disp]) and DS otherwise. In 64-bit mode only FS and GS
     * overrides count.
     */
    uint8_t seg;
    bool seg_override;      /* `seg` comes from a prefix */
    bool rip_relative;      /* 64-bit mode, ModRM mod=0 rm=5: [rIP + disp32] */
    bool has_modrm;         /* false for the moffs forms A0-A3 */
    uint16_t opcode;        /* 0x88.. or 0x0FB6..: for diagnostics */
};

/*
 * Decodes the instruction at bytes[0..avail). Returns HV_OK and fills *out,
 * or one of the errors above; *out is then zeroed. Never reads bytes[avail]
 * or beyond, nor more than 15 bytes. HV_ERR_BUFFER_TOO_SMALL means the bytes
 * end before the instruction does (fetch more, e.g. across a page boundary,
 * and retry); an unsupported opcode is reported as soon as it is seen, even
 * if the rest of the instruction is not there.
 */
hv_status_t insn_decode_mem(const uint8_t *bytes, size_t avail, enum insn_mode mode,
                            struct insn_mem *out);

/* Length (1..15) of a supported instruction, or one of the errors above. */
int insn_length(const uint8_t *bytes, size_t avail, enum insn_mode mode);

#endif
