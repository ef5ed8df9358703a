/*
 * Guest RAM laid out like a PC, and the guest image loader. Pure (only
 * stdint/stddef/stdbool, no hypercalls): root/vmm/pc_layout.c computes the
 * layout, root/vmm/loader.c loads images and writes the Multiboot
 * information into the VMM's host buffer; both are host-tested.
 *
 * ---- Guest-physical layout (gl_layout_init) ----------------------------------
 * The guest has `size` bytes of RAM (the VMM's GUEST_MEM): at least
 * GL_RAM_MIN, a multiple of 4 KiB, at most GL_RAM_MAX. The VMM allocates ONE
 * host buffer of `size` bytes; guest-physical memory is
 *
 *   [0, 640 KiB)            RAM (available)            buffer [0, 640 KiB)
 *   [640 KiB, 896 KiB)      VGA / option-ROM hole      not mapped (reserved)
 *   [896 KiB, 1 MiB)        BIOS ROM area              buffer [0xE0000, 0x100000),
 *                                                     mapped read-only (reserved);
 *                                                     the VMM puts the ACPI RSDP here
 *   [1 MiB, acpi_gpa)       RAM (available)            buffer, same offsets
 *   [acpi_gpa, low_top)     GL_ACPI_SIZE bytes for the VMM's ACPI tables
 *                           (ACPI reclaimable)         buffer, same offsets
 *   [low_top, 4 GiB)        PCI/MMIO hole: nothing, not in the memory map
 *   [4 GiB, 4 GiB + high)   RAM (available)            buffer [low_top, size)
 *
 * with low_top = min(size, 3 GiB), acpi_gpa = low_top - GL_ACPI_SIZE,
 * high = size - low_top. The buffer's bytes [640 KiB, 896 KiB) are never
 * seen by the guest. layout.ranges is the memory map handed to the guest
 * (Multiboot/e820 types); layout.windows is what the VMM maps.
 *
 * ---- Images (gl_load) --------------------------------------------------------
 *  - Multiboot v1 (spec 0.6.96, 3.1): header (magic 0x1BADB002, 4-aligned,
 *    in the first 8 KiB) with magic + flags + checksum == 0. Flag bits 0
 *    (modules page-aligned: they always are) and 1 (memory information:
 *    always given) are honoured, bits 2..15 (video mode, unknown
 *    requirements) are refused; bit 16 loads by the header's address fields
 *    (a.out kludge, 3.1.3), else the image must be an ELF32 or ELF64
 *    executable.
 *  - Multiboot v2 (spec 2.0, 3.1): header (magic 0xE85250D6, 8-aligned, in
 *    the first 32 KiB) with magic + architecture + header_length + checksum
 *    == 0, architecture 0 (i386), a well-formed tag list ending in an end
 *    tag. An address tag loads by its fields (then an entry-address tag is
 *    required), else the image must be ELF; an entry-address tag overrides
 *    e_entry. Required (non-optional) tags and information requests the
 *    loader cannot honour are refused; optional ones are ignored.
 *  - ELF: ELF32 (EM_386, or EM_X86_64: the elf32-x86-64 format of 64-bit
 *    code linked below 4 GiB) or ELF64 (EM_X86_64), ET_EXEC. PT_LOAD
 *    segments with p_memsz > 0 are loaded at p_paddr, the part past
 *    p_filesz zeroed. The entry is e_entry, translated to a physical address
 *    when it lies in a segment's virtual range (p_vaddr != p_paddr, as GRUB
 *    does); it must fall inside a loaded segment and below 4 GiB.
 *  - Flat binaries: copied at a given address, entered there.
 * Every byte loaded must lie in ONE available RAM range of the layout:
 * anything touching a hole or reserved range is GL_ERR_SEG_RESERVED (flat:
 * the same), anything past the end of RAM GL_ERR_SEG_RAM (flat:
 * GL_ERR_TOO_BIG). When several candidate headers exist, the first with a
 * good checksum is used, v2 before v1. Everything is checked before the
 * first byte is written: a refused image leaves guest RAM untouched.
 *
 * ---- Entry state (v1 spec 3.2, v2 spec 3.3 "I386 machine state") -------------
 * EAX = the boot magic (gl_boot.eax), EBX = the MBI's guest-physical address
 * (gl_boot.ebx), CS a flat 32-bit read/execute segment, DS/ES/FS/GS/SS flat
 * 32-bit read/write, A20 enabled, CR0.PG = 0 and CR0.PE = 1, EFLAGS.VM = 0
 * and IF = 0; ESP, GDTR and IDTR undefined. The kernel's hv_vcpu_create
 * already sets that machine state; the VMM only writes gl_boot.eax/ebx into
 * RAX/RBX and creates the vCPU at gl_boot.entry (= gl_image.entry).
 *
 * ---- What the VMM calls, in order --------------------------------------------
 *   struct gl_ram ram;
 *   gl_ram_init(&ram, buf, size);        the layout; buf holds `size` bytes
 *   for each ram.layout.windows[i]: map guest-physical [gpa, gpa+len) to
 *       buf + offset, read-only when !writable
 *   write the ACPI tables at gl_host(&ram, ram.layout.acpi_gpa, GL_ACPI_SIZE)
 *       and the RSDP in the ROM area (GL_ROM_GPA..): gl_host() gives pointers
 *   gl_load(image, len, &ram, flat_addr, &img)
 *   if img.format != GL_FORMAT_FLAT:
 *       gl_build_mbi(&ram, &img, &args, &boot)    MBI + modules, see below
 *   on any error: print gl_error_name(rc), exit with gl_error_status(rc).
 */
