/*
 * Threads, ports and bell traps for the hypercall self-test (test=hypercalls;
 * hypercalls.c runs thread_cases[] after its own cases): thread_create and
 * thread_exit; port_create, port_queue and port_wait; what the scheduler
 * promises the root task (the creator runs on, time slices, blocking with
 * deadlines, wake-ups, waiters served in order); vCPUs bound to their thread,
 * kicks and interrupts from a second thread while the owner is inside
 * vcpu_resume; guest_set_trap(HV_TRAP_BELL) and its packets.
 *
 * Only the main thread prints or uses EXPECT (printf has one line buffer, the
 * case record is the main thread's). Other threads write what they saw into
 * static records and end with finish(), which counts them in tt_finished; the
 * main thread checks the records once they are done. A thread's stack stays
 * mapped until it has ended (threads_after_case). Time is the TSC, in ticks
 * of hv_system_info().tsc_hz.
 */
#include <stddef.h>
#include "hc_case.h"
#include "libsys.h"
#include "root_tests.h"
#include "rt.h"

_Static_assert(HV_SYS_THREAD_EXIT == 23, "root/tests/thread_stubs.S calls 23");

#define MEM_RW (HV_MEM_READ | HV_MEM_WRITE)
#define PORT_RIGHTS (HV_RIGHT_DUPLICATE | HV_RIGHT_TRANSFER | HV_RIGHT_READ | HV_RIGHT_WRITE)
#define THREAD_RIGHTS PORT_RIGHTS
#define STACK_SIZE 0x4000ull
#define JOIN_MS 3000            /* how long threads that should end may take */
#define NOT_YET (-999)          /* a status slot no thread has filled */

BLOB(tg_irq);
BLOB(tg_count);
BLOB(tg_irq_spin);
BLOB(tg_bell);
BLOB(tg_sse);
extern const uint8_t tg_irq_handler[], tg_irq_after_hlt[], tg_count_after[],
    tg_irq_spin_handler[], tg_bell_read[], tg_bell_read_end[], tg_bell_after[];

/* ---- thread entries of thread_stubs.S ------------------------------------------------- */

__attribute__((noreturn)) void tt_count(volatile uint32_t *n);
void tt_exit(void);
void tt_probe(void);

/* What tt_probe records: the registers a thread starts with. */
struct tt_probe {
    uint64_t gpr[16];           /* rax rcx rdx rbx rsp rbp rsi rdi r8 .. r15 */
    uint64_t at_rsp;            /* the 8 bytes rsp points at */
    uint64_t rflags;
};
_Static_assert(offsetof(struct tt_probe, at_rsp) == 128 && sizeof(struct tt_probe) == 144,
               "the layout thread_stubs.S writes");
#define GPR_RSP 4
#define GPR_RDI 7

volatile uint32_t tt_finished;  /* threads of spawn() that ended (tt_probe adds too) */
static uint32_t tt_spawned;     /* threads spawn() made: main thread only */
static volatile uint32_t runs;  /* tt_count's counter for threads that must or must not run */

#define ADDR(f) ((uint64_t)(uintptr_t)(f))

/* Threads that end with finish() may have their stacks unmapped as soon as it counted. */
__attribute__((noreturn)) static void finish(void)
{
    tt_count(&tt_finished);
}

/* ---- time ------------------------------------------------------------------------------ */

static uint64_t tsc_hz;

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* TSC ticks in n milliseconds. */
static uint64_t ms(uint64_t n)
{
    if (!tsc_hz) {
        struct hv_system_info info;
        /* (t_port_wait_timeout checks tsc_hz itself) */
        tsc_hz = hv_system_info(&info, sizeof(info)) == HV_OK && info.tsc_hz ? info.tsc_hz
                                                                          : 50000000;
    }
    return tsc_hz * n / 1000;
}

static uint64_t to_ms(uint64_t ticks)
{
    return ticks / (ms(1) ? ms(1) : 1);
}

/* Sleep: port_wait on a port nobody queues to, n ms ahead. Any thread. */
static hv_status_t nap_on(hv_handle_t port, uint64_t n_ms)
{
    struct hv_packet p;
    return hv_port_wait(port, rdtsc() + ms(n_ms), &p);
}

/* The main thread's naps in this case: napper() makes the port. */
static hv_handle_t nap_port;

static void nap(uint64_t n_ms)
{
    EXPECTF(nap_on(nap_port, n_ms), HV_ERR_TIMED_OUT, "port_wait(empty port, now + %llu ms)",
            (unsigned long long)n_ms);
}

/* Nap until *n reaches want, at most max_ms; whether it did. */
static bool await_count(volatile uint32_t *n, uint32_t want, uint64_t max_ms)
{
    uint64_t end = rdtsc() + ms(max_ms);
    while (*n < want) {
        if (rdtsc() >= end)
            return false;
        nap_on(nap_port, 1);
    }
    return true;
}

/* ---- ports and threads of a case ---------------------------------------------------------- */

static hv_handle_t new_port(void)
{
    hv_handle_t p = HV_HANDLE_INVALID;
    if (!EXPECT(hv_port_create(0, &p), HV_OK))
        return HV_HANDLE_INVALID;
    return track(p);
}

static hv_handle_t napper(void)
{
    ms(0);                              /* tsc_hz known before other threads read it */
    return nap_port = new_port();
}

/* Stacks of this case's threads: unmapped after the case only if every thread ended. */
static uint64_t case_stacks[8];
static unsigned n_case_stacks;

static uint64_t stack_new(uint64_t len)
{
    uint64_t va = mem(len, MEM_RW);
    if (va && n_case_stacks < sizeof(case_stacks) / sizeof(case_stacks[0]))
        case_stacks[n_case_stacks++] = va;
    return va;
}

/* A thread at entry(arg) with stack_top; counted in tt_spawned, so entry must end with
 * finish() (or be tt_probe); its handle is tracked. */
static hv_handle_t spawn_at(uint64_t entry, uint64_t stack_top, uint64_t arg)
{
    hv_handle_t h = HV_HANDLE_INVALID;
    if (!EXPECTF(hv_thread_create(entry, stack_top, arg, 0, &h), HV_OK,
                 "thread_create(0x%llx, stack_top 0x%llx, arg 0x%llx) (thread %u of the case)",
                 (unsigned long long)entry, (unsigned long long)stack_top,
                 (unsigned long long)arg, tt_spawned + 1))
        return HV_HANDLE_INVALID;
    tt_spawned++;
    return track(h);
}

/* fn(arg) on a stack of its own. */
static hv_handle_t spawn(void (*fn)(uint64_t), uint64_t arg)
{
    uint64_t st = stack_new(STACK_SIZE);
    return st ? spawn_at(ADDR(fn), st + STACK_SIZE, arg) : HV_HANDLE_INVALID;
}

/* Every spawned thread ended; then a nap, in which the scheduler frees them. */
static bool join(void)
{
    bool ok = await_count(&tt_finished, tt_spawned, JOIN_MS);
    nap(2);
    return ok;
}

void threads_after_case(void)
{
    if (!n_case_stacks && tt_finished >= tt_spawned)
        return;
    hv_handle_t port = HV_HANDLE_INVALID;
    bool ended = false;
    if (hv_port_create(0, &port) == HV_OK) {
        nap_port = port;
        ended = await_count(&tt_finished, tt_spawned, JOIN_MS);
        nap_on(port, 2);
        hv_handle_close(port);
    }
    if (!ended) {
        failf(__LINE__, "%u thread(s) of the case never ended: their stacks stay mapped",
              tt_spawned - tt_finished);
        for (unsigned i = 0; i < n_case_stacks; i++)
            forget_mem(case_stacks[i]);
        tt_spawned = tt_finished;       /* the next cases wait for their own threads only */
    }
    n_case_stacks = 0;
    nap_port = HV_HANDLE_INVALID;
}

/* ---- packets ------------------------------------------------------------------------------ */

/* A user packet for key: its payload follows from the key; type and status are junk that
 * port_queue must replace. */
static void mkpkt(struct hv_packet *p, uint64_t key)
{
    p->key = key;
    p->type = 0xdead0000u | (uint32_t)key;
    p->status = -5;
    for (unsigned i = 0; i < sizeof(p->raw); i++)
        p->raw[i] = (uint8_t)(key * 13 + i * 7 + 1);
}

static bool expect_user(int line, const struct hv_packet *p, uint64_t key)
{
    struct hv_packet want;
    mkpkt(&want, key);
    if (p->type != HV_PKT_USER || p->status != HV_OK || p->key != key ||
        memcmp(p->raw, want.raw, sizeof(want.raw))) {
        failf(line, "packet type %u status %d key 0x%llx raw[0] 0x%x raw[47] 0x%x, expected "
              "USER, HV_OK, key 0x%llx, raw[0] 0x%x raw[47] 0x%x", p->type, p->status,
              (unsigned long long)p->key, p->raw[0], p->raw[47], (unsigned long long)key,
              want.raw[0], want.raw[47]);
        return false;
    }
    return true;
}
#define EXPECT_USER(p, key) expect_user(__LINE__, p, key)

