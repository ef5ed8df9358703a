/* console_bind: decoding; the console's input path is not there yet (issue 11). */
#include "syscall_impl.h"

hv_status_t sys_console_bind(uint64_t port, uint64_t key)
{
    (void)port;
    (void)key;
    return HV_ERR_NOT_SUPPORTED;
}
