/*
 * vCPU objects: creation in a guest, the resume loop with the translation
 * of exits into packets, kicks, interrupts, and state reads and writes
 * (through vmx/vcpu_state.c).
 */
#include "base.h"
#include "mm.h"
#include "port.h"
#include "process.h"
#include "sched.h"
#include "vcpu_object.h"

static void vcpu_obj_teardown(struct object *o)
{
    struct vcpu_obj *v = (struct vcpu_obj *)o;
    if (!v->dead) {
        v->dead = true;
        vcpu_destroy(&v->vcpu);
        sched_wake_all(&v->halt_wait, HV_ERR_CANCELED);
    }
}

static void vcpu_obj_destroy(struct object *o)
{
    struct vcpu_obj *v = (struct vcpu_obj *)o;
    vcpu_obj_teardown(o);
    object_unref(&v->owner->obj);
    object_unref(&v->guest->obj);
    kfree_pages(v, sizeof(*v));
}

hv_status_t vcpu_obj_create(struct guest *g, uint64_t entry, struct vcpu_obj **out)
{
    if (g->dead)
        return HV_ERR_BAD_STATE;
    struct vcpu_obj *v = kalloc_pages(sizeof(*v));
    if (!v)
        return HV_ERR_NO_MEMORY;
    v->obj = (struct object){ HV_OBJ_VCPU, 1, 0, vcpu_obj_teardown, vcpu_obj_destroy };
    v->guest = g;
    v->owner = current_thread();
    /* The Multiboot machine state: flat 32-bit protected mode at entry, paging off. */
    struct vcpu_start s = { .mode = GUEST_PROT32, .rip = entry, .rsp = 0, .gdt_base = 0,
                            .gdt_limit = 0, .sched_timer = true };
    hv_status_t rc = vcpu_init(&v->vcpu, &g->vm, &s);
    if (rc != HV_OK) {
        kfree_pages(v, sizeof(*v));
        return rc;
    }
    v->halt_wait = (struct waitq){ 0, 0 };
    v->vcpu.hlt_block = true;                   /* HLT sleeps here, in resume() */
    object_ref(&g->obj);
    object_ref(&v->owner->obj);
    *out = v;
    return HV_OK;
}

/* Turn what vcpu_run left in v->exit into a packet; false: keep running. */
static inline __attribute__((always_inline)) bool make_packet(struct vcpu_obj *vo,
                                                              struct hv_packet *p)
{
    struct vcpu *v = &vo->vcpu;
    struct vcpu_exit *e = &v->exit;
    const struct trap_map *traps = &vo->guest->traps;
    const struct trap *t;
    switch (e->kind) {
    case VCPU_EXIT_IO:
        if (!e->io.string && (t = trap_map_find(traps, HV_TRAP_IO, e->io.port))) {
            p->type = HV_PKT_GUEST_IO;
            p->key = t->key;
            p->guest_io.port = e->io.port;
            p->guest_io.access_size = e->io.size;
            p->guest_io.input = e->io.in;
            p->guest_io.data = e->io.data;
            if (e->io.in)
                vo->io_in_pending = true;               /* completed by write_state(IO) */
            else
                vcpu_advance_rip(v, e->insn_len);
            return true;
        }
        break;
    case VCPU_EXIT_MMIO:
        if (e->mem.write && (t = trap_map_find(traps, HV_TRAP_BELL, e->mem.gpa))) {
            struct hv_packet bell = { .key = t->key, .type = HV_PKT_GUEST_BELL,
                                      .guest_bell.addr = e->mem.gpa };
            vcpu_advance_rip(v, e->insn_len);
            if (port_enqueue(t->port, &bell))
                return false;                           /* the guest goes on */
            *p = bell;                                  /* queue full: the caller gets it */
            return true;
        }
        if ((t = trap_map_find(traps, HV_TRAP_MEM, e->mem.gpa))) {
            p->type = HV_PKT_GUEST_MEM;
            p->key = t->key;
            p->guest_mem.addr = e->mem.gpa;
            p->guest_mem.inst_len = (uint8_t)e->insn_len;
            for (unsigned i = 0; i < e->insn_len && i < 15; i++)
                p->guest_mem.inst_buf[i] = e->mem.insn[i];
            p->guest_mem.access_size = e->mem.size;
            p->guest_mem.write = e->mem.write;
            p->guest_mem.reg = e->mem.reg;
            p->guest_mem.flags = (e->mem.sign_extend ? HV_MEM_SIGN_EXTEND : 0) |
                                 (e->mem.zero_extend ? HV_MEM_ZERO_EXTEND : 0) |
                                 (e->mem.high8 ? HV_MEM_HIGH8 : 0);
            p->guest_mem.data = e->mem.data;
            if (e->mem.write)
                vcpu_advance_rip(v, e->insn_len);       /* a load is finished by the VMM */
            return true;
        }
        break;
    case VCPU_EXIT_PREEMPT:
        sched_tick();                                   /* the scheduler's event is due */
        return false;
    case VCPU_EXIT_YIELD:
    case VCPU_EXIT_DEADLINE:                            /* resume() returns HV_ERR_TIMED_OUT */
        return false;
    case VCPU_EXIT_EOI:
        p->type = HV_PKT_GUEST_EOI;
        p->guest_eoi.vector = e->eoi.vector;
        return true;
    case VCPU_EXIT_HLT:
        if (e->hlt.wake_tsc)
            return false;                               /* resume() sleeps: the APIC timer wakes */
        /* fall through */
    case VCPU_EXIT_TRIPLE_FAULT:
        p->type = HV_PKT_GUEST_VCPU;
        p->guest_vcpu.kind = e->kind == VCPU_EXIT_HLT ? HV_VCPU_HALT : HV_VCPU_SHUTDOWN;
        p->guest_vcpu.rip = e->rip;
        return true;
    default:
        break;
    }
    p->type = HV_PKT_VCPU_EXIT;
    p->vcpu_exit.reason = e->kind == VCPU_EXIT_ENTRY_FAILED ? e->entry_failure.reason : e->reason;
    p->vcpu_exit.qualification = e->qualification;
    p->vcpu_exit.rip = e->rip;
    p->vcpu_exit.gpa = (e->kind == VCPU_EXIT_MMIO) ? e->mem.gpa
                     : (e->kind == VCPU_EXIT_EPT_FAULT) ? e->ept.gpa : 0;
    return true;
}

