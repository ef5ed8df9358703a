/* Finishing MMIO loads: destination widths, high-byte registers, MOVZX/MOVSX. */
#include <string.h>
#include "mmio_load.h"
#include "ut.h"

static struct hv_packet_guest_mem pkt(unsigned size, unsigned flags, const uint8_t *insn,
                                      unsigned len)
{
    struct hv_packet_guest_mem m;
    memset(&m, 0, sizeof(m));
    m.access_size = (uint8_t)size;
    m.flags = (uint8_t)flags;
    m.inst_len = (uint8_t)len;
    memcpy(m.inst_buf, insn, len);
    return m;
}

UT_TEST(mmio_load_plain_widths)
{
    const uint64_t old = 0x1122334455667788ull;
    static const uint8_t mov8[] = { 0x8a, 0x00 }, mov16[] = { 0x66, 0x8b, 0x00 },
                         mov32[] = { 0x8b, 0x00 }, mov64[] = { 0x48, 0x8b, 0x00 };
    struct hv_packet_guest_mem m = pkt(1, 0, mov8, 2);
    CHECK_EQ(mmio_load_result(old, &m, 0xffffffffffffffffull), 0x11223344556677ffull);
    m = pkt(2, 0, mov16, 3);
    CHECK_EQ(mmio_load_result(old, &m, 0xabcd), 0x112233445566abcdull);
    m = pkt(4, 0, mov32, 2);                    /* zeroes bits 63:32 */
    CHECK_EQ(mmio_load_result(old, &m, 0xdeadbeefcafef00dull), 0xcafef00dull);
    m = pkt(8, 0, mov64, 3);
    CHECK_EQ(mmio_load_result(old, &m, 0xdeadbeefcafef00dull), 0xdeadbeefcafef00dull);
}

UT_TEST(mmio_load_high_byte)
{
    static const uint8_t mov_ah[] = { 0x8a, 0x20 };
    struct hv_packet_guest_mem m = pkt(1, HV_MEM_HIGH8, mov_ah, 2);
    CHECK_EQ(mmio_load_result(0x1122334455667788ull, &m, 0xab), 0x112233445566ab88ull);
}

UT_TEST(mmio_load_movzx_movsx_destinations)
{
    const uint64_t old = 0x1122334455667788ull;
    static const uint8_t zx32[] = { 0x0f, 0xb6, 0x00 }, zx16[] = { 0x66, 0x0f, 0xb6, 0x00 },
                         sx64[] = { 0x48, 0x0f, 0xbe, 0x00 }, sx32w[] = { 0x0f, 0xbf, 0x00 },
                         seg_sx16[] = { 0x64, 0x66, 0x0f, 0xbe, 0x00 };
    struct hv_packet_guest_mem m = pkt(1, HV_MEM_ZERO_EXTEND, zx32, 3);
    CHECK_EQ(mmio_load_result(old, &m, 0xff), 0xffull);
    m = pkt(1, HV_MEM_ZERO_EXTEND, zx16, 4);    /* movzx ax: bits 63:16 stay */
    CHECK_EQ(mmio_load_result(old, &m, 0x80), 0x1122334455660080ull);
    m = pkt(1, HV_MEM_SIGN_EXTEND, sx64, 4);
    CHECK_EQ(mmio_load_result(old, &m, 0x80), 0xffffffffffffff80ull);
    m = pkt(2, HV_MEM_SIGN_EXTEND, sx32w, 3);   /* movsx eax, word: 32-bit result */
    CHECK_EQ(mmio_load_result(old, &m, 0x8001), 0xffff8001ull);
    m = pkt(2, HV_MEM_SIGN_EXTEND, sx32w, 3);
    CHECK_EQ(mmio_load_result(old, &m, 0x7001), 0x7001ull);
    m = pkt(1, HV_MEM_SIGN_EXTEND, seg_sx16, 5); /* fs: movsx ax, byte */
    CHECK_EQ(mmio_load_result(old, &m, 0xfe), 0x112233445566fffeull);
}

UT_TEST(mmio_load_all_ones_is_all_ones_at_each_width)
{
    static const uint8_t mov32[] = { 0x8b, 0x00 };
    struct hv_packet_guest_mem m = pkt(4, 0, mov32, 2);
    CHECK_EQ(mmio_load_result(0, &m, ~0ull), 0xffffffffull);
}
