/*
 * C side of the two entry paths. Both end in kmain() with a struct
 * boot_info that the kernel owns (a copy in .bss: the loader's copy lives in
 * memory that is reclaimed later).
 */
#include "bootinfo_build.h"
#include "base.h"

#define MB2_BOOT_MAGIC 0x36d76289u

void kmain(struct boot_info *bi) __attribute__((noreturn));
void efi_entry(const struct boot_info *bi) __attribute__((noreturn));
void mb2_main(uint32_t magic, uint32_t mbi) __attribute__((noreturn));

static struct boot_info boot_info;

void efi_entry(const struct boot_info *bi)
{
    if (!bi || bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION) {
        console_init("");
        pr_err("boot: the loader passed no valid boot_info (%p)\n", (const void *)bi);
        shutdown(SHUTDOWN_BAD_BOOT);
    }
    boot_info = *bi;
    /* Never trust counts from outside: clamp them to the arrays. */
    if (boot_info.nranges > BOOT_MAX_RANGES)
        boot_info.nranges = BOOT_MAX_RANGES;
    if (boot_info.nmodules > BOOT_MAX_MODULES)
        boot_info.nmodules = BOOT_MAX_MODULES;
    boot_info.cmdline[BOOT_CMDLINE_MAX - 1] = '\0';
    kmain(&boot_info);
}

void mb2_main(uint32_t magic, uint32_t mbi)
{
    if (magic != MB2_BOOT_MAGIC) {
        console_init("");
        pr_err("boot: not started by a Multiboot2 loader (magic 0x%x)\n", magic);
        shutdown(SHUTDOWN_BAD_BOOT);
    }
    hv_status_t rc = mb2_parse((const void *)(uintptr_t)mbi, &boot_info);
    if (rc != HV_OK) {
        console_init(boot_info.cmdline);
        pr_err("boot: %s in the Multiboot2 information at 0x%x\n",
               rc == HV_ERR_NO_RESOURCES ? "too many memory ranges or modules" : "malformed data",
               mbi);
        shutdown(SHUTDOWN_BAD_BOOT);
    }
    kmain(&boot_info);
}