/* port_wait(port, 0) gives the user packet of key. */
static bool take_user(int line, hv_handle_t port, uint64_t key)
{
    struct hv_packet p;
    memset(&p, 0xcc, sizeof(p));
    hv_status_t rc = hv_port_wait(port, 0, &p);
    if (rc != HV_OK) {
        failf(line, "port_wait for the packet of key 0x%llx returned %s",
              (unsigned long long)key, hv_status_name(rc));
        return false;
    }
    return expect_user(line, &p, key);
}
#define TAKE_USER(port, key) take_user(__LINE__, port, key)

static bool queue_user(int line, hv_handle_t port, uint64_t key)
{
    struct hv_packet p;
    mkpkt(&p, key);
    hv_status_t rc = hv_port_queue(port, &p);
    if (rc != HV_OK)
        failf(line, "port_queue of key 0x%llx returned %s", (unsigned long long)key,
              hv_status_name(rc));
    return rc == HV_OK;
}
#define QUEUE_USER(port, key) queue_user(__LINE__, port, key)

/* A live handle value turned into a dead one of the same slot. */
static hv_handle_t forged(hv_handle_t h)
{
    return (h & 0xfff) | (((h >> 12) + 0x4000) & 0xfffff) << 12;
}

/* ---- ports ----------------------------------------------------------------------------------- */

static void t_port_create(void)
{
    uint64_t free0 = tests_free_bytes();
    hv_handle_t a = new_port(), b = new_port(), d;
    if (!a || !b)
        return;
    CHECK(a != b, "two ports, one handle value 0x%x", a);
    /* DUPLICATE, TRANSFER, READ and WRITE, nothing more. */
    if (EXPECT(hv_handle_duplicate(a, PORT_RIGHTS, &d), HV_OK))
        EXPECT(hv_handle_close(d), HV_OK);
    EXPECT(hv_handle_duplicate(a, HV_RIGHT_EXECUTE, &d), HV_ERR_INVALID_ARGS);
    EXPECT(hv_handle_duplicate(a, HV_RIGHT_SIGNAL, &d), HV_ERR_INVALID_ARGS);
    EXPECT(hv_handle_duplicate(a, HV_RIGHTS_ALL, &d), HV_ERR_INVALID_ARGS);
    /* Each port its own queue. */
    struct hv_packet p;
    QUEUE_USER(a, 1);
    EXPECT(hv_port_wait(b, 0, &p), HV_ERR_TIMED_OUT);
    TAKE_USER(a, 1);
    /* Closed full, closed with a handle left: everything goes with the last handle. */
    for (unsigned i = 0; i < HV_PORT_CAPACITY; i++)
        QUEUE_USER(a, i);
    hv_handle_t a2 = dup(a, HV_RIGHT_SAME_RIGHTS);
    EXPECT(hv_handle_close(a), HV_OK);
    if (a2)
        TAKE_USER(a2, 0);                   /* the duplicate still holds the port */
    EXPECT(hv_handle_close(a2), HV_OK);
    EXPECT(hv_handle_close(b), HV_OK);
    EXPECT(hv_port_wait(a, 0, &p), HV_ERR_BAD_HANDLE);
    EXPECT(hv_port_queue(b, &p), HV_ERR_BAD_HANDLE);
    for (unsigned i = 0; i < 200 && !case_failed; i++) {
        hv_handle_t c;
        if (!EXPECT(hv_port_create(0, &c), HV_OK))
            break;
        QUEUE_USER(c, i);
        EXPECT(hv_handle_close(c), HV_OK);
    }
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after 202 ports",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

static void t_port_create_errors(void)
{
    hv_handle_t g = new_guest(), p;
    if (!g)
        return;
    uint64_t free0 = tests_free_bytes();
    int slots0 = tests_free_handle_slots(g);
    EXPECT(hv_port_create(1, &p), HV_ERR_INVALID_ARGS);
    EXPECT(hv_port_create(0x80000000u, &p), HV_ERR_INVALID_ARGS);
    EXPECT(hv_syscall6(HV_SYS_PORT_CREATE, (long)1 << 32, (long)&p, 0, 0, 0, 0),
           HV_ERR_INVALID_ARGS);
    FOR_BAD_PTRS(b, sizeof(hv_handle_t), true)
        EXPECTF(hv_port_create(0, P(b->va)), HV_ERR_INVALID_ARGS, "hv_port_create(out = %s)",
                b->name);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
    CHECK(tests_free_handle_slots(g) == slots0, "free handle slots %d before, %d after",
          slots0, tests_free_handle_slots(g));
}

static const struct hv_packet ro_packet = {
    .key = 0x0123456789abcdefull, .type = 77, .status = -1,
    .raw = { [0] = 0x11, [23] = 0x22, [47] = 0x33 },
};

static void t_port_queue_wait(void)
{
    hv_handle_t port = new_port();
    if (!port)
        return;
    struct hv_packet p;
    /* key and payload kept, type HV_PKT_USER, status HV_OK. */
    if (QUEUE_USER(port, 0x8877665544332211ull))
        TAKE_USER(port, 0x8877665544332211ull);
    EXPECT(hv_port_wait(port, 0, &p), HV_ERR_TIMED_OUT);
    /* From read-only .rodata (port_queue only reads), into the last bytes of a mapping. */
    struct hv_packet *end = P(scratch + SCRATCH_SIZE - sizeof(struct hv_packet));
    memset(end, 0xcc, sizeof(*end));
    if (EXPECT(hv_port_queue(port, &ro_packet), HV_OK) &&
        EXPECT(hv_port_wait(port, 0, end), HV_OK))
        CHECK(end->type == HV_PKT_USER && end->status == HV_OK && end->key == ro_packet.key &&
              !memcmp(end->raw, ro_packet.raw, sizeof(end->raw)),
              "packet type %u status %d key 0x%llx raw[23] 0x%x, expected USER, HV_OK, key "
              "0x%llx, raw[23] 0x22", end->type, end->status, (unsigned long long)end->key,
              end->raw[23], (unsigned long long)ro_packet.key);
    /* And from the last bytes of a mapping. */
    mkpkt(end, 5);
    if (EXPECT(hv_port_queue(port, end), HV_OK))
        TAKE_USER(port, 5);
    EXPECT(hv_port_wait(port, 0, &p), HV_ERR_TIMED_OUT);
}

/* HV_PORT_CAPACITY packets, first in first out, also around the end of the ring. */
static void t_port_fifo_capacity(void)
{
    hv_handle_t port = new_port();
    if (!port)
        return;
    struct hv_packet p;
    for (unsigned i = 0; i < HV_PORT_CAPACITY; i++)
        if (!QUEUE_USER(port, 0x100 + i))
            return;
    mkpkt(&p, 0x999);
    EXPECT(hv_port_queue(port, &p), HV_ERR_NO_RESOURCES);
    for (unsigned i = 0; i < HV_PORT_CAPACITY; i++)
        if (!TAKE_USER(port, 0x100 + i))
            return;
    EXPECT(hv_port_wait(port, 0, &p), HV_ERR_TIMED_OUT);
    /* 40 in, 20 out, 43 in (full again), 63 out. */
    uint64_t in = 0x200, out = 0x200;
    for (unsigned i = 0; i < 40; i++)
        QUEUE_USER(port, in++);
    for (unsigned i = 0; i < 20; i++)
        TAKE_USER(port, out++);
    for (unsigned i = 0; i < 43; i++)
        QUEUE_USER(port, in++);
    EXPECT(hv_port_queue(port, &p), HV_ERR_NO_RESOURCES);
    while (out < in && !case_failed)
        TAKE_USER(port, out++);
    EXPECT(hv_port_wait(port, 0, &p), HV_ERR_TIMED_OUT);
}

static void t_port_errors(void)
{
    hv_handle_t g = new_guest(), port = new_port(), stale, v, x;
    if (!g || !port || !EXPECT(hv_port_create(0, &stale), HV_OK))
        return;
    EXPECT(hv_handle_close(stale), HV_OK);
    if (!EXPECT(hv_vcpu_create(g, 0, CODE_GPA, &v), HV_OK))
        return;
    track(v);
    struct hv_packet p, out;
    mkpkt(&p, 7);
    /* Not live handles. */
    const hv_handle_t bad[] = { HV_HANDLE_INVALID, 0xffffffffu, stale, forged(port) };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        EXPECTF(hv_port_queue(bad[i], &p), HV_ERR_BAD_HANDLE, "port_queue(0x%x)", bad[i]);
        EXPECTF(hv_port_wait(bad[i], 0, &out), HV_ERR_BAD_HANDLE, "port_wait(0x%x)", bad[i]);
    }
    long wide = (long)((1ull << 32) | port);
    EXPECT(hv_syscall6(HV_SYS_PORT_QUEUE, wide, (long)&p, 0, 0, 0, 0), HV_ERR_BAD_HANDLE);
    EXPECT(hv_syscall6(HV_SYS_PORT_WAIT, wide, 0, (long)&out, 0, 0, 0), HV_ERR_BAD_HANDLE);
    /* Other objects are not ports, and a port is nothing else. */
    EXPECT(hv_port_queue(g, &p), HV_ERR_WRONG_TYPE);
    EXPECT(hv_port_wait(g, 0, &out), HV_ERR_WRONG_TYPE);
    EXPECT(hv_port_queue(v, &p), HV_ERR_WRONG_TYPE);
    EXPECT(hv_port_wait(v, 0, &out), HV_ERR_WRONG_TYPE);
    EXPECT(hv_vcpu_resume(port, &out, HV_TIME_INFINITE), HV_ERR_WRONG_TYPE);
    EXPECT(hv_vcpu_kick(port), HV_ERR_WRONG_TYPE);
    EXPECT(hv_vcpu_interrupt(port, 0x40), HV_ERR_WRONG_TYPE);
    EXPECT(hv_vcpu_create(port, 0, CODE_GPA, &x), HV_ERR_WRONG_TYPE);
    EXPECT(hv_guest_map(port, 0, scratch, 0x1000, R), HV_ERR_WRONG_TYPE);
    EXPECT(hv_guest_set_trap(port, HV_TRAP_IO, 0x60, 1, 0, 0), HV_ERR_WRONG_TYPE);
    /* queue needs WRITE, wait READ; each alone is enough. */
    hv_handle_t ro = dup(port, HV_RIGHT_READ), wo = dup(port, HV_RIGHT_WRITE),
                none = dup(port, 0);
    if (!ro || !wo || !none)
        return;
    EXPECT(hv_port_queue(ro, &p), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_port_queue(none, &p), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_port_wait(wo, 0, &out), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_port_wait(none, 0, &out), HV_ERR_ACCESS_DENIED);
    if (EXPECT(hv_port_queue(wo, &p), HV_OK) && EXPECT(hv_port_wait(ro, 0, &out), HV_OK))
        EXPECT_USER(&out, 7);
    /* Bad pointers; a bad out loses no queued packet (it is checked first). */
    FOR_BAD_PTRS(b, sizeof(struct hv_packet), false)
        EXPECTF(hv_port_queue(port, P(b->va)), HV_ERR_INVALID_ARGS, "port_queue(packet = %s)",
                b->name);
    EXPECT(hv_port_wait(port, 0, &out), HV_ERR_TIMED_OUT);     /* none of them queued */
    QUEUE_USER(port, 8);
    FOR_BAD_PTRS(c, sizeof(struct hv_packet), true)
        EXPECTF(hv_port_wait(port, 0, P(c->va)), HV_ERR_INVALID_ARGS,
                "port_wait(out = %s) with a packet queued", c->name);
    TAKE_USER(port, 8);
    EXPECT(hv_port_wait(port, 0, &out), HV_ERR_TIMED_OUT);
    /* ... and before blocking: at once, not at the deadline. */
    uint64_t t0 = rdtsc();
    EXPECT(hv_port_wait(port, t0 + ms(500), P(ro_va)), HV_ERR_INVALID_ARGS);
    EXPECT(hv_port_wait(port, rdtsc() + ms(500), P(0)), HV_ERR_INVALID_ARGS);
    uint64_t took = rdtsc() - t0;
    CHECK(took < ms(250), "two port_waits with bad out pointers and a deadline 500 ms ahead "
          "took %llu ms", (unsigned long long)to_ms(took));
}

