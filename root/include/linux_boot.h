/*
 * The Linux/x86 boot protocol's data structures, as the kernel's
 * Documentation/x86/boot.rst ("The Real-Mode Kernel Header", "Details of
 * Header Fields", "64-bit Boot Protocol") and Documentation/x86/zero-page.rst
 * describe them: the setup header inside a bzImage and inside the zero page,
 * the zero page (struct boot_params) itself, and its e820 entries. Written
 * from those tables; every offset is checked below. Little-endian, packed,
 * protocol fields only: the loader is root/vmm/linux_loader.c.
 */
#ifndef LINUX_BOOT_H
#define LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

/* ---- the bzImage ------------------------------------------------------------ */

#define LB_SECTOR              512u
#define LB_SETUP_SECTS_DEFAULT 4u           /* setup_sects 0 means 4 (boot.rst) */
#define LB_HEADER_OFFSET       0x1f1u       /* the setup header in the image and the zero page */
#define LB_BOOT_FLAG           0xaa55u      /* boot_flag at 0x1fe */
#define LB_HDRS                0x53726448u  /* "HdrS" at 0x202 */
#define LB_JUMP_OFFSET         0x200u       /* a short jump: the header ends at 0x202 + byte 0x201 */
#define LB_PROTOCOL_MIN        0x020au      /* 2.10: init_size, pref_address, xloadflags... */
#define LB_PROTOCOL_RSDP       0x020eu      /* 2.14: acpi_rsdp_addr in the zero page */
#define LB_ENTRY64_OFFSET      0x200u       /* 64-bit entry: protected-mode kernel + 0x200 */

/* loadflags (0x211). */
#define LB_LOADED_HIGH    0x01u             /* the protected-mode code is at 0x100000 or above */
#define LB_KASLR_FLAG     0x02u             /* internal to the kernel */
#define LB_QUIET_FLAG     0x20u
#define LB_KEEP_SEGMENTS  0x40u             /* obsolete */
#define LB_CAN_USE_HEAP   0x80u             /* heap_end_ptr is valid */

/* xloadflags (0x236, protocol 2.12). */
#define LB_XLF_KERNEL_64                 (1u << 0)   /* has the 64-bit entry at +0x200 */
#define LB_XLF_CAN_BE_LOADED_ABOVE_4G    (1u << 1)
#define LB_XLF_EFI_HANDOVER_32           (1u << 2)
#define LB_XLF_EFI_HANDOVER_64           (1u << 3)
#define LB_XLF_EFI_KEXEC                 (1u << 4)

#define LB_LOADER_UNDEFINED  0xffu          /* type_of_loader: a loader without an assigned id */
#define LB_VID_MODE_NORMAL   0xffffu        /* vid_mode: "normal" (80x25 text) */

/* e820 types (zero-page.rst, the kernel's e820 types). */
#define LB_E820_RAM       1u
#define LB_E820_RESERVED  2u
#define LB_E820_ACPI      3u
#define LB_E820_NVS       4u
#define LB_E820_UNUSABLE  5u
#define LB_E820_MAX       128u              /* entries in the zero page's table */

/* The setup header: offsets are those in the image and in the zero page. */
struct __attribute__((packed)) lb_setup_header {
    uint8_t setup_sects;            /* 0x1f1 */
    uint16_t root_flags;            /* 0x1f2 */
    uint32_t syssize;               /* 0x1f4 protected-mode code in 16-byte paragraphs */
    uint16_t ram_size;              /* 0x1f8 obsolete */
    uint16_t vid_mode;              /* 0x1fa */
    uint16_t root_dev;              /* 0x1fc */
    uint16_t boot_flag;             /* 0x1fe 0xaa55 */
    uint16_t jump;                  /* 0x200 */
    uint32_t header;                /* 0x202 "HdrS" */
    uint16_t version;               /* 0x206 */
    uint32_t realmode_swtch;        /* 0x208 */
    uint16_t start_sys_seg;         /* 0x20c obsolete */
    uint16_t kernel_version;        /* 0x20e */
    uint8_t type_of_loader;         /* 0x210 */
    uint8_t loadflags;              /* 0x211 */
    uint16_t setup_move_size;       /* 0x212 */
    uint32_t code32_start;          /* 0x214 */
    uint32_t ramdisk_image;         /* 0x218 */
    uint32_t ramdisk_size;          /* 0x21c */
    uint32_t bootsect_kludge;       /* 0x220 obsolete */
    uint16_t heap_end_ptr;          /* 0x224 */
    uint8_t ext_loader_ver;         /* 0x226 */
    uint8_t ext_loader_type;        /* 0x227 */
    uint32_t cmd_line_ptr;          /* 0x228 */
    uint32_t initrd_addr_max;       /* 0x22c highest address the initrd's last byte may have */
    uint32_t kernel_alignment;      /* 0x230 */
    uint8_t relocatable_kernel;     /* 0x234 */
    uint8_t min_alignment;          /* 0x235 log2 */
    uint16_t xloadflags;            /* 0x236 */
    uint32_t cmdline_size;          /* 0x238 command line bytes without the final NUL */
    uint32_t hardware_subarch;      /* 0x23c 0: a normal PC */
    uint64_t hardware_subarch_data; /* 0x240 */
    uint32_t payload_offset;        /* 0x248 */
    uint32_t payload_length;        /* 0x24c */
    uint64_t setup_data;            /* 0x250 */
    uint64_t pref_address;          /* 0x258 */
    uint32_t init_size;             /* 0x260 bytes the kernel needs from its load address */
    uint32_t handover_offset;       /* 0x264 protocol 2.11 */
    uint32_t kernel_info_offset;    /* 0x268 protocol 2.15 */
};

