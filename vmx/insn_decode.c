/*
 * x86 decoder for the memory moves an MMIO access can come from (see
 * insn_decode.h). Layout of an instruction (Intel SDM Vol. 2, chapter 2):
 *   legacy prefixes, REX (64-bit mode), opcode (1 byte, or 0F + 1 byte),
 *   ModRM, SIB, displacement, immediate — or, for A0-A3, a moffs operand
 *   as wide as the address size in place of ModRM.
 * Pure: no libc.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "insn_decode.h"

#define REX_W 0x8
#define REX_R 0x4
#define REX_B 0x1

struct cursor {
    const uint8_t *bytes;
    size_t avail;
    size_t pos;                 /* next byte to read */
};

/*
 * Can `n` more bytes be read at c->pos? An instruction may not go past
 * 15 bytes (that is #GP, reported as invalid whatever `avail` is); within
 * that limit, bytes past `avail` make it truncated.
 */
static hv_status_t need(const struct cursor *c, size_t n)
{
    size_t end = c->pos + n;
    if (end > INSN_MAX_LEN)
        return HV_ERR_INVALID_ARGS;
    if (end > c->avail)
        return HV_ERR_BUFFER_TOO_SMALL;
    return HV_OK;
}

/* Little-endian value of n (<= 8) bytes at c->pos; advances. need() first. */
static uint64_t take(struct cursor *c, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)c->bytes[c->pos + i] << (8 * i);
    c->pos += n;
    return v;
}

static bool supported_opcode(uint16_t op, enum insn_mode mode)
{
    switch (op) {
    case 0x88: case 0x89: case 0x8a: case 0x8b:
    case 0xc6: case 0xc7:
    case 0xa0: case 0xa1: case 0xa2: case 0xa3:
    case 0x0fb6: case 0x0fb7: case 0x0fbe: case 0x0fbf:
        return true;
    case 0x63:                  /* MOVSXD; ARPL outside 64-bit mode */
        return mode == INSN_MODE_64;
    default:
        return false;
    }
}

/* Opcodes defined to raise #UD: UD2, UD1, UD0. */
static bool undefined_opcode(uint16_t op)
{
    return op == 0x0f0b || op == 0x0fb9 || op == 0x0fff;
}

/*
 * ModRM (already read: mod != 3), SIB and displacement. Sets the default
 * segment and rip_relative; leaves the cursor after the displacement.
 */
static hv_status_t skip_address(struct cursor *c, enum insn_mode mode, uint8_t modrm,
                        uint8_t rex, struct insn_mem *m)
{
    unsigned mod = modrm >> 6, rm = modrm & 7;
    size_t disp = 0;
    bool ss = false;

    if (m->addr_size == 2) {
        /* 16-bit addressing: no SIB; mod=0 rm=6 is [disp16]. */
        if (mod == 0 && rm == 6)
            disp = 2;
        else
            disp = mod == 1 ? 1 : mod == 2 ? 2 : 0;
        ss = rm == 2 || rm == 3 || (rm == 6 && mod != 0);  /* BP-based */
    } else {
        bool has_base = true;
        unsigned base = rm;
        if (rm == 4) {
            hv_status_t r = need(c, 1);
            if (r)
                return r;
            base = (unsigned)take(c, 1) & 7;
            if (base == 5 && mod == 0) {        /* [index*scale + disp32] */
                has_base = false;
                disp = 4;
            }
        } else if (rm == 5 && mod == 0) {        /* [disp32] or [rIP+disp32] */
            has_base = false;
            disp = 4;
            m->rip_relative = mode == INSN_MODE_64;
        }
        if (mod == 1)
            disp = 1;
        else if (mod == 2)
            disp = 4;
        /* REX.B picks r12/r13 instead of rSP/rBP (DS, not SS). */
        if (has_base && !(rex & REX_B))
            ss = base == 4 || base == 5;
    }
    m->seg = ss ? INSN_SEG_SS : INSN_SEG_DS;
    hv_status_t r = need(c, disp);
    if (r)
        return r;
    c->pos += disp;
    return HV_OK;
}

static hv_status_t decode(const uint8_t *bytes, size_t avail, enum insn_mode mode,
                  struct insn_mem *m)
{
    struct cursor c = { bytes, avail, 0 };
    bool lock = false, rep = false, opsize = false, addrsize = false;
    int seg = -1;
    uint8_t rex = 0, b;
    hv_status_t r;

    if (mode != INSN_MODE_16 && mode != INSN_MODE_32 && mode != INSN_MODE_64)
        return HV_ERR_INVALID_ARGS;

