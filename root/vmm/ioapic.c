/* The I/O APIC model (see ioapic.h). Pure code. */
#include "ioapic.h"

void ioapic_init(struct ioapic *io, uint8_t id, ioapic_deliver_fn deliver, void *ctx)
{
    io->id = io->arb = id & 0xf;
    io->regsel = 0;
    for (unsigned i = 0; i < IOAPIC_PINS; i++) {
        io->rte[i] = IOAPIC_RTE_MASK;
        io->line[i] = i >= 16;
    }
    io->deliver = deliver;
    io->ctx = ctx;
}

/* The pin's input after the polarity inverter. */
static bool asserted(const struct ioapic *io, unsigned pin)
{
    return io->line[pin] != !!(io->rte[pin] & IOAPIC_RTE_POLLOW);
}

static void send(struct ioapic *io, unsigned pin)
{
    uint64_t e = io->rte[pin];
    struct ioapic_msg m = {
        .vector = (uint8_t)(e & IOAPIC_RTE_VECTOR),
        .delivery_mode = (uint8_t)((e & IOAPIC_RTE_DELMODE) >> IOAPIC_RTE_DELMODE_SHIFT),
        .dest_logical = (e & IOAPIC_RTE_DESTLOG) != 0,
        .dest = (uint8_t)(e >> IOAPIC_RTE_DEST_SHIFT),
        .level = (e & IOAPIC_RTE_LEVEL) != 0,
        .pin = (uint8_t)pin,
    };
    if (io->deliver)
        io->deliver(io->ctx, &m);
}

/*
 * A level pin that is asserted, unmasked and not waiting for an EOI sends its
 * message and sets Remote IRR (82093AA, bit 14: set when the local APIC accepts
 * the level interrupt, cleared by an EOI with a matching vector).
 */
static void service_level(struct ioapic *io, unsigned pin)
{
    uint64_t e = io->rte[pin];
    if (!(e & IOAPIC_RTE_LEVEL) || (e & (IOAPIC_RTE_MASK | IOAPIC_RTE_RIRR)) || !asserted(io, pin))
        return;
    io->rte[pin] |= IOAPIC_RTE_RIRR;        /* before the callback: it may EOI at once */
    send(io, pin);
}

void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level)
{
    if (pin >= IOAPIC_PINS)
        return;
    bool was = asserted(io, pin);
    io->line[pin] = level;
    uint64_t e = io->rte[pin];
    if (e & IOAPIC_RTE_LEVEL)
        service_level(io, pin);
    else if (!was && asserted(io, pin) && !(e & IOAPIC_RTE_MASK))
        send(io, pin);                      /* edges on a masked pin are lost, not held */
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
        uint64_t e = io->rte[pin];
        if ((e & IOAPIC_RTE_LEVEL) && (e & IOAPIC_RTE_RIRR) && (uint8_t)e == vector) {
            io->rte[pin] &= ~IOAPIC_RTE_RIRR;
            service_level(io, pin);         /* still asserted: deliver again */
        }
    }
}

uint64_t ioapic_rte(const struct ioapic *io, unsigned pin)
{
    return pin < IOAPIC_PINS ? io->rte[pin] : 0;
}

static uint32_t reg_read(const struct ioapic *io, uint8_t index)
{
    switch (index) {
    case IOAPIC_REG_ID:
        return (uint32_t)io->id << 24;
    case IOAPIC_REG_VER:
        return (uint32_t)(IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
    case IOAPIC_REG_ARB:
        return (uint32_t)io->arb << 24;
    }
    unsigned pin = (unsigned)(index - IOAPIC_REG_REDTBL) / 2;
    if (index < IOAPIC_REG_REDTBL || pin >= IOAPIC_PINS)
        return 0;
    return (uint32_t)(index & 1 ? io->rte[pin] >> 32 : io->rte[pin]);
}

static void reg_write(struct ioapic *io, uint8_t index, uint32_t v)
{
    if (index == IOAPIC_REG_ID) {
        io->id = io->arb = (v >> 24) & 0xf; /* 82093AA: ARB is loaded when ID is written */
        return;
    }
    unsigned pin = (unsigned)(index - IOAPIC_REG_REDTBL) / 2;
    if (index < IOAPIC_REG_REDTBL || pin >= IOAPIC_PINS)
        return;                             /* VER, ARB and the rest are read-only */
    uint64_t old = io->rte[pin];
    uint64_t e = index & 1 ? (old & 0xffffffffull) | (uint64_t)v << 32
                           : (old & ~0xffffffffull) | v;
    /* Delivery Status and Remote IRR are read-only: writes "do not effect" them. */
    e = (e & IOAPIC_RTE_WRITABLE) | (old & (IOAPIC_RTE_DELIVS | IOAPIC_RTE_RIRR));
    if (!(e & IOAPIC_RTE_LEVEL))
        e &= ~IOAPIC_RTE_RIRR;              /* meaningless for edge pins: cleared (as QEMU) */
    io->rte[pin] = e;
    service_level(io, pin);                 /* e.g. unmasked while asserted */
}

uint64_t ioapic_mmio_read(void *ctx, uint64_t addr, unsigned size)
{
    struct ioapic *io = ctx;
    switch (addr & 0xfff) {
    case IOAPIC_IOREGSEL:
        return size <= 4 ? io->regsel : 0;
    case IOAPIC_IOWIN:
        return size == 4 ? reg_read(io, io->regsel) : 0;
    default:
        return 0;                           /* EOIR is write-only; the rest is not there */
    }
}

void ioapic_mmio_write(void *ctx, uint64_t addr, unsigned size, uint64_t value)
{
    struct ioapic *io = ctx;
    switch (addr & 0xfff) {
    case IOAPIC_IOREGSEL:
        if (size <= 4)
            io->regsel = (uint8_t)value;    /* bits 7:0; 31:8 reserved */
        break;
    case IOAPIC_IOWIN:
        if (size == 4)
            reg_write(io, io->regsel, (uint32_t)value);
        break;
    case IOAPIC_EOIR:
        if (size == 4)
            ioapic_eoi(io, (uint8_t)value);
        break;
    default:
        break;
    }
}

void ioapic_device(struct ioapic *io, struct vmm_device *d)
{
    *d = (struct vmm_device){
        .name = "ioapic",
        .mmio_base = IOAPIC_BASE,
        .mmio_len = IOAPIC_MMIO_LEN,
        .ctx = io,
        .mmio_read = ioapic_mmio_read,
        .mmio_write = ioapic_mmio_write,
    };
}
