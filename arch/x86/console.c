/*
 * Console: COM1 16550 (polled, 115200 8N1) and/or the Bochs/QEMU debug
 * port 0xE9, chosen by console=com1|e9|both. Log level by log=.
 * Input: COM1's received bytes, moved by console_rx_poll (called by the
 * console binding, object/console_input.c, from the scheduler's periodic
 * poll) into a ring of HV_CONSOLE_BUFFER bytes that drops what does not fit.
 */
#include "byte_ring.h"
#include "format.h"
#include "base.h"
#include "hv/syscall.h"
#include "x86.h"

#define COM1 0x3f8
#define PORT_E9 0xe9

enum { OUT_COM1 = 1, OUT_E9 = 2 };

static unsigned outputs = OUT_COM1;     /* usable before console_init */
static enum log_level level = LOG_INFO;

static void com1_init(void)
{
    outb(COM1 + 1, 0x00);               /* no interrupts */
    outb(COM1 + 3, 0x80);               /* DLAB */
    outb(COM1 + 0, 0x01);               /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);               /* 8N1 */
    outb(COM1 + 2, 0xc7);               /* FIFO on, cleared */
    outb(COM1 + 4, 0x03);               /* DTR, RTS */
}

uint64_t console_wait_ticks;

static uint8_t rx_buf[HV_CONSOLE_BUFFER];
static struct byte_ring rx = { rx_buf, sizeof(rx_buf), 0, 0, 0 };

static void com1_putc(char c)
{
    /* Bounded: an absent UART reads 0xff (THRE set), a stuck one must not hang us. */
    if (!(inb(COM1 + 5) & 0x20)) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
            pause();
        console_wait_ticks += rdtsc() - t0;
    }
    outb(COM1, (uint8_t)c);
}

void console_init(const char *cmdline)
{
    char val[16];
    cmdline_set(cmdline);
    if (cmdline_get("console", val, sizeof(val))) {
        if (cmdline_has("console", "both"))
            outputs = OUT_COM1 | OUT_E9;
        else if (cmdline_has("console", "e9"))
            outputs = OUT_E9;
        else
            outputs = OUT_COM1;
    }
    if (cmdline_get("log", val, sizeof(val))) {
        if (cmdline_has("log", "error")) level = LOG_ERROR;
        else if (cmdline_has("log", "warn")) level = LOG_WARN;
        else if (cmdline_has("log", "debug")) level = LOG_DEBUG;
        else level = LOG_INFO;
    }
    if (outputs & OUT_COM1)
        com1_init();
}

/* At most this many bytes per poll: a UART that always says "data ready" cannot hold us. */
#define RX_POLL_MAX 64

void console_rx_poll(void)
{
    if (!(outputs & OUT_COM1))
        return;                         /* COM1 not set up (console=e9): no input */
    for (int i = 0; i < RX_POLL_MAX; i++) {
        uint8_t lsr = inb(COM1 + 5);
        if (lsr == 0xff || !(lsr & 0x01))
            return;                     /* absent UART (floating bus), or nothing received */
        uint8_t b = inb(COM1);
        byte_ring_put(&rx, &b, 1);
    }
}

uint32_t console_rx_peek(uint8_t *dst, uint32_t max)
{
    return byte_ring_peek(&rx, dst, max);
}

void console_rx_consume(uint32_t n)
{
    byte_ring_consume(&rx, n);
}

void console_rx_clear(void)
{
    byte_ring_clear(&rx);
}

uint64_t console_rx_dropped(void)
{
    return rx.dropped;
}

void log_set_level(enum log_level lvl)
{
    level = lvl;
}

void console_putc(char c)
{
    if (c == '\n')
        console_putc('\r');
    if (outputs & OUT_COM1)
        com1_putc(c);
    if (outputs & OUT_E9)
        outb(PORT_E9, (uint8_t)c);
}

void console_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        console_putc(s[i]);
}

static void fmt_out(char c, void *ctx)
{
    (void)ctx;
    console_putc(c);
}

static int vkprintf(const char *fmt, va_list ap)
{
    return vformat(fmt_out, 0, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vkprintf(fmt, ap);
    va_end(ap);
    return n;
}

void klog(enum log_level lvl, const char *fmt, ...)
{
    if (lvl > level)
        return;
    if (lvl == LOG_ERROR)
        kprintf("error: ");
    else if (lvl == LOG_WARN)
        kprintf("warning: ");
    va_list ap;
    va_start(ap, fmt);
    vkprintf(fmt, ap);
    va_end(ap);
}
