/*
 * The start-up message the root task finds at rdi when it starts: the
 * boot modules it may use (guest images), mapped read-only into its
 * address space, and its command line.
 */
#ifndef HV_STARTUP_H
#define HV_STARTUP_H

#include <stdint.h>

#define HV_STARTUP_MAGIC 0x5452415453564821ull   /* "!HVSTART" */
#define HV_STARTUP_MAX_MODULES 32     /* one page holds the message */

struct hv_startup_module {
    uint64_t va;                /* read-only mapping in the root task */
    uint64_t len;
    char name[64];
};

struct hv_startup {
    uint64_t magic;
    uint32_t num_modules;
    uint32_t reserved;
    struct hv_startup_module modules[HV_STARTUP_MAX_MODULES];
    char cmdline[256];
};

#endif
