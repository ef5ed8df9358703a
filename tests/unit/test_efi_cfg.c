/*
 * boot/efi/cfg.c tests: the \hv\hv.cfg format documented in cfg.h —
 * kernel/module/cmdline directives, comments ('#' at the start of a word
 * only), blank lines, CRLF, path normalisation ('/' -> '\', leading '\'),
 * module names, and every error with the line number it reports.
 */
#include <stdlib.h>
#include <string.h>
#include "cfg.h"
#include "ut.h"

static struct hv_cfg cfg;
static const char *cfg_err;
static unsigned cfg_line;

/* Parses len bytes of text (an exact-size heap copy, so ASan sees overreads;
 * text NULL is passed on as is). */
static hv_status_t parse_n(const char *text, size_t len)
{
    char *copy = NULL;
    if (text) {
        copy = malloc(len ? len : 1);
        if (!copy)
            abort();
        memcpy(copy, text, len);
    }
    memset(&cfg, 0xa5, sizeof cfg);         /* cfg_parse must clear it */
    cfg_err = "<untouched>";
    cfg_line = 12345;
    hv_status_t rc = cfg_parse(copy, len, &cfg, &cfg_err, &cfg_line);
    free(copy);
    return rc;
}

static hv_status_t parse(const char *text)
{
    return parse_n(text, strlen(text));
}

/* Parses text, expecting success; reports the error otherwise. */
static int ok(const char *text)
{
    hv_status_t rc = parse(text);
    if (rc != HV_OK) {
        printf("    unexpected error, line %u: %s\n", cfg_line, cfg_err ? cfg_err : "(NULL)");
        return 0;
    }
    if (cfg_err != NULL || cfg_line != 0) {
        printf("    success but err/line not cleared\n");
        return 0;
    }
    return 1;
}

/* Parses len bytes, expecting failure on line want_line with a message holding want. */
static int bad_n(const char *text, size_t len, const char *want, unsigned want_line)
{
    hv_status_t rc = parse_n(text, len);
    if (rc != HV_ERR_INVALID_ARGS) {
        printf("    rc %d, want HV_ERR_INVALID_ARGS (\"%s\")\n", rc, want);
        return 0;
    }
    if (!cfg_err || !strstr(cfg_err, want)) {
        printf("    error \"%s\", want \"%s\"\n", cfg_err ? cfg_err : "(NULL)", want);
        return 0;
    }
    if (cfg_line != want_line) {
        printf("    \"%s\" on line %u, want line %u\n", cfg_err, cfg_line, want_line);
        return 0;
    }
    return 1;
}

static int bad(const char *text, const char *want, unsigned want_line)
{
    return bad_n(text, strlen(text), want, want_line);
}

static int str_is(const char *got, const char *want)
{
    if (strcmp(got, want) != 0) {
        printf("    \"%s\", want \"%s\"\n", got, want);
        return 0;
    }
    return 1;
}

/* ---- accepted files -------------------------------------------------------- */

UT_TEST(cfg_minimal_kernel_only)
{
    CHECK(ok("kernel \\hv\\kernel.elf\n"));
    CHECK(str_is(cfg.kernel, "\\hv\\kernel.elf"));
    CHECK_EQ(cfg.nmodules, 0);
    CHECK(str_is(cfg.cmdline, ""));
}

UT_TEST(cfg_full_file)
{
    CHECK(ok("# hypervisor boot config\n"
             "kernel \\hv\\kernel.elf\n"
             "module \\hv\\guest.bin linux guest\n"
             "module \\hv\\initrd.img\n"
             "cmdline console=com1 log=info\n"));
    CHECK(str_is(cfg.kernel, "\\hv\\kernel.elf"));
    CHECK_EQ(cfg.nmodules, 2);
    CHECK(str_is(cfg.modules[0].path, "\\hv\\guest.bin"));
    CHECK(str_is(cfg.modules[0].name, "linux guest"));
    CHECK(str_is(cfg.modules[1].path, "\\hv\\initrd.img"));
    CHECK(str_is(cfg.modules[1].name, "\\hv\\initrd.img"));
    CHECK(str_is(cfg.cmdline, "console=com1 log=info"));
}

