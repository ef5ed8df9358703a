/* rt_lib.c - memory and string helpers (built with -fno-builtin: no calls to themselves). */
#include "rt.h"

void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    if (p < q)
        return memcpy(d, s, n);
    while (n--)
        p[n] = q[n];
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            break;
    }
    return 0;
}

const void *rt_memmem(const void *hay, size_t len, const void *needle, size_t n)
{
    const unsigned char *h = hay;
    if (!n)
        return hay;
    for (size_t i = 0; i + n <= len; i++)
        if (!memcmp(h + i, needle, n))
            return h + i;
    return NULL;
}

const char *strstr(const char *hay, const char *needle)
{
    return rt_memmem(hay, strlen(hay), needle, strlen(needle));
}

bool rt_starts_with(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

bool rt_has_token(const char *s, const char *tok)
{
    size_t n = strlen(tok);
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        const char *t = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        if ((size_t)(s - t) == n && !strncmp(t, tok, n))
            return true;
    }
    return false;
}
