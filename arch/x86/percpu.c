/* Per-CPU data. Only the boot CPU runs the kernel so far; the array is ready for more. */
#include <stddef.h>
#include "percpu.h"
#include "x86.h"

_Static_assert(offsetof(struct percpu, self) == 16, "this_cpu() reads self at gs:16");

uint32_t cpus_online = 1;

#define MAX_CPUS 64

static struct percpu cpus[MAX_CPUS];

void percpu_init_boot(void)
{
    cpus[0].self = &cpus[0];
    cpus[0].cpu = 0;
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&cpus[0]);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
}
