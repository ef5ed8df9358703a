/* The kernel's view of its boot command line. */
#include "cmdline_parse.h"
#include "base.h"

static const char *boot_cmdline = "";

void cmdline_set(const char *cmdline)
{
    boot_cmdline = cmdline ? cmdline : "";
}

const char *cmdline_get(const char *key, char *buf, size_t cap)
{
    return cmdline_lookup(boot_cmdline, key, buf, cap);
}

bool cmdline_has(const char *key, const char *value)
{
    return cmdline_list_has(boot_cmdline, key, value);
}