static void t_port_wait_timeout(void)
{
    struct hv_system_info info;
    if (EXPECT(hv_system_info(&info, sizeof(info)), HV_OK))
        CHECK(info.tsc_hz >= 1000000 && info.tsc_hz < 100000000000ull, "tsc_hz %llu",
              (unsigned long long)info.tsc_hz);
    hv_handle_t port = new_port();
    if (!port)
        return;
    struct hv_packet p;
    /* Deadline 0 or in the past: no blocking. */
    uint64_t t0 = rdtsc();
    EXPECT(hv_port_wait(port, 0, &p), HV_ERR_TIMED_OUT);
    EXPECT(hv_port_wait(port, 1, &p), HV_ERR_TIMED_OUT);
    EXPECT(hv_port_wait(port, rdtsc() - 1, &p), HV_ERR_TIMED_OUT);
    uint64_t took = rdtsc() - t0;
    CHECK(took < ms(50), "three port_waits with past deadlines took %llu ms",
          (unsigned long long)to_ms(took));
    /* A future deadline: not a tick before it, and not long after. */
    static const unsigned waits[] = { 1, 5, 20 };
    for (unsigned i = 0; i < 3; i++) {
        uint64_t deadline = rdtsc() + ms(waits[i]);
        EXPECTF(hv_port_wait(port, deadline, &p), HV_ERR_TIMED_OUT,
                "port_wait(empty port, now + %u ms)", waits[i]);
        uint64_t t = rdtsc();
        CHECK(t >= deadline, "port_wait(now + %u ms) returned %llu ticks before the deadline",
              waits[i], (unsigned long long)(deadline - t));
        CHECK(t < deadline + ms(200), "port_wait(now + %u ms) returned %llu ms after the "
              "deadline", waits[i], (unsigned long long)to_ms(t - deadline));
    }
    /* A queued packet comes at once, whatever the deadline. */
    QUEUE_USER(port, 1);
    QUEUE_USER(port, 2);
    t0 = rdtsc();
    if (EXPECT(hv_port_wait(port, t0 + ms(1000), &p), HV_OK))
        EXPECT_USER(&p, 1);
    if (EXPECT(hv_port_wait(port, HV_TIME_INFINITE, &p), HV_OK))
        EXPECT_USER(&p, 2);
    took = rdtsc() - t0;
    CHECK(took < ms(100), "port_wait with packets queued took %llu ms",
          (unsigned long long)to_ms(took));
}

/* A thread blocked in port_wait gets what another thread queues. */
static struct {
    hv_handle_t port, nap;
    volatile hv_status_t st;
} wk;

static void w_wake(uint64_t key)
{
    struct hv_packet p;
    nap_on(wk.nap, 3);
    mkpkt(&p, key);
    wk.st = hv_port_queue(wk.port, &p);
    finish();
}

static void t_port_wait_wakeup(void)
{
    hv_handle_t np = napper(), port = new_port();
    if (!np || !port)
        return;
    wk.port = port, wk.nap = np;
    struct hv_packet p;
    /* No deadline: only the other thread's packet ends the wait. It naps 3 ms first, from
     * when it first runs: after the main thread blocked (a fresh slice makes sure). */
    wk.st = NOT_YET;
    nap(1);
    if (!spawn(w_wake, 0x77))
        return;
    uint64_t t0 = rdtsc();
    if (EXPECT(hv_port_wait(port, HV_TIME_INFINITE, &p), HV_OK))
        EXPECT_USER(&p, 0x77);
    uint64_t took = rdtsc() - t0;
    CHECK(took >= ms(3), "port_wait returned after %llu ticks, before the sender's 3 ms nap "
          "ended", (unsigned long long)took);
    if (!CHECK(join(), "the sender never ended"))
        return;
    CHECK(wk.st == HV_OK, "the sender's port_queue returned %s", hv_status_name(wk.st));
    /* A deadline 2 s ahead: the packet ends the wait long before it. */
    wk.st = NOT_YET;
    if (!spawn(w_wake, 0x78))
        return;
    t0 = rdtsc();
    if (EXPECT(hv_port_wait(port, t0 + ms(2000), &p), HV_OK))
        EXPECT_USER(&p, 0x78);
    took = rdtsc() - t0;
    CHECK(took >= ms(3) && took < ms(1000), "port_wait(now + 2 s) took %llu ms; the packet "
          "came after about 3 ms", (unsigned long long)to_ms(took));
    CHECK(join(), "the sender never ended");
    CHECK(wk.st == HV_OK, "the sender's port_queue returned %s", hv_status_name(wk.st));
    EXPECT(hv_port_wait(port, 0, &p), HV_ERR_TIMED_OUT);
}

/* Waiters on one port, each with its record; `waiting` counts those that reached port_wait. */
#define WAITERS 3
static struct {
    hv_handle_t port;
    uint64_t deadline;
    volatile uint32_t waiting;
    volatile hv_status_t st[WAITERS];
    volatile uint64_t key[WAITERS];
    volatile uint64_t took[WAITERS];
} ww;

static void w_waiter(uint64_t i)
{
    struct hv_packet p;
    memset(&p, 0, sizeof(p));
    uint64_t t0 = rdtsc();
    __atomic_fetch_add(&ww.waiting, 1, __ATOMIC_SEQ_CST);
    ww.st[i] = hv_port_wait(ww.port, ww.deadline, &p);
    ww.took[i] = rdtsc() - t0;
    ww.key[i] = p.key;
    finish();
}

/* n waiters on port, started one after the other, each blocked before the next starts. */
static bool start_waiters(hv_handle_t port, unsigned n)
{
    ww.port = port;
    ww.deadline = rdtsc() + ms(5000);
    ww.waiting = 0;
    for (unsigned i = 0; i < WAITERS; i++)
        ww.st[i] = NOT_YET, ww.key[i] = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!spawn(w_waiter, i))
            return false;
        if (!CHECK(await_count(&ww.waiting, i + 1, 1000), "waiter %u never started", i))
            return false;
        nap(3);                         /* it blocks in port_wait meanwhile */
    }
    return true;
}

