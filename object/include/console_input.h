/*
 * The kernel console's input as port packets (object/console_input.c): the
 * binding behind hv_console_bind.
 */
#ifndef CONSOLE_INPUT_H
#define CONSOLE_INPUT_H

#include <stdint.h>
#include "port.h"

/* Polls per second while bound: COM1 is read every 250 us. A 16550's 16-byte FIFO holds
 * 1.4 ms of 115200 baud, yet at 1 ms Bochs's overflowed under a burst of typed bytes. */
#define CONSOLE_POLL_HZ 4000

/*
 * Send the console's received bytes to p as HV_PKT_CONSOLE packets with key
 * (taking a reference on p, dropping the one on the port bound before), or
 * with p NULL stop and forget the bytes still buffered. Bound, COM1 is polled
 * CONSOLE_POLL_HZ times a second from the scheduler; each poll also sends
 * what waited for room on the port. The binding ends by itself when p's last
 * handle closes.
 */
void console_input_bind(struct port *p, uint64_t key);

#endif