    /* Prefixes. A REX counts only if the opcode follows it directly. */
    for (;;) {
        if ((r = need(&c, 1)))
            return r;
        b = bytes[c.pos];
        if (mode == INSN_MODE_64 && (b & 0xf0) == 0x40) {
            rex = b;
            c.pos++;
            continue;
        }
        switch (b) {
        case 0xf0: lock = true; break;
        case 0xf2: case 0xf3: rep = true; break;
        case 0x66: opsize = true; break;
        case 0x67: addrsize = true; break;
        case 0x26: case 0x2e: case 0x36: case 0x3e:
            /* ES CS SS DS overrides are ignored in 64-bit mode. */
            if (mode != INSN_MODE_64)
                seg = (b >> 3) & 3;         /* 26→0 ES, 2E→1, 36→2, 3E→3 */
            break;
        case 0x64: seg = INSN_SEG_FS; break;
        case 0x65: seg = INSN_SEG_GS; break;
        default:
            goto opcode;
        }
        rex = 0;
        c.pos++;
    }

opcode:;
    uint16_t op = (uint16_t)take(&c, 1);
    if (op == 0x0f) {
        if ((r = need(&c, 1)))
            return r;
        op = 0x0f00 | (uint16_t)take(&c, 1);
    }
    if (undefined_opcode(op))
        return HV_ERR_INVALID_ARGS;
    if (!supported_opcode(op, mode))
        return HV_ERR_NOT_SUPPORTED;
    if (lock)
        return HV_ERR_INVALID_ARGS;     /* #UD: MOV* is not lockable */
    if (rep)
        return HV_ERR_NOT_SUPPORTED;    /* reserved / HLE hints */

    uint8_t osz, asz;
    if (mode == INSN_MODE_16) {
        osz = opsize ? 4 : 2;
        asz = addrsize ? 4 : 2;
    } else {
        osz = opsize ? 2 : 4;
        asz = mode == INSN_MODE_64 ? (addrsize ? 4 : 8) : (addrsize ? 2 : 4);
    }
    if (rex & REX_W)
        osz = 8;
    m->opcode = op;
    m->op_size = osz;
    m->addr_size = asz;

    uint8_t reg = 0;
    if (op >= 0xa0 && op <= 0xa3) {
        /* moffs: accumulator to/from [seg:offset]; always DS by default. */
        if ((r = need(&c, asz)))
            return r;
        c.pos += asz;
        m->seg = INSN_SEG_DS;
        m->size = (op & 1) ? osz : 1;
        m->write = op >= 0xa2;
    } else {
        if ((r = need(&c, 1)))
            return r;
        uint8_t modrm = (uint8_t)take(&c, 1);
        unsigned mod = modrm >> 6, rf = (modrm >> 3) & 7, rm = modrm & 7;
        if ((op == 0xc6 || op == 0xc7) && rf != 0)
            /* Group 11: only /0 is MOV; C6/C7 F8 are XABORT/XBEGIN. */
            return mod == 3 && rf == 7 && rm == 0 ? HV_ERR_NOT_SUPPORTED
                                                  : HV_ERR_INVALID_ARGS;
        if (mod == 3)
            return HV_ERR_NOT_SUPPORTED;        /* register, not memory */
        m->has_modrm = true;
        reg = (uint8_t)(rf | ((rex & REX_R) ? 8 : 0));
        if ((r = skip_address(&c, mode, modrm, rex, m)))
            return r;

        switch (op) {
        case 0x88: m->size = 1; m->write = true; break;
        case 0x89: m->size = osz; m->write = true; break;
        case 0x8a: m->size = 1; break;
        case 0x8b: m->size = osz; break;
        case 0x0fb6: m->size = 1; m->zero_extend = true; break;
        case 0x0fb7: m->size = 2; m->zero_extend = true; break;
        case 0x0fbe: m->size = 1; m->sign_extend = true; break;
        case 0x0fbf: m->size = 2; m->sign_extend = true; break;
        case 0x63: m->size = osz == 8 ? 4 : osz; m->sign_extend = true; break;
        case 0xc6:
        case 0xc7: {
            m->size = op == 0xc6 ? 1 : osz;
            size_t n = m->size == 8 ? 4 : m->size;
            if ((r = need(&c, n)))
                return r;
            uint64_t imm = take(&c, n);
            if (m->size == 8 && (imm & 0x80000000u))
                imm |= 0xffffffff00000000ull;
            m->imm = imm;
            m->write = true;
            m->src_kind = INSN_SRC_IMM;
            break;
        }
        default:
            return HV_ERR_NOT_SUPPORTED;        /* not reached */
        }
    }

    if (m->src_kind != INSN_SRC_IMM) {
        m->reg = reg;
        if (m->write) {
            m->src_kind = INSN_SRC_REG;
        } else {
            /* Loads write a register as wide as the operand size, except
             * the byte loads 8A and A0. */
            m->dst_size = (op == 0x8a || op == 0xa0) ? 1 : osz;
            m->zero_upper32 = mode == INSN_MODE_64 && m->dst_size == 4;
        }
        /* AH CH DH BH: byte registers 4..7 when no REX is in effect. */
        if ((op == 0x88 || op == 0x8a) && rex == 0 && reg >= 4) {
            m->high8 = true;
            m->reg = (uint8_t)(reg - 4);
        }
    }
    if (seg >= 0) {
        m->seg = (uint8_t)seg;
        m->seg_override = true;
    }
    m->len = (uint8_t)c.pos;
    return HV_OK;
}

hv_status_t insn_decode_mem(const uint8_t *bytes, size_t avail, enum insn_mode mode,
                            struct insn_mem *out)
{
    struct insn_mem m = { 0 };
    hv_status_t r = decode(bytes, avail, mode, &m);
    *out = r != HV_OK ? (struct insn_mem){ 0 } : m;
    return r;
}

int insn_length(const uint8_t *bytes, size_t avail, enum insn_mode mode)
{
    struct insn_mem m;
    hv_status_t r = insn_decode_mem(bytes, avail, mode, &m);
    return r != HV_OK ? r : m.len;
}
