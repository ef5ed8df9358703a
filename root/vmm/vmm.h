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
#include "platform.h"
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
    bool stats;                 /* guest.stats: exit counts and times at the end */
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
    struct platform plat;       /* PIC, I/O APIC, PIT, RTC and the lines (vmm_platform.c) */
    uint64_t tsc_hz;
    hv_handle_t console_port;   /* console input (HV_PKT_CONSOLE) and HLT waits */
    bool console_bound;         /* console_bind worked: typed input comes */
    uint64_t console_polled;    /* TSC of the last look at the console port */
    bool lapic_unknown;         /* HV_VCPU_LAPIC cannot be read: the router assumes */
    bool irq_warned;            /* a failed vcpu_interrupt was reported */
    uint64_t injections;        /* vcpu_interrupt calls so far */
    uint64_t min_deadline;      /* no deadline before this TSC (vmm_platform.c) */
    bool stats_on;              /* HV_VCPU_STATS counting (guest.stats) */
    uint64_t stats_tsc, stats_idle;     /* TSC and idle ticks when counting began */
    struct vmm_line com1_line, e9_line;
    uint8_t port_seen[65536 / 8];   /* unclaimed ports already reported (log=debug) */
    uint64_t mmio_seen[16];         /* unclaimed MMIO pages already reported */
    unsigned nmmio_seen;
};

/* Load and run the guest image; returns the run's status (vmm_status.h). */
uint32_t vmm_run_guest(struct vm *vm, const void *image, uint64_t len);

/* vmm_run.c: true for HV_OK; else says which call failed and ends the run as the VMM's
 * fault. vmm_flush: partial console lines go out before the VMM speaks. */
bool vmm_ok(struct vm *vm, const char *call, hv_status_t rc);
void vmm_flush(struct vm *vm);

/* vmm_platform.c: the platform (platform.h) and console input, with their hypercalls. */
uint64_t vmm_tsc(void *ctx);
bool vmm_platform_setup(struct vm *vm);         /* after the devices, before the vCPU runs */
uint64_t vmm_platform_deadline(struct vm *vm);  /* vcpu_resume's deadline */
void vmm_platform_timed_out(struct vm *vm);     /* vcpu_resume said HV_ERR_TIMED_OUT */
void vmm_platform_before_in(struct vm *vm, uint16_t port);  /* before a trapped IN */
bool vmm_platform_halt(struct vm *vm);          /* HLT with IF=1: false if nothing can wake it */
void vmm_platform_teardown(struct vm *vm);

/* vmm_stats.c: guest.stats. */
void vmm_stats_start(struct vm *vm);
void vmm_stats_report(struct vm *vm);

#endif
