/*
 * BOOTX64.EFI: loads \hv\kernel.elf (or whatever \hv\hv.cfg names) and its
 * modules from the volume it was started from, builds struct boot_info,
 * leaves boot services and jumps to the kernel:
 *
 *   config -> kernel ELF -> boot_info -> modules -> memory map
 *   -> ExitBootServices -> cli -> entry(bi)
 *
 * Any failure before ExitBootServices is reported (step, EFI status name
 * and number) on ConOut and COM1, allocations are given back and the status
 * is returned to the firmware.
 */
#include <efi.h>
#include "boot_info.h"
#include "bootinfo_build.h"
#include "cfg.h"
#include "con.h"
#include "fs.h"
#include "kelf.h"

#define CFG_FILE        "\\hv\\hv.cfg"
#define CFG_MAX_SIZE    (64 * 1024)
#define PAGE_SIZE       ((UINT64)4096)
/* The kernel's early page tables identity map the first 4 GiB only. */
#define LOW_MEM_LIMIT   ((UINT64)0xffffffff)
#define MAP_SLACK_DESCS 32      /* room for the map to grow while we allocate */
#define EBS_TRIES       8

typedef void (__attribute__((sysv_abi)) *kernel_entry_fn)(struct boot_info *bi);

static EFI_BOOT_SERVICES *bs;
static EFI_FILE_HANDLE root;
static struct hv_cfg cfg;
static struct kelf kelf;

/* Pages we own, given back when we fail before ExitBootServices. */
static struct {
    EFI_PHYSICAL_ADDRESS base;
    UINTN pages;
} owned[KELF_MAX_SEGS + BOOT_MAX_MODULES + 4];
static unsigned nowned;

