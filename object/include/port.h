/* Ports: bounded packet queues (object/port.c). Bell traps deliver into them. */
#ifndef PORT_H
#define PORT_H

#include <stdbool.h>
#include "hv/hv.h"
#include "object.h"

struct port;

struct object *port_object(struct port *p);
/*
 * Queue a copy of pkt: straight to the first waiter if one waits, else into
 * the queue. False when the queue is full. A port without handles drops it
 * (nobody can wait on it any more) and says true.
 */
bool port_enqueue(struct port *p, const struct hv_packet *pkt);
/* A new, empty port holding one reference for the caller. HV_ERR_NO_MEMORY. */
hv_status_t port_create(struct port **out);
/*
 * Take the oldest packet, blocking until one arrives or the TSC reaches
 * deadline: HV_OK, HV_ERR_TIMED_OUT, or HV_ERR_CANCELED (the port's last
 * handle closed while waiting). On HV_OK *out points at the packet (in the
 * queue's freed slot or the thread's hand-over buffer): valid until the
 * caller next blocks, so copy it out at once (no copy on the way).
 */
/*
 * fn runs with each port whose last handle closes (after its waiters were
 * cancelled, while the handle's reference still holds it), so a holder of a
 * reference (the console binding) can let go. One hook for all ports (a
 * port has no byte left for a pointer of its own); NULL clears it.
 */
void port_set_close_hook(void (*fn)(struct port *p));
hv_status_t port_dequeue(struct port *p, uint64_t deadline, const struct hv_packet **out);

#endif
