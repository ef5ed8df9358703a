/*
 * Hypercall fuzzer (kernel command line test=fuzz): a million hypercalls
 * (fuzz_calls=N to change) with random numbers, handles, rights, sizes and
 * pointers from a fixed-seed PRNG (fuzz_seed=N to change). Every status must
 * be one include/hv/syscall.h documents for that call; at the end every
 * handle is closed, every region unmapped, and free memory and free handle
 * slots must be as before. Output: the seed, a progress line every 100,000
 * calls, one line per distinct unexpected (call, status) pair, and
 * "fuzz: N calls, N unexpected statuses, free memory before X after Y".
 *
 * What it never does: hv_system_shutdown with a status <= 255; hv_debug_write
 * of bytes that would really print; hand the kernel a valid pointer outside
 * its scratch buffer; hv_thread_exit on its own thread; a thread_create whose
 * entry is anything but a canonical non-user address or tt_exit
 * (root/tests/thread_stubs.S: thread_exit at once, without touching the
 * stack, so all its threads share one stack page); a port_wait that could
 * block for more than 20,000 TSC ticks (deadlines are 0, past, or at most that
 * far ahead). Before the final count it naps, so that the threads it started
 * have ended and been freed. Guests can never run forever: guest memory comes from
 * regions that are either only ever mapped without WRITE ("code": zeros the
 * root task never changes) or only ever without EXECUTE ("data"), and
 * guest_protect is only allowed to take rights away. A guest therefore only
 * executes zero bytes (add [eax], al) in a straight line and exits at the end
 * of its executable mappings, or earlier on a store it may not do.
 */
#include "libsys.h"
#include "root_tests.h"
#include "rt.h"

#define DEFAULT_SEED  0x6876667a7a31ull        /* "hvfzz1" */
#define DEFAULT_CALLS 1000000ull
#define PROGRESS      100000ull

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* ---- PRNG: splitmix64 -------------------------------------------------------------- */

static uint64_t rng;

static inline uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline uint32_t below(uint32_t n)
{
    return (uint32_t)(((rnd() >> 32) * n) >> 32);
}

/* ---- documented statuses per call ---------------------------------------------------- */

#define S(st) (1u << -(st))
#define HANDLE_ERRS (S(HV_ERR_BAD_HANDLE) | S(HV_ERR_WRONG_TYPE) | S(HV_ERR_ACCESS_DENIED))
#define GUEST_MAP_ERRS                                                                     \
    (HANDLE_ERRS | S(HV_ERR_INVALID_ARGS) | S(HV_ERR_OUT_OF_RANGE) | S(HV_ERR_NO_MEMORY))

/* From the comments of include/hv/syscall.h, call by call. */
static const uint32_t allowed[HV_SYS_COUNT] = {
    [HV_SYS_NULL] = S(HV_OK),
    [HV_SYS_DEBUG_WRITE] = S(HV_OK) | S(HV_ERR_INVALID_ARGS),
    [HV_SYS_SYSTEM_INFO] = S(HV_OK) | S(HV_ERR_INVALID_ARGS) | S(HV_ERR_BUFFER_TOO_SMALL),
    [HV_SYS_SYSTEM_SHUTDOWN] = S(HV_ERR_INVALID_ARGS),   /* only statuses > 255 are used */
    [HV_SYS_HANDLE_CLOSE] = S(HV_OK) | S(HV_ERR_BAD_HANDLE),
    [HV_SYS_HANDLE_DUPLICATE] = S(HV_OK) | S(HV_ERR_BAD_HANDLE) | S(HV_ERR_ACCESS_DENIED) |
                                S(HV_ERR_INVALID_ARGS) | S(HV_ERR_NO_RESOURCES),
    [HV_SYS_GUEST_CREATE] = S(HV_OK) | S(HV_ERR_INVALID_ARGS) | S(HV_ERR_NO_MEMORY) |
                            S(HV_ERR_NO_RESOURCES),
    [HV_SYS_GUEST_MAP] = S(HV_OK) | GUEST_MAP_ERRS | S(HV_ERR_ALREADY_EXISTS),
    [HV_SYS_GUEST_UNMAP] = S(HV_OK) | GUEST_MAP_ERRS,
    [HV_SYS_GUEST_PROTECT] = S(HV_OK) | GUEST_MAP_ERRS,
    [HV_SYS_GUEST_SET_TRAP] = S(HV_OK) | HANDLE_ERRS | S(HV_ERR_INVALID_ARGS) |
                              S(HV_ERR_ALREADY_EXISTS) | S(HV_ERR_OUT_OF_RANGE) |
                              S(HV_ERR_NO_MEMORY),
    [HV_SYS_VCPU_CREATE] = S(HV_OK) | HANDLE_ERRS | S(HV_ERR_INVALID_ARGS) |
                           S(HV_ERR_NO_MEMORY) | S(HV_ERR_NO_RESOURCES),
    [HV_SYS_VCPU_RESUME] = S(HV_OK) | HANDLE_ERRS | S(HV_ERR_BAD_STATE) | S(HV_ERR_CANCELED) |
                           S(HV_ERR_INVALID_ARGS) | S(HV_ERR_TIMED_OUT),
    [HV_SYS_VCPU_KICK] = S(HV_OK) | HANDLE_ERRS | S(HV_ERR_BAD_STATE),
    [HV_SYS_VCPU_INTERRUPT] = S(HV_OK) | HANDLE_ERRS | S(HV_ERR_OUT_OF_RANGE) |
                              S(HV_ERR_INVALID_ARGS) | S(HV_ERR_BAD_STATE),
    [HV_SYS_VCPU_READ_STATE] = S(HV_OK) | HANDLE_ERRS | S(HV_ERR_BAD_STATE) |
                               S(HV_ERR_INVALID_ARGS),
    [HV_SYS_VCPU_WRITE_STATE] = S(HV_OK) | HANDLE_ERRS | S(HV_ERR_BAD_STATE) |
                                S(HV_ERR_INVALID_ARGS),
    [HV_SYS_MEM_MAP] = S(HV_OK) | S(HV_ERR_INVALID_ARGS) | S(HV_ERR_NO_MEMORY),
    [HV_SYS_MEM_UNMAP] = S(HV_OK) | S(HV_ERR_INVALID_ARGS) | S(HV_ERR_BAD_STATE),
    [HV_SYS_PORT_CREATE] = S(HV_OK) | S(HV_ERR_INVALID_ARGS) | S(HV_ERR_NO_MEMORY) |
                           S(HV_ERR_NO_RESOURCES),
    [HV_SYS_PORT_QUEUE] = S(HV_OK) | HANDLE_ERRS | S(HV_ERR_INVALID_ARGS) |
                          S(HV_ERR_NO_RESOURCES),
    /* No HV_ERR_CANCELED: no other thread closes a port while the fuzzer waits on it. */
    [HV_SYS_PORT_WAIT] = S(HV_OK) | HANDLE_ERRS | S(HV_ERR_INVALID_ARGS) | S(HV_ERR_TIMED_OUT),
    [HV_SYS_THREAD_CREATE] = S(HV_OK) | S(HV_ERR_INVALID_ARGS) | S(HV_ERR_NO_MEMORY) |
                             S(HV_ERR_NO_RESOURCES),
    [HV_SYS_THREAD_EXIT] = 0,                       /* never called: it would not return */
    [HV_SYS_CONSOLE_BIND] = S(HV_OK) | HANDLE_ERRS,
};

