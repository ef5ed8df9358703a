/*
 * kernel/format.c tests: ksnprintf/kvsnprintf/vformat against the host
 * C library's snprintf for a broad set of conversions, flags, widths,
 * precisions and length modifiers, plus the cases where we deliberately
 * differ from the host ("(null)"), truncation and the raw vformat sink.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "ut.h"

#define FMT_BUF 512

static char kbuf[FMT_BUF], hbuf[FMT_BUF];
static int detail_budget = 40;          /* cap the per-mismatch chatter */

static void show(const char *tag, const char *s, int n)
{
    printf("%s[", tag);
    for (int i = 0; i < n && i < FMT_BUF - 1; i++) {
        if (s[i] >= 32 && s[i] < 127)
            putchar(s[i]);
        else
            printf("\\x%02x", (unsigned char)s[i]);
    }
    printf("](%d)", n);
}

/* 1 when ours (kbuf, rk) equals the host (hbuf, rh), bytes and return value. */
static int same(int rk, int rh)
{
    if (rk != rh || rh < 0 || rh >= FMT_BUF)
        return 0;
    return memcmp(kbuf, hbuf, (size_t)rh + 1) == 0;
}

static int mismatch(int line, const char *fmt, int rk, int rh)
{
    if (same(rk, rh))
        return 0;
    if (detail_budget > 0) {
        detail_budget--;
        printf("    line %d fmt \"%s\": ours ", line, fmt);
        show("", kbuf, rk);
        printf(" host ");
        show("", hbuf, rh);
        printf("\n");
    }
    return 1;
}

/* Literal format: gcc's -Wformat checks both calls. */
#define HOST_CMP(fmt, ...) do {                                          \
        memset(kbuf, 0x5a, sizeof kbuf);                                \
        memset(hbuf, 0x5a, sizeof hbuf);                                \
        int rk_ = ksnprintf(kbuf, sizeof kbuf, fmt, __VA_ARGS__);       \
        int rh_ = snprintf(hbuf, sizeof hbuf, fmt, __VA_ARGS__);        \
        if (mismatch(__LINE__, fmt, rk_, rh_))                          \
            ut_fail(__FILE__, __LINE__, "ksnprintf(" #fmt ") == host"); \
    } while (0)

/*
 * Same through a variable: for combinations C defines but gcc flags as
 * redundant ("%-05d": '0' ignored with '-'), which -Werror would refuse.
 */
#define HOST_CMPV(fmt, ...) do {                                         \
        const char *fv_ = fmt;                                          \
        HOST_CMP(fv_, __VA_ARGS__);                                     \
    } while (0)

#define EXPECT(want, fmt, ...) do {                                      \
        memset(kbuf, 0x5a, sizeof kbuf);                                \
        int rk_ = ksnprintf(kbuf, sizeof kbuf, fmt, __VA_ARGS__);       \
        if (rk_ != (int)strlen(want) || strcmp(kbuf, want) != 0) {      \
            printf("    fmt \"%s\": got [%s](%d) want [%s]\n", fmt, kbuf, rk_, want); \
            ut_fail(__FILE__, __LINE__, "ksnprintf(" #fmt ") == " #want); \
        }                                                               \
    } while (0)

/* ---- signed integers ----------------------------------------------------- */

UT_TEST(fmt_signed_basic)
{
    HOST_CMP("%d", 0);
    HOST_CMP("%d", 1);
    HOST_CMP("%d", -1);
    HOST_CMP("%d", 42);
    HOST_CMP("%i", -42);
    HOST_CMP("%d", INT_MAX);
    HOST_CMP("%d", INT_MIN);
    HOST_CMP("%i", INT_MIN);
    HOST_CMP("[%d|%i|%d]", 7, -8, 9);
    HOST_CMP("%ld", LONG_MAX);
    HOST_CMP("%ld", LONG_MIN);
    HOST_CMP("%lld", LLONG_MAX);
    HOST_CMP("%lld", LLONG_MIN);
    HOST_CMP("%lli", (long long)INT64_MIN);
    HOST_CMP("%lld", -1234567890123LL);
    HOST_CMP("%zd", (long)-77);
    HOST_CMP("%jd", (intmax_t)INT64_MIN);
    HOST_CMP("%td", (ptrdiff_t)-123456789012LL);
}

