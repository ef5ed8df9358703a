/*
 * Multiboot2 information structure -> struct boot_info.
 * Pure: the kernel runs it on the real MBI, host tests on recorded ones.
 */
#include "bootinfo_build.h"

struct mb2_tag {
    uint32_t type;
    uint32_t size;
};

enum {
    MB2_TAG_END = 0,
    MB2_TAG_CMDLINE = 1,
    MB2_TAG_MODULE = 3,
    MB2_TAG_MMAP = 6,
    MB2_TAG_FRAMEBUFFER = 8,
    MB2_TAG_ACPI_OLD = 14,
    MB2_TAG_ACPI_NEW = 15,
    MB2_TAG_EFI_MMAP = 17,
};

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Copy a string out of a tag without reading past its end. */
static void tag_str(const unsigned char *s, uint32_t maxlen, char *dst, uint32_t cap)
{
    uint32_t i = 0;
    for (; i < maxlen && i + 1 < cap && s[i]; i++)
        dst[i] = (char)s[i];
    dst[i] = '\0';
}

static hv_status_t add_e820_map(struct boot_info *bi, const unsigned char *t, uint32_t size)
{
    if (size < 16)
        return HV_ERR_INVALID_ARGS;
    uint32_t esz = rd32(t + 8);
    if (esz < 24)
        return HV_ERR_INVALID_ARGS;
    for (uint64_t off = 16; off + esz <= size; off += esz) {
        const unsigned char *e = t + off;
        hv_status_t rc = bi_add_range(bi, rd64(e), rd64(e + 8), bi_type_from_e820(rd32(e + 16)));
        if (rc != HV_OK)
            return rc;
    }
    return HV_OK;
}

hv_status_t mb2_parse(const void *mbi, struct boot_info *bi)
{
    const unsigned char *base = mbi;
    uint32_t total = rd32(base);
    if (total < 16 || (total & 7))
        return HV_ERR_INVALID_ARGS;

    bi_init(bi, BOOT_LOADER_MULTIBOOT2);

    const unsigned char *mmap = 0, *efimap = 0;
    uint32_t mmap_size = 0, efimap_size = 0;
    uint64_t rsdp_old = 0, rsdp_new = 0;
    char name[BOOT_MODNAME_MAX];
    int saw_end = 0;

    for (uint32_t off = 8; off + 8 <= total;) {
        const unsigned char *t = base + off;
        uint32_t type = rd32(t), size = rd32(t + 4);
        if (size < 8 || (uint64_t)off + size > total)
            return HV_ERR_INVALID_ARGS;
        if (type == MB2_TAG_END) {
            saw_end = 1;
            break;
        }
        switch (type) {
        case MB2_TAG_CMDLINE:
            tag_str(t + 8, size - 8, bi->cmdline, BOOT_CMDLINE_MAX);
            break;
        case MB2_TAG_MODULE: {
            if (size < 16)
                return HV_ERR_INVALID_ARGS;
            uint32_t start = rd32(t + 8), end = rd32(t + 12);
            if (end < start)
                return HV_ERR_INVALID_ARGS;
            tag_str(t + 16, size - 16, name, sizeof(name));
            hv_status_t rc = bi_add_module(bi, start, end - start, name);
            if (rc != HV_OK)
                return rc;
            break;
        }
        case MB2_TAG_MMAP:
            mmap = t, mmap_size = size;
            break;
        case MB2_TAG_EFI_MMAP:
            if (size < 16)
                return HV_ERR_INVALID_ARGS;
            efimap = t, efimap_size = size;
            break;
        case MB2_TAG_FRAMEBUFFER:
            if (size >= 29) {
                bi->fb.addr = rd64(t + 8);
                bi->fb.pitch = rd32(t + 16);
                bi->fb.width = rd32(t + 20);
                bi->fb.height = rd32(t + 24);
                bi->fb.bpp = t[28];
            }
            break;
        case MB2_TAG_ACPI_OLD:
            /* The tag holds a copy of the RSDP (20 bytes, v1); we keep the copy's address. */
            if (size >= 8 + 20)
                rsdp_old = (uint64_t)(uintptr_t)(t + 8);
            break;
        case MB2_TAG_ACPI_NEW:
            if (size >= 8 + 36)         /* v2 RSDP: 36 bytes */
                rsdp_new = (uint64_t)(uintptr_t)(t + 8);
            break;
        default:
            break;
        }
        off += (size + 7) & ~7u;
    }
    if (!saw_end)
        return HV_ERR_INVALID_ARGS;

    hv_status_t rc;
    if (efimap)
        rc = bi_add_efi_map(bi, efimap + 16, efimap_size - 16, rd32(efimap + 8));
    else if (mmap)
        rc = add_e820_map(bi, mmap, mmap_size);
    else
        rc = HV_ERR_INVALID_ARGS;  /* no memory map at all: nothing to run on */
    if (rc != HV_OK)
        return rc;

    bi->rsdp = rsdp_new ? rsdp_new : rsdp_old;

    /*
     * GRUB leaves the MBI (which holds the RSDP copy) and the modules in
     * memory its map calls free; mark them so the frame allocator keeps them.
     */
    rc = bi_add_range(bi, (uint64_t)(uintptr_t)base, total, BOOT_MEM_LOADER);
    for (uint32_t i = 0; rc == HV_OK && i < bi->nmodules; i++)
        rc = bi_add_range(bi, bi->modules[i].base, bi->modules[i].len, BOOT_MEM_LOADER);
    return rc;
}
