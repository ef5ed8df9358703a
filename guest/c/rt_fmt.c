/*
 * rt_fmt.c - a small vsnprintf: %d %i %u %x %X %p %s %c %%, flags '-' and '0',
 * a width, a precision for %s (.N or .*), and the length modifiers l, ll and z. 32-bit code has no 64-bit
 * divide without libgcc, so decimal 64-bit output divides by 10 with DIV.
 */
#include "rt.h"

struct out {
    char *buf;
    size_t cap, len;            /* len counts every character, stored or not */
};

static void emit(struct out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

/* *v /= 10, returns the remainder: two 32-bit DIVs (EDX < 10 keeps each in range). */
static unsigned div10(uint64_t *v)
{
    uint32_t hi = (uint32_t)(*v >> 32), lo = (uint32_t)*v, qhi = hi / 10, rem = hi % 10, qlo;
    __asm__("divl %[d]" : "=a"(qlo), "+d"(rem) : "a"(lo), [d] "r"(10u));
    *v = (uint64_t)qhi << 32 | qlo;
    return rem;
}

static void emit_number(struct out *o, uint64_t v, bool neg, unsigned base, bool upper, int width,
                        bool left, bool zero)
{
    char digits[24];
    int n = 0;
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        if (base == 16) {
            digits[n++] = set[v & 15];
            v >>= 4;
        } else {
            digits[n++] = set[div10(&v)];
        }
    } while (v);
    int len = n + (neg ? 1 : 0);
    if (!left && !zero)
        for (; width > len; width--)
            emit(o, ' ');
    if (neg)
        emit(o, '-');
    if (!left && zero)
        for (; width > len; width--)
            emit(o, '0');
    while (n)
        emit(o, digits[--n]);
    if (left)
        for (; width > len; width--)
            emit(o, ' ');
}

int rt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct out o = { buf, cap, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            emit(&o, *fmt);
            continue;
        }
        bool left = false, zero = false;
        int width = 0, longs = 0, prec = -1;
        for (;; fmt++) {
            if (fmt[1] == '-')
                left = true;
            else if (fmt[1] == '0')
                zero = true;
            else
                break;
        }
        while (fmt[1] >= '0' && fmt[1] <= '9')
            width = width * 10 + (*++fmt - '0');
        if (fmt[1] == '.') {
            fmt++;
            prec = 0;
            if (fmt[1] == '*') {
                fmt++;
                prec = va_arg(ap, int);
            }
            while (fmt[1] >= '0' && fmt[1] <= '9')
                prec = prec * 10 + (*++fmt - '0');
        }
        while (fmt[1] == 'l' || fmt[1] == 'z') {
            fmt++;
            longs += *fmt == 'l' ? 1 : 0;
        }
        char c = *++fmt;
        if (!c)
            break;
        uint64_t v;
        switch (c) {
        case 'd':
        case 'i': {
            int64_t s = longs >= 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
            emit_number(&o, s < 0 ? -(uint64_t)s : (uint64_t)s, s < 0, 10, false, width, left, zero);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
            v = longs >= 2 ? va_arg(ap, unsigned long long)
                : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            emit_number(&o, v, false, c == 'u' ? 10 : 16, c == 'X', width, left, zero);
            break;
        case 'p':
            emit(&o, '0');
            emit(&o, 'x');
            emit_number(&o, (uintptr_t)va_arg(ap, void *), false, 16, false, 8, false, true);
            break;
        case 'c':
            emit(&o, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int n = 0;
            while (s[n] && (prec < 0 || n < prec))
                n++;
            if (!left)
                for (; width > n; width--)
                    emit(&o, ' ');
            for (int i = 0; i < n; i++)
                emit(&o, s[i]);
            if (left)
                for (; width > n; width--)
                    emit(&o, ' ');
            break;
        }
        default:                /* %% and anything unknown print as themselves */
            emit(&o, c);
            break;
        }
    }
    if (cap)
        buf[o.len < cap ? o.len : cap - 1] = '\0';
    return (int)o.len;
}

int rt_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = rt_vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}
