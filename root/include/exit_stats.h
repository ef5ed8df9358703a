/*
 * guest.stats: the table the VMM prints at the end of a run from the vCPU's
 * HV_VCPU_STATS counters (include/hv/state.h) and the growth of
 * hv_system_info.idle_ticks over the run. Pure: lines go to a callback.
 *
 *   stats: exit reason                    count          ticks   ticks/exit
 *   stats:   IO_INSTRUCTION (30)            812        1203400         1482
 *   ...                                  (reasons with a nonzero count, by number)
 *   stats: all exits                       1234        2345678
 *   stats: guest 123456 ticks, halted 7890 ticks (of 9999999 TSC ticks in the run)
 *   stats: cpu use 12.3%
 * cpu use = 1 - idle growth / TSC growth, clamped to 0..100%, in tenths. idle_ticks is
 * the time the kernel's idle loop halted, which only the boot CPU runs so far: the share
 * of that CPU the run took (the guest, the kernel and the VMM).
 */
#ifndef EXIT_STATS_H
#define EXIT_STATS_H

#include <stdint.h>
#include "hv/state.h"

struct exit_stats_run {
    uint64_t tsc_growth;        /* TSC ticks from the start of the run to the report */
    uint64_t idle_growth;       /* growth of hv_system_info.idle_ticks over them */
};

typedef void (*exit_stats_line_fn)(void *ctx, const char *line);

/* CPU use in tenths of a percent (0..1000). */
unsigned exit_stats_cpu_use(const struct exit_stats_run *run);

void exit_stats_format(const struct hv_vcpu_stats *s, const struct exit_stats_run *run,
                       exit_stats_line_fn out, void *ctx);

#endif
