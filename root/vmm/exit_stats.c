/* guest.stats' table (see exit_stats.h). Pure code. */
#include "exit_stats.h"
#include "format.h"
#include "vmx_names.h"

unsigned exit_stats_cpu_use(const struct exit_stats_run *run)
{
    uint64_t total = run->tsc_growth;
    if (!total)
        return 0;
    if (run->idle_growth >= total)
        return 0;
    uint64_t busy = total - run->idle_growth;
    /* busy * 1000 / total without overflow: both below 2^64, so scale down first. */
    while (busy > UINT64_MAX / 1000) {
        busy >>= 1;
        total >>= 1;
    }
    return (unsigned)((busy * 1000 + total / 2) / total);
}

void exit_stats_format(const struct hv_vcpu_stats *s, const struct exit_stats_run *run,
                       exit_stats_line_fn out, void *ctx)
{
    char line[128];
    uint64_t count = 0, ticks = 0;
    out(ctx, "stats: exit reason                    count          ticks   ticks/exit");
    for (unsigned r = 0; r < HV_VCPU_STATS_REASONS; r++) {
        uint64_t n = s->reason[r].count, t = s->reason[r].ticks;
        if (!n)
            continue;
        char name[40];
        ksnprintf(name, sizeof(name), "%s (%u)", vmx_exit_reason_name(r), r);
        ksnprintf(line, sizeof(line), "stats:   %-28s %10llu %14llu %12llu", name,
                  (unsigned long long)n, (unsigned long long)t, (unsigned long long)(t / n));
        out(ctx, line);
        count += n;
        ticks += t;
    }
    ksnprintf(line, sizeof(line), "stats: all exits                   %10llu %14llu",
              (unsigned long long)count, (unsigned long long)ticks);
    out(ctx, line);
    ksnprintf(line, sizeof(line), "stats: guest %llu ticks, halted %llu ticks (of %llu TSC ticks "
              "in the run)", (unsigned long long)s->guest_ticks,
              (unsigned long long)s->halt_ticks, (unsigned long long)run->tsc_growth);
    out(ctx, line);
    unsigned use = exit_stats_cpu_use(run);
    ksnprintf(line, sizeof(line), "stats: cpu use %u.%u%%", use / 10, use % 10);
    out(ctx, line);
}
