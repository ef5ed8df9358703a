/*
 * The root task's VMM: one guest from a boot module, its devices, its run.
 * vmm.c reads the options and finds the modules; vmm_run.c sets the guest up
 * and runs it; the device models are the pure files beside them.
 */
#ifndef VMM_H
#define VMM_H

#include <stdbool.h>
#include <stdint.h>
#include "guest_loader.h"
#include "hv/hv.h"
#include "acpi_pm.h"
#include "fw_cfg.h"
#include "pc_ports.h"
#include "uart16550.h"
#include "vmm_device.h"

#define VMM_MAX_MODULES 16
#define VMM_ARGS_MAX    256

/* One console line being assembled. */
struct vmm_line {
    char buf[160];
    unsigned len;
};

/* What the command line asks for. */
struct vmm_options {
    const char *name;           /* NAME of the boot module guest:NAME */
    uint64_t mem_bytes;         /* guest.mem=MiB; 0: the format's default */
    char args[VMM_ARGS_MAX];    /* guest.args="...": the guest's command line */
    bool strict;                /* guest.strict: an unclaimed port or address stops the guest */
    bool debug;                 /* log=debug: say the first access to each unclaimed place */
    unsigned nmodules;
    struct gl_module modules[VMM_MAX_MODULES];   /* boot modules guest-module:STRING */
};

struct vm {
    const struct vmm_options *opt;
    const char *name;
    hv_handle_t guest, vcpu;
    uint64_t ram_va, ram_size;
    struct vmm_devices devices;
    struct vmm_exit exit;
    struct uart16550 com1;
    struct pc_ports pc;
    struct fw_cfg fw_cfg;
    struct acpi_pm pm;
    struct vmm_line com1_line, e9_line;
    uint8_t port_seen[65536 / 8];   /* unclaimed ports already reported (log=debug) */
    uint64_t mmio_seen[16];         /* unclaimed MMIO pages already reported */
    unsigned nmmio_seen;
};

/* Load and run the guest image; returns the run's status (vmm_status.h). */
uint32_t vmm_run_guest(struct vm *vm, const void *image, uint64_t len);

#endif
