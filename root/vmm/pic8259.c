/* The master/slave Intel 8259A pair and the ELCR (see pic8259.h). Pure code. */
#include "pic8259.h"

static void chip_reset(struct pic8259_chip *c, uint8_t elcr_mask)
{
    *c = (struct pic8259_chip){ .elcr_mask = elcr_mask, .lowest = 7 };
}

void pic_init(struct pic8259 *pic)
{
    chip_reset(&pic->chip[0], 0xf8);    /* PIIX: IRQ 0-2 are always edge */
    chip_reset(&pic->chip[1], 0xde);    /* IRQ 8 and 13 too */
}

static uint8_t level_mask(const struct pic8259_chip *c)
{
    return c->ltim ? 0xff : c->elcr;
}

/* The priority rank (0 highest) of the first IR set in bits, or 8 if none. */
static unsigned rank(const struct pic8259_chip *c, uint8_t bits)
{
    for (unsigned p = 0; p < 8; p++)
        if (bits & (1u << ((c->lowest + 1 + p) & 7)))
            return p;
    return 8;
}

static unsigned rank_ir(const struct pic8259_chip *c, unsigned p)
{
    return (c->lowest + 1 + p) & 7;
}

/*
 * The IR this chip presents on INT, or -1: the highest-priority unmasked
 * request above every in-service level that counts. In special mask mode
 * masked in-service levels do not count; in special fully nested mode the
 * master's cascade input does not.
 */
static int chip_pending(const struct pic8259_chip *c, bool master)
{
    unsigned req = rank(c, c->irr & ~c->imr);
    if (req == 8)
        return -1;
    uint8_t in = c->isr;
    if (c->special_mask)
        in &= ~c->imr;
    if (master && (c->icw4 & 0x10))
        in &= ~(1u << PIC_CASCADE_IRQ);
    return req < rank(c, in) ? (int)rank_ir(c, req) : -1;
}

/* One input of one chip goes to level. */
static void chip_line(struct pic8259_chip *c, unsigned ir, bool level)
{
    uint8_t bit = (uint8_t)(1u << ir);
    bool was = c->lines & bit;
    c->lines = level ? c->lines | bit : c->lines & ~bit;
    if (level_mask(c) & bit)
        c->irr = level ? c->irr | bit : c->irr & ~bit;      /* IRR follows the line */
    else if (level && !was)
        c->irr |= bit;                                      /* a rising edge latches */
}

/* The slave's INT drives the master's IR2. */
static void cascade_update(struct pic8259 *pic)
{
    chip_line(&pic->chip[0], PIC_CASCADE_IRQ, chip_pending(&pic->chip[1], false) >= 0);
}

void pic_set_irq(struct pic8259 *pic, unsigned irq, int level)
{
    if (irq >= 16 || irq == PIC_CASCADE_IRQ)
        return;
    chip_line(&pic->chip[irq >> 3], irq & 7, level != 0);
    cascade_update(pic);
}

bool pic_has_interrupt(const struct pic8259 *pic)
{
    return chip_pending(&pic->chip[0], true) >= 0;
}

/* INTA on one chip for ir: IRR -> ISR (edge requests leave IRR), or AEOI. */
static void chip_ack(struct pic8259_chip *c, unsigned ir)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (!(level_mask(c) & bit))
        c->irr &= ~bit;
    if (c->icw4 & 0x02) {
        if (c->rotate_aeoi)
            c->lowest = (uint8_t)ir;
    } else {
        c->isr |= bit;
    }
}

uint8_t pic_acknowledge(struct pic8259 *pic)
{
    struct pic8259_chip *m = &pic->chip[0], *s = &pic->chip[1];
    int ir = chip_pending(m, true);
    uint8_t vector;
    if (ir < 0) {
        vector = m->vector_base | 7;                    /* spurious IRQ 7 */
    } else {
        chip_ack(m, (unsigned)ir);
        if (ir == PIC_CASCADE_IRQ && !m->single) {
            int sir = chip_pending(s, false);
            if (sir < 0) {
                vector = s->vector_base | 7;            /* spurious IRQ 15 */
            } else {
                chip_ack(s, (unsigned)sir);
                vector = (uint8_t)(s->vector_base | sir);
            }
        } else {
            vector = (uint8_t)(m->vector_base | ir);
        }
    }
    cascade_update(pic);
    return vector;
}

