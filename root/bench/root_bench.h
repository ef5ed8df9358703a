/* test=bench in the root task: hypercall path lengths. 0 when every run worked. */
#ifndef ROOT_BENCH_H
#define ROOT_BENCH_H

int root_bench(void);

#endif
