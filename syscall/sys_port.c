/* port_create, port_queue, port_wait: decoding and copies; the queue is object/port.c. */
#include "port.h"
#include "process.h"
#include "syscall_impl.h"

SYSCALL_DEFINE(port_create)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    if (a0 != 0 || !vspace_check(&current_process()->vs, a1, sizeof(hv_handle_t), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    struct port *p;
    hv_status_t rc = port_create(&p);
    if (rc != HV_OK)
        return rc;
    rc = handle_publish(port_object(p), HV_RIGHT_DUPLICATE | HV_RIGHT_TRANSFER | HV_RIGHT_READ |
                                            HV_RIGHT_WRITE, 0, a1);
    object_unref(port_object(p));               /* on failure the last: frees it */
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
    if (!vspace_copy_in(&current_process()->vs, &pkt, a1, sizeof(pkt)))
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
    struct vspace *vs = &current_process()->vs;
    if (!vspace_check(vs, a2, sizeof(struct hv_packet), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    const struct hv_packet *pkt;
    if ((rc = port_dequeue(p, a1, &pkt)) != HV_OK)
        return rc;
    /* Checked again: another thread may have unmapped it while we waited. */
    return vspace_copy_out(vs, a2, pkt, sizeof(*pkt)) ? HV_OK : HV_ERR_INVALID_ARGS;
}
