/*
 * vmx/vlapic.c tests: priorities (PPR, TPR masking), acceptance and EOI order,
 * level-triggered EOI reporting, ESR write-then-read, ICR IPIs (self, shorthands,
 * illegal vectors, NMI/INIT/SIPI), SVR software disable, x2APIC MSR rules, and the
 * timer in each mode and divide value, and the whole-state get/set of HV_VCPU_LAPIC.
 */
#include "vlapic.h"
#include "ut.h"
#include "hv/state.h"

static struct vlapic fresh(void)
{
    struct vlapic l;
    vlapic_reset(&l, 0, 1, 1);
    vlapic_write(&l, APIC_SVR, 0x1ff, 0);       /* software-enable */
    return l;
}

UT_TEST(vlapic_reset_state)
{
    struct vlapic l;
    vlapic_reset(&l, 3, 1, 1);
    CHECK_EQ(vlapic_read(&l, APIC_ID, 0), 3u << 24);
    CHECK_EQ(vlapic_read(&l, APIC_VERSION, 0), 0x50014);
    CHECK_EQ(vlapic_read(&l, APIC_SVR, 0), 0xff);
    CHECK_EQ(vlapic_read(&l, APIC_DFR, 0), 0xffffffffu);
    for (uint32_t off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 16)
        CHECK_EQ(vlapic_read(&l, off, 0), LVT_MASKED);
    /* Software-disabled: unmasking is refused. */
    vlapic_write(&l, APIC_LVT_TIMER, 0x40, 0);
    CHECK_EQ(vlapic_read(&l, APIC_LVT_TIMER, 0), LVT_MASKED | 0x40);
    vlapic_write(&l, APIC_SVR, 0x1ff, 0);
    vlapic_write(&l, APIC_LVT_TIMER, 0x40, 0);
    CHECK_EQ(vlapic_read(&l, APIC_LVT_TIMER, 0), 0x40);
    /* Disabling masks every LVT again. */
    vlapic_write(&l, APIC_SVR, 0xff, 0);
    CHECK_EQ(vlapic_read(&l, APIC_LVT_TIMER, 0), LVT_MASKED | 0x40);
}

UT_TEST(vlapic_ppr_rules)
{
    struct vlapic l = fresh();
    CHECK_EQ(vlapic_ppr(&l), 0);
    vlapic_write(&l, APIC_TPR, 0x35, 0);
    CHECK_EQ(vlapic_read(&l, APIC_PPR, 0), 0x35);         /* TPR class >= ISR class */
    vlapic_set_irr(&l, 0x51, false);
    vlapic_accept(&l, 0x51);
    CHECK_EQ(vlapic_ppr(&l), 0x50);                        /* ISRV class, low bits 0 */
    vlapic_write(&l, APIC_TPR, 0x5a, 0);
    CHECK_EQ(vlapic_ppr(&l), 0x5a);                        /* equal classes: TPR */
}

UT_TEST(vlapic_priority_and_eoi_order)
{
    struct vlapic l = fresh();
    vlapic_set_irr(&l, 0x41, false);
    vlapic_set_irr(&l, 0x62, false);
    vlapic_set_irr(&l, 0x20, false);
    CHECK_EQ(vlapic_pending(&l), 0x62);
    vlapic_accept(&l, 0x62);
    CHECK_EQ(vlapic_pending(&l), -1);                     /* 0x41 is below the 0x60 class */
    vlapic_set_irr(&l, 0x65, false);
    CHECK_EQ(vlapic_pending(&l), -1);                     /* same class as in service */
    vlapic_set_irr(&l, 0x71, false);
    CHECK_EQ(vlapic_pending(&l), 0x71);                   /* nests */
    vlapic_accept(&l, 0x71);
    CHECK_EQ(vlapic_eoi(&l), 0x71);                       /* highest ISR first */
    CHECK_EQ(vlapic_pending(&l), -1);
    CHECK_EQ(vlapic_eoi(&l), 0x62);
    CHECK_EQ(vlapic_pending(&l), 0x65);
    vlapic_accept(&l, 0x65);
    vlapic_write(&l, APIC_EOI, 0, 0);
    CHECK_EQ(vlapic_pending(&l), 0x41);
    /* TPR masks a class and below. */
    vlapic_write(&l, APIC_TPR, 0x40, 0);
    CHECK_EQ(vlapic_pending(&l), -1);
    vlapic_write(&l, APIC_TPR, 0x3f, 0);
    CHECK_EQ(vlapic_pending(&l), 0x41);
    vlapic_accept(&l, 0x41);
    vlapic_write(&l, APIC_TPR, 0, 0);
    CHECK_EQ(vlapic_pending(&l), -1);                     /* 0x20 below 0x41 in service */
    CHECK_EQ(vlapic_eoi(&l), 0x41);
    CHECK_EQ(vlapic_pending(&l), 0x20);
    CHECK_EQ(vlapic_eoi(&l), -1);                         /* nothing in service */
    CHECK_EQ(vlapic_read(&l, APIC_IRR + 0x10, 0), 1u);   /* vector 0x20 = bit 0 of IRR[1] */
}

