/*
 * Kernel-internal status: hv_status_t (include/hv/status.h) plus Zircon's
 * codes, with Zircon's values, for meanings the kernel needs inside but no
 * hypercall returns. A hypercall that meets one returns what include/hv/
 * syscall.h documents for that case instead.
 */
#ifndef KSTATUS_H
#define KSTATUS_H

#include "hv/status.h"

#define HV_ERR_NOT_FOUND       (-25)    /* nothing there: no translation, no such table */

#endif