#ifndef GUEST_LOADER_H
#define GUEST_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- layout ------------------------------------------------------------------ */

#define GL_PAGE            0x1000ull
#define GL_RAM_MIN         0x200000ull          /* 2 MiB */
#define GL_RAM_MAX         0x10000000000ull     /* 1 TiB */
#define GL_LOW_RAM_END     0xA0000ull           /* 640 KiB: conventional memory ends */
#define GL_ROM_GPA         0xE0000ull           /* BIOS ROM area, mapped read-only */
#define GL_ROM_SIZE        0x20000ull
#define GL_HIGH_RAM_GPA    0x100000ull          /* 1 MiB */
#define GL_PCI_HOLE_GPA    0xC0000000ull        /* 3 GiB: low RAM ends here at most */
#define GL_4GIB            0x100000000ull       /* RAM above the PCI hole resumes here */
#define GL_ACPI_SIZE       0x10000ull           /* 64 KiB for the VMM's ACPI tables */

/* Memory-map types (Multiboot v1 3.3 mmap "type", v2 3.6.8, e820). */
enum gl_mem_type {
    GL_MEM_AVAILABLE = 1,
    GL_MEM_RESERVED = 2,
    GL_MEM_ACPI = 3,                /* ACPI reclaimable */
};

struct gl_range {
    uint64_t gpa, len;
    uint32_t type;                  /* enum gl_mem_type */
};

/* A piece of the host buffer the VMM maps into the guest. */
struct gl_window {
    uint64_t gpa, offset, len;      /* guest-physical [gpa, +len) = buffer [offset, +len) */
    bool writable;                  /* false: the ROM area, map read-only (and executable) */
};

#define GL_MAX_RANGES  6
#define GL_MAX_WINDOWS 4

struct gl_layout {
    uint64_t size;                  /* bytes of RAM = bytes of the host buffer */
    uint64_t low_top;               /* RAM below 4 GiB ends here: min(size, 3 GiB) */
    uint64_t high_size;             /* RAM at [4 GiB, 4 GiB + high_size): size - low_top */
    uint64_t acpi_gpa;              /* ACPI area [acpi_gpa, low_top), GL_ACPI_SIZE bytes */
    unsigned nranges, nwindows;
    /* The memory map, ascending and disjoint: [0, 640K) available, [640K,
     * 896K) reserved, [896K, 1M) reserved (ROM), [1M, acpi_gpa) available,
     * [acpi_gpa, low_top) ACPI, then [4G, 4G + high) available if high. */
    struct gl_range ranges[GL_MAX_RANGES];
    /* RAM [0, 640K) and [1M, low_top) writable, ROM [896K, 1M) read-only,
     * high RAM writable (if any); ascending. */
    struct gl_window windows[GL_MAX_WINDOWS];
};

/* Guest RAM: the host buffer and its layout. */
struct gl_ram {
    uint8_t *mem;                   /* host buffer, layout.size bytes */
    struct gl_layout layout;
};

