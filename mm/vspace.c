/* User address spaces: 4-level page tables below the shared kernel slot. */
#include "base.h"
#include "kstring.h"
#include "mm.h"
#include "vspace.h"
#include "x86.h"

static uint64_t *table(uint64_t phys)
{
    return phys_to_virt(phys & PTE_ADDR);
}

static void cache_flush(struct vspace *vs)
{
    for (unsigned i = 0; i < VSPACE_CACHE_SLOTS; i++)
        vs->cache[i].va = ~0ull;
}

hv_status_t vspace_create(struct vspace *vs)
{
    uint64_t pml4 = frame_alloc();
    if (pml4 == FRAME_NONE)
        return HV_ERR_NO_MEMORY;
    /* Slot 0: the kernel's identity map, supervisor-only, shared by every space. */
    table(pml4)[0] = table(kernel_pml4_phys)[0];
    vs->pml4 = pml4;
    vs->tables = 0;
    cache_flush(vs);
    return HV_OK;
}

static bool user_va(uint64_t va)
{
    return va >= VSPACE_USER_BASE && va < VSPACE_USER_TOP;
}

/* The PTE for va, creating tables on the way when `create`. */
static uint64_t *walk(const struct vspace *vs, uint64_t va, bool create, uint64_t *made)
{
    uint64_t *t = table(vs->pml4);
    for (int level = 3; level > 0; level--) {
        uint64_t *e = &t[(va >> (12 + 9 * level)) & 511];
        if (!(*e & PTE_P)) {
            if (!create)
                return 0;
            uint64_t f = frame_alloc();
            if (f == FRAME_NONE)
                return 0;
            (*made)++;
            *e = f | PTE_P | PTE_W | PTE_U;     /* rights are decided at the leaf */
        }
        t = table(*e);
    }
    return &t[(va >> 12) & 511];
}

hv_status_t vspace_map_page(struct vspace *vs, uint64_t va, uint64_t pa, uint32_t rights)
{
    if (!user_va(va) || (va & 0xfff) || (pa & 0xfff) || !(rights & VS_R))
        return HV_ERR_INVALID_ARGS;
    uint64_t made = 0;
    uint64_t *pte = walk(vs, va, true, &made);
    vs->tables += made;
    if (!pte)
        return HV_ERR_NO_MEMORY;
    if (*pte & PTE_P)
        return HV_ERR_INVALID_ARGS;
    *pte = pa | PTE_P | PTE_U | ((rights & VS_W) ? PTE_W : 0) | ((rights & VS_X) ? 0 : PTE_NX);
    return HV_OK;
}

static bool table_empty(const uint64_t *t)
{
    for (int i = 0; i < 512; i++)
        if (t[i])
            return false;
    return true;
}

uint64_t vspace_unmap_page(struct vspace *vs, uint64_t va)
{
    if (!user_va(va))
        return 0;
    /* Remember the path so tables left empty can go back to the allocator. */
    uint64_t *path[4];
    uint64_t *t = table(vs->pml4);
    for (int level = 3; level >= 0; level--) {
        uint64_t *e = &t[(va >> (12 + 9 * level)) & 511];
        path[level] = e;
        if (!(*e & PTE_P))
            return 0;
        if (level)
            t = table(*e);
    }
    uint64_t pa = *path[0] & PTE_ADDR;
    *path[0] = 0;
    cache_flush(vs);
    if (read_cr3() == vs->pml4)
        invlpg(va);
    for (int level = 1; level <= 3; level++) {          /* PT, PD, PDPT; never the PML4 */
        uint64_t *child = table(*path[level]);
        if (!table_empty(child))
            break;
        frame_free(*path[level] & PTE_ADDR);
        *path[level] = 0;
        vs->tables--;
    }
    return pa;
}

/* The walk behind vspace_lookup's cache (include/vspace.h). */
bool vspace_cache_fill(struct vspace *vs, uint64_t va, unsigned slot)
{
    if (!user_va(va))
        return false;
    uint64_t *pte = walk(vs, va, false, 0);
    if (!pte || !(*pte & PTE_P))
        return false;
    vs->cache[slot].va = va & ~0xfffull;
    vs->cache[slot].pa = *pte & PTE_ADDR;
    vs->cache[slot].rights = VS_R | ((*pte & PTE_W) ? VS_W : 0) | ((*pte & PTE_NX) ? 0 : VS_X);
    return true;
}


void *vspace_user_ptr(struct vspace *vs, uint64_t va, uint64_t len, uint32_t rights)
{
    uint64_t pa;
    uint32_t r;
    if (!len || (va & 0xfff) + len > 4096 || !vspace_lookup(vs, va, &pa, &r) || (r & rights) != rights)
        return 0;
    return phys_to_virt(pa);
}

bool vspace_check(struct vspace *vs, uint64_t va, uint64_t len, uint32_t rights)
{
    if (len == 0)
        return user_va(va) || va == VSPACE_USER_TOP;
    if (va + len < va || !user_va(va) || va + len > VSPACE_USER_TOP)
        return false;
    for (uint64_t p = va & ~0xfffull; p < va + len; p += 4096) {
        uint64_t pa;
        uint32_t r;
        if (!vspace_lookup(vs, p, &pa, &r) || (r & rights) != rights)
            return false;
    }
    return true;
}

static bool copy(struct vspace *vs, uint64_t uva, uint8_t *k, uint64_t len, bool out)
{
    if (!vspace_check(vs, uva, len, out ? (VS_R | VS_W) : VS_R))
        return false;
    while (len) {
        uint64_t pa;
        uint32_t r;
        if (!vspace_lookup(vs, uva, &pa, &r))
            return false;                       /* checked above: cannot happen */
        uint64_t chunk = 4096 - (uva & 0xfff);
        if (chunk > len)
            chunk = len;
        uint8_t *p = phys_to_virt(pa);
        if (out)
            memcpy(p, k, chunk);
        else
            memcpy(k, p, chunk);
        uva += chunk, k += chunk, len -= chunk;
    }
    return true;
}

bool vspace_copy_in(struct vspace *vs, void *dst, uint64_t user_src, uint64_t len)
{
    return copy(vs, user_src, dst, len, false);
}

bool vspace_copy_out(struct vspace *vs, uint64_t user_dst, const void *src, uint64_t len)
{
    return copy(vs, user_dst, (uint8_t *)src, len, true);
}

void vspace_activate(const struct vspace *vs)
{
    if (read_cr3() != vs->pml4)
        write_cr3(vs->pml4);
}

/* Free the user half's tables (not the leaves' frames, not the kernel slot). */
static void free_level(uint64_t phys, int level, uint64_t *count)
{
    uint64_t *t = table(phys);
    if (level > 1)
        for (int i = 0; i < 512; i++)
            if (t[i] & PTE_P)
                free_level(t[i], level - 1, count);
    frame_free(phys & PTE_ADDR);
    (*count)++;
}

void vspace_destroy(struct vspace *vs)
{
    uint64_t *pml4 = table(vs->pml4);
    uint64_t freed = 0;
    for (int i = 1; i < 256; i++)
        if (pml4[i] & PTE_P)
            free_level(pml4[i], 3, &freed);
    if (read_cr3() == vs->pml4)
        write_cr3(kernel_pml4_phys);
    frame_free(vs->pml4);
    vs->pml4 = 0;
    cache_flush(vs);
    vs->tables = 0;
}
