/* The PC's interrupt controllers and timers wired together (see platform.h). Pure code. */
#include "platform.h"

void platform_init(struct platform *p, const struct platform_config *cfg)
{
    p->now = cfg->now;
    p->clock_ctx = cfg->clock_ctx;
    p->com1 = cfg->com1;
    p->pm = cfg->pm;
    irq_router_init(&p->router, &cfg->irq);
    pit_init(&p->pit, cfg->now, cfg->clock_ctx, cfg->ticks_hz);
    rtc_init(&p->rtc, cfg->now, cfg->clock_ctx, cfg->ticks_hz, cfg->wall, cfg->wall_ctx,
             cfg->ram_below_4g);
    p->next = PLATFORM_NO_EVENT;
}

bool platform_register(struct platform *p, struct vmm_devices *t)
{
    return irq_router_register(&p->router, t) && pit_register(&p->pit, t) &&
           rtc_register(&p->rtc, t);
}

static uint64_t earlier(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static void find_next(struct platform *p, uint64_t now)
{
    uint64_t t = earlier(pit_irq0_next_edge(&p->pit, now), rtc_next_event(&p->rtc, now));
    if (p->pm)
        t = earlier(t, acpi_pm_next_event(p->pm));
    p->next = t;
}

static void pit_line(struct platform *p, uint64_t now)
{
    if (pit_update(&p->pit, now))
        irq_router_pulse(&p->router, PLATFORM_IRQ_PIT);
}

static void rtc_line(struct platform *p, uint64_t now)
{
    irq_router_set(&p->router, PLATFORM_IRQ_RTC, rtc_irq_level(&p->rtc, now));
}

static void com1_line(struct platform *p)
{
    if (p->com1)
        irq_router_set(&p->router, PLATFORM_IRQ_COM1, uart_irq_line(p->com1));
}

static void sci_line(struct platform *p)
{
    if (p->pm)
        irq_router_set(&p->router, PLATFORM_IRQ_SCI, acpi_pm_sci_pending(p->pm));
}

void platform_sync(struct platform *p)
{
    uint64_t now = p->now(p->clock_ctx);
    pit_line(p, now);
    rtc_line(p, now);
    com1_line(p);
    sci_line(p);
    irq_router_update(&p->router);
    find_next(p, now);
}

static bool in_range(uint64_t addr, uint64_t base, uint64_t len)
{
    return addr >= base && addr - base < len;
}

void platform_access(struct platform *p, bool io, uint64_t addr)
{
    struct irq_router *r = &p->router;
    bool timers = false;
    if (!io) {
        /* The I/O APIC delivers by itself when an entry is unmasked or EOIed. */
    } else if (in_range(addr, PIC_MASTER_CMD, 2) || in_range(addr, PIC_SLAVE_CMD, 2) ||
               in_range(addr, PIC_ELCR1, 2)) {
        irq_router_update(r);
        return;
    } else if (in_range(addr, PIT_PORT_BASE, 4) || addr == PIT_PORT_61) {
        pit_line(p, p->now(p->clock_ctx));
        timers = true;
    } else if (in_range(addr, RTC_PORT_INDEX, 2)) {
        rtc_line(p, p->now(p->clock_ctx));
        timers = true;
    } else if (p->com1 && uart_owns(p->com1, (uint16_t)addr)) {
        com1_line(p);
    } else if (p->pm && in_range(addr, ACPI_PM_BASE, ACPI_PM_NPORTS)) {
        sci_line(p);
        timers = true;
    }
    if (irq_router_extint_held(r))
        irq_router_update(r);           /* IF may be on by now */
    if (timers)
        find_next(p, p->now(p->clock_ctx));
}

uint64_t platform_next_event(const struct platform *p)
{
    return p->next;
}

bool platform_extint_held(const struct platform *p)
{
    return irq_router_extint_held(&p->router);
}

void platform_eoi(struct platform *p, uint8_t vector)
{
    irq_router_eoi(&p->router, vector);
}

bool platform_can_wake(struct platform *p, bool console_input)
{
    uint64_t now = p->now(p->clock_ctx);
    const struct irq_router *r = &p->router;
    if (pit_irq0_next_edge(&p->pit, now) != PIT_NO_EDGE &&
        irq_router_unmasked(r, PLATFORM_IRQ_PIT))
        return true;
    if (rtc_next_event(&p->rtc, now) != RTC_NO_EVENT && irq_router_unmasked(r, PLATFORM_IRQ_RTC))
        return true;
    if (p->pm && acpi_pm_next_event(p->pm) != ACPI_PM_NO_EVENT &&
        irq_router_unmasked(r, PLATFORM_IRQ_SCI))
        return true;
    return console_input && p->com1 && (p->com1->ier & UART_IER_RDI) &&
           (p->com1->mcr & UART_MCR_OUT2) && irq_router_unmasked(r, PLATFORM_IRQ_COM1);
}
