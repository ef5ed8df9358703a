/*
 * kernel/cmdline_parse.c tests: "key=value key2=a,b flag" lookups, the
 * last-setting-wins rule, prefix keys, truncation, whitespace and the
 * comma-list helper.
 */
#include <stdlib.h>
#include <string.h>
#include "cmdline_parse.h"
#include "ut.h"

/* Looks key up; returns the value or NULL, checking the returned pointer is buf. */
static const char *look(const char *cmdline, const char *key)
{
    static char buf[256];
    memset(buf, 'Z', sizeof buf);
    const char *r = cmdline_lookup(cmdline, key, buf, sizeof buf);
    if (r && r != buf)
        return "<not buf>";
    return r;
}

static int val_is(const char *cmdline, const char *key, const char *want)
{
    const char *v = look(cmdline, key);
    if (!v) {
        printf("    \"%s\" [%s]: absent, want \"%s\"\n", cmdline ? cmdline : "(NULL)", key, want);
        return 0;
    }
    if (strcmp(v, want) != 0) {
        printf("    \"%s\" [%s]: \"%s\", want \"%s\"\n", cmdline, key, v, want);
        return 0;
    }
    return 1;
}

UT_TEST(cmdline_key_value_lookup)
{
    const char *c = "console=com1 log=info mem=512M";
    CHECK(val_is(c, "console", "com1"));
    CHECK(val_is(c, "log", "info"));
    CHECK(val_is(c, "mem", "512M"));
    CHECK(look(c, "debug") == NULL);
    CHECK(look(c, "com1") == NULL);          /* values are not keys */
    CHECK(look(c, "info") == NULL);
}

UT_TEST(cmdline_first_and_last_token)
{
    CHECK(val_is("a=1", "a", "1"));
    CHECK(val_is("a=1 b=2", "a", "1"));
    CHECK(val_is("a=1 b=2", "b", "2"));
    CHECK(val_is("x", "x", ""));
}

UT_TEST(cmdline_bare_flag_is_empty_value)
{
    const char *c = "quiet console=com1 nosmp";
    CHECK(val_is(c, "quiet", ""));
    CHECK(val_is(c, "nosmp", ""));
    CHECK(look(c, "nosm") == NULL);          /* a prefix of a flag is not it */
    CHECK(look(c, "quiets") == NULL);
}

UT_TEST(cmdline_empty_value_after_equals)
{
    CHECK(val_is("log= console=com1", "log", ""));
    CHECK(val_is("console=com1 log=", "log", ""));
}

UT_TEST(cmdline_value_may_contain_equals)
{
    CHECK(val_is("opt=a=b", "opt", "a=b"));
    CHECK(val_is("opt==", "opt", "="));
}

UT_TEST(cmdline_later_settings_win)
{
    CHECK(val_is("log=info log=debug", "log", "debug"));
    CHECK(val_is("log=info console=com1 log=trace", "log", "trace"));
    CHECK(val_is("log=info log", "log", ""));       /* later bare flag wins too */
    CHECK(val_is("log log=warn", "log", "warn"));
    CHECK(val_is("log=info logx=1", "log", "info")); /* later non-match ignored */
}

UT_TEST(cmdline_prefix_keys_not_confused)
{
    const char *c = "logx=1 log_level=3 xlog=2 logfile";
    CHECK(look(c, "log") == NULL);
    CHECK(val_is(c, "logx", "1"));
    CHECK(val_is(c, "log_level", "3"));
    CHECK(val_is(c, "xlog", "2"));
    CHECK(val_is(c, "logfile", ""));
    CHECK(val_is("logx=1 log=info", "log", "info"));
    CHECK(val_is("log=info logx=1", "logx", "1"));
    CHECK(look("lo=1", "log") == NULL);       /* key longer than the token */
    CHECK(look("l", "log") == NULL);
}

UT_TEST(cmdline_whitespace_tabs_and_runs)
{
    const char *c = "  \tconsole=com1\t\tlog=info   \n mem=1G \r\n";
    CHECK(val_is(c, "console", "com1"));
    CHECK(val_is(c, "log", "info"));
    CHECK(val_is(c, "mem", "1G"));
    CHECK(look(c, "") == NULL);
    CHECK(look("   ", "log") == NULL);
    CHECK(look("", "log") == NULL);
    CHECK(val_is("\tlog=a\t", "log", "a"));
}

UT_TEST(cmdline_value_truncation)
{
    char buf[8];
    memset(buf, 'Z', sizeof buf);
    const char *r = cmdline_lookup("k=0123456789 j=1", "k", buf, 5);
    CHECK(r == buf);
    CHECK(strcmp(buf, "0123") == 0);          /* cap-1 bytes and a NUL */
    CHECK_EQ(buf[5], 'Z');                    /* nothing past cap */

    memset(buf, 'Z', sizeof buf);
    r = cmdline_lookup("k=0123456789", "k", buf, 1);
    CHECK(r == buf);
    CHECK_EQ(buf[0], '\0');
    CHECK_EQ(buf[1], 'Z');

    memset(buf, 'Z', sizeof buf);
    r = cmdline_lookup("k=0123456", "k", buf, 8);  /* exact fit */
    CHECK(r == buf);
    CHECK(strcmp(buf, "0123456") == 0);

    memset(buf, 'Z', sizeof buf);                  /* cap 0: nothing written */
    CHECK(cmdline_lookup("k=1", "k", buf, 0) == NULL);
    CHECK_EQ(buf[0], 'Z');
}