static const char *const call_names[HV_SYS_COUNT] = {
    "null", "debug_write", "system_info", "system_shutdown", "handle_close",
    "handle_duplicate", "guest_create", "guest_map", "guest_unmap", "guest_protect",
    "guest_set_trap", "vcpu_create", "vcpu_resume", "vcpu_kick", "vcpu_interrupt",
    "vcpu_read_state", "vcpu_write_state", "mem_map", "mem_unmap", "port_create",
    "port_queue", "port_wait", "thread_create", "thread_exit", "console_bind",
};

/* ---- the call wrapper ------------------------------------------------------------------ */

static uint64_t n_calls, n_unexpected, n_ok, n_limit;
static uint64_t per_call[HV_SYS_COUNT + 1], per_call_ok[HV_SYS_COUNT + 1];

/* Distinct unexpected (call, status) pairs, each reported once with its arguments. */
#define MAX_REPORTS 64
static struct { long nr; long ret; uint64_t count; } reports[MAX_REPORTS];
static unsigned n_reports;

static void progress(void)
{
    printf("fuzz: %llu calls, %llu unexpected\n", (unsigned long long)n_calls,
           (unsigned long long)n_unexpected);
}

__attribute__((noinline)) static void unexpected(long nr, long ret, const uint64_t *a)
{
    n_unexpected++;
    long key = nr >= 0 && nr < HV_SYS_COUNT ? nr : -1;
    for (unsigned i = 0; i < n_reports; i++)
        if (reports[i].nr == key && reports[i].ret == ret) {
            reports[i].count++;
            return;
        }
    if (n_reports < MAX_REPORTS)
        reports[n_reports].nr = key, reports[n_reports].ret = ret, reports[n_reports++].count = 1;
    printf("fuzz: unexpected status %s (%ld) from %s (number 0x%lx) at call %llu, arguments "
           "0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx\n", hv_status_name((hv_status_t)ret), ret,
           key >= 0 ? call_names[key] : "an unknown number", nr, (unsigned long long)n_calls,
           (unsigned long long)a[0], (unsigned long long)a[1], (unsigned long long)a[2],
           (unsigned long long)a[3], (unsigned long long)a[4], (unsigned long long)a[5]);
}

static long call(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                 uint64_t a5)
{
    long ret = hv_syscall6(nr, (long)a0, (long)a1, (long)a2, (long)a3, (long)a4, (long)a5);
    n_calls++;
    unsigned idx = (unsigned long)nr < HV_SYS_COUNT ? (unsigned)nr : HV_SYS_COUNT;
    per_call[idx]++;
    bool ok;
    if (ret != (long)(int32_t)ret || ret > 0 || ret < -31)
        ok = false;                                 /* not a status at all */
    else if (idx == HV_SYS_COUNT)
        ok = ret == HV_ERR_BAD_SYSCALL;
    else
        ok = (allowed[idx] >> -ret) & 1;
    if (__builtin_expect(!ok, 0)) {
        uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
        unexpected(nr, ret, a);
    }
    if (ret == HV_OK) {
        n_ok++;
        per_call_ok[idx]++;
    }
    if (__builtin_expect(n_calls % PROGRESS == 0, 0))
        progress();
    return ret;
}

/* ---- what the fuzzer owns ------------------------------------------------------------------ */

#define SCRATCH_SIZE 0x2000ull
static uint64_t scratch, scratch_end;  /* RW; the page after it is never mapped */
static uint64_t freed_va;              /* mem_map'd and mem_unmap'd before the run */
static uint64_t ro_va, ro_len;         /* a boot module: read-only */

/* The only thread entry it ever gives a valid address of (root/tests/thread_stubs.S). */
void tt_exit(void);
static uint64_t stack_top;             /* the end of one RW page all its threads share */

#define PORT_RIGHTS (HV_RIGHT_DUPLICATE | HV_RIGHT_TRANSFER | HV_RIGHT_READ | HV_RIGHT_WRITE)

/* Handles: live ones, and closed ones kept as stale values. */
enum { H_NONE, H_GUEST, H_VCPU, H_PORT, H_THREAD, H_OTHER };
struct fh {
    hv_handle_t h;
    uint8_t type;
    bool live;
    hv_rights_t rights;
    uint32_t obj;               /* which object (guests and vCPUs get numbers) */
    uint32_t guest;             /* vCPUs: the object number of their guest */
};
#define NH 48
#define LIVE_MAX 32
static struct fh hp[NH];
static unsigned n_live;
static uint32_t next_obj = 1;

/* mem_map regions: "code" ones are never mapped writable into a guest, "data" ones never
 * executable, and the root task never writes either. */
enum { K_CODE, K_DATA };
struct fr {
    uint64_t va, len;
    uint8_t kind;
    bool live;
};
#define NR 10
static struct fr rp[NR];

/* Recent successful guest_maps, for unmap/protect calls that hit something. */
static struct { uint64_t h, gpa, len; } maps[16];
static unsigned maps_next;

static void add_handle(hv_handle_t h, uint8_t type, hv_rights_t rights, uint32_t obj,
                       uint32_t guest)
{
    /* An empty or stale slot (stale values stay around as BAD_HANDLE material). */
    unsigned start = below(NH);
    for (unsigned i = 0; i < NH; i++) {
        struct fh *e = &hp[(start + i) % NH];
        if (!e->live) {
            *e = (struct fh){ h, type, true, rights, obj, guest };
            n_live++;
            return;
        }
    }
    call(HV_SYS_HANDLE_CLOSE, h, 0, 0, 0, 0, 0);      /* cannot happen: n_live < NH */
}

static struct fh *find_handle(uint64_t h)
{
    for (unsigned i = 0; i < NH; i++)
        if (hp[i].live && hp[i].h == h)
            return &hp[i];
    return 0;
}

static bool guest_alive(uint32_t obj)
{
    for (unsigned i = 0; i < NH; i++)
        if (hp[i].live && hp[i].type == H_GUEST && hp[i].obj == obj)
            return true;
    return false;
}

