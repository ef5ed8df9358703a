/*
 * QEMU's firmware configuration device (fw_cfg), the x86 I/O-port interface,
 * as QEMU's docs/specs/fw_cfg.rst describes it and QEMU behaves. Pure: no
 * hypercalls; the VMM registers the struct vmm_device fw_cfg_device() fills.
 *
 * Ports (one device claims 0x510-0x51b):
 *   0x510  selector, 16-bit write: selects an item and sets its offset to 0.
 *          Bit 15 picks the architecture-specific items (there are none
 *          here: they read as 0); bit 14, the old write channel, is ignored.
 *   0x511  data, 8-bit read: the selected item's byte at the offset, then
 *          the offset moves on by one. Past the item's end, and for a
 *          selector naming no item, reads give 0. Writes are ignored (QEMU
 *          v2.4+ takes data only through DMA).
 *   0x514-0x51b  the DMA address register, absent: FW_CFG_ID says no DMA,
 *          so reads give all ones and writes are dropped, as for an
 *          unclaimed port.
 * QEMU decodes 0x510-0x511 as one two-byte register that takes 1-byte reads
 * and writes at either port as data and a 2-byte write as the selector;
 * other widths are refused, and QEMU's refused reads give 0. Its memory
 * core splits a wider access into pieces (2 bytes at 0x510, else single
 * bytes), and bytes from 0x512 on are unassigned (0xff). So, here as there:
 *   inb 0x510 or 0x511   a data byte
 *   inw 0x510            0 (refused), offset unchanged
 *   inw 0x511            a data byte | 0xff00 (offset + 1)
 *   inl 0x510            0xffff0000, offset unchanged
 *   outw / outl 0x510    select (the low 16 bits)
 *   outb, outw 0x511     nothing
 *
 * Items (numbers little-endian unless said otherwise):
 *   0x0000 FW_CFG_SIGNATURE   "QEMU"
 *   0x0001 FW_CFG_ID          32-bit feature bits: 1 (bit 0, the traditional
 *                             interface; bit 1, DMA, clear)
 *   0x0003 FW_CFG_RAM_SIZE    64-bit, bytes
 *   0x0005 FW_CFG_NB_CPUS     16-bit
 *   0x000f FW_CFG_MAX_CPUS    16-bit
 *   0x0014 FW_CFG_CMDLINE_SIZE  32-bit, strlen + 1   } only with a command line,
 *   0x0015 FW_CFG_CMDLINE_DATA  the string and its NUL } as QEMU gives with -append
 *   0x0019 FW_CFG_FILE_DIR    big-endian 32-bit count, then per file 64 bytes:
 *                             be32 size, be16 selector, be16 reserved (0),
 *                             name[56] NUL-padded
 *   0x0020+ the files, sorted by name as QEMU sorts them (strcmp order): the
 *           n-th name in that order has selector 0x20 + n, so adding a file
 *           renumbers the ones after it. Selector 0x0000-0x001f items other
 *           than those above read as 0 (absent).
 * QEMU has no file for the command line; this device adds it as
 * "opt/hv/cmdline" (the string without its NUL; "opt/" names are the
 * user's in QEMU's scheme), besides the CMDLINE_SIZE/DATA items.
 */
#ifndef FW_CFG_H
#define FW_CFG_H

#include <stdbool.h>
#include <stdint.h>
#include "vmm_device.h"

#define FW_CFG_PORT_SEL     0x510
#define FW_CFG_PORT_DATA    0x511
#define FW_CFG_PORT_DMA     0x514       /* 8 bytes, big-endian; absent here */
#define FW_CFG_NPORTS       12          /* 0x510-0x51b */

#define FW_CFG_SIGNATURE    0x0000
#define FW_CFG_ID           0x0001
#define FW_CFG_RAM_SIZE     0x0003
#define FW_CFG_NB_CPUS      0x0005
#define FW_CFG_MAX_CPUS     0x000f
#define FW_CFG_CMDLINE_SIZE 0x0014
#define FW_CFG_CMDLINE_DATA 0x0015
#define FW_CFG_FILE_DIR     0x0019
#define FW_CFG_FILE_FIRST   0x0020
#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ARCH_LOCAL   0x8000
#define FW_CFG_ENTRY_MASK   0x3fff

#define FW_CFG_ID_TRADITIONAL 0x1u      /* FW_CFG_ID bit 0 */
#define FW_CFG_ID_DMA         0x2u      /* FW_CFG_ID bit 1: never set here */

#define FW_CFG_MAX_FILES    16
#define FW_CFG_NAME_LEN     56          /* with the NUL */
#define FW_CFG_DIR_ENTRY    64          /* bytes per directory entry */
#define FW_CFG_CMDLINE_FILE "opt/hv/cmdline"

struct fw_cfg_file {
    char name[FW_CFG_NAME_LEN];
    const uint8_t *data;                /* not copied: must outlive the device */
    uint32_t size;
};

struct fw_cfg_config {
    uint64_t ram_bytes;
    uint16_t cpus;
    uint16_t max_cpus;                  /* 0: the same as cpus */
    const char *cmdline;                /* NULL: no command-line items or file; not copied */
};

struct fw_cfg {
    uint16_t selector;
    uint32_t offset;
    uint64_t ram_bytes;
    uint16_t cpus, max_cpus;
    const char *cmdline;
    uint32_t cmdline_len;               /* strlen(cmdline) */
    unsigned nfiles;
    struct fw_cfg_file files[FW_CFG_MAX_FILES];     /* sorted by name */
};

/* Reset state: selector 0 (the signature), offset 0; with cmdline, the file "opt/hv/cmdline". */
void fw_cfg_init(struct fw_cfg *c, const struct fw_cfg_config *cfg);

/*
 * Add a file of size bytes at data (kept by reference). False when the
 * directory is full, the name is empty, too long (55 characters at most) or
 * already there.
 */
bool fw_cfg_add_file(struct fw_cfg *c, const char *name, const void *data, uint32_t size);

/* The selector a file has now (0x20 + its place in name order), or 0 if there is no such file. */
uint16_t fw_cfg_file_selector(const struct fw_cfg *c, const char *name);

/* Port accesses as the device table delivers them (ctx is the struct fw_cfg). */
uint32_t fw_cfg_io_read(void *ctx, uint16_t port, unsigned size);
void fw_cfg_io_write(void *ctx, uint16_t port, unsigned size, uint32_t value);

/* The device for the VMM's table: "fw_cfg", ports 0x510-0x51b, ctx c. */
void fw_cfg_device(struct fw_cfg *c, struct vmm_device *d);

#endif
