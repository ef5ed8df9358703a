/*
 * The kernel console's input as port packets (object/console_input.c): the
 * binding behind hv_console_bind.
 */
#ifndef CONSOLE_INPUT_H
#define CONSOLE_INPUT_H

#include <stdint.h>
#include "port.h"

/* Retries per second while received bytes wait for room on the bound port (interrupt
 * mode): a port_wait's room is used within 1 ms; nothing runs while nothing waits. */
#define CONSOLE_RETRY_HZ 1000
/* Polls per second while bound when COM1's IRQ has no I/O APIC route: a 16550's 16-byte
 * FIFO holds 1.4 ms of 115200 baud, so a real UART loses nothing at 1 ms (Bochs, which
 * fills the FIFO faster than the baud rate, lost bytes of a burst at 1 kHz but has an
 * I/O APIC, so never polls). */
#define CONSOLE_POLL_HZ 1000

/*
 * Send the console's received bytes to p as HV_PKT_CONSOLE packets with key
 * (taking a reference on p, dropping the one on the port bound before), or
 * with p NULL stop and forget the bytes still buffered. Bound, COM1's
 * receive interrupt is on (IER, I/O APIC pin) and sends at once; bytes that
 * find the port full are retried CONSOLE_RETRY_HZ times a second until sent.
 * Without an I/O APIC route COM1 is polled CONSOLE_POLL_HZ times a second
 * instead. Unbound, the interrupt is off (IER 0, pin masked). The binding
 * ends by itself when p's last handle closes.
 */
void console_input_bind(struct port *p, uint64_t key);

#endif
