/*
 * An I/O APIC model after the Intel 82093AA, at guest-physical 0xFEC00000.
 * Pure: no hypercalls; interrupts leave through a callback the VMM gives.
 *
 * Registers are reached indirectly (82093AA datasheet, 3.0): the guest
 * writes a register index to IOREGSEL (+0x00, bits 7:0) and accesses that
 * register through IOWIN (+0x10) as one 32-bit dword:
 *   0x00 ID   bits 27:24 the APIC ID (R/W)
 *   0x01 VER  bits 7:0 version 0x20, bits 23:16 the highest entry (23)  (RO)
 *   0x02 ARB  bits 27:24 the arbitration ID, loaded when ID is written  (RO)
 *   0x10 + 2n / 0x11 + 2n  low / high dword of redirection entry n (0..23)
 * Version 0x20 is what the ICH/PCH I/O APICs report (the 82093AA says
 * 0x11); with it goes the EOI register at +0x40 (ICH9 datasheet, "EOIR"):
 * a 32-bit write of a vector there acts as ioapic_eoi(). Linux writes it
 * for version >= 0x20 instead of toggling the trigger mode.
 *
 * Anything else reads 0 and ignores writes, as QEMU's ioapic does: IOWIN
 * and EOIR other than 32 bits wide, other offsets, unimplemented indices.
 * IOREGSEL also takes 1- and 2-byte accesses (Intel's chipset datasheets
 * give the index register as 8 bits wide).
 *
 * Pins: ioapic_set_irq() gives a pin's electrical level. The entry's
 * polarity bit (13, 1 = active low) turns it into "asserted". An edge pin
 * delivers once per rising edge of "asserted" while unmasked; a masked edge
 * is lost, not held pending (82093AA, bit 16). A level pin delivers while
 * asserted, unmasked and Remote IRR clear, and sets Remote IRR; an EOI for
 * its vector clears Remote IRR, after which a still asserted line delivers
 * again. Unmasking an asserted level pin delivers then. Delivery is
 * instantaneous, so Delivery Status (bit 12) always reads 0 (idle).
 * Writing an entry's low dword with trigger mode edge clears its Remote IRR
 * (what QEMU and KVM do; older Linux kernels clear a stuck Remote IRR that
 * way). Reserved bits 55:17 read 0.
 *
 * Pins 0-15 start low (ISA lines, active high, idle low) and pins 16-23
 * high (PCI INTx lines: active low, pulled up when idle), so an unused
 * pin programmed the usual way for its kind does not look asserted.
 */
#ifndef IOAPIC_H
#define IOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "vmm_device.h"

#define IOAPIC_BASE     0xfec00000ull
#define IOAPIC_MMIO_LEN 0x1000ull   /* one 4 KiB page (MP spec: I/O APICs on 4K boundaries) */
#define IOAPIC_PINS     24
#define IOAPIC_VERSION  0x20

/* MMIO offsets. */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN    0x10
#define IOAPIC_EOIR     0x40

/* Register indices. */
#define IOAPIC_REG_ID   0x00
#define IOAPIC_REG_VER  0x01
#define IOAPIC_REG_ARB  0x02
#define IOAPIC_REG_REDTBL 0x10

/* Redirection entry bits. */
#define IOAPIC_RTE_VECTOR     0xffull
#define IOAPIC_RTE_DELMODE_SHIFT 8
#define IOAPIC_RTE_DELMODE    (7ull << 8)
#define IOAPIC_RTE_DESTLOG    (1ull << 11)  /* destination mode: 1 logical, 0 physical */
#define IOAPIC_RTE_DELIVS     (1ull << 12)  /* delivery status (RO) */
#define IOAPIC_RTE_POLLOW     (1ull << 13)  /* polarity: 1 active low */
#define IOAPIC_RTE_RIRR       (1ull << 14)  /* remote IRR (RO) */
#define IOAPIC_RTE_LEVEL      (1ull << 15)  /* trigger mode: 1 level, 0 edge */
#define IOAPIC_RTE_MASK       (1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT 56
/* The bits a guest can write. */
#define IOAPIC_RTE_WRITABLE   (0xff00000000000000ull | (0x1ffffull & ~(IOAPIC_RTE_DELIVS | IOAPIC_RTE_RIRR)))

/* Delivery modes (bits 10:8). */
enum ioapic_delmode {
    IOAPIC_DM_FIXED = 0,
    IOAPIC_DM_LOWEST = 1,
    IOAPIC_DM_SMI = 2,
    IOAPIC_DM_NMI = 4,
    IOAPIC_DM_INIT = 5,
    IOAPIC_DM_EXTINT = 7,
};

/* One interrupt message to the local APIC(s), as the entry says. */
struct ioapic_msg {
    uint8_t vector;
    uint8_t delivery_mode;      /* enum ioapic_delmode (3, 6 reserved: passed as is) */
    bool dest_logical;          /* destination mode */
    uint8_t dest;               /* bits 63:56: an APIC ID or a logical set */
    bool level;                 /* trigger mode level: the APIC will send an EOI */
    uint8_t pin;                /* which input (for logs) */
};

typedef void (*ioapic_deliver_fn)(void *ctx, const struct ioapic_msg *m);

struct ioapic {
    uint8_t id;                 /* 4 bits */
    uint8_t arb;                /* 4 bits */
    uint8_t regsel;
    uint64_t rte[IOAPIC_PINS];
    bool line[IOAPIC_PINS];     /* electrical level of each pin */
    ioapic_deliver_fn deliver;
    void *ctx;
};

/* Reset: every entry masked, all else 0 (82093AA: only the mask bit has a defined reset
 * value); ID and ARB = id & 0xf. */
void ioapic_init(struct ioapic *io, uint8_t id, ioapic_deliver_fn deliver, void *ctx);

/* MMIO as the device table delivers it (ctx is the struct ioapic; the offset is the
 * low 12 bits of addr). */
uint64_t ioapic_mmio_read(void *ctx, uint64_t addr, unsigned size);
void ioapic_mmio_write(void *ctx, uint64_t addr, unsigned size, uint64_t value);

/* The device for the VMM's table: "ioapic", MMIO [IOAPIC_BASE, +4 KiB), ctx io. */
void ioapic_device(struct ioapic *io, struct vmm_device *d);

/* A device drives pin to an electrical level (pins >= 24 are ignored). */
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);

/* The local APIC's EOI of a level-triggered vector. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

/* The entry of pin (for the VMM's logs and tests), 0 for a bad pin. */
uint64_t ioapic_rte(const struct ioapic *io, unsigned pin);

#endif
