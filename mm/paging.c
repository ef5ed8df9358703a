/*
 * The kernel's own page tables: an identity map of all RAM (at least the
 * first 4 GiB), replacing the early 2 MiB map from boot/entry64.asm.
 *  - page 0 is not present, so a NULL dereference faults;
 *  - kernel text is read-only and executable, rodata read-only, everything
 *    else (data, bss, all other RAM) writable and no-execute;
 *  - 2 MiB regions that hold no RAM are mapped uncached (MMIO holes).
 * 1 GiB leaves are used above 4 GiB when the CPU has them.
 */
#include "base.h"
#include "mm.h"
#include "x86.h"

#define GIB (1ull << 30)
#define MIB2 (1ull << 21)

uint64_t kernel_pml4_phys;
static uint64_t nx_bit;                 /* PTE_NX if the CPU has it, else 0 */

static uint64_t *table_new(void)
{
    uint64_t f = frame_alloc();
    /* Until CR3 switches, only the early map's first 4 GiB are reachable. */
    if (f == FRAME_NONE || f >= 4 * GIB)
        panic("paging: no frame for a page table below 4 GiB");
    return phys_to_virt(f);
}

static int is_ram_type(uint32_t t)
{
    return t == BOOT_MEM_USABLE || t == BOOT_MEM_LOADER || t == BOOT_MEM_ACPI_RECLAIM ||
           t == BOOT_MEM_ACPI_NVS;
}

static int touches_ram(const struct boot_info *bi, uint64_t base, uint64_t len)
{
    for (uint32_t i = 0; i < bi->nranges; i++) {
        const struct boot_mem_range *r = &bi->ranges[i];
        if (is_ram_type(r->type) && r->base < base + len && base < r->base + r->len)
            return 1;
    }
    return 0;
}

/* Rights of one 4 KiB kernel-image or low page. */
static uint64_t small_page_flags(uint64_t pa)
{
    uint64_t text = virt_to_phys(__kernel_start), text_end = virt_to_phys(__text_end);
    uint64_t ro_end = virt_to_phys(__rodata_end);
    if (pa == 0)
        return 0;                       /* NULL guard */
    if (pa >= text && pa < text_end)
        return PTE_P;                   /* text: R X */
    if (pa >= text_end && pa < ro_end)
        return PTE_P | nx_bit;          /* rodata */
    return PTE_P | PTE_W | nx_bit;
}

static void map_2m_region(uint64_t *pd, uint64_t pa, const struct boot_info *bi)
{
    uint64_t kstart = virt_to_phys(__kernel_start) & ~(MIB2 - 1);
    uint64_t kend = (virt_to_phys(__kernel_end) + MIB2 - 1) & ~(MIB2 - 1);
    unsigned idx = (unsigned)((pa >> 21) & 511);
    if (pa == 0 || (pa >= kstart && pa < kend)) {
        uint64_t *pt = table_new();
        for (unsigned i = 0; i < 512; i++) {
            uint64_t p = pa + (uint64_t)i * 4096;
            uint64_t fl = small_page_flags(p);
            pt[i] = fl ? (p | fl) : 0;
        }
        pd[idx] = virt_to_phys(pt) | PTE_P | PTE_W;
        return;
    }
    uint64_t cache = touches_ram(bi, pa, MIB2) ? 0 : PTE_PCD | PTE_PWT;
    pd[idx] = pa | PTE_P | PTE_W | PTE_PS | nx_bit | cache;
}

void paging_init(const struct boot_info *bi)
{
    struct cpuid_regs ext = cpuid(0x80000000, 0);
    int has_1g = 0;
    if (ext.eax >= 0x80000001) {
        struct cpuid_regs r = cpuid(0x80000001, 0);
        nx_bit = (r.edx & (1u << 20)) ? PTE_NX : 0;
        has_1g = (r.edx >> 26) & 1;
    }
    if (nx_bit)
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);

    uint64_t top = 4 * GIB;
    for (uint32_t i = 0; i < bi->nranges; i++) {
        const struct boot_mem_range *r = &bi->ranges[i];
        if (is_ram_type(r->type) && r->base + r->len > top)
            top = r->base + r->len;
    }
    top = (top + GIB - 1) & ~(GIB - 1);
    if (top > 512 * GIB) {
        pr_warn("paging: RAM above 512 GiB is not mapped\n");
        top = 512 * GIB;
    }

    uint64_t *pml4 = table_new(), *pdpt = table_new();
    pml4[0] = virt_to_phys(pdpt) | PTE_P | PTE_W;
    for (uint64_t g = 0; g < top; g += GIB) {
        if (g >= 4 * GIB && has_1g && touches_ram(bi, g, GIB)) {
            pdpt[g / GIB] = g | PTE_P | PTE_W | PTE_PS | nx_bit;
            continue;
        }
        uint64_t *pd = table_new();
        for (uint64_t pa = g; pa < g + GIB; pa += MIB2)
            map_2m_region(pd, pa, bi);
        pdpt[g / GIB] = virt_to_phys(pd) | PTE_P | PTE_W;
    }

    kernel_pml4_phys = virt_to_phys(pml4);
    write_cr3(kernel_pml4_phys);
    write_cr0(read_cr0() | CR0_WP);
    pr_info("paging: identity map of %llu GiB (%s leaves above 4 GiB), NX %s, NULL page unmapped\n",
            (unsigned long long)(top / GIB), has_1g ? "1 GiB" : "2 MiB", nx_bit ? "on" : "absent");
}

