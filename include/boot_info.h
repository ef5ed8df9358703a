/*
 * The one hand-over format between the loaders (GNU-EFI app, Multiboot2
 * stub) and the kernel. Everything after the loaders reads only this.
 * All addresses are physical. Pure data: compiled by the kernel, the EFI
 * loader and the host unit tests alike.
 */
#ifndef BOOT_INFO_H
#define BOOT_INFO_H

#include <stdint.h>

#define BOOT_INFO_MAGIC   0x4f464e49544f4f42ULL /* "BOOTINFO" */
#define BOOT_INFO_VERSION 1

#define BOOT_MAX_RANGES   512
#define BOOT_MAX_MODULES  32
#define BOOT_CMDLINE_MAX  256
#define BOOT_MODNAME_MAX  64

enum boot_loader {
    BOOT_LOADER_EFI = 1,      /* our GNU-EFI BOOTX64.EFI */
    BOOT_LOADER_MULTIBOOT2 = 2,
};

/* Memory range kinds, ordered so that a larger value wins an overlap. */
enum boot_mem_type {
    BOOT_MEM_USABLE = 1,        /* free RAM once the kernel runs */
    BOOT_MEM_ACPI_RECLAIM = 2,  /* ACPI tables: kept, never handed out */
    BOOT_MEM_LOADER = 3,        /* kernel image, modules, boot_info, loader */
    BOOT_MEM_ACPI_NVS = 4,
    BOOT_MEM_RESERVED = 5,      /* firmware, MMIO, runtime services */
    BOOT_MEM_BAD = 6,
};

struct boot_mem_range {
    uint64_t base;
    uint64_t len;
    uint32_t type;              /* enum boot_mem_type */
    uint32_t reserved;
};

struct boot_module {
    uint64_t base;              /* page aligned */
    uint64_t len;
    char name[BOOT_MODNAME_MAX];/* NUL-terminated: path or GRUB string */
};

struct boot_framebuffer {
    uint64_t addr;              /* 0: none */
    uint32_t pitch, width, height;
    uint8_t bpp, pad[3];
};

struct boot_info {
    uint64_t magic;             /* BOOT_INFO_MAGIC */
    uint32_t version;           /* BOOT_INFO_VERSION */
    uint32_t loader;            /* enum boot_loader */
    uint64_t rsdp;              /* ACPI RSDP (2.0 preferred), 0 if none */
    uint32_t nranges;
    uint32_t nmodules;
    struct boot_mem_range ranges[BOOT_MAX_RANGES];
    struct boot_module modules[BOOT_MAX_MODULES];
    char cmdline[BOOT_CMDLINE_MAX];
    struct boot_framebuffer fb;
};

/* The boot module with exactly this name, or NULL (lib/boot_info.c). */
const struct boot_module *boot_module_find(const struct boot_info *bi, const char *name);

#endif
