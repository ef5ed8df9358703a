/*
 * A virtual local APIC (SDM Vol. 3A chapter 10, "Advanced Programmable
 * Interrupt Controller (APIC)"): the register file and its rules as pure
 * code (vmx/vlapic.c, host-tested), one per vCPU. The kernel glue (MMIO at
 * the APIC base, the x2APIC MSRs, injection, the timer's deadline) calls it.
 *
 * Time is the guest-visible TSC, passed in by the caller; the timer's input
 * clock is the crystal of CPUID leaf 0x15 (10.5.4), given as the ratio
 * tsc_mult : apic_mult (TSC ticks per crystal tick = tsc_mult / apic_mult).
 */
#ifndef VLAPIC_H
#define VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets in the xAPIC page (Table 10-1); x2APIC MSR = 0x800 + offset / 16. */
#define APIC_ID         0x020
#define APIC_VERSION    0x030
#define APIC_TPR        0x080
#define APIC_APR        0x090
#define APIC_PPR        0x0a0
#define APIC_EOI        0x0b0
#define APIC_RRD        0x0c0
#define APIC_LDR        0x0d0
#define APIC_DFR        0x0e0
#define APIC_SVR        0x0f0
#define APIC_ISR        0x100
#define APIC_TMR        0x180
#define APIC_IRR        0x200
#define APIC_ESR        0x280
#define APIC_LVT_CMCI   0x2f0
#define APIC_ICR_LO     0x300
#define APIC_ICR_HI     0x310
#define APIC_LVT_TIMER  0x320
#define APIC_LVT_THERMAL 0x330
#define APIC_LVT_PERF   0x340
#define APIC_LVT_LINT0  0x350
#define APIC_LVT_LINT1  0x360
#define APIC_LVT_ERROR  0x370
#define APIC_TIMER_ICR  0x380
#define APIC_TIMER_CCR  0x390
#define APIC_TIMER_DCR  0x3e0
#define APIC_SELF_IPI   0x3f0           /* x2APIC only (MSR 0x83f) */

#define X2APIC_MSR_BASE 0x800u
#define X2APIC_MSR_LAST 0x8ffu
#define MSR_TSC_DEADLINE 0x6e0u

/* The shortest period of a periodic timer after its first, in TSC ticks: a guest (or a
 * restored state) with a count of 1 would otherwise take its next interrupt before it ran
 * a single instruction, and its vCPU would never leave the kernel's exit loop. */
#define VLAPIC_MIN_PERIOD 1000

/* The version register: version 0x14, max LVT entry 5 (10.4.8). */
#define VLAPIC_VERSION  0x50014u

#define LVT_MASKED      (1u << 16)
#define LVT_TIMER_MODE_SHIFT 17
enum vlapic_timer_mode { TIMER_ONESHOT = 0, TIMER_PERIODIC = 1, TIMER_TSC_DEADLINE = 2 };

/* ESR bits (10.5.3). */
#define ESR_SEND_ILLEGAL_VECTOR    (1u << 5)
#define ESR_RECEIVE_ILLEGAL_VECTOR (1u << 6)
#define ESR_ILLEGAL_REGISTER       (1u << 7)

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };

struct vlapic {
    uint32_t id;                /* the APIC ID (xAPIC shows it in bits 31:24) */
    bool x2apic;                /* IA32_APIC_BASE.EXTD: MSR interface, 10.12 */
    uint32_t tpr, ldr, dfr, svr;
    uint32_t esr, esr_pending;  /* esr: what reads return; pending: since the last write */
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[LVT_COUNT];
    uint32_t dcr;
    uint32_t initial_count;
    uint32_t irr[8], isr[8], tmr[8];
    uint16_t isr_top;           /* 1 + the highest ISR vector, 0: ISR empty (a cache of isr:
                                   PPR and EOI without scanning it, 10.8.3.1, 10.8.5) */

    /* Timer state: guest TSC values. */
    uint64_t timer_start;       /* one-shot/periodic: when the current period began */
    uint64_t timer_deadline;    /* when the timer fires next; 0: not armed */
    uint64_t tsc_deadline;      /* IA32_TSC_DEADLINE as the guest wrote it */
    uint32_t tsc_mult, apic_mult;   /* TSC ticks per timer input tick = tsc_mult / apic_mult (< 2^24 each) */

    /* Effects for the caller, consumed by it. */
    bool nmi;                   /* an NMI IPI to this vCPU */
    uint32_t eoi_level[8];      /* level-triggered vectors EOIed, to be reported */
    uint32_t init_ipis, sipi_ipis;  /* recorded, not acted on (no SMP yet) */
    uint32_t last_sipi_vector;
    uint32_t other_ipis;        /* IPIs for other CPUs: none exist yet */
};

