/* The kernel's start: bring the machine up in a fixed, explicit order. */
#include "acpi.h"
#include "cpu.h"
#include "base.h"
#include "console_irq.h"
#include "host_rtc.h"
#include "ioapic_hw.h"
#include "kstring.h"
#include "ktest.h"
#include "lapic.h"
#include "mm.h"
#include "percpu.h"
#include "process.h"
#include "syscall_impl.h"
#include "sched.h"
#include "vmx.h"
#include "vmx_setup.h"
#include "x86.h"

static const char *loader_name(uint32_t l)
{
    return l == BOOT_LOADER_EFI ? "UEFI (BOOTX64.EFI)" : l == BOOT_LOADER_MULTIBOOT2 ? "Multiboot2" : "?";
}

static void cpu_banner(void)
{
    struct cpuid_regs v = cpuid(0, 0);
    char vendor[13];
    *(uint32_t *)&vendor[0] = v.ebx;
    *(uint32_t *)&vendor[4] = v.edx;
    *(uint32_t *)&vendor[8] = v.ecx;
    vendor[12] = 0;
    struct cpuid_regs f = cpuid(1, 0);
    pr_info("cpu: %s family %u model %u stepping %u\n", vendor,
            ((f.eax >> 8) & 0xf) + ((f.eax >> 20) & 0xff), ((f.eax >> 4) & 0xf) | ((f.eax >> 12) & 0xf0),
            f.eax & 0xf);
}

/* test=fault: a deliberate kernel bug, to prove the fault path reports and stops. */
static void __attribute__((noinline)) test_fault(void)
{
    pr_info("test: writing through a NULL pointer\n");
    *(volatile uint64_t *)0 = 0xdead;
}

/*
 * The host I/O APICs (all pins masked) and COM1's receive interrupt on one of
 * them, for console_bind. Without them console input is polled.
 */
static void console_input_irq_init(const struct acpi_info *acpi)
{
    for (uint32_t i = 0; i < acpi->nioapics && i < ACPI_MAX_IOAPICS; i++) {
        hv_status_t rc = paging_map_uncached(acpi->ioapics[i].addr);
        if (rc != HV_OK) {
            pr_warn("ioapic: cannot map 0x%x uncached (%d): no device interrupts\n",
                    acpi->ioapics[i].addr, rc);
            return;
        }
    }
    if (acpi->nioapics)
        ioapic_init(acpi);
    if (console_irq_init(VEC_CONSOLE, lapic_id()))
        pr_info("console: COM1 input by interrupt (vector 0x%x)\n", VEC_CONSOLE);
    else
        pr_info("console: COM1 input polled while bound (no I/O APIC route)\n");
}

void kmain(struct boot_info *bi)
{
    console_init(bi->cmdline);
    pr_info("\nhv: microhypervisor starting, loaded by %s, cmdline \"%s\"\n",
            loader_name(bi->loader), bi->cmdline);
    gdt_init_boot();
    idt_init();
    percpu_init_boot();
    cpu_banner();
    mm_init(bi);
    paging_init(bi);                    /* its tables come from mm_init's frames */
    if (cmdline_has("test", "fault"))
        test_fault();

    static struct acpi_info acpi;
    if (acpi_init(bi->rsdp, &acpi, paging_is_mapped) != HV_OK)
        pr_warn("acpi: continuing with the boot CPU only\n");
    cpus_online = acpi.ncpus_enabled ? acpi.ncpus_enabled : 1;
    pic_disable();
    host_rtc_init(HOST_RTC_CENTURY);
    lapic_init();
    console_input_irq_init(&acpi);
    uint64_t t0 = rdtsc(), w0 = console_wait_ticks;
    lapic_timer_calibrate();
    uint64_t calibration_ticks = rdtsc() - t0 - (console_wait_ticks - w0);

    vmx_init_boot_cpu();
    uint64_t ticks = rdtsc() - kernel_entry_tsc, waits = console_wait_ticks;
    pr_info("hv: %llu TSC ticks from kernel entry to VMXON ok (%llu waiting for the UART, "
            "%llu calibrating timers, %llu the rest)\n", (unsigned long long)ticks,
            (unsigned long long)waits, (unsigned long long)calibration_ticks,
            (unsigned long long)(ticks - waits - calibration_ticks));
    vmx_setup();

    /* test=vmx and test=bench run the kernel's own tests, linked into the test kernel only. */
    bool kernel_test_only = cmdline_has("test", "vmx") || cmdline_has("test", "bench");
    int failed = 0;
    if (kernel_test_only) {
        if (!kernel_selftest) {
            pr_err("hv: test=vmx and test=bench need the test kernel (build/kernel-test.elf)\n");
            shutdown(SHUTDOWN_FAIL);
        }
        failed = kernel_selftest(bi, calibration_ticks);
    }
    pr_info("hv: boot complete\n");
    /* The root task runs next unless this boot was only the kernel's VMX self-test. */
    if (failed || cmdline_has("test", "vmx"))
        shutdown(failed ? SHUTDOWN_FAIL : SHUTDOWN_OK);
    if (!boot_module_find(bi, "root")) {
        if (kernel_test_only)
            shutdown(SHUTDOWN_OK);
        pr_err("hv: no boot module named \"root\": there is no root task to run\n");
        shutdown(SHUTDOWN_BAD_BOOT);
    }
    sched_init_cpu();
    syscall_init();
    root_task_start(bi);
    sched_idle();                       /* the boot context idles from now on */
}
