/* Runs every registered unit test; prints one summary line. */
#include <stdlib.h>
#include <string.h>
#include "ut.h"

#define UT_MAX 1024

static struct { const char *name; ut_fn fn; } tests[UT_MAX];
static int ntests, case_failed;

void ut_register(const char *name, ut_fn fn)
{
    if (ntests == UT_MAX) {
        fprintf(stderr, "ut: too many tests\n");
        exit(2);
    }
    tests[ntests].name = name;
    tests[ntests++].fn = fn;
}

void ut_fail(const char *file, int line, const char *expr)
{
    printf("  %s:%d: CHECK(%s) failed\n", file, line, expr);
    case_failed = 1;
}

void ut_fail_eq(const char *file, int line, const char *a, const char *b,
                unsigned long long va, unsigned long long vb)
{
    printf("  %s:%d: %s == %s failed: 0x%llx != 0x%llx\n", file, line, a, b, va, vb);
    case_failed = 1;
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (int i = 0; i < ntests; i++) {
        if (argc > 1 && !strstr(tests[i].name, argv[1]))
            continue;
        case_failed = 0;
        tests[i].fn();
        printf("%s unit/%s\n", case_failed ? "FAIL" : "PASS", tests[i].name);
        case_failed ? failed++ : passed++;
    }
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
