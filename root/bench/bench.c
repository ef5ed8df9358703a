/*
 * Hypercall benchmarks (test=bench): the cost, in TSC ticks, of the paths a
 * VMM lives on. Under Bochs one tick is one executed instruction, so these
 * are path lengths. Printed as "bench: ..." lines next to the kernel's.
 */
#include "hv/hv.h"
#include "libsys.h"
#include "root_bench.h"
#include "rt.h"

#define N 10000

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static int check(hv_status_t rc, const char *what)
{
    if (rc != HV_OK)
        printf("bench: %s failed: %s\n", what, hv_status_name(rc));
    return rc != HV_OK;
}

/* A guest whose only work is OUT to a trapped port, forever. */
static int out_round_trip(uint64_t *ticks)
{
    hv_handle_t guest, vcpu;
    uint64_t ram, size = 2ull << 20;
    if (check(hv_mem_map(size, HV_MEM_READ | HV_MEM_WRITE, &ram), "mem_map") ||
        check(hv_guest_create(0, &guest), "guest_create"))
        return 1;
    static const uint8_t code[] = { 0xe6, 0x80, 0xeb, 0xfc };  /* 1: out 0x80, al; jmp 1b */
    memcpy((void *)(ram + 0x8000), code, sizeof(code));
    if (check(hv_guest_map(guest, 0, ram, size, HV_GUEST_PERM_READ | HV_GUEST_PERM_WRITE |
                                                   HV_GUEST_PERM_EXECUTE), "guest_map") ||
        check(hv_guest_set_trap(guest, HV_TRAP_IO, 0x80, 1, HV_HANDLE_INVALID, 7), "set_trap") ||
        check(hv_vcpu_create(guest, 0, 0x8000, &vcpu), "vcpu_create"))
        return 1;
    struct hv_packet p;
    if (check(hv_vcpu_resume(vcpu, &p), "vcpu_resume"))            /* warm up */
        return 1;
    uint64_t t0 = rdtsc();
    for (int i = 0; i < N; i++)
        if (hv_vcpu_resume(vcpu, &p) != HV_OK || p.type != HV_PKT_GUEST_IO || p.key != 7)
            return check(HV_ERR_INTERNAL, "an OUT packet");
    *ticks = rdtsc() - t0;
    return check(hv_handle_close(vcpu), "close vcpu") || check(hv_handle_close(guest), "close guest") ||
           check(hv_mem_unmap(ram, size), "mem_unmap");
}

static int create_close(uint64_t *ticks, int n)
{
    hv_handle_t guest, vcpu;
    if (check(hv_guest_create(0, &guest), "guest_create"))
        return 1;
    uint64_t t0 = rdtsc();
    for (int i = 0; i < n; i++)
        if (check(hv_vcpu_create(guest, 0, 0x8000, &vcpu), "vcpu_create") ||
            check(hv_handle_close(vcpu), "handle_close"))
            return 1;
    *ticks = rdtsc() - t0;
    return check(hv_handle_close(guest), "close guest");
}

int root_bench(void)
{
    struct hv_system_info before, after;
    hv_system_info(&before, sizeof(before));

    hv_null();
    uint64_t t0 = rdtsc();
    for (int i = 0; i < N; i++)
        hv_null();
    uint64_t null_ticks = rdtsc() - t0;

    uint64_t out_ticks = 0, cc_ticks = 0;
    int failed = out_round_trip(&out_ticks) | create_close(&cc_ticks, 1000);

    hv_system_info(&after, sizeof(after));
    /* One tick of loop overhead each: the figures include the caller's loop. */
    printf("bench: %-32s %6llu ticks per call (%llu ticks / %d)\n", "null hypercall",
           (unsigned long long)(null_ticks / N), (unsigned long long)null_ticks, N);
    printf("bench: %-32s %6llu ticks per round trip (%llu ticks / %d)\n",
           "OUT exit to the root task", (unsigned long long)(out_ticks / N),
           (unsigned long long)out_ticks, N);
    printf("bench: %-32s %6llu ticks per pair (%llu ticks / %d)\n", "vcpu_create + handle_close",
           (unsigned long long)(cc_ticks / 1000), (unsigned long long)cc_ticks, 1000);
    if (after.free_bytes != before.free_bytes) {
        printf("bench: free memory %llu before, %llu after\n",
               (unsigned long long)before.free_bytes, (unsigned long long)after.free_bytes);
        failed = 1;
    }
    return failed;
}
