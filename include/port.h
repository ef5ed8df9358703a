/* Ports: bounded packet queues (kernel/port.c). Bell traps deliver into them. */
#ifndef PORT_H
#define PORT_H

#include <stdbool.h>
#include "hv/hv.h"
#include "object.h"

struct port;

/* The port behind a handle of the current process, with `needed` rights. */
hv_status_t port_lookup(uint64_t h, hv_rights_t needed, struct port **out);
struct object *port_object(struct port *p);
/*
 * Queue a copy of pkt: straight to the first waiter if one waits, else into
 * the queue. False when the queue is full. A port without handles drops it
 * (nobody can wait on it any more) and says true.
 */
bool port_enqueue(struct port *p, const struct hv_packet *pkt);

#endif
