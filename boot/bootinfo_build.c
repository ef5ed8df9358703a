/* Building struct boot_info from firmware data. Pure: kernel, EFI app, host tests. */
#include "bootinfo_build.h"

static void copy_str(char *dst, const char *src, size_t cap)
{
    size_t i = 0;
    if (src)
        for (; i + 1 < cap && src[i]; i++)
            dst[i] = src[i];
    dst[i] = '\0';
}

void bi_init(struct boot_info *bi, uint32_t loader)
{
    unsigned char *p = (unsigned char *)bi;
    for (size_t i = 0; i < sizeof(*bi); i++)
        p[i] = 0;
    bi->magic = BOOT_INFO_MAGIC;
    bi->version = BOOT_INFO_VERSION;
    bi->loader = loader;
}

hv_status_t bi_add_range(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type)
{
    if (len == 0)
        return HV_OK;
    if (base + len < base)          /* wraps: clamp to the top of the space */
        len = 0 - base;
    if (bi->nranges > 0) {
        struct boot_mem_range *prev = &bi->ranges[bi->nranges - 1];
        if (prev->type == type && prev->base + prev->len == base) {
            prev->len += len;
            return HV_OK;
        }
    }
    if (bi->nranges >= BOOT_MAX_RANGES)
        return HV_ERR_NO_RESOURCES;
    struct boot_mem_range *r = &bi->ranges[bi->nranges++];
    r->base = base;
    r->len = len;
    r->type = type;
    r->reserved = 0;
    return HV_OK;
}

uint32_t bi_type_from_efi(uint32_t efi_type)
{
    switch (efi_type) {
    case 7:  /* EfiConventionalMemory */
    case 3:  /* EfiBootServicesCode: dead after ExitBootServices */
    case 4:  /* EfiBootServicesData */
        return BOOT_MEM_USABLE;
    case 1:  /* EfiLoaderCode */
    case 2:  /* EfiLoaderData: kernel, modules, boot_info live here */
        return BOOT_MEM_LOADER;
    case 9:  /* EfiACPIReclaimMemory */
        return BOOT_MEM_ACPI_RECLAIM;
    case 10: /* EfiACPIMemoryNVS */
        return BOOT_MEM_ACPI_NVS;
    case 8:  /* EfiUnusableMemory */
        return BOOT_MEM_BAD;
    default: /* reserved, runtime services, MMIO, PAL, persistent, unknown */
        return BOOT_MEM_RESERVED;
    }
}

uint32_t bi_type_from_e820(uint32_t e820_type)
{
    switch (e820_type) {
    case 1: return BOOT_MEM_USABLE;
    case 3: return BOOT_MEM_ACPI_RECLAIM;
    case 4: return BOOT_MEM_ACPI_NVS;
    case 5: return BOOT_MEM_BAD;
    default: return BOOT_MEM_RESERVED;
    }
}

/* EFI_MEMORY_DESCRIPTOR, as far as we read it. */
struct efi_desc {
    uint32_t type;
    uint32_t pad;
    uint64_t phys;
    uint64_t virt;
    uint64_t pages;
    uint64_t attr;
};

hv_status_t bi_add_efi_map(struct boot_info *bi, const void *map, uint64_t map_size,
                           uint64_t desc_size)
{
    if (desc_size < sizeof(struct efi_desc) || (desc_size & 7))
        return HV_ERR_INVALID_ARGS;
    const unsigned char *p = map;
    for (uint64_t off = 0; off + desc_size <= map_size; off += desc_size) {
        const struct efi_desc *d = (const struct efi_desc *)(p + off);
        hv_status_t rc = bi_add_range(bi, d->phys, d->pages << 12, bi_type_from_efi(d->type));
        if (rc != HV_OK)
            return rc;
    }
    return HV_OK;
}

hv_status_t bi_add_module(struct boot_info *bi, uint64_t base, uint64_t len, const char *name)
{
    if (bi->nmodules >= BOOT_MAX_MODULES)
        return HV_ERR_NO_RESOURCES;
    struct boot_module *m = &bi->modules[bi->nmodules++];
    m->base = base;
    m->len = len;
    copy_str(m->name, name, sizeof(m->name));
    return HV_OK;
}

void bi_set_cmdline(struct boot_info *bi, const char *cmdline)
{
    copy_str(bi->cmdline, cmdline, sizeof(bi->cmdline));
}
