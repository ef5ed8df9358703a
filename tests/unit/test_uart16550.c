/*
 * root/vmm/uart16550.c: the 16550A model as polled drivers use it (Linux's
 * 8250 probe and earlyprintk, the serial code of Multiboot test kernels).
 */
#include <string.h>
#include "uart16550.h"
#include "ut.h"

#define BASE 0x3f8

struct out {
    char buf[1024];
    unsigned n;
};

static void collect(void *ctx, char c)
{
    struct out *o = ctx;
    if (o->n < sizeof(o->buf))
        o->buf[o->n++] = c;
}

static struct uart16550 u;
static struct out out;

static void setup(void)
{
    memset(&out, 0, sizeof(out));
    memset(&u, 0x5a, sizeof(u));            /* uart_init must set every field that matters */
    uart_init(&u, BASE, collect, &out);
}

static uint8_t rd(unsigned off)
{
    return uart_read(&u, (uint16_t)(BASE + off));
}

static void wr(unsigned off, uint8_t v)
{
    uart_write(&u, (uint16_t)(BASE + off), v);
}

UT_TEST(uart_reset_state)
{
    setup();
    CHECK_EQ(rd(UART_IER), 0);
    CHECK_EQ(rd(UART_IIR), 0x01);
    CHECK_EQ(rd(UART_LCR), 0);
    CHECK_EQ(rd(UART_MCR), 0);
    CHECK_EQ(rd(UART_LSR), 0x60);
    CHECK_EQ(rd(UART_MSR), 0xb0);           /* CTS, DSR, DCD: a terminal is attached */
    CHECK_EQ(rd(UART_SCR), 0);
    CHECK_EQ(rd(UART_RBR), 0);              /* nothing received */
    CHECK(!uart_irq_pending(&u));
    CHECK_EQ(out.n, 0);
}

UT_TEST(uart_thr_output)
{
    setup();
    const char *msg = "Hello, 16550\r\n";
    for (const char *p = msg; *p; p++) {
        CHECK(rd(UART_LSR) & UART_LSR_THRE);  /* what a polled putc waits for */
        wr(UART_THR, (uint8_t)*p);
        CHECK_EQ(rd(UART_LSR) & 0x60, 0x60);    /* THRE and TEMT at once after a write */
    }
    CHECK_EQ(out.n, strlen(msg));
    CHECK(!memcmp(out.buf, msg, out.n));
    CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 0);    /* transmitting does not receive */
}

UT_TEST(uart_dlab_switching)
{
    setup();
    wr(UART_IER, 0x05);
    wr(UART_LCR, 0x80);                     /* DLAB on: offsets 0 and 1 are the divisor */
    wr(UART_DLL, 0x0c);
    wr(UART_DLM, 0x01);
    CHECK_EQ(out.n, 0);                     /* a divisor write is not output */
    CHECK_EQ(rd(UART_DLL), 0x0c);
    CHECK_EQ(rd(UART_DLM), 0x01);
    CHECK_EQ(rd(UART_LCR), 0x80);
    wr(UART_LCR, 0x03);                     /* 8N1, DLAB off */
    CHECK_EQ(rd(UART_IER), 0x05);           /* IER kept apart from DLM */
    CHECK_EQ(rd(UART_LCR), 0x03);
    wr(UART_THR, 'x');
    CHECK_EQ(out.n, 1);
    CHECK_EQ(out.buf[0], 'x');
    wr(UART_LCR, 0x83);
    CHECK_EQ(rd(UART_DLL), 0x0c);           /* divisor survived the THR write */
    CHECK_EQ(rd(UART_DLM), 0x01);
    CHECK_EQ(u.dll, 0x0c);
    /* With DLAB set, IIR/FCR, LSR and SCR are unaffected. */
    CHECK_EQ(rd(UART_IIR) & 0x0f, 0x01);
    CHECK_EQ(rd(UART_LSR), 0x60);
    wr(UART_SCR, 0x42);
    CHECK_EQ(rd(UART_SCR), 0x42);
}