UT_TEST(fmt_int64_min_all_shapes)
{
    long long m = (long long)INT64_MIN;
    HOST_CMP("%lld", m);
    HOST_CMP("%+lld", m);
    HOST_CMP("% lld", m);
    HOST_CMP("%30lld", m);
    HOST_CMP("%-30lld|", m);
    HOST_CMP("%030lld", m);
    HOST_CMP("%.25lld", m);
    HOST_CMP("%30.25lld", m);
    HOST_CMP("%llx", (unsigned long long)m);
    HOST_CMP("%llo", (unsigned long long)m);
    HOST_CMP("%llu", (unsigned long long)m);
    HOST_CMP("%#llX", (unsigned long long)m);
    EXPECT("-9223372036854775808", "%lld", m);
}

UT_TEST(fmt_signed_flags_width_precision)
{
    HOST_CMP("%5d", 42);
    HOST_CMP("%-5d|", 42);
    HOST_CMP("%05d", 42);
    HOST_CMP("%05d", -42);
    HOST_CMP("%+d", 42);
    HOST_CMP("%+d", -42);
    HOST_CMP("%+d", 0);
    HOST_CMP("% d", 42);
    HOST_CMP("% d", -42);
    HOST_CMPV("%+ d", 42);           /* '+' beats ' ' */
    HOST_CMPV("% +d", 42);
    HOST_CMP("% 05d", 42);
    HOST_CMP("%+05d", 42);
    HOST_CMPV("%-05d|", 42);         /* '-' beats '0' */
    HOST_CMP("%-+6d|", 42);
    HOST_CMP("%.3d", 7);
    HOST_CMP("%.3d", -7);
    HOST_CMP("%8.3d", -7);
    HOST_CMP("%-8.3d|", -7);
    HOST_CMPV("%08.3d", -7);         /* '0' ignored with a precision */
    HOST_CMP("%+.3d", 7);
    HOST_CMP("%.1d", 0);
    HOST_CMP("%.10d", INT_MIN);
    HOST_CMP("%2d", 12345);         /* width smaller than the number */
    HOST_CMP("%1d", -1);
}

UT_TEST(fmt_zero_with_precision_zero)
{
    HOST_CMP("[%.0d]", 0);
    HOST_CMP("[%.0i]", 0);
    HOST_CMP("[%.0u]", 0u);
    HOST_CMP("[%.0x]", 0u);
    HOST_CMP("[%.0X]", 0u);
    HOST_CMP("[%.0o]", 0u);
    HOST_CMP("[%#.0x]", 0u);
    HOST_CMP("[%#.0o]", 0u);        /* '#' forces a single 0 for octal */
    HOST_CMP("[%5.0d]", 0);
    HOST_CMP("[%-5.0d]", 0);
    HOST_CMP("[%+.0d]", 0);
    HOST_CMP("[% .0d]", 0);
    HOST_CMP("[%.0lld]", 0LL);
    HOST_CMP("[%.d]", 0);           /* "." alone means precision 0 */
    HOST_CMP("[%.0d]", 1);
    HOST_CMP("[%.0d]", -1);
    EXPECT("[]", "[%.0d]", 0);
}

/* ---- unsigned, hex, octal ----------------------------------------------- */

UT_TEST(fmt_unsigned_hex_octal)
{
    HOST_CMP("%u", 0u);
    HOST_CMP("%u", UINT_MAX);
    HOST_CMP("%lu", ULONG_MAX);
    HOST_CMP("%llu", ULLONG_MAX);
    HOST_CMP("%zu", (size_t)SIZE_MAX);
    HOST_CMP("%ju", (uintmax_t)UINTMAX_MAX);
    HOST_CMP("%x", 0xdeadbeefu);
    HOST_CMP("%X", 0xdeadbeefu);
    HOST_CMP("%x", 0u);
    HOST_CMP("%lx", 0xfedcba9876543210ul);
    HOST_CMP("%llX", 0xfedcba9876543210ull);
    HOST_CMP("%o", 0u);
    HOST_CMP("%o", 8u);
    HOST_CMP("%o", UINT_MAX);
    HOST_CMP("%llo", ULLONG_MAX);    /* 22 octal digits */
    HOST_CMP("%x", -1);
    HOST_CMP("%u", -1);
    HOST_CMP("%#x", 0x1fu);
    HOST_CMP("%#X", 0x1fu);
    HOST_CMP("%#x", 0u);             /* no prefix for 0 */
    HOST_CMP("%#o", 8u);
    HOST_CMP("%#o", 01234u);
    HOST_CMP("%#08x", 0x1fu);
    HOST_CMP("%#8x", 0x1fu);
    HOST_CMP("%#-8x|", 0x1fu);
    HOST_CMP("%#.3x", 1u);
    HOST_CMP("%#10.4X", 0xabu);
    HOST_CMP("%08X", 0xabcu);
    HOST_CMP("%-8o|", 8u);
    HOST_CMP("%.5u", 42u);
    HOST_CMP("%016llx", 0x1234ull);
    HOST_CMP("%#llx", 0xffffffffffffffffull);
}

