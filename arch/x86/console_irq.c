/*
 * COM1's receive interrupt (console_irq.h). Edge triggered (ISA): the
 * 16550's INTR falls only when its received-data condition is gone, so each
 * interrupt drains the FIFO; the next byte raises a new edge. A drain that
 * stops at console_rx_poll's limit with data left tells the hook, which
 * polls until the UART is empty.
 */
#include "base.h"
#include "console_irq.h"
#include "cpu.h"
#include "ioapic_hw.h"

#define COM1_IRQ 4

static bool routed;
static void (*notify)(bool more);

static void com1_irq(void)
{
    bool more = console_rx_poll();
    if (notify)
        notify(more);
}

bool console_irq_init(uint8_t vector, uint32_t apic_id)
{
    if (!console_rx_irq_uart(false))
        return false;                   /* no COM1: nothing to route */
    hv_status_t rc = ioapic_route_isa(COM1_IRQ, vector, apic_id);
    if (rc != HV_OK) {
        pr_info("console: COM1's IRQ %u has no I/O APIC route (status %d)\n", COM1_IRQ, rc);
        return false;
    }
    trap_set_irq_handler(vector, com1_irq);
    routed = true;
    return true;
}

bool console_irq_enable(bool on)
{
    if (!routed)
        return false;
    if (on) {
        ioapic_mask_isa(COM1_IRQ, false);      /* 82093AA 3.2.4: masked edges are lost */
        console_rx_irq_uart(true);
    } else {
        console_rx_irq_uart(false);
        ioapic_mask_isa(COM1_IRQ, true);
    }
    return true;
}

void console_irq_set_notify(void (*fn)(bool more))
{
    notify = fn;
}