UT_TEST(cfg_directives_in_any_order)
{
    CHECK(ok("cmdline a=1\nmodule m1\nkernel k\nmodule m2\n"));
    CHECK(str_is(cfg.kernel, "\\k"));
    CHECK(str_is(cfg.cmdline, "a=1"));
    CHECK_EQ(cfg.nmodules, 2);
    CHECK(str_is(cfg.modules[0].path, "\\m1"));
    CHECK(str_is(cfg.modules[1].path, "\\m2"));
}

UT_TEST(cfg_no_final_newline)
{
    CHECK(ok("kernel \\k.elf"));
    CHECK(str_is(cfg.kernel, "\\k.elf"));
    CHECK(ok("kernel \\k.elf\ncmdline x y"));
    CHECK(str_is(cfg.cmdline, "x y"));
}

UT_TEST(cfg_blank_lines_and_whitespace)
{
    CHECK(ok("\n\n   \n\t\n"
             "  \t kernel \t \\hv\\k.elf  \t \n"
             "\n"
             "\tmodule   \\m.bin    the   name  \n"
             "\n\n"));
    CHECK(str_is(cfg.kernel, "\\hv\\k.elf"));
    CHECK_EQ(cfg.nmodules, 1);
    CHECK(str_is(cfg.modules[0].path, "\\m.bin"));
    /* inner blanks of a name are kept, outer ones trimmed */
    CHECK(str_is(cfg.modules[0].name, "the   name"));
}

UT_TEST(cfg_crlf_line_endings)
{
    CHECK(ok("# comment\r\n"
             "\r\n"
             "kernel hv/k.elf\r\n"
             "module hv/m.bin\r\n"
             "module hv/n.bin the name\r\n"
             "cmdline a=1 b=2\r\n"));
    CHECK(str_is(cfg.kernel, "\\hv\\k.elf"));
    CHECK_EQ(cfg.nmodules, 2);
    CHECK(str_is(cfg.modules[0].path, "\\hv\\m.bin"));
    CHECK(str_is(cfg.modules[0].name, "\\hv\\m.bin"));
    CHECK(str_is(cfg.modules[1].name, "the name"));
    CHECK(str_is(cfg.cmdline, "a=1 b=2"));
    /* CRLF on the last line without a final LF */
    CHECK(ok("kernel \\k\r\ncmdline z\r"));
    CHECK(str_is(cfg.cmdline, "z"));
}

UT_TEST(cfg_crlf_error_line_numbers)
{
    CHECK(bad("kernel \\k\r\n\r\n# x\r\nbogus\r\n", "unknown directive", 4));
}

UT_TEST(cfg_comment_whole_line)
{
    CHECK(ok("#kernel \\wrong\n"
             "   # indented comment\n"
             "\t#tab-indented comment\n"
             "#\n"
             "kernel \\right\n"));
    CHECK(str_is(cfg.kernel, "\\right"));
}

UT_TEST(cfg_comment_after_directive)
{
    CHECK(ok("kernel \\k.elf # the kernel\n"
             "module \\m.bin #no name given\n"
             "module \\n.bin my name\t# tab before the hash\n"
             "cmdline a=1 b=2 # c=3\n"));
    CHECK(str_is(cfg.kernel, "\\k.elf"));
    CHECK_EQ(cfg.nmodules, 2);
    CHECK(str_is(cfg.modules[0].name, "\\m.bin"));
    CHECK(str_is(cfg.modules[1].name, "my name"));
    CHECK(str_is(cfg.cmdline, "a=1 b=2"));
}

UT_TEST(cfg_hash_inside_word_is_not_comment)
{
    CHECK(ok("kernel \\hv\\k#1.elf\n"
             "module \\m#2 name#3 x#y\n"
             "cmdline a=#b c#d\n"));
    CHECK(str_is(cfg.kernel, "\\hv\\k#1.elf"));
    CHECK(str_is(cfg.modules[0].path, "\\m#2"));
    CHECK(str_is(cfg.modules[0].name, "name#3 x#y"));
    CHECK(str_is(cfg.cmdline, "a=#b c#d"));
    /* ... and a keyword glued to '#' is no keyword */
    CHECK(bad("kernel#x \\k\n", "unknown directive", 1));
}