UT_TEST(fmt_length_modifiers_truncate)
{
    HOST_CMP("%hhd", 300);           /* (signed char)300 == 44 */
    HOST_CMP("%hhd", 200);           /* -56 */
    HOST_CMP("%hhd", -129);
    HOST_CMP("%hhu", 511);
    HOST_CMP("%hhx", 0x1ff);
    HOST_CMP("%hho", 0x1ff);
    HOST_CMP("%hd", 70000);
    HOST_CMP("%hd", 40000);          /* negative as short */
    HOST_CMP("%hu", 70000);
    HOST_CMP("%hX", 0x12345);
    HOST_CMP("%hi", -32769);
    HOST_CMP("%ld", -1L);
    HOST_CMP("%li", 0x7fffffffffffL);
    HOST_CMP("%zx", (size_t)0xabcdef0123ull);
    HOST_CMP("%zd", (long)INT64_MIN);
    HOST_CMP("%tx", (ptrdiff_t)0x1234);
    HOST_CMP("%jx", (uintmax_t)0xffffffffffull);
    HOST_CMP("%5hhd|%-5hd|%05hu", 255, 65535, 65536);
}

/* ---- strings, chars, pointers, %% ----------------------------------------- */

UT_TEST(fmt_strings_and_chars)
{
    HOST_CMP("%s", "hello");
    HOST_CMP("%s", "");
    HOST_CMP("[%10s]", "hello");
    HOST_CMP("[%-10s]", "hello");
    HOST_CMP("[%.2s]", "hello");
    HOST_CMP("[%.0s]", "hello");
    HOST_CMP("[%.10s]", "hello");
    HOST_CMP("[%8.3s]", "hello");
    HOST_CMP("[%-8.3s]", "hello");
    HOST_CMP("[%3s]", "hello");
    HOST_CMP("%s=%s", "key", "value");
    HOST_CMP("%c", 'A');
    HOST_CMP("[%5c]", 'x');
    HOST_CMP("[%-5c]", 'x');
    HOST_CMP("%c%c%c", 'a', 'b', 'c');
    HOST_CMP("%c", 0x141);           /* converted to unsigned char */
    HOST_CMP("[%c]", 0);             /* a NUL char still counts */
    HOST_CMP("[%3c]", 0);
    HOST_CMP("[%-3c]", 0);
    HOST_CMP("%%%s", "");
    HOST_CMP("100%%%s", "");
    HOST_CMP("%%d %d%%", 5);
    HOST_CMP("plain text, no conversions%s", "");
}

UT_TEST(fmt_pointers)
{
    int x;
    HOST_CMP("%p", (void *)&x);
    HOST_CMP("%p", (void *)0x1234);
    HOST_CMP("%p", (void *)(uintptr_t)0xffffffffffffffffull);
    HOST_CMP("[%20p]", (void *)0xabcdef);
    HOST_CMP("[%-20p]", (void *)0xabcdef);
    HOST_CMP("[%3p]", (void *)0xabcdef);
    EXPECT("0xffff800000001000", "%p", (void *)(uintptr_t)0xffff800000001000ull);
    EXPECT("0x1", "%p", (void *)1);
}

UT_TEST(fmt_star_width_precision)
{
    HOST_CMP("[%*d]", 6, 42);
    HOST_CMP("[%*d]", -6, 42);       /* negative width: left-justify */
    HOST_CMP("[%-*d]", 6, 42);
    HOST_CMP("[%-*d]", -6, 42);
    HOST_CMP("[%0*d]", 6, -42);
    HOST_CMP("[%.*d]", 4, 42);
    HOST_CMP("[%.*d]", -4, 42);      /* negative precision: as if none */
    HOST_CMP("[%.*d]", 0, 0);
    HOST_CMPV("[%0*.*d]", 8, -1, 42); /* zero padding back on */
    HOST_CMP("[%*.*d]", 8, 4, -42);
    HOST_CMP("[%*.*x]", -8, 3, 0xfu);
    HOST_CMP("[%*s]", 7, "abc");
    HOST_CMP("[%*s]", -7, "abc");
    HOST_CMP("[%.*s]", 2, "abc");
    HOST_CMP("[%.*s]", -1, "abc");
    HOST_CMP("[%*.*s]", 6, 1, "abc");
    HOST_CMP("[%*c]", 4, 'z');
    HOST_CMP("[%*lld]", 25, (long long)INT64_MIN);
    HOST_CMP("[%*d|%*d]", 3, 1, -3, 2);
}

