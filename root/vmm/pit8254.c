/* The 8254 PIT and port 0x61 (see pit8254.h). Pure code. */
#include "pit8254.h"

void pit_init(struct pit8254 *pit, pit_clock_fn now, void *clock_ctx, uint64_t ticks_hz)
{
    *pit = (struct pit8254){ .now = now, .clock_ctx = clock_ctx, .ticks_hz = ticks_hz ? ticks_hz : 1 };
    pit->t0 = now(clock_ctx);
    for (unsigned c = 0; c < 3; c++) {
        pit->ch[c].rw = 3;
        pit->ch[c].mode = pit->ch[c].mode_bits = 3;     /* OUT high, nothing counting */
        pit->ch[c].n = 65536;
        pit->ch[c].gate = c != 2;               /* gates 0 and 1 are tied high */
        pit->ch[c].null_count = true;
    }
}

/* PIT clocks at tick now, exactly: split so no product overflows (hz < 2^42). */
static uint64_t pit_clock(const struct pit8254 *pit, uint64_t now)
{
    uint64_t e = now > pit->t0 ? now - pit->t0 : 0, hz = pit->ticks_hz;
    return e / hz * PIT_HZ + e % hz * PIT_HZ / hz;
}

/* The first tick at which pit_clock() reaches clock c. */
static uint64_t tick_of(const struct pit8254 *pit, uint64_t c)
{
    uint64_t hz = pit->ticks_hz, r = c % PIT_HZ;
    return pit->t0 + c / PIT_HZ * hz + (r * hz + PIT_HZ - 1) / PIT_HZ;
}

static uint32_t bcd_to_bin(uint16_t v)
{
    uint32_t n = 0;
    for (int shift = 12; shift >= 0; shift -= 4) {
        uint32_t digit = (v >> shift) & 0xf;
        n = n * 10 + (digit > 9 ? 9 : digit);
    }
    return n;
}

static uint16_t bin_to_bcd(uint32_t n)
{
    uint16_t v = 0;
    for (int shift = 0; shift < 16; shift += 4, n /= 10)
        v |= (uint16_t)((n % 10) << shift);
    return v;
}

/* The count N that cr stands for: 0 is the largest count (2^16, or 10^4 in BCD). */
static uint32_t eff_count(const struct pit_channel *ch)
{
    uint32_t n = ch->bcd ? bcd_to_bin(ch->cr) : ch->cr;
    if (n == 0)
        n = ch->bcd ? 10000 : 65536;
    if (n == 1 && (ch->mode == 2 || ch->mode == 3))
        n = 2;                                  /* count 1 is illegal in mode 2 */
    return n;
}

/* Mode 2/3: a count written while counting is loaded at the end of the period. */
static void ch_sync(struct pit_channel *ch, uint64_t t)
{
    if (ch->pending && t >= ch->switch_at) {
        ch->n = eff_count(ch);
        ch->start = ch->switch_at;
        ch->pending = false;
        ch->null_count = false;
    }
}

static uint64_t ch_elapsed(const struct pit_channel *ch, uint64_t t)
{
    return (ch->paused ? ch->paused_at : t) - ch->start;
}

static bool ch_out(const struct pit_channel *ch, uint64_t t)
{
    if (!ch->counting)
        return ch->mode != 0;                   /* after the control word: low in mode 0 */
    uint64_t d = ch_elapsed(ch, t), n = ch->n;
    switch (ch->mode) {
    case 0: case 1: return d >= n;
    case 2: return ch->paused || d % n != n - 1;
    case 3: return ch->paused || d % n < (n + 1) / 2;
    default: return d != n;                     /* modes 4, 5: one clock low at N */
    }
}

static uint16_t ch_count(const struct pit_channel *ch, uint64_t t)
{
    if (!ch->counting)
        return ch->cr;
    uint64_t d = ch_elapsed(ch, t), n = ch->n, m = ch->bcd ? 10000 : 65536, v;
    if (ch->mode == 2)
        v = n - d % n;
    else if (ch->mode == 3)
        v = n - 2 * d % n;
    else
        v = (n % m + m - d % m) % m;            /* counts down through 0 and wraps */
    v %= m;
    return ch->bcd ? bin_to_bcd((uint32_t)v) : (uint16_t)v;
}

/* Rising edges of OUT in the clocks (a, b], the configuration fixed meanwhile. */
static uint64_t ch_edges(const struct pit_channel *ch, uint64_t a, uint64_t b)
{
    if (!ch->counting || ch->paused || b <= a)
        return 0;
    uint64_t s = ch->start, n = ch->n;
    if (ch->mode == 2 || ch->mode == 3)
        return (b > s ? (b - s) / n : 0) - (a > s ? (a - s) / n : 0);
    uint64_t at = s + n + (ch->mode >= 4);      /* modes 4, 5 rise after the low clock */
    return a < at && at <= b;
}