UT_TEST(cfg_comment_only_cmdline_is_empty)
{
    CHECK(ok("kernel \\k\ncmdline # nothing\n"));
    CHECK(str_is(cfg.cmdline, ""));
    CHECK(ok("kernel \\k\ncmdline\n"));
    CHECK(str_is(cfg.cmdline, ""));
    /* an empty cmdline still counts as given */
    CHECK(bad("kernel \\k\ncmdline\ncmdline x\n", "cmdline given twice", 3));
}

UT_TEST(cfg_path_slash_conversion)
{
    CHECK(ok("kernel /hv/k.elf\n"));
    CHECK(str_is(cfg.kernel, "\\hv\\k.elf"));
    CHECK(ok("kernel hv/k.elf\n"));
    CHECK(str_is(cfg.kernel, "\\hv\\k.elf"));
    CHECK(ok("kernel hv\\k.elf\n"));
    CHECK(str_is(cfg.kernel, "\\hv\\k.elf"));
    CHECK(ok("kernel \\hv/sub\\k.elf\n"));
    CHECK(str_is(cfg.kernel, "\\hv\\sub\\k.elf"));
    CHECK(ok("kernel k.elf\n"));
    CHECK(str_is(cfg.kernel, "\\k.elf"));
    CHECK(ok("kernel /\n"));
    CHECK(str_is(cfg.kernel, "\\"));
    /* module paths get the same treatment */
    CHECK(ok("kernel k\nmodule a/b/c.bin\nmodule /d/e\n"));
    CHECK(str_is(cfg.modules[0].path, "\\a\\b\\c.bin"));
    CHECK(str_is(cfg.modules[1].path, "\\d\\e"));
}

UT_TEST(cfg_module_default_name_is_normalised_path)
{
    CHECK(ok("kernel k\nmodule hv/guest.bin\n"));
    CHECK(str_is(cfg.modules[0].path, "\\hv\\guest.bin"));
    CHECK(str_is(cfg.modules[0].name, "\\hv\\guest.bin"));
}

UT_TEST(cfg_module_name_rest_of_line)
{
    CHECK(ok("kernel k\n"
             "module m1 one\n"
             "module m2 two words\n"
             "module m3 tab\there  and / slashes\\ kept\n"));
    CHECK_EQ(cfg.nmodules, 3);
    CHECK(str_is(cfg.modules[0].name, "one"));
    CHECK(str_is(cfg.modules[1].name, "two words"));
    /* names are free text: no slash conversion, tabs kept */
    CHECK(str_is(cfg.modules[2].name, "tab\there  and / slashes\\ kept"));
}

UT_TEST(cfg_sixteen_modules_ok)
{
    char text[1024];
    size_t o = (size_t)snprintf(text, sizeof text, "kernel k\n");
    for (int i = 0; i < BOOT_MAX_MODULES; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "module m%d name %d\n", i, i);
    CHECK(ok(text));
    CHECK_EQ(cfg.nmodules, BOOT_MAX_MODULES);
    CHECK(str_is(cfg.modules[0].path, "\\m0"));
    CHECK(str_is(cfg.modules[15].path, "\\m15"));
    CHECK(str_is(cfg.modules[15].name, "name 15"));
}

UT_TEST(cfg_limits_at_maximum_ok)
{
    char text[1024], want[512];

    /* name: 63 characters */
    memset(want, 'n', 63);
    want[63] = '\0';
    snprintf(text, sizeof text, "kernel k\nmodule m %s\n", want);
    CHECK(ok(text));
    CHECK(str_is(cfg.modules[0].name, want));

    /* cmdline: 255 characters, blanks inside */
    memset(want, 'c', 255);
    want[10] = ' ';
    want[255] = '\0';
    snprintf(text, sizeof text, "kernel k\ncmdline %s\n", want);
    CHECK(ok(text));
    CHECK(str_is(cfg.cmdline, want));

    /* path: 255 characters with its leading '\' */
    want[0] = '\\';
    memset(want + 1, 'p', 254);
    want[255] = '\0';
    snprintf(text, sizeof text, "kernel %s\n", want);
    CHECK(ok(text));
    CHECK(str_is(cfg.kernel, want));

    /* path: 254 characters + the added '\' */
    snprintf(text, sizeof text, "kernel %s\n", want + 1);
    CHECK(ok(text));
    CHECK(str_is(cfg.kernel, want));

    /* default module name: a 63-character path */
    want[0] = '\\';
    memset(want + 1, 'q', 62);
    want[63] = '\0';
    snprintf(text, sizeof text, "kernel k\nmodule %s\n", want);
    CHECK(ok(text));
    CHECK(str_is(cfg.modules[0].name, want));
    snprintf(text, sizeof text, "kernel k\nmodule %s\n", want + 1);  /* '\' added: 63 */
    CHECK(ok(text));
    CHECK(str_is(cfg.modules[0].name, want));
}

