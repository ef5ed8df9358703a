/*
 * The test root image, build/root-test.elf: the root task's test modes,
 * without the VMM. Test and bench boots load it as the boot module "root"
 * in place of build/root.elf (tests/integration/lib.sh, scripts/bench.sh).
 *
 * The kernel command line option test=LIST (a comma list) picks the modes;
 * every one asked for runs, in this order:
 *   test=bench       hypercall path lengths (root/bench/bench.c)
 *   test=hypercalls  the hypercall self-test (root/tests/hypercalls.c)
 *   test=fuzz        the hypercall fuzzer (root/tests/fuzz.c)
 *   test=console     console_bind (root/tests/console.c); test=console-input
 *                    adds the cases that need typed input (the harness types)
 * The exit status is 0 when all of them passed, else 1. A boot that asks for
 * none of them is a mistake (this image runs no guests: that is the VMM's
 * job, build/root.elf), so it says so and exits with status 1.
 */
#include <stdbool.h>
#include "cmdline_parse.h"
#include "hv/hv.h"
#include "root_bench.h"
#include "root_tests.h"
#include "rt.h"

#define TESTS_FAILURE   1

int main(const struct hv_startup *su)
{
    if (rt_startup_report(su) < 0)
        return TESTS_FAILURE;

    bool bench = cmdline_list_has(su->cmdline, "test", "bench");
    bool hc = cmdline_list_has(su->cmdline, "test", "hypercalls");
    bool fz = cmdline_list_has(su->cmdline, "test", "fuzz");
    bool con = cmdline_list_has(su->cmdline, "test", "console") ||
               cmdline_list_has(su->cmdline, "test", "console-input");
    if (!bench && !hc && !fz && !con) {
        printf("root: test root image: no test mode asked (test=hypercalls, test=fuzz or "
               "test=bench); guests run in the VMM, build/root.elf\n");
        return TESTS_FAILURE;
    }
    int rc = 0;
    if (bench && root_bench())
        rc = TESTS_FAILURE;
    if (hc && hypercall_tests(su))
        rc = TESTS_FAILURE;
    if (fz && fuzz_tests(su))
        rc = TESTS_FAILURE;
    if (con && console_tests(su))
        rc = TESTS_FAILURE;
    return rc;
}
