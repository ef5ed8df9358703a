/*
 * A 16550A UART model (National/TI PC16550D): polled I/O (Linux
 * earlyprintk/8250 probing, the serial code of a typical Multiboot test
 * kernel) and interrupt-driven I/O (Linux's 8250 driver). Pure: no
 * hypercalls; the transmitter hands each byte to a callback, the receiver
 * reads from an input queue the VMM fills with uart_receive().
 *
 * Offsets from the base port (DLAB is LCR bit 7):
 *   0  read: RBR (DLAB 0) / DLL (DLAB 1)    write: THR (DLAB 0) / DLL (DLAB 1)
 *   1  IER (DLAB 0, bits 3:0) / DLM (DLAB 1)
 *   2  read: IIR                             write: FCR
 *   3  LCR      4  MCR (bits 4:0)      5  LSR (writes ignored)
 *   6  MSR (writes ignored)            7  SCR
 *
 * Transmission is instantaneous, so LSR.THRE and LSR.TEMT are always set.
 *
 * Receiving: the input queue (UART_RX_QUEUE bytes) stands for the wire and
 * the receiver together; there is no baud rate between the VMM and the
 * guest. LSR.DR is set while it holds a byte. A byte arriving at a full
 * queue is lost and sets LSR.OE (overrun); uart_rx_room() lets the VMM
 * hold input back instead. The receiver FIFO (FCR bit 0) is the queue's
 * first 16 bytes: its level, at most 16, is what the trigger level (FCR
 * bits 7:6: 1, 4, 8 or 14 bytes) is compared with. Without FIFOs the
 * receiver buffer is the queue's first byte.
 *
 * Interrupts (IIR bits 3:0, PC16550D table "Interrupt Control Functions"),
 * highest priority first, each also enabled by its IER bit:
 *   0x6  line status: LSR.OE set; cleared by reading LSR
 *   0x4  received data: FIFO level >= trigger level (without FIFOs: a
 *        byte is there); cleared when the level drops below it
 *   0xC  character timeout (FIFO mode): data below the trigger level. The
 *        chip waits four character times without input or reads; time here
 *        is instantaneous, so it is reported at once. Cleared by reading RBR
 *        (while data remains below the trigger level it is raised again)
 *   0x2  THR empty: raised by a THR write (sent at once, so THR is empty
 *        again), by IER.THRI going 0 -> 1 while THR is empty (what Linux's
 *        8250 start-up check and start_tx rely on: "THRE on enable", as in
 *        QEMU and Bochs) and by enabling the FIFOs (the first transmitter
 *        interrupt after that is immediate); cleared by reading IIR when it
 *        is the one reported, or by writing THR
 *   0x0  modem status: an MSR delta bit; cleared by reading MSR
 * On a PC the chip's INTR pin reaches the interrupt controller through a
 * gate driven by MCR.OUT2: uart_irq_line() is pending && MCR.OUT2, a level
 * (high while an enabled interrupt is pending). On real hardware loopback
 * also forces the OUT2 pin inactive; like QEMU this model only looks at
 * the MCR bit.
 *
 * In loopback mode (MCR bit 4) transmitted bytes go to the input queue, not
 * the callback, and MSR's line bits follow MCR (CTS=RTS, DSR=DTR, RI=OUT1,
 * DCD=OUT2); otherwise CTS, DSR and DCD are asserted (a terminal is
 * attached). Toggling FCR bit 0 does not clear the queue (the chip clears
 * its FIFOs): input typed before the guest set the UART up is kept.
 */
#ifndef UART16550_H
#define UART16550_H

#include <stdbool.h>
#include <stdint.h>

#define UART_NPORTS    8
#define UART_RX_QUEUE  256          /* input queue capacity in bytes */

/* Register offsets. */
#define UART_RBR 0                  /* receive buffer (read, DLAB 0) */
#define UART_THR 0                  /* transmit holding (write, DLAB 0) */
#define UART_DLL 0                  /* divisor latch low (DLAB 1) */
#define UART_IER 1                  /* interrupt enable (DLAB 0) */
#define UART_DLM 1                  /* divisor latch high (DLAB 1) */
#define UART_IIR 2                  /* interrupt identification (read) */
#define UART_FCR 2                  /* FIFO control (write) */
#define UART_LCR 3                  /* line control */
#define UART_MCR 4                  /* modem control */
#define UART_LSR 5                  /* line status */
#define UART_MSR 6                  /* modem status */
#define UART_SCR 7                  /* scratch */

