/*
 * The virtual local APIC's register logic (SDM Vol. 3A chapter 10): pure
 * code, compiled into the kernel and into the host unit tests. One vCPU
 * exists per APIC; IPIs to other CPUs are counted, not delivered (no SMP yet).
 */
#include "vlapic.h"
#include "hv/state.h"

#define BIT(n) (1u << (n))

/* Writable bits of each LVT entry (10.5.1, Figure 10-8); delivery status (12) and
 * remote IRR (14) are read-only. */
static const uint32_t lvt_writable[LVT_COUNT] = {
    [LVT_TIMER] = 0x700ffu,             /* vector, mask, timer mode (17:18) */
    [LVT_THERMAL] = 0x107ffu,           /* vector, delivery mode, mask */
    [LVT_PERF] = 0x107ffu,
    [LVT_LINT0] = 0x1a7ffu,             /* + polarity (13), trigger mode (15) */
    [LVT_LINT1] = 0x1a7ffu,
    [LVT_ERROR] = 0x100ffu,             /* vector, mask */
};

#define ICR_LO_WRITABLE 0xcefffu        /* vector, mode, dest mode, level, trigger, shorthand */
#define SVR_WRITABLE    0x3ffu          /* vector, APIC enable (8), focus checking (9) */

/* a * b / c, rounded up when round_up, saturating at 2^64 - 1 (no libgcc 128-bit divide in
 * the kernel: the 128-by-64 DIV does it, host and kernel both being x86-64). */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c, bool round_up)
{
    unsigned __int128 p = (unsigned __int128)a * b;
    if (round_up)
        p += c - 1;
    uint64_t hi = (uint64_t)(p >> 64), lo = (uint64_t)p, q, r;
    if (hi >= c)
        return ~0ull;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(c));
    (void)r;
    return q;
}

static inline bool test_bit(const uint32_t *v, unsigned n) { return v[n / 32] & BIT(n % 32); }
static inline void set_bit(uint32_t *v, unsigned n) { v[n / 32] |= BIT(n % 32); }
static inline void clear_bit(uint32_t *v, unsigned n) { v[n / 32] &= ~BIT(n % 32); }

static int highest(const uint32_t *v)
{
    for (int i = 7; i >= 0; i--)
        if (v[i])
            return i * 32 + 31 - __builtin_clz(v[i]);
    return -1;
}

uint32_t vlapic_timer_divisor(uint32_t dcr)
{
    /* 10.5.4, Figure 10-10: bits 3,1:0; 111b divides by 1, n by 2^(n+1). */
    uint32_t n = ((dcr >> 1) & 4) | (dcr & 3);
    return n == 7 ? 1 : 2u << n;
}

static enum vlapic_timer_mode timer_mode(const struct vlapic *l)
{
    return (enum vlapic_timer_mode)((l->lvt[LVT_TIMER] >> LVT_TIMER_MODE_SHIFT) & 3);
}

/* TSC ticks per timer period of `count` input ticks (rounded up, at least 1). */
static uint64_t period_tsc(const struct vlapic *l, uint32_t count)
{
    uint64_t p = muldiv((uint64_t)count * vlapic_timer_divisor(l->dcr), l->tsc_mult, l->apic_mult, true);
    return p ? p : 1;
}

static void timer_arm(struct vlapic *l, uint64_t tsc)
{
    l->timer_start = tsc;
    l->timer_deadline = 0;
    enum vlapic_timer_mode m = timer_mode(l);
    if (m == TIMER_TSC_DEADLINE)
        l->timer_deadline = l->tsc_deadline;
    else if (l->initial_count && m != 3)
        l->timer_deadline = tsc + period_tsc(l, l->initial_count);
}

void vlapic_reset(struct vlapic *l, uint32_t id, uint32_t tsc_mult, uint32_t apic_mult)
{
    uint8_t *p = (uint8_t *)l;
    for (unsigned i = 0; i < sizeof(*l); i++)
        p[i] = 0;
    l->id = id;
    l->dfr = 0xffffffffu;               /* flat model (10.4.7.1) */
    l->svr = 0xff;                      /* software-disabled, spurious vector 0xff */
    for (unsigned i = 0; i < LVT_COUNT; i++)
        l->lvt[i] = LVT_MASKED;
    l->tsc_mult = tsc_mult ? tsc_mult : 1;
    l->apic_mult = apic_mult ? apic_mult : 1;
}