/* Keep the number of live handles bounded: close a random one. */
static void make_room(void)
{
    while (n_live >= LIVE_MAX) {
        unsigned start = below(NH);
        for (unsigned i = 0; i < NH; i++) {
            struct fh *e = &hp[(start + i) % NH];
            if (e->live) {
                call(HV_SYS_HANDLE_CLOSE, e->h, 0, 0, 0, 0, 0);
                e->live = false;            /* a failure shows in the final slot count */
                n_live--;
                break;
            }
        }
    }
}

static struct fr *region_of(uint64_t va)
{
    for (unsigned i = 0; i < NR; i++)
        if (rp[i].live && va >= rp[i].va && va < rp[i].va + rp[i].len)
            return &rp[i];
    return 0;
}

static struct fr *live_region(void)
{
    unsigned start = below(NR);
    for (unsigned i = 0; i < NR; i++)
        if (rp[(start + i) % NR].live)
            return &rp[(start + i) % NR];
    return 0;
}

/* ---- argument generators ----------------------------------------------------------------- */

/*
 * Each call is one of: every argument random (half the calls), every argument valid
 * (a quarter), or valid but one (a quarter). "Valid" aims at success: live handles with
 * the rights needed, the scratch buffer, sizes that fit, mapped ranges.
 */
static uint32_t vmask;
#define V(i) ((vmask >> (i)) & 1)

static void mode(unsigned nargs)
{
    uint32_t r = below(4);
    vmask = r < 2 ? 0 : r == 2 ? ~0u : ~(1u << below(nargs));
}

static const struct fh *pick_live(uint8_t type, hv_rights_t need)
{
    unsigned start = below(NH);
    for (unsigned i = 0; i < NH; i++) {
        const struct fh *e = &hp[(start + i) % NH];
        if (e->live && (type == H_NONE || e->type == type) && (e->rights & need) == need &&
            (e->type != H_VCPU || guest_alive(e->guest)))
            return e;
    }
    return 0;
}

static uint64_t live_of(uint8_t type)
{
    unsigned start = below(NH);
    for (unsigned i = 0; i < NH; i++) {
        const struct fh *e = &hp[(start + i) % NH];
        if (e->live && (type == H_NONE || e->type == type))
            return e->h;
    }
    return rnd() & 0xffffffffu;
}

static uint64_t handle_arg(bool valid, uint8_t want, hv_rights_t need)
{
    if (valid) {
        const struct fh *e = pick_live(want, need);
        return e ? e->h : live_of(want);
    }
    uint32_t r = below(100);
    if (r < 45)
        return live_of(want);
    if (r < 62)
        return hp[below(NH)].h;                             /* live or stale */
    if (r < 70)
        return live_of(want == H_GUEST ? H_VCPU : H_GUEST); /* the wrong type */
    if (r < 78) {                                           /* forged generation */
        uint64_t h = live_of(H_NONE);
        return h ^ ((uint64_t)(1 + below(0xffffe)) << 12);
    }
    if (r < 83)
        return below(3) == 0 ? 0 : below(2) ? 0xffffffffu : (rnd() & 0xffffffffu);
    if (r < 90)                                             /* a live value, wider */
        return live_of(want) | (rnd() | 1) << 32;
    if (r < 95)
        return (uint64_t)below(0x1000) | (uint64_t)below(8) << 12;  /* small guesses */
    return rnd();
}

/* A pointer for an argument of `size` bytes. Only the scratch buffer is ever valid. */
enum { P_VALID, P_STRADDLE, P_BAD, P_RO };
static uint64_t ptr_arg(bool valid, uint64_t size, int *kind)
{
    uint32_t r = valid ? 0 : below(100);
    *kind = P_BAD;
    if (r < 30) {
        *kind = P_VALID;
        return scratch + below((uint32_t)(SCRATCH_SIZE - size + 1));
    }
    if (r < 42) {
        *kind = P_STRADDLE;
        return scratch_end - 1 - (size > 2 ? below((uint32_t)size - 1) : 0);
    }
    if (r < 48)
        return 0;
    if (r < 54)
        return rnd() & ((1ull << 39) - 1);                  /* the kernel's slot 0 */
    if (r < 60)
        return (rnd() & 0x00007fffffffffffull) | 0x0000800000000000ull |
               (uint64_t)(1 + below(0xfffe)) << 48;        /* non-canonical */
    if (r < 64)
        return 0xffff800000000000ull | rnd();               /* the upper half */
    if (r < 70)
        return scratch_end + below(0x1000);                 /* the guard page */
    if (r < 76)
        return 0x500000000000ull + (rnd() & 0x3fffffffffffull);  /* never mapped */
    if (r < 80 && !region_of(freed_va))    /* (should mem_map ever reuse addresses) */
        return freed_va + below(0x1000);
    if (r < 92) {
        *kind = P_RO;
        return below(2) ? ro_va + below((uint32_t)ro_len) : 0x8000000000ull + below(0x4000);
    }
    return rnd();
}

static uint64_t size_arg(bool valid, uint64_t exact)
{
    uint32_t r = valid ? 0 : below(100);
    if (r < 30)
        return exact;
    if (r < 45)
        return exact - 1;
    if (r < 60)
        return exact + 1 + below(16);
    if (r < 72)
        return 0;
    if (r < 88)
        return below(512);
    return rnd();
}

static uint64_t page_arg(void)
{
    return (uint64_t)below(64) << 12;
}

static uint64_t gpa_arg(bool valid)
{
    uint32_t r = valid ? 0 : below(100);
    if (r < 40)
        return page_arg();
    if (r < 50)
        return (1ull << 48) - ((uint64_t)below(4) << 12);
    if (r < 60)
        return (1ull << 48) + ((uint64_t)below(4) << 12);
    if (r < 75)
        return page_arg() | (1 + below(0xfff));             /* unaligned */
    if (r < 82)
        return 0xfffffffffffff000ull;
    return rnd() & (below(2) ? ~0xfffull : ~0ull);
}

static uint64_t len_arg(bool valid)
{
    uint32_t r = valid ? 0 : below(100);
    if (r < 40)
        return (uint64_t)(1 + below(4)) << 12;
    if (r < 52)
        return 0;
    if (r < 66)
        return 1 + below(0x3000);
    if (r < 76)
        return (uint64_t)(1 + below(64)) << 12;
    if (r < 84)
        return 1ull << 48;
    return rnd();
}

/* Flags for guest_map/protect. */
static bool perms_valid(uint64_t f)
{
    return f && !(f & ~7ull) && (f & HV_GUEST_PERM_READ);
}