static void t_port_waiters_fifo(void)
{
    hv_handle_t np = napper(), port = new_port();
    if (!np || !port || !start_waiters(port, WAITERS))
        return;
    for (unsigned i = 0; i < WAITERS; i++)
        QUEUE_USER(port, 100 + i);
    if (!CHECK(join(), "the waiters never ended"))
        return;
    for (unsigned i = 0; i < WAITERS; i++)
        CHECK(ww.st[i] == HV_OK && ww.key[i] == 100 + i, "waiter %u (blocked %u-th) got %s "
              "and key %llu, expected HV_OK and key %u", i, i + 1, hv_status_name(ww.st[i]),
              (unsigned long long)ww.key[i], 100 + i);
    struct hv_packet p;
    EXPECT(hv_port_wait(port, 0, &p), HV_ERR_TIMED_OUT);
}

/* Closing the last handle cancels every wait on the port; closing another handle does not. */
static void t_port_close_cancels(void)
{
    hv_handle_t np = napper(), port = new_port();
    hv_handle_t other = port ? dup(port, HV_RIGHT_SAME_RIGHTS) : 0;
    if (!np || !other || !start_waiters(port, 2))
        return;
    EXPECT(hv_handle_close(other), HV_OK);
    nap(3);
    CHECK(ww.st[0] == NOT_YET && ww.st[1] == NOT_YET, "closing a handle that was not the last "
          "ended the waits with %s and %s", hv_status_name(ww.st[0]), hv_status_name(ww.st[1]));
    EXPECT(hv_handle_close(port), HV_OK);
    if (!CHECK(join(), "the waiters never ended"))
        return;
    for (unsigned i = 0; i < 2; i++)
        CHECK(ww.st[i] == HV_ERR_CANCELED && ww.took[i] < ms(2000), "waiter %u: port_wait "
              "returned %s after %llu ms, expected HV_ERR_CANCELED when the last handle closed",
              i, hv_status_name(ww.st[i]), (unsigned long long)to_ms(ww.took[i]));
    struct hv_packet p;
    EXPECT(hv_port_wait(port, 0, &p), HV_ERR_BAD_HANDLE);
}

/* ---- threads --------------------------------------------------------------------------------- */

static volatile struct tt_probe probe;

static void t_thread_create(void)
{
    static const char *const names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi",
                                            "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
                                            "r14", "r15" };
    napper();
    uint64_t st = stack_new(STACK_SIZE);
    if (!st)
        return;
    memset(P(st), 0xa5, STACK_SIZE);
    memset((void *)&probe, 0, sizeof(probe));
    uint64_t top = st + STACK_SIZE;
    nap(1);                 /* a fresh time slice: the creator must run on after the create */
    hv_handle_t h = spawn_at(ADDR(tt_probe), top, ADDR(&probe));
    bool ran_at_once = probe.gpr[GPR_RSP] != 0;
    if (!h)
        return;
    CHECK(!ran_at_once, "the new thread ran before its creator blocked or used up its slice");
    if (!CHECK(join(), "the new thread never ended"))
        return;
    CHECK(probe.gpr[GPR_RSP] == top - 8, "rsp 0x%llx at the start, expected stack_top - 8 = "
          "0x%llx", (unsigned long long)probe.gpr[GPR_RSP], (unsigned long long)(top - 8));
    CHECK(probe.at_rsp == 0, "return address 0x%llx at rsp, expected 0",
          (unsigned long long)probe.at_rsp);
    CHECK(probe.gpr[GPR_RDI] == ADDR(&probe), "rdi 0x%llx, expected the argument 0x%llx",
          (unsigned long long)probe.gpr[GPR_RDI], (unsigned long long)ADDR(&probe));
    for (unsigned i = 0; i < 16; i++)
        if (i != GPR_RSP && i != GPR_RDI)
            CHECK(probe.gpr[i] == 0, "%s 0x%llx at the start, expected 0", names[i],
                  (unsigned long long)probe.gpr[i]);
    CHECK(probe.rflags & (1u << 9), "rflags 0x%llx at the start: interrupts off",
          (unsigned long long)probe.rflags);
    /* The kernel wrote the stack at stack_top - 8 only (the thread itself 8 bytes below). */
    const volatile uint8_t *s = P(st);
    unsigned i = 0;
    while (i < STACK_SIZE - 16 && s[i] == 0xa5)
        i++;
    CHECK(i == STACK_SIZE - 16, "stack byte at stack_top - 0x%llx changed to 0x%x",
          (unsigned long long)(STACK_SIZE - i), s[i]);
    /* The handle: DUPLICATE, TRANSFER, READ and WRITE; it outlives the thread, once. */
    hv_handle_t d;
    if (EXPECT(hv_handle_duplicate(h, THREAD_RIGHTS, &d), HV_OK))
        EXPECT(hv_handle_close(d), HV_OK);
    EXPECT(hv_handle_duplicate(h, HV_RIGHT_EXECUTE, &d), HV_ERR_INVALID_ARGS);
    EXPECT(hv_handle_duplicate(h, HV_RIGHT_SIGNAL, &d), HV_ERR_INVALID_ARGS);
    EXPECT(hv_handle_close(h), HV_OK);
    EXPECT(hv_handle_close(h), HV_ERR_BAD_HANDLE);
}

static void t_thread_create_errors(void)
{
    napper();
    uint64_t st = stack_new(0x2000), ro = mem(0x1000, HV_MEM_READ);
    if (!nap_port || !st || !ro)
        return;
    uint64_t free0 = tests_free_bytes();
    const uint64_t top = st + 0x2000, entry = ADDR(tt_count), arg = ADDR(&runs);
    runs = 0;
    hv_handle_t h;
    EXPECT(hv_thread_create(entry, top, arg, 1, &h), HV_ERR_INVALID_ARGS);
    EXPECT(hv_thread_create(entry, top, arg, 0x80000000u, &h), HV_ERR_INVALID_ARGS);
    EXPECT(hv_syscall6(HV_SYS_THREAD_CREATE, (long)entry, (long)top, (long)arg, (long)1 << 32,
                       (long)&h, 0), HV_ERR_INVALID_ARGS);
    static const struct badptr entries[] = {
        { "0", 0 }, { "kernel 0x200000", 0x200000 },
        { "0x7fffffffff (below user space)", 0x7fffffffffull },
        { "non-canonical 0x0000800000000000", 0x0000800000000000ull },
        { "non-canonical 0xdead000000000000", 0xdead000000000000ull },
        { "kernel half 0xffff800000000000", 0xffff800000000000ull }, { "~0", ~0ull },
    };
    for (unsigned i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
        EXPECTF(hv_thread_create(entries[i].va, top, arg, 0, &h), HV_ERR_INVALID_ARGS,
                "thread_create(entry %s)", entries[i].name);
    const struct badptr tops[] = {
        { "8-byte aligned", top - 8 }, { "4-byte aligned", top - 4 }, { "odd", top - 1 },
        { "on a read-only page", ro + 0x1000 }, { "on the root task's text", 0x8000001000ull },
        { "on a mem_unmap'd page", freed_va + 0x1000 },
        { "on a guard page", scratch + SCRATCH_SIZE + 0x1000 }, { "0", 0 },
        { "kernel 0x200000", 0x200000 },
        { "non-canonical 0x0000800000000000", 0x0000800000000000ull },
        { "non-canonical 0xdead000000000000", 0xdead000000000000ull },
        { "kernel half 0xffff800000000000", 0xffff800000000000ull },
    };
    for (unsigned i = 0; i < sizeof(tops) / sizeof(tops[0]); i++)
        EXPECTF(hv_thread_create(entry, tops[i].va, arg, 0, &h), HV_ERR_INVALID_ARGS,
                "thread_create(stack_top %s)", tops[i].name);
    FOR_BAD_PTRS(b, sizeof(hv_handle_t), true)
        EXPECTF(hv_thread_create(entry, top, arg, 0, P(b->va)), HV_ERR_INVALID_ARGS,
                "thread_create(out = %s)", b->name);
    nap(5);
    CHECK(runs == 0, "refused thread_creates started %u threads", runs);
    /* The same arguments, all valid: the thread runs once. */
    if (EXPECT(hv_thread_create(entry, top, arg, 0, &h), HV_OK)) {
        track(h);
        CHECK(await_count(&runs, 1, 1000), "the thread never ran");
        EXPECT(hv_handle_close(h), HV_OK);
    }
    nap(2);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

/* A thread handle: closing it does not stop the thread; it is no other object's handle. */
static void t_thread_handle(void)
{
    napper();
    hv_handle_t g = new_guest(), h;
    uint64_t st = stack_new(0x1000);
    if (!nap_port || !g || !st)
        return;
    runs = 0;
    if (!EXPECT(hv_thread_create(ADDR(tt_count), st + 0x1000, ADDR(&runs), 0, &h), HV_OK))
        return;
    EXPECT(hv_handle_close(h), HV_OK);
    CHECK(await_count(&runs, 1, 1000), "a thread whose handle was closed never ran");
    if (!EXPECT(hv_thread_create(ADDR(tt_count), st + 0x1000, ADDR(&runs), 0, &h), HV_OK))
        return;
    track(h);
    struct hv_packet p;
    mkpkt(&p, 1);
    EXPECT(hv_port_queue(h, &p), HV_ERR_WRONG_TYPE);
    EXPECT(hv_port_wait(h, 0, &p), HV_ERR_WRONG_TYPE);
    EXPECT(hv_vcpu_kick(h), HV_ERR_WRONG_TYPE);
    EXPECT(hv_vcpu_resume(h, &p, HV_TIME_INFINITE), HV_ERR_WRONG_TYPE);
    EXPECT(hv_guest_set_trap(h, HV_TRAP_IO, 0x60, 1, 0, 0), HV_ERR_WRONG_TYPE);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, 0x100000, 0x1000, h, 0), HV_ERR_WRONG_TYPE);
    CHECK(await_count(&runs, 2, 1000), "the second thread never ran");
    nap(2);
    EXPECT(hv_handle_close(h), HV_OK);
    EXPECT(hv_handle_close(h), HV_ERR_BAD_HANDLE);
}

