/*
 * Finishing an emulated MMIO load (an HV_PKT_GUEST_MEM packet with write 0):
 * the new value of the destination register, from its old value, the
 * packet's decode and the value read. Pure.
 *
 * x86 rules (SDM Vol. 1, 3.4.1.1): a 32-bit destination zeroes bits 63:32,
 * an 8- or 16-bit one keeps the bits above it; AH/CH/DH/BH are bits 15:8.
 * MOVZX/MOVSX (HV_MEM_ZERO_EXTEND / HV_MEM_SIGN_EXTEND) widen the value to
 * the destination's operand size: 16 bits with a 0x66 prefix, 64 with
 * REX.W, else 32. The prefixes are read from the packet's instruction bytes.
 */
#ifndef MMIO_LOAD_H
#define MMIO_LOAD_H

#include <stdint.h>
#include "hv/packet.h"

uint64_t mmio_load_result(uint64_t old, const struct hv_packet_guest_mem *m, uint64_t value);

#endif
