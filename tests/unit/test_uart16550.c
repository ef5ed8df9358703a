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

/* ---- Interrupts ---- */

/* Linux's 8250 start-up check (serial8250_do_startup): a 16550 must raise THRE again
 * each time IER.THRI is set while THR is empty, or the driver marks it UART_BUG_THRE. */
UT_TEST(uart_thre_on_enable)
{
    setup();
    wr(UART_MCR, UART_MCR_OUT2 | 0x03);
    CHECK(!uart_irq_line(&u));
    wr(UART_IER, UART_IER_THRI);
    CHECK(uart_irq_line(&u));
    CHECK_EQ(rd(UART_IIR), 0x02);
    CHECK(!uart_irq_line(&u));              /* reading IIR acknowledged it */
    CHECK_EQ(rd(UART_IIR), 0x01);
    wr(UART_IER, 0);
    wr(UART_IER, UART_IER_THRI);            /* re-armed on enable */
    CHECK(uart_irq_line(&u));
    CHECK_EQ(rd(UART_IIR), 0x02);
    CHECK_EQ(rd(UART_IIR), 0x01);
    /* Writing IER with THRI already set does not re-arm it; a THR write does. */
    wr(UART_IER, UART_IER_THRI | UART_IER_MSI);
    CHECK_EQ(rd(UART_IIR), 0x01);
    wr(UART_THR, 'a');
    CHECK(uart_irq_line(&u));
    CHECK_EQ(rd(UART_IIR), 0x02);
    CHECK(!uart_irq_line(&u));
    /* Disabled: pending or not, nothing on the line or in IIR. */
    wr(UART_THR, 'b');
    wr(UART_IER, 0);
    CHECK(!uart_irq_line(&u));
    CHECK_EQ(rd(UART_IIR), 0x01);
    CHECK_EQ(out.n, 2);
}

UT_TEST(uart_thre_fifo_enable)
{
    setup();
    wr(UART_IER, UART_IER_THRI);
    CHECK_EQ(rd(UART_IIR), 0x02);
    CHECK_EQ(rd(UART_IIR), 0x01);
    wr(UART_FCR, UART_FCR_ENABLE);          /* the first THRE after enabling FIFOs is at once */
    CHECK_EQ(rd(UART_IIR), 0xc2);
    CHECK_EQ(rd(UART_IIR), 0xc1);
    wr(UART_FCR, UART_FCR_ENABLE | 0x80);   /* already enabled: nothing new */
    CHECK_EQ(rd(UART_IIR), 0xc1);
}

