/*
 * Checking a static ELF64 image and planning where it goes: the EFI loader
 * (kernel image) and the kernel (root task) use it. Pure: no allocation or
 * copying here.
 */
#ifndef KELF_H
#define KELF_H

#include <stddef.h>
#include <stdint.h>

#define KELF_MAX_SEGS 16
#define KELF_PAGE     ((uint64_t)4096)
#define KELF_PF_X     1u
#define KELF_PF_W     2u
#define KELF_PF_R     4u

struct kelf_seg {
    uint64_t paddr;     /* load address (== vaddr: identity linked) */
    uint64_t memsz;
    uint64_t offset;    /* in the file */
    uint64_t filesz;    /* <= memsz; the rest is zeroed */
    uint32_t flags;     /* p_flags: KELF_PF_X 1, KELF_PF_W 2, KELF_PF_R 4 */
};

/* Page-aligned physical range covering one or more segments. */
struct kelf_range {
    uint64_t base;
    uint64_t pages;
};

struct kelf {
    uint64_t entry;
    unsigned nsegs;
    struct kelf_seg segs[KELF_MAX_SEGS];
    unsigned nranges;   /* disjoint, sorted, page aligned */
    struct kelf_range ranges[KELF_MAX_SEGS];
};

/*
 * Validate an ELF64 x86_64 ET_EXEC image of len bytes and fill k with its
 * non-empty PT_LOAD segments and the merged page ranges they need.
 * Returns NULL on success, else a static message saying what is wrong.
 */
const char *kelf_parse(const void *image, uint64_t len, struct kelf *k);

#endif