UT_TEST(vlapic_level_eoi_reported)
{
    struct vlapic l = fresh();
    vlapic_set_irr(&l, 0x30, true);
    vlapic_set_irr(&l, 0x31, false);
    CHECK_EQ(vlapic_read(&l, APIC_TMR + 0x10, 0), 0x10000u);   /* vector 0x30: bit 16 of TMR[1] */
    vlapic_accept(&l, 0x31);
    vlapic_eoi(&l);
    CHECK_EQ(l.eoi_level[1], 0u);                         /* edge: nothing to report */
    vlapic_accept(&l, 0x30);
    vlapic_eoi(&l);
    CHECK_EQ(l.eoi_level[1], 0x10000u);
    CHECK_EQ(l.tmr[1], 0u);
}

UT_TEST(vlapic_esr_and_illegal_vectors)
{
    struct vlapic l = fresh();
    vlapic_write(&l, APIC_LVT_ERROR, 0xfe, 0);
    vlapic_set_irr(&l, 5, false);
    CHECK_EQ(vlapic_read(&l, APIC_ESR, 0), 0);            /* not latched before a write */
    CHECK_EQ(vlapic_pending(&l), 0xfe);                   /* the error interrupt */
    vlapic_write(&l, APIC_ESR, 0, 0);
    CHECK_EQ(vlapic_read(&l, APIC_ESR, 0), ESR_RECEIVE_ILLEGAL_VECTOR);
    vlapic_write(&l, APIC_ESR, 0, 0);
    CHECK_EQ(vlapic_read(&l, APIC_ESR, 0), 0);
    /* Send of an illegal vector to self. */
    vlapic_write(&l, APIC_ICR_LO, (1u << 18) | 7, 0);
    vlapic_write(&l, APIC_ESR, 0, 0);
    CHECK_EQ(vlapic_read(&l, APIC_ESR, 0), ESR_SEND_ILLEGAL_VECTOR | ESR_RECEIVE_ILLEGAL_VECTOR);
    CHECK_EQ(l.irr[0], 0u);
}

