/* Handles and rights (Zircon's bit values). */
#ifndef HV_RIGHTS_H
#define HV_RIGHTS_H

#include <stdint.h>

/*
 * A handle names one object for one process. Its value carries a table
 * index and a generation, so a closed, reused or forged value is
 * HV_ERR_BAD_HANDLE, never another object. 0 is never a valid handle.
 */
typedef uint32_t hv_handle_t;
#define HV_HANDLE_INVALID 0u

typedef uint32_t hv_rights_t;
#define HV_RIGHT_DUPLICATE (1u << 0)
#define HV_RIGHT_TRANSFER  (1u << 1)
#define HV_RIGHT_READ      (1u << 2)
#define HV_RIGHT_WRITE     (1u << 3)
#define HV_RIGHT_EXECUTE   (1u << 4)
#define HV_RIGHT_SIGNAL    (1u << 12)
#define HV_RIGHTS_ALL      (HV_RIGHT_DUPLICATE | HV_RIGHT_TRANSFER | HV_RIGHT_READ | \
                            HV_RIGHT_WRITE | HV_RIGHT_EXECUTE | HV_RIGHT_SIGNAL)
#define HV_RIGHT_SAME_RIGHTS (1u << 31) /* handle_duplicate: keep the source's rights */

/* Object types. */
enum hv_obj_type {
    HV_OBJ_NONE = 0,
    HV_OBJ_GUEST = 1,
    HV_OBJ_VCPU = 2,
    HV_OBJ_PORT = 3,
    HV_OBJ_THREAD = 4,
};

#endif
