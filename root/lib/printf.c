/* printf on the kernel console (hv_debug_write), line buffered. */
#include <stdarg.h>
#include "format.h"
#include "libsys.h"
#include "rt.h"

static char outbuf[512];
static size_t outlen;

void stdout_flush(void)
{
    if (outlen)
        hv_debug_write(outbuf, outlen);     /* nowhere to report a failure */
    outlen = 0;
}

static void out_char(char c, void *ctx)
{
    (void)ctx;
    outbuf[outlen++] = c;
    if (c == '\n' || outlen == sizeof(outbuf))
        stdout_flush();
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vformat(out_char, 0, fmt, ap);
    va_end(ap);
    return n;
}
