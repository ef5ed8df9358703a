/*
 * A Linux bzImage into the PC-like guest RAM of guest_loader.h, by the
 * Linux/x86 boot protocol (Documentation/x86/boot.rst, protocol 2.10 and
 * later; structures in linux_boot.h), entered at its 64-bit entry point.
 * Pure (stdint/stddef/stdbool, no hypercalls): root/vmm/linux_loader.c
 * checks and places, root/vmm/linux_entry.c builds the entry state; both are
 * host-tested (tests/unit/test_linux_loader.c).
 *
 * ---- Which entry: the 64-bit one ---------------------------------------------
 * boot.rst offers the 32-bit entry (code32_start, flat protected mode, paging
 * off, esi = boot_params) and the 64-bit entry (protected-mode kernel + 0x200,
 * long mode with identity-mapped page tables, rsi = boot_params). This loader
 * uses the 64-bit one and refuses a kernel without XLF_KERNEL_64:
 *  - the VMM sets the whole machine state with one HV_VCPU_SREGS write
 *    (lx_entry_sregs), so building long mode costs it six page-table pages and
 *    a GDT, while the 32-bit entry makes the guest do the same work itself in
 *    startup_32 with exits (CR0/CR4 writes, the EFER WRMSR, far jumps);
 *  - it is the entry a 64-bit loader is meant to use (kexec, VMMs), and every
 *    x86-64 kernel since protocol 2.12 (Linux 3.8) has it;
 *  - the start state is the one the hypercall ABI already offers (efer.LMA
 *    selects 64-bit entry), so nothing Linux-only is needed in the kernel.
 *
 * ---- Guest-physical places --------------------------------------------------
 *   LX_GDT_GPA          0x1000   GDT: null, null, __BOOT_CS 0x10 (64-bit code),
 *                                __BOOT_DS 0x18 (data), all flat
 *   LX_STACK_GPA        0x7000   rsp (below the zero page; startup_64 sets
 *                                its own stack before it pushes anything)
 *   LX_BOOT_PARAMS_GPA  0x7000   the zero page (4 KiB)
 *   LX_PML4_GPA         0x9000   PML4, PDPT at 0xa000, 4 PDs at 0xb000-0xefff:
 *                                [0, 4 GiB) identity-mapped with 2 MiB pages
 *   LX_CMDLINE_GPA      0x20000  the command line (at most LX_CMDLINE_MAX bytes)
 * All lie in conventional RAM below 0x90000: clear of the BIOS data area the
 * kernel reads at 0x400 and of the pages just below 640 KiB where its
 * decompressor puts its 32-bit trampoline. The e820 map leaves them usable:
 * the kernel copies boot_params and the command line before it reuses RAM.
 *
 * ---- The protected-mode kernel -----------------------------------------------
 * The file's first (setup_sects + 1) * 512 bytes (setup_sects 0 means 4) are
 * the real-mode setup, which the 64-bit entry does not run and which is not
 * loaded; the next syssize * 16 bytes are the protected-mode kernel (bytes
 * after them, e.g. a signature, are ignored). It needs init_size bytes from
 * its load address (init_size smaller than its own length is refused), and goes
 *  - relocatable: at pref_address when that is kernel_alignment-aligned and
 *    [pref, pref + init_size) lies in one available RAM range at or above
 *    1 MiB and below 4 GiB; else at the lowest kernel_alignment-aligned
 *    address >= max(pref_address, 1 MiB) where it does. Never below
 *    pref_address: the decompressor runs at max(aligned load address,
 *    LOAD_PHYSICAL_ADDR = pref_address), so RAM below it would not help;
 *  - not relocatable: at pref_address only.
 * It must end below 4 GiB (the identity map's end). Bytes past the loaded
 * image are left as they are (the kernel clears its own bss).
 *
 * ---- The initrd -------------------------------------------------------------
 * As high as it goes, as Linux loaders place it: the highest page-aligned
 * address where it lies in one available RAM range at or above 1 MiB, its
 * last byte <= initrd_addr_max, below 4 GiB, and not over the kernel's
 * [load, load + init_size).
 *
 * ---- The zero page --------------------------------------------------------------
 * All zero, then: the setup header copied from the image, [0x1f1, 0x202 +
 * byte at 0x201); vid_mode 0xffff; type_of_loader 0xff; loadflags |=
 * CAN_USE_HEAP with heap_end_ptr 0xfe00 (the end of a 64 KiB real-mode
 * segment less 0x200, the conventional value: no real-mode code runs);
 * cmd_line_ptr; ramdisk_image/ramdisk_size (0 without an initrd);
 * hardware_subarch 0 (PC), setup_data 0; acpi_rsdp_addr (protocol >= 2.14,
 * when the VMM gives one); the e820 table: the layout's memory map, one
 * entry per range (RAM usable, ACPI area ACPI-reclaimable, hole and BIOS area
 * reserved).
 *
 * ---- Entry state (boot.rst "64-bit Boot Protocol") -----------------------------
 * Long mode, paging on (CR0 PE|ET|PG, CR4 PAE, EFER LME|LMA, CR3 = the
 * PML4), CS = __BOOT_CS 0x10 (64-bit code), DS = ES = SS = FS = GS =
 * __BOOT_DS 0x18, the GDT above, interrupts off (RFLAGS 0x2), rsi = the zero
 * page, rip = load address + 0x200; other general registers 0.
 *
 * ---- What the VMM calls -------------------------------------------------------
 *   lx_detect(image, len)           is it a bzImage? (before gl_load, which
 *                                   refuses one as GL_ERR_UNKNOWN_FORMAT)
 *   gl_ram_init, mapping, ACPI as for any guest (guest_loader.h)
 *   lx_load(image, len, &ram, &args, &boot)
 *   hv_vcpu_create(guest, 0, boot.entry.rip, &vcpu)
 *   read HV_VCPU_SREGS, lx_entry_sregs(&boot.entry, &sr), write it back
 *   read HV_VCPU_STATE, lx_entry_regs(&boot.entry, &regs), write it back
 *   on error: print lx_error_name(rc), exit with lx_error_status(rc)
 * Everything is checked before the first byte is written: a refused image
 * leaves guest RAM untouched.
 */
