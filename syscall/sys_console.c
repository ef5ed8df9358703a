/* console_bind: decoding; the binding is object/console_input.c. */
#include "console_input.h"
#include "handles.h"
#include "syscall_impl.h"

hv_status_t sys_console_bind(uint64_t port, uint64_t key)
{
    if (port == HV_HANDLE_INVALID) {            /* the whole register: 1 << 32 is no unbind */
        console_input_bind(0, 0);
        return HV_OK;
    }
    if (port > UINT32_MAX)
        return HV_ERR_BAD_HANDLE;
    struct port *p;
    hv_status_t rc = handle_get((hv_handle_t)port, HV_OBJ_PORT, HV_RIGHT_WRITE, &p);
    if (rc != HV_OK)
        return rc;
    console_input_bind(p, key);
    return HV_OK;
}
