/*
 * The root task's small runtime, linked into both root images (the VMM,
 * build/root.elf, and the test image, build/root-test.elf): console output
 * through hv_debug_write, the string functions GCC and the VMM need, status
 * names, the start-up report.
 */
#ifndef RT_H
#define RT_H

#include <stddef.h>
#include "hv/status.h"

/*
 * printf-style output (kernel/format.c's conversions) on the kernel console.
 * Line buffered: a line goes out in one hv_debug_write when its '\n' arrives
 * or the buffer fills.
 */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void stdout_flush(void);

#include "kstring.h"     /* memcpy & co.: kernel/string.c, shared */

/* "HV_OK", "HV_ERR_NO_MEMORY", ...; "HV_ERR_(unknown)" for other values. */
const char *hv_status_name(hv_status_t status);

struct hv_startup;
/*
 * The first lines of every root image: "root: started, N boot modules", one
 * line per module, then CPUs and memory (hv_system_info). Returns the number
 * of modules in su->modules[] (at most HV_STARTUP_MAX_MODULES), or -1 (after
 * saying so) when su is not a start-up message.
 */
int rt_startup_report(const struct hv_startup *su);

#endif
