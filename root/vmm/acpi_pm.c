/* The ACPI PM1 event/control registers and PM timer (see acpi_pm.h). Pure code. */
#include "acpi_pm.h"

void acpi_pm_init(struct acpi_pm *pm, acpi_pm_clock_fn now, void *clock_ctx, uint64_t ticks_hz,
                  struct vmm_exit *exit)
{
    pm->sts = pm->en = 0;
    pm->cnt = ACPI_PM1_SCI_EN;
    pm->now = now;
    pm->clock_ctx = clock_ctx;
    pm->ticks_hz = ticks_hz ? ticks_hz : 1;
    pm->t0 = now(clock_ctx);
    pm->tmr_seen = 0;
    pm->exit = exit;
}

/*
 * PM timer ticks since init, not wrapped: elapsed * 3579545 / hz, split so
 * that no product overflows (the remainder is below hz < 2^42, times
 * 3579545 < 2^22).
 */
static uint64_t timer_count(struct acpi_pm *pm)
{
    uint64_t elapsed = pm->now(pm->clock_ctx) - pm->t0;
    uint64_t hz = pm->ticks_hz;
    return elapsed / hz * ACPI_PM_TIMER_HZ + elapsed % hz * ACPI_PM_TIMER_HZ / hz;
}

/* Read the timer, setting TMR_STS if its bit 23 changed since the last look. */
static uint64_t timer_update(struct acpi_pm *pm)
{
    uint64_t count = timer_count(pm);
    if ((count >> 23) != (pm->tmr_seen >> 23))
        pm->sts |= ACPI_PM1_TMR;
    pm->tmr_seen = count;
    return count;
}

uint32_t acpi_pm_timer(struct acpi_pm *pm)
{
    return (uint32_t)(timer_update(pm) & ACPI_PM_TIMER_MASK);
}

void acpi_pm_raise(struct acpi_pm *pm, uint16_t status_bits)
{
    pm->sts |= status_bits;
}

bool acpi_pm_sci_pending(struct acpi_pm *pm)
{
    timer_update(pm);
    return (pm->sts & pm->en) != 0;
}

/* The first elapsed tick e with floor(e * 3579545 / hz) >= count: ceil(count * hz / 3579545),
 * split like timer_count (the remainder times hz stays below 2^64). */
static uint64_t ticks_for(const struct acpi_pm *pm, uint64_t count)
{
    uint64_t hz = pm->ticks_hz;
    return count / ACPI_PM_TIMER_HZ * hz +
           (count % ACPI_PM_TIMER_HZ * hz + ACPI_PM_TIMER_HZ - 1) / ACPI_PM_TIMER_HZ;
}

uint64_t acpi_pm_next_event(struct acpi_pm *pm)
{
    uint64_t count = timer_update(pm);
    if (!(pm->en & ACPI_PM1_TMR) || (pm->sts & ACPI_PM1_TMR))
        return ACPI_PM_NO_EVENT;
    return pm->t0 + ticks_for(pm, ((count >> 23) + 1) << 23);
}

/* Byte off (0-11) of the register block as a read sees it; tmr is the timer value. */
static uint8_t read_byte(const struct acpi_pm *pm, unsigned off, uint32_t tmr)
{
    unsigned shift = 8 * (off & 1);
    switch (off) {
    case 0: case 1:
        return (uint8_t)(pm->sts >> shift);
    case 2: case 3:
        return (uint8_t)(pm->en >> shift);
    case 4: case 5:
        return (uint8_t)((pm->cnt | ACPI_PM1_SCI_EN) >> shift);
    case 8: case 9: case 10: case 11:
        return (uint8_t)(tmr >> (8 * (off - 8)));
    default:
        return 0;
    }
}

/* PM1_CNT written (the bytes in mask): keep the readable bits, act on SLP_EN. */
static void write_cnt(struct acpi_pm *pm, uint16_t value, uint16_t mask)
{
    uint16_t keep = ACPI_PM1_BM_RLD | ACPI_PM1_SLP_TYP;
    pm->cnt = (uint16_t)((pm->cnt & ~(mask & keep)) | (value & mask & keep) | ACPI_PM1_SCI_EN);
    if ((value & mask & ACPI_PM1_SLP_EN) &&
        (pm->cnt & ACPI_PM1_SLP_TYP) >> ACPI_PM1_SLP_TYP_SHIFT == ACPI_PM_SLP_TYP_S5 && pm->exit)
        vmm_exit_set(pm->exit, 0, "ACPI S5 power-off");
}

static void write_byte(struct acpi_pm *pm, unsigned off, uint8_t v)
{
    unsigned shift = 8 * (off & 1);
    uint16_t value = (uint16_t)(v << shift), mask = (uint16_t)(0xff << shift);
    switch (off) {
    case 0: case 1:
        pm->sts &= (uint16_t)~value;                /* write 1 to clear */
        break;
    case 2: case 3:
        pm->en = (uint16_t)((pm->en & ~mask) | (value & ACPI_PM1_EN_MASK));
        break;
    case 4: case 5:
        write_cnt(pm, value, mask);
        break;
    default:
        break;                                      /* unused, or the read-only timer */
    }
}

uint32_t acpi_pm_io_read(void *ctx, uint16_t port, unsigned size)
{
    struct acpi_pm *pm = ctx;
    uint32_t tmr = acpi_pm_timer(pm), v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned off = (unsigned)(port - ACPI_PM_BASE) + i;
        if (off < ACPI_PM_NPORTS)
            v |= (uint32_t)read_byte(pm, off, tmr) << (8 * i);
        else
            v |= 0xffu << (8 * i);                  /* past the block: not ours */
    }
    return v;
}

void acpi_pm_io_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    struct acpi_pm *pm = ctx;
    for (unsigned i = 0; i < size; i++) {
        unsigned off = (unsigned)(port - ACPI_PM_BASE) + i;
        if (off < ACPI_PM_NPORTS)
            write_byte(pm, off, (uint8_t)(value >> (8 * i)));
    }
}

void acpi_pm_device(struct acpi_pm *pm, struct vmm_device *d)
{
    *d = (struct vmm_device){
        .name = "acpi_pm",
        .port = ACPI_PM_BASE,
        .nports = ACPI_PM_NPORTS,
        .ctx = pm,
        .io_read = acpi_pm_io_read,
        .io_write = acpi_pm_io_write,
    };
}
