/* The whole kernel <-> root task ABI. */
#ifndef HV_HV_H
#define HV_HV_H

#include "packet.h"
#include "rights.h"
#include "startup.h"
#include "state.h"
#include "status.h"
#include "syscall.h"

#endif
