/* Kernel ELF64 validation and load planning (see kelf.h). Pure code. */
#include "kelf.h"

/* The parts of the ELF64 headers we read (System V gABI layout). */
struct elf64_ehdr {
    unsigned char ident[16];
    uint16_t type;
    uint16_t machine;
    uint32_t version;
    uint64_t entry;
    uint64_t phoff;
    uint64_t shoff;
    uint32_t flags;
    uint16_t ehsize;
    uint16_t phentsize;
    uint16_t phnum;
    uint16_t shentsize;
    uint16_t shnum;
    uint16_t shstrndx;
};

struct elf64_phdr {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
};

#define EI_CLASS      4
#define EI_DATA       5
#define EI_VERSION    6
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC       2
#define EM_X86_64     62
#define PT_LOAD       1

/* Highest address the page rounding may reach without wrapping. */
#define KELF_TOP      (~(uint64_t)0 - (KELF_PAGE - 1))

const char *kelf_parse(const void *image, uint64_t len, struct kelf *k)
{
    const unsigned char *img = image;
    struct elf64_ehdr eh;

    k->entry = 0;
    k->nsegs = 0;
    k->nranges = 0;

    if (len < sizeof(eh))
        return "file too small for an ELF header";
    __builtin_memcpy(&eh, img, sizeof(eh));     /* the buffer may be unaligned */
    if (eh.ident[0] != 0x7f || eh.ident[1] != 'E' || eh.ident[2] != 'L' || eh.ident[3] != 'F')
        return "not an ELF file (bad magic)";
    if (eh.ident[EI_CLASS] != ELFCLASS64)
        return "not a 64-bit ELF";
    if (eh.ident[EI_DATA] != ELFDATA2LSB)
        return "not a little-endian ELF";
    if (eh.ident[EI_VERSION] != EV_CURRENT || eh.version != EV_CURRENT)
        return "unknown ELF version";
    if (eh.machine != EM_X86_64)
        return "not an x86_64 ELF";
    if (eh.type != ET_EXEC)
        return "not an executable (ET_EXEC) ELF";
    if (eh.phnum == 0)
        return "no program headers";
    if (eh.phentsize < sizeof(struct elf64_phdr))
        return "program header entry too small";
    if (eh.phoff > len || (uint64_t)eh.phnum * eh.phentsize > len - eh.phoff)
        return "program headers out of file bounds";

    for (unsigned i = 0; i < eh.phnum; i++) {
        struct elf64_phdr ph;
        __builtin_memcpy(&ph, img + eh.phoff + (uint64_t)i * eh.phentsize, sizeof(ph));
        if (ph.type != PT_LOAD || ph.memsz == 0)
            continue;
        if (ph.filesz > ph.memsz)
            return "PT_LOAD with p_filesz > p_memsz";
        if (ph.offset > len || ph.filesz > len - ph.offset)
            return "PT_LOAD data out of file bounds";
        if (ph.paddr > KELF_TOP || ph.memsz > KELF_TOP - ph.paddr)
            return "PT_LOAD address range wraps";
        if (ph.vaddr != ph.paddr)
            return "PT_LOAD not identity linked (p_vaddr != p_paddr)";
        if (k->nsegs >= KELF_MAX_SEGS)
            return "too many PT_LOAD segments (max 16)";
        for (unsigned j = 0; j < k->nsegs; j++) {
            const struct kelf_seg *o = &k->segs[j];
            if (ph.paddr < o->paddr + o->memsz && o->paddr < ph.paddr + ph.memsz)
                return "PT_LOAD segments overlap";
        }
        struct kelf_seg *s = &k->segs[k->nsegs++];
        s->paddr = ph.paddr;
        s->memsz = ph.memsz;
        s->offset = ph.offset;
        s->filesz = ph.filesz;
        s->flags = ph.flags;
    }
    if (k->nsegs == 0)
        return "no loadable (PT_LOAD) segment";

    int entry_ok = 0;
    for (unsigned i = 0; i < k->nsegs; i++)
        if (eh.entry >= k->segs[i].paddr && eh.entry - k->segs[i].paddr < k->segs[i].memsz)
            entry_ok = 1;
    if (!entry_ok)
        return "entry point outside every PT_LOAD segment";
    k->entry = eh.entry;

    /* Page ranges: round each segment out to pages, sort, merge. */
    struct kelf_range r[KELF_MAX_SEGS];
    unsigned n = 0;
    for (unsigned i = 0; i < k->nsegs; i++) {
        uint64_t lo = k->segs[i].paddr & ~(KELF_PAGE - 1);
        uint64_t hi = (k->segs[i].paddr + k->segs[i].memsz + KELF_PAGE - 1) & ~(KELF_PAGE - 1);
        unsigned j = n++;
        while (j > 0 && r[j - 1].base > lo) {   /* insertion sort by base */
            r[j] = r[j - 1];
            j--;
        }
        r[j].base = lo;
        r[j].pages = (hi - lo) / KELF_PAGE;
    }
    for (unsigned i = 0; i < n; i++) {
        if (k->nranges > 0) {
            struct kelf_range *last = &k->ranges[k->nranges - 1];
            uint64_t last_end = last->base + last->pages * KELF_PAGE;
            if (r[i].base <= last_end) {
                uint64_t end = r[i].base + r[i].pages * KELF_PAGE;
                if (end > last_end)
                    last->pages = (end - last->base) / KELF_PAGE;
                continue;
            }
        }
        k->ranges[k->nranges++] = r[i];
    }
    return NULL;
}