UT_TEST(vlapic_icr_ipis)
{
    struct vlapic l = fresh();
    vlapic_write(&l, APIC_ICR_LO, (1u << 18) | 0x55, 0);  /* self */
    CHECK_EQ(vlapic_pending(&l), 0x55);
    vlapic_accept(&l, 0x55);
    vlapic_eoi(&l);
    vlapic_write(&l, APIC_ICR_LO, (3u << 18) | 0x56, 0);  /* all but self */
    CHECK_EQ(vlapic_pending(&l), -1);
    CHECK_EQ(l.other_ipis, 1u);
    vlapic_write(&l, APIC_ICR_LO, (2u << 18) | 0x57, 0);  /* all including self */
    CHECK_EQ(vlapic_pending(&l), 0x57);
    vlapic_accept(&l, 0x57);
    vlapic_eoi(&l);
    /* Physical destination = own ID. */
    vlapic_write(&l, APIC_ICR_HI, 0u << 24, 0);
    vlapic_write(&l, APIC_ICR_LO, 0x58, 0);
    CHECK_EQ(vlapic_pending(&l), 0x58);
    vlapic_accept(&l, 0x58);
    vlapic_eoi(&l);
    vlapic_write(&l, APIC_ICR_HI, 1u << 24, 0);           /* another CPU */
    vlapic_write(&l, APIC_ICR_LO, 0x59, 0);
    CHECK_EQ(vlapic_pending(&l), -1);
    /* Logical, flat: LDR bit 2. */
    vlapic_write(&l, APIC_LDR, 0x04u << 24, 0);
    vlapic_write(&l, APIC_ICR_HI, 0x06u << 24, 0);
    vlapic_write(&l, APIC_ICR_LO, (1u << 11) | (1u << 8) | 0x5a, 0);   /* lowest priority */
    CHECK_EQ(vlapic_pending(&l), 0x5a);
    vlapic_accept(&l, 0x5a);
    vlapic_eoi(&l);
    /* Cluster model: cluster 1, member bit 1. */
    vlapic_write(&l, APIC_DFR, 0x0fffffffu, 0);
    CHECK_EQ(vlapic_read(&l, APIC_DFR, 0), 0x0fffffffu);
    vlapic_write(&l, APIC_LDR, 0x12u << 24, 0);
    vlapic_write(&l, APIC_ICR_HI, 0x22u << 24, 0);
    vlapic_write(&l, APIC_ICR_LO, (1u << 11) | 0x5b, 0);
    CHECK_EQ(vlapic_pending(&l), -1);                     /* other cluster */
    vlapic_write(&l, APIC_ICR_HI, 0x13u << 24, 0);
    vlapic_write(&l, APIC_ICR_LO, (1u << 11) | 0x5b, 0);
    CHECK_EQ(vlapic_pending(&l), 0x5b);
    /* NMI, INIT, SIPI to self; SMI ignored. */
    vlapic_write(&l, APIC_ICR_LO, (1u << 18) | (4u << 8), 0);
    CHECK(l.nmi);
    vlapic_write(&l, APIC_ICR_LO, (1u << 18) | (5u << 8) | (1u << 14), 0);
    CHECK_EQ(l.init_ipis, 1u);
    vlapic_write(&l, APIC_ICR_LO, (1u << 18) | (6u << 8) | 0x9a, 0);
    CHECK_EQ(l.sipi_ipis, 1u);
    CHECK_EQ(l.last_sipi_vector, 0x9a);
    vlapic_write(&l, APIC_ICR_LO, (1u << 18) | (2u << 8) | 0x70, 0);
    CHECK_EQ(vlapic_pending(&l), 0x5b);
    CHECK_EQ(vlapic_read(&l, APIC_ICR_LO, 0) & (1u << 12), 0);   /* delivery status idle */
}

UT_TEST(vlapic_x2apic_msrs)
{
    struct vlapic l = fresh();
    uint64_t v;
    CHECK(!vlapic_msr_read(&l, 0x803, 0, &v));            /* xAPIC mode: no MSRs */
    l.x2apic = true;
    l.id = 5;
    l.ldr = (0u << 16) | (1u << 5);
    CHECK(vlapic_msr_read(&l, 0x802, 0, &v));
    CHECK_EQ(v, 5);
    CHECK(vlapic_msr_read(&l, 0x803, 0, &v));
    CHECK_EQ(v, 0x50014);
    CHECK(!vlapic_msr_write(&l, 0x802, 1, 0));            /* ID is read-only */
    CHECK(!vlapic_msr_write(&l, 0x80d, 1, 0));            /* LDR is read-only */
    CHECK(!vlapic_msr_read(&l, 0x80e, 0, &v));            /* no DFR */
    CHECK(!vlapic_msr_read(&l, 0x80b, 0, &v));            /* EOI is write-only */
    CHECK(!vlapic_msr_write(&l, 0x80b, 1, 0));            /* non-zero EOI */
    CHECK(!vlapic_msr_read(&l, 0x83f, 0, &v));            /* SELF_IPI is write-only */
    CHECK(!vlapic_msr_write(&l, 0x808, 0x100, 0));        /* TPR reserved bits */
    CHECK(!vlapic_msr_read(&l, 0x831, 0, &v));            /* no ICR high */
    CHECK(!vlapic_msr_read(&l, 0x8ff, 0, &v));
    CHECK(vlapic_msr_write(&l, 0x83f, 0x61, 0));
    CHECK_EQ(vlapic_pending(&l), 0x61);
    CHECK(vlapic_msr_write(&l, 0x808, 0x60, 0));
    CHECK_EQ(vlapic_pending(&l), -1);
    CHECK(vlapic_msr_write(&l, 0x808, 0x50, 0));
    CHECK_EQ(vlapic_pending(&l), 0x61);
    vlapic_accept(&l, 0x61);
    CHECK(vlapic_msr_write(&l, 0x80b, 0, 0));
    CHECK_EQ(l.isr[3], 0u);
    /* ICR: one 64-bit write with the destination in 63:32. */
    CHECK(vlapic_msr_write(&l, 0x830, (5ull << 32) | 0x62, 0));
    CHECK_EQ(vlapic_pending(&l), 0x62);
    CHECK(vlapic_msr_read(&l, 0x830, 0, &v));
    CHECK_EQ(v, (5ull << 32) | 0x62);
    CHECK(vlapic_msr_write(&l, 0x830, (6ull << 32) | 0x63, 0));
    CHECK_EQ(l.irr[3] & (1u << 3), 0u);                   /* not us */
    /* Logical x2APIC: cluster 0, bit 5. */
    CHECK(vlapic_msr_write(&l, 0x830, (0x20ull << 32) | (1u << 11) | 0x64, 0));
    CHECK(l.irr[3] & (1u << 4));
}

