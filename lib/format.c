/* printf-style formatting for the kernel; no libc. */
#include <stdint.h>
#include <stdbool.h>
#include "format.h"

struct spec {
    bool left, zero, plus, space, alt;
    int width, prec;            /* prec < 0: none */
};

struct sink {
    format_out_fn out;
    void *ctx;
    int n;
};

static void put(struct sink *s, char c)
{
    s->out(c, s->ctx);
    s->n++;
}

static void pad(struct sink *s, char c, int n)
{
    while (n-- > 0)
        put(s, c);
}

static void emit_str(struct sink *s, const struct spec *sp, const char *str)
{
    if (!str)
        str = "(null)";
    int len = 0;
    while (str[len] && (sp->prec < 0 || len < sp->prec))
        len++;
    if (!sp->left)
        pad(s, ' ', sp->width - len);
    for (int i = 0; i < len; i++)
        put(s, str[i]);
    if (sp->left)
        pad(s, ' ', sp->width - len);
}

static void emit_num(struct sink *s, const struct spec *sp, uint64_t v, bool neg,
                     unsigned base, bool upper, const char *prefix)
{
    char digits[24];
    int nd = 0;
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits[nd++] = set[v % base];
        v /= base;
    } while (v);
    if (sp->prec == 0 && nd == 1 && digits[0] == '0')
        nd = 0;                         /* "%.0d" of 0 prints nothing */

    char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
    int plen = 0;
    while (prefix && prefix[plen])
        plen++;
    int zeros = sp->prec > nd ? sp->prec - nd : 0;
    /* "%#o": the first digit must be a 0, added only if there is none yet. */
    if (base == 8 && sp->alt && zeros == 0 && !(nd == 1 && digits[0] == '0'))
        zeros = 1;
    int body = nd + zeros + plen + (sign ? 1 : 0);
    int fill = sp->width > body ? sp->width - body : 0;

    if (!sp->left && !(sp->zero && sp->prec < 0))
        pad(s, ' ', fill);
    if (sign)
        put(s, sign);
    for (int i = 0; i < plen; i++)
        put(s, prefix[i]);
    if (!sp->left && sp->zero && sp->prec < 0)
        pad(s, '0', fill);
    pad(s, '0', zeros);
    while (nd)
        put(s, digits[--nd]);
    if (sp->left)
        pad(s, ' ', fill);
}

/* A decimal width or precision, clamped to FORMAT_MAX_WIDTH. */
static int parse_count(const char **pp)
{
    int v = 0;
    for (; **pp >= '0' && **pp <= '9'; (*pp)++) {
        v = v * 10 + (**pp - '0');
        if (v > FORMAT_MAX_WIDTH)
            v = FORMAT_MAX_WIDTH;
    }
    return v;
}

int vformat(format_out_fn out, void *ctx, const char *fmt, va_list ap)
{
    struct sink s = { out, ctx, 0 };
    va_list args;
    va_copy(args, ap);

    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&s, *p);
            continue;
        }
        struct spec sp = { .prec = -1 };
        for (;; p++) {
            char f = p[1];
            if (f == '-') sp.left = true;
            else if (f == '0') sp.zero = true;
            else if (f == '+') sp.plus = true;
            else if (f == ' ') sp.space = true;
            else if (f == '#') sp.alt = true;
            else break;
        }
        p++;
        if (*p == '*') {
            int w = va_arg(args, int);
            if (w < 0) {
                sp.left = true;
                w = w < -FORMAT_MAX_WIDTH ? FORMAT_MAX_WIDTH : -w;
            }
            sp.width = w;
            p++;
        } else {
            sp.width = parse_count(&p);
        }
        if (sp.width > FORMAT_MAX_WIDTH)
            sp.width = FORMAT_MAX_WIDTH;
        if (*p == '.') {
            p++;
            sp.prec = 0;
            if (*p == '*') {
                sp.prec = va_arg(args, int);
                if (sp.prec < 0)        /* a negative precision means none */
                    sp.prec = -1;
                p++;
            } else {
                sp.prec = parse_count(&p);
            }
            if (sp.prec > FORMAT_MAX_WIDTH)
                sp.prec = FORMAT_MAX_WIDTH;
        }
        int lng = 0;                    /* 0 int, 1 long, 2 long long, -1 short, -2 char */
        for (;; p++) {
            if (*p == 'l') lng = lng >= 1 ? 2 : 1;
            else if (*p == 'h') lng = lng <= -1 ? -2 : -1;
            else if (*p == 'z' || *p == 'j' || *p == 't') lng = 2;
            else break;
        }
        char c = *p;
        if (!c)
            break;
        switch (c) {
        case 'd':
        case 'i': {
            int64_t v = lng == 2 ? va_arg(args, long long) : lng == 1 ? va_arg(args, long)
                                                                      : va_arg(args, int);
            if (lng == -1) v = (short)v;
            if (lng == -2) v = (signed char)v;
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            emit_num(&s, &sp, mag, v < 0, 10, false, 0);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uint64_t v = lng == 2 ? va_arg(args, unsigned long long)
                       : lng == 1 ? va_arg(args, unsigned long)
                                  : va_arg(args, unsigned int);
            if (lng == -1) v = (unsigned short)v;
            if (lng == -2) v = (unsigned char)v;
            unsigned base = c == 'u' ? 10 : c == 'o' ? 8 : 16;
            const char *prefix = 0;
            if (sp.alt && v && base == 16)
                prefix = c == 'X' ? "0X" : "0x";
            sp.plus = sp.space = false;
            emit_num(&s, &sp, v, false, base, c == 'X', prefix);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(args, void *);
            sp.plus = sp.space = false;
            emit_num(&s, &sp, v, false, 16, false, "0x");
            break;
        }
        case 's':
            emit_str(&s, &sp, va_arg(args, const char *));
            break;
        case 'c': {
            char ch[2] = { (char)va_arg(args, int), 0 };
            sp.prec = 1;
            if (!ch[0]) {               /* a NUL char still counts as one */
                if (!sp.left) pad(&s, ' ', sp.width - 1);
                put(&s, 0);
                if (sp.left) pad(&s, ' ', sp.width - 1);
            } else {
                emit_str(&s, &sp, ch);
            }
            break;
        }
        case '%':
            put(&s, '%');
            break;
        default:                        /* unknown: print it verbatim */
            put(&s, '%');
            put(&s, c);
            break;
        }
    }
    va_end(args);
    return s.n;
}

struct bufctx {
    char *buf;
    size_t cap, pos;
};

static void buf_out(char c, void *ctx)
{
    struct bufctx *b = ctx;
    if (b->pos + 1 < b->cap)
        b->buf[b->pos] = c;
    b->pos++;
}

int kvsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct bufctx b = { buf, cap, 0 };
    int n = vformat(buf_out, &b, fmt, ap);
    if (cap)
        buf[b.pos < cap ? b.pos : cap - 1] = '\0';
    return n;
}

int ksnprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}