/* A second thread: a thread_exit number with high bits is not thread_exit; it creates a
 * thread of its own, whose handle the main thread can use. */
static struct {
    uint64_t child_stack;
    volatile long wide;
    volatile hv_status_t child_st;
    volatile hv_handle_t child;
} te;

static void w_exit(uint64_t arg)
{
    (void)arg;
    te.wide = hv_syscall6((long)(1ull << 32 | HV_SYS_THREAD_EXIT), 0, 0, 0, 0, 0, 0);
    hv_handle_t c = HV_HANDLE_INVALID;
    te.child_st = hv_thread_create(ADDR(tt_count), te.child_stack, ADDR(&runs), 0, &c);
    te.child = c;
    finish();
}

static void t_thread_exit(void)
{
    napper();
    uint64_t st = stack_new(0x1000);
    if (!nap_port || !st)
        return;
    te.child_stack = st + 0x1000;
    te.wide = 1, te.child_st = NOT_YET, te.child = HV_HANDLE_INVALID;
    runs = 0;
    if (!spawn(w_exit, 0))
        return;
    if (!CHECK(join(), "the thread never ended (did 2^32 + HV_SYS_THREAD_EXIT end it?)"))
        return;
    CHECK(te.wide == HV_ERR_BAD_SYSCALL, "hypercall number 2^32 + %d returned %ld, expected "
          "HV_ERR_BAD_SYSCALL", HV_SYS_THREAD_EXIT, te.wide);
    if (!CHECK(te.child_st == HV_OK, "thread_create from the second thread returned %s",
               hv_status_name(te.child_st)))
        return;
    track(te.child);
    CHECK(await_count(&runs, 1, 1000), "the second thread's thread never ran");
    nap(2);
    EXPECT(hv_handle_close(te.child), HV_OK);
}

/* HV_THREADS_MAX threads at once, the main one included; ended ones do not count. */
#define LIMIT_STACK 0x2000ull

static void w_limit(uint64_t i)
{
    struct hv_packet p;
    __atomic_fetch_add(&ww.waiting, 1, __ATOMIC_SEQ_CST);
    hv_status_t rc = hv_port_wait(ww.port, ww.deadline, &p);
    if (i < WAITERS)
        ww.st[i] = rc;
    if (rc != HV_ERR_CANCELED)
        __atomic_fetch_add(&runs, 1, __ATOMIC_SEQ_CST);     /* counts the wrong ends */
    finish();
}

static void t_thread_limit(void)
{
    const unsigned n = HV_THREADS_MAX - 1;
    napper();
    hv_handle_t port = new_port();
    uint64_t stacks = stack_new(n * LIMIT_STACK);
    if (!nap_port || !port || !stacks)
        return;
    nap(2);                             /* threads of earlier cases are gone */
    ww.port = port, ww.deadline = rdtsc() + ms(10000), ww.waiting = 0, runs = 0;
    unsigned made = 0;
    while (made < n && spawn_at(ADDR(w_limit), stacks + (made + 1) * LIMIT_STACK, made))
        made++;
    hv_handle_t x;
    static volatile uint32_t extra;
    extra = 0;
    uint64_t f = tests_free_bytes();
    EXPECTF(hv_thread_create(ADDR(tt_count), stacks + LIMIT_STACK, ADDR(&extra), 0, &x),
            HV_ERR_NO_RESOURCES, "thread_create with %u threads alive", made + 1);
    CHECK(tests_free_bytes() == f, "the refused thread_create kept %lld bytes",
          (long long)(f - tests_free_bytes()));
    CHECK(await_count(&ww.waiting, made, 5000), "%u of %u threads reached port_wait",
          ww.waiting, made);
    nap(5);
    EXPECTF(hv_thread_create(ADDR(tt_count), stacks + LIMIT_STACK, ADDR(&extra), 0, &x),
            HV_ERR_NO_RESOURCES, "thread_create with %u threads alive and blocked", made + 1);
    /* Closing the port ends every wait with HV_ERR_CANCELED. */
    EXPECT(hv_handle_close(port), HV_OK);
    if (!CHECK(join(), "%u of %u threads never ended", tt_spawned - tt_finished, made))
        return;
    CHECK(runs == 0, "%u of %u waits ended otherwise than with HV_ERR_CANCELED", runs, made);
    CHECK(extra == 0, "a refused thread_create started a thread");
    if (EXPECT(hv_thread_create(ADDR(tt_count), stacks + LIMIT_STACK, ADDR(&extra), 0, &x),
               HV_OK)) {
        track(x);
        CHECK(await_count(&extra, 1, 1000), "the thread made after the others ended never ran");
    }
}

/* Threads that never block: only the timer can take the CPU from them, or from main. */
static struct {
    volatile uint32_t stop;
    volatile uint64_t count[2];
} sp;

static void w_spin(uint64_t i)
{
    while (!sp.stop)
        sp.count[i]++;
    finish();
}

/* Spin (no hypercall) until count[i] passes `above`, at most max_ms; the ticks it took, or 0. */
static uint64_t spin_until(unsigned i, uint64_t above, uint64_t max_ms)
{
    uint64_t t0 = rdtsc(), t;
    do {
        t = rdtsc();
        if (sp.count[i] > above)
            return t - t0 + 1;
    } while (t - t0 < ms(max_ms));
    return 0;
}

static void t_thread_preemption(void)
{
    napper();
    sp.stop = 0, sp.count[0] = sp.count[1] = 0;
    if (!nap_port)
        return;
    nap(1);                                     /* a fresh slice */
    if (!spawn(w_spin, 0) || !spawn(w_spin, 1)) {
        sp.stop = 1;
        return;
    }
    uint64_t first = spin_until(0, 0, 2000);
    uint64_t second = first ? spin_until(1, 0, 2000) : 0;
    CHECK(first && second, "the main thread spun 2 s and the spinners counted %llu and %llu: "
          "no preemption", (unsigned long long)sp.count[0], (unsigned long long)sp.count[1]);
    CHECK(!first || first < ms(10 * HV_TIME_SLICE_MS), "the first spinner ran only after "
          "%llu ms (slices are %u ms)", (unsigned long long)to_ms(first), HV_TIME_SLICE_MS);
    /* The main thread is back while both still spin, and again after they ran on. */
    uint64_t c0 = sp.count[0];
    CHECK(!first || spin_until(0, c0, 2000), "the first spinner never ran again");
    sp.stop = 1;
    CHECK(join(), "the spinners never ended");
}

/* Many threads made, run and closed in turn: no memory or handle slot stays behind. */
static void t_thread_no_leak(void)
{
    napper();
    hv_handle_t g = new_guest();
    uint64_t st = stack_new(0x1000);
    if (!nap_port || !g || !st)
        return;
    nap(2);
    uint64_t free0 = tests_free_bytes();
    int slots0 = tests_free_handle_slots(g);
    runs = 0;
    unsigned made = 0;
    for (unsigned round = 0; round < 13 && !case_failed; round++) {
        hv_handle_t hs[8];
        unsigned n = 0;
        for (; n < 8; n++) {
            if (!EXPECT(hv_thread_create(ADDR(tt_count), st + 0x1000, ADDR(&runs), 0, &hs[n]),
                        HV_OK))
                break;
            if (n & 1)
                EXPECT(hv_handle_close(hs[n]), HV_OK);     /* before it runs */
        }
        made += n;
        CHECK(await_count(&runs, made, 1000), "%u of %u threads ran", runs, made);
        for (unsigned i = 0; i < n; i += 2)
            EXPECT(hv_handle_close(hs[i]), HV_OK);         /* after it ended */
    }
    nap(2);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after %u threads",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes(), made);
    CHECK(tests_free_handle_slots(g) == slots0, "free handle slots %d before, %d after",
          slots0, tests_free_handle_slots(g));
}

