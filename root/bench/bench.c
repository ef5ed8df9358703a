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
    if (check(hv_vcpu_resume(vcpu, &p, HV_TIME_INFINITE), "vcpu_resume"))            /* warm up */
        return 1;
    uint64_t t0 = rdtsc();
    for (int i = 0; i < N; i++)
        if (hv_vcpu_resume(vcpu, &p, HV_TIME_INFINITE) != HV_OK || p.type != HV_PKT_GUEST_IO || p.key != 7)
            return check(HV_ERR_INTERNAL, "an OUT packet");
    *ticks = rdtsc() - t0;
    return check(hv_handle_close(vcpu), "close vcpu") || check(hv_handle_close(guest), "close guest") ||
           check(hv_mem_unmap(ram, size), "mem_unmap");
}

extern const uint8_t tg_bench_irq[], tg_bench_irq_end[], tg_bench_irq_handler[];

/* An emulated device's interrupt: hv_vcpu_interrupt, then hv_vcpu_resume of the halted
 * guest, to the first instruction of its handler (which reads the TSC and reports it with
 * OUT); each round the guest halts again (HV_VCPU_HALT). Ticks summed over n rounds. */
static int interrupt_to_handler(uint64_t *ticks, int n)
{
    hv_handle_t guest, vcpu;
    uint64_t ram, size = 2ull << 20;
    if (check(hv_mem_map(size, HV_MEM_READ | HV_MEM_WRITE, &ram), "mem_map") ||
        check(hv_guest_create(0, &guest), "guest_create"))
        return 1;
    static const uint64_t gdt[4] = { 0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull, 0 };
    uint64_t handler = 0x8000 + (uint64_t)(tg_bench_irq_handler - tg_bench_irq);
    uint64_t gate = (handler & 0xffff) | 0x08ull << 16 | 0x8e00ull << 32 | (handler >> 16) << 48;
    memcpy((void *)(ram + 0x500), gdt, sizeof(gdt));
    memcpy((void *)(ram + 0x6000 + 0x40 * 8), &gate, 8);
    memcpy((void *)(ram + 0x8000), tg_bench_irq, (size_t)(tg_bench_irq_end - tg_bench_irq));
    struct hv_vcpu_state s;
    struct hv_packet p;
    if (check(hv_guest_map(guest, 0, ram, size, HV_GUEST_PERM_READ | HV_GUEST_PERM_WRITE |
                                                   HV_GUEST_PERM_EXECUTE), "guest_map") ||
        check(hv_guest_set_trap(guest, HV_TRAP_IO, 0x81, 1, HV_HANDLE_INVALID, 8), "set_trap") ||
        check(hv_vcpu_create(guest, 0, 0x8000, &vcpu), "vcpu_create") ||
        check(hv_vcpu_read_state(vcpu, HV_VCPU_STATE, &s, sizeof(s)), "read_state"))
        return 1;
    s.rsp = 0x7000;
    if (check(hv_vcpu_write_state(vcpu, HV_VCPU_STATE, &s, sizeof(s)), "write_state") ||
        check(hv_vcpu_resume(vcpu, &p, HV_TIME_INFINITE), "vcpu_resume"))   /* to the HLT */
        return 1;
    *ticks = 0;
    for (int i = -1; i < n; i++) {                      /* the first round warms up */
        uint64_t t0 = rdtsc();
        if (hv_vcpu_interrupt(vcpu, 0x40) != HV_OK ||
            hv_vcpu_resume(vcpu, &p, HV_TIME_INFINITE) != HV_OK || p.type != HV_PKT_GUEST_IO ||
            p.key != 8)
            return check(HV_ERR_INTERNAL, "an interrupt round");
        uint32_t at = p.guest_io.data;                  /* the handler's TSC, low half */
        if (hv_vcpu_resume(vcpu, &p, HV_TIME_INFINITE) != HV_OK || p.type != HV_PKT_GUEST_VCPU)
            return check(HV_ERR_INTERNAL, "the halt after the handler");
        if (i >= 0)
            *ticks += (uint32_t)(at - (uint32_t)t0);
    }
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

/* ---- threads and ports ------------------------------------------------------------ */

static uint8_t thread_stack[16384] __attribute__((aligned(16)));
#define STACK_TOP ((uint64_t)(uintptr_t)(thread_stack + sizeof(thread_stack)))
static hv_handle_t ping_port, pong_port;

/* Answers each ping with a pong; key 0 ends it. */
static void pong_thread(uint64_t arg)
{
    (void)arg;
    struct hv_packet p;
    while (hv_port_wait(ping_port, HV_TIME_INFINITE, &p) == HV_OK && p.key) {
        if (hv_port_queue(pong_port, &p) != HV_OK)
            break;
    }
    hv_thread_exit();
}

/* Signals that it ran, then ends. */
static void short_thread(uint64_t arg)
{
    struct hv_packet p = { .key = arg };
    hv_port_queue(pong_port, &p);
    hv_thread_exit();
}

/* Ping-pong through two ports: two blocking waits, two wake-ups and two thread switches. */
static int port_round_trip(uint64_t *ticks)
{
    hv_handle_t t;
    struct hv_packet p = { .key = 1 };
    if (check(hv_thread_create((uint64_t)(uintptr_t)pong_thread, STACK_TOP, 0, 0, &t),
              "thread_create"))
        return 1;
    hv_handle_close(t);
    uint64_t t0 = 0;
    for (int i = -1; i < N; i++) {                      /* the first round warms up */
        if (i == 0)
            t0 = rdtsc();
        if (check(hv_port_queue(ping_port, &p), "port_queue") ||
            check(hv_port_wait(pong_port, HV_TIME_INFINITE, &p), "port_wait"))
            return 1;
    }
    *ticks = rdtsc() - t0;
    p.key = 0;                                          /* ends pong_thread */
    return check(hv_port_queue(ping_port, &p), "port_queue");
}

/* thread_create, the thread's first packet back, its exit (its stack is freed at the switch). */
static int thread_life(uint64_t *ticks, int n)
{
    uint64_t t0 = rdtsc();
    for (int i = 0; i < n; i++) {
        hv_handle_t t;
        struct hv_packet p;
        if (check(hv_thread_create((uint64_t)(uintptr_t)short_thread, STACK_TOP, 5, 0, &t),
                  "thread_create") ||
            check(hv_port_wait(pong_port, HV_TIME_INFINITE, &p), "port_wait") ||
            check(hv_handle_close(t), "handle_close"))
            return 1;
    }
    *ticks = rdtsc() - t0;
    return 0;
}

/* Sleep: port_wait on a port nobody fills, until the deadline. */
static void sleep_ticks(uint64_t ticks)
{
    struct hv_packet p;
    hv_port_wait(pong_port, rdtsc() + ticks, &p);
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

    uint64_t out_ticks = 0, cc_ticks = 0, port_ticks = 0, life_ticks = 0, irq_ticks = 0;
    int failed = out_round_trip(&out_ticks) | create_close(&cc_ticks, 1000) |
                 interrupt_to_handler(&irq_ticks, 1000);
    if (check(hv_port_create(0, &ping_port), "port_create") ||
        check(hv_port_create(0, &pong_port), "port_create"))
        return 1;
    failed |= port_round_trip(&port_ticks) | thread_life(&life_ticks, 1000);
    sleep_ticks(100000);                                /* the last thread finishes exiting */
    hv_handle_close(ping_port);
    hv_handle_close(pong_port);

    hv_system_info(&after, sizeof(after));
    /* One tick of loop overhead each: the figures include the caller's loop. */
    printf("bench: %-32s %6llu ticks per call (%llu ticks / %d)\n", "null hypercall",
           (unsigned long long)(null_ticks / N), (unsigned long long)null_ticks, N);
    printf("bench: %-32s %6llu ticks per round trip (%llu ticks / %d)\n",
           "OUT exit to the root task", (unsigned long long)(out_ticks / N),
           (unsigned long long)out_ticks, N);
    printf("bench: %-32s %6llu ticks (%llu ticks / %d)\n", "vcpu_interrupt -> guest handler",
           (unsigned long long)(irq_ticks / 1000), (unsigned long long)irq_ticks, 1000);
    printf("bench: %-32s %6llu ticks per pair (%llu ticks / %d)\n", "vcpu_create + handle_close",
           (unsigned long long)(cc_ticks / 1000), (unsigned long long)cc_ticks, 1000);
    printf("bench: %-32s %6llu ticks per round trip (%llu ticks / %d)\n",
           "port ping-pong between threads", (unsigned long long)(port_ticks / N),
           (unsigned long long)port_ticks, N);
    printf("bench: %-32s %6llu ticks per thread (%llu ticks / %d)\n",
           "thread_create, run, exit", (unsigned long long)(life_ticks / 1000),
           (unsigned long long)life_ticks, 1000);
    if (after.free_bytes != before.free_bytes) {
        printf("bench: free memory %llu before, %llu after\n",
               (unsigned long long)before.free_bytes, (unsigned long long)after.free_bytes);
        failed = 1;
    }
    return failed;
}
