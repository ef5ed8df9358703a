/* Processes: address space, handle table, anonymous memory. */
#include "hv/status.h"
#include "base.h"
#include "mm.h"
#include "process.h"

hv_status_t process_init(struct process *p)
{
    uint64_t bytes = (uint64_t)PROCESS_HANDLES * sizeof(struct ht_entry);
    uint64_t pages = (bytes + FRAME_SIZE - 1) / FRAME_SIZE;
    uint64_t slots = frame_alloc_contig(pages, FRAME_SIZE);
    if (slots == FRAME_NONE)
        return HV_ERR_NO_MEMORY;
    if (vspace_create(&p->vs) != HV_OK) {
        for (uint64_t i = 0; i < pages; i++)
            frame_free(slots + i * FRAME_SIZE);
        return HV_ERR_NO_MEMORY;
    }
    p->handle_slots = phys_to_virt(slots);
    ht_init(&p->handles, p->handle_slots, PROCESS_HANDLES);
    p->regions = 0;
    p->mmap_next = MMAP_BASE;
    p->nthreads = 0;
    return HV_OK;
}

static void unmap_anon(struct process *p, uint64_t va, uint64_t len)
{
    for (uint64_t off = 0; off < len; off += FRAME_SIZE)
        frame_free(vspace_unmap_page(&p->vs, va + off));
}

hv_status_t process_map_anon_2m(struct process *p, uint64_t va, uint64_t len, uint32_t rights)
{
    const uint64_t block = 2ull << 20;
    for (uint64_t off = 0; off < len;) {
        uint64_t n = len - off >= block ? block : len - off;
        uint64_t f = n == block ? frame_alloc_contig(block / FRAME_SIZE, block) : FRAME_NONE;
        hv_status_t rc = HV_OK;
        if (f == FRAME_NONE) {
            rc = process_map_anon(p, va + off, n, rights);      /* undoes itself on failure */
        } else {
            uint64_t i = 0;
            while (i < n && (rc = vspace_map_page(&p->vs, va + off + i, f + i, rights)) == HV_OK)
                i += FRAME_SIZE;
            if (i < n) {
                unmap_anon(p, va + off, i);                     /* frees f .. f+i */
                for (; i < n; i += FRAME_SIZE)
                    frame_free(f + i);
            }
        }
        if (rc != HV_OK) {
            unmap_anon(p, va, off);                             /* the blocks before this one */
            return rc;
        }
        off += n;
    }
    return HV_OK;
}

hv_status_t process_map_anon(struct process *p, uint64_t va, uint64_t len, uint32_t rights)
{
    for (uint64_t off = 0; off < len; off += FRAME_SIZE) {
        uint64_t f = frame_alloc();
        hv_status_t rc = f == FRAME_NONE ? HV_ERR_NO_MEMORY
                                         : vspace_map_page(&p->vs, va + off, f, rights);
        if (rc != HV_OK) {
            if (f != FRAME_NONE)
                frame_free(f);
            while (off) {                       /* undo what this call mapped */
                off -= FRAME_SIZE;
                frame_free(vspace_unmap_page(&p->vs, va + off));
            }
            return rc;
        }
    }
    return HV_OK;
}