/* ---- is a physical range mapped (ACPI tables come from firmware pointers) ---- */

#define PAGE_SIZE 4096ull
#define IDENTITY_LIMIT (1ull << 47)     /* lower canonical half */
#define EARLY_LIMIT (1ull << 32)        /* the boot map before paging_init */

static bool page_present(uint64_t va)
{
    const uint64_t *pml4 = phys_to_virt(kernel_pml4_phys);
    uint64_t e = pml4[(va >> 39) & 511];
    if (!(e & PTE_P))
        return false;
    const uint64_t *pdpt = phys_to_virt(e & PTE_ADDR);
    e = pdpt[(va >> 30) & 511];
    if (!(e & PTE_P))
        return false;
    if (e & PTE_PS)
        return true;
    const uint64_t *pd = phys_to_virt(e & PTE_ADDR);
    e = pd[(va >> 21) & 511];
    if (!(e & PTE_P))
        return false;
    if (e & PTE_PS)
        return true;
    const uint64_t *pt = phys_to_virt(e & PTE_ADDR);
    return pt[(va >> 12) & 511] & PTE_P;
}

bool paging_is_mapped(uint64_t phys, uint64_t len)
{
    if (len == 0)
        len = 1;
    if (phys < PAGE_SIZE || phys + len < phys)
        return false;                   /* NULL page or wrap-around */
    if (kernel_pml4_phys == 0)          /* before paging_init: only 4 GiB */
        return phys + len <= EARLY_LIMIT;
    if (phys + len > IDENTITY_LIMIT)
        return false;
    for (uint64_t p = phys & ~(PAGE_SIZE - 1); p < phys + len; p += PAGE_SIZE)
        if (!page_present(p))
            return false;
    return true;
}

/* ---- device registers outside the boot map's uncached holes ---- */

/*
 * PCD|PWT pick PAT entry 3, uncached after reset (SDM Vol. 3A 11.12.3); the
 * kernel leaves IA32_PAT as it found it, like the local APIC's page does.
 */
hv_status_t paging_map_uncached(uint64_t phys)
{
    const uint64_t uc = PTE_PCD | PTE_PWT;
    phys &= ~(PAGE_SIZE - 1);
    if (kernel_pml4_phys == 0 || phys < PAGE_SIZE || phys >= 4 * GIB)
        return HV_ERR_NOT_SUPPORTED;    /* above 4 GiB only RAM is mapped (1 GiB leaves) */
    uint64_t *pml4 = phys_to_virt(kernel_pml4_phys);
    uint64_t *pdpt = phys_to_virt(pml4[0] & PTE_ADDR);
    uint64_t e = pdpt[phys / GIB];
    if (!(e & PTE_P) || (e & PTE_PS))
        return HV_ERR_NOT_SUPPORTED;    /* paging_init maps the first 4 GiB with 2 MiB tables */
    uint64_t *pd = phys_to_virt(e & PTE_ADDR);
    uint64_t *pde = &pd[(phys >> 21) & 511];
    if (!(*pde & PTE_P))
        return HV_ERR_NOT_SUPPORTED;
    if (*pde & PTE_PS) {
        if ((*pde & uc) == uc)
            return HV_OK;               /* a hole without RAM: already uncached */
        /* A 2 MiB leaf that touches RAM (cached): split it, same rights, this page UC. */
        uint64_t f = frame_alloc();
        if (f == FRAME_NONE || f >= 4 * GIB)
            return HV_ERR_NO_MEMORY;
        uint64_t *pt = phys_to_virt(f);
        uint64_t base = *pde & PTE_ADDR & ~(MIB2 - 1), fl = *pde & (PTE_W | nx_bit | uc);
        for (unsigned i = 0; i < 512; i++)
            pt[i] = (base + (uint64_t)i * PAGE_SIZE) | PTE_P | fl;
        pt[(phys >> 12) & 511] |= uc;
        *pde = f | PTE_P | PTE_W;
        for (unsigned i = 0; i < 512; i++)
            invlpg(base + (uint64_t)i * PAGE_SIZE);
        return HV_OK;
    }
    uint64_t *pt = phys_to_virt(*pde & PTE_ADDR), *pte = &pt[(phys >> 12) & 511];
    if (!(*pte & PTE_P))
        *pte = phys | PTE_P | PTE_W | nx_bit;
    *pte |= uc;
    invlpg(phys);
    return HV_OK;
}