static uint64_t flags_arg(bool valid)
{
    if (valid)
        return HV_GUEST_PERM_READ | (below(4) << 1);
    uint32_t r = below(100);
    if (r < 60)
        return below(8);
    if (r < 80)
        return below(16);
    if (r < 92)
        return rnd() & 0xffffffffu;
    return rnd();
}

static uint64_t any(void)
{
    return rnd();
}

/* ---- one random call ------------------------------------------------------------------------ */

static void do_debug_write(void)
{
    uint32_t r = below(100);
    uint64_t p, len;
    if (r < 30) {                           /* bad pointers: anything but the valid ones */
        int kind;
        do
            p = ptr_arg(false, 64, &kind);
        while (kind != P_BAD);
        len = below(2) ? 1 + below(4096) : rnd();
    } else if (r < 50) {                    /* straddling: at least one byte unmapped */
        uint32_t k = 1 + below(64);
        p = scratch_end - k;
        len = k + 1 + below(4096 - k);
    } else if (r < 65) {
        p = scratch + below(SCRATCH_SIZE);
        len = 0;
    } else {                                /* too long, wherever it points */
        p = below(2) ? scratch + below(SCRATCH_SIZE) : ro_va;
        len = HV_DEBUG_WRITE_MAX + 1 + (below(2) ? below(100000) : rnd() >> 1);
    }
    call(HV_SYS_DEBUG_WRITE, p, len, any(), any(), any(), any());
}

static void do_close(void)
{
    mode(1);
    uint64_t h = handle_arg(V(0), H_NONE, 0);
    if (call(HV_SYS_HANDLE_CLOSE, h, any(), any(), any(), any(), any()) == HV_OK) {
        struct fh *e = find_handle(h);
        if (e) {
            e->live = false;
            n_live--;
        }
    }
}

static void do_duplicate(void)
{
    make_room();
    mode(3);
    uint64_t h = handle_arg(V(0), H_NONE, HV_RIGHT_DUPLICATE), rights;
    const struct fh *src = find_handle(h);
    uint32_t r = below(100);
    if (V(1))
        rights = r < 50 || !src ? HV_RIGHT_SAME_RIGHTS : src->rights & rnd();
    else if (r < 40)
        rights = rnd() & HV_RIGHTS_ALL;
    else if (r < 60)
        rights = rnd() & 0xffffffffu;
    else if (r < 80)
        rights = HV_RIGHT_SAME_RIGHTS | (1u << below(13));
    else
        rights = rnd();
    int kind;
    uint64_t out = ptr_arg(V(2), sizeof(hv_handle_t), &kind);
    if (call(HV_SYS_HANDLE_DUPLICATE, h, rights, out, any(), any(), any()) == HV_OK) {
        hv_handle_t d = *(volatile hv_handle_t *)(uintptr_t)out;
        if (src)
            add_handle(d, src->type, rights == HV_RIGHT_SAME_RIGHTS ? src->rights
                                                                    : (hv_rights_t)rights,
                       src->obj, src->guest);
        else
            add_handle(d, H_OTHER, 0, 0, 0);
    }
}

static void do_guest_create(void)
{
    make_room();
    mode(2);
    uint64_t opt = V(0) ? 0 : below(4) ? 1u << below(32) : rnd();
    int kind;
    uint64_t out = ptr_arg(V(1), sizeof(hv_handle_t), &kind);
    if (call(HV_SYS_GUEST_CREATE, opt, out, any(), any(), any(), any()) == HV_OK)
        add_handle(*(volatile hv_handle_t *)(uintptr_t)out, H_GUEST, HV_RIGHTS_ALL,
                   next_obj++, 0);
}

static void do_guest_map(void)
{
    mode(5);
    uint64_t h = handle_arg(V(0), H_GUEST, HV_RIGHT_WRITE), gpa = gpa_arg(V(1)), va, len;
    uint64_t flags = flags_arg(V(4));
    const struct fr *g = live_region();
    if (V(2) && g) {
        uint64_t pages = g->len >> 12, off = below((uint32_t)pages);
        va = g->va + (off << 12);
        len = V(3) ? (1 + below((uint32_t)(pages - off))) << 12 : len_arg(false);
    } else {
        len = len_arg(V(3));
        if (below(4) && g) {                /* near a region, probably wrong */
            va = g->va + ((uint64_t)below(6) << 12) - (below(4) ? 0 : 0x1000);
            if (!below(6))
                va += 1 + below(0xfff);
        } else {
            int kind;
            do
                va = ptr_arg(false, 0x1000, &kind);
            while (kind == P_VALID || kind == P_STRADDLE);  /* never the scratch buffer */
        }
    }
    /* The rule that keeps guests finite: code regions never W, data regions never X. */
    const struct fr *in = region_of(va);
    if (in && perms_valid(flags))
        flags &= in->kind == K_CODE ? ~(uint64_t)HV_GUEST_PERM_WRITE
                                    : ~(uint64_t)HV_GUEST_PERM_EXECUTE;
    if (call(HV_SYS_GUEST_MAP, h, gpa, va, len, flags, any()) == HV_OK) {
        maps[maps_next % 16].h = h, maps[maps_next % 16].gpa = gpa;
        maps[maps_next++ % 16].len = len;
    }
}

/* gpa and len of a recent mapping (or part of it), or random. */
static void mapped_range(bool valid_gpa, bool valid_len, uint64_t *h, uint64_t *gpa,
                         uint64_t *len)
{
    if (maps_next && below(4)) {
        const __typeof__(maps[0]) *m = &maps[below(maps_next < 16 ? maps_next : 16)];
        uint64_t pages = m->len >> 12, off = pages ? below((uint32_t)pages) : 0;
        *h = m->h;
        *gpa = valid_gpa ? m->gpa + (off << 12) : gpa_arg(false);
        *len = valid_len ? (1 + below((uint32_t)(pages - off + 1))) << 12 : len_arg(false);
        return;
    }
    *gpa = gpa_arg(valid_gpa);
    *len = len_arg(valid_len);
}

static void do_guest_unmap(void)
{
    mode(3);
    uint64_t h = handle_arg(V(0), H_GUEST, HV_RIGHT_WRITE), gpa, len;
    mapped_range(V(1), V(2), &h, &gpa, &len);
    if (!V(0))
        h = handle_arg(false, H_GUEST, 0);
    call(HV_SYS_GUEST_UNMAP, h, gpa, len, any(), any(), any());
}

static void do_guest_protect(void)
{
    mode(4);
    uint64_t h = handle_arg(V(0), H_GUEST, HV_RIGHT_WRITE), gpa, len;
    mapped_range(V(1), V(2), &h, &gpa, &len);
    if (!V(0))
        h = handle_arg(false, H_GUEST, 0);
    uint64_t flags = flags_arg(V(3));
    if (perms_valid(flags))
        flags = HV_GUEST_PERM_READ;                         /* only ever takes rights away */
    call(HV_SYS_GUEST_PROTECT, h, gpa, len, flags, any(), any());
}

