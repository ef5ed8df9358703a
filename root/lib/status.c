/* Names of the hypercall status codes (include/hv/status.h). */
#include "rt.h"

const char *hv_status_name(hv_status_t status)
{
    switch (status) {
    case HV_OK: return "HV_OK";
    case HV_ERR_INTERNAL: return "HV_ERR_INTERNAL";
    case HV_ERR_NOT_SUPPORTED: return "HV_ERR_NOT_SUPPORTED";
    case HV_ERR_NO_RESOURCES: return "HV_ERR_NO_RESOURCES";
    case HV_ERR_NO_MEMORY: return "HV_ERR_NO_MEMORY";
    case HV_ERR_INVALID_ARGS: return "HV_ERR_INVALID_ARGS";
    case HV_ERR_BAD_HANDLE: return "HV_ERR_BAD_HANDLE";
    case HV_ERR_WRONG_TYPE: return "HV_ERR_WRONG_TYPE";
    case HV_ERR_BAD_SYSCALL: return "HV_ERR_BAD_SYSCALL";
    case HV_ERR_OUT_OF_RANGE: return "HV_ERR_OUT_OF_RANGE";
    case HV_ERR_BUFFER_TOO_SMALL: return "HV_ERR_BUFFER_TOO_SMALL";
    case HV_ERR_BAD_STATE: return "HV_ERR_BAD_STATE";
    case HV_ERR_TIMED_OUT: return "HV_ERR_TIMED_OUT";
    case HV_ERR_CANCELED: return "HV_ERR_CANCELED";
    case HV_ERR_ALREADY_EXISTS: return "HV_ERR_ALREADY_EXISTS";
    case HV_ERR_ACCESS_DENIED: return "HV_ERR_ACCESS_DENIED";
    default: return "HV_ERR_(unknown)";
    }
}