/* No handle slot left: port_create and thread_create say HV_ERR_NO_RESOURCES. */
static void t_handle_exhaustion_ports_threads(void)
{
    static hv_handle_t hs[4100];
    napper();
    uint64_t st = stack_new(0x1000);
    if (!nap_port || !st)
        return;
    unsigned n = 0;
    hv_status_t rc = HV_OK;
    while (n < sizeof(hs) / sizeof(hs[0]) &&
           (rc = hv_handle_duplicate(nap_port, HV_RIGHT_SAME_RIGHTS, &hs[n])) == HV_OK)
        n++;
    CHECK(rc == HV_ERR_NO_RESOURCES, "duplicating stopped after %u with %s", n,
          hv_status_name(rc));
    hv_handle_t x;
    runs = 0;
    EXPECT(hv_port_create(0, &x), HV_ERR_NO_RESOURCES);
    EXPECT(hv_thread_create(ADDR(tt_count), st + 0x1000, ADDR(&runs), 0, &x),
           HV_ERR_NO_RESOURCES);
    for (unsigned i = 0; i < n; i++)
        hv_handle_close(hs[i]);
    nap(3);
    CHECK(runs == 0, "a thread_create refused for want of a handle slot started a thread");
    if (EXPECT(hv_port_create(0, &x), HV_OK))
        EXPECT(hv_handle_close(x), HV_OK);
}

/* With few free frames: port_create and thread_create work or say HV_ERR_NO_MEMORY and give
 * everything back; port_queue and port_wait need no memory at all. */
static void t_low_memory_ports_threads(void)
{
    napper();
    hv_handle_t port = new_port();
    uint64_t st = stack_new(0x1000);
    if (!nap_port || !port || !st)
        return;
    uint64_t free0 = tests_free_bytes();
    if (!hog_all()) {
        hog_release();
        return;
    }
    unsigned steps = 0;
    for (unsigned step = 0; step < 12; step++) {
        if (!hog_set_free(step))
            continue;
        uint64_t f = tests_free_bytes(), frames = f >> 12;
        steps++;
        hv_handle_t x;
        hv_status_t rc = hv_port_create(0, &x);
        if (rc == HV_OK)
            EXPECT(hv_handle_close(x), HV_OK);
        else
            EXPECTF(rc, HV_ERR_NO_MEMORY, "port_create with %llu free frames",
                    (unsigned long long)frames);
        CHECK(tests_free_bytes() == f, "port_create (%s) with %llu free frames: %llu after",
              hv_status_name(rc), (unsigned long long)frames,
              (unsigned long long)(tests_free_bytes() >> 12));
        runs = 0;
        rc = hv_thread_create(ADDR(tt_count), st + 0x1000, ADDR(&runs), 0, &x);
        if (rc == HV_OK) {
            EXPECT(hv_handle_close(x), HV_OK);
            CHECK(await_count(&runs, 1, 1000), "the thread made with %llu free frames never ran",
                  (unsigned long long)frames);
            nap(1);
        } else {
            EXPECTF(rc, HV_ERR_NO_MEMORY, "thread_create with %llu free frames",
                    (unsigned long long)frames);
        }
        CHECK(tests_free_bytes() == f, "thread_create (%s) with %llu free frames: %llu after it "
              "ended", hv_status_name(rc), (unsigned long long)frames,
              (unsigned long long)(tests_free_bytes() >> 12));
        if (frames == 0) {
            for (unsigned i = 0; i < HV_PORT_CAPACITY; i++)
                QUEUE_USER(port, i);
            struct hv_packet p;
            EXPECT(hv_port_queue(port, &p), HV_ERR_NO_RESOURCES);
            for (unsigned i = 0; i < HV_PORT_CAPACITY && !case_failed; i++)
                TAKE_USER(port, i);
        }
    }
    hog_release();
    CHECK(steps >= 6, "only %u of 12 free-frame counts reached", steps);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

/* ---- vCPUs and threads -------------------------------------------------------------------------- */

/* What a second thread may do with the main thread's vCPU, and with one of its own. */
static struct {
    hv_handle_t g, v;
    struct hv_vcpu_state state;
    volatile hv_status_t st[9];
    volatile hv_handle_t v2;
    volatile uint32_t v2_type, v2_kind;
    volatile uint64_t v2_rip;
} vb;

static void w_binding(uint64_t arg)
{
    (void)arg;
    struct hv_packet p;
    struct hv_vcpu_state s = vb.state;
    struct hv_vcpu_sregs sr;
    struct hv_vcpu_io io = { .access_size = 1 };
    vb.st[0] = hv_vcpu_resume(vb.v, &p, HV_TIME_INFINITE);
    vb.st[1] = hv_vcpu_read_state(vb.v, HV_VCPU_STATE, &s, sizeof(s));
    vb.st[2] = hv_vcpu_write_state(vb.v, HV_VCPU_STATE, &vb.state, sizeof(vb.state));
    vb.st[3] = hv_vcpu_read_state(vb.v, HV_VCPU_SREGS, &sr, sizeof(sr));
    vb.st[4] = hv_vcpu_write_state(vb.v, HV_VCPU_IO, &io, sizeof(io));
    vb.st[5] = hv_vcpu_interrupt(vb.v, 0x40);
    vb.st[6] = hv_vcpu_kick(vb.v);
    hv_handle_t v2 = HV_HANDLE_INVALID;
    vb.st[7] = hv_vcpu_create(vb.g, 0, CODE_GPA, &v2);
    vb.v2 = v2;
    if (vb.st[7] == HV_OK) {
        memset(&p, 0, sizeof(p));
        vb.st[8] = hv_vcpu_resume(v2, &p, HV_TIME_INFINITE);
        vb.v2_type = p.type, vb.v2_kind = p.guest_vcpu.kind, vb.v2_rip = p.guest_vcpu.rip;
    }
    finish();
}

static void t_vcpu_thread_binding(void)
{
    static const struct { const char *what; hv_status_t want; } calls[9] = {
        { "vcpu_resume", HV_ERR_BAD_STATE }, { "vcpu_read_state(STATE)", HV_ERR_BAD_STATE },
        { "vcpu_write_state(STATE)", HV_ERR_BAD_STATE },
        { "vcpu_read_state(SREGS)", HV_ERR_BAD_STATE },
        { "vcpu_write_state(IO)", HV_ERR_BAD_STATE }, { "vcpu_interrupt", HV_OK },
        { "vcpu_kick", HV_OK }, { "vcpu_create", HV_OK }, { "vcpu_resume of its own vCPU", HV_OK },
    };
    napper();
    struct tvm t;
    if (!nap_port || !tvm_new(&t, CODE(tg_irq)) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_IO, 0xe9, 1, 0, 9), HV_OK))
        return;
    set_gate(&t, 0x40, GADDR(tg_irq, tg_irq_handler));
    struct hv_packet p;
    /* The guest enables interrupts and halts. */
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_irq, tg_irq_after_hlt)) ||
        !get_regs(t.v, &vb.state))
        return;
    vb.g = t.g, vb.v = t.v, vb.v2 = HV_HANDLE_INVALID;
    for (unsigned i = 0; i < 9; i++)
        vb.st[i] = NOT_YET;
    if (!spawn(w_binding, 0))
        return;
    if (!CHECK(join(), "the second thread never ended"))
        return;
    for (unsigned i = 0; i < 9; i++)
        CHECK(vb.st[i] == calls[i].want, "%s from a second thread returned %s, expected %s",
              calls[i].what, hv_status_name(vb.st[i]), hv_status_name(calls[i].want));
    hv_handle_t v2 = vb.v2;
    if (v2) {
        track(v2);
        CHECK(vb.v2_type == HV_PKT_GUEST_VCPU && vb.v2_kind == HV_VCPU_HALT &&
              vb.v2_rip == GADDR(tg_irq, tg_irq_after_hlt), "the second thread's vCPU: packet "
              "type %u kind %u rip 0x%llx, expected GUEST_VCPU HALT at 0x%llx", vb.v2_type,
              vb.v2_kind, (unsigned long long)vb.v2_rip,
              (unsigned long long)GADDR(tg_irq, tg_irq_after_hlt));
    }
    /* Back on the owner: the other thread's kick cancels the next resume, then its
     * interrupt runs the guest's handler. */
    EXPECT(hv_vcpu_resume(t.v, &p, HV_TIME_INFINITE), HV_ERR_CANCELED);
    if (resume(t.v, &p))
        EXPECT_IO(&p, 0xe9, 1, false, 'I', 9);
    /* The thread that made v2 ended: nobody runs, reads or writes it; kick and interrupt
     * still work, and it closes. */
    if (v2) {
        struct hv_vcpu_state s;
        EXPECT(hv_vcpu_resume(v2, &p, HV_TIME_INFINITE), HV_ERR_BAD_STATE);
        EXPECT(hv_vcpu_read_state(v2, HV_VCPU_STATE, &s, sizeof(s)), HV_ERR_BAD_STATE);
        EXPECT(hv_vcpu_write_state(v2, HV_VCPU_STATE, &vb.state, sizeof(vb.state)),
               HV_ERR_BAD_STATE);
        EXPECT(hv_vcpu_kick(v2), HV_OK);
        EXPECT(hv_vcpu_interrupt(v2, 0x40), HV_OK);
        EXPECT(hv_handle_close(v2), HV_OK);
    }
}

