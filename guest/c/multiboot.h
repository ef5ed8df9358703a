/* multiboot.h - the Multiboot v1 (0.6.96) information a loader hands to the kernel. */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#include <stdint.h>

#define MB_HEADER_MAGIC     0x1BADB002u     /* in the kernel image */
#define MB_BOOT_MAGIC       0x2BADB002u     /* in EAX at entry */

/* Header flags the guests request. */
#define MB_HF_PAGE_ALIGN    (1u << 0)       /* modules on 4 KiB boundaries */
#define MB_HF_MEMINFO       (1u << 1)       /* mem_* and the memory map */

/* multiboot_info.flags: which fields are valid. */
#define MBI_MEM             (1u << 0)
#define MBI_BOOTDEV         (1u << 1)
#define MBI_CMDLINE         (1u << 2)
#define MBI_MODS            (1u << 3)
#define MBI_MMAP            (1u << 6)
#define MBI_LOADER_NAME     (1u << 9)

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower;         /* KiB from 0 */
    uint32_t mem_upper;         /* KiB from 1 MiB */
    uint32_t boot_device;
    uint32_t cmdline;           /* physical address of a C string */
    uint32_t mods_count;
    uint32_t mods_addr;         /* struct multiboot_module[mods_count] */
    uint32_t syms[4];
    uint32_t mmap_length;       /* bytes */
    uint32_t mmap_addr;         /* struct multiboot_mmap entries */
    uint32_t drives_length;
    uint32_t drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
    uint32_t apm_table;
    uint32_t vbe[6];
};

struct multiboot_module {
    uint32_t mod_start;
    uint32_t mod_end;           /* first byte after the module */
    uint32_t string;            /* C string, e.g. the module's command line */
    uint32_t reserved;
};

/* A memory-map entry; `size` counts the bytes after itself (at least 20). */
struct multiboot_mmap {
    uint32_t size;
    uint64_t base;
    uint64_t length;
    uint32_t type;              /* 1 = available RAM, else reserved */
} __attribute__((packed));

#define MB_MMAP_AVAILABLE   1

#endif