UT_TEST(uart_default_divisor)
{
    setup();
    wr(UART_LCR, 0x80);
    CHECK_EQ(rd(UART_DLL), 1);              /* 115200 baud */
    CHECK_EQ(rd(UART_DLM), 0);
}

UT_TEST(uart_scratch_roundtrip)
{
    setup();
    for (unsigned v = 0; v < 256; v++) {
        wr(UART_SCR, (uint8_t)v);
        CHECK_EQ(rd(UART_SCR), v);
    }
    CHECK_EQ(out.n, 0);
}

UT_TEST(uart_register_masks)
{
    setup();
    wr(UART_IER, 0xff);
    CHECK_EQ(rd(UART_IER), 0x0f);           /* 16550A: bits 7:4 read 0 */
    wr(UART_MCR, 0xff);
    CHECK_EQ(rd(UART_MCR), 0x1f);
    wr(UART_MCR, 0);
    for (unsigned v = 0; v < 256; v++) {
        wr(UART_LCR, (uint8_t)v);
        CHECK_EQ(rd(UART_LCR), v);
    }
}

UT_TEST(uart_lsr_writes_ignored)
{
    setup();
    wr(UART_LSR, 0x00);
    CHECK_EQ(rd(UART_LSR), 0x60);
    wr(UART_LSR, 0xff);
    CHECK_EQ(rd(UART_LSR), 0x60);
    wr(UART_MSR, 0x00);
    CHECK_EQ(rd(UART_MSR), 0xb0);
}

UT_TEST(uart_input_queue_and_dr)
{
    setup();
    CHECK(uart_push_input(&u, 'a'));
    CHECK(uart_push_input(&u, 'b'));
    CHECK(uart_push_input(&u, 'c'));
    CHECK_EQ(rd(UART_LSR), 0x61);           /* DR */
    CHECK_EQ(rd(UART_LSR), 0x61);           /* reading LSR does not consume */
    CHECK_EQ(rd(UART_RBR), 'a');
    CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 1);
    CHECK_EQ(rd(UART_RBR), 'b');
    CHECK_EQ(rd(UART_RBR), 'c');
    CHECK_EQ(rd(UART_LSR), 0x60);           /* drained */
    CHECK_EQ(rd(UART_RBR), 0);
    CHECK_EQ(rd(UART_LSR), 0x60);
    /* With DLAB set, offset 0 is DLL: input stays queued. */
    uart_push_input(&u, 'z');
    wr(UART_LCR, 0x80);
    CHECK_EQ(rd(UART_DLL), 1);
    wr(UART_LCR, 0x03);
    CHECK_EQ(rd(UART_RBR), 'z');
}

UT_TEST(uart_input_queue_wraps_and_overruns)
{
    setup();
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned i = 0; i < UART_RX_QUEUE - 10; i++)
            CHECK(uart_push_input(&u, (uint8_t)(i + round)));
        for (unsigned i = 0; i < UART_RX_QUEUE - 10; i++)
            CHECK_EQ(rd(UART_RBR), (uint8_t)(i + round));
    }
    for (unsigned i = 0; i < UART_RX_QUEUE; i++)
        CHECK(uart_push_input(&u, (uint8_t)i));
    CHECK(!uart_push_input(&u, 0xee));      /* full: lost, overrun */
    CHECK_EQ(rd(UART_LSR), 0x63);           /* DR | OE | THRE | TEMT */
    CHECK_EQ(rd(UART_LSR), 0x61);           /* OE clears on read */
    for (unsigned i = 0; i < UART_RX_QUEUE; i++)
        CHECK_EQ(rd(UART_RBR), (uint8_t)i);
    CHECK_EQ(rd(UART_LSR), 0x60);
}

UT_TEST(uart_iir_no_interrupt)
{
    setup();
    CHECK_EQ(rd(UART_IIR), 0x01);
    uart_push_input(&u, 'q');               /* data, but IER 0: nothing pending */
    wr(UART_THR, 'x');
    CHECK_EQ(rd(UART_IIR), 0x01);
    CHECK(!uart_irq_pending(&u));
}

