/* The test kernel's entry into its own tests (boot/include/ktest.h). */
#include "base.h"
#include "ktest.h"
#include "vmx_selftest.h"

int kernel_selftest(const struct boot_info *bi, uint64_t calibration_ticks)
{
    int failed = 0;
    if (cmdline_has("test", "vmx"))
        failed += vmx_selftest(bi);
    if (cmdline_has("test", "bench")) {
        failed += vmx_bench(bi);
        uint64_t to_guest = vmx_first_entry_tsc - kernel_entry_tsc;
        pr_info("bench: %llu ticks from kernel entry to the first guest entry "
                "(%llu waiting for the UART, %llu calibrating timers, %llu the rest)\n",
                (unsigned long long)to_guest, (unsigned long long)vmx_first_entry_uart_ticks,
                (unsigned long long)calibration_ticks,
                (unsigned long long)(to_guest - vmx_first_entry_uart_ticks - calibration_ticks));
    }
    return failed;
}
