/* Kernel-driven VMX self test and benchmark (until the root task drives guests). */
#ifndef VMX_SELFTEST_H
#define VMX_SELFTEST_H

#include <stdint.h>
#include "boot_info.h"

int vmx_selftest(const struct boot_info *bi);   /* test=vmx: number of failed tests */
int vmx_bench(const struct boot_info *bi);      /* test=bench: number of failed runs */
/* TSC and UART-wait ticks at the first VM entry of the boot. */
extern uint64_t vmx_first_entry_tsc, vmx_first_entry_uart_ticks;

#endif
