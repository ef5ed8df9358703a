/*
 * Ports: a FIFO of at most HV_PORT_CAPACITY packets and the threads waiting
 * for them. A packet queued while someone waits goes straight to the first
 * waiter. The whole port is one page.
 */
#include "kernel.h"
#include "mm.h"
#include "port.h"
#include "process.h"
#include "sched.h"
#include "syscall_impl.h"
#include "x86.h"

struct port {
    struct object obj;
    bool closed;                /* no handles left: waiters cancelled, packets dropped */
    uint32_t head, count;
    struct waitq waiters;
    struct hv_packet q[HV_PORT_CAPACITY];
};
_Static_assert(sizeof(struct port) <= 4096, "a port is one page");

static struct process *cur_proc(void)
{
    return current_thread()->proc;
}

static void port_no_handles(struct object *o)
{
    struct port *p = (struct port *)o;
    p->closed = true;
    p->count = 0;
    sched_wake_all(&p->waiters, HV_ERR_CANCELED);
}

static void port_destroy(struct object *o)
{
    kfree_pages(o, sizeof(struct port));
}

struct object *port_object(struct port *p)
{
    return &p->obj;
}

hv_status_t port_lookup(uint64_t h, hv_rights_t needed, struct port **out)
{
    struct object *o;
    if (h > UINT32_MAX)
        return HV_ERR_BAD_HANDLE;
    hv_status_t rc = handle_lookup((hv_handle_t)h, HV_OBJ_PORT, needed, &o);
    *out = (struct port *)o;
    return rc;
}

bool port_enqueue(struct port *p, const struct hv_packet *pkt)
{
    if (p->closed)
        return true;
    struct thread *t = p->waiters.head;
    if (t) {
        t->wait_packet = *pkt;
        sched_wake_one(&p->waiters, HV_OK);
        return true;
    }
    if (p->count == HV_PORT_CAPACITY)
        return false;
    p->q[(p->head + p->count++) % HV_PORT_CAPACITY] = *pkt;
    return true;
}

SYSCALL_DEFINE(port_create)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    if (a0 != 0 || !vspace_check(&cur_proc()->vs, a1, sizeof(hv_handle_t), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    struct port *p = kalloc_pages(sizeof(*p));
    if (!p)
        return HV_ERR_NO_MEMORY;
    p->obj = (struct object){ HV_OBJ_PORT, 1, 0, port_no_handles, port_destroy };
    p->closed = false;
    p->head = p->count = 0;
    p->waiters = (struct waitq){ 0, 0 };
    hv_status_t rc = handle_publish(&p->obj, HV_RIGHT_DUPLICATE | HV_RIGHT_TRANSFER |
                                                 HV_RIGHT_READ | HV_RIGHT_WRITE, 0, a1);
    object_unref(&p->obj);                      /* on failure the last: frees it */
    return rc;
}

SYSCALL_DEFINE(port_queue)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    struct port *p;
    hv_status_t rc = port_lookup(a0, HV_RIGHT_WRITE, &p);
    if (rc != HV_OK)
        return rc;
    struct hv_packet pkt;
    if (!vspace_copy_in(&cur_proc()->vs, &pkt, a1, sizeof(pkt)))
        return HV_ERR_INVALID_ARGS;
    pkt.type = HV_PKT_USER;
    pkt.status = HV_OK;
    return port_enqueue(p, &pkt) ? HV_OK : HV_ERR_NO_RESOURCES;
}

SYSCALL_DEFINE(port_wait)
{
    (void)a3, (void)a4, (void)a5;
    struct port *p;
    hv_status_t rc = port_lookup(a0, HV_RIGHT_READ, &p);
    if (rc != HV_OK)
        return rc;
    uint64_t deadline = a1, out = a2;
    struct vspace *vs = &cur_proc()->vs;
    if (!vspace_check(vs, out, sizeof(struct hv_packet), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    if (p->count) {
        const struct hv_packet *pkt = &p->q[p->head];
        p->head = (p->head + 1) % HV_PORT_CAPACITY;
        p->count--;
        vspace_copy_out(vs, out, pkt, sizeof(*pkt));    /* checked above: cannot fail */
        return HV_OK;
    }
    if (deadline <= rdtsc())
        return HV_ERR_TIMED_OUT;
    struct thread *self = current_thread();
    object_ref(&p->obj);                        /* the handle may close while we wait */
    rc = sched_block(&p->waiters, deadline);
    object_unref(&p->obj);
    if (rc != HV_OK)
        return rc;
    /* Checked again: another thread may have unmapped it meanwhile. */
    return vspace_copy_out(vs, out, &self->wait_packet, sizeof(self->wait_packet))
               ? HV_OK : HV_ERR_INVALID_ARGS;
}