/* Timer in TSC ticks with a 1:1 clock and each divide value. */
UT_TEST(vlapic_timer_oneshot_divides)
{
    static const uint32_t dcr_for[8] = { 0xb, 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa };
    static const uint32_t div[8] = { 1, 2, 4, 8, 16, 32, 64, 128 };
    for (int i = 0; i < 8; i++) {
        struct vlapic l;
        vlapic_reset(&l, 0, 3, 1);                        /* 3 TSC ticks per input tick */
        vlapic_write(&l, APIC_SVR, 0x1ff, 0);
        CHECK_EQ(vlapic_timer_divisor(dcr_for[i]), div[i]);
        vlapic_write(&l, APIC_TIMER_DCR, dcr_for[i], 0);
        vlapic_write(&l, APIC_LVT_TIMER, 0x40, 0);
        vlapic_write(&l, APIC_TIMER_ICR, 1000, 100);
        uint64_t period = 1000ull * div[i] * 3;
        CHECK_EQ(vlapic_timer_deadline(&l), 100 + period);
        CHECK_EQ(vlapic_read(&l, APIC_TIMER_CCR, 100), 1000);
        CHECK_EQ(vlapic_read(&l, APIC_TIMER_CCR, 100 + period / 2), 500);
        CHECK(!vlapic_timer_expire(&l, 100 + period - 1));
        CHECK(vlapic_timer_expire(&l, 100 + period));
        CHECK_EQ(vlapic_pending(&l), 0x40);
        CHECK_EQ(vlapic_timer_deadline(&l), 0);
        CHECK_EQ(vlapic_read(&l, APIC_TIMER_CCR, 100 + period + 5), 0);
    }
}

UT_TEST(vlapic_timer_periodic_and_masked)
{
    struct vlapic l;
    vlapic_reset(&l, 0, 5, 2);                            /* 2.5 TSC ticks per input tick */
    vlapic_write(&l, APIC_SVR, 0x1ff, 0);
    vlapic_write(&l, APIC_TIMER_DCR, 0x0, 0);             /* divide by 2: 5 TSC per count */
    vlapic_write(&l, APIC_LVT_TIMER, (1u << 17) | 0x41, 0);
    vlapic_write(&l, APIC_TIMER_ICR, 200, 0);
    CHECK_EQ(vlapic_timer_deadline(&l), 1000);
    CHECK(vlapic_timer_expire(&l, 1003));
    CHECK_EQ(vlapic_timer_deadline(&l), 2000);            /* no drift */
    CHECK_EQ(vlapic_read(&l, APIC_TIMER_CCR, 1500), 100);
    CHECK(vlapic_timer_expire(&l, 4500));                 /* missed periods: one interrupt */
    CHECK_EQ(vlapic_timer_deadline(&l), 5000);
    vlapic_accept(&l, 0x41);
    vlapic_eoi(&l);
    /* Masked: the count runs, no interrupt. */
    vlapic_write(&l, APIC_LVT_TIMER, (1u << 17) | LVT_MASKED | 0x41, 0);
    CHECK(vlapic_timer_expire(&l, 5000));
    CHECK_EQ(vlapic_pending(&l), -1);
    /* Initial count 0 stops it. */
    vlapic_write(&l, APIC_TIMER_ICR, 0, 5100);
    CHECK_EQ(vlapic_timer_deadline(&l), 0);
}

