/*
 * Console input to a port (hv_console_bind). arch/x86/console.c buffers
 * what COM1 receives; while a port is bound, the scheduler's periodic poll
 * calls console_poll, which reads the UART and sends the buffered bytes in
 * order as HV_PKT_CONSOLE packets of at most HV_CONSOLE_CHUNK bytes. A
 * packet that finds the port full leaves its bytes in the buffer for the
 * next poll (250 us later), so room a port_wait makes is used within a poll.
 * Sending never happens inside port_dequeue: the slot it just freed still
 * holds the packet being copied out.
 */
#include "base.h"
#include "console_input.h"
#include "lapic.h"
#include "sched.h"

static struct port *bound;              /* holds a reference while bound */
static uint64_t bound_key;

static void console_send(void)
{
    for (;;) {
        struct hv_packet pkt = { .key = bound_key, .type = HV_PKT_CONSOLE, .status = HV_OK };
        uint32_t n = console_rx_peek(pkt.console.data, HV_CONSOLE_CHUNK);
        pkt.console.len = n;
        if (!n || !port_enqueue(bound, &pkt))
            return;
        console_rx_consume(n);
    }
}

static void console_poll(void)
{
    console_rx_poll();
    if (bound)
        console_send();
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
        sched_set_poll(console_poll, tsc_hz() / CONSOLE_POLL_HZ);
        console_poll();
    } else {
        sched_set_poll(0, 0);
        port_set_close_hook(0);
        console_rx_clear();
    }
}