static void do_set_trap(void)
{
    mode(5);
    uint64_t h = handle_arg(V(0), H_GUEST, HV_RIGHT_WRITE), kind, addr, len, port = 0;
    uint32_t r = below(100);
    if (V(1))
        kind = r < 40 ? HV_TRAP_IO : r < 75 ? HV_TRAP_MEM : HV_TRAP_BELL;
    else
        kind = r < 30 ? HV_TRAP_IO : r < 60 ? HV_TRAP_MEM : r < 80 ? HV_TRAP_BELL
             : r < 90 ? 3 + below(8) : rnd();
    if (kind == HV_TRAP_IO) {
        addr = V(2) ? below(0x10000) : below(2) ? below(0x10000) : rnd();
        uint64_t room = addr < 0x10000 ? 0x10000 - addr : 1;
        len = V(3) ? 1 + below((uint32_t)(room < 16 ? room : 16))
            : below(2) ? 0 : below(2) ? room + below(4) : rnd();
    } else if (kind == HV_TRAP_BELL) {                      /* whole pages, a port */
        addr = V(2) ? (below(2) ? page_arg() : 0xfeb00000ull + (below(4) << 12)) : gpa_arg(false);
        len = V(3) ? (uint64_t)(1 + below(4)) << 12 : len_arg(false);
        port = handle_arg(V(4), H_PORT, HV_RIGHT_WRITE);
    } else {
        addr = V(2) ? (below(2) ? page_arg() : 0xfeb00000ull + below(0x4000)) : gpa_arg(false);
        len = V(3) ? 1 + below(0x2000) : len_arg(false);
    }
    if (!V(4))
        port = below(2) ? handle_arg(false, below(2) ? H_PORT : H_NONE, 0) : rnd();
    call(HV_SYS_GUEST_SET_TRAP, h, kind, addr, len, port, any());
}

static void do_vcpu_create(void)
{
    make_room();
    mode(4);
    uint64_t h = handle_arg(V(0), H_GUEST, HV_RIGHT_WRITE);
    uint64_t opt = V(1) ? 0 : below(4) ? 1u << below(32) : rnd();
    uint32_t r = below(100);
    uint64_t entry = V(2) ? page_arg() + (below(4) ? 0 : below(0x1000))
                   : r < 30 ? below(0xffffffffu) : r < 50 ? 0xffffffffull : r < 75 ? 1ull << 32
                   : rnd();
    int kind;
    uint64_t out = ptr_arg(V(3), sizeof(hv_handle_t), &kind);
    if (call(HV_SYS_VCPU_CREATE, h, opt, entry, out, any(), any()) == HV_OK) {
        const struct fh *g = find_handle(h);
        add_handle(*(volatile hv_handle_t *)(uintptr_t)out, H_VCPU,
                   HV_RIGHTS_ALL, next_obj++, g ? g->obj : 0);
    }
}

/* vcpu_resume's deadline: none, 0, past, near, or anything (a guest never halts here,
 * so a far deadline cannot block: the run ends at the end of its code). */
static uint64_t resume_deadline(void)
{
    uint32_t r = below(100);
    uint64_t now = rdtsc();
    return r < 40 ? HV_TIME_INFINITE : r < 55 ? 0 : r < 70 ? now - below(1000000) % (now + 1)
         : r < 90 ? now + below(20000) : rnd();
}

static void do_resume(void)
{
    mode(2);
    int kind;
    uint64_t h = handle_arg(V(0), H_VCPU, HV_RIGHT_EXECUTE);
    call(HV_SYS_VCPU_RESUME, h, ptr_arg(V(1), sizeof(struct hv_packet), &kind),
         resume_deadline(), any(), any(), any());
}

static void do_kick(void)
{
    mode(1);
    call(HV_SYS_VCPU_KICK, handle_arg(V(0), H_VCPU, HV_RIGHT_SIGNAL), any(), any(), any(),
         any(), any());
}

static void do_interrupt(void)
{
    mode(2);
    uint64_t h = handle_arg(V(0), H_VCPU, HV_RIGHT_SIGNAL);
    uint32_t r = below(100);
    uint64_t irq;
    if (V(1))                           /* FIXED (edge or level), NMI, ExtINT */
        irq = r < 50 ? (16 + below(240)) | (below(3) ? 0 : HV_IRQ_LEVEL)
            : r < 70 ? HV_IRQ_NMI : HV_IRQ_EXTINT | below(256);
    else                                /* any mode and flag bits, vectors < 16, junk */
        irq = r < 50 ? below(256) | (uint64_t)below(8) << 8 | (below(2) ? HV_IRQ_LEVEL : 0)
            : r < 70 ? below(0x10000) : r < 85 ? 0xffffffffu : rnd();
    call(HV_SYS_VCPU_INTERRUPT, h, irq, any(), any(), any(), any());
}

/* Kind 2 is left out of writes: random segment state would make every resume a failed
 * VM entry with a long diagnostic on the console. */
static uint64_t state_kind(bool valid, bool write)
{
    uint32_t r = below(100);
    if (valid)
        return write && r < 30 ? HV_VCPU_IO : r < 50 ? HV_VCPU_LAPIC : r < 65 ? HV_VCPU_STATS
             : !write && r < 75 ? HV_VCPU_SREGS : HV_VCPU_STATE;
    return r < 20 ? HV_VCPU_STATE : r < 40 ? HV_VCPU_IO : r < 50 ? HV_VCPU_LAPIC
         : r < 60 ? HV_VCPU_STATS : r < 90 ? 5 + below(8) : rnd() | 1ull << 40;
}

/* The size of a kind's struct (that of hv_vcpu_state for unknown kinds). */
static uint64_t state_size(uint64_t kind)
{
    return kind == HV_VCPU_IO ? sizeof(struct hv_vcpu_io)
         : kind == HV_VCPU_SREGS ? sizeof(struct hv_vcpu_sregs)
         : kind == HV_VCPU_LAPIC ? sizeof(struct hv_vcpu_lapic)
         : kind == HV_VCPU_STATS ? sizeof(struct hv_vcpu_stats) : sizeof(struct hv_vcpu_state);
}

static void do_read_state(void)
{
    mode(4);
    uint64_t h = handle_arg(V(0), H_VCPU, HV_RIGHT_READ), kind = state_kind(V(1), false);
    uint64_t size = state_size(kind);
    int pk;
    uint64_t buf = ptr_arg(V(2), size, &pk);
    call(HV_SYS_VCPU_READ_STATE, h, kind, buf, size_arg(V(3), size), any(), any());
}

