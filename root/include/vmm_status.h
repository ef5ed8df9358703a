/*
 * How a guest run ends: the root task's exit status, which the kernel
 * reports as "shutdown: status N" and `make run` returns as its own.
 *   0..239  the guest's own status, written to the exit port 0xf4 (a value
 *           above 239 is reported in full and ends the run with 239), or 0
 *           for an ACPI S5 power-off
 *   240..   the platform ended the guest (below)
 * The loaders' refusals have statuses of their own: the Multiboot/flat
 * loader's 65..92 (guest_loader.h), the Linux loader's 113..121
 * (linux_loader.h).
 */
#ifndef VMM_STATUS_H
#define VMM_STATUS_H

#define VMM_STATUS_GUEST_MAX     239    /* the exit port's values are clamped to this */
#define VMM_STATUS_VMM_ERROR     240    /* a hypercall failed, bad options: the VMM's fault */
#define VMM_STATUS_TRIPLE_FAULT  241    /* the guest's CPU shut down */
#define VMM_STATUS_RESET         242    /* the guest asked for a reset (0x64 <- 0xfe, 0xcf9, 0x92) */
#define VMM_STATUS_HALTED        243    /* HLT with nothing that could ever wake it */
#define VMM_STATUS_STRICT        244    /* guest.strict: it touched a port or address nobody has */
#define VMM_STATUS_UNHANDLED     245    /* an exit the VMM cannot complete (e.g. string MMIO) */
#define VMM_STATUS_NO_GUEST      246    /* no boot module guest:NAME */

#endif
