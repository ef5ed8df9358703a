/* Guest page-table walk (SDM Vol. 3 chapter 4). Pure: kernel and host tests. */
#include <stdbool.h>
#include "guest_walk.h"

#define PG   (1ull << 31)
#define PAE  (1ull << 5)
#define PSE  (1ull << 4)
#define LMA  (1ull << 10)
#define P    1ull
#define PS   (1ull << 7)
#define ADDR 0x000ffffffffff000ull

/* The entry at gpa when it is readable and present. */
static bool entry(guest_read64_fn rd, void *ctx, uint64_t gpa, uint64_t *e)
{
    return rd(ctx, gpa, e) == HV_OK && (*e & P);
}

hv_status_t guest_walk(const struct guest_paging *p, uint64_t lin, guest_read64_fn rd, void *ctx,
                       uint64_t *gpa)
{
    uint64_t e;
    if (!(p->cr0 & PG)) {
        *gpa = (p->efer & LMA) ? lin : (lin & 0xffffffffull);
        return HV_OK;
    }
    if (p->efer & LMA) {                                /* 4-level */
        uint64_t table = p->cr3 & ADDR;
        for (int level = 3; level >= 0; level--) {
            if (!entry(rd, ctx, table + ((lin >> (12 + 9 * level)) & 511) * 8, &e))
                return HV_ERR_NOT_FOUND;
            if (level == 0 || ((level == 1 || level == 2) && (e & PS))) {
                uint64_t mask = (1ull << (12 + 9 * level)) - 1;
                *gpa = (e & ADDR & ~mask) | (lin & mask);
                return HV_OK;
            }
            table = e & ADDR;
        }
        return HV_ERR_NOT_FOUND;
    }
    lin &= 0xffffffffull;
    if (p->cr4 & PAE) {                                 /* PAE: 4 PDPTEs, 2 levels */
        if (!entry(rd, ctx, (p->cr3 & 0xffffffe0ull) + ((lin >> 30) & 3) * 8, &e) ||
            !entry(rd, ctx, (e & ADDR) + ((lin >> 21) & 511) * 8, &e))
            return HV_ERR_NOT_FOUND;
        if (e & PS) {
            *gpa = (e & ADDR & ~0x1fffffull) | (lin & 0x1fffff);
            return HV_OK;
        }
        if (!entry(rd, ctx, (e & ADDR) + ((lin >> 12) & 511) * 8, &e))
            return HV_ERR_NOT_FOUND;
        *gpa = (e & ADDR) | (lin & 0xfff);
        return HV_OK;
    }
    /* 32-bit paging: 4-byte entries. */
    if (!entry(rd, ctx, (p->cr3 & 0xfffff000ull) + ((lin >> 22) & 1023) * 4, &e))
        return HV_ERR_NOT_FOUND;
    e &= 0xffffffffull;
    if ((e & PS) && (p->cr4 & PSE)) {                   /* 4 MiB page, PSE-36 bits 20:13 */
        *gpa = (e & 0xffc00000ull) | ((e >> 13) & 0xffull) << 32 | (lin & 0x3fffff);
        return HV_OK;
    }
    if (!entry(rd, ctx, (e & 0xfffff000ull) + ((lin >> 12) & 1023) * 4, &e))
        return HV_ERR_NOT_FOUND;
    *gpa = (e & 0xfffff000ull) | (lin & 0xfff);
    return HV_OK;
}