/* ---- priorities (10.8.3) ------------------------------------------------------- */

uint32_t vlapic_ppr(const struct vlapic *l)
{
    int isrv = vlapic_isr_top(l);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    /* 10.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] with PPR[3:0] = 0. */
    return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

int vlapic_pending(const struct vlapic *l)
{
    int v = highest(l->irr);
    if (v < 0)
        return -1;                      /* the common case: nothing requested */
    if (((uint32_t)v & 0xf0) <= (vlapic_ppr(l) & 0xf0))
        return -1;
    return v;
}

void vlapic_accept(struct vlapic *l, uint8_t vector)
{
    clear_bit(l->irr, vector);
    set_bit(l->isr, vector);
    if (vector >= l->isr_top)
        l->isr_top = (uint16_t)(vector + 1);
}

/* 1 + the highest ISR bit at or below vector's word, 0 when there is none. */
static uint16_t isr_top_from(const struct vlapic *l, unsigned vector)
{
    for (int i = (int)(vector / 32); i >= 0; i--)
        if (l->isr[i])
            return (uint16_t)(i * 32 + 32 - __builtin_clz(l->isr[i]));
    return 0;
}

int vlapic_eoi(struct vlapic *l)
{
    int v = vlapic_isr_top(l);
    if (v < 0)
        return -1;                      /* nothing in service: the EOI does nothing */
    clear_bit(l->isr, (unsigned)v);
    l->isr_top = isr_top_from(l, (unsigned)v);
    if (test_bit(l->tmr, (unsigned)v)) {
        clear_bit(l->tmr, (unsigned)v);
        set_bit(l->eoi_level, (unsigned)v);
    }
    return v;
}

/* ---- errors (10.5.3) ------------------------------------------------------------ */

static void raise_error(struct vlapic *l, uint32_t bits)
{
    uint32_t fresh = bits & ~l->esr_pending;
    l->esr_pending |= bits;
    /* A new error sends the LVT error interrupt unless it is masked. */
    uint32_t lvt = l->lvt[LVT_ERROR];
    if (fresh && !(lvt & LVT_MASKED) && (lvt & 0xff) >= 16) {
        set_bit(l->irr, lvt & 0xff);
        clear_bit(l->tmr, lvt & 0xff);
    }
}

void vlapic_set_irr(struct vlapic *l, uint8_t vector, bool level)
{
    if (vector < 16) {
        raise_error(l, ESR_RECEIVE_ILLEGAL_VECTOR);
        return;
    }
    set_bit(l->irr, vector);
    if (level)
        set_bit(l->tmr, vector);
    else
        clear_bit(l->tmr, vector);
}

/* ---- IPIs (10.6) ---------------------------------------------------------------- */

/* Whether the destination field names this APIC (10.6.2). */
static bool dest_is_self(const struct vlapic *l, uint32_t dest, bool logical)
{
    if (l->x2apic) {
        if (dest == 0xffffffffu)
            return true;
        if (!logical)
            return dest == l->id;
        /* 10.12.10.2: cluster in 31:16, one bit per APIC in 15:0. */
        return (dest >> 16) == (l->ldr >> 16) && (dest & l->ldr & 0xffff);
    }
    dest &= 0xff;
    if (dest == 0xff)
        return true;
    if (!logical)
        return dest == (l->id & 0xff);
    uint32_t mine = l->ldr >> 24;
    if ((l->dfr >> 28) == 0xf)          /* flat: a bit per APIC */
        return dest & mine;
    /* cluster: cluster ID in 7:4, members in 3:0 */
    return (dest >> 4) == (mine >> 4) && (dest & mine & 0xf);
}

static void send_ipi(struct vlapic *l, uint32_t lo, uint32_t dest)
{
    uint32_t mode = (lo >> 8) & 7, shorthand = (lo >> 18) & 3;
    uint8_t vector = lo & 0xff;
    bool self, others;
    switch (shorthand) {
    case 1: self = true, others = false; break;              /* self */
    case 2: self = true, others = true; break;               /* all including self */
    case 3: self = false, others = true; break;              /* all excluding self */
    default:
        self = dest_is_self(l, dest, lo & BIT(11));
        others = !self || dest == 0xffu || dest == 0xffffffffu || (lo & BIT(11));
        break;
    }
    if (others)
        l->other_ipis++;
    switch (mode) {
    case 0:                                     /* fixed */
    case 1:                                     /* lowest priority: one CPU, so fixed */
        if (vector < 16) {
            raise_error(l, ESR_SEND_ILLEGAL_VECTOR | (self ? ESR_RECEIVE_ILLEGAL_VECTOR : 0));
            return;
        }
        if (self)
            vlapic_set_irr(l, vector, lo & BIT(15));
        break;
    case 4:                                     /* NMI */
        if (self)
            l->nmi = true;
        break;
    case 5:                                     /* INIT (the level-de-assert form is a no-op) */
        if (self && !((lo & BIT(15)) && !(lo & BIT(14))))
            l->init_ipis++;
        break;
    case 6:                                     /* start-up */
        if (self) {
            l->sipi_ipis++;
            l->last_sipi_vector = vector;
        }
        break;
    default:                                    /* SMI and reserved: ignored */
        break;
    }
}

/* ---- registers ------------------------------------------------------------------ */

static uint32_t current_count(const struct vlapic *l, uint64_t tsc)
{
    enum vlapic_timer_mode m = timer_mode(l);
    if (m == TIMER_TSC_DEADLINE || m == 3 || !l->initial_count || !l->timer_deadline)
        return 0;
    if (tsc >= l->timer_deadline)
        return m == TIMER_ONESHOT ? 0 : l->initial_count;   /* periodic: reloaded */
    uint64_t left_tsc = l->timer_deadline - tsc;
    /* input ticks left = left_tsc * apic_mult / (tsc_mult * divisor), rounded up */
    uint64_t left = muldiv(left_tsc, l->apic_mult, (uint64_t)l->tsc_mult * vlapic_timer_divisor(l->dcr), true);
    return left > l->initial_count ? l->initial_count : (uint32_t)left;
}

static uint32_t read_reg(struct vlapic *l, uint32_t off, uint64_t tsc, bool *ok)
{
    *ok = true;
    if (off >= APIC_ISR && off < APIC_ISR + 0x80)
        return l->isr[(off - APIC_ISR) >> 4];
    if (off >= APIC_TMR && off < APIC_TMR + 0x80)
        return l->tmr[(off - APIC_TMR) >> 4];
    if (off >= APIC_IRR && off < APIC_IRR + 0x80)
        return l->irr[(off - APIC_IRR) >> 4];
    if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR)
        return l->lvt[(off - APIC_LVT_TIMER) >> 4];
    switch (off) {
    case APIC_ID: return l->x2apic ? l->id : l->id << 24;
    case APIC_VERSION: return VLAPIC_VERSION;
    case APIC_TPR: return l->tpr;
    case APIC_APR: return 0;            /* arbitration priority: not used with one CPU */
    case APIC_PPR: return vlapic_ppr(l);
    case APIC_LDR: return l->ldr;
    case APIC_DFR: return l->dfr;
    case APIC_SVR: return l->svr;
    case APIC_ESR: return l->esr;
    case APIC_ICR_LO: return l->icr_lo & ~BIT(12);     /* delivery status: idle */
    case APIC_ICR_HI: return l->icr_hi;
    case APIC_TIMER_ICR: return l->initial_count;
    case APIC_TIMER_CCR: return current_count(l, tsc);
    case APIC_TIMER_DCR: return l->dcr;
    case APIC_EOI: return 0;
    case APIC_RRD: return 0;
    default:
        *ok = false;
        return 0;
    }
}

