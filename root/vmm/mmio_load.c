/* The register a finished MMIO load leaves (see mmio_load.h). Pure code. */
#include "mmio_load.h"

static uint64_t low_bytes(uint64_t v, unsigned size)
{
    return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

/* Destination operand size in bytes from the legacy prefixes and REX before the opcode. */
static unsigned dest_size(const struct hv_packet_guest_mem *m)
{
    unsigned size = 4;
    for (unsigned i = 0; i < m->inst_len && i < sizeof(m->inst_buf); i++) {
        uint8_t b = m->inst_buf[i];
        if (b == 0x66)
            size = 2;
        else if (b >= 0x40 && b <= 0x4f)        /* REX: the last prefix before the opcode */
            return (b & 0x08) ? 8 : size;
        else if (!(b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x2e ||
                   b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65))
            break;                              /* the opcode */
    }
    return size;
}

/* Write `size` bytes of v into old as a destination of that size. */
static uint64_t merge(uint64_t old, uint64_t v, unsigned size)
{
    if (size >= 4)
        return low_bytes(v, size);              /* 32-bit results zero bits 63:32 */
    uint64_t mask = (1ull << (8 * size)) - 1;
    return (old & ~mask) | (v & mask);
}

uint64_t mmio_load_result(uint64_t old, const struct hv_packet_guest_mem *m, uint64_t value)
{
    unsigned size = m->access_size;
    value = low_bytes(value, size);
    if (m->flags & HV_MEM_HIGH8)
        return (old & ~0xff00ull) | (value & 0xff) << 8;
    if (!(m->flags & (HV_MEM_ZERO_EXTEND | HV_MEM_SIGN_EXTEND)))
        return merge(old, value, size);
    if ((m->flags & HV_MEM_SIGN_EXTEND) && size < 8 && (value >> (8 * size - 1)) & 1)
        value |= ~0ull << (8 * size);
    return merge(old, value, dest_size(m));
}