static void do_write_state(void)
{
    mode(4);
    uint64_t h = handle_arg(V(0), H_VCPU, HV_RIGHT_WRITE), kind = state_kind(V(1), true);
    uint64_t size = state_size(kind);
    int pk;
    uint64_t buf;
    do                                      /* read-only bytes could be a valid state */
        buf = ptr_arg(V(2), size, &pk);
    while (pk == P_RO);
    if (pk == P_VALID) {
        bool good = below(8) != 0;          /* sometimes bad contents */
        if (kind == HV_VCPU_IO) {
            static const uint8_t sizes[] = { 1, 2, 4, 0, 3, 8, 255 };
            struct hv_vcpu_io io = { .access_size = sizes[good ? below(3) : 3 + below(4)],
                                     .data = (uint32_t)rnd() };
            memcpy((void *)(uintptr_t)buf, &io, sizeof(io));
        } else if (kind == HV_VCPU_LAPIC || kind == HV_VCPU_STATS) {
            /* Random bytes; for LAPIC sometimes a valid-looking base and zero LVT/SVR
             * reserved bits, for STATS sometimes all zero (enables counting). */
            uint8_t *b = (uint8_t *)(uintptr_t)buf;
            bool zero = kind == HV_VCPU_STATS && good && below(2);
            for (uint64_t i = 0; i < size; i++)
                b[i] = zero ? 0 : (uint8_t)rnd();
            if (kind == HV_VCPU_LAPIC && good) {
                struct hv_vcpu_lapic *l = (struct hv_vcpu_lapic *)(uintptr_t)buf;
                l->apic_base = 0xfee00000ull | (below(2) ? 1u << 11 : 0) | (below(4) ? 0 : 1u << 10);
                l->regs[0xf] &= 0x3ff;
                for (unsigned i = 0x32; i <= 0x37; i++)
                    l->regs[i] &= 0x1a7ffu;
                l->regs[0x32] &= ~(7u << 8);
                l->regs[0x37] &= 0x100ffu;
                if (below(2))
                    l->regs[0x32] |= 1u << 16;      /* mostly a masked timer */
            }
        } else {
            struct hv_vcpu_state s;
            uint64_t *w = &s.rax;
            for (unsigned i = 0; i < 18; i++)
                w[i] = below(4) ? rnd() & 0xffffffffu : rnd();
            /* rip below 4 GiB (above, a 32-bit guest fails VM entry: a long diagnostic),
             * mostly where guest code may be mapped. */
            s.rip = below(4) ? page_arg() + below(0x1000) : rnd() & 0xffffffffu;
            s.rflags = good ? (rnd() & 0x3f7fd7ull) | 2 : below(2) ? rnd() & 0x3fffff : rnd();
            memcpy((void *)(uintptr_t)buf, &s, sizeof(s));
        }
    }
    call(HV_SYS_VCPU_WRITE_STATE, h, kind, buf, size_arg(V(3), size), any(), any());
}

static void do_port_create(void)
{
    make_room();
    mode(2);
    uint64_t opt = V(0) ? 0 : below(4) ? 1u << below(32) : rnd() | 1;
    int kind;
    uint64_t out = ptr_arg(V(1), sizeof(hv_handle_t), &kind);
    if (call(HV_SYS_PORT_CREATE, opt, out, any(), any(), any(), any()) == HV_OK)
        add_handle(*(volatile hv_handle_t *)(uintptr_t)out, H_PORT, PORT_RIGHTS, next_obj++, 0);
}

static void do_port_queue(void)
{
    mode(2);
    uint64_t h = handle_arg(V(0), H_PORT, HV_RIGHT_WRITE);
    int kind;       /* read-only memory is a valid packet too: queue only reads it */
    call(HV_SYS_PORT_QUEUE, h, ptr_arg(V(1), sizeof(struct hv_packet), &kind), any(), any(),
         any(), any());
}

/* Never far ahead: a port nobody queues to would block the fuzzer until the deadline. */
static uint64_t deadline_arg(bool valid)
{
    uint32_t r = valid ? below(50) : below(100);
    if (r < 30)
        return 0;
    if (r < 50)
        return rdtsc() + below(20000);
    if (r < 70)
        return 1 + below(1000000);
    uint64_t now = rdtsc();
    return now > 1000000 ? now - below(1000000) : 0;       /* never wrapped into the future */
}

static void do_port_wait(void)
{
    mode(3);
    uint64_t h = handle_arg(V(0), H_PORT, HV_RIGHT_READ), deadline = deadline_arg(V(1));
    int kind;
    call(HV_SYS_PORT_WAIT, h, deadline, ptr_arg(V(2), sizeof(struct hv_packet), &kind), any(),
         any(), any());
}

/* An entry that is never a canonical user address: no thread of random code can start. */
static uint64_t bad_entry(void)
{
    uint32_t r = below(100);
    if (r < 25)
        return rnd() & ((1ull << 39) - 1);                  /* the kernel's slot 0 */
    if (r < 50)
        return (rnd() & 0x00007fffffffffffull) | 0x0000800000000000ull |
               (uint64_t)(1 + below(0xfffe)) << 48;        /* non-canonical */
    if (r < 75)
        return 0xffff800000000000ull | rnd();               /* the upper half */
    static const uint64_t fixed[] = { 0, 0x200000, 0x7fffffffffull, ~0ull };
    return fixed[below(4)];
}

static uint64_t stack_arg(bool valid)
{
    uint32_t r = valid ? 0 : below(100);
    if (r < 30)
        return stack_top;
    if (r < 45)
        return stack_top - 8 + below(8) * (below(2) ? 1 : 16);      /* misaligned mostly */
    if (r < 55)
        return scratch_end - (below(2) ? 0 : 8);
    int kind;
    return ptr_arg(false, 8, &kind) & ~(below(4) ? 15ull : 0);
}

static void do_thread_create(void)
{
    make_room();
    mode(5);
    uint64_t entry = V(0) ? (uint64_t)(uintptr_t)tt_exit : bad_entry();
    uint64_t top = stack_arg(V(1));
    uint64_t opt = V(3) ? 0 : below(4) ? 1u << below(32) : rnd() | 1;
    int kind;
    uint64_t out = ptr_arg(V(4), sizeof(hv_handle_t), &kind);
    if (call(HV_SYS_THREAD_CREATE, entry, top, any(), opt, out, any()) == HV_OK)
        add_handle(*(volatile hv_handle_t *)(uintptr_t)out, H_THREAD, PORT_RIGHTS, next_obj++,
                   0);
}

