/*
 * Guest image loader. Pure: works on a copy of the image and a window of
 * guest RAM (host pointer + size, guest-physical 0..size), no hypercalls.
 *
 * Images:
 *  - Multiboot v1: header (magic 0x1BADB002, 4-aligned, in the first 8 KiB)
 *    with magic + flags + checksum == 0. Flag bits 0 and 1 are honoured,
 *    bits 2..15 (video mode and unknown requirements) are refused; bit 16
 *    loads by the header's address fields (a.out kludge), else the image
 *    must be an ELF32 or ELF64 executable.
 *  - Multiboot v2: header (magic 0xE85250D6, 8-aligned, in the first
 *    32 KiB) with magic + architecture + header_length + checksum == 0,
 *    architecture 0 (i386), a well-formed tag list ending in an end tag.
 *    An address tag loads by its fields (then an entry-address tag is
 *    required), else the image must be ELF; an entry-address tag overrides
 *    e_entry. Required (non-optional) tags and information requests the
 *    loader cannot honour are refused; optional ones are ignored.
 *  - ELF: PT_LOAD segments with p_memsz > 0 are loaded at p_paddr, the part
 *    past p_filesz zeroed. The entry is e_entry, translated to a physical
 *    address when it lies in a segment's virtual range (p_vaddr != p_paddr,
 *    as GRUB does); it must fall inside a loaded segment and below 4 GiB.
 *  - Flat binaries: copied at a given address, entered there.
 * When several candidate headers exist, the first with a good checksum is
 * used, v2 before v1. Everything is checked before the first byte is
 * written: a refused image leaves guest RAM untouched.
 */
#ifndef GUEST_LOADER_H
#define GUEST_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

enum gl_format {
    GL_FORMAT_FLAT = 0,
    GL_FORMAT_MB1 = 1,
    GL_FORMAT_MB2 = 2,
};

enum gl_error {
    GL_OK = 0,
    GL_ERR_ARGS = -1,               /* no RAM, no image, MBI for a flat image */
    GL_ERR_EMPTY = -2,              /* the image has no bytes */
    GL_ERR_TOO_BIG = -3,            /* flat image does not fit in RAM at its address */
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
    GL_ERR_SEG_RAM = -19,           /* data to load lies outside guest RAM */
    GL_ERR_SEG_OVERLAP = -20,       /* two PT_LOAD segments overlap */
    GL_ERR_ENTRY = -21,             /* entry point outside the loaded image or >= 4 GiB */
    GL_ERR_MBI_RANGE = -22,         /* MBI address unaligned or the MBI beyond RAM */
    GL_ERR_MBI_OVERLAP = -23,       /* MBI would overwrite the loaded image */
};

/* Guest RAM: host pointer to guest-physical 0, size in bytes. */
struct gl_ram {
    uint8_t *mem;
    uint64_t size;
};

/* What was loaded. */
struct gl_image {
    enum gl_format format;
    bool elf;                       /* from ELF program headers (else address fields / flat) */
    uint32_t entry;                 /* guest-physical */
    uint64_t lo, hi;                /* guest-physical extent written, [lo, hi) */
    uint32_t header_offset;         /* Multiboot header's offset in the file */
    uint32_t mb1_flags;             /* v1 header flags */
};

/* How to enter a Multiboot kernel. */
struct gl_boot {
    uint32_t eax;                   /* GL_MB1_BOOT_MAGIC or GL_MB2_BOOT_MAGIC */
    uint32_t ebx;                   /* guest-physical address of the MBI */
    uint32_t mbi_size;              /* bytes written there */
};

/* GL_FORMAT_MB2 / MB1 when the image holds that header's magic where it may be, else FLAT. */
enum gl_format gl_detect(const void *image, uint64_t len);

/* Copy a flat binary to load_addr; entry = load_addr. */
int gl_load_flat(const void *image, uint64_t len, const struct gl_ram *ram, uint64_t load_addr,
                 struct gl_image *out);

/* Load a Multiboot v2 or v1 kernel. */
int gl_load_multiboot(const void *image, uint64_t len, const struct gl_ram *ram,
                      struct gl_image *out);

/* gl_detect, then gl_load_multiboot or gl_load_flat(flat_addr). */
int gl_load(const void *image, uint64_t len, const struct gl_ram *ram, uint64_t flat_addr,
            struct gl_image *out);

/*
 * Write the Multiboot information for a loaded Multiboot image at mbi_addr
 * (8-aligned) and say how to enter it. Memory: one available range
 * [0, ram->size); mem_lower = min(640, size/1K) KiB, mem_upper = KiB above
 * 1 MiB. v1: flags MEM, CMDLINE, MODS (none), MMAP, LOADER_NAME. v2: tags
 * cmdline, boot loader name, basic meminfo, mmap, end. cmdline and
 * loader_name may be NULL (empty strings).
 */
int gl_build_mbi(const struct gl_ram *ram, const struct gl_image *img, uint64_t mbi_addr,
                 const char *cmdline, const char *loader_name, struct gl_boot *boot);

/* A short description of a GL_* code. */
const char *gl_error_name(int err);

#endif