/* Where the packet goes: in place in the caller's page when it sits in one (the usual
 * case), else the bounce buffer; NULL for a bad pointer. */
static inline struct hv_packet *packet_target(uint64_t user, struct hv_packet *bounce)
{
    struct vspace *vs = &current_process()->vs;
    struct hv_packet *p = vspace_user_ptr(vs, user, sizeof(*p), VS_R | VS_W);
    if (!p && vspace_check(vs, user, sizeof(*p), VS_R | VS_W))
        p = bounce;
    return p;
}

/* Inline in both callers: the usual one (no deadline) is the VMM's hot path. */
static inline __attribute__((always_inline)) hv_status_t resume(struct vcpu_obj *vo,
                                                                uint64_t user_packet)
{
    struct hv_packet bounce, *p = packet_target(user_packet, &bounce);
    if (!p)
        return HV_ERR_INVALID_ARGS;
    for (;;) {
        if (sched_need_resched()) {
            sched_yield();
            /* Others ran: the vCPU, its guest or the packet's page may be gone. */
            if (vo->dead || vo->guest->dead)
                return HV_ERR_BAD_STATE;
            if (!(p = packet_target(user_packet, &bounce)))
                return HV_ERR_INVALID_ARGS;
        }
        if (vo->vcpu.kick) {                            /* kicked before (or between) runs */
            vo->vcpu.kick = false;
            vcpu_update_attention(&vo->vcpu);
            return HV_ERR_CANCELED;
        }
        vcpu_run(&vo->vcpu);
        if (vo->vcpu.exit.kind == VCPU_EXIT_KICKED)
            return HV_ERR_CANCELED;
        *p = (struct hv_packet){ 0 };
        if (make_packet(vo, p))
            break;
        if (vo->vcpu.exit.kind == VCPU_EXIT_HLT) {
            /* HLT with IF=1 and the APIC timer armed or a deadline: the thread sleeps
             * until the earlier, vcpu_interrupt or vcpu_kick; the next run delivers. */
            if (!vo->vcpu.attention && vo->vcpu.exit.hlt.wake_tsc > rdtsc()) {
                uint64_t t0 = rdtsc();
                sched_block(&vo->halt_wait, vo->vcpu.exit.hlt.wake_tsc);
                if (vo->vcpu.stats_on)
                    vo->vcpu.stats.halt_ticks += rdtsc() - t0;
            }
            if (vo->dead || vo->guest->dead)
                return HV_ERR_BAD_STATE;
            if (!(p = packet_target(user_packet, &bounce)))
                return HV_ERR_INVALID_ARGS;
        }
        if (rdtsc() >= vo->vcpu.deadline)               /* never for HV_TIME_INFINITE */
            return HV_ERR_TIMED_OUT;
    }
    if (p == &bounce)
        vspace_copy_out(&current_process()->vs, user_packet, p, sizeof(*p));
    return HV_OK;
}

/* A resume with a deadline: the vCPU's for this call only. Out of line, so that the usual
 * resume (HV_TIME_INFINITE) pays one compare for it. */
