/*
 * vCPU objects (object/vcpu_object.c): a vmx/ vCPU in a guest, bound to the
 * thread that created it. vcpu_obj_resume runs it and turns exits into
 * packets: trapped I/O and MMIO come back to the caller, bell writes go to
 * their port and the guest goes on.
 */
#ifndef VCPU_OBJECT_H
#define VCPU_OBJECT_H

#include <stdbool.h>
#include <stdint.h>
#include "guest.h"
#include "handles.h"
#include "hv/hv.h"
#include "object.h"
#include "thread.h"
#include "vcpu.h"

struct vcpu_obj {
    struct object obj;          /* HV_OBJ_VCPU */
    struct guest *guest;        /* holds a reference */
    struct thread *owner;       /* holds a reference */
    bool io_in_pending;         /* a GUEST_IO IN waits for write_state(HV_VCPU_IO) */
    bool dead;
    struct waitq halt_wait;     /* the resume thread while its guest HLTs (APIC timer armed) */
    struct vcpu vcpu;
};

/* A state of any kind of include/hv/state.h. */
union vcpu_obj_state {
    struct hv_vcpu_state regs;  /* HV_VCPU_STATE */
    struct hv_vcpu_io io;       /* HV_VCPU_IO */
    struct hv_vcpu_sregs sregs; /* HV_VCPU_SREGS */
    struct hv_vcpu_lapic lapic; /* HV_VCPU_LAPIC */
    struct hv_vcpu_stats stats; /* HV_VCPU_STATS */
};

/*
 * The vCPU behind handle h of the current process, with `needed` rights:
 * the errors of handle_get, then HV_ERR_BAD_STATE when the vCPU or its
 * guest is torn down or (owner_only) the caller is not the thread that
 * created it. Inline: on every vcpu_resume.
 */
static inline hv_status_t vcpu_obj_get(hv_handle_t h, hv_rights_t needed, bool owner_only,
                                       struct vcpu_obj **out)
{
    struct vcpu_obj *v;
    hv_status_t rc = handle_get(h, HV_OBJ_VCPU, needed, &v);
    if (rc != HV_OK)
        return rc;
    if ((owner_only && v->owner != current_thread()) || v->dead || v->guest->dead)
        return HV_ERR_BAD_STATE;
    *out = v;
    return HV_OK;
}

/*
 * A vCPU of g owned by the calling thread, starting at guest-physical entry
 * in the Multiboot machine state, holding one reference for the caller.
 * HV_ERR_BAD_STATE (g torn down), HV_ERR_NO_MEMORY, HV_ERR_NO_RESOURCES.
 */
hv_status_t vcpu_obj_create(struct guest *g, uint64_t entry, struct vcpu_obj **out);
/*
 * Run until an exit for the caller; its packet goes to user address
 * user_packet of the current process. HV_ERR_TIMED_OUT (the host TSC reached
 * deadline, HV_TIME_INFINITE: never), HV_ERR_CANCELED (kicked),
 * HV_ERR_BAD_STATE (torn down while others ran), HV_ERR_INVALID_ARGS.
 */
hv_status_t vcpu_obj_resume(struct vcpu_obj *v, uint64_t user_packet, uint64_t deadline);
void vcpu_obj_kick(struct vcpu_obj *v);
/* irq as syscall.h's HV_IRQ_*: HV_ERR_INVALID_ARGS (bits, mode, LEVEL or vector where
 * they do not belong), HV_ERR_OUT_OF_RANGE (FIXED below 16). */
hv_status_t vcpu_obj_interrupt(struct vcpu_obj *v, uint64_t irq);
/* kind HV_VCPU_STATE, HV_VCPU_SREGS, HV_VCPU_LAPIC or HV_VCPU_STATS. */
void vcpu_obj_read_state(struct vcpu_obj *v, uint32_t kind, union vcpu_obj_state *s);
/*
 * kind HV_VCPU_STATE, HV_VCPU_IO, HV_VCPU_SREGS, HV_VCPU_LAPIC or
 * HV_VCPU_STATS. HV_ERR_INVALID_ARGS: a
 * state state.h does not allow; HV_ERR_BAD_STATE: HV_VCPU_IO with no IN
 * waiting.
 */
hv_status_t vcpu_obj_write_state(struct vcpu_obj *v, uint32_t kind,
                                 const union vcpu_obj_state *s);

#endif