#define GL_NO_OFFSET UINT64_MAX

/* The layout of `size` bytes of RAM. GL_OK, GL_ERR_RAM_SIZE (below
 * GL_RAM_MIN, above GL_RAM_MAX or not a multiple of 4 KiB), GL_ERR_ARGS. */
int gl_layout_init(struct gl_layout *l, uint64_t size);

/* gl_layout_init, and ram->mem = mem (not NULL). */
int gl_ram_init(struct gl_ram *ram, void *mem, uint64_t size);

/* The buffer offset of guest-physical [gpa, gpa+len) when it lies inside one
 * window (len 0: gpa inside or at the end of one), else GL_NO_OFFSET. */
uint64_t gl_gpa_offset(const struct gl_layout *l, uint64_t gpa, uint64_t len);

/* Host pointer to guest-physical [gpa, gpa+len) (gl_gpa_offset), or NULL. */
void *gl_host(const struct gl_ram *ram, uint64_t gpa, uint64_t len);

/* The memory-map type of the range holding all of [gpa, gpa+len) (len > 0),
 * or 0 when no single range does (a hole, a straddle, past the end). */
uint32_t gl_range_type(const struct gl_layout *l, uint64_t gpa, uint64_t len);

/* KiB of lower memory (from 0) and of upper memory (contiguous available RAM
 * from 1 MiB), as Multiboot v1 3.3 / v2 3.6.3 define mem_lower/mem_upper. */
uint32_t gl_mem_lower_kib(const struct gl_layout *l);
uint32_t gl_mem_upper_kib(const struct gl_layout *l);

/* ---- Multiboot constants ------------------------------------------------------ */

#define GL_MB1_MAGIC       0x1BADB002u  /* in the image's header */
#define GL_MB1_BOOT_MAGIC  0x2BADB002u  /* in EAX at entry */
#define GL_MB1_SEARCH      8192u
#define GL_MB2_MAGIC       0xE85250D6u
#define GL_MB2_BOOT_MAGIC  0x36d76289u
#define GL_MB2_SEARCH      32768u

/* Multiboot v1 header flags. */
#define GL_MB1_PAGE_ALIGN  (1u << 0)
#define GL_MB1_MEMORY_INFO (1u << 1)
#define GL_MB1_VIDEO_MODE  (1u << 2)
#define GL_MB1_AOUT_KLUDGE (1u << 16)

/* Multiboot v1 information flags (3.3) the loader sets. */
#define GL_MBI1_MEM        (1u << 0)
#define GL_MBI1_CMDLINE    (1u << 2)
#define GL_MBI1_MODS       (1u << 3)
#define GL_MBI1_MMAP       (1u << 6)
#define GL_MBI1_LOADER     (1u << 9)

/* Multiboot v2 tag types (header tags, then information tags). */
#define GL_MB2_HTAG_END          0
#define GL_MB2_HTAG_INFO_REQUEST 1
#define GL_MB2_HTAG_ADDRESS      2
#define GL_MB2_HTAG_ENTRY        3
#define GL_MB2_HTAG_CONSOLE      4
#define GL_MB2_HTAG_FRAMEBUFFER  5
#define GL_MB2_HTAG_MODULE_ALIGN 6
#define GL_MB2_HTAG_RELOCATABLE  10
#define GL_MB2_HTAG_OPTIONAL     1u     /* tag flags bit 0 */
#define GL_MB2_TAG_END           0
#define GL_MB2_TAG_CMDLINE       1
#define GL_MB2_TAG_LOADER_NAME   2
#define GL_MB2_TAG_MODULE        3
#define GL_MB2_TAG_BASIC_MEMINFO 4
#define GL_MB2_TAG_MMAP          6
#define GL_MB2_TAG_ACPI_OLD      14     /* copy of the ACPI 1.0 RSDP (20 bytes) */
#define GL_MB2_TAG_ACPI_NEW      15     /* copy of the ACPI 2.0+ RSDP */

#define GL_RSDP_V1_LEN  20u             /* ACPI 1.0 RSDP */
#define GL_RSDP_V2_LEN  36u             /* ACPI 2.0+ RSDP (its Length field) */

/* Where the MBI goes when gl_mbi_args.mbi_addr is 0: the lowest page at or
 * above this address in available RAM that misses the image. */
#define GL_MBI_AUTO_MIN 0x1000ull