uint32_t vlapic_read(struct vlapic *l, uint32_t offset, uint64_t tsc)
{
    bool ok;
    return read_reg(l, offset & 0xff0, tsc, &ok);
}

static void write_lvt(struct vlapic *l, unsigned i, uint32_t value, uint64_t tsc)
{
    uint32_t old = l->lvt[i];
    value &= lvt_writable[i];
    if (!vlapic_sw_enabled(l))
        value |= LVT_MASKED;            /* 10.4.7.2: the mask stays set while disabled */
    l->lvt[i] = value | (old & ~lvt_writable[i]);
    if (i == LVT_TIMER && ((old ^ l->lvt[i]) >> LVT_TIMER_MODE_SHIFT) & 3) {
        /* A mode change disarms the timer (10.5.4.1); the deadline MSR resets on it. */
        l->initial_count = 0;
        l->tsc_deadline = 0;
        l->timer_deadline = 0;
        (void)tsc;
    }
}

static void write_svr(struct vlapic *l, uint32_t value)
{
    l->svr = value & SVR_WRITABLE;
    if (!vlapic_sw_enabled(l))
        for (unsigned i = 0; i < LVT_COUNT; i++)
            l->lvt[i] |= LVT_MASKED;    /* 10.4.7.2 */
}

/* Returns false for a register that does not take writes. */
static bool write_reg(struct vlapic *l, uint32_t off, uint32_t value, uint64_t tsc)
{
    if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR) {
        write_lvt(l, (off - APIC_LVT_TIMER) >> 4, value, tsc);
        return true;
    }
    switch (off) {
    case APIC_ID:
        if (l->x2apic)
            return false;
        l->id = value >> 24;            /* xAPIC: writable (10.4.6) */
        return true;
    case APIC_TPR: l->tpr = value & 0xff; return true;
    case APIC_EOI: vlapic_eoi(l); return true;
    case APIC_LDR:
        if (l->x2apic)
            return false;
        l->ldr = value & 0xff000000u;
        return true;
    case APIC_DFR:
        if (l->x2apic)
            return false;
        l->dfr = (value & 0xf0000000u) | 0x0fffffffu;
        return true;
    case APIC_SVR: write_svr(l, value); return true;
    case APIC_ESR:
        /* 10.5.3: a write latches the errors since the last write and clears them. */
        l->esr = l->esr_pending;
        l->esr_pending = 0;
        return true;
    case APIC_ICR_LO:
        l->icr_lo = value & ICR_LO_WRITABLE;
        send_ipi(l, l->icr_lo, l->x2apic ? l->icr_hi : l->icr_hi >> 24);
        return true;
    case APIC_ICR_HI:
        if (l->x2apic)
            return false;
        l->icr_hi = value & 0xff000000u;
        return true;
    case APIC_TIMER_ICR:
        if (timer_mode(l) == TIMER_TSC_DEADLINE)
            return true;                /* ignored in TSC-deadline mode (10.5.4.1) */
        l->initial_count = value;
        timer_arm(l, tsc);
        return true;
    case APIC_TIMER_DCR:
        l->dcr = value & 0xbu;
        return true;
    case APIC_VERSION: case APIC_APR: case APIC_PPR: case APIC_RRD: case APIC_TIMER_CCR:
        return !l->x2apic;              /* read-only: xAPIC ignores the write, x2APIC #GPs */
    default:
        if ((off >= APIC_ISR && off < APIC_IRR + 0x80))
            return !l->x2apic;
        return false;
    }
}

