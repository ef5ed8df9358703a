/* Frame allocator and heap set-up from the boot memory map. */
#include "heap.h"
#include "base.h"
#include "mm.h"

static struct frame_alloc fa;
static struct heap kheap;

static void *heap_page_alloc(void *ctx)
{
    (void)ctx;
    uint64_t f = frame_alloc();
    return f == FRAME_NONE ? 0 : phys_to_virt(f);
}

static void heap_page_free(void *ctx, void *page)
{
    (void)ctx;
    frame_free(virt_to_phys(page));
}

/* Frames reach their next owner zeroed: no data leaks between guests or the host. */
static void zero_frames(uint64_t phys, uint64_t count)
{
    void *p = phys_to_virt(phys);
    uint64_t n = count * FRAME_SIZE / 8;
    __asm__ volatile("rep stosq" : "+D"(p), "+c"(n) : "a"(0ull) : "memory");
}

uint64_t frame_alloc(void)
{
    uint64_t f = fa_alloc(&fa);
    if (f != FRAME_NONE)
        zero_frames(f, 1);
    return f;
}

uint64_t frame_alloc_contig(uint64_t count, uint64_t align)
{
    uint64_t f = fa_alloc_contig(&fa, count, align);
    if (f != FRAME_NONE)
        zero_frames(f, count);
    return f;
}

void frame_free(uint64_t phys)
{
    hv_status_t rc = fa_free(&fa, phys);
    if (rc != HV_OK)
        panic("frame_free(0x%llx): %s", (unsigned long long)phys,
              rc == HV_ERR_BAD_STATE ? "frame already free" : "frame out of range");
}

uint64_t frames_free(void)
{
    return fa.free_frames;
}

uint64_t frames_total(void)
{
    return fa.total_usable;
}

void *kalloc_pages(size_t size)
{
    uint64_t n = (size + FRAME_SIZE - 1) / FRAME_SIZE;
    uint64_t f = frame_alloc_contig(n, FRAME_SIZE);
    return f == FRAME_NONE ? 0 : phys_to_virt(f);
}

void kfree_pages(void *p, size_t size)
{
    uint64_t n = (size + FRAME_SIZE - 1) / FRAME_SIZE;
    for (uint64_t i = 0; i < n; i++)
        frame_free(virt_to_phys(p) + i * FRAME_SIZE);
}

void *kmalloc(size_t size)
{
    return heap_alloc(&kheap, size);
}

void kfree(void *p)
{
    if (heap_free(&kheap, p) != HV_OK)
        panic("kfree(%p): not a live heap object", p);
}

static void print_map(const struct boot_info *bi)
{
    static const char *const names[] = { "?", "usable", "acpi", "loader", "nvs", "reserved", "bad" };
    for (uint32_t i = 0; i < bi->nranges; i++) {
        const struct boot_mem_range *r = &bi->ranges[i];
        pr_debug("mm: %016llx-%016llx %s\n", (unsigned long long)r->base,
                 (unsigned long long)(r->base + r->len), names[r->type <= 6 ? r->type : 0]);
    }
}

void mm_init(const struct boot_info *bi)
{
    print_map(bi);
    struct fa_region res[2] = {
        { virt_to_phys(__kernel_start), (uint64_t)(__kernel_end - __kernel_start) },
        { 0, 0 },                       /* the bitmap, once placed */
    };
    uint64_t nframes = fa_frames_needed(bi->ranges, bi->nranges);
    if (!nframes) {
        pr_err("mm: the memory map has no usable RAM above 1 MiB\n");
        shutdown(SHUTDOWN_BAD_BOOT);
    }
    uint64_t bytes = fa_bitmap_bytes(nframes), where;
    /* Below 4 GiB: that is all the early page tables map. */
    const char *why = "no room for the frame bitmap";
    hv_status_t rc = fa_place(bi->ranges, bi->nranges, res, 1, bytes, 0x100000000ull, &where);
    if (rc == HV_OK) {
        res[1] = (struct fa_region){ where, bytes };
        rc = fa_init(&fa, bi->ranges, bi->nranges, res, 2, phys_to_virt(where), bytes);
        why = rc == HV_ERR_BUFFER_TOO_SMALL ? "bitmap storage too small"
                                            : "no usable RAM above 1 MiB";
    }
    if (rc != HV_OK) {
        pr_err("mm: cannot build the frame allocator: %s\n", why);
        shutdown(SHUTDOWN_BAD_BOOT);
    }
    uint64_t usable = 0;
    for (uint32_t i = 0; i < bi->nranges; i++)
        if (bi->ranges[i].type == BOOT_MEM_USABLE)
            usable += bi->ranges[i].len;
    pr_info("mm: memory %llu MiB usable in a %u-range map, %llu MiB free for the kernel "
            "(bitmap %llu KiB at 0x%llx)\n",
            (unsigned long long)(usable >> 20), bi->nranges,
            (unsigned long long)(fa.free_frames * FRAME_SIZE >> 20),
            (unsigned long long)(bytes >> 10), (unsigned long long)where);

    heap_init(&kheap, heap_page_alloc, heap_page_free, 0);
}