UT_TEST(uart_fcr_fifo_bits)
{
    setup();
    wr(UART_FCR, 0x01);                     /* FIFO enable: 16550A reports 11b in IIR 7:6 */
    CHECK_EQ(rd(UART_IIR), 0xc1);
    CHECK_EQ(rd(UART_IIR) >> 6, 3);
    wr(UART_FCR, 0xc7);                     /* enable, clear both, trigger 14 */
    CHECK_EQ(rd(UART_IIR), 0xc1);
    wr(UART_FCR, 0x00);
    CHECK_EQ(rd(UART_IIR), 0x01);
    /* Clearing the receive FIFO drops queued input. */
    uart_push_input(&u, '1');
    uart_push_input(&u, '2');
    wr(UART_FCR, 0x01 | UART_FCR_CLEAR_TX);
    CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 1);
    wr(UART_FCR, 0x01 | UART_FCR_CLEAR_RX);
    CHECK_EQ(rd(UART_LSR), 0x60);
    CHECK_EQ(rd(UART_RBR), 0);
}

UT_TEST(uart_iir_sources)
{
    setup();
    wr(UART_FCR, 0x01);
    /* Received data available. */
    wr(UART_IER, UART_IER_RDI);
    CHECK_EQ(rd(UART_IIR), 0xc1);
    uart_push_input(&u, 'k');
    CHECK(uart_irq_pending(&u));
    CHECK_EQ(rd(UART_IIR), 0xc4);
    CHECK_EQ(rd(UART_RBR), 'k');
    CHECK_EQ(rd(UART_IIR), 0xc1);
    /* THR empty: raised when enabled, acknowledged by reading IIR, again after a write. */
    wr(UART_IER, UART_IER_THRI);
    CHECK_EQ(rd(UART_IIR), 0xc2);
    CHECK_EQ(rd(UART_IIR), 0xc1);
    wr(UART_THR, 'a');
    CHECK_EQ(rd(UART_IIR), 0xc2);
    CHECK_EQ(rd(UART_IIR), 0xc1);
    wr(UART_IER, UART_IER_THRI);            /* already enabled: no new edge */
    CHECK_EQ(rd(UART_IIR), 0xc1);
    /* Receive data outranks THRE. */
    wr(UART_IER, 0);
    wr(UART_IER, UART_IER_THRI | UART_IER_RDI);
    uart_push_input(&u, 'm');
    CHECK_EQ(rd(UART_IIR), 0xc4);
    rd(UART_RBR);
    CHECK_EQ(rd(UART_IIR), 0xc2);
    /* Line status (overrun) outranks everything, cleared by reading LSR. */
    wr(UART_IER, 0x0f);
    for (unsigned i = 0; i <= UART_RX_QUEUE; i++)
        uart_push_input(&u, 'o');
    CHECK_EQ(rd(UART_IIR), 0xc6);
    rd(UART_LSR);
    CHECK_EQ(rd(UART_IIR), 0xc4);
}