enum gl_format {
    GL_FORMAT_FLAT = 0,
    GL_FORMAT_MB1 = 1,
    GL_FORMAT_MB2 = 2,
};

enum gl_error {
    GL_OK = 0,
    GL_ERR_ARGS = -1,               /* NULL pointers, no RAM, MBI for a flat image, RSDP length */
    GL_ERR_EMPTY = -2,              /* the image has no bytes */
    GL_ERR_TOO_BIG = -3,            /* flat image runs past the end of guest RAM */
    GL_ERR_NO_HEADER = -4,          /* no Multiboot header magic */
    GL_ERR_CHECKSUM = -5,           /* header magic, but the checksum is wrong */
    GL_ERR_HEADER_TRUNCATED = -6,   /* header or its fields run past the end of the file */
    GL_ERR_MB1_FLAGS = -7,          /* v1 requires something not offered (flags 2..15) */
    GL_ERR_MB2_ARCH = -8,           /* v2 architecture is not i386 (0) */
    GL_ERR_MB2_TAG = -9,            /* v2 tag list malformed (size, bounds, end tag) */
    GL_ERR_MB2_UNSUPPORTED = -10,   /* v2 required tag or information request refused */
    GL_ERR_ADDR_FIELDS = -11,       /* address fields inconsistent */
    GL_ERR_NO_ENTRY = -12,          /* v2 address tag without an entry-address tag */
    GL_ERR_NOT_ELF = -13,           /* no address fields and not an ELF file */
    GL_ERR_ELF_HEADER = -14,        /* ELF class, byte order, version, type, machine, phentsize */
    GL_ERR_ELF_TRUNCATED = -15,     /* ELF or program headers past the end of the file */
    GL_ERR_NO_SEGMENTS = -16,       /* no PT_LOAD segment with p_memsz > 0 */
    GL_ERR_SEG_SIZE = -17,          /* PT_LOAD with p_filesz > p_memsz */
    GL_ERR_FILE_TRUNCATED = -18,    /* data to load lies past the end of the file */
    GL_ERR_SEG_RAM = -19,           /* data to load runs past the end of guest RAM */
    GL_ERR_SEG_OVERLAP = -20,       /* two PT_LOAD segments overlap */
    GL_ERR_ENTRY = -21,             /* entry point outside the loaded image or >= 4 GiB */
    GL_ERR_MBI_RANGE = -22,         /* given MBI address unaligned, or not in available RAM < 4G */
    GL_ERR_MBI_OVERLAP = -23,       /* given MBI address would overwrite the loaded image */
    GL_ERR_RAM_SIZE = -24,          /* RAM size below 2 MiB, above 1 TiB or not 4 KiB-aligned */
    GL_ERR_SEG_RESERVED = -25,      /* data to load lies in a hole or reserved range */
    GL_ERR_MBI_NO_ROOM = -26,       /* no available RAM below 4 GiB for the MBI */
    GL_ERR_MODULES_NO_ROOM = -27,   /* the modules do not fit in available RAM below 4 GiB */
    GL_ERR_UNKNOWN_FORMAT = -28,    /* an ELF file or Linux bzImage without a Multiboot header */
};
#define GL_ERR_LAST GL_ERR_UNKNOWN_FORMAT

/*
 * Exit statuses for the VMM (gl_error_status): GL_OK -> 0, loader error -n
 * -> GL_STATUS_BASE + n, i.e. 65 (GL_ERR_ARGS) .. 92 (GL_ERR_UNKNOWN_FORMAT),
 * one per error; any other value -> GL_STATUS_BASE (64).
 */
#define GL_STATUS_BASE 64
int gl_error_status(int err);

/* A short description of a GL_* code ("unknown loader error" for others). */
const char *gl_error_name(int err);

/* ---- loading ------------------------------------------------------------------ */

/* What was loaded. */
struct gl_image {
    enum gl_format format;
    bool elf;                       /* from ELF program headers (else address fields / flat) */
    uint32_t entry;                 /* guest-physical */
    uint64_t lo, hi;                /* guest-physical extent written, [lo, hi) (gaps included) */
    uint32_t header_offset;         /* Multiboot header's offset in the file */
    uint32_t mb1_flags;             /* v1 header flags */
};