#ifndef LINUX_LOADER_H
#define LINUX_LOADER_H

#include <stdbool.h>
#include <stdint.h>
#include "guest_loader.h"
#include "hv/state.h"
#include "linux_boot.h"

#define LX_GDT_GPA          0x1000ull
#define LX_GDT_ENTRIES      4u
#define LX_STACK_GPA        0x7000ull
#define LX_BOOT_PARAMS_GPA  0x7000ull
#define LX_PML4_GPA         0x9000ull
#define LX_PDPT_GPA         0xa000ull
#define LX_PD_GPA           0xb000ull       /* LX_PD_COUNT pages */
#define LX_PD_COUNT         4u
#define LX_IDENT_MAP_END    0x100000000ull  /* [0, 4 GiB) identity-mapped */
#define LX_CMDLINE_GPA      0x20000ull
#define LX_CMDLINE_MAX      0x10000ull      /* bytes at LX_CMDLINE_GPA, the NUL included */
#define LX_KERNEL_MIN       0x100000ull     /* kernel and initrd at or above 1 MiB */
#define LX_DEFAULT_PREF     0x1000000ull    /* 16 MiB, when pref_address is 0 */
#define LX_HEAP_END_PTR     0xfe00u
#define LX_BOOT_CS          0x10u           /* __BOOT_CS */
#define LX_BOOT_DS          0x18u           /* __BOOT_DS */

