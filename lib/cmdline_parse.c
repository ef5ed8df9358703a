/* Boot command line parsing. Pure: kernel and host tests. */
#include "cmdline_parse.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Locate the value of the last "key=value" or bare "key", in place. */
static bool find_value(const char *cmdline, const char *key, const char **val, size_t *len)
{
    size_t klen = 0;
    bool found = false;
    while (key[klen])
        klen++;
    if (!cmdline || !klen)
        return false;

    for (const char *p = cmdline; *p;) {
        while (is_space(*p))
            p++;
        const char *tok = p;
        bool quoted = false;            /* inside "...": spaces belong to the token */
        while (*p && (quoted || !is_space(*p)))
            quoted ^= *p++ == '"';
        size_t tlen = (size_t)(p - tok);
        if (tlen >= 2 && tok[0] == '"' && tok[tlen - 1] == '"') {
            tok++;                      /* "key=a value": GRUB quotes a word with spaces so */
            tlen -= 2;
        }
        if (tlen < klen)
            continue;
        size_t i = 0;
        while (i < klen && tok[i] == key[i])
            i++;
        if (i != klen)
            continue;
        if (tlen == klen) {             /* bare flag */
            *val = tok + klen;
            *len = 0;
            found = true;
        } else if (tok[klen] == '=') {  /* later settings win */
            *val = tok + klen + 1;
            *len = tlen - klen - 1;
            if (*len >= 2 && (*val)[0] == '"' && (*val)[*len - 1] == '"') {
                (*val)++;               /* key="a value": the quotes go */
                *len -= 2;
            }
            found = true;
        }
    }
    return found;
}

const char *cmdline_lookup(const char *cmdline, const char *key, char *buf, size_t cap)
{
    const char *val;
    size_t len;
    if (!cap || !find_value(cmdline, key, &val, &len))
        return NULL;
    if (len > cap - 1)
        len = cap - 1;
    for (size_t i = 0; i < len; i++)
        buf[i] = val[i];
    buf[len] = '\0';
    return buf;
}

bool cmdline_list_has(const char *cmdline, const char *key, const char *item)
{
    const char *val;
    size_t len;
    if (!find_value(cmdline, key, &val, &len))
        return false;
    for (size_t pos = 0; pos <= len;) {
        size_t start = pos;
        while (pos < len && val[pos] != ',')
            pos++;
        size_t n = pos - start, i = 0;
        while (i < n && item[i] && val[start + i] == item[i])
            i++;
        if (i == n && !item[i] && n > 0)
            return true;
        pos++;                          /* past the comma (or the end) */
    }
    return false;
}