UT_TEST(uart_iir_priority_order)
{
    setup();
    wr(UART_FCR, 0xc7);                     /* FIFOs, trigger 14 */
    wr(UART_MCR, UART_MCR_LOOP);            /* modem lines drop: deltas latched */
    wr(UART_MCR, UART_MCR_OUT2 | 0x03);     /* and rise again */
    for (unsigned i = 0; i <= UART_RX_QUEUE; i++)
        uart_receive(&u, (uint8_t)i);       /* full, then one overrun */
    wr(UART_IER, 0x0f);                     /* all four pending at once */
    CHECK(uart_irq_line(&u));
    CHECK_EQ(rd(UART_IIR), 0xc6);           /* line status first */
    CHECK_EQ(rd(UART_IIR), 0xc6);           /* reading IIR does not clear it */
    CHECK_EQ(rd(UART_LSR) & UART_LSR_OE, UART_LSR_OE);
    CHECK_EQ(rd(UART_IIR), 0xc4);           /* then received data */
    for (unsigned i = 0; i < UART_RX_QUEUE; i++)
        CHECK_EQ(rd(UART_RBR), (uint8_t)i);
    CHECK_EQ(rd(UART_IIR), 0xc2);           /* then THR empty, cleared by this read */
    CHECK_EQ(rd(UART_IIR), 0xc0);           /* then modem status */
    CHECK(uart_irq_line(&u));
    CHECK_EQ(rd(UART_MSR) & 0x0f, UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
    CHECK_EQ(rd(UART_IIR), 0xc1);
    CHECK(!uart_irq_line(&u));
    /* THRE outranks modem status but not received data. */
    wr(UART_MCR, UART_MCR_LOOP);
    wr(UART_MCR, UART_MCR_OUT2);
    wr(UART_THR, 'x');
    uart_receive(&u, 'y');
    CHECK_EQ(rd(UART_IIR), 0xcc);           /* below trigger: the timeout indication */
    rd(UART_RBR);
    CHECK_EQ(rd(UART_IIR), 0xc2);
    CHECK_EQ(rd(UART_IIR), 0xc0);
}

UT_TEST(uart_rx_trigger_levels)
{
    static const uint8_t fcr[4] = {0x01, 0x41, 0x81, 0xc1};
    static const unsigned level[4] = {1, 4, 8, 14};
    for (unsigned t = 0; t < 4; t++) {
        setup();
        wr(UART_FCR, fcr[t]);
        wr(UART_IER, UART_IER_RDI);
        wr(UART_MCR, UART_MCR_OUT2);
        CHECK_EQ(rd(UART_IIR), 0xc1);
        for (unsigned n = 1; n <= 20; n++) {
            CHECK(uart_receive(&u, (uint8_t)n));
            CHECK_EQ(rd(UART_IIR), n >= level[t] ? 0xc4 : 0xcc);
            CHECK(uart_irq_line(&u));
        }
        /* Reading down: data available until the FIFO level drops below the trigger
         * (the FIFO shows the queue's first 16 bytes), then the timeout indication. */
        for (unsigned n = 20; n > 0; n--) {
            unsigned fifo = n < UART_FIFO_DEPTH ? n : UART_FIFO_DEPTH;
            CHECK_EQ(rd(UART_IIR), fifo >= level[t] ? 0xc4 : 0xcc);
            CHECK_EQ(rd(UART_RBR), 21 - n);
        }
        CHECK_EQ(rd(UART_IIR), 0xc1);
        CHECK(!uart_irq_line(&u));
    }
}

UT_TEST(uart_rx_non_fifo_mode)
{
    setup();
    wr(UART_IER, UART_IER_RDI);
    uart_receive(&u, 'a');
    CHECK_EQ(rd(UART_IIR), 0x04);           /* 16450 mode: no timeout code, no bits 7:6 */
    uart_receive(&u, 'b');
    CHECK_EQ(rd(UART_IIR), 0x04);
    CHECK_EQ(rd(UART_RBR), 'a');
    CHECK_EQ(rd(UART_IIR), 0x04);
    CHECK_EQ(rd(UART_RBR), 'b');
    CHECK_EQ(rd(UART_IIR), 0x01);
}

UT_TEST(uart_rx_timeout_indication)
{
    setup();
    wr(UART_FCR, 0x87);                     /* FIFOs, trigger 8 */
    wr(UART_MCR, UART_MCR_OUT2);
    uart_receive(&u, 'h');
    uart_receive(&u, 'i');
    CHECK_EQ(rd(UART_IIR), 0xc1);           /* IER.RDI off: neither data nor timeout */
    CHECK(!uart_irq_line(&u));
    wr(UART_IER, UART_IER_RDI);
    CHECK_EQ(rd(UART_IIR), 0xcc);           /* below the trigger: timeout at once */
    CHECK(uart_irq_line(&u));
    CHECK_EQ(rd(UART_LSR), 0x61);           /* DR */
    CHECK_EQ(rd(UART_RBR), 'h');
    CHECK_EQ(rd(UART_IIR), 0xcc);           /* still data below the trigger */
    CHECK_EQ(rd(UART_RBR), 'i');
    CHECK_EQ(rd(UART_IIR), 0xc1);           /* emptied: cleared */
    CHECK(!uart_irq_line(&u));
    /* Clearing the receive FIFO clears it too. */
    uart_receive(&u, 'z');
    CHECK_EQ(rd(UART_IIR), 0xcc);
    wr(UART_FCR, 0x87);
    CHECK_EQ(rd(UART_IIR), 0xc1);
    CHECK_EQ(rd(UART_LSR), 0x60);
}

UT_TEST(uart_out2_gating)
{
    setup();
    CHECK(!uart_irq_line(&u));
    wr(UART_IER, UART_IER_RDI);
    uart_receive(&u, 'q');
    CHECK(uart_irq_pending(&u));
    CHECK(!uart_irq_line(&u));              /* OUT2 clear: the PC's IRQ gate is shut */
    wr(UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
    CHECK(!uart_irq_line(&u));
    wr(UART_MCR, UART_MCR_OUT2);
    CHECK(uart_irq_line(&u));
    wr(UART_MCR, UART_MCR_OUT1);            /* OUT1 does not gate anything */
    CHECK(!uart_irq_line(&u));
    wr(UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
    CHECK(uart_irq_line(&u));
    rd(UART_RBR);
    CHECK(!uart_irq_line(&u));              /* nothing pending: low even with OUT2 */
    CHECK(!uart_irq_pending(&u));
}

UT_TEST(uart_overrun)
{
    setup();
    wr(UART_FCR, 0xc1);
    wr(UART_IER, UART_IER_RLSI);
    wr(UART_MCR, UART_MCR_OUT2);
    CHECK_EQ(uart_rx_room(&u), UART_RX_QUEUE);
    for (unsigned i = 0; i < UART_RX_QUEUE; i++)
        CHECK(uart_receive(&u, (uint8_t)(i * 7)));
    CHECK_EQ(uart_rx_room(&u), 0);
    CHECK_EQ(rd(UART_IIR), 0xc1);           /* full is not an error */
    CHECK(!uart_irq_line(&u));
    CHECK(!uart_receive(&u, 0xee));         /* overrun: the new byte is lost */
    CHECK_EQ(rd(UART_IIR), 0xc6);
    CHECK(uart_irq_line(&u));
    CHECK_EQ(rd(UART_LSR), 0x63);           /* DR | OE | THRE | TEMT */
    CHECK_EQ(rd(UART_IIR), 0xc1);           /* reading LSR cleared it */
    CHECK(!uart_irq_line(&u));
    CHECK_EQ(rd(UART_LSR), 0x61);
    for (unsigned i = 0; i < UART_RX_QUEUE; i++)
        CHECK_EQ(rd(UART_RBR), (uint8_t)(i * 7));   /* what was queued is intact */
    CHECK_EQ(uart_rx_room(&u), UART_RX_QUEUE);
    CHECK(uart_receive(&u, 1));
    CHECK_EQ(rd(UART_LSR), 0x61);
}

UT_TEST(uart_modem_status_line)
{
    setup();
    wr(UART_MCR, UART_MCR_OUT2 | 0x03);     /* CTS/DSR/DCD already asserted: no change */
    wr(UART_IER, UART_IER_MSI);
    CHECK(!uart_irq_line(&u));
    wr(UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP | UART_MCR_OUT1);
    /* Loopback: CTS, DSR drop (RTS, DTR clear), RI rises (OUT1), DCD stays (OUT2). */
    CHECK(uart_irq_line(&u));
    CHECK_EQ(rd(UART_IIR), 0x00);
    CHECK_EQ(rd(UART_MSR), UART_MSR_RI | UART_MSR_DCD | UART_MSR_DCTS | UART_MSR_DDSR);
    CHECK(!uart_irq_line(&u));
    wr(UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);    /* RI's trailing edge: TERI */
    CHECK_EQ(rd(UART_IIR), 0x00);
    CHECK_EQ(rd(UART_MSR), UART_MSR_DCD | UART_MSR_TERI);
    CHECK_EQ(rd(UART_IIR), 0x01);
}

UT_TEST(uart_loopback_interrupts)
{
    setup();
    wr(UART_FCR, 0x01);
    wr(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
    wr(UART_IER, UART_IER_RDI);
    wr(UART_THR, 'L');                      /* comes back to the receiver */
    CHECK_EQ(out.n, 0);
    CHECK_EQ(rd(UART_IIR), 0xc4);
    CHECK(uart_irq_line(&u));
    CHECK_EQ(rd(UART_RBR), 'L');
    CHECK(!uart_irq_line(&u));
}

/* An 8250-style interrupt handler: read IIR until it says none; the line falls with it. */
UT_TEST(uart_linux_interrupt_driven)
{
    setup();
    wr(UART_LCR, 0x03);
    wr(UART_FCR, 0xc7);                     /* FIFOs, clear both, trigger 14 */
    wr(UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
    wr(UART_IER, UART_IER_RDI | UART_IER_RLSI);
    CHECK(!uart_irq_line(&u));
    const char *in = "root\n";
    for (const char *p = in; *p; p++)
        CHECK(uart_receive(&u, (uint8_t)*p));
    CHECK(uart_irq_line(&u));
    char got[16];
    unsigned ngot = 0, rounds = 0;
    while (!(rd(UART_IIR) & UART_IIR_NO_INT) && rounds++ < 10) {
        while ((rd(UART_LSR) & UART_LSR_DR) && ngot < sizeof(got))
            got[ngot++] = (char)rd(UART_RBR);
    }
    CHECK_EQ(rounds, 1);
    CHECK_EQ(ngot, strlen(in));
    CHECK(!memcmp(got, in, ngot));
    CHECK(!uart_irq_line(&u));
    /* Transmit: start_tx sets THRI, the handler fills the FIFO until done, then stop_tx. */
    const char *msg = "login: ";
    const char *p = msg;
    wr(UART_IER, UART_IER_RDI | UART_IER_RLSI | UART_IER_THRI);
    CHECK(uart_irq_line(&u));
    rounds = 0;
    uint8_t iir;
    while (!((iir = rd(UART_IIR)) & UART_IIR_NO_INT) && rounds++ < 10) {
        CHECK_EQ(iir, 0xc2);
        if (!*p) {
            wr(UART_IER, UART_IER_RDI | UART_IER_RLSI);    /* nothing left: stop_tx */
            continue;
        }
        for (unsigned n = 0; n < UART_FIFO_DEPTH && *p; n++)
            wr(UART_THR, (uint8_t)*p++);
    }
    CHECK_EQ(out.n, strlen(msg));
    CHECK(!memcmp(out.buf, msg, out.n));
    CHECK(!uart_irq_line(&u));
}
