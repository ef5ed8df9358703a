/*
 * The small fixed-function ports of a PC that every kernel touches, as
 * device models for the VMM's table (vmm_device.h). Pure.
 *
 *  - exit port 0xf4 (QEMU's isa-debug-exit place): a 1-, 2- or 4-byte write
 *    of v ends the guest with status v (vmm_status.h clamps it); reads give
 *    all ones.
 *  - POST port 0x80: writes vanish, reads give all ones (nothing there).
 *  - debug console 0xe9 (Bochs/QEMU): writes print a character, a read
 *    answers 0xe9 ("the port exists").
 *  - keyboard controller 0x60/0x64 without a keyboard: status (0x64) reads
 *    0x1c (system flag, not inhibited, last write was a command; buffers
 *    empty), data (0x60) reads 0; command 0xfe pulses the reset line: the
 *    guest is reset, which ends the run (VMM_STATUS_RESET). Other commands
 *    are taken and ignored.
 *  - system control port A 0x92: bit 1 (A20) reads back, a write with bit 0
 *    set resets (ends the run).
 *  - PCI configuration mechanism #1 at 0xcf8-0xcff with no devices: the
 *    32-bit address register at 0xcf8 reads back what was written (bits
 *    30:24 and 1:0 read as 0, per the PCI spec); the data window 0xcfc-0xcff
 *    reads all ones ("no device": vendor ID 0xffff) and drops writes. A byte
 *    write to 0xcf9 is the reset control register: bit 2 set resets.
 */
#ifndef PC_PORTS_H
#define PC_PORTS_H

#include <stdbool.h>
#include <stdint.h>
#include "vmm_device.h"

#define PC_PORT_EXIT      0xf4
#define PC_PORT_POST      0x80
#define PC_PORT_DEBUGCON  0xe9
#define PC_PORT_KBC_DATA  0x60
#define PC_PORT_KBC_CMD   0x64
#define PC_PORT_SYSCTL_A  0x92
#define PC_PORT_PCI_ADDR  0xcf8
#define PC_PORT_PCI_RESET 0xcf9

struct pc_ports {
    struct vmm_exit *exit;
    void (*debugcon_putc)(void *ctx, char c);
    void *putc_ctx;
    uint32_t pci_address;
    uint8_t sysctl_a;
};

void pc_ports_init(struct pc_ports *p, struct vmm_exit *exit,
                   void (*debugcon_putc)(void *ctx, char c), void *putc_ctx);
/* Register every device above in t; false if the table refused one. */
bool pc_ports_register(struct pc_ports *p, struct vmm_devices *t);

#endif