void vlapic_write(struct vlapic *l, uint32_t offset, uint32_t value, uint64_t tsc)
{
    if (!write_reg(l, offset & 0xff0, value, tsc))
        raise_error(l, ESR_ILLEGAL_REGISTER);
}

/* ---- x2APIC MSRs (10.12.1.2) --------------------------------------------------- */

bool vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t tsc, uint64_t *val)
{
    uint32_t off = (msr - X2APIC_MSR_BASE) << 4;
    if (!l->x2apic || msr < X2APIC_MSR_BASE || msr > X2APIC_MSR_LAST)
        return false;
    if (off == APIC_EOI || off == APIC_SELF_IPI || off == APIC_DFR || off == APIC_ICR_HI ||
        off == APIC_RRD)
        return false;                   /* write-only or absent in x2APIC mode */
    if (off == APIC_ICR_LO) {
        *val = (uint64_t)l->icr_hi << 32 | (l->icr_lo & ~BIT(12));
        return true;
    }
    bool ok;
    uint32_t v = read_reg(l, off, tsc, &ok);
    *val = v;
    return ok;
}

bool vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t tsc)
{
    uint32_t off = (msr - X2APIC_MSR_BASE) << 4;
    if (!l->x2apic || msr < X2APIC_MSR_BASE || msr > X2APIC_MSR_LAST)
        return false;
    switch (off) {
    case APIC_ICR_LO:
        /* One 64-bit write: destination in 63:32; reserved bits #GP. */
        if ((uint32_t)val & ~ICR_LO_WRITABLE)
            return false;
        l->icr_hi = (uint32_t)(val >> 32);
        l->icr_lo = (uint32_t)val;
        send_ipi(l, l->icr_lo, l->icr_hi);
        return true;
    case APIC_SELF_IPI:
        if (val & ~0xffull)
            return false;
        send_ipi(l, (1u << 18) | (uint32_t)val, 0);    /* fixed, edge, self */
        return true;
    case APIC_EOI:
        if (val)
            return false;               /* 10.12.1.2: a non-zero EOI write #GPs */
        vlapic_eoi(l);
        return true;
    case APIC_ESR:
        if (val)
            return false;
        break;
    case APIC_TPR:
        if (val & ~0xffull)
            return false;
        break;
    case APIC_SVR:
        if (val & ~(uint64_t)SVR_WRITABLE)
            return false;
        break;
    case APIC_TIMER_DCR:
        if (val & ~0xbull)
            return false;
        break;
    default:
        if (val >> 32)
            return false;
        if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR &&
            (val & ~(uint64_t)lvt_writable[(off - APIC_LVT_TIMER) >> 4]))
            return false;
        break;
    }
    return write_reg(l, off, (uint32_t)val, tsc);
}

