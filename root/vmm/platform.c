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
}

bool platform_register(struct platform *p, struct vmm_devices *t)
{
    return irq_router_register(&p->router, t) && pit_register(&p->pit, t) &&
           rtc_register(&p->rtc, t);
}

void platform_sync(struct platform *p)
{
    uint64_t now = p->now(p->clock_ctx);
    struct irq_router *r = &p->router;
    if (pit_update(&p->pit, now))
        irq_router_pulse(r, PLATFORM_IRQ_PIT);
    irq_router_set(r, PLATFORM_IRQ_RTC, rtc_irq_level(&p->rtc, now));
    if (p->com1)
        irq_router_set(r, PLATFORM_IRQ_COM1, uart_irq_line(p->com1));
    if (p->pm)
        irq_router_set(r, PLATFORM_IRQ_SCI, acpi_pm_sci_pending(p->pm));
    irq_router_update(r);       /* a port access may have unmasked or EOIed the 8259 */
}

static uint64_t earlier(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

uint64_t platform_next_event(struct platform *p)
{
    uint64_t now = p->now(p->clock_ctx);
    uint64_t t = earlier(pit_irq0_next_edge(&p->pit, now), rtc_next_event(&p->rtc, now));
    if (p->pm)
        t = earlier(t, acpi_pm_next_event(p->pm));
    return t;
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
