/*
 * The legacy 8259 PICs: firmware leaves them live with IRQ0 on vector 8,
 * which would look like a double fault. Move them to 0x20-0x2f and mask
 * every line; the kernel uses the local APIC only.
 */
#include "base.h"
#include "x86.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

void pic_disable(void)
{
    outb(PIC1_CMD, 0x11);               /* ICW1: init, ICW4 follows */
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, 0x20);              /* ICW2: vector bases */
    outb(PIC2_DATA, 0x28);
    outb(PIC1_DATA, 0x04);              /* ICW3: slave on IRQ2 */
    outb(PIC2_DATA, 0x02);
    outb(PIC1_DATA, 0x01);              /* ICW4: 8086 mode */
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, 0xff);              /* mask everything */
    outb(PIC2_DATA, 0xff);
}