UT_TEST(uart_modem_status_interrupt)
{
    setup();
    wr(UART_IER, UART_IER_MSI);
    CHECK_EQ(rd(UART_IIR), 0x01);
    wr(UART_MCR, UART_MCR_LOOP);            /* all lines drop in loopback with MCR 0 */
    CHECK_EQ(rd(UART_IIR), 0x00);           /* modem status */
    CHECK_EQ(rd(UART_MSR), UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
    CHECK_EQ(rd(UART_IIR), 0x01);           /* reading MSR clears the deltas */
    CHECK_EQ(rd(UART_MSR), 0x00);
}

UT_TEST(uart_loopback)
{
    setup();
    /* Linux 8250 autoconfig: MCR = LOOP | OUT2 | RTS must read MSR 7:4 = 0x9. */
    wr(UART_MCR, UART_MCR_LOOP | 0x0a);
    CHECK_EQ(rd(UART_MSR) & 0xf0, 0x90);
    wr(UART_MCR, UART_MCR_LOOP | 0x0f);
    CHECK_EQ(rd(UART_MSR) & 0xf0, 0xf0);
    wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
    CHECK_EQ(rd(UART_MSR), UART_MSR_DSR | UART_MSR_DCTS | UART_MSR_TERI | UART_MSR_DDCD);
    /* Transmitted bytes come back to the receiver, not to the output. */
    wr(UART_THR, 'L');
    CHECK_EQ(out.n, 0);
    CHECK_EQ(rd(UART_LSR), 0x61);
    CHECK_EQ(rd(UART_RBR), 'L');
    wr(UART_MCR, 0x03);
    CHECK_EQ(rd(UART_MSR) & 0xf0, 0xb0);
    wr(UART_THR, 'T');
    CHECK_EQ(out.n, 1);
    CHECK_EQ(out.buf[0], 'T');
}

UT_TEST(uart_ports_outside)
{
    setup();
    CHECK(uart_owns(&u, BASE));
    CHECK(uart_owns(&u, BASE + 7));
    CHECK(!uart_owns(&u, BASE - 1));
    CHECK(!uart_owns(&u, BASE + 8));
    CHECK_EQ(uart_read(&u, BASE + 8), 0xff);
    CHECK_EQ(uart_read(&u, BASE - 1), 0xff);
    uart_write(&u, BASE + 8, 'x');
    uart_write(&u, BASE - 8, 'y');
    CHECK_EQ(out.n, 0);
    CHECK_EQ(rd(UART_SCR), 0);
    struct uart16550 hi;
    uart_init(&hi, 0xfff8, collect, &out);  /* the last 8 ports: no wrap-around */
    CHECK(uart_owns(&hi, 0xffff));
    CHECK(!uart_owns(&hi, 0x0000));
    CHECK(!uart_owns(&hi, 0x0007));
}

UT_TEST(uart_no_callback)
{
    struct uart16550 q;
    uart_init(&q, 0x2f8, 0, 0);
    uart_write(&q, 0x2f8, 'x');             /* dropped, not a crash */
    CHECK_EQ(uart_read(&q, 0x2fd), 0x60);
}

/* Linux's 8250 probe (autoconfig) and earlyprintk set-up, then polled output. */
UT_TEST(uart_linux_probe_sequence)
{
    setup();
    /* IER scratch test. */
    wr(UART_IER, 0);
    CHECK_EQ(rd(UART_IER) & 0x0f, 0);
    wr(UART_IER, 0x0f);
    CHECK_EQ(rd(UART_IER) & 0x0f, 0x0f);
    wr(UART_IER, 0);
    /* Loopback test. */
    uint8_t save_mcr = rd(UART_MCR);
    wr(UART_MCR, UART_MCR_LOOP | 0x0a);
    CHECK_EQ(rd(UART_MSR) & 0xf0, 0x90);
    wr(UART_MCR, save_mcr);
    /* FIFO type: 16550A. */
    wr(UART_FCR, 0x01);
    CHECK_EQ(rd(UART_IIR) >> 6, 3);
    wr(UART_FCR, 0);
    /* earlyprintk: 8N1, no interrupts, no FIFO, DTR|RTS, divisor 115200/115200. */
    wr(UART_LCR, 0x03);
    wr(UART_IER, 0);
    wr(UART_FCR, 0);
    wr(UART_MCR, 0x03);
    uint8_t c = rd(UART_LCR);
    wr(UART_LCR, c | UART_LCR_DLAB);
    wr(UART_DLL, 1);
    wr(UART_DLM, 0);
    wr(UART_LCR, c & ~UART_LCR_DLAB);
    const char *msg = "Linux version\n";
    for (const char *p = msg; *p; p++) {
        unsigned spins = 0;
        while (!(rd(UART_LSR) & UART_LSR_THRE) && spins < 0xffff)
            spins++;
        CHECK_EQ(spins, 0);
        wr(UART_THR, (uint8_t)*p);
    }
    CHECK_EQ(out.n, strlen(msg));
    CHECK(!memcmp(out.buf, msg, out.n));
}
