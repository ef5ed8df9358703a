/* Kernel memory services: frames, the kernel's page tables, the small-object heap. */
#ifndef MM_H
#define MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "boot_info.h"
#include "frame_alloc.h"
#include "x86.h"


/* Page table entry bits. */
#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_U   (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS  (1ull << 7)
#define PTE_NX  (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* The frame allocator and the heap from the boot memory map; paging_init comes next. */
void mm_init(const struct boot_info *bi);

/* One zeroed frame / contiguous zeroed frames; FRAME_NONE when out of memory. */
uint64_t frame_alloc(void);
uint64_t frame_alloc_contig(uint64_t count, uint64_t align);
void frame_free(uint64_t phys);         /* panics on a bad or double free: a kernel bug */
uint64_t frames_free(void);

void *kmalloc(size_t size);             /* zeroed, at most HEAP_MAX_OBJECT bytes */
void kfree(void *p);
/* Zeroed memory of any size from whole contiguous frames; free with the same size. */
void *kalloc_pages(size_t size);
void kfree_pages(void *p, size_t size);
uint64_t frames_total(void);            /* frames free right after boot */

/* mm/paging.c. After mm_init: the page tables take frames from frame_alloc. */
void paging_init(const struct boot_info *bi);
/* Every page of [phys, phys+len) present in the kernel's map (the early 4 GiB map
 * before paging_init); false for the NULL page and wrap-around. */
bool paging_is_mapped(uint64_t phys, uint64_t len);
/*
 * Make the 4 KiB page at phys (below 4 GiB) present, writable and uncached
 * in the kernel's map, for device registers (the host I/O APIC). MMIO holes
 * already are (paging_init); a 2 MiB leaf that also holds RAM is split, its
 * other pages keeping their rights and caching. HV_ERR_NOT_SUPPORTED above
 * 4 GiB or before paging_init, HV_ERR_NO_MEMORY for the split's table.
 */
hv_status_t paging_map_uncached(uint64_t phys);
extern uint64_t kernel_pml4_phys;

/* Linker symbols. */
extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

#endif