UT_TEST(cmdline_lookup_bad_inputs)
{
    char buf[16];
    CHECK(cmdline_lookup(NULL, "log", buf, sizeof buf) == NULL);
    CHECK(cmdline_lookup("log=1", "", buf, sizeof buf) == NULL);
    CHECK(!cmdline_list_has(NULL, "log", "a"));
}

UT_TEST(cmdline_lookup_does_not_overread)
{
    /* Exact-size heap copies: ASan catches a read past the terminator. */
    const char *src[] = { "log", "log=", "log=x", "a log", "log=x ", " " };
    for (unsigned i = 0; i < sizeof src / sizeof *src; i++) {
        size_t n = strlen(src[i]) + 1;
        char *c = malloc(n);
        memcpy(c, src[i], n);
        char buf[8];
        CHECK(cmdline_lookup(c, "log", buf, sizeof buf) != NULL || i == 5);
        free(c);
    }
}

UT_TEST(cmdline_list_has_exact_items)
{
    const char *c = "log=info trace=vmexit,ept,io console=com1";
    CHECK(cmdline_list_has(c, "trace", "vmexit"));
    CHECK(cmdline_list_has(c, "trace", "ept"));
    CHECK(cmdline_list_has(c, "trace", "io"));
    CHECK(!cmdline_list_has(c, "trace", "vm"));       /* prefix of an item */
    CHECK(!cmdline_list_has(c, "trace", "vmexits"));  /* item is a prefix */
    CHECK(!cmdline_list_has(c, "trace", "e"));
    CHECK(!cmdline_list_has(c, "trace", "ept,io"));
    CHECK(!cmdline_list_has(c, "trace", "i"));
    CHECK(!cmdline_list_has(c, "trace", "ios"));
    CHECK(!cmdline_list_has(c, "trace", ""));
    CHECK(cmdline_list_has(c, "log", "info"));        /* single item list */
    CHECK(!cmdline_list_has(c, "log", "inf"));
    CHECK(!cmdline_list_has(c, "missing", "info"));
    CHECK(!cmdline_list_has(c, "trac", "ept"));       /* key prefix */
}

UT_TEST(cmdline_list_has_uses_last_setting)
{
    const char *c = "trace=a,b trace=c";
    CHECK(!cmdline_list_has(c, "trace", "a"));
    CHECK(cmdline_list_has(c, "trace", "c"));
    CHECK(!cmdline_list_has("trace=a trace", "trace", "a"));
}

UT_TEST(cmdline_list_has_empty_items)
{
    const char *c = "t=,a,,b,";
    CHECK(cmdline_list_has(c, "t", "a"));
    CHECK(cmdline_list_has(c, "t", "b"));
    CHECK(!cmdline_list_has(c, "t", "ab"));
    CHECK(!cmdline_list_has("t", "t", "t"));          /* bare flag: empty list */
}

/*
 * Regression (once a bug in kernel/cmdline_parse.c, cmdline_list_has): the value is first copied
 * into a 128-byte stack buffer, so a list longer than 127 characters is
 * cut and the cut-off tail is matched as if it were a whole item. Here the
 * value is 121 'a's, a comma, then "vmexit_all": the copy ends in "vmexi",
 * so cmdline_list_has(.., "vmexi") is true although no such item exists,
 * and the real item "vmexit_all" is not found.
 */
UT_TEST(cmdline_regress_list_has_long_value_truncated)
{
    char c[300];
    char *p = c;
    p += sprintf(p, "trace=");
    memset(p, 'a', 121);
    p += 121;
    sprintf(p, ",vmexit_all log=info");
    CHECK(!cmdline_list_has(c, "trace", "vmexi"));      /* false positive */
    CHECK(cmdline_list_has(c, "trace", "vmexit_all"));  /* false negative */
    CHECK(cmdline_list_has(c, "log", "info"));
}

UT_TEST(cmdline_quoted_values_keep_spaces)
{
    char buf[64];
    const char *c = "console=com1 guest.args=\"console=ttyS0 mbtest=42\" log=debug";
    CHECK(cmdline_lookup(c, "guest.args", buf, sizeof(buf)));
    CHECK(!strcmp(buf, "console=ttyS0 mbtest=42"));
    CHECK(cmdline_lookup(c, "log", buf, sizeof(buf)) && !strcmp(buf, "debug"));
    CHECK(cmdline_lookup(c, "console", buf, sizeof(buf)) && !strcmp(buf, "com1"));
    /* The words inside the quotes are no keys of their own. */
    CHECK(!cmdline_lookup(c, "mbtest", buf, sizeof(buf)));
    CHECK(cmdline_lookup("a=\"\" b=1", "a", buf, sizeof(buf)) && !strcmp(buf, ""));
    /* GRUB hands key="a b" on as "key=a b". */
    const char *g = "console=com1 guest=demo \"guest.args=mbtest=42 x=y\" log=info";
    CHECK(cmdline_lookup(g, "guest.args", buf, sizeof(buf)) && !strcmp(buf, "mbtest=42 x=y"));
    CHECK(cmdline_lookup(g, "log", buf, sizeof(buf)) && !strcmp(buf, "info"));
    /* An unmatched quote swallows the rest of the line; nothing is read past it. */
    CHECK(cmdline_lookup("x=\"open b=2", "x", buf, sizeof(buf)) && !strcmp(buf, "\"open b=2"));
    CHECK(!cmdline_lookup("x=\"open b=2", "b", buf, sizeof(buf)));
}
