/*
 * COM1's receive interrupt (arch/x86/console_irq.c): ISA IRQ 4 through the
 * host I/O APIC to a local APIC vector; each interrupt drains the UART into
 * the console's input FIFO (console_rx_poll) and calls the notify hook the
 * console binding (object/, a higher layer) plugs in.
 */
#ifndef CONSOLE_IRQ_H
#define CONSOLE_IRQ_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Route COM1's ISA IRQ 4 (the MADT's override and flags applied) through
 * the I/O APIC to vector on APIC ID apic_id, masked, and hook the vector.
 * After ioapic_init. False without COM1 or an I/O APIC route (then input
 * can only be polled); prints why.
 */
bool console_irq_init(uint8_t vector, uint32_t apic_id);
/*
 * on: unmask the pin, then set the UART's OUT2 and IER (in that order: an
 * edge on a masked pin is lost); off: clear IER and OUT2, mask the pin.
 * False (and nothing done) when console_irq_init did not route it.
 */
bool console_irq_enable(bool on);
/* fn(more) runs after each interrupt drained the UART; more: it still had data past
 * console_rx_poll's limit. NULL clears it. */
void console_irq_set_notify(void (*fn)(bool more));

#endif