/* The first clock after t with a rising edge of OUT, or PIT_NO_EDGE. */
static uint64_t ch_next_edge(const struct pit_channel *ch, uint64_t t)
{
    if (!ch->counting || ch->paused)
        return PIT_NO_EDGE;
    uint64_t s = ch->start, n = ch->n;
    if (ch->mode == 2 || ch->mode == 3)
        return s + ((t - s) / n + 1) * n;
    uint64_t at = s + n + (ch->mode >= 4);
    return at > t ? at : PIT_NO_EDGE;
}

/* Bring counter c to tick now (PIT clock returned); counter 0 also counts its OUT edges. */
static uint64_t ch_at_tick(struct pit8254 *pit, unsigned c, uint64_t now)
{
    uint64_t t = pit_clock(pit, now);
    if (t < pit->last)
        t = pit->last;
    pit->last = t;
    struct pit_channel *ch = &pit->ch[c];
    if (c == 0) {
        if (ch->pending && ch->switch_at <= t) {
            pit->irq0_edges += (uint32_t)ch_edges(ch, pit->irq0_seen, ch->switch_at);
            pit->irq0_seen = ch->switch_at;
        }
        ch_sync(ch, t);
        pit->irq0_edges += (uint32_t)ch_edges(ch, pit->irq0_seen, t);
        pit->irq0_seen = t;
    } else {
        ch_sync(ch, t);
    }
    return t;
}

/* The same at the clock callback's time, for port accesses. */
static uint64_t ch_at(struct pit8254 *pit, unsigned c)
{
    return ch_at_tick(pit, c, pit->now(pit->clock_ctx));
}

/* A write that may move OUT0 up counts as an edge (a control word, a new count). */
static void out0_edge_check(struct pit8254 *pit, unsigned c, bool before, uint64_t t)
{
    if (c == 0 && !before && ch_out(&pit->ch[0], t))
        pit->irq0_edges++;
}

static void latch_count(struct pit_channel *ch, uint64_t t)
{
    if (!ch->count_latched) {
        ch->latch = ch_count(ch, t);
        ch->count_latched = true;
        ch->latch_msb_next = 0;
    }
}

static void read_back(struct pit8254 *pit, uint8_t v)
{
    for (unsigned c = 0; c < 3; c++) {
        if (!(v & (2u << c)))
            continue;
        struct pit_channel *ch = &pit->ch[c];
        uint64_t t = ch_at(pit, c);
        if (!(v & 0x20))
            latch_count(ch, t);
        if (!(v & 0x10) && !ch->status_latched) {
            ch->status = (uint8_t)(ch_out(ch, t) << 7 | ch->null_count << 6 | ch->rw << 4 |
                                   ch->mode_bits << 1 | ch->bcd);
            ch->status_latched = true;
        }
    }
}

static void control_write(struct pit8254 *pit, uint8_t v)
{
    unsigned c = v >> 6;
    if (c == 3) {
        read_back(pit, v);
        return;
    }
    struct pit_channel *ch = &pit->ch[c];
    uint64_t t = ch_at(pit, c);
    if (!(v & 0x30)) {
        latch_count(ch, t);                     /* counter latch command */
        return;
    }
    bool before = ch_out(ch, t);
    ch->mode_bits = (v >> 1) & 7;
    ch->mode = ch->mode_bits > 5 ? ch->mode_bits - 4 : ch->mode_bits;
    ch->rw = (v >> 4) & 3;
    ch->bcd = v & 1;
    ch->counting = ch->paused = ch->pending = ch->have_cr = false;
    ch->null_count = true;
    ch->write_msb_next = ch->read_msb_next = 0;
    out0_edge_check(pit, c, before, t);
}

/* A full count arrived in the count register. */
static void count_loaded(struct pit_channel *ch, uint16_t cr, uint64_t t)
{
    ch->cr = cr;
    ch->have_cr = true;
    ch->null_count = true;
    if (ch->mode == 1 || ch->mode == 5)
        return;                                 /* loaded by the gate trigger */
    if ((ch->mode == 2 || ch->mode == 3) && ch->counting) {
        if (!ch->paused) {
            ch->pending = true;
            ch->switch_at = ch->start + ((t - ch->start) / ch->n + 1) * ch->n;
        }
        return;
    }
    ch->n = eff_count(ch);
    ch->start = ch->paused_at = t;
    ch->counting = true;
    ch->paused = !ch->gate;
    ch->pending = false;
    ch->null_count = false;
}

