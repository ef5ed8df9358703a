/*
 * Hypercall status codes: Zircon's names, meanings and values. 0 is
 * success; every error is negative. Shared by the kernel and the root task.
 */
#ifndef HV_STATUS_H
#define HV_STATUS_H

#include <stdint.h>

typedef int32_t hv_status_t;

#define HV_OK                     0
#define HV_ERR_INTERNAL         (-1)    /* kernel bug: should never be seen */
#define HV_ERR_NOT_SUPPORTED    (-2)    /* valid request this kernel does not do */
#define HV_ERR_NO_RESOURCES     (-3)    /* a table or id space is full (handles, VPIDs) */
#define HV_ERR_NO_MEMORY        (-4)    /* no frames left */
#define HV_ERR_INVALID_ARGS    (-10)    /* bad value or pointer argument */
#define HV_ERR_BAD_HANDLE      (-11)    /* not a live handle of this process */
#define HV_ERR_WRONG_TYPE      (-12)    /* handle to the wrong kind of object */
#define HV_ERR_BAD_SYSCALL     (-13)    /* unknown hypercall number */
#define HV_ERR_OUT_OF_RANGE    (-14)    /* value outside the valid range */
#define HV_ERR_BUFFER_TOO_SMALL (-15)   /* caller's buffer cannot hold the result */
#define HV_ERR_BAD_STATE       (-20)    /* object not in a state for this (e.g. wrong thread) */
#define HV_ERR_TIMED_OUT       (-21)    /* deadline passed */
#define HV_ERR_CANCELED        (-23)    /* the wait or run was cancelled (vcpu_kick) */
#define HV_ERR_ALREADY_EXISTS  (-26)    /* overlaps something that exists */
#define HV_ERR_ACCESS_DENIED   (-30)    /* handle lacks a needed right */

#endif
