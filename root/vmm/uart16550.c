/* 16550A UART model, polled and interrupt-driven (see uart16550.h). Pure code. */
#include "uart16550.h"

/* MSR bits 7:4 as the lines stand now. */
static uint8_t msr_lines_now(const struct uart16550 *u)
{
    if (!(u->mcr & UART_MCR_LOOP))
        return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    uint8_t m = 0;
    if (u->mcr & UART_MCR_RTS) m |= UART_MSR_CTS;
    if (u->mcr & UART_MCR_DTR) m |= UART_MSR_DSR;
    if (u->mcr & UART_MCR_OUT1) m |= UART_MSR_RI;
    if (u->mcr & UART_MCR_OUT2) m |= UART_MSR_DCD;
    return m;
}

/* Latch the delta bits for lines that changed since the last update. */
static void msr_update(struct uart16550 *u)
{
    uint8_t now = msr_lines_now(u), old = u->msr_lines;
    uint8_t changed = now ^ old;
    if (changed & UART_MSR_CTS) u->msr_delta |= UART_MSR_DCTS;
    if (changed & UART_MSR_DSR) u->msr_delta |= UART_MSR_DDSR;
    if ((old & UART_MSR_RI) && !(now & UART_MSR_RI)) u->msr_delta |= UART_MSR_TERI;
    if (changed & UART_MSR_DCD) u->msr_delta |= UART_MSR_DDCD;
    u->msr_lines = now;
}

void uart_init(struct uart16550 *u, uint16_t base, uart_putc_fn putc, void *ctx)
{
    u->base = base;
    u->ier = u->lcr = u->mcr = u->scr = u->fcr = 0;
    u->dll = 1;
    u->dlm = 0;
    u->lsr_oe = 0;
    u->msr_delta = 0;
    u->thre_pending = false;
    u->rx_head = u->rx_count = 0;
    u->putc = putc;
    u->ctx = ctx;
    u->msr_lines = msr_lines_now(u);
}

bool uart_owns(const struct uart16550 *u, uint16_t port)
{
    return port >= u->base && port - u->base < UART_NPORTS;
}

bool uart_receive(struct uart16550 *u, uint8_t byte)
{
    if (u->rx_count == UART_RX_QUEUE) {
        u->lsr_oe = UART_LSR_OE;        /* the new byte is lost, the queue kept (PC16550D: OE) */
        return false;
    }
    u->rx[(u->rx_head + u->rx_count) % UART_RX_QUEUE] = byte;
    u->rx_count++;
    return true;
}

bool uart_push_input(struct uart16550 *u, uint8_t byte)
{
    return uart_receive(u, byte);
}

unsigned uart_rx_room(const struct uart16550 *u)
{
    return UART_RX_QUEUE - u->rx_count;
}

static uint8_t rx_pop(struct uart16550 *u)
{
    if (!u->rx_count)
        return 0;
    uint8_t b = u->rx[u->rx_head];
    u->rx_head = (u->rx_head + 1) % UART_RX_QUEUE;
    u->rx_count--;
    return b;
}

/* Received-data interrupt: RDI at or above the trigger level, else the character
 * timeout (FIFO mode, at once: see uart16550.h), or none without data. */
static uint8_t rx_source(const struct uart16550 *u)
{
    if (!u->rx_count)
        return UART_IIR_NO_INT;
    if (!(u->fcr & UART_FCR_ENABLE))
        return UART_IIR_RDI;            /* 16450 mode: one byte in RBR is enough */
    static const uint8_t trigger[4] = {1, 4, 8, 14};
    unsigned level = u->rx_count < UART_FIFO_DEPTH ? u->rx_count : UART_FIFO_DEPTH;
    return level >= trigger[(u->fcr & UART_FCR_TRIGGER) >> 6] ? UART_IIR_RDI : UART_IIR_TIMEOUT;
}

/* The highest-priority pending interrupt as IIR bits 3:0 (PC16550D priorities). */
static uint8_t iir_source(const struct uart16550 *u)
{
    if ((u->ier & UART_IER_RLSI) && u->lsr_oe)
        return UART_IIR_RLSI;
    if ((u->ier & UART_IER_RDI) && u->rx_count)
        return rx_source(u);
    if ((u->ier & UART_IER_THRI) && u->thre_pending)
        return UART_IIR_THRI;
    if ((u->ier & UART_IER_MSI) && u->msr_delta)
        return UART_IIR_MSI;
    return UART_IIR_NO_INT;
}

bool uart_irq_pending(const struct uart16550 *u)
{
    return iir_source(u) != UART_IIR_NO_INT;
}

bool uart_irq_line(const struct uart16550 *u)
{
    return (u->mcr & UART_MCR_OUT2) && uart_irq_pending(u);
}

static uint8_t lsr(const struct uart16550 *u)
{
    return UART_LSR_THRE | UART_LSR_TEMT | u->lsr_oe | (u->rx_count ? UART_LSR_DR : 0);
}

uint8_t uart_read(struct uart16550 *u, uint16_t port)
{
    if (!uart_owns(u, port))
        return 0xff;
    bool dlab = u->lcr & UART_LCR_DLAB;
    switch (port - u->base) {
    case UART_RBR:
        return dlab ? u->dll : rx_pop(u);
    case UART_IER:
        return dlab ? u->dlm : u->ier;
    case UART_IIR: {
        uint8_t src = iir_source(u);
        if (src == UART_IIR_THRI)
            u->thre_pending = false;    /* reading IIR acknowledges THRE */
        return src | ((u->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0);
    }
    case UART_LCR:
        return u->lcr;
    case UART_MCR:
        return u->mcr;
    case UART_LSR: {
        uint8_t v = lsr(u);
        u->lsr_oe = 0;
        return v;
    }
    case UART_MSR: {
        uint8_t v = u->msr_lines | u->msr_delta;
        u->msr_delta = 0;
        return v;
    }
    default:
        return u->scr;
    }
}

void uart_write(struct uart16550 *u, uint16_t port, uint8_t v)
{
    if (!uart_owns(u, port))
        return;
    bool dlab = u->lcr & UART_LCR_DLAB;
    switch (port - u->base) {
    case UART_THR:
        if (dlab) {
            u->dll = v;
        } else {
            if (u->mcr & UART_MCR_LOOP)
                uart_push_input(u, v);
            else if (u->putc)
                u->putc(u->ctx, (char)v);
            u->thre_pending = true;     /* sent at once: THR is empty again */
        }
        break;
    case UART_IER:
        if (dlab) {
            u->dlm = v;
        } else {
            if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
                u->thre_pending = true; /* enabling THRI with THR empty raises it */
            u->ier = v & 0x0f;
        }
        break;
    case UART_FCR:
        if ((v & UART_FCR_ENABLE) && !(u->fcr & UART_FCR_ENABLE))
            u->thre_pending = true;     /* first THRE interrupt after enabling FIFOs: at once */
        u->fcr = v & 0xc9;              /* enable, DMA mode, trigger level */
        if (v & UART_FCR_CLEAR_RX) {
            u->rx_head = u->rx_count = 0;
        }
        break;
    case UART_LCR:
        u->lcr = v;
        break;
    case UART_MCR:
        u->mcr = v & 0x1f;
        msr_update(u);
        break;
    case UART_LSR:
    case UART_MSR:
        break;                          /* factory test registers: ignored */
    default:
        u->scr = v;
        break;
    }
}
