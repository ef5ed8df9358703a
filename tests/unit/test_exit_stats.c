/* root/vmm/exit_stats.c: guest.stats' table and its CPU use figure. */
#include <string.h>
#include "exit_stats.h"
#include "ut.h"

static char lines[16][160];
static unsigned nlines;

static void collect(void *ctx, const char *s)
{
    CHECK(ctx == lines);
    if (nlines < 16) {
        strncpy(lines[nlines], s, sizeof(lines[0]) - 1);
        lines[nlines][sizeof(lines[0]) - 1] = 0;
    }
    nlines++;
}

UT_TEST(exit_stats_cpu_use_figure)
{
    struct exit_stats_run r = { .tsc_growth = 1000, .idle_growth = 250 };
    CHECK_EQ(exit_stats_cpu_use(&r), 750);      /* 75.0% */
    r.idle_growth = 0;
    CHECK_EQ(exit_stats_cpu_use(&r), 1000);
    r.idle_growth = 1000;
    CHECK_EQ(exit_stats_cpu_use(&r), 0);
    r.idle_growth = 5000;                       /* more idle than time: clamped */
    CHECK_EQ(exit_stats_cpu_use(&r), 0);
    r = (struct exit_stats_run){ 0 };
    CHECK_EQ(exit_stats_cpu_use(&r), 0);
    r = (struct exit_stats_run){ .tsc_growth = UINT64_MAX / 2, .idle_growth = UINT64_MAX / 8 };
    CHECK_EQ(exit_stats_cpu_use(&r), 750);      /* no overflow */
    r = (struct exit_stats_run){ .tsc_growth = 3, .idle_growth = 1 };
    CHECK_EQ(exit_stats_cpu_use(&r), 667);      /* rounded */
}

UT_TEST(exit_stats_table)
{
    static struct hv_vcpu_stats s;
    memset(&s, 0, sizeof(s));
    s.guest_ticks = 123456;
    s.halt_ticks = 7890;
    s.reason[30].count = 4;                     /* I/O instruction */
    s.reason[30].ticks = 4000;
    s.reason[12].count = 1;                     /* HLT */
    s.reason[12].ticks = 10;
    struct exit_stats_run r = { .tsc_growth = 1000000, .idle_growth = 900000 };
    nlines = 0;
    exit_stats_format(&s, &r, collect, lines);
    CHECK_EQ(nlines, 6);
    CHECK(!strncmp(lines[0], "stats: exit reason", 18));
    CHECK(strstr(lines[1], "(12)") != 0);       /* by number: HLT first */
    CHECK(strstr(lines[1], "HLT") != 0);
    CHECK(strstr(lines[2], "(30)") != 0);
    CHECK(strstr(lines[2], " 4 ") != 0);
    CHECK(strstr(lines[2], " 4000 ") != 0);
    CHECK(strstr(lines[2], " 1000") != 0);      /* ticks per exit */
    CHECK(!strncmp(lines[3], "stats: all exits", 16));
    CHECK(strstr(lines[3], " 5 ") != 0);
    CHECK(strstr(lines[3], " 4010") != 0);
    CHECK(strstr(lines[4], "guest 123456 ticks, halted 7890 ticks (of 1000000") != 0);
    CHECK(!strcmp(lines[5], "stats: cpu use 10.0%"));
}