/* OCW2: EOIs, rotation, set priority (R SL EOI in bits 7:5, level L in 2:0). */
static void ocw2(struct pic8259_chip *c, uint8_t v)
{
    unsigned l = v & 7;
    switch (v >> 5) {
    case 0: c->rotate_aeoi = false; break;
    case 4: c->rotate_aeoi = true; break;
    case 1: case 5: {                                   /* non-specific EOI (and rotate) */
        unsigned p = rank(c, c->isr);
        if (p == 8)
            break;
        unsigned ir = rank_ir(c, p);
        c->isr &= (uint8_t)~(1u << ir);
        if (v >> 5 == 5)
            c->lowest = (uint8_t)ir;
        break;
    }
    case 3: c->isr &= (uint8_t)~(1u << l); break;       /* specific EOI */
    case 7: c->isr &= (uint8_t)~(1u << l); c->lowest = (uint8_t)l; break;
    case 6: c->lowest = (uint8_t)l; break;              /* set priority */
    default: break;                                     /* 2: no operation */
    }
}

static void ocw3(struct pic8259_chip *c, uint8_t v)
{
    if (v & 0x02)
        c->read_isr = v & 0x01;
    c->poll = v & 0x04;
    if (v & 0x40)
        c->special_mask = v & 0x20;
}

static void icw1(struct pic8259_chip *c, uint8_t v)
{
    c->ltim = v & 0x08;
    c->single = v & 0x02;
    c->need_icw4 = v & 0x01;
    c->imr = c->isr = 0;
    c->irr = c->lines & level_mask(c);          /* edge sense reset: edges must come anew */
    c->icw4 = 0;
    c->lowest = 7;
    c->special_mask = c->read_isr = c->poll = c->rotate_aeoi = false;
    c->init_step = 2;
}

static void data_write(struct pic8259_chip *c, uint8_t v)
{
    switch (c->init_step) {
    case 2:
        c->vector_base = v & 0xf8;
        c->init_step = !c->single ? 3 : c->need_icw4 ? 4 : 0;
        break;
    case 3:
        c->icw3 = v;
        c->init_step = c->need_icw4 ? 4 : 0;
        break;
    case 4:
        c->icw4 = v & 0x1f;
        c->init_step = 0;
        break;
    default:
        c->imr = v;                             /* OCW1 */
        break;
    }
}

/* Poll command: acknowledge like INTA on this chip only; 0x80 | IR, or 0. */
static uint8_t poll_read(struct pic8259 *pic, unsigned n)
{
    struct pic8259_chip *c = &pic->chip[n];
    c->poll = false;
    int ir = chip_pending(c, n == 0);
    if (ir < 0)
        return 0;
    chip_ack(c, (unsigned)ir);
    return (uint8_t)(0x80 | ir);
}

static uint8_t read_byte(struct pic8259 *pic, uint16_t port)
{
    if (port == PIC_ELCR1 || port == PIC_ELCR2)
        return pic->chip[port - PIC_ELCR1].elcr;
    unsigned n = port >= PIC_SLAVE_CMD;
    struct pic8259_chip *c = &pic->chip[n];
    if (port & 1)
        return c->imr;
    if (c->poll)
        return poll_read(pic, n);
    return c->read_isr ? c->isr : c->irr;
}

static void write_byte(struct pic8259 *pic, uint16_t port, uint8_t v)
{
    if (port == PIC_ELCR1 || port == PIC_ELCR2) {
        struct pic8259_chip *c = &pic->chip[port - PIC_ELCR1];
        c->elcr = v & c->elcr_mask;
        uint8_t level = level_mask(c);
        c->irr = (uint8_t)((c->irr & ~level) | (c->lines & level));
        return;
    }
    struct pic8259_chip *c = &pic->chip[port >= PIC_SLAVE_CMD];
    if (port & 1)
        data_write(c, v);
    else if (v & 0x10)
        icw1(c, v);
    else if (v & 0x08)
        ocw3(c, v);
    else
        ocw2(c, v);
}

/* Each device claims two ports; a wider access covers the next port of the pair. */
uint32_t pic_io_read(void *ctx, uint16_t port, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint16_t p = (uint16_t)(port + i);
        uint8_t b = (i == 0 || (p & 1)) ? read_byte(ctx, p) : 0xff;
        v |= (uint32_t)b << (8 * i);
    }
    cascade_update(ctx);
    return v;
}

void pic_io_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    for (unsigned i = 0; i < size; i++) {
        uint16_t p = (uint16_t)(port + i);
        if (i == 0 || (p & 1))
            write_byte(ctx, p, (uint8_t)(value >> (8 * i)));
    }
    cascade_update(ctx);
}

bool pic_register(struct pic8259 *pic, struct vmm_devices *t)
{
    const struct vmm_device devs[] = {
        { "pic-master", PIC_MASTER_CMD, 2, 0, 0, pic, pic_io_read, pic_io_write, 0, 0 },
        { "pic-slave", PIC_SLAVE_CMD, 2, 0, 0, pic, pic_io_read, pic_io_write, 0, 0 },
        { "elcr", PIC_ELCR1, 2, 0, 0, pic, pic_io_read, pic_io_write, 0, 0 },
    };
    for (unsigned i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
        if (!vmm_devices_add(t, &devs[i]))
            return false;
    return true;
}