UT_TEST(vlapic_timer_tsc_deadline)
{
    struct vlapic l = fresh();
    vlapic_tsc_deadline_write(&l, 5000, 0);               /* not in deadline mode: ignored */
    CHECK_EQ(vlapic_timer_deadline(&l), 0);
    vlapic_write(&l, APIC_LVT_TIMER, (2u << 17) | 0x42, 0);
    vlapic_write(&l, APIC_TIMER_ICR, 100, 0);             /* ignored in this mode */
    CHECK_EQ(vlapic_read(&l, APIC_TIMER_ICR, 0), 0);
    vlapic_tsc_deadline_write(&l, 5000, 10);
    CHECK_EQ(vlapic_tsc_deadline_read(&l), 5000);
    CHECK_EQ(vlapic_timer_deadline(&l), 5000);
    CHECK(!vlapic_timer_expire(&l, 4999));
    CHECK(vlapic_timer_expire(&l, 5000));
    CHECK_EQ(vlapic_pending(&l), 0x42);
    CHECK_EQ(vlapic_tsc_deadline_read(&l), 0);
    vlapic_tsc_deadline_write(&l, 9000, 6000);
    vlapic_tsc_deadline_write(&l, 0, 6001);               /* 0 disarms */
    CHECK_EQ(vlapic_timer_deadline(&l), 0);
    /* A mode change disarms. */
    vlapic_tsc_deadline_write(&l, 9000, 6000);
    vlapic_write(&l, APIC_LVT_TIMER, 0x42, 6002);
    CHECK_EQ(vlapic_timer_deadline(&l), 0);
}

/* ---- HV_VCPU_LAPIC: vlapic_state_get / _valid / _set ---------------------------------- */

#define R(off) ((off) >> 4)

UT_TEST(vlapic_state_round_trip)
{
    struct vlapic a = fresh(), b;
    vlapic_write(&a, APIC_ID, 5u << 24, 0);
    vlapic_write(&a, APIC_TPR, 0x20, 0);
    vlapic_write(&a, APIC_LDR, 0x3u << 24, 0);
    vlapic_write(&a, APIC_LVT_LINT0, 0x700, 0);           /* ExtINT, unmasked */
    vlapic_write(&a, APIC_LVT_ERROR, 0x33, 0);
    vlapic_write(&a, APIC_ICR_HI, 7u << 24, 0);
    vlapic_set_irr(&a, 0x51, true);                        /* level: TMR */
    vlapic_accept(&a, 0x51);
    vlapic_set_irr(&a, 0x61, false);
    vlapic_set_irr(&a, 3, false);                          /* receive illegal vector */
    vlapic_write(&a, APIC_ESR, 0, 0);
    struct hv_vcpu_lapic s, t;
    vlapic_state_get(&a, &s, 0);
    CHECK_EQ(s.regs[R(APIC_ID)], 5u << 24);
    CHECK_EQ(s.regs[R(APIC_VERSION)], VLAPIC_VERSION);
    CHECK_EQ(s.regs[R(APIC_PPR)], 0x50u);
    CHECK_EQ(s.regs[R(APIC_ISR) + 2], 1u << 17);
    CHECK_EQ(s.regs[R(APIC_TMR) + 2], 1u << 17);
    CHECK_EQ(s.regs[R(APIC_IRR) + 3], 1u << 1);
    CHECK_EQ(s.regs[R(APIC_ESR)], ESR_RECEIVE_ILLEGAL_VECTOR);
    CHECK_EQ(s.regs[R(APIC_LVT_LINT0)], 0x700u);
    CHECK_EQ(s.regs[R(APIC_ICR_HI)], 7u << 24);
    CHECK(vlapic_state_valid(&s));
    vlapic_reset(&b, 0, 1, 1);
    vlapic_state_set(&b, &s, false, 0);
    vlapic_state_get(&b, &t, 0);
    for (unsigned i = 0; i < 64; i++)
        CHECK_EQ(t.regs[i], s.regs[i]);
    CHECK_EQ(vlapic_pending(&b), 0x61);
    /* The level vector's EOI is reported as before. */
    vlapic_accept(&b, 0x61);
    CHECK_EQ(vlapic_eoi(&b), 0x61);
    CHECK_EQ(vlapic_eoi(&b), 0x51);
    CHECK_EQ(b.eoi_level[2], 1u << 17);
}