#define LB_HDR_AT(field) (LB_HEADER_OFFSET + offsetof(struct lb_setup_header, field))
#define LB_HEADER_END_2_10 0x264u           /* through init_size: what protocol 2.10 has */
#define LB_HEADER_END_MAX  0x290u           /* the zero page's edd_mbr_sig_buffer follows */

_Static_assert(LB_HDR_AT(syssize) == 0x1f4, "syssize");
_Static_assert(LB_HDR_AT(vid_mode) == 0x1fa, "vid_mode");
_Static_assert(LB_HDR_AT(boot_flag) == 0x1fe, "boot_flag");
_Static_assert(LB_HDR_AT(jump) == 0x200, "jump");
_Static_assert(LB_HDR_AT(header) == 0x202, "header");
_Static_assert(LB_HDR_AT(version) == 0x206, "version");
_Static_assert(LB_HDR_AT(type_of_loader) == 0x210, "type_of_loader");
_Static_assert(LB_HDR_AT(loadflags) == 0x211, "loadflags");
_Static_assert(LB_HDR_AT(code32_start) == 0x214, "code32_start");
_Static_assert(LB_HDR_AT(ramdisk_image) == 0x218, "ramdisk_image");
_Static_assert(LB_HDR_AT(ramdisk_size) == 0x21c, "ramdisk_size");
_Static_assert(LB_HDR_AT(heap_end_ptr) == 0x224, "heap_end_ptr");
_Static_assert(LB_HDR_AT(ext_loader_ver) == 0x226, "ext_loader_ver");
_Static_assert(LB_HDR_AT(cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(LB_HDR_AT(initrd_addr_max) == 0x22c, "initrd_addr_max");
_Static_assert(LB_HDR_AT(kernel_alignment) == 0x230, "kernel_alignment");
_Static_assert(LB_HDR_AT(relocatable_kernel) == 0x234, "relocatable_kernel");
_Static_assert(LB_HDR_AT(min_alignment) == 0x235, "min_alignment");
_Static_assert(LB_HDR_AT(xloadflags) == 0x236, "xloadflags");
_Static_assert(LB_HDR_AT(cmdline_size) == 0x238, "cmdline_size");
_Static_assert(LB_HDR_AT(hardware_subarch) == 0x23c, "hardware_subarch");
_Static_assert(LB_HDR_AT(hardware_subarch_data) == 0x240, "hardware_subarch_data");
_Static_assert(LB_HDR_AT(payload_offset) == 0x248, "payload_offset");
_Static_assert(LB_HDR_AT(setup_data) == 0x250, "setup_data");
_Static_assert(LB_HDR_AT(pref_address) == 0x258, "pref_address");
_Static_assert(LB_HDR_AT(init_size) == 0x260, "init_size");
_Static_assert(LB_HDR_AT(handover_offset) == 0x264, "handover_offset");
_Static_assert(LB_HDR_AT(kernel_info_offset) == 0x268, "kernel_info_offset");
_Static_assert(LB_HEADER_OFFSET + sizeof(struct lb_setup_header) == 0x26c, "setup header end");

/* One e820 entry: 20 bytes, packed. */
struct __attribute__((packed)) lb_e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
};
_Static_assert(sizeof(struct lb_e820_entry) == 20, "e820 entry");

/* The zero page (zero-page.rst): 4 KiB. */
struct __attribute__((packed)) lb_boot_params {
    uint8_t screen_info[0x40];              /* 0x000 */
    uint8_t apm_bios_info[0x14];            /* 0x040 */
    uint8_t pad0[4];                        /* 0x054 */
    uint64_t tboot_addr;                    /* 0x058 */
    uint8_t ist_info[0x10];                 /* 0x060 */
    uint64_t acpi_rsdp_addr;                /* 0x070 */
    uint8_t pad1[8];                        /* 0x078 */
    uint8_t hd0_info[0x10];                 /* 0x080 */
    uint8_t hd1_info[0x10];                 /* 0x090 */
    uint8_t sys_desc_table[0x10];           /* 0x0a0 */
    uint8_t olpc_ofw_header[0x10];          /* 0x0b0 */
    uint32_t ext_ramdisk_image;             /* 0x0c0 */
    uint32_t ext_ramdisk_size;              /* 0x0c4 */
    uint32_t ext_cmd_line_ptr;              /* 0x0c8 */
    uint8_t pad2[0x13c - 0xcc];             /* 0x0cc */
    uint32_t cc_blob_address;               /* 0x13c */
    uint8_t edid_info[0x80];                /* 0x140 */
    uint8_t efi_info[0x20];                 /* 0x1c0 */
    uint32_t alt_mem_k;                     /* 0x1e0 */
    uint32_t scratch;                       /* 0x1e4 */
    uint8_t e820_entries;                   /* 0x1e8 */
    uint8_t eddbuf_entries;                 /* 0x1e9 */
    uint8_t edd_mbr_sig_buf_entries;        /* 0x1ea */
    uint8_t kbd_status;                     /* 0x1eb */
    uint8_t secure_boot;                    /* 0x1ec */
    uint8_t pad3[2];                        /* 0x1ed */
    uint8_t sentinel;                       /* 0x1ef */
    uint8_t pad4;                           /* 0x1f0 */
    struct lb_setup_header hdr;             /* 0x1f1 */
    uint8_t pad5[LB_HEADER_END_MAX - 0x26c];/* 0x26c */
    uint32_t edd_mbr_sig_buffer[16];        /* 0x290 */
    struct lb_e820_entry e820_table[LB_E820_MAX]; /* 0x2d0 */
    uint8_t pad6[0xd00 - 0xcd0];            /* 0xcd0 */
    uint8_t eddbuf[0x1ec];                  /* 0xd00 */
    uint8_t pad7[0x1000 - 0xeec];           /* 0xeec */
};

_Static_assert(offsetof(struct lb_boot_params, tboot_addr) == 0x058, "tboot_addr");
_Static_assert(offsetof(struct lb_boot_params, acpi_rsdp_addr) == 0x070, "acpi_rsdp_addr");
_Static_assert(offsetof(struct lb_boot_params, ext_ramdisk_image) == 0x0c0, "ext_ramdisk_image");
_Static_assert(offsetof(struct lb_boot_params, ext_ramdisk_size) == 0x0c4, "ext_ramdisk_size");
_Static_assert(offsetof(struct lb_boot_params, ext_cmd_line_ptr) == 0x0c8, "ext_cmd_line_ptr");
_Static_assert(offsetof(struct lb_boot_params, cc_blob_address) == 0x13c, "cc_blob_address");
_Static_assert(offsetof(struct lb_boot_params, alt_mem_k) == 0x1e0, "alt_mem_k");
_Static_assert(offsetof(struct lb_boot_params, e820_entries) == 0x1e8, "e820_entries");
_Static_assert(offsetof(struct lb_boot_params, sentinel) == 0x1ef, "sentinel");
_Static_assert(offsetof(struct lb_boot_params, hdr) == LB_HEADER_OFFSET, "hdr");
_Static_assert(offsetof(struct lb_boot_params, edd_mbr_sig_buffer) == 0x290, "edd_mbr_sig_buffer");
_Static_assert(offsetof(struct lb_boot_params, e820_table) == 0x2d0, "e820_table");
_Static_assert(offsetof(struct lb_boot_params, eddbuf) == 0xd00, "eddbuf");
_Static_assert(sizeof(struct lb_boot_params) == 0x1000, "zero page size");

#endif
