/*
 * Building a struct boot_info: shared by both loaders (EFI app and the
 * Multiboot2 path) and tested on the host. Pure code, no allocation.
 */
#ifndef BOOTINFO_BUILD_H
#define BOOTINFO_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include "boot_info.h"
#include "hv/status.h"

/*
 * The builders return HV_OK, HV_ERR_NO_RESOURCES (a fixed-size table of
 * boot_info is full) or HV_ERR_INVALID_ARGS (malformed input: bad tag, bad
 * size).
 */

void bi_init(struct boot_info *bi, uint32_t loader);

/* Append a range; merges with the previous one when adjacent and same type. */
hv_status_t bi_add_range(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type);

/* EFI_MEMORY_TYPE -> enum boot_mem_type. */
uint32_t bi_type_from_efi(uint32_t efi_type);

/* Multiboot2/E820 type -> enum boot_mem_type. */
uint32_t bi_type_from_e820(uint32_t e820_type);

/*
 * Append every descriptor of an EFI memory map (as returned by
 * GetMemoryMap: desc_size may be larger than the struct we know).
 */
hv_status_t bi_add_efi_map(struct boot_info *bi, const void *map, uint64_t map_size,
                           uint64_t desc_size);

hv_status_t bi_add_module(struct boot_info *bi, uint64_t base, uint64_t len,
                          const char *name);

/* Copies at most BOOT_CMDLINE_MAX-1 bytes; always NUL-terminates. */
void bi_set_cmdline(struct boot_info *bi, const char *cmdline);

/*
 * Parse a Multiboot2 information structure into bi. Uses tag 6 (memory
 * map) or, when present, tag 17 (EFI map, more precise); tags 14/15 for
 * the RSDP (15 preferred), 3 for modules, 1 for the command line, 8 for
 * the framebuffer. Returns HV_OK or one of the errors above.
 */
hv_status_t mb2_parse(const void *mbi, struct boot_info *bi);

#endif