UT_TEST(vlapic_state_reserved_bits)
{
    struct vlapic a = fresh();
    struct hv_vcpu_lapic s;
    vlapic_state_get(&a, &s, 0);
    CHECK(vlapic_state_valid(&s));
    struct hv_vcpu_lapic bad = s;
    bad.regs[R(APIC_SVR)] |= 1u << 12;                    /* no EOI-broadcast suppression */
    CHECK(!vlapic_state_valid(&bad));
    bad = s;
    bad.regs[R(APIC_LVT_TIMER)] |= 1u << 19;              /* above the timer mode */
    CHECK(!vlapic_state_valid(&bad));
    bad = s;
    bad.regs[R(APIC_LVT_ERROR)] |= 4u << 8;               /* the error LVT has no delivery mode */
    CHECK(!vlapic_state_valid(&bad));
    bad = s;
    bad.regs[R(APIC_LVT_LINT1)] |= 1u << 20;
    CHECK(!vlapic_state_valid(&bad));
    /* The read-only delivery status and remote IRR are ignored, not refused. */
    bad = s;
    bad.regs[R(APIC_LVT_LINT0)] |= (1u << 12) | (1u << 14);
    CHECK(vlapic_state_valid(&bad));
    struct vlapic b;
    vlapic_reset(&b, 0, 1, 1);
    vlapic_state_set(&b, &bad, false, 0);
    CHECK_EQ(vlapic_read(&b, APIC_LVT_LINT0, 0), s.regs[R(APIC_LVT_LINT0)]);
    /* Software-disabled: every LVT comes back masked (10.4.7.2). */
    bad = s;
    bad.regs[R(APIC_SVR)] = 0xff;
    bad.regs[R(APIC_LVT_TIMER)] = 0x40;
    vlapic_state_set(&b, &bad, false, 0);
    CHECK_EQ(vlapic_read(&b, APIC_LVT_TIMER, 0), LVT_MASKED | 0x40);
}

