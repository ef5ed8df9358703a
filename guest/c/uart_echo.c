/*
 * uart_echo: interrupt-driven receive on COM1 (16550 datasheet). FIFOs with
 * a trigger level of 1, IER.RDI, MCR.OUT2; IRQ 4 through the 8259A (vector
 * 0x24), everything else masked but IRQ 0 (the PIT at 100 Hz, the time-out).
 * Prints "uart_echo: ready", sleeps in HLT; the IRQ 4 handler drains RBR
 * while LSR.DR is set and ends the line at CR or LF; the guest then prints
 * "uart_echo: got <line>" and exits 0. No line within uart_echo.timeout
 * seconds (default 300): status 11.
 * Exit status: 0, or the code of the first failed check (10-13).
 */
#include "pc.h"

GUEST_NAME("uart_echo");

#define VEC_MASTER      0x20
#define LINE_MAX        120

static char line[LINE_MAX + 1];
static volatile uint32_t len, irqs, ticks, first_iir = 0xff;
static volatile bool done;

static void uart_irq(uint32_t vector)
{
    (void)vector;
    uint8_t iir = inb(COM1_BASE + UART_IIR);
    if (irqs++ == 0)
        first_iir = iir;
    for (unsigned i = 0; i < 64 && (inb(COM1_BASE + UART_LSR) & UART_LSR_DR); i++) {
        char c = (char)inb(COM1_BASE + UART_RBR);
        if (done)
            continue;
        if (c == '\r' || c == '\n') {
            if (len)
                done = true;
        } else if (len < LINE_MAX && c >= 0x20 && c < 0x7f) {
            line[len++] = c;
        }
    }
    pic_eoi(4);
}

static void tick(uint32_t vector)
{
    (void)vector;
    ticks++;
    pic_eoi(0);
}

static void spurious_irq(uint32_t vector)
{
    (void)vector;                       /* IR7 without a request: no EOI */
}

int gmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    uint32_t timeout = rt_cmdline_u32("uart_echo.timeout", 300);
    rt_set_vector(VEC_MASTER + 0, tick);
    rt_set_vector(VEC_MASTER + 4, uart_irq);
    rt_set_vector(VEC_MASTER + 7, spurious_irq);
    pic_init(VEC_MASTER, VEC_MASTER + 8, 0xffff);
    pit_program(0, 2, (uint16_t)(PIT_HZ / 100));

    uart_drain();
    outb(COM1_BASE + UART_IIR, 0x07);   /* FCR: FIFOs on, both cleared, trigger level 1 byte */
    while (inb(COM1_BASE + UART_LSR) & UART_LSR_DR)
        (void)inb(COM1_BASE + UART_RBR);
    outb(COM1_BASE + UART_MCR, (uint8_t)(inb(COM1_BASE + UART_MCR) | UART_MCR_OUT2));
    outb(COM1_BASE + UART_IER, UART_IER_RDI);
    uint8_t ier = inb(COM1_BASE + UART_IER);
    if (!check_status(10, ier == UART_IER_RDI, "IER reads back RDI (0x%02x)", ier))
        return 0;
    pic_set_mask((uint16_t)~(1u << 0 | 1u << 4));
    rt_printf("uart_echo: ready\n");

    while (!done && ticks < timeout * 100)
        rt_sti_hlt();
    rt_cli();
    outb(COM1_BASE + UART_IER, 0);
    pic_set_mask(0xffff);
    line[len] = '\0';
    if (!check_status(11, done, "a line arrives within %u s (%u bytes, %u interrupts)", timeout, len, irqs))
        return 0;
    rt_printf("uart_echo: got %s\n", line);
    check_status(12, (first_iir & 0x0f) == 0x04 || (first_iir & 0x0f) == 0x0c,
                 "IIR named received data (or its FIFO time-out) as the source (0x%02x)", first_iir);
    check_status(13, (first_iir & 0xc0) == 0xc0, "IIR shows the FIFOs enabled (0x%02x)", first_iir);
    return 0;
}