UT_TEST(cfg_high_bytes_in_text_ok)
{
    /* only control characters are refused in names and the cmdline */
    CHECK(ok("kernel k\nmodule m caf\xc3\xa9\ncmdline x=\xe2\x82\xac\n"));
    CHECK(str_is(cfg.modules[0].name, "caf\xc3\xa9"));
    CHECK(str_is(cfg.cmdline, "x=\xe2\x82\xac"));
}

UT_TEST(cfg_clears_previous_contents)
{
    CHECK(ok("kernel \\a\nmodule \\b\ncmdline c\n"));
    CHECK(ok("kernel \\z\n"));
    CHECK_EQ(cfg.nmodules, 0);
    CHECK(str_is(cfg.cmdline, ""));
    CHECK_EQ(cfg.modules[0].path[0], 0);
    CHECK_EQ(cfg.modules[0].name[0], 0);
}

/* ---- errors ------------------------------------------------------------------ */

UT_TEST(cfg_err_unknown_directive)
{
    CHECK(bad("kernel k\nkernal k\n", "unknown directive", 2));
    CHECK(bad("Kernel k\n", "unknown directive", 1));          /* case matters */
    CHECK(bad("kern k\n", "unknown directive", 1));            /* no prefixes */
    CHECK(bad("kernels k\n", "unknown directive", 1));
    CHECK(bad("\n\n\n  modules m\n", "unknown directive", 4));
    CHECK(bad("kernel k\n\n# c\n\ncmdlines x\n", "unknown directive", 5));
}

UT_TEST(cfg_err_duplicate_kernel)
{
    CHECK(bad("kernel a\nkernel b\n", "kernel given twice", 2));
    CHECK(bad("kernel a\n\n# x\nmodule m\nkernel a\n", "kernel given twice", 5));
}

UT_TEST(cfg_err_duplicate_cmdline)
{
    CHECK(bad("kernel k\ncmdline a\ncmdline b\n", "cmdline given twice", 3));
    CHECK(bad("cmdline a\n\n\ncmdline a\nkernel k\n", "cmdline given twice", 4));
}

UT_TEST(cfg_err_missing_kernel)
{
    /* whole-file error: line 0 */
    CHECK(bad("", "no kernel directive", 0));
    CHECK(bad("\n\n# only comments\n", "no kernel directive", 0));
    CHECK(bad("module m\ncmdline x\n", "no kernel directive", 0));
    CHECK(bad("# kernel \\k\n", "no kernel directive", 0));
    CHECK(bad_n(NULL, 0, "no kernel directive", 0));
}

UT_TEST(cfg_err_missing_path)
{
    CHECK(bad("kernel\n", "missing path", 1));
    CHECK(bad("kernel   # none\n", "missing path", 1));
    CHECK(bad("kernel k\nmodule\n", "missing path", 2));
    CHECK(bad("kernel k\nmodule \t \r\n", "missing path", 2));
}

UT_TEST(cfg_err_kernel_extra_text)
{
    CHECK(bad("kernel \\k.elf extra\n", "extra text", 1));
    CHECK(bad("\nkernel \\k.elf a b\n", "extra text", 2));
}

UT_TEST(cfg_err_one_module_too_many)
{
    char text[2048];
    size_t o = (size_t)snprintf(text, sizeof text, "kernel k\n");
    for (int i = 0; i <= BOOT_MAX_MODULES; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "module m%d\n", i);
    /* kernel on line 1, modules from line 2: the one too many is line MAX + 2 */
    CHECK(bad(text, "too many modules", BOOT_MAX_MODULES + 2));
}