static void do_mem_map(void)
{
    mode(3);
    uint32_t r = below(100);
    uint64_t len = V(0) || r < 20 ? (uint64_t)(1 + below(4)) << 12
                 : r < 40 ? 0 : r < 70 ? 1 + below(0x5000) : r < 80 ? 1ull << 46
                 : r < 85 ? ~0xfffull : rnd();
    r = below(100);
    uint64_t flags = V(1) ? (below(2) ? HV_MEM_READ : HV_MEM_READ | HV_MEM_WRITE)
                   : r < 70 ? below(8) : rnd();
    int kind;
    uint64_t out = ptr_arg(V(2), sizeof(uint64_t), &kind);
    struct fr *slot = 0;
    for (unsigned i = 0; i < NR && !slot; i++)
        if (!rp[i].live)
            slot = &rp[i];
    if (!slot)
        len = 0;                            /* full: this one must fail */
    if (call(HV_SYS_MEM_MAP, len, flags, out, any(), any(), any()) == HV_OK && slot)
        *slot = (struct fr){ *(volatile uint64_t *)(uintptr_t)out, len,
                             (uint8_t)(below(2) ? K_CODE : K_DATA), true };
}

static void do_mem_unmap(void)
{
    mode(2);
    const struct fr *lr = live_region();
    const struct fr *g = V(0) && lr ? lr : &rp[below(NR)];
    uint64_t va = g->va, len = g->len;
    if (!V(0)) {
        uint32_t r = below(100);
        if (r < 40) {
            /* a stale or live region's address */
        } else if (r < 60) {
            va += 0x1000;
        } else if (r < 70) {
            va += 1 + below(0xfff);
        } else {
            int kind;
            do
                va = ptr_arg(false, 0x1000, &kind);
            while (kind == P_VALID || kind == P_STRADDLE);  /* never the scratch buffer */
        }
    }
    if (!V(1))
        len = below(2) ? len + (below(2) ? 0x1000 : -0x1000ull) : len_arg(false);
    if (call(HV_SYS_MEM_UNMAP, va, len, any(), any(), any(), any()) == HV_OK) {
        for (unsigned i = 0; i < NR; i++)
            if (rp[i].live && rp[i].va == va && rp[i].len == len)
                rp[i].live = false;
    }
}

static void do_unknown(void)
{
    static const long nrs[] = { HV_SYS_COUNT, HV_SYS_COUNT + 1, 32, 64, 255, 0x7fffffff, -1,
                                (long)0x8000000000000000ull };
    uint32_t r = below(100);
    /* A known number with high bits (HV_SYS_THREAD_EXIT left out: were the kernel to drop
     * the high bits, the fuzzer's own thread would end). */
    long low = below(HV_SYS_COUNT - 1);
    if (low >= HV_SYS_THREAD_EXIT)
        low++;
    long nr = r < 40 ? HV_SYS_COUNT + (long)below(64) : r < 60 ? nrs[below(8)]
            : r < 80 ? (long)((rnd() | 1) << 32 | (uint64_t)low) : (long)(rnd() | 1ull << 63);
    call(nr, any(), any(), any(), any(), any(), any());
}

/* A port (with or without WRITE), anything else, or HV_HANDLE_INVALID (unbind); any key. */
static void do_console_bind(void)
{
    mode(1);
    uint64_t h = below(8) ? handle_arg(V(0), H_PORT, HV_RIGHT_WRITE) : HV_HANDLE_INVALID;
    call(HV_SYS_CONSOLE_BIND, h, rnd(), any(), any(), any(), any());
}

/* Relative weights of the calls (sum 100; thread_exit is never made). */
enum { W_NULL = 1, W_DEBUG = 2, W_INFO = 2, W_SHUTDOWN = 2, W_CLOSE = 7, W_DUP = 6,
       W_GCREATE = 5, W_GMAP = 6, W_GUNMAP = 5, W_GPROT = 5, W_TRAP = 6, W_VCREATE = 5,
       W_RESUME = 6, W_KICK = 4, W_INTR = 4, W_READ = 4, W_WRITE = 5, W_MMAP = 5,
       W_MUNMAP = 4, W_PCREATE = 3, W_PQUEUE = 3, W_PWAIT = 3, W_TCREATE = 1, W_TEXIT = 0,
       W_CBIND = 2, W_UNKNOWN = 4 };

static uint8_t pick[100];

static void build_pick(void)
{
    static const uint8_t w[] = {
        W_NULL, W_DEBUG, W_INFO, W_SHUTDOWN, W_CLOSE, W_DUP, W_GCREATE, W_GMAP, W_GUNMAP,
        W_GPROT, W_TRAP, W_VCREATE, W_RESUME, W_KICK, W_INTR, W_READ, W_WRITE, W_MMAP,
        W_MUNMAP, W_PCREATE, W_PQUEUE, W_PWAIT, W_TCREATE, W_TEXIT, W_CBIND, W_UNKNOWN,
    };
    _Static_assert(sizeof(w) == HV_SYS_COUNT + 1, "a weight per call");
    unsigned n = 0;
    for (unsigned c = 0; c <= HV_SYS_COUNT; c++)
        for (unsigned i = 0; i < w[c] && n < sizeof(pick); i++)
            pick[n++] = (uint8_t)c;
    while (n < sizeof(pick))
        pick[n++] = HV_SYS_NULL;
}

static void one_call(void)
{
    int kind;
    switch (pick[below(100)]) {
    case HV_SYS_NULL:
        call(HV_SYS_NULL, any(), any(), any(), any(), any(), any());
        break;
    case HV_SYS_DEBUG_WRITE:
        do_debug_write();
        break;
    case HV_SYS_SYSTEM_INFO: {
        mode(2);
        uint64_t p = ptr_arg(V(0), sizeof(struct hv_system_info), &kind);
        call(HV_SYS_SYSTEM_INFO, p, size_arg(V(1), sizeof(struct hv_system_info)), any(),
             any(), any(), any());
        break;
    }
    case HV_SYS_SYSTEM_SHUTDOWN: {
        uint64_t st = below(2) ? 256 + below(0x10000) : rnd();
        if (st <= 255)
            st += 256;                      /* never a status that would end the machine */
        call(HV_SYS_SYSTEM_SHUTDOWN, st, any(), any(), any(), any(), any());
        break;
    }
    case HV_SYS_HANDLE_CLOSE:
        do_close();
        break;
    case HV_SYS_HANDLE_DUPLICATE:
        do_duplicate();
        break;
    case HV_SYS_GUEST_CREATE:
        do_guest_create();
        break;
    case HV_SYS_GUEST_MAP:
        do_guest_map();
        break;
    case HV_SYS_GUEST_UNMAP:
        do_guest_unmap();
        break;
    case HV_SYS_GUEST_PROTECT:
        do_guest_protect();
        break;
    case HV_SYS_GUEST_SET_TRAP:
        do_set_trap();
        break;
    case HV_SYS_VCPU_CREATE:
        do_vcpu_create();
        break;
    case HV_SYS_VCPU_RESUME:
        do_resume();
        break;
    case HV_SYS_VCPU_KICK:
        do_kick();
        break;
    case HV_SYS_VCPU_INTERRUPT:
        do_interrupt();
        break;
    case HV_SYS_VCPU_READ_STATE:
        do_read_state();
        break;
    case HV_SYS_VCPU_WRITE_STATE:
        do_write_state();
        break;
    case HV_SYS_MEM_MAP:
        do_mem_map();
        break;
    case HV_SYS_MEM_UNMAP:
        do_mem_unmap();
        break;
    case HV_SYS_PORT_CREATE:
        do_port_create();
        break;
    case HV_SYS_PORT_QUEUE:
        do_port_queue();
        break;
    case HV_SYS_PORT_WAIT:
        do_port_wait();
        break;
    case HV_SYS_THREAD_CREATE:
        do_thread_create();
        break;
    case HV_SYS_CONSOLE_BIND:
        do_console_bind();
        break;
    default:
        do_unknown();
        break;
    }
}

