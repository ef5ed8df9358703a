/*
 * The PC's two cascaded Intel 8259A programmable interrupt controllers, as a
 * device model for the VMM's table (vmm_device.h). Pure.
 *
 * Ports: master 0x20 (A0=0: ICW1, OCW2, OCW3; reads IRR/ISR/poll word) and
 * 0x21 (A0=1: ICW2-ICW4, OCW1 = IMR), slave 0xa0/0xa1 likewise, and the
 * edge/level control registers ELCR1 0x4d0 (IRQ 0-7) and ELCR2 0x4d1
 * (IRQ 8-15) of the PIIX/ICH south bridges. The slave's INT output drives
 * the master's IR2 (its ICW3 says so on a PC: master 0x04, slave ID 2).
 *
 * 8259A datasheet behaviour modelled:
 *  - Initialization: a write to A0=0 with D4 set is ICW1. It clears the IMR
 *    and ISR, the edge-sense latches (an edge input must go low and high
 *    again to request), special mask mode, poll and rotate-in-AEOI, makes
 *    IR7 the lowest priority and selects IRR for reads. ICW1 bit 3 (LTIM)
 *    selects level triggering for all eight inputs, bit 1 (SNGL) single mode
 *    (no ICW3), bit 0 (IC4) that ICW4 follows; without IC4 the ICW4 bits are
 *    0. ICW2 gives the vector base (bits 7:3; the low three bits are the IR
 *    number in 8086 mode). ICW3 is stored. ICW4: bit 0 uPM (8086 mode; the
 *    model always delivers 8086-style vectors: 8080/85 CALL mode has no
 *    meaning for an x86 guest), bit 1 AEOI, bits 3:2 BUF/M/S (stored), bit 4
 *    SFNM (special fully nested mode: on the master, an in-service cascade
 *    input does not block a higher-priority request from the slave).
 *  - OCW1 (A0=1 after initialization): the interrupt mask register.
 *  - OCW2 (A0=0, D4:D3 = 00), R SL EOI in bits 7:5: 001 non-specific EOI
 *    (clears the highest-priority ISR bit), 011 specific EOI of L (bits 2:0),
 *    101 rotate on non-specific EOI, 111 rotate on specific EOI, 110 set
 *    priority (L becomes the lowest), 100 / 000 set / clear rotate in AEOI
 *    mode, 010 no operation. Rotation: the IR just serviced becomes the
 *    lowest priority.
 *  - OCW3 (A0=0, D4:D3 = 01): bits 1:0 = 10 / 11 select IRR / ISR for the next
 *    reads of A0=0 (sticky); bit 2 (P) makes the next read of A0=0 a poll:
 *    it acknowledges the highest-priority request like an INTA and returns
 *    0x80 | IR, or 0 when none; bits 6:5 = 11 / 10 set / reset special mask
 *    mode (a masked in-service level does not inhibit lower ones).
 *  - A read of A0=1 returns the IMR.
 *  - Fixed priority IR0 highest unless rotated. A request is presented (INT)
 *    when its IRR bit is set, its IMR bit clear, and it has higher priority
 *    than every in-service level.
 *  - INTA (pic_acknowledge): the highest-priority request moves from IRR to
 *    ISR (not in AEOI mode, where it is cleared at once, with rotation if
 *    rotate-in-AEOI is set). On the master's cascade input the slave does the
 *    same and supplies the vector. If no request is left at INTA time the
 *    8259A answers IR7 without setting ISR: the spurious vector base+7 of
 *    the master, or of the slave (IRQ 15) when the master saw the cascade
 *    input but the slave has nothing (the master's ISR bit 2 is set then,
 *    as on the real pair; the guest EOIs the master).
 *  - Triggering: level mode (ICW1.LTIM, or the input's ELCR bit): IRR follows
 *    the line, so a request that drops before INTA is lost (spurious IR7 /
 *    15), and one that stays high is presented again after its EOI. Edge
 *    mode: a rising edge sets IRR, which stays set until INTA even if the
 *    line falls (devices of a VMM pulse their lines; the datasheet's "must
 *    stay high until the first INTA" is not enforced for edges).
 *  - ELCR: bits read back as written; the inputs that are always edge on a
 *    PC read 0 (IRQ 0, 1, 2, 8, 13: ELCR1 mask 0xf8, ELCR2 mask 0xde).
 *
 * The VMM drives the lines with pic_set_irq(), asks pic_has_interrupt()
 * whether INTR is asserted (after every change: device line, port write,
 * acknowledge) and, when it injects an external interrupt, takes the vector
 * from pic_acknowledge(). Line IRQ 2 is the cascade: pic_set_irq(2, ...) is
 * ignored (ISA's IRQ 2 appears as IRQ 9 on a PC).
 */
#ifndef PIC8259_H
#define PIC8259_H

#include <stdbool.h>
#include <stdint.h>
#include "vmm_device.h"

#define PIC_MASTER_CMD   0x20
#define PIC_MASTER_DATA  0x21
#define PIC_SLAVE_CMD    0xa0
#define PIC_SLAVE_DATA   0xa1
#define PIC_ELCR1        0x4d0
#define PIC_ELCR2        0x4d1
#define PIC_CASCADE_IRQ  2

struct pic8259_chip {
    uint8_t irr, isr, imr;
    uint8_t lines;              /* current input levels */
    uint8_t elcr, elcr_mask;    /* ELCR bits, the writable ones */
    uint8_t vector_base;        /* ICW2 & 0xf8 */
    uint8_t icw3, icw4;
    uint8_t init_step;          /* 0 ready; 2, 3, 4: the ICW expected next */
    uint8_t lowest;             /* the lowest-priority IR (7 unless rotated) */
    bool ltim, single, need_icw4;
    bool auto_eoi, rotate_aeoi, special_mask, read_isr, poll;
};

struct pic8259 {
    struct pic8259_chip chip[2];        /* [0] master, [1] slave */
};

/* Power-on state: both chips uninitialized (vector base 0, IMR 0), all edge. */
void pic_init(struct pic8259 *pic);

/* Device line irq (0-15) at level (0 or 1). */
void pic_set_irq(struct pic8259 *pic, unsigned irq, int level);

/* Whether the master's INT output is asserted. */
bool pic_has_interrupt(const struct pic8259 *pic);

/* The INTA cycle: the vector of the highest-priority request (or a spurious vector). */
uint8_t pic_acknowledge(struct pic8259 *pic);

/* Port accesses as the device table delivers them (ctx is the struct pic8259). */
uint32_t pic_io_read(void *ctx, uint16_t port, unsigned size);
void pic_io_write(void *ctx, uint16_t port, unsigned size, uint32_t value);

/* Register "pic-master" 0x20-0x21, "pic-slave" 0xa0-0xa1, "elcr" 0x4d0-0x4d1. */
bool pic_register(struct pic8259 *pic, struct vmm_devices *t);

#endif