/* A second thread naps, then kicks the vCPU (vector 0) or interrupts it. */
#define SPIN_COUNT (1u << 26)   /* tg_count: about 2.7 s of guest time at 50 M ticks/s */
static struct {
    hv_handle_t v, nap;
    volatile hv_status_t st;
} kk;

static void w_kick(uint64_t vector)
{
    nap_on(kk.nap, 2);
    kk.st = vector ? hv_vcpu_interrupt(kk.v, (uint32_t)vector) : hv_vcpu_kick(kk.v);
    finish();
}

/* A guest counting down SPIN_COUNT, and the thread that will stop it. */
static bool start_spinning_guest(struct tvm *t, const uint8_t *code, size_t len, uint64_t vector)
{
    struct hv_vcpu_state s;
    if (!napper() || !tvm_new(t, code, len) || !get_regs(t->v, &s))
        return false;
    s.rcx = SPIN_COUNT;
    if (!set_regs(t->v, &s))
        return false;
    kk.v = t->v, kk.nap = nap_port, kk.st = NOT_YET;
    nap(1);             /* a fresh slice: the thread first runs once the guest does */
    return spawn(w_kick, vector) != HV_HANDLE_INVALID;
}

/* The guest ran, and was stopped before the end of its count. */
static void check_cut_short(hv_handle_t v, uint64_t took)
{
    struct hv_vcpu_state s;
    if (get_regs(v, &s))
        CHECK(s.rcx > 0 && s.rcx < SPIN_COUNT, "guest ecx %llu of %u: it %s",
              (unsigned long long)s.rcx, SPIN_COUNT, s.rcx ? "never ran" : "counted to 0");
    CHECK(took >= ms(2), "vcpu_resume returned after %llu ticks, before the other thread's "
          "2 ms nap ended", (unsigned long long)took);
}

/* tg_count keeps interrupts off: the host timer must take the CPU from the guest all the
 * same, so that the kicking thread runs while the main thread is inside vcpu_resume. */
static void t_vcpu_kick_during_resume(void)
{
    struct tvm t;
    if (!start_spinning_guest(&t, CODE(tg_count), 0))
        return;
    struct hv_packet p;
    uint64_t t0 = rdtsc();
    hv_status_t rc = hv_vcpu_resume(t.v, &p, HV_TIME_INFINITE);
    uint64_t took = rdtsc() - t0;
    if (rc == HV_OK)
        failf(__LINE__, "vcpu_resume returned packet type %u (kind %u rip 0x%llx) after %llu "
              "ms: the kick from the other thread did not stop the guest", p.type,
              p.guest_vcpu.kind, (unsigned long long)p.guest_vcpu.rip,
              (unsigned long long)to_ms(took));
    else
        EXPECT(rc, HV_ERR_CANCELED);
    CHECK(join(), "the kicking thread never ended");
    CHECK(kk.st == HV_OK, "vcpu_kick from the other thread returned %s", hv_status_name(kk.st));
    if (rc != HV_ERR_CANCELED)
        return;                             /* (the kick is still pending: nothing more) */
    check_cut_short(t.v, took);
    /* The vCPU runs on normally. */
    struct hv_vcpu_state s;
    if (get_regs(t.v, &s)) {
        s.rcx = 1000;
        if (set_regs(t.v, &s) && resume(t.v, &p))
            EXPECT_HALT(&p, GADDR(tg_count, tg_count_after));
    }
}

/* Two vCPUs take turns with SSE: each finds its own XMM0 (the kernel switches FPU state). */
static void t_vcpu_fpu_state(void)
{
    struct tvm a, b;
    struct tvm *t[2] = { &a, &b };
    const uint32_t val[2] = { 0x11111111, 0x22222222 };
    struct hv_vcpu_state s;
    struct hv_packet p;
    for (int i = 0; i < 2; i++) {
        if (!tvm_new(t[i], CODE(tg_sse)) || !get_regs(t[i]->v, &s) ||
            !EXPECT(hv_guest_set_trap(t[i]->g, HV_TRAP_IO, 0x80, 2, HV_HANDLE_INVALID, 0), HV_OK))
            return;
        s.rbx = val[i];
        if (!set_regs(t[i]->v, &s))
            return;
    }
    for (int i = 0; i < 2; i++)
        if (!resume(t[i]->v, &p) || !EXPECT_IO(&p, 0x80, 1, false, val[i] & 0xff, 0))
            return;
    for (int i = 0; i < 2; i++)
        if (!resume(t[i]->v, &p) || !EXPECT_IO(&p, 0x81, 4, false, val[i], 0))
            return;
}

static void t_vcpu_interrupt_during_resume(void)
{
    struct tvm t;
    if (!start_spinning_guest(&t, CODE(tg_irq_spin), 0x40) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_IO, 0xe9, 1, 0, 9), HV_OK))
        return;
    set_gate(&t, 0x40, GADDR(tg_irq_spin, tg_irq_spin_handler));
    struct hv_packet p;
    uint64_t t0 = rdtsc();
    bool ok = resume(t.v, &p);
    uint64_t took = rdtsc() - t0;
    if (ok && p.type == HV_PKT_GUEST_IO && p.guest_io.data == 'T')
        failf(__LINE__, "the guest counted to the end (%llu ms) without the interrupt from "
              "the other thread", (unsigned long long)to_ms(took));
    else if (ok)
        EXPECT_IO(&p, 0xe9, 1, false, 'I', 9);
    CHECK(join(), "the interrupting thread never ended");
    CHECK(kk.st == HV_OK, "vcpu_interrupt from the other thread returned %s",
          hv_status_name(kk.st));
    check_cut_short(t.v, took);
}

/* ---- bell traps ------------------------------------------------------------------------------ */

#define BELL_GPA 0x100000ull
#define BELL_KEY 0xbe11be11deadbeefull

static void t_set_trap_bell(void)
{
    hv_handle_t g = new_guest(), port = new_port(), stale, v;
    if (!g || !port || !EXPECT(hv_port_create(0, &stale), HV_OK))
        return;
    EXPECT(hv_handle_close(stale), HV_OK);
    if (!EXPECT(hv_vcpu_create(g, 0, CODE_GPA, &v), HV_OK))
        return;
    track(v);
    const uint64_t B = BELL_GPA;
    /* Page-aligned address and length. */
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, B + 0x800, 0x1000, port, 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, B + 1, 0x1000, port, 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, B, 0x800, port, 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, B, 0x1001, port, 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, B, 0, port, 1), HV_ERR_INVALID_ARGS);
    /* The port: a live port handle with WRITE. */
    const hv_handle_t bad[] = { HV_HANDLE_INVALID, 0xffffffffu, stale, forged(port) };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        EXPECTF(hv_guest_set_trap(g, HV_TRAP_BELL, B, 0x1000, bad[i], 1), HV_ERR_BAD_HANDLE,
                "set_trap(BELL, port 0x%x)", bad[i]);
    EXPECT(hv_syscall6(HV_SYS_GUEST_SET_TRAP, g, HV_TRAP_BELL, (long)B, 0x1000,
                       (long)((1ull << 32) | port), 1), HV_ERR_BAD_HANDLE);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, B, 0x1000, g, 1), HV_ERR_WRONG_TYPE);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, B, 0x1000, v, 1), HV_ERR_WRONG_TYPE);
    hv_handle_t nw = dup(port, PORT_RIGHTS & ~HV_RIGHT_WRITE), wo = dup(port, HV_RIGHT_WRITE);
    hv_handle_t gnw = dup(g, HV_RIGHTS_ALL & ~HV_RIGHT_WRITE);
    if (!nw || !wo || !gnw)
        return;
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, B, 0x1000, nw, 1), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_guest_set_trap(gnw, HV_TRAP_BELL, B, 0x1000, port, 1), HV_ERR_ACCESS_DENIED);
    /* Beyond the guest-physical width. */
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, GPA_LIMIT, 0x1000, port, 1), HV_ERR_OUT_OF_RANGE);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, GPA_LIMIT - 0x1000, 0x2000, port, 1),
           HV_ERR_OUT_OF_RANGE);
    /* MEM and IO traps take no port. */
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, 0x200000, 0x1000, port, 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x60, 1, port, 1), HV_ERR_INVALID_ARGS);
    /* None of those was added; WRITE alone on the port is enough; the last page works. */
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, B, 0x2000, port, 1), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, B + 0x2000, 0x1000, wo, 2), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, GPA_LIMIT - 0x1000, 0x1000, port, 3), HV_OK);
    /* BELL and MEM traps share the guest-physical space; IO traps are apart. */
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, B + 0x1000, 0x1000, port, 4),
           HV_ERR_ALREADY_EXISTS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, B - 0x1000, 0x2000, port, 4),
           HV_ERR_ALREADY_EXISTS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, B + 0x2fff, 1, 0, 4), HV_ERR_ALREADY_EXISTS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, MMIO_GPA, 0x1000, 0, 5), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, MMIO_GPA, 0x1000, port, 6), HV_ERR_ALREADY_EXISTS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, MMIO_GPA - 0x1000, 0x3000, port, 6),
           HV_ERR_ALREADY_EXISTS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, MMIO_GPA + 0x1000, 0x1000, port, 6), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, B - 0x1000, 0x1000, port, 6), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0, 0x100, 0, 7), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_BELL, 0, 0x1000, port, 7), HV_OK);
}