/* ---- timer (10.5.4) --------------------------------------------------------------- */

uint64_t vlapic_tsc_deadline_read(const struct vlapic *l)
{
    return timer_mode(l) == TIMER_TSC_DEADLINE ? l->tsc_deadline : 0;
}

void vlapic_tsc_deadline_write(struct vlapic *l, uint64_t val, uint64_t tsc)
{
    if (timer_mode(l) != TIMER_TSC_DEADLINE)
        return;                         /* 10.5.4.1: ignored in the other modes */
    l->tsc_deadline = val;
    timer_arm(l, tsc);
}

bool vlapic_timer_expire(struct vlapic *l, uint64_t tsc)
{
    if (!l->timer_deadline || tsc < l->timer_deadline)
        return false;
    uint32_t lvt = l->lvt[LVT_TIMER];
    switch (timer_mode(l)) {
    case TIMER_PERIODIC: {
        uint64_t p = period_tsc(l, l->initial_count);
        if (p < VLAPIC_MIN_PERIOD)
            p = VLAPIC_MIN_PERIOD;              /* no storm that leaves the guest no time */
        /* Periods missed while nobody looked collapse into one interrupt. */
        uint64_t missed = (tsc - l->timer_deadline) / p;
        l->timer_start = l->timer_deadline + missed * p;
        l->timer_deadline = l->timer_start + p;
        break;
    }
    case TIMER_TSC_DEADLINE:
        l->tsc_deadline = 0;            /* 10.5.4.1: the MSR reads 0 after it fires */
        l->timer_deadline = 0;
        break;
    default:
        l->timer_deadline = 0;
        break;
    }
    if (!(lvt & LVT_MASKED))
        vlapic_set_irr(l, lvt & 0xff, false);
    return true;
}

/* ---- the whole state (include/hv/state.h, struct hv_vcpu_lapic) ---------------------- */

#define LVT_READ_ONLY (BIT(12) | BIT(14))       /* delivery status, remote IRR (Figure 10-8) */
#define REG(off) ((off) >> 4)