UT_TEST(vlapic_state_timer_runs_on)
{
    /* One-shot: 2 TSC ticks per count; 300 of 1000 left restores as 300, runs out 600 later. */
    struct vlapic a = fresh();
    vlapic_write(&a, APIC_TIMER_DCR, 0xb, 0);             /* divide by 1 */
    vlapic_write(&a, APIC_LVT_TIMER, 0x40, 0);
    a.tsc_mult = 2;
    vlapic_write(&a, APIC_TIMER_ICR, 1000, 0);
    struct hv_vcpu_lapic s;
    vlapic_state_get(&a, &s, 1400);
    CHECK_EQ(s.regs[R(APIC_TIMER_CCR)], 300u);
    CHECK_EQ(s.regs[R(APIC_TIMER_ICR)], 1000u);
    struct vlapic b;
    vlapic_reset(&b, 0, 2, 1);
    vlapic_state_set(&b, &s, false, 50000);               /* restored at another time */
    CHECK_EQ(vlapic_read(&b, APIC_TIMER_CCR, 50000), 300u);
    CHECK_EQ(vlapic_read(&b, APIC_TIMER_CCR, 50200), 200u);
    CHECK_EQ(vlapic_timer_deadline(&b), 50600u);
    CHECK(vlapic_timer_expire(&b, 50600));
    CHECK_EQ(vlapic_pending(&b), 0x40);
    /* Periodic: the next period is the full initial count. */
    vlapic_write(&a, APIC_LVT_TIMER, (1u << 17) | 0x41, 0);
    vlapic_write(&a, APIC_TIMER_ICR, 1000, 0);
    vlapic_state_get(&a, &s, 1500);                       /* 2000-tick periods: 250 left */
    CHECK_EQ(s.regs[R(APIC_TIMER_CCR)], 250u);
    vlapic_state_set(&b, &s, false, 1000);
    CHECK_EQ(vlapic_timer_deadline(&b), 1500u);
    CHECK(vlapic_timer_expire(&b, 1500));
    CHECK_EQ(vlapic_timer_deadline(&b), 3500u);
    /* A period below VLAPIC_MIN_PERIOD re-arms at the minimum. */
    s.regs[R(APIC_TIMER_ICR)] = 10;
    s.regs[R(APIC_TIMER_CCR)] = 5;
    vlapic_state_set(&b, &s, false, 0);
    CHECK_EQ(vlapic_timer_deadline(&b), 10u);
    CHECK(vlapic_timer_expire(&b, 10));
    CHECK_EQ(vlapic_timer_deadline(&b), 10u + VLAPIC_MIN_PERIOD);
    /* A current count of 0 leaves the timer stopped. */
    s.regs[R(APIC_TIMER_CCR)] = 0;
    vlapic_state_set(&b, &s, false, 2000);
    CHECK_EQ(vlapic_timer_deadline(&b), 0);
    /* TSC-deadline mode: armed from tsc_deadline. */
    s.regs[R(APIC_LVT_TIMER)] = (2u << 17) | 0x42;
    s.tsc_deadline = 7777;
    vlapic_state_set(&b, &s, false, 2000);
    CHECK_EQ(vlapic_timer_deadline(&b), 7777u);
    CHECK_EQ(vlapic_tsc_deadline_read(&b), 7777u);
    struct hv_vcpu_lapic t;
    vlapic_state_get(&b, &t, 2000);
    CHECK_EQ(t.tsc_deadline, 7777u);
}

/* The cached top of the ISR (isr_top) against a scan of the ISR, through random arrivals,
 * acceptance in priority order, EOIs and whole-state restores; vlapic_above_ppr against
 * PPR read as a register. */
static int scan_isr(const struct vlapic *l)
{
    for (int i = 255; i >= 0; i--)
        if (l->isr[i / 32] & (1u << (i % 32)))
            return i;
    return -1;
}

UT_TEST(vlapic_isr_top_cache)
{
    struct vlapic l = fresh();
    uint32_t seed = 12345;
    unsigned accepted = 0, eois = 0, restores = 0;
    for (unsigned step = 0; step < 20000; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = (seed >> 16) % 16, vec = 16 + (seed >> 8) % 240;
        if (r < 6) {
            vlapic_set_irr(&l, (uint8_t)vec, false);
        } else if (r < 11) {
            int p = vlapic_pending(&l);
            if (p >= 0) {
                CHECK(vlapic_above_ppr(&l, (uint8_t)p));
                vlapic_accept(&l, (uint8_t)p);
                accepted++;
            }
        } else if (r < 15) {
            int top = scan_isr(&l);
            CHECK_EQ(vlapic_eoi(&l), top);
            eois++;
        } else if (r == 15 && (seed & 0x300) == 0) {
            struct hv_vcpu_lapic s;
            vlapic_state_get(&l, &s, 0);
            struct vlapic b;
            vlapic_reset(&b, 0, 1, 1);
            vlapic_state_set(&b, &s, false, 0);
            l = b;
            restores++;
        } else {
            vlapic_write(&l, APIC_TPR, (seed >> 4) & 0xff, 0);
        }
        CHECK_EQ(vlapic_isr_top(&l), scan_isr(&l));
        uint32_t ppr = vlapic_read(&l, APIC_PPR, 0);
        CHECK_EQ(vlapic_above_ppr(&l, (uint8_t)vec), (vec & 0xf0) > (ppr & 0xf0));
    }
    CHECK(accepted > 1000 && eois > 1000 && restores > 10);
}