enum lx_error {
    LX_OK = 0,
    LX_ERR_ARGS = -1,               /* NULL pointers, no RAM, initrd bytes missing */
    LX_ERR_NOT_BZIMAGE = -2,        /* no 0xAA55 at 0x1fe or no "HdrS" at 0x202, or too short */
    LX_ERR_PROTOCOL = -3,           /* boot protocol older than 2.10 */
    LX_ERR_NOT_64BIT = -4,          /* no 64-bit entry point (xloadflags XLF_KERNEL_64) */
    LX_ERR_BAD_HEADER = -5,         /* header length, syssize, init_size or alignment invalid */
    LX_ERR_TRUNCATED = -6,          /* the setup or protected-mode code runs past the file */
    LX_ERR_KERNEL_NO_ROOM = -7,     /* init_size bytes do not fit in guest RAM below 4 GiB */
    LX_ERR_INITRD_NO_ROOM = -8,     /* the initrd does not fit below initrd_addr_max / RAM top */
    LX_ERR_CMDLINE_TOO_LONG = -9,   /* longer than cmdline_size (or LX_CMDLINE_MAX - 1) */
};
#define LX_ERR_LAST LX_ERR_CMDLINE_TOO_LONG

/*
 * Exit statuses (lx_error_status): LX_OK -> 0, loader error -n ->
 * LX_STATUS_BASE + n, i.e. 113 (LX_ERR_ARGS) .. 121 (LX_ERR_CMDLINE_TOO_LONG),
 * one per error, apart from the Multiboot loader's 65..92 (guest_loader.h)
 * and the platform's 240.. (vmm_status.h); any other value -> LX_STATUS_BASE.
 */
#define LX_STATUS_BASE 112
int lx_error_status(int err);

/* A one-line description of an LX_* code ("unknown Linux loader error" for others). */
const char *lx_error_name(int err);

/* The boot sector signature 0xAA55 at 0x1fe and "HdrS" at 0x202. */
bool lx_detect(const void *image, uint64_t len);

struct lx_args {
    const char *cmdline;            /* NULL: "" */
    const void *initrd;             /* initrd_len bytes; NULL when initrd_len is 0 */
    uint64_t initrd_len;            /* 0: no initrd */
    uint64_t rsdp_gpa;              /* where the VMM put the ACPI RSDP; 0: not given */
};

/* How to enter the kernel: what the VMM writes into the vCPU. */
struct lx_entry {
    uint64_t rip, rsi, rsp;
    uint64_t cr0, cr3, cr4, efer;
    uint64_t gdt_base;
    uint16_t gdt_limit;
    uint16_t cs, ds;                /* ds also for es, ss, fs, gs */
};

/* Where everything went. */
struct lx_boot {
    struct lx_entry entry;
    uint16_t version;               /* the boot protocol, e.g. 0x020f */
    uint64_t kernel_gpa;            /* the protected-mode kernel's load address */
    uint64_t kernel_len;            /* its bytes in the file (syssize * 16) */
    uint64_t kernel_end;            /* kernel_gpa + init_size */
    uint64_t initrd_gpa, initrd_len;/* 0, 0 without an initrd */
    uint64_t cmdline_gpa;
    uint64_t cmdline_len;           /* without the NUL */
    uint64_t boot_params_gpa;
    unsigned e820_entries;
};

/* Load the kernel and initrd, write the command line, the zero page, the GDT and the
 * page tables, and say how to enter. LX_OK or an LX_ERR_*: then RAM and *out are
 * untouched. */
int lx_load(const void *image, uint64_t len, const struct gl_ram *ram, const struct lx_args *args,
            struct lx_boot *out);

/* The layout's memory map as e820 entries (at most max); their number. */
unsigned lx_e820_from_layout(const struct gl_layout *l, struct lb_e820_entry *entries,
                             unsigned max);

/* linux_entry.c: the GDT and the page tables at their places (RAM already checked to hold
 * them), and the entry state for a kernel loaded at kernel_gpa. */
void lx_write_gdt(uint8_t *gdt);
void lx_write_page_tables(uint8_t *pml4, uint8_t *pdpt, uint8_t *pds);
void lx_entry_state(uint64_t kernel_gpa, struct lx_entry *e);

/* The entry state into vCPU state read back from the kernel: segments, GDTR, control
 * registers (lx_entry_sregs; LDTR, TR, IDTR and CR2 kept), and the general registers
 * (lx_entry_regs: all 0 but rip, rsi, rsp; rflags 0x2). */
void lx_entry_sregs(const struct lx_entry *e, struct hv_vcpu_sregs *sr);
void lx_entry_regs(const struct lx_entry *e, struct hv_vcpu_state *s);

#endif