/* Reset state (10.4.7.1): software-disabled, LVTs masked, ID as given. */
void vlapic_reset(struct vlapic *l, uint32_t id, uint32_t tsc_mult, uint32_t apic_mult);

/* MMIO (xAPIC): 32-bit register at offset (aligned to 16). Bad offsets read 0 and
 * record an illegal-register error only in x2APIC mode (MSR path). */
uint32_t vlapic_read(struct vlapic *l, uint32_t offset, uint64_t tsc);
void vlapic_write(struct vlapic *l, uint32_t offset, uint32_t value, uint64_t tsc);

/* x2APIC MSRs 0x800-0x8ff (10.12.1.2): false means #GP (reserved MSR, read of a
 * write-only register, write of a read-only one, reserved bits). */
bool vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t tsc, uint64_t *val);
bool vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t tsc);

/* IA32_TSC_DEADLINE (10.5.4.1). */
uint64_t vlapic_tsc_deadline_read(const struct vlapic *l);
void vlapic_tsc_deadline_write(struct vlapic *l, uint64_t val, uint64_t tsc);

/* An interrupt arrives (fixed delivery): IRR (and TMR for level). Vectors below 16 set the
 * receive-illegal-vector error instead. A software-disabled APIC still accepts it. */
void vlapic_set_irr(struct vlapic *l, uint8_t vector, bool level);

/* The processor priority (10.8.3.1). */
uint32_t vlapic_ppr(const struct vlapic *l);
/* The highest IRR vector whose priority class is above PPR[7:4], or -1. */
int vlapic_pending(const struct vlapic *l);
/* The CPU took vector: IRR -> ISR (10.8.4). */
void vlapic_accept(struct vlapic *l, uint8_t vector);
/* End of interrupt (10.8.5): clears the highest ISR bit; level-triggered vectors go to
 * eoi_level. Returns the vector, or -1 when the ISR was empty. */
int vlapic_eoi(struct vlapic *l);
/* The highest in-service vector, or -1 (from the cache, no scan). */
static inline int vlapic_isr_top(const struct vlapic *l) { return (int)l->isr_top - 1; }
/* Whether vector would be delivered now if it were the highest IRR bit: its priority
 * class is above PPR's (10.8.3.1, 10.8.4). */
static inline bool vlapic_above_ppr(const struct vlapic *l, uint8_t vector)
{
    uint32_t isr_class = l->isr_top ? (uint32_t)(l->isr_top - 1) & 0xf0 : 0;
    uint32_t tpr_class = l->tpr & 0xf0;
    return (vector & 0xf0u) > (tpr_class > isr_class ? tpr_class : isr_class);
}

/* Timer: the guest TSC at which the timer fires next, or 0 when it is not armed. */
static inline uint64_t vlapic_timer_deadline(const struct vlapic *l) { return l->timer_deadline; }
/* The timer's deadline has passed (tsc >= it): set IRR (unless masked), re-arm a
 * periodic timer. Returns true when it fired. */
bool vlapic_timer_expire(struct vlapic *l, uint64_t tsc);
/* The divide value of DCR (10.5.4: 1..128). */
uint32_t vlapic_timer_divisor(uint32_t dcr);

static inline bool vlapic_sw_enabled(const struct vlapic *l) { return l->svr & (1u << 8); }

/*
 * The whole register file as include/hv/state.h's struct hv_vcpu_lapic holds it
 * (regs[i]: the register at offset 16 * i; apic_base and tsc_deadline are the
 * caller's to fill or check). vlapic_state_get reads the current count as of tsc.
 * vlapic_state_valid: false for LVT or SVR reserved bits (the read-only delivery
 * status and remote IRR bits of an LVT are ignored, not refused).
 * vlapic_state_set: takes a valid state; x2apic selects the register formats;
 * a non-zero current count runs the one-shot/periodic timer on from that count,
 * tsc_deadline (guest TSC) arms TSC-deadline mode; effects (nmi, eoi_level) clear.
 */
struct hv_vcpu_lapic;
void vlapic_state_get(const struct vlapic *l, struct hv_vcpu_lapic *s, uint64_t tsc);
bool vlapic_state_valid(const struct hv_vcpu_lapic *s);
void vlapic_state_set(struct vlapic *l, const struct hv_vcpu_lapic *s, bool x2apic, uint64_t tsc);

#endif
