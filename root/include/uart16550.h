/*
 * A 16550A UART model for polled I/O (Linux earlyprintk/8250 probing, the
 * serial code of a typical Multiboot test kernel). Pure: no hypercalls; the
 * transmitter hands each byte to a callback, the receiver reads from an
 * input queue the VMM fills.
 *
 * Offsets from the base port (DLAB is LCR bit 7):
 *   0  read: RBR (DLAB 0) / DLL (DLAB 1)    write: THR (DLAB 0) / DLL (DLAB 1)
 *   1  IER (DLAB 0, bits 3:0) / DLM (DLAB 1)
 *   2  read: IIR                             write: FCR
 *   3  LCR      4  MCR (bits 4:0)      5  LSR (writes ignored)
 *   6  MSR (writes ignored)            7  SCR
 *
 * Transmission is instantaneous, so LSR.THRE and LSR.TEMT are always set.
 * LSR.DR is set while the input queue holds a byte. In loopback mode
 * (MCR bit 4) transmitted bytes go to the input queue, not the callback,
 * and MSR's line bits follow MCR (CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2);
 * otherwise CTS, DSR and DCD are asserted (a terminal is attached).
 * Interrupt identification (IIR) follows the 16550's priorities, but
 * nothing raises an interrupt line: uart_irq_pending() says whether one
 * would be.
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
#define UART_IIR_FIFO  0xc0         /* FIFOs enabled */
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
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

/* Queue one received byte; false when the queue is full (the byte is lost, LSR.OE set). */
bool uart_push_input(struct uart16550 *u, uint8_t byte);

/* Whether the IIR would report an interrupt (bit 0 clear). */
bool uart_irq_pending(const struct uart16550 *u);

#endif
