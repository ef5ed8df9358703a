/*
 * Ports: a FIFO of at most HV_PORT_CAPACITY packets and the threads waiting
 * for them. A packet queued while someone waits goes straight to the first
 * waiter. The whole port is one page.
 */
#include "base.h"
#include "mm.h"
#include "port.h"
#include "thread.h"
#include "sched.h"
#include "x86.h"

struct port {
    struct object obj;
    bool closed;                /* no handles left: waiters cancelled, packets dropped */
    uint32_t head, count;
    struct waitq waiters;
    struct hv_packet q[HV_PORT_CAPACITY];
};
_Static_assert(sizeof(struct port) <= 4096, "a port is one page");

static void (*close_hook)(struct port *p);     /* port_set_close_hook */

static void port_no_handles(struct object *o)
{
    struct port *p = (struct port *)o;
    p->closed = true;
    p->count = 0;
    sched_wake_all(&p->waiters, HV_ERR_CANCELED);
    if (close_hook)
        close_hook(p);                  /* the handle's reference is still held here */
}

void port_set_close_hook(void (*fn)(struct port *p))
{
    close_hook = fn;
}

static void port_destroy(struct object *o)
{
    kfree_pages(o, sizeof(struct port));
}

struct object *port_object(struct port *p)
{
    return &p->obj;
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

hv_status_t port_create(struct port **out)
{
    struct port *p = kalloc_pages(sizeof(*p));
    if (!p)
        return HV_ERR_NO_MEMORY;
    p->obj = (struct object){ HV_OBJ_PORT, 1, 0, port_no_handles, port_destroy };
    p->closed = false;
    p->head = p->count = 0;
    p->waiters = (struct waitq){ 0, 0 };
    *out = p;
    return HV_OK;
}

hv_status_t port_dequeue(struct port *p, uint64_t deadline, const struct hv_packet **out)
{
    if (p->count) {
        *out = &p->q[p->head];
        p->head = (p->head + 1) % HV_PORT_CAPACITY;
        p->count--;
        return HV_OK;
    }
    if (deadline <= rdtsc())
        return HV_ERR_TIMED_OUT;
    struct thread *self = current_thread();
    object_ref(&p->obj);                        /* the handle may close while we wait */
    hv_status_t rc = sched_block(&p->waiters, deadline);
    object_unref(&p->obj);
    if (rc == HV_OK)
        *out = &self->wait_packet;
    return rc;
}