/* GL_FORMAT_MB2 / MB1 when the image holds that header's magic where it may be, else FLAT. */
enum gl_format gl_detect(const void *image, uint64_t len);

/* Copy a flat binary to load_addr; entry = load_addr. */
int gl_load_flat(const void *image, uint64_t len, const struct gl_ram *ram, uint64_t load_addr,
                 struct gl_image *out);

/* Load a Multiboot v2 or v1 kernel. */
int gl_load_multiboot(const void *image, uint64_t len, const struct gl_ram *ram,
                      struct gl_image *out);

/* gl_detect, then gl_load_multiboot, or gl_load_flat(flat_addr) -- except that
 * an ELF file or a Linux bzImage without a Multiboot header is
 * GL_ERR_UNKNOWN_FORMAT, not a flat binary. */
int gl_load(const void *image, uint64_t len, const struct gl_ram *ram, uint64_t flat_addr,
            struct gl_image *out);

/* ---- Multiboot information and modules ------------------------------------------- */

/* A boot module the VMM hands the kernel. */
struct gl_module {
    const void *data;               /* len bytes (may be NULL when len is 0) */
    uint64_t len;
    const char *string;             /* its command line; NULL: "" */
};

struct gl_mbi_args {
    const char *cmdline;            /* the kernel's command line; NULL: "" */
    const char *loader_name;        /* NULL: "" */
    const struct gl_module *modules;
    unsigned nmodules;
    const void *rsdp;               /* a copy of the RSDP for v2 tags 14/15; NULL: none */
    uint32_t rsdp_len;              /* GL_RSDP_V1_LEN, or >= GL_RSDP_V2_LEN */
    uint64_t mbi_addr;              /* 0: the loader chooses (GL_MBI_AUTO_MIN); else 8-aligned */
};

/* How to enter a Multiboot kernel, and where things went. */
struct gl_boot {
    uint32_t eax;                   /* GL_MB1_BOOT_MAGIC or GL_MB2_BOOT_MAGIC */
    uint32_t ebx;                   /* guest-physical address of the MBI */
    uint32_t entry;                 /* guest-physical entry point (gl_image.entry) */
    uint32_t mbi_size;              /* bytes of MBI at ebx (strings included) */
    uint64_t mods_lo, mods_hi;      /* the modules' extent, page-aligned start; 0, 0 if none */
};

/*
 * Write the Multiboot information for a loaded Multiboot image, place the
 * modules and copy their bytes, and say how to enter it.
 *
 * The MBI is one block in available RAM below 4 GiB: at args->mbi_addr, or
 * (0) at the lowest page >= GL_MBI_AUTO_MIN that misses the image [lo, hi).
 * The modules follow, each page-aligned, in ascending order, at or above
 * page_up(max(image hi, MBI end)), each in one available range below 4 GiB
 * (skipping the hole, the ROM, the ACPI area): never over the image, the MBI
 * or each other.
 *
 * v1 (3.3): flags MEM | CMDLINE | MODS | MMAP | LOADER_NAME; mem_lower =
 * 640, mem_upper = gl_mem_upper_kib; mods_count/mods_addr, 16-byte module
 * entries {mod_start, mod_end (exclusive), string, 0}; mmap_length /
 * mmap_addr, entries {size = 20, base_addr, length, type} from
 * layout.ranges; cmdline; boot_loader_name. No RSDP field in v1: the kernel
 * finds the RSDP in the BIOS area where the VMM put it.
 * v2 (3.6): total_size, reserved, then 8-aligned tags: cmdline (1), boot
 * loader name (2), one module tag (3) per module {mod_start, mod_end,
 * string}, basic meminfo (4), mmap (6, entry_size 24, entry_version 0),
 * ACPI old RSDP (14: the first 20 bytes of rsdp) and, when rsdp_len >= 36,
 * ACPI new RSDP (15: rsdp_len bytes), end (0).
 *
 * Errors: GL_ERR_ARGS, GL_ERR_MBI_RANGE, GL_ERR_MBI_OVERLAP,
 * GL_ERR_MBI_NO_ROOM, GL_ERR_MODULES_NO_ROOM. Checked before writing
 * anything: on error guest RAM and *boot are untouched.
 */
int gl_build_mbi(const struct gl_ram *ram, const struct gl_image *img,
                 const struct gl_mbi_args *args, struct gl_boot *boot);

#endif