/* Register bits. */
#define UART_IER_RDI   0x01         /* received data available */
#define UART_IER_THRI  0x02         /* transmitter holding register empty */
#define UART_IER_RLSI  0x04         /* receiver line status */
#define UART_IER_MSI   0x08         /* modem status */
#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI   0x00
#define UART_IIR_THRI  0x02
#define UART_IIR_RDI   0x04
#define UART_IIR_RLSI  0x06
#define UART_IIR_TIMEOUT 0x0c       /* character timeout (FIFO mode) */
#define UART_IIR_FIFO  0xc0         /* FIFOs enabled */
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FCR_TRIGGER 0xc0       /* receiver trigger level: 1, 4, 8, 14 bytes */
#define UART_FIFO_DEPTH 16
#define UART_LCR_DLAB  0x80
#define UART_MCR_DTR   0x01
#define UART_MCR_RTS   0x02
#define UART_MCR_OUT1  0x04
#define UART_MCR_OUT2  0x08
#define UART_MCR_LOOP  0x10
#define UART_LSR_DR    0x01         /* data ready */
#define UART_LSR_OE    0x02         /* overrun error */
#define UART_LSR_THRE  0x20
#define UART_LSR_TEMT  0x40
#define UART_MSR_DCTS  0x01
#define UART_MSR_DDSR  0x02
#define UART_MSR_TERI  0x04
#define UART_MSR_DDCD  0x08
#define UART_MSR_CTS   0x10
#define UART_MSR_DSR   0x20
#define UART_MSR_RI    0x40
#define UART_MSR_DCD   0x80

typedef void (*uart_putc_fn)(void *ctx, char c);

struct uart16550 {
    uint16_t base;
    uint8_t ier, lcr, mcr, scr, fcr;
    uint8_t dll, dlm;
    uint8_t lsr_oe;             /* sticky overrun bit, cleared by reading LSR */
    uint8_t msr_lines;          /* MSR bits 7:4 as last reported */
    uint8_t msr_delta;          /* MSR bits 3:0, cleared by reading MSR */
    bool thre_pending;          /* THR-empty interrupt condition, cleared by IIR read or THR write */
    uint8_t rx[UART_RX_QUEUE];
    unsigned rx_head, rx_count;
    uart_putc_fn putc;
    void *ctx;
};

/* Reset state: IER 0, IIR 0x01, LCR 0, MCR 0, LSR 0x60, SCR 0, divisor 1 (115200 baud). */
void uart_init(struct uart16550 *u, uint16_t base, uart_putc_fn putc, void *ctx);

/* Whether port is one of the UART's 8 ports. */
bool uart_owns(const struct uart16550 *u, uint16_t port);

/* One byte access to a port of the UART (others read 0xff and ignore writes). */
uint8_t uart_read(struct uart16550 *u, uint16_t port);
void uart_write(struct uart16550 *u, uint16_t port, uint8_t value);

/* One byte received from the VMM's console input; false when the queue is full (the
 * byte is lost and LSR.OE set: an overrun). */
bool uart_receive(struct uart16550 *u, uint8_t byte);

/* The same (the name polled-era callers use). */
bool uart_push_input(struct uart16550 *u, uint8_t byte);

/* How many more bytes uart_receive() takes without an overrun. */
unsigned uart_rx_room(const struct uart16550 *u);

/* Whether the IIR would report an interrupt (bit 0 clear). */
bool uart_irq_pending(const struct uart16550 *u);

/* The IRQ line (IRQ 4 for COM1) the VMM feeds to the PIC and the I/O APIC: high while
 * an enabled interrupt is pending and MCR.OUT2 is set. Sample it after every access and
 * every uart_receive(). */
bool uart_irq_line(const struct uart16550 *u);

#endif
