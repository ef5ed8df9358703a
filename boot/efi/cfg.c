/* \hv\hv.cfg parser (see cfg.h for the format). Pure code. */
#include "cfg.h"

#define CFG_STR2(x) #x
#define CFG_STR(x) CFG_STR2(x)

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static size_t cfg_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* A word of length n starting at s equals the NUL-terminated kw. */
static int word_is(const char *s, size_t n, const char *kw)
{
    size_t i = 0;
    for (; i < n && kw[i]; i++)
        if (s[i] != kw[i])
            return 0;
    return i == n && kw[i] == '\0';
}

/*
 * Copy a path word, '/' -> '\', made absolute (leading '\') so that it
 * reads the same in messages and module names. Returns NULL or an error.
 */
static const char *take_path(char *dst, const char *s, size_t n)
{
    size_t o = 0;

    if (n == 0)
        return "missing path";
    if (s[0] != '/' && s[0] != '\\')
        dst[o++] = '\\';
    if (o + n >= CFG_PATH_MAX)
        return "path too long (max 255 characters)";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c > 0x7e)
            return "path must be printable ASCII";
        dst[o++] = c == '/' ? '\\' : (char)c;
    }
    dst[o] = '\0';
    return NULL;
}

/* Copy free text (name, command line). Returns NULL or an error message. */
static const char *take_text(char *dst, size_t cap, const char *s, size_t n,
                             const char *too_long)
{
    if (n >= cap)
        return too_long;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t')
            return "control character in text";
        if (c == 0x7f)
            return "control character in text";
        dst[i] = (char)c;
    }
    dst[n] = '\0';
    return NULL;
}

/* Parse one line [s, e) without its '\n'. Returns NULL or an error message. */
static const char *parse_line(const char *s, const char *e, struct hv_cfg *cfg,
                              int *have_kernel, int *have_cmdline)
{
    /* Cut the comment: '#' at line start or after a blank. */
    for (const char *p = s; p < e; p++) {
        if (*p == '#' && (p == s || is_blank(p[-1]))) {
            e = p;
            break;
        }
    }
    while (s < e && is_blank(*s))
        s++;
    while (e > s && is_blank(e[-1]))
        e--;
    if (s == e)
        return NULL;

    const char *kw = s;
    while (s < e && !is_blank(*s))
        s++;
    size_t kwlen = (size_t)(s - kw);
    while (s < e && is_blank(*s))
        s++;
    /* s..e is now the argument text, trimmed on both sides. */
    const char *arg = s;
    while (s < e && !is_blank(*s))
        s++;
    size_t arglen = (size_t)(s - arg);  /* first word */
    while (s < e && is_blank(*s))
        s++;
    const char *rest = s;               /* after the first word */
    size_t restlen = (size_t)(e - s);

    if (word_is(kw, kwlen, "kernel")) {
        if (*have_kernel)
            return "kernel given twice";
        if (restlen)
            return "kernel: extra text after the path";
        const char *err = take_path(cfg->kernel, arg, arglen);
        if (err)
            return err;
        *have_kernel = 1;
        return NULL;
    }
    if (word_is(kw, kwlen, "module")) {
        if (cfg->nmodules >= BOOT_MAX_MODULES)
            return "too many modules (max " CFG_STR(BOOT_MAX_MODULES) ")";
        struct cfg_module *m = &cfg->modules[cfg->nmodules];
        const char *err = take_path(m->path, arg, arglen);
        if (err)
            return err;
        if (restlen)
            err = take_text(m->name, sizeof(m->name), rest, restlen,
                            "module name too long (max 63 characters)");
        else
            err = take_text(m->name, sizeof(m->name), m->path, cfg_strlen(m->path),
                            "module path too long to be its name (max 63 characters); give a NAME");
        if (err)
            return err;
        cfg->nmodules++;
        return NULL;
    }
    if (word_is(kw, kwlen, "cmdline")) {
        if (*have_cmdline)
            return "cmdline given twice";
        const char *err = take_text(cfg->cmdline, sizeof(cfg->cmdline), arg,
                                    (size_t)(e - arg),
                                    "cmdline too long (max 255 characters)");
        if (err)
            return err;
        *have_cmdline = 1;
        return NULL;
    }
    return "unknown directive (expected kernel, module or cmdline)";
}

hv_status_t cfg_parse(const char *text, size_t len, struct hv_cfg *cfg,
                      const char **err, unsigned *line)
{
    int have_kernel = 0, have_cmdline = 0;
    unsigned char *z = (unsigned char *)cfg;

    for (size_t i = 0; i < sizeof(*cfg); i++)
        z[i] = 0;
    *err = NULL;
    *line = 0;

    const char *p = text, *end = text + len;
    unsigned n = 0;
    while (p < end) {
        const char *e = p;
        while (e < end && *e != '\n')
            e++;
        n++;
        for (const char *q = p; q < e; q++) {
            if (*q == '\0') {
                *err = "NUL byte in the file";
                *line = n;
                return HV_ERR_INVALID_ARGS;
            }
        }
        const char *msg = parse_line(p, e, cfg, &have_kernel, &have_cmdline);
        if (msg) {
            *err = msg;
            *line = n;
            return HV_ERR_INVALID_ARGS;
        }
        p = e < end ? e + 1 : e;
    }
    if (!have_kernel) {
        *err = "no kernel directive";
        return HV_ERR_INVALID_ARGS;
    }
    return HV_OK;
}
