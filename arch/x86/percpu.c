/* Per-CPU data. Only the boot CPU runs the kernel so far; the array is ready for more. */
#include <stddef.h>
#include "percpu.h"
#include "x86.h"

_Static_assert(offsetof(struct percpu, self) == 16, "this_cpu() reads self at gs:16");

uint32_t cpus_online = 1;
/* Written by the entry stubs (boot/) before anything else runs: kept in .data, since
 * only the ELF loaders, not the kernel, clear .bss and the stub runs before C does. */
uint64_t kernel_entry_tsc __attribute__((section(".data")));

#define MAX_CPUS 64

static struct percpu cpus[MAX_CPUS];

void percpu_init_boot(void)
{
    cpus[0].self = &cpus[0];
    cpus[0].cpu = 0;
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&cpus[0]);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
}