void vlapic_state_get(const struct vlapic *l, struct hv_vcpu_lapic *s, uint64_t tsc)
{
    for (unsigned i = 0; i < 64; i++)
        s->regs[i] = 0;
    s->tsc_deadline = vlapic_tsc_deadline_read(l);
    s->regs[REG(APIC_ID)] = l->id << 24;        /* xAPIC format in both modes (state.h) */
    s->regs[REG(APIC_VERSION)] = VLAPIC_VERSION;
    s->regs[REG(APIC_TPR)] = l->tpr;
    s->regs[REG(APIC_PPR)] = vlapic_ppr(l);
    s->regs[REG(APIC_LDR)] = l->ldr;
    s->regs[REG(APIC_DFR)] = l->dfr;
    s->regs[REG(APIC_SVR)] = l->svr;
    for (unsigned i = 0; i < 8; i++) {
        s->regs[REG(APIC_ISR) + i] = l->isr[i];
        s->regs[REG(APIC_TMR) + i] = l->tmr[i];
        s->regs[REG(APIC_IRR) + i] = l->irr[i];
    }
    s->regs[REG(APIC_ESR)] = l->esr;
    s->regs[REG(APIC_ICR_LO)] = l->icr_lo & ~BIT(12);
    s->regs[REG(APIC_ICR_HI)] = l->icr_hi;
    for (unsigned i = 0; i < LVT_COUNT; i++)
        s->regs[REG(APIC_LVT_TIMER) + i] = l->lvt[i];
    s->regs[REG(APIC_TIMER_ICR)] = l->initial_count;
    s->regs[REG(APIC_TIMER_CCR)] = current_count(l, tsc);
    s->regs[REG(APIC_TIMER_DCR)] = l->dcr;
}

bool vlapic_state_valid(const struct hv_vcpu_lapic *s)
{
    for (unsigned i = 0; i < LVT_COUNT; i++)
        if (s->regs[REG(APIC_LVT_TIMER) + i] & ~(lvt_writable[i] | LVT_READ_ONLY))
            return false;
    return !(s->regs[REG(APIC_SVR)] & ~SVR_WRITABLE);
}

void vlapic_state_set(struct vlapic *l, const struct hv_vcpu_lapic *s, bool x2apic, uint64_t tsc)
{
    l->x2apic = x2apic;
    l->id = s->regs[REG(APIC_ID)] >> 24;
    l->tpr = s->regs[REG(APIC_TPR)] & 0xff;
    l->ldr = s->regs[REG(APIC_LDR)] & (x2apic ? ~0u : 0xff000000u);
    l->dfr = (s->regs[REG(APIC_DFR)] & 0xf0000000u) | 0x0fffffffu;
    l->svr = s->regs[REG(APIC_SVR)];
    for (unsigned i = 0; i < 8; i++) {
        l->isr[i] = s->regs[REG(APIC_ISR) + i];
        l->tmr[i] = s->regs[REG(APIC_TMR) + i];
        l->irr[i] = s->regs[REG(APIC_IRR) + i];
        l->eoi_level[i] = 0;
    }
    l->isr[0] &= ~0xffffu;                      /* vectors 0-15 are never requested (10.5.2) */
    l->isr_top = isr_top_from(l, 255);
    l->tmr[0] &= ~0xffffu;
    l->irr[0] &= ~0xffffu;
    l->esr = s->regs[REG(APIC_ESR)] & 0xffu;    /* the error bits (Figure 10-9) */
    l->esr_pending = 0;
    l->icr_lo = s->regs[REG(APIC_ICR_LO)] & ICR_LO_WRITABLE;
    l->icr_hi = s->regs[REG(APIC_ICR_HI)] & (x2apic ? ~0u : 0xff000000u);
    for (unsigned i = 0; i < LVT_COUNT; i++) {
        l->lvt[i] = s->regs[REG(APIC_LVT_TIMER) + i] & lvt_writable[i];
        if (!vlapic_sw_enabled(l))
            l->lvt[i] |= LVT_MASKED;            /* 10.4.7.2 */
    }
    l->dcr = s->regs[REG(APIC_TIMER_DCR)] & 0xbu;
    l->initial_count = s->regs[REG(APIC_TIMER_ICR)];
    l->nmi = false;
    /* The timer: TSC-deadline mode from the MSR's value, the others from the current count. */
    l->tsc_deadline = 0;
    l->timer_deadline = 0;
    l->timer_start = tsc;
    enum vlapic_timer_mode m = timer_mode(l);
    uint32_t ccr = s->regs[REG(APIC_TIMER_CCR)];
    if (m == TIMER_TSC_DEADLINE) {
        l->initial_count = 0;
        l->tsc_deadline = l->timer_deadline = s->tsc_deadline;
    } else if (m != 3 && l->initial_count && ccr) {
        l->timer_deadline = tsc + period_tsc(l, ccr);   /* a periodic one reloads from there */
    }
}