UT_TEST(fmt_many_args_mixed)
{
    HOST_CMP("%d %u %x %X %o %s %c %p %ld %lld %zu %hhd %hd %%",
             -1, 2u, 0xabu, 0xcdu, 8u, "str", 'q', (void *)0x10, -3L, -4LL,
             (size_t)5, 300, 70000);
    HOST_CMP("%s%s%s%s%s%s%s%s%s%s", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    HOST_CMP("%lld %d %lld %d", 1LL << 40, 7, -(1LL << 40), -7);
}

/*
 * Generated sweep: every combination of the flags "-0+ #", a few widths and
 * precisions, every integer conversion and every length modifier, over
 * boundary values. '#' with 'o' is left out here: see
 * fmt_regress_alt_octal_double_zero.
 */
static const long long sweep_vals[] = {
    0, 1, -1, 7, -7, 42, 127, -128, 128, 255, 256, 32767, -32768, 65535, 65536,
    INT_MAX, INT_MIN, (long long)UINT_MAX, 0x123456789abcll, -0x123456789abcll,
    LLONG_MAX, LLONG_MIN,
};

static int sweep_one(const char *fmt, char conv, const char *len, long long v)
{
    int rk, rh;
    memset(kbuf, 0x5a, sizeof kbuf);
    memset(hbuf, 0x5a, sizeof hbuf);
    int is_signed = conv == 'd' || conv == 'i';
    if (!strcmp(len, "ll")) {
        if (is_signed) {
            rk = ksnprintf(kbuf, sizeof kbuf, fmt, v);
            rh = snprintf(hbuf, sizeof hbuf, fmt, v);
        } else {
            rk = ksnprintf(kbuf, sizeof kbuf, fmt, (unsigned long long)v);
            rh = snprintf(hbuf, sizeof hbuf, fmt, (unsigned long long)v);
        }
    } else if (!strcmp(len, "l") || !strcmp(len, "z")) {
        if (is_signed) {
            rk = ksnprintf(kbuf, sizeof kbuf, fmt, (long)v);
            rh = snprintf(hbuf, sizeof hbuf, fmt, (long)v);
        } else {
            rk = ksnprintf(kbuf, sizeof kbuf, fmt, (unsigned long)v);
            rh = snprintf(hbuf, sizeof hbuf, fmt, (unsigned long)v);
        }
    } else {                            /* "", h, hh: an int is passed */
        if (is_signed) {
            rk = ksnprintf(kbuf, sizeof kbuf, fmt, (int)v);
            rh = snprintf(hbuf, sizeof hbuf, fmt, (int)v);
        } else {
            rk = ksnprintf(kbuf, sizeof kbuf, fmt, (unsigned)v);
            rh = snprintf(hbuf, sizeof hbuf, fmt, (unsigned)v);
        }
    }
    return mismatch(0, fmt, rk, rh);
}

UT_TEST(fmt_sweep_against_host)
{
    static const char flagset[] = "-0+ #";
    static const char *const widths[] = { "", "1", "6", "24" };
    static const char *const precs[] = { "", ".", ".0", ".1", ".4", ".21" };
    static const char convs[] = "diuxXo";
    static const char *const lens[] = { "", "hh", "h", "l", "ll", "z" };
    unsigned long checked = 0, bad = 0;

    for (unsigned fl = 0; fl < 32; fl++) {
        char flags[8];
        unsigned nf = 0;
        for (unsigned b = 0; b < 5; b++)
            if (fl & (1u << b))
                flags[nf++] = flagset[b];
        flags[nf] = 0;
        for (unsigned w = 0; w < sizeof widths / sizeof *widths; w++)
            for (unsigned pr = 0; pr < sizeof precs / sizeof *precs; pr++)
                for (unsigned c = 0; convs[c]; c++) {
                    int is_signed = convs[c] == 'd' || convs[c] == 'i';
                    if ((fl & (1u << 4)) && convs[c] == 'o')
                        continue;       /* known bug, tested on its own */
                    if ((fl & (1u << 4)) && is_signed)
                        continue;       /* '#' is undefined for d/i */
                    if ((fl & (3u << 2)) && !is_signed)
                        continue;       /* '+'/' ' are undefined for unsigned */
                    for (unsigned l = 0; l < sizeof lens / sizeof *lens; l++) {
                        char fmt[48];
                        snprintf(fmt, sizeof fmt, "<%%%s%s%s%s%c>", flags, widths[w],
                                 precs[pr], lens[l], convs[c]);
                        for (unsigned v = 0; v < sizeof sweep_vals / sizeof *sweep_vals; v++) {
                            checked++;
                            bad += (unsigned long)sweep_one(fmt, convs[c], lens[l], sweep_vals[v]);
                        }
                    }
                }
    }
    CHECK(checked > 50000);
    CHECK_EQ(bad, 0);
}

/* '+' and ' ' are ignored by unsigned conversions and %p (glibc agrees). */
UT_TEST(fmt_plus_space_ignored_for_unsigned)
{
    const char *fmt = "%+u|% x|%+X|% o|%+p";
    EXPECT("5|6|7|10|0x10", fmt, 5u, 6u, 7u, 8u, (void *)0x10);
}

/* ---- behaviour of our own ------------------------------------------------- */

UT_TEST(fmt_null_string)
{
    const char *volatile nul = NULL;     /* hidden from -Wformat-overflow */
    EXPECT("(null)", "%s", nul);
    EXPECT("[  (null)]", "[%8s]", nul);
    EXPECT("[(null)  ]", "[%-8s]", nul);
    EXPECT("[(nu]", "[%.3s]", nul);
    EXPECT("a(null)b", "a%sb", nul);
}

UT_TEST(fmt_unknown_conversion_verbatim)
{
    const char *fmt = "%y-%d";
    EXPECT("%y-5", fmt, 5);
}

UT_TEST(fmt_trailing_percent_stops)
{
    /* A lone '%' (or a half spec) at the end must not read past the NUL. */
    const char *fmts[] = { "abc%", "abc%-", "abc%08", "abc%.", "abc%ll", "abc%5.3l" };
    for (unsigned i = 0; i < sizeof fmts / sizeof *fmts; i++) {
        size_t flen = strlen(fmts[i]);
        char *heap_fmt = malloc(flen + 1);      /* exact size: ASan sees over-reads */
        memcpy(heap_fmt, fmts[i], flen + 1);
        memset(kbuf, 0x5a, sizeof kbuf);
        int r = ksnprintf(kbuf, sizeof kbuf, heap_fmt, 0);
        CHECK_EQ(r, 3);
        CHECK(strcmp(kbuf, "abc") == 0);
        free(heap_fmt);
    }
}

/* ---- truncation ------------------------------------------------------------- */

UT_TEST(fmt_truncation_small_buffers)
{
    char b[32];
    const char *full = "value=-123456 end";
    int len = (int)strlen(full);
    for (size_t cap = 1; cap <= (size_t)len + 3; cap++) {
        memset(b, 'Z', sizeof b);
        int r = ksnprintf(b, cap, "value=%d %s", -123456, "end");
        CHECK_EQ(r, len);                           /* full length, always */
        size_t kept = cap - 1 < (size_t)len ? cap - 1 : (size_t)len;
        CHECK(memcmp(b, full, kept) == 0);
        CHECK_EQ(b[kept], '\0');                    /* always terminated */
        for (size_t i = kept + 1; i < sizeof b; i++)
            if (b[i] != 'Z') {                      /* nothing past cap */
                CHECK_EQ(i, (size_t)-1);
                break;
            }
        /* host agrees on the return value and the bytes kept */
        char h[32];
        CHECK_EQ(snprintf(h, cap, "value=%d %s", -123456, "end"), r);
        CHECK(strcmp(h, b) == 0);
    }
}

UT_TEST(fmt_truncation_cap_zero_writes_nothing)
{
    char b[8];
    memset(b, 'Z', sizeof b);
    CHECK_EQ(ksnprintf(b, 0, "%s-%d", "abc", 12345), 9);
    for (unsigned i = 0; i < sizeof b; i++)
        CHECK_EQ(b[i], 'Z');
    CHECK_EQ(ksnprintf(NULL, 0, "%llx", 0xffffffffffffffffull), 16);
    CHECK_EQ(ksnprintf(NULL, 0, "%s", ""), 0);
}

UT_TEST(fmt_truncation_cap_one)
{
    char b[4] = { 'Z', 'Z', 'Z', 'Z' };
    CHECK_EQ(ksnprintf(b, 1, "%d", 987), 3);
    CHECK_EQ(b[0], '\0');
    CHECK_EQ(b[1], 'Z');
}

UT_TEST(fmt_truncation_exact_fit)
{
    char b[8];
    memset(b, 'Z', sizeof b);
    CHECK_EQ(ksnprintf(b, 6, "%05d", 42), 5);      /* needs exactly 6 */
    CHECK(strcmp(b, "00042") == 0);
    CHECK_EQ(b[6], 'Z');
    memset(b, 'Z', sizeof b);
    CHECK_EQ(ksnprintf(b, 5, "%05d", 42), 5);      /* one short */
    CHECK(strcmp(b, "0004") == 0);
    CHECK_EQ(b[5], 'Z');
}

UT_TEST(fmt_truncation_long_padding)
{
    /* Output far longer than the buffer: the count keeps going. */
    char b[16];
    memset(b, 'Z', sizeof b);
    CHECK_EQ(ksnprintf(b, 10, "%300d|%-200s|", 1, "x"), 300 + 1 + 200 + 1);
    CHECK(strcmp(b, "         ") == 0);
    CHECK_EQ(b[10], 'Z');
    char big[FMT_BUF];
    CHECK_EQ(ksnprintf(big, sizeof big, "%300d", -5), 300);
    CHECK_EQ(big[297], ' ');
    CHECK(strcmp(big + 298, "-5") == 0);
}

UT_TEST(fmt_truncation_with_nul_char)
{
    char b[8];
    memset(b, 'Z', sizeof b);
    CHECK_EQ(ksnprintf(b, sizeof b, "a%cb", 0), 3);
    CHECK_EQ(b[0], 'a');
    CHECK_EQ(b[1], '\0');
    CHECK_EQ(b[2], 'b');
    CHECK_EQ(b[3], '\0');
}

/* ---- kvsnprintf / vformat ------------------------------------------------- */

static int via_kvsnprintf(char *b, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = kvsnprintf(b, cap, fmt, ap);
    va_end(ap);
    return r;
}

UT_TEST(fmt_kvsnprintf_va_list)
{
    char b[64];
    CHECK_EQ(via_kvsnprintf(b, sizeof b, "%s:%lld:%c", "x", -5LL, 'y'), 6);
    CHECK(strcmp(b, "x:-5:y") == 0);
    CHECK_EQ(via_kvsnprintf(b, 3, "%d", 12345), 5);
    CHECK(strcmp(b, "12") == 0);
}

struct collect {
    char buf[128];
    int n;
};

static void collect_out(char c, void *ctx)
{
    struct collect *col = ctx;
    if (col->n < (int)sizeof col->buf)
        col->buf[col->n] = c;
    col->n++;
}

static int via_vformat(struct collect *col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vformat(collect_out, col, fmt, ap);
    va_end(ap);
    return r;
}

UT_TEST(fmt_vformat_sink_sees_every_char)
{
    struct collect col = { .n = 0 };
    int r = via_vformat(&col, "[%-4s|%03u|%c]", "ab", 7u, 0);
    CHECK_EQ(r, 12);
    CHECK_EQ(col.n, 12);                 /* no NUL terminator from vformat */
    CHECK(memcmp(col.buf, "[ab  |007|\0]", 12) == 0);

    struct collect empty = { .n = 0 };
    CHECK_EQ(via_vformat(&empty, "%s", ""), 0);
    CHECK_EQ(empty.n, 0);
}

/* ---- known bug ---------------------------------------------------------------- */

/*
 * Regression (once a bug in kernel/format.c, case 'o' in vformat): the '#' flag always adds a
 * "0" prefix for octal, even when the digits already start with 0. C says
 * '#' only raises the precision so that the first digit is 0: "%#o" of 0
 * must print "0" (we print "00") and "%#.3o" of 8 must print "010" (we
 * print "0010").
 */
UT_TEST(fmt_regress_alt_octal_double_zero)
{
    HOST_CMP("%#o", 0u);
    HOST_CMP("[%#5o]", 0u);
    HOST_CMP("%#.3o", 8u);
    HOST_CMP("%#.4o", 01234u);
    HOST_CMP("%#llo", 0ull);
    EXPECT("0", "%#o", 0u);
    EXPECT("010", "%#.3o", 8u);
}