UT_TEST(cfg_err_module_name_too_long)
{
    char name[128], text[256];
    memset(name, 'n', 64);
    name[64] = '\0';
    snprintf(text, sizeof text, "kernel k\nmodule m %s\n", name);
    CHECK(bad(text, "module name too long", 2));
    /* blanks inside the name count */
    memset(name, 'n', 64);
    name[5] = ' ';
    name[40] = '\t';
    snprintf(text, sizeof text, "kernel k\n\nmodule m %s\n", name);
    CHECK(bad(text, "module name too long", 3));
}

UT_TEST(cfg_err_default_name_too_long)
{
    char path[128], text[256];
    /* the normalised path is the name: 64 characters with the added '\' */
    memset(path, 'p', 63);
    path[63] = '\0';
    snprintf(text, sizeof text, "kernel k\nmodule %s\n", path);
    CHECK(bad(text, "give a NAME", 2));
    /* the same path with an explicit name is fine */
    snprintf(text, sizeof text, "kernel k\nmodule %s short\n", path);
    CHECK(ok(text));
    CHECK(str_is(cfg.modules[0].name, "short"));
}

UT_TEST(cfg_err_cmdline_too_long)
{
    char line[512], text[600];
    memset(line, 'c', 256);
    line[256] = '\0';
    snprintf(text, sizeof text, "kernel k\ncmdline %s\n", line);
    CHECK(bad(text, "cmdline too long", 2));
    memset(line, 'c', 300);
    line[100] = ' ';
    line[300] = '\0';
    snprintf(text, sizeof text, "\n\ncmdline %s\nkernel k\n", line);
    CHECK(bad(text, "cmdline too long", 3));
}

UT_TEST(cfg_err_path_too_long)
{
    char path[400], text[512];
    /* 256 characters with a leading '\' */
    path[0] = '\\';
    memset(path + 1, 'p', 255);
    path[256] = '\0';
    snprintf(text, sizeof text, "kernel %s\n", path);
    CHECK(bad(text, "path too long", 1));
    /* 255 characters + the added '\' */
    snprintf(text, sizeof text, "\nkernel %s\n", path + 1);
    CHECK(bad(text, "path too long", 2));
    /* module path */
    memset(path, 'p', 300);
    path[300] = '\0';
    snprintf(text, sizeof text, "kernel k\nmodule %s name\n", path);
    CHECK(bad(text, "path too long", 2));
}

UT_TEST(cfg_err_path_not_printable)
{
    CHECK(bad("kernel \\k\x01.elf\n", "printable", 1));
    CHECK(bad("kernel \\k\x7f\n", "printable", 1));
    CHECK(bad("kernel \\caf\xc3\xa9\n", "printable", 1));
    CHECK(bad("kernel k\nmodule \\m\x1b[0m name\n", "printable", 2));
    CHECK(bad("kernel k\nmodule \\m\xff\n", "printable", 2));
}

UT_TEST(cfg_err_control_char_in_text)
{
    CHECK(bad("kernel k\nmodule m na\x01me\n", "control character", 2));
    CHECK(bad("kernel k\nmodule m name\x7f\n", "control character", 2));
    CHECK(bad("kernel k\ncmdline a\x1b b\n", "control character", 2));
    CHECK(bad("kernel k\n\ncmdline a\rb\n", "control character", 3));
}

UT_TEST(cfg_err_nul_byte)
{
    static const char t1[] = "kernel k\ncmdline a\0b\n";
    CHECK(bad_n(t1, sizeof t1 - 1, "NUL", 2));
    static const char t2[] = "kernel k\n# comment \0 here\n";
    CHECK(bad_n(t2, sizeof t2 - 1, "NUL", 2));
    static const char t3[] = "\0";
    CHECK(bad_n(t3, 1, "NUL", 1));
}

UT_TEST(cfg_err_first_error_wins)
{
    /* line 2 is the first bad one; later errors are not reached */
    CHECK(bad("kernel k\nbogus\nkernel k\n", "unknown directive", 2));
}
