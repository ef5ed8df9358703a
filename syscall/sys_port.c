/* port_create, port_queue, port_wait: decoding and copies; the queue is object/port.c. */
#include "handles.h"
#include "port.h"
#include "process.h"
#include "syscall_impl.h"

hv_status_t sys_port_create(uint32_t options, uint64_t out)
{
    if (options != 0 ||
        !vspace_check(&current_process()->vs, out, sizeof(hv_handle_t), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    struct port *p;
    hv_status_t rc = port_create(&p);
    if (rc != HV_OK)
        return rc;
    rc = handle_publish(port_object(p), HV_RIGHT_DUPLICATE | HV_RIGHT_TRANSFER | HV_RIGHT_READ |
                                            HV_RIGHT_WRITE, 0, out);
    object_unref(port_object(p));               /* on failure the last: frees it */
    return rc;
}

hv_status_t sys_port_queue(hv_handle_t port, uint64_t packet)
{
    struct port *p;
    hv_status_t rc = handle_get(port, HV_OBJ_PORT, HV_RIGHT_WRITE, &p);
    if (rc != HV_OK)
        return rc;
    struct hv_packet pkt;
    if (!vspace_copy_in(&current_process()->vs, &pkt, packet, sizeof(pkt)))
        return HV_ERR_INVALID_ARGS;
    pkt.type = HV_PKT_USER;
    pkt.status = HV_OK;
    return port_enqueue(p, &pkt) ? HV_OK : HV_ERR_NO_RESOURCES;
}

hv_status_t sys_port_wait(hv_handle_t port, uint64_t deadline, uint64_t out)
{
    struct port *p;
    hv_status_t rc = handle_get(port, HV_OBJ_PORT, HV_RIGHT_READ, &p);
    if (rc != HV_OK)
        return rc;
    struct vspace *vs = &current_process()->vs;
    if (!vspace_check(vs, out, sizeof(struct hv_packet), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    const struct hv_packet *pkt;
    if ((rc = port_dequeue(p, deadline, &pkt)) != HV_OK)
        return rc;
    /* Checked again: another thread may have unmapped it while we waited. */
    return vspace_copy_out(vs, out, pkt, sizeof(*pkt)) ? HV_OK : HV_ERR_INVALID_ARGS;
}
