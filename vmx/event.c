/*
 * Event injection: pending external interrupts and NMIs go in when the
 * guest can take them, else the matching window exit is armed; an event
 * whose delivery an exit interrupted is re-injected as it was.
 */
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_exits.h"
#include "vmx_setup.h"
#include "x86.h"

static void set_proc(struct vcpu *v, uint32_t bit, bool on)
{
    uint32_t p = on ? v->proc_controls | bit : v->proc_controls & ~bit;
    if (p != v->proc_controls) {
        v->proc_controls = p;
        vmcs_write(VMCS_PROC_CONTROLS, p);
    }
}

static void try_inject(struct vcpu *v);

/* The lowest ExtINT vector queued behind the one just injected becomes the next. */
static void extint_next(struct vcpu *v)
{
    v->pending_irq = -1;
    for (unsigned i = 0; i < 8; i++) {
        uint32_t w = v->extint_more[i];
        if (w) {
            unsigned b = (unsigned)__builtin_ctz(w);
            v->extint_more[i] = w & ~(1u << b);
            v->pending_irq = (int16_t)(i * 32 + b);
            return;
        }
    }
}

void vcpu_try_inject(struct vcpu *v)
{
    try_inject(v);
    vcpu_update_attention(v);
}

static void try_inject(struct vcpu *v)
{
    if (vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) {
        /* A re-injection goes first; come back when it is delivered. */
        set_proc(v, PROC_INTR_WINDOW_EXITING, vcpu_irq_pending(v));
        return;
    }
    uint32_t block = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
    if (v->pending_nmi) {
        if (!(block & (INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_STI))) {
            vmcs_write(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_NMI | 2);
            v->pending_nmi = false;
            set_proc(v, PROC_NMI_WINDOW_EXITING, false);
            /* One event per entry: an external interrupt waits for the next window. */
            set_proc(v, PROC_INTR_WINDOW_EXITING, vcpu_irq_pending(v));
            return;
        }
        if (vmx_cfg.nmi_window) {
            set_proc(v, PROC_NMI_WINDOW_EXITING, true);
        } else if (block & (INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_STI)) {
            set_proc(v, PROC_INTR_WINDOW_EXITING, true);   /* one instruction: retry then */
            return;
        }
        /* Blocked by an NMI still in its handler (no NMI-window exits: it goes in at a later
         * exit after the IRET). NMI blocking does not hold back external interrupts (SDM
         * Vol. 3A 6.7.1), so one may go in meanwhile: an interrupt-window exit armed here for
         * the NMI would come at once with IF=1 and never find it deliverable. */
    }
    /* ExtINT first (it bypasses the APIC's priorities), then the APIC's highest
     * deliverable vector (SDM Vol. 3A 10.8.4). */
    int vector = v->pending_irq;
    bool from_apic = false;
    if (vector < 0 && (vector = vlapic_pending(&v->lapic)) >= 0)
        from_apic = true;
    if (vector < 0) {
        set_proc(v, PROC_INTR_WINDOW_EXITING, false);
        return;
    }
    uint64_t rflags = vmcs_read(VMCS_GUEST_RFLAGS);
    if ((rflags & RFLAGS_IF) && !(block & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))) {
        vmcs_write(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXT_INT | (uint8_t)vector);
        if (from_apic)
            vlapic_accept(&v->lapic, (uint8_t)vector);      /* IRR -> ISR as the CPU takes it */
        else
            extint_next(v);
        if (vmcs_read(VMCS_GUEST_ACTIVITY_STATE) == ACTIVITY_HLT)
            vmcs_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
        set_proc(v, PROC_INTR_WINDOW_EXITING, false);
    } else {
        set_proc(v, PROC_INTR_WINDOW_EXITING, true);
    }
}

void vcpu_inject_apic(struct vcpu *v, uint8_t vector)
{
    /* Called right after an exit that injected nothing: VM exits clear the valid bit of the
     * VM-entry interruption-information field (SDM Vol. 3C 24.8.3). */
    uint32_t block = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
    if (!(vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF) ||
        (block & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))) {
        v->attention = 1;               /* the generic pass arms the window exit */
        return;
    }
    vmcs_write(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXT_INT | vector);
    vlapic_accept(&v->lapic, vector);   /* IRR -> ISR as the CPU takes it (10.8.4) */
    if (vmcs_read(VMCS_GUEST_ACTIVITY_STATE) == ACTIVITY_HLT)
        vmcs_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
    set_proc(v, PROC_INTR_WINDOW_EXITING, false);
}

void vcpu_update_attention(struct vcpu *v)
{
    v->attention = v->pending_irq >= 0 || v->pending_nmi || v->kick || v->eoi_exit ||
                   vlapic_pending(&v->lapic) >= 0;
}

/*
 * ExtINT vectors wait in a set: the same vector twice is one request (as an 8259's IRR bit
 * holds one), different ones all stay and go in lowest vector first (the 8259's default
 * fixed priority, IRQ0 first, with vectors ascending by IRQ).
 */
void vcpu_queue_interrupt(struct vcpu *v, uint8_t vector)
{
    int16_t head = v->pending_irq;
    if (head < 0) {
        v->pending_irq = vector;
    } else if (vector < head) {
        v->extint_more[head / 32] |= 1u << (head % 32);
        v->pending_irq = vector;
    } else if (vector > head) {
        v->extint_more[vector / 32] |= 1u << (vector % 32);
    }
    v->attention = 1;
}

int vcpu_leave_eoi(struct vcpu *v)
{
    uint8_t vector = (uint8_t)(v->eoi_exit - 1);
    v->eoi_exit = 0;
    vcpu_update_attention(v);
    vcpu_leave(v, VCPU_EXIT_EOI, (uint16_t)vmcs_read(VMCS_EXIT_REASON));
    v->exit.eoi.vector = vector;
    return 0;
}

void vcpu_queue_nmi(struct vcpu *v)
{
    v->pending_nmi = true;
    v->attention = 1;
}

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
    (void)v;                            /* acts on the current VMCS, which is v's */
    uint32_t info = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector;
    /* Real mode delivers no error code, and VM entry refuses one there (SDM Vol. 3C
     * 26.2.1.3: deliver-error-code requires CR0.PE = 1 with unrestricted guest). */
    if (has_error && (vmcs_read(VMCS_GUEST_CR0) & CR0_PE)) {
        info |= INTR_INFO_ERROR_CODE;
        vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, error);
    }
    vmcs_write(VMCS_ENTRY_INTR_INFO, info);
}

/* After exits that can interrupt event delivery: put the event back. */
void vcpu_reinject_vectoring(void)
{
    uint32_t info = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO);
    if (!(info & INTR_INFO_VALID))
        return;
    uint32_t type = info & INTR_TYPE_MASK;
    if (info & INTR_INFO_ERROR_CODE)
        vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, vmcs_read(VMCS_IDT_VECTORING_ERROR));
    if (type == INTR_TYPE_SW_INT || type == INTR_TYPE_PRIV_SW_EXCEPTION || type == INTR_TYPE_SW_EXCEPTION)
        vmcs_write(VMCS_ENTRY_INSN_LEN, vmcs_read(VMCS_EXIT_INSN_LEN));
    vmcs_write(VMCS_ENTRY_INTR_INFO, info & ~INTR_INFO_NMI_UNBLOCKED);
}