static bool expect_bell(int line, const struct hv_packet *p, uint64_t addr, unsigned i)
{
    if (p->type != HV_PKT_GUEST_BELL || p->key != BELL_KEY || p->guest_bell.addr != addr) {
        failf(line, "bell store %u: packet type %u key 0x%llx addr 0x%llx, expected GUEST_BELL "
              "key 0x%llx addr 0x%llx", i, p->type, (unsigned long long)p->key,
              (unsigned long long)p->guest_bell.addr, (unsigned long long)BELL_KEY,
              (unsigned long long)addr);
        return false;
    }
    return true;
}

/* tg_bell with n stores from `first` on, 8 bytes apart; ESI for its load. */
static bool bell_guest(struct tvm *t, hv_handle_t port, uint64_t len, uint32_t n, uint64_t first)
{
    struct hv_vcpu_state s;
    if (!tvm_new(t, CODE(tg_bell)) ||
        !EXPECT(hv_guest_set_trap(t->g, HV_TRAP_BELL, BELL_GPA, len, port, BELL_KEY), HV_OK) ||
        !get_regs(t->v, &s))
        return false;
    s.rcx = n, s.rbx = first, s.rsi = BELL_GPA + 0x1008;
    return set_regs(t->v, &s);
}

/* 100 stores over two bell pages: the first 63 fill the port, each later one comes back
 * from vcpu_resume; the guest goes on after every one. A load is no bell. */
static void t_bell_delivery(void)
{
    const unsigned n = 100;
    const uint64_t first = BELL_GPA + 0x1000 - 8 * 40;
    struct tvm t;
    hv_handle_t port = new_port();
    if (!port || !bell_guest(&t, port, 0x2000, n, first))
        return;
    struct hv_packet p;
    for (unsigned i = HV_PORT_CAPACITY; i < n; i++)
        if (!resume(t.v, &p) || !expect_bell(__LINE__, &p, first + 8 * i, i))
            return;
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_bell, tg_bell_read)))
        return;
    struct hv_vcpu_state s;
    if (get_regs(t.v, &s))
        CHECK(s.rcx == 0 && s.rbx == first + 8 * n, "after the stores: ecx %llu ebx 0x%llx",
              (unsigned long long)s.rcx, (unsigned long long)s.rbx);
    for (unsigned i = 0; i < HV_PORT_CAPACITY; i++) {
        memset(&p, 0xcc, sizeof(p));
        if (!EXPECTF(hv_port_wait(port, 0, &p), HV_OK, "port_wait for bell packet %u", i) ||
            !expect_bell(__LINE__, &p, first + 8 * i, i) ||
            !CHECK(p.status == HV_OK, "bell packet %u: status %d", i, p.status))
            return;
    }
    EXPECT(hv_port_wait(port, 0, &p), HV_ERR_TIMED_OUT);
    /* The load: an EPT violation for the VMM, twice (the guest does not move), no packet. */
    for (unsigned i = 0; i < 2; i++) {
        if (!resume(t.v, &p) || !EXPECT_EXIT(&p, EXIT_REASON_EPT_VIOLATION,
                                             GADDR(tg_bell, tg_bell_read), BELL_GPA + 0x1008))
            return;
        CHECK((p.vcpu_exit.qualification & 7) == 1, "qualification 0x%llx: not a data read",
              (unsigned long long)p.vcpu_exit.qualification);
    }
    EXPECT(hv_port_wait(port, 0, &p), HV_ERR_TIMED_OUT);
    if (!get_regs(t.v, &s))
        return;
    s.rip = GADDR(tg_bell, tg_bell_read_end);
    if (set_regs(t.v, &s) && resume(t.v, &p))
        EXPECT_HALT(&p, GADDR(tg_bell, tg_bell_after));
}

/* A bell store goes straight to a thread blocked in port_wait. */
static struct {
    hv_handle_t port;
    volatile uint32_t waiting;
    volatile hv_status_t st;
    volatile uint32_t type;
    volatile uint64_t key, addr;
} bw;

static void w_bell(uint64_t arg)
{
    (void)arg;
    struct hv_packet p;
    memset(&p, 0, sizeof(p));
    bw.waiting = 1;
    bw.st = hv_port_wait(bw.port, rdtsc() + ms(5000), &p);
    bw.type = p.type, bw.key = p.key, bw.addr = p.guest_bell.addr;
    finish();
}

static void t_bell_wakes_waiter(void)
{
    struct tvm t;
    hv_handle_t np = napper(), port = new_port();
    if (!np || !port || !bell_guest(&t, port, 0x1000, 1, BELL_GPA + 0x10))
        return;
    bw.port = port, bw.waiting = 0, bw.st = NOT_YET;
    if (!spawn(w_bell, 0) || !CHECK(await_count(&bw.waiting, 1, 1000), "the waiter never ran"))
        return;
    nap(3);
    struct hv_packet p;
    if (resume(t.v, &p))
        EXPECT_HALT(&p, GADDR(tg_bell, tg_bell_read));
    if (!CHECK(join(), "the waiter never ended"))
        return;
    CHECK(bw.st == HV_OK && bw.type == HV_PKT_GUEST_BELL && bw.key == BELL_KEY &&
          bw.addr == BELL_GPA + 0x10, "the waiter got %s, packet type %u key 0x%llx addr "
          "0x%llx; expected HV_OK, GUEST_BELL key 0x%llx addr 0x%llx", hv_status_name(bw.st),
          bw.type, (unsigned long long)bw.key, (unsigned long long)bw.addr,
          (unsigned long long)BELL_KEY, (unsigned long long)(BELL_GPA + 0x10));
    EXPECT(hv_port_wait(port, 0, &p), HV_ERR_TIMED_OUT);
}

/* Guest and port with bell packets closed in either order: nothing stays; packets already
 * queued stay on the port when the guest goes. */
static void t_bell_teardown(void)
{
    uint64_t free0 = tests_free_bytes();
    for (unsigned order = 0; order < 2 && !case_failed; order++) {
        struct tvm t;
        hv_handle_t port = new_port();
        struct hv_packet p;
        if (!port || !bell_guest(&t, port, 0x1000, 10, BELL_GPA) || !resume(t.v, &p) ||
            !EXPECT_HALT(&p, GADDR(tg_bell, tg_bell_read)))
            return;
        if (order == 0)
            EXPECT(hv_handle_close(port), HV_OK);
        EXPECT(hv_handle_close(t.v), HV_OK);
        EXPECT(hv_handle_close(t.g), HV_OK);
        unmap(t.ram, t.ram_size);
        if (order == 1) {
            for (unsigned i = 0; i < 10; i++) {
                if (!EXPECTF(hv_port_wait(port, 0, &p), HV_OK, "port_wait for bell packet %u "
                             "after the guest closed", i) ||
                    !expect_bell(__LINE__, &p, BELL_GPA + 8 * i, i))
                    break;
            }
            EXPECT(hv_handle_close(port), HV_OK);
        }
    }
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

/* ---- the cases ---------------------------------------------------------------------------------- */

const struct hc_case thread_cases[] = {
    { "port_create", t_port_create },
    { "port_create_errors", t_port_create_errors },
    { "port_queue_wait", t_port_queue_wait },
    { "port_fifo_capacity", t_port_fifo_capacity },
    { "port_errors", t_port_errors },
    { "port_wait_timeout", t_port_wait_timeout },
    { "port_wait_wakeup", t_port_wait_wakeup },
    { "port_waiters_fifo", t_port_waiters_fifo },
    { "port_close_cancels_waiters", t_port_close_cancels },
    { "thread_create", t_thread_create },
    { "thread_create_errors", t_thread_create_errors },
    { "thread_handle", t_thread_handle },
    { "thread_exit", t_thread_exit },
    { "thread_limit", t_thread_limit },
    { "thread_preemption", t_thread_preemption },
    { "thread_no_leak", t_thread_no_leak },
    { "handle_exhaustion_ports_threads", t_handle_exhaustion_ports_threads },
    { "low_memory_ports_threads", t_low_memory_ports_threads },
    { "vcpu_thread_binding", t_vcpu_thread_binding },
    { "vcpu_kick_during_resume", t_vcpu_kick_during_resume },
    { "vcpu_interrupt_during_resume", t_vcpu_interrupt_during_resume },
    { "vcpu_fpu_state_per_vcpu", t_vcpu_fpu_state },
    { "guest_set_trap_bell", t_set_trap_bell },
    { "bell_delivery", t_bell_delivery },
    { "bell_wakes_waiter", t_bell_wakes_waiter },
    { "bell_teardown", t_bell_teardown },
};
const unsigned n_thread_cases = sizeof(thread_cases) / sizeof(thread_cases[0]);
