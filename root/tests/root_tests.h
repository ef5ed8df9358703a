/*
 * The test root image's modes (build/root-test.elf, main in root/tests/main.c),
 * chosen by the kernel command line (the start-up message's cmdline) option
 * test=LIST, a comma list:
 *   test=bench       hypercall path lengths (root/bench/bench.c)
 *   test=hypercalls  the hypercall self-test (root/tests/hypercalls.c)
 *   test=fuzz        the hypercall fuzzer (root/tests/fuzz.c); fuzz_seed=N and
 *                    fuzz_calls=N override its seed and call count
 *   test=console     console_bind (root/tests/console.c); test=console-input
 *                    also the cases that need typed input
 * Each returns 0 when everything passed.
 */
#ifndef ROOT_TESTS_H
#define ROOT_TESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hv/hv.h"

/* ---- shared by the test modes (root/tests/common.c) ---- */

/* Whether the comma list value of `key` (e.g. "test") holds `item`. */
bool tests_cmdline_has(const struct hv_startup *su, const char *key, const char *item);
/* The unsigned number value of `key` (decimal or 0x hex), or `def`. */
uint64_t tests_cmdline_u64(const struct hv_startup *su, const char *key, uint64_t def);

/* hv_system_info().free_bytes, or 0 when the call fails. */
uint64_t tests_free_bytes(void);
/* Free handle slots: duplicates h until HV_ERR_NO_RESOURCES, closes them
 * again; -1 when something other than exhaustion stopped it. */
int tests_free_handle_slots(hv_handle_t h);

int hypercall_tests(const struct hv_startup *su);
int fuzz_tests(const struct hv_startup *su);
int console_tests(const struct hv_startup *su);

#endif