static UINTN pages_for(UINT64 bytes)
{
    return (UINTN)((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
}

static EFI_STATUS alloc_pages(EFI_ALLOCATE_TYPE type, UINTN pages, EFI_PHYSICAL_ADDRESS *addr)
{
    if (nowned >= sizeof(owned) / sizeof(owned[0]))
        return EFI_OUT_OF_RESOURCES;
    EFI_STATUS st = bs->AllocatePages(type, EfiLoaderData, pages, addr);
    if (!EFI_ERROR(st)) {
        owned[nowned].base = *addr;
        owned[nowned].pages = pages;
        nowned++;
    }
    return st;
}

static void free_owned(void)
{
    while (nowned > 0) {
        nowned--;
        bs->FreePages(owned[nowned].base, owned[nowned].pages);
    }
}

static void free_pool(void *p)
{
    if (p)
        bs->FreePool(p);
}

/* ---- config ------------------------------------------------------------- */

static EFI_STATUS read_config(void)
{
    EFI_FILE_HANDLE f;
    UINT64 size;
    char *text = NULL;
    const char *err;
    unsigned line;
    EFI_STATUS st;

    st = fs_open(root, "config", CFG_FILE, &f, &size);
    if (EFI_ERROR(st))
        return st;
    if (size > CFG_MAX_SIZE) {
        st = EFI_BAD_BUFFER_SIZE;
        fail(st, "config %s: too large (%lu bytes, max %u)", CFG_FILE, size, CFG_MAX_SIZE);
        goto out;
    }
    st = bs->AllocatePool(EfiLoaderData, size ? size : 1, (void **)&text);
    if (EFI_ERROR(st)) {
        text = NULL;
        fail(st, "allocate %lu bytes for config %s", size, CFG_FILE);
        goto out;
    }
    st = fs_read(f, "config", CFG_FILE, text, size);
    if (EFI_ERROR(st))
        goto out;
    if (cfg_parse(text, size, &cfg, &err, &line) != HV_OK) {
        st = EFI_INVALID_PARAMETER;
        if (line)
            fail(st, "config %s line %u: %s", CFG_FILE, line, err);
        else
            fail(st, "config %s: %s", CFG_FILE, err);
        goto out;
    }
    say("config %s: kernel %s, %u module(s), cmdline \"%s\"", CFG_FILE, cfg.kernel,
        cfg.nmodules, cfg.cmdline);
out:
    free_pool(text);
    fs_close(f);
    return st;
}

/* ---- kernel ------------------------------------------------------------- */

static EFI_STATUS load_kernel(void)
{
    EFI_FILE_HANDLE f;
    UINT64 size;
    UINT8 *image = NULL;
    const char *msg;
    EFI_STATUS st;

    st = fs_open(root, "kernel", cfg.kernel, &f, &size);
    if (EFI_ERROR(st))
        return st;
    st = bs->AllocatePool(EfiLoaderData, size ? size : 1, (void **)&image);
    if (EFI_ERROR(st)) {
        image = NULL;
        fail(st, "allocate %lu bytes to read kernel %s", size, cfg.kernel);
        goto out;
    }
    st = fs_read(f, "kernel", cfg.kernel, image, size);
    if (EFI_ERROR(st))
        goto out;

    msg = kelf_parse(image, size, &kelf);
    if (msg) {
        st = EFI_LOAD_ERROR;
        fail(st, "kernel %s: %s", cfg.kernel, msg);
        goto out;
    }
    for (unsigned i = 0; i < kelf.nranges; i++) {
        EFI_PHYSICAL_ADDRESS addr = kelf.ranges[i].base;
        UINT64 len = kelf.ranges[i].pages * PAGE_SIZE;
        st = alloc_pages(AllocateAddress, kelf.ranges[i].pages, &addr);
        if (EFI_ERROR(st)) {
            fail(st, "allocate kernel memory [0x%lx-0x%lx) for %s", kelf.ranges[i].base,
                 kelf.ranges[i].base + len, cfg.kernel);
            goto out;
        }
        bs->SetMem((void *)(UINTN)addr, len, 0);
    }
    for (unsigned i = 0; i < kelf.nsegs; i++) {
        const struct kelf_seg *s = &kelf.segs[i];
        if (s->filesz)
            bs->CopyMem((void *)(UINTN)s->paddr, image + s->offset, s->filesz);
    }
    say("kernel %s: %lu bytes, %u segment(s), entry 0x%lx", cfg.kernel, size, kelf.nsegs,
        kelf.entry);
    for (unsigned i = 0; i < kelf.nranges; i++)
        say("  kernel memory [0x%lx-0x%lx)", kelf.ranges[i].base,
            kelf.ranges[i].base + kelf.ranges[i].pages * PAGE_SIZE);
out:
    free_pool(image);
    fs_close(f);
    return st;
}

/* ---- boot_info ---------------------------------------------------------- */

static int guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
    const UINT8 *x = (const UINT8 *)a, *y = (const UINT8 *)b;
    for (unsigned i = 0; i < sizeof(EFI_GUID); i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

static UINT64 find_rsdp(EFI_SYSTEM_TABLE *systab, const char **which)
{
    EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
    EFI_GUID acpi10 = ACPI_TABLE_GUID;
    UINT64 rsdp1 = 0;

    for (UINTN i = 0; i < systab->NumberOfTableEntries; i++) {
        EFI_CONFIGURATION_TABLE *t = &systab->ConfigurationTable[i];
        if (guid_eq(&t->VendorGuid, &acpi20)) {
            *which = "ACPI 2.0";
            return (UINT64)(UINTN)t->VendorTable;
        }
        if (!rsdp1 && guid_eq(&t->VendorGuid, &acpi10))
            rsdp1 = (UINT64)(UINTN)t->VendorTable;
    }
    *which = rsdp1 ? "ACPI 1.0" : "none";
    return rsdp1;
}

static EFI_STATUS make_boot_info(EFI_SYSTEM_TABLE *systab, struct boot_info **out)
{
    EFI_PHYSICAL_ADDRESS addr = LOW_MEM_LIMIT;
    const char *which;
    EFI_STATUS st;

    st = alloc_pages(AllocateMaxAddress, pages_for(sizeof(struct boot_info)), &addr);
    if (EFI_ERROR(st)) {
        fail(st, "allocate boot_info (%lu bytes)", (UINT64)sizeof(struct boot_info));
        return st;
    }
    struct boot_info *bi = (struct boot_info *)(UINTN)addr;
    bi_init(bi, BOOT_LOADER_EFI);
    bi_set_cmdline(bi, cfg.cmdline);
    bi->rsdp = find_rsdp(systab, &which);
    say("boot_info at 0x%lx, RSDP 0x%lx (%s)", addr, bi->rsdp, which);
    *out = bi;
    return EFI_SUCCESS;
}

/* ---- modules ------------------------------------------------------------ */

static EFI_STATUS load_module(const struct cfg_module *m, struct boot_info *bi)
{
    EFI_FILE_HANDLE f;
    EFI_PHYSICAL_ADDRESS addr = LOW_MEM_LIMIT;
    UINT64 size;
    UINTN pages;
    EFI_STATUS st;

    st = fs_open(root, "module", m->path, &f, &size);
    if (EFI_ERROR(st))
        return st;
    pages = size ? pages_for(size) : 1;
    st = alloc_pages(AllocateMaxAddress, pages, &addr);
    if (EFI_ERROR(st)) {
        fail(st, "allocate %lu bytes for module %s", size, m->path);
        goto out;
    }
    /* Zero the tail of the last page so nothing stale follows the data. */
    bs->SetMem((void *)(UINTN)(addr + size), pages * PAGE_SIZE - size, 0);
    st = fs_read(f, "module", m->path, (void *)(UINTN)addr, size);
    if (EFI_ERROR(st))
        goto out;
    if (bi_add_module(bi, addr, size, m->name) != HV_OK) {
        st = EFI_OUT_OF_RESOURCES;
        fail(st, "record module %s: boot_info module table full", m->path);
        goto out;
    }
    say("module %s \"%s\": %lu bytes at 0x%lx", m->path, m->name, size, addr);
out:
    fs_close(f);
    return st;
}

/* ---- memory map, ExitBootServices, jump ---------------------------------- */

/*
 * Returns only on failure before the first ExitBootServices call. Once that
 * call has been made (even if it failed) the firmware may be half torn down:
 * errors then go to COM1 and the CPU halts.
 */
static EFI_STATUS exit_and_jump(EFI_HANDLE image, struct boot_info *bi)
{
    UINTN map_size = 0, cap, key = 0, dsize = 0;
    UINT32 dver = 0;
    void *map = NULL;
    EFI_STATUS st;
    hv_status_t rc;

    st = bs->GetMemoryMap(&map_size, NULL, &key, &dsize, &dver);
    if (st != EFI_BUFFER_TOO_SMALL || dsize == 0) {
        if (!EFI_ERROR(st))
            st = EFI_DEVICE_ERROR;
        fail(st, "get memory map size");
        return st;
    }
    /* Allocating the buffer changes the map: leave room for growth. */
    for (int tries = 0;; tries++) {
        cap = map_size + MAP_SLACK_DESCS * dsize;
        st = bs->AllocatePool(EfiLoaderData, cap, &map);
        if (EFI_ERROR(st)) {
            fail(st, "allocate %lu bytes for the memory map", (UINT64)cap);
            return st;
        }
        map_size = cap;
        st = bs->GetMemoryMap(&map_size, map, &key, &dsize, &dver);
        if (st != EFI_BUFFER_TOO_SMALL || tries >= 3)
            break;
        bs->FreePool(map);
        map = NULL;
    }
    if (EFI_ERROR(st)) {
        fail(st, "get memory map");
        free_pool(map);
        return st;
    }
    /* Dry run while we can still report and return: does the map fit? */
    rc = bi_add_efi_map(bi, map, map_size, dsize);
    bi->nranges = 0;
    if (rc != HV_OK) {
        st = EFI_BUFFER_TOO_SMALL;
        fail(st, "memory map (%lu descriptors) does not fit boot_info (max %u ranges)",
             (UINT64)(map_size / dsize), BOOT_MAX_RANGES);
        free_pool(map);
        return st;
    }
    say("memory map: %lu descriptors of %lu bytes; exiting boot services",
        (UINT64)(map_size / dsize), (UINT64)dsize);

    /* From here on nothing may allocate or print through the firmware. */
    con_use_firmware(0);
    int calls = 0;
    while (calls < EBS_TRIES) {
        map_size = cap;
        st = bs->GetMemoryMap(&map_size, map, &key, &dsize, &dver);
        if (EFI_ERROR(st))
            break;
        st = bs->ExitBootServices(image, key);
        calls++;
        if (st == EFI_SUCCESS)
            goto exited;
        if (st != EFI_INVALID_PARAMETER)    /* not a stale map key */
            break;
    }
    if (calls == 0) {
        con_use_firmware(1);
        fail(st, "get memory map for ExitBootServices");
        free_pool(map);
        return st;
    }
    /* Boot services may be half gone: COM1 only, no return to the firmware. */
    fail(st, "ExitBootServices failed (%d call(s)), halting", calls);
    halt_forever();

exited:
    rc = bi_add_efi_map(bi, map, map_size, dsize);
    if (rc != HV_OK) {
        say("fatal: memory map (%lu descriptors) does not fit boot_info (error %d); halting",
            (UINT64)(map_size / dsize), rc);
        halt_forever();
    }
    say("boot services exited: %u memory ranges, %u module(s); jumping to 0x%lx",
        bi->nranges, bi->nmodules, kelf.entry);
    __asm__ volatile("cli" ::: "memory");
    ((kernel_entry_fn)(UINTN)kelf.entry)(bi);
    halt_forever();     /* the kernel never returns */
}

/* ---- entry -------------------------------------------------------------- */

static EFI_STATUS boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    struct boot_info *bi;
    EFI_STATUS st;

    st = fs_open_root(image, bs, &root);
    if (EFI_ERROR(st)) {
        root = NULL;
        return st;
    }
    st = read_config();
    if (EFI_ERROR(st))
        return st;
    st = load_kernel();
    if (EFI_ERROR(st))
        return st;
    st = make_boot_info(systab, &bi);
    if (EFI_ERROR(st))
        return st;
    for (unsigned i = 0; i < cfg.nmodules; i++) {
        st = load_module(&cfg.modules[i], bi);
        if (EFI_ERROR(st))
            return st;
    }
    fs_close(root);
    root = NULL;
    return exit_and_jump(image, bi);
}

static void ascii_of(char *dst, unsigned cap, const CHAR16 *src)
{
    unsigned i = 0;
    if (src)
        for (; i + 1 < cap && src[i]; i++)
            dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
    dst[i] = '\0';
}

/* Called by gnu-efi's crt0 (_start) after self-relocation, SysV ABI. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    char vendor[48];
    EFI_STATUS st;

    bs = systab->BootServices;
    con_init(systab);
    ascii_of(vendor, sizeof(vendor), systab->FirmwareVendor);
    say("hypervisor loader (BOOTX64.EFI), UEFI %u.%u, firmware \"%s\" rev 0x%x",
        systab->Hdr.Revision >> 16, systab->Hdr.Revision & 0xffff, vendor,
        systab->FirmwareRevision);

    st = boot(image, systab);

    /* Only failures before ExitBootServices come back here. */
    fs_close(root);
    root = NULL;
    free_owned();
    bs->Stall(1000000);
    say("boot failed; returning %s (0x%lx) to the firmware", efi_status_name(st), st);
    return st;
}
