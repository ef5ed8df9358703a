/* Boot command line parsing. Pure: kernel and host tests. */
#include "cmdline_parse.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *cmdline_lookup(const char *cmdline, const char *key, char *buf, size_t cap)
{
    const char *found = NULL;
    size_t found_len = 0;
    size_t klen = 0;
    while (key[klen])
        klen++;
    if (!cmdline || !klen || !cap)
        return NULL;

    for (const char *p = cmdline; *p;) {
        while (is_space(*p))
            p++;
        const char *tok = p;
        while (*p && !is_space(*p))
            p++;
        size_t tlen = (size_t)(p - tok);
        if (tlen < klen)
            continue;
        size_t i = 0;
        while (i < klen && tok[i] == key[i])
            i++;
        if (i != klen)
            continue;
        if (tlen == klen) {             /* bare flag */
            found = tok + klen;
            found_len = 0;
        } else if (tok[klen] == '=') {  /* later settings win */
            found = tok + klen + 1;
            found_len = tlen - klen - 1;
        }
    }
    if (!found)
        return NULL;
    if (found_len > cap - 1)
        found_len = cap - 1;
    for (size_t i = 0; i < found_len; i++)
        buf[i] = found[i];
    buf[found_len] = '\0';
    return buf;
}

bool cmdline_list_has(const char *cmdline, const char *key, const char *item)
{
    char val[128];
    if (!cmdline_lookup(cmdline, key, val, sizeof(val)))
        return false;
    for (const char *p = val; *p;) {
        const char *a = p;
        while (*p && *p != ',')
            p++;
        size_t n = (size_t)(p - a), i = 0;
        while (i < n && item[i] && a[i] == item[i])
            i++;
        if (i == n && !item[i])
            return true;
        if (*p == ',')
            p++;
    }
    return false;
}