/* ---- the run ----------------------------------------------------------------------------------- */

/*
 * Let the threads the fuzzer started end, and the scheduler free them: 20 ms of
 * port_wait on a port of its own (1 ms at a time). The number of naps that did not
 * time out as they should.
 */
static unsigned settle(void)
{
    struct hv_system_info info;
    hv_handle_t port;
    if (hv_system_info(&info, sizeof(info)) != HV_OK || hv_port_create(0, &port) != HV_OK)
        return 1;
    unsigned bad = 0;
    for (unsigned i = 0; i < 20; i++) {
        struct hv_packet p;
        if (hv_port_wait(port, rdtsc() + info.tsc_hz / 1000, &p) != HV_ERR_TIMED_OUT)
            bad++;
    }
    if (hv_handle_close(port) != HV_OK)
        bad++;
    return bad;
}

int fuzz_tests(const struct hv_startup *su)
{
    uint64_t seed = tests_cmdline_u64(su, "fuzz_seed", DEFAULT_SEED);
    n_limit = tests_cmdline_u64(su, "fuzz_calls", DEFAULT_CALLS);
    rng = seed;
    printf("fuzz: seed 0x%llx, %llu calls\n", (unsigned long long)seed,
           (unsigned long long)n_limit);
    ro_va = su->num_modules ? su->modules[0].va : (uint64_t)(uintptr_t)su;
    ro_len = su->num_modules ? su->modules[0].len : 4096;
    if (!ro_len)
        ro_len = 1;

    /* Everything the fuzzer keeps exists before the "before" measurement. */
    uint64_t stack_page;
    if (hv_mem_map(SCRATCH_SIZE, HV_MEM_READ | HV_MEM_WRITE, &scratch) != HV_OK ||
        hv_mem_map(0x1000, HV_MEM_READ | HV_MEM_WRITE, &freed_va) != HV_OK ||
        hv_mem_unmap(freed_va, 0x1000) != HV_OK ||
        hv_mem_map(0x1000, HV_MEM_READ | HV_MEM_WRITE, &stack_page) != HV_OK) {
        printf("fuzz: cannot map the scratch memory\n");
        return 1;
    }
    scratch_end = scratch + SCRATCH_SIZE;
    stack_top = stack_page + 0x1000;
    build_pick();
    hv_handle_t probe;
    int slots0 = -1, slots1 = -1;
    if (hv_guest_create(0, &probe) == HV_OK) {
        slots0 = tests_free_handle_slots(probe);
        hv_handle_close(probe);
    }
    uint64_t free0 = tests_free_bytes(), t0 = rdtsc();

    while (n_calls < n_limit)
        one_call();
    uint64_t loop_calls = n_calls, t1 = rdtsc();

    /* Tear down: every live handle, every live region. */
    unsigned close_fail = 0, unmap_fail = 0;
    for (unsigned i = 0; i < NH; i++)
        if (hp[i].live) {
            if (call(HV_SYS_HANDLE_CLOSE, hp[i].h, 0, 0, 0, 0, 0) != HV_OK)
                close_fail++;
            hp[i].live = false;
        }
    n_live = 0;
    unsigned nap_fail = settle();
    for (unsigned i = 0; i < NR; i++)
        if (rp[i].live) {
            long rc = call(HV_SYS_MEM_UNMAP, rp[i].va, rp[i].len, 0, 0, 0, 0);
            if (rc != HV_OK) {
                printf("fuzz: mem_unmap(0x%llx, 0x%llx) at the end: %s\n",
                       (unsigned long long)rp[i].va, (unsigned long long)rp[i].len,
                       hv_status_name((hv_status_t)rc));
                unmap_fail++;
            }
            rp[i].live = false;
        }
    uint64_t free1 = tests_free_bytes();
    if (hv_guest_create(0, &probe) == HV_OK) {
        slots1 = tests_free_handle_slots(probe);
        hv_handle_close(probe);
    }
    hv_mem_unmap(scratch, SCRATCH_SIZE);
    hv_mem_unmap(stack_page, 0x1000);

    printf("fuzz: %llu TSC ticks in the loop, %llu per call\n",
           (unsigned long long)(t1 - t0), (unsigned long long)((t1 - t0) / (loop_calls ? loop_calls : 1)));
    printf("fuzz: per call (successful/made):");
    for (unsigned c = 0; c <= HV_SYS_COUNT; c++)
        printf(" %s %llu/%llu", c < HV_SYS_COUNT ? call_names[c] : "unknown",
               (unsigned long long)per_call_ok[c], (unsigned long long)per_call[c]);
    printf("\n");
    for (unsigned i = 0; i < n_reports; i++)
        printf("fuzz: unexpected %s from %s: %llu times\n",
               hv_status_name((hv_status_t)reports[i].ret),
               reports[i].nr >= 0 ? call_names[reports[i].nr] : "an unknown number",
               (unsigned long long)reports[i].count);
    if (close_fail || unmap_fail || nap_fail)
        printf("fuzz: clean-up: %u handle closes, %u mem_unmaps and %u naps failed\n",
               close_fail, unmap_fail, nap_fail);
    printf("fuzz: free handle slots before %d after %d\n", slots0, slots1);
    printf("fuzz: %llu calls, %llu unexpected statuses, free memory before %llu after %llu\n",
           (unsigned long long)n_calls, (unsigned long long)n_unexpected,
           (unsigned long long)free0, (unsigned long long)free1);
    bool good = !n_unexpected && !close_fail && !unmap_fail && !nap_fail && free0 == free1 &&
                free0 &&
                slots0 == slots1 && slots0 > 0;
    return good ? 0 : 1;
}
