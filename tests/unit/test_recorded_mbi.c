/*
 * boot_info from Multiboot2 structures recorded on real boots (tests/unit/data/):
 * GRUB BIOS under Bochs (e820 map) and GRUB UEFI under QEMU+OVMF (EFI map),
 * then the frame allocator built from what came out.
 */
#include <stdlib.h>
#include <string.h>
#include "bootinfo_build.h"
#include "frame_alloc.h"
#include "ut.h"
#include "data/mbi_bochs_bios.h"
#include "data/mbi_qemu_ovmf.h"

static struct boot_info bi;

static uint64_t usable_bytes(const struct boot_info *b)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < b->nranges; i++)
        if (b->ranges[i].type == BOOT_MEM_USABLE)
            n += b->ranges[i].len;
    return n;
}

static int has_range(const struct boot_info *b, uint64_t base, uint64_t len, uint32_t type)
{
    for (uint32_t i = 0; i < b->nranges; i++)
        if (b->ranges[i].base == base && b->ranges[i].len == len && b->ranges[i].type == type)
            return 1;
    return 0;
}

/* Every frame the allocator hands out lies in usable RAM and touches nothing else. */
static void check_allocator(const struct boot_info *b)
{
    uint64_t nframes = fa_frames_needed(b->ranges, b->nranges);
    CHECK(nframes > 0);
    uint64_t bytes = fa_bitmap_bytes(nframes), where = 0;
    CHECK_EQ(fa_place(b->ranges, b->nranges, NULL, 0, bytes, 1ull << 32, &where), HV_OK);
    uint64_t *store = calloc(1, bytes);
    struct frame_alloc fa;
    struct fa_region res = { where, bytes };
    CHECK_EQ(fa_init(&fa, b->ranges, b->nranges, &res, 1, store, bytes), HV_OK);
    uint64_t count = 0, f, start_free = fa.free_frames;
    int bad = 0;
    while ((f = fa_alloc(&fa)) != FRAME_NONE) {
        count++;
        if (f < FA_LOW_RESERVED || (f >= where && f < where + bytes))
            bad = 1;
        int in_usable = 0;
        for (uint32_t i = 0; i < b->nranges; i++) {
            const struct boot_mem_range *r = &b->ranges[i];
            int overlap = f < r->base + r->len && r->base < f + FRAME_SIZE;
            if (r->type == BOOT_MEM_USABLE && f >= r->base && f + FRAME_SIZE <= r->base + r->len)
                in_usable = 1;
            else if (r->type != BOOT_MEM_USABLE && overlap)
                bad = 1;
        }
        if (!in_usable)
            bad = 1;
    }
    CHECK(!bad);
    CHECK_EQ(count, start_free);
    CHECK(count * FRAME_SIZE <= usable_bytes(b));
    free(store);
}

UT_TEST(rec_bochs_bios_e820)
{
    CHECK_EQ(mb2_parse(mbi_bochs_bios, &bi), HV_OK);
    CHECK_EQ(bi.loader, BOOT_LOADER_MULTIBOOT2);
    CHECK(strcmp(bi.cmdline, "console=com1 log=info") == 0);
    CHECK_EQ(bi.nmodules, 0);
    /* The e820 map Bochs's BIOS reports for 256 MiB. */
    CHECK(has_range(&bi, 0, 0x9f000, BOOT_MEM_USABLE));
    CHECK(has_range(&bi, 0x100000, 0xfef0000, BOOT_MEM_USABLE));
    CHECK(has_range(&bi, 0xfff0000, 0x10000, BOOT_MEM_ACPI_RECLAIM));
    CHECK(has_range(&bi, 0xfffc0000, 0x40000, BOOT_MEM_RESERVED));
    /* Tag 14 only: the RSDP is the ACPI 1.0 copy inside the MBI. */
    const char *rsdp = (const char *)(uintptr_t)bi.rsdp;
    CHECK(rsdp > (const char *)mbi_bochs_bios && rsdp < (const char *)mbi_bochs_bios + sizeof(mbi_bochs_bios));
    CHECK(memcmp(rsdp, "RSD PTR ", 8) == 0);
    CHECK_EQ(rsdp[15], 0);              /* revision 0 */
    /* The MBI itself is kept from the allocator. */
    CHECK(has_range(&bi, (uint64_t)(uintptr_t)mbi_bochs_bios, sizeof(mbi_bochs_bios), BOOT_MEM_LOADER));
    check_allocator(&bi);
}

UT_TEST(rec_qemu_ovmf_efi_map)
{
    CHECK_EQ(mb2_parse(mbi_qemu_ovmf, &bi), HV_OK);
    CHECK(strcmp(bi.cmdline, "console=com1 log=info") == 0);
    /* Tag 17 wins over tag 6: EFI maps have far more ranges than QEMU's 4-entry-ish e820. */
    CHECK(bi.nranges > 20);
    /* 512 MiB machine; GRUB's own loader data (~116 MiB) is not usable. */
    CHECK(usable_bytes(&bi) > 300ull << 20 && usable_bytes(&bi) < 512ull << 20);
    /* GRUB loaded the kernel (2 MiB, 128 KiB) into what EFI calls loader data. */
    CHECK(has_range(&bi, 0x200000, 0x20000, BOOT_MEM_LOADER));
    for (uint32_t i = 0; i + 1 < bi.nranges; i++) {  /* the last one is the MBI itself */
        CHECK_EQ(bi.ranges[i].base & 0xfff, 0);
        CHECK(bi.ranges[i].type >= BOOT_MEM_USABLE && bi.ranges[i].type <= BOOT_MEM_BAD);
    }
    /* Adjacent ranges of one type were merged. */
    for (uint32_t i = 1; i + 1 < bi.nranges; i++)
        CHECK(!(bi.ranges[i - 1].type == bi.ranges[i].type &&
                bi.ranges[i - 1].base + bi.ranges[i - 1].len == bi.ranges[i].base));
    /* Tag 15 preferred: an ACPI 2.0 RSDP. */
    const char *rsdp = (const char *)(uintptr_t)bi.rsdp;
    CHECK(rsdp > (const char *)mbi_qemu_ovmf && rsdp < (const char *)mbi_qemu_ovmf + sizeof(mbi_qemu_ovmf));
    CHECK(memcmp(rsdp, "RSD PTR ", 8) == 0);
    CHECK_EQ(rsdp[15], 2);
    check_allocator(&bi);
}

/* The same recording with the EFI map tag blanked out falls back to the e820 tag. */
UT_TEST(rec_qemu_ovmf_e820_fallback)
{
    static unsigned char copy[sizeof(mbi_qemu_ovmf)] __attribute__((aligned(8)));
    memcpy(copy, mbi_qemu_ovmf, sizeof(copy));
    int found = 0;
    for (uint32_t off = 8; off < sizeof(copy);) {
        uint32_t type, size;
        memcpy(&type, copy + off, 4);
        memcpy(&size, copy + off + 4, 4);
        if (type == 0)
            break;
        if (type == 17) {
            uint32_t unknown = 0x7fff;  /* an unknown tag is skipped */
            memcpy(copy + off, &unknown, 4);
            found = 1;
        }
        off += (size + 7) & ~7u;
    }
    CHECK(found);
    CHECK_EQ(mb2_parse(copy, &bi), HV_OK);
    CHECK(bi.nranges < 20);
    CHECK(usable_bytes(&bi) > 300ull << 20 && usable_bytes(&bi) < 512ull << 20);
    check_allocator(&bi);
}
