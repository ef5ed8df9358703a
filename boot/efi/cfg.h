/*
 * \hv\hv.cfg parser. Pure code (no EFI calls), so it can be tested on the host.
 *
 * One directive per line; blank lines are ignored; '#' at the start of a
 * word (line start or after a blank) starts a comment up to the end of line.
 *
 *   kernel PATH            exactly once
 *   module PATH [NAME]     0..BOOT_MAX_MODULES times; NAME (rest of the line,
 *                          may hold blanks) defaults to PATH
 *   cmdline TEXT           at most once; TEXT is the rest of the line
 *
 * PATH is one word of printable ASCII; '/' is turned into '\' and a leading
 * '\' is added when missing (hv/k.elf -> \hv\k.elf).
 */
#ifndef HV_EFI_CFG_H
#define HV_EFI_CFG_H

#include <stddef.h>
#include "boot_info.h"
#include "hv/status.h"

#define CFG_PATH_MAX 256        /* including the NUL */

struct cfg_module {
    char path[CFG_PATH_MAX];
    char name[BOOT_MODNAME_MAX];
};

struct hv_cfg {
    char kernel[CFG_PATH_MAX];
    char cmdline[BOOT_CMDLINE_MAX];
    unsigned nmodules;
    struct cfg_module modules[BOOT_MAX_MODULES];
};

/*
 * Parse len bytes of text into cfg. Returns HV_OK on success; on error
 * returns HV_ERR_INVALID_ARGS with *err set to a static message and *line to
 * the 1-based line number (0 when the error is about the file as a whole).
 */
hv_status_t cfg_parse(const char *text, size_t len, struct hv_cfg *cfg,
                      const char **err, unsigned *line);

#endif
