/*
 * The kernel's own tests (tests/kernel/), linked into build/kernel-test.elf
 * only. The production kernel leaves the symbol undefined (weak: NULL) and
 * refuses test=vmx and test=bench.
 */
#ifndef KTEST_H
#define KTEST_H

#include <stdint.h>
#include "boot_info.h"

/* test=vmx and test=bench: the number of failed tests. */
int kernel_selftest(const struct boot_info *bi, uint64_t calibration_ticks) __attribute__((weak));

#endif