static __attribute__((noinline)) hv_status_t resume_until(struct vcpu_obj *vo, uint64_t user_packet,
                                                          uint64_t deadline)
{
    if (rdtsc() >= deadline)
        return HV_ERR_TIMED_OUT;                        /* already past: the guest stays */
    vcpu_set_deadline(&vo->vcpu, deadline);
    hv_status_t rc = resume(vo, user_packet);
    vcpu_set_deadline(&vo->vcpu, HV_TIME_INFINITE);
    return rc;
}

hv_status_t vcpu_obj_resume(struct vcpu_obj *vo, uint64_t user_packet, uint64_t deadline)
{
    object_ref(&vo->obj);                               /* its handles may close meanwhile */
    hv_status_t rc = __builtin_expect(deadline != HV_TIME_INFINITE, 0)
                   ? resume_until(vo, user_packet, deadline) : resume(vo, user_packet);
    object_unref(&vo->obj);
    return rc;
}

void vcpu_obj_kick(struct vcpu_obj *vo)
{
    vo->vcpu.kick = true;
    vcpu_update_attention(&vo->vcpu);
    sched_wake_one(&vo->halt_wait, HV_OK);      /* a sleeping HLT ends */
}

hv_status_t vcpu_obj_interrupt(struct vcpu_obj *vo, uint64_t irq)
{
    uint32_t mode = (uint32_t)irq & HV_IRQ_MODE_MASK;
    uint8_t vector = (uint8_t)HV_IRQ_VECTOR(irq);
    bool level = irq & HV_IRQ_LEVEL;
    if ((irq & ~(uint64_t)(0xffu | HV_IRQ_MODE_MASK | HV_IRQ_LEVEL)) ||
        (mode != HV_IRQ_FIXED && mode != HV_IRQ_NMI && mode != HV_IRQ_EXTINT) ||
        (level && mode != HV_IRQ_FIXED) || (mode == HV_IRQ_NMI && vector))
        return HV_ERR_INVALID_ARGS;
    if (mode == HV_IRQ_FIXED && vector < 16)
        return HV_ERR_OUT_OF_RANGE;
    struct vcpu *v = &vo->vcpu;
    if (mode == HV_IRQ_NMI)
        vcpu_queue_nmi(v);
    else if (mode == HV_IRQ_EXTINT)
        vcpu_lapic_extint(v, vector);                   /* or dropped, as LINT0 drops it */
    else
        vcpu_lapic_deliver(v, vector, level);           /* IRR, or ExtINT: APIC disabled */
    sched_wake_one(&vo->halt_wait, HV_OK);              /* a sleeping HLT ends */
    return HV_OK;
}

void vcpu_obj_read_state(struct vcpu_obj *vo, uint32_t kind, union vcpu_obj_state *s)
{
    switch (kind) {
    case HV_VCPU_SREGS:
        vcpu_read_sregs(&vo->vcpu, &s->sregs);
        break;
    case HV_VCPU_LAPIC:
        vcpu_load(&vo->vcpu);
        vcpu_lapic_read_state(&vo->vcpu, &s->lapic);
        break;
    case HV_VCPU_STATS:
        s->stats = vo->vcpu.stats;
        break;
    default:
        vcpu_read_state(&vo->vcpu, &s->regs);
        break;
    }
}

/* HV_VCPU_STATS takes only the all-zero struct: reset and count from now (state.h). */
static hv_status_t write_stats(struct vcpu *v, const struct hv_vcpu_stats *s)
{
    const uint8_t *b = (const uint8_t *)s;
    for (size_t i = 0; i < sizeof(*s); i++)
        if (b[i])
            return HV_ERR_INVALID_ARGS;
    vcpu_stats_enable(v);
    return HV_OK;
}

hv_status_t vcpu_obj_write_state(struct vcpu_obj *vo, uint32_t kind,
                                 const union vcpu_obj_state *s)
{
    struct vcpu *v = &vo->vcpu;
    if (kind == HV_VCPU_IO) {
        if (s->io.access_size != 1 && s->io.access_size != 2 && s->io.access_size != 4)
            return HV_ERR_INVALID_ARGS;
        if (!vo->io_in_pending)
            return HV_ERR_BAD_STATE;
        vo->io_in_pending = false;
        vcpu_load(v);
        vcpu_complete_io_in(v, s->io.data);
        return HV_OK;
    }
    if (kind == HV_VCPU_SREGS)
        return vcpu_write_sregs(v, &s->sregs) ? HV_OK : HV_ERR_INVALID_ARGS;
    if (kind == HV_VCPU_LAPIC) {
        vcpu_load(v);
        return vcpu_lapic_write_state(v, &s->lapic) ? HV_OK : HV_ERR_INVALID_ARGS;
    }
    if (kind == HV_VCPU_STATS)
        return write_stats(v, &s->stats);
    if (!vcpu_write_state(v, &s->regs))
        return HV_ERR_INVALID_ARGS;
    vo->io_in_pending = false;
    return HV_OK;
}
