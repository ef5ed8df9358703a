/*
 * Console input to a port (hv_console_bind). arch/x86/console.c buffers
 * what COM1 receives. While a port is bound, COM1's receive interrupt
 * (through the host I/O APIC) drains the UART and calls console_irq, which
 * sends the buffered bytes in order as HV_PKT_CONSOLE packets of at most
 * HV_CONSOLE_CHUNK bytes; with nothing typed the CPU takes no interrupt at
 * all. A packet that finds the port full leaves its bytes in the buffer, and
 * only then a retry poll runs from the scheduler's timer,
 * CONSOLE_RETRY_HZ times a second, until the buffer is empty: room a
 * port_wait makes is used at the next retry. Sending never happens inside
 * port_dequeue: the slot it just freed still holds the packet being copied
 * out (the retry runs from the timer, after that copy, since the kernel is
 * not preemptible). Without an I/O APIC route (none in the MADT) the poll
 * runs all the time the port is bound, CONSOLE_POLL_HZ times a second, and
 * reads the UART too.
 */
#include "base.h"
#include "console_input.h"
#include "console_irq.h"
#include "lapic.h"
#include "sched.h"

static struct port *bound;              /* holds a reference while bound */
static uint64_t bound_key;
static bool by_irq;                     /* bound, and the receive interrupt is on */
static bool retrying;                   /* by_irq and the retry poll is set */

/* Send what the buffer holds; true if bytes are left (the port is full). */
static bool console_send(void)
{
    for (;;) {
        struct hv_packet pkt = { .key = bound_key, .type = HV_PKT_CONSOLE, .status = HV_OK };
        uint32_t n = console_rx_peek(pkt.console.data, HV_CONSOLE_CHUNK);
        pkt.console.len = n;
        if (!n)
            return false;
        if (!port_enqueue(bound, &pkt))
            return true;
        console_rx_consume(n);
    }
}

static void console_poll(void);

/* Interrupt mode: the retry poll runs exactly while something waits (bytes for room on
 * the port, or a UART that had more than one drain takes). */
static void retry_update(bool pending)
{
    if (!by_irq || pending == retrying)
        return;
    retrying = pending;
    sched_set_poll(pending ? console_poll : 0, tsc_hz() / CONSOLE_RETRY_HZ);
}

static void console_poll(void)
{
    bool more = console_rx_poll();
    bool left = bound && console_send();
    retry_update(more || left);
}

/* COM1's receive interrupt, after the UART was drained into the buffer. */
static void console_irq(bool more)
{
    if (!bound) {
        console_rx_clear();             /* one raised before the unbind masked it */
        return;
    }
    retry_update(console_send() || more);
}

static void console_port_closed(struct port *p)
{
    if (p == bound)
        console_input_bind(0, 0);
}

void console_input_bind(struct port *p, uint64_t key)
{
    struct port *old = bound;
    if (p) {
        object_ref(port_object(p));
        port_set_close_hook(console_port_closed);
    }
    if (old)
        object_unref(port_object(old));
    bound = p;
    bound_key = key;
    if (p) {
        console_irq_set_notify(console_irq);
        if (!by_irq)
            by_irq = console_irq_enable(true);
        sched_set_irq_wakes(by_irq);
        if (!by_irq)
            sched_set_poll(console_poll, tsc_hz() / CONSOLE_POLL_HZ);
        console_poll();                 /* what came before the bind, and the retry state */
    } else {
        if (by_irq)
            console_irq_enable(false);
        by_irq = retrying = false;
        sched_set_irq_wakes(false);
        sched_set_poll(0, 0);
        port_set_close_hook(0);
        console_irq_set_notify(0);
        console_rx_clear();
    }
}