static void count_write(struct pit8254 *pit, unsigned c, uint8_t v)
{
    struct pit_channel *ch = &pit->ch[c];
    uint64_t t = ch_at(pit, c);
    bool before = ch_out(ch, t);
    if (ch->rw == 1) {
        count_loaded(ch, v, t);
    } else if (ch->rw == 2) {
        count_loaded(ch, (uint16_t)(v << 8), t);
    } else if (!ch->write_msb_next) {
        ch->write_lsb = v;
        ch->write_msb_next = 1;
        if (ch->mode == 0)
            ch->counting = false;               /* the first byte stops the count */
    } else {
        ch->write_msb_next = 0;
        count_loaded(ch, (uint16_t)(ch->write_lsb | v << 8), t);
    }
    out0_edge_check(pit, c, before, t);
}

static uint8_t count_read(struct pit8254 *pit, unsigned c)
{
    struct pit_channel *ch = &pit->ch[c];
    uint64_t t = ch_at(pit, c);
    if (ch->status_latched) {
        ch->status_latched = false;
        return ch->status;
    }
    uint16_t v = ch->count_latched ? ch->latch : ch_count(ch, t);
    bool msb;
    if (ch->rw == 3) {
        uint8_t *toggle = ch->count_latched ? &ch->latch_msb_next : &ch->read_msb_next;
        msb = *toggle;
        *toggle ^= 1;
        if (msb)
            ch->count_latched = false;
    } else {
        msb = ch->rw == 2;
        ch->count_latched = false;
    }
    return (uint8_t)(msb ? v >> 8 : v);
}

static void gate2(struct pit8254 *pit, bool level)
{
    struct pit_channel *ch = &pit->ch[2];
    uint64_t t = ch_at(pit, 2);
    if (level == ch->gate)
        return;
    ch->gate = level;
    if (!level) {
        if (ch->counting && ch->mode != 1 && ch->mode != 5 && !ch->paused) {
            ch->paused = true;
            ch->paused_at = t;
            ch->pending = false;                /* mode 2/3: the trigger loads the count */
        }
        return;
    }
    if (ch->mode == 0 || ch->mode == 4) {
        if (ch->counting && ch->paused)
            ch->start += t - ch->paused_at;     /* resume where it stopped */
        ch->paused = false;
    } else if (ch->have_cr && (ch->counting || ch->mode == 1 || ch->mode == 5)) {
        ch->n = eff_count(ch);                  /* trigger: reload and start */
        ch->start = t;
        ch->counting = true;
        ch->paused = ch->pending = ch->null_count = false;
    }
}

uint32_t pit_io_read(void *ctx, uint16_t port, unsigned size)
{
    struct pit8254 *pit = ctx;
    uint32_t high = (uint32_t)vmm_all_ones(size) & ~0xffu;
    if (port == PIT_PORT_61) {
        uint64_t t = ch_at(pit, 2);
        pit->refresh = !pit->refresh;
        return high | (pit->port61 & 0x0f) | pit->refresh << 4 | ch_out(&pit->ch[2], t) << 5;
    }
    if (port >= PIT_PORT_BASE && port < PIT_PORT_CTRL)
        return high | count_read(pit, port - PIT_PORT_BASE);
    return high | 0xff;                         /* the control word is write-only */
}

void pit_io_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    (void)size;                                 /* the low byte acts */
    struct pit8254 *pit = ctx;
    uint8_t v = (uint8_t)value;
    if (port == PIT_PORT_61) {
        pit->port61 = v & 0x0f;
        gate2(pit, v & 1);
    } else if (port == PIT_PORT_CTRL) {
        control_write(pit, v);
    } else if (port >= PIT_PORT_BASE && port < PIT_PORT_CTRL) {
        count_write(pit, port - PIT_PORT_BASE, v);
    }
}

uint32_t pit_update(struct pit8254 *pit, uint64_t now)
{
    ch_at_tick(pit, 0, now);
    uint32_t e = pit->irq0_edges;
    pit->irq0_edges = 0;
    return e;
}

uint64_t pit_irq0_next_edge(struct pit8254 *pit, uint64_t now)
{
    uint64_t t = ch_at_tick(pit, 0, now);
    if (pit->irq0_edges)
        return now;
    uint64_t e = ch_next_edge(&pit->ch[0], t);
    return e == PIT_NO_EDGE ? PIT_NO_EDGE : tick_of(pit, e);
}

bool pit_out(struct pit8254 *pit, unsigned c, uint64_t now)
{
    if (c > 2)
        return false;
    return ch_out(&pit->ch[c], ch_at_tick(pit, c, now));
}

bool pit_register(struct pit8254 *pit, struct vmm_devices *t)
{
    const struct vmm_device pitdev = { "pit", PIT_PORT_BASE, 4, 0, 0, pit, pit_io_read,
                                       pit_io_write, 0, 0 };
    const struct vmm_device p61 = { "port61", PIT_PORT_61, 1, 0, 0, pit, pit_io_read,
                                    pit_io_write, 0, 0 };
    return vmm_devices_add(t, &pitdev) && vmm_devices_add(t, &p61);
}
