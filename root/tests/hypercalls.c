/*
 * Hypercall self-test (kernel command line test=hypercalls): every call of
 * include/hv/syscall.h, its success path with checked results and each error
 * the header documents, plus tear-down, leak and out-of-memory behaviour.
 * Output: "PASS name" or "FAIL name: detail" (then up to four "  also:" lines)
 * per case, "SKIP name: why" for a case that could not set itself up, and at
 * the end "hypercalls: N passed, N failed"; main returns 0 only when none failed.
 * Every case closes and unmaps what it made, whatever happened; the last
 * check (suite_no_leaks) compares free memory and free handle slots with the
 * start.
 *
 * Guests are the tiny 32-bit programs of root/tests/guest_code.S (copied into
 * 64 KiB of guest RAM at 0x8000) and the boot module guest:hello. The cases of
 * threads, ports and bell traps live in root/tests/threads.c; this file holds
 * the case kit they share (root/tests/hc_case.h) and runs them all.
 */
#include <stdarg.h>
#include "format.h"
#include "hc_case.h"
#include "libsys.h"
#include "root_tests.h"
#include "rt.h"

/* ---- guests -------------------------------------------------------------------------- */

BLOB(tg_out_hlt);
BLOB(tg_in);
BLOB(tg_mmio);
BLOB(tg_mmio_untrapped);
BLOB(tg_out_untrapped);
BLOB(tg_irq);
BLOB(tg_spin);
BLOB(tg_hlt);
BLOB(tg_ud);
BLOB(tg_store);
BLOB(tg_msr);
extern const uint8_t tg_msr_second[], tg_msr_after[], tg_irq_sti[];
extern const uint8_t tg_out_hlt_after[], tg_mmio_st32[], tg_mmio_st16[], tg_mmio_ld32[],
    tg_mmio_ld8zx[], tg_mmio_st8[], tg_mmio_after[], tg_in_after[], tg_out_untrapped_next[],
    tg_out_untrapped_after[], tg_irq_after_hlt[], tg_irq_handler[], tg_spin_after[],
    tg_hlt_after[], tg_store_after[];

static const uint64_t flat_gdt[4] = {
    0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull, 0x00af9b000000ffffull,
};

/* ---- the case runner ----------------------------------------------------------------- */

static const struct hv_startup *startup;
static int n_passed, n_failed;
bool case_failed;
const char *skip_reason;
static int n_skipped;
static char case_detail[320];

/* The first failure goes on the FAIL line; up to MORE others on "  also:" lines after it. */
#define MORE 4
static char case_more[MORE][240];
static unsigned n_more;

void failf(int line, const char *fmt, ...)
{
    char *buf = case_detail;
    size_t cap = sizeof(case_detail);
    if (case_failed) {
        if (n_more == MORE)
            return;
        buf = case_more[n_more++];
        cap = sizeof(case_more[0]);
    }
    case_failed = true;
    int n = ksnprintf(buf, cap, "line %d: ", line);
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf + n, cap - (size_t)n, fmt, ap);
    va_end(ap);
}

bool expect_st(int line, const char *what, long got, long want)
{
    if (got == want)
        return true;
    failf(line, "%s returned %s (%ld), expected %s", what, hv_status_name((hv_status_t)got),
          got, hv_status_name((hv_status_t)want));
    return false;
}

/* Handles and memory a case made: closed / unmapped after it, whatever happened. */
static hv_handle_t tracked_h[128];
static unsigned n_tracked_h;
static struct { uint64_t va, len; } tracked_m[32];
static unsigned n_tracked_m;

hv_handle_t track(hv_handle_t h)
{
    if (n_tracked_h < sizeof(tracked_h) / sizeof(tracked_h[0]))
        tracked_h[n_tracked_h++] = h;
    return h;
}

void track_mem(uint64_t va, uint64_t len)
{
    if (n_tracked_m < sizeof(tracked_m) / sizeof(tracked_m[0]))
        tracked_m[n_tracked_m].va = va, tracked_m[n_tracked_m++].len = len;
}

void forget_mem(uint64_t va)
{
    for (unsigned i = 0; i < n_tracked_m; i++)
        if (tracked_m[i].va == va)
            tracked_m[i] = tracked_m[--n_tracked_m];
}

static void cleanup(void)
{
    /* Already closed values are HV_ERR_BAD_HANDLE now (generations): harmless. */
    for (unsigned i = n_tracked_h; i-- > 0;)
        hv_handle_close(tracked_h[i]);
    for (unsigned i = 0; i < n_tracked_m; i++)
        hv_mem_unmap(tracked_m[i].va, tracked_m[i].len);
    n_tracked_h = n_tracked_m = 0;
}

static void run_case(const char *name, void (*fn)(void))
{
    case_failed = false;
    case_detail[0] = 0;
    n_more = 0;
    skip_reason = 0;
    fn();
    threads_after_case();
    cleanup();
    if (skip_reason && !case_failed) {
        n_skipped++;
        printf("SKIP %s: %s\n", name, skip_reason);
    } else if (case_failed) {
        n_failed++;
        printf("FAIL %s: %s\n", name, case_detail);
        for (unsigned i = 0; i < n_more; i++)
            printf("  also: %s\n", case_more[i]);
    } else {
        n_passed++;
        printf("PASS %s\n", name);
    }
}

/* ---- pointers ------------------------------------------------------------------------- */

uint64_t scratch, freed_va, ro_va;

unsigned bad_ptrs(struct badptr *b, uint64_t size, bool output)
{
    unsigned n = 0;
    b[n++] = (struct badptr){ "NULL", 0 };
    b[n++] = (struct badptr){ "kernel 0x200000", 0x200000 };
    b[n++] = (struct badptr){ "non-canonical 0x0000800000000000", 0x0000800000000000ull };
    b[n++] = (struct badptr){ "non-canonical 0xdead000000000000", 0xdead000000000000ull };
    b[n++] = (struct badptr){ "kernel half 0xffff800000000000", 0xffff800000000000ull };
    b[n++] = (struct badptr){ "unmapped guard page", scratch + SCRATCH_SIZE };
    b[n++] = (struct badptr){ "unmapped (mem_unmap'd)", freed_va };
    b[n++] = (struct badptr){ "straddling the end of a mapping",
                              scratch + SCRATCH_SIZE - (size > 1 ? size / 2 : 1) };
    if (output)
        b[n++] = (struct badptr){ "read-only boot module", ro_va };
    return n;
}

/* ---- small helpers --------------------------------------------------------------------- */

uint64_t mem(uint64_t len, uint32_t flags)
{
    uint64_t va = 0;
    if (!EXPECTF(hv_mem_map(len, flags, &va), HV_OK, "hv_mem_map(0x%llx, %u)",
                 (unsigned long long)len, flags))
        return 0;
    track_mem(va, len);
    return va;
}

bool unmap(uint64_t va, uint64_t len)
{
    if (!EXPECTF(hv_mem_unmap(va, len), HV_OK, "hv_mem_unmap(0x%llx, 0x%llx)",
                 (unsigned long long)va, (unsigned long long)len))
        return false;
    forget_mem(va);
    return true;
}

hv_handle_t new_guest(void)
{
    hv_handle_t g = HV_HANDLE_INVALID;
    if (!EXPECT(hv_guest_create(0, &g), HV_OK))
        return HV_HANDLE_INVALID;
    return track(g);
}

hv_handle_t dup(hv_handle_t h, hv_rights_t rights)
{
    hv_handle_t d = HV_HANDLE_INVALID;
    if (!EXPECTF(hv_handle_duplicate(h, rights, &d), HV_OK, "hv_handle_duplicate(0x%x, 0x%x)",
                 h, rights))
        return HV_HANDLE_INVALID;
    return track(d);
}

bool get_regs(hv_handle_t v, struct hv_vcpu_state *s)
{
    return EXPECT(hv_vcpu_read_state(v, HV_VCPU_STATE, s, sizeof(*s)), HV_OK);
}

bool set_regs(hv_handle_t v, const struct hv_vcpu_state *s)
{
    return EXPECT(hv_vcpu_write_state(v, HV_VCPU_STATE, s, sizeof(*s)), HV_OK);
}

/* tvm_new with ram_size bytes of RAM. */
static bool tvm_new_sized(struct tvm *t, const uint8_t *code, size_t len, uint64_t ram_size)
{
    *t = (struct tvm){ 0, ram_size, HV_HANDLE_INVALID, HV_HANDLE_INVALID };
    if (!(t->ram = mem(ram_size, HV_MEM_READ | HV_MEM_WRITE)))
        return false;
    memcpy((void *)(uintptr_t)(t->ram + CODE_GPA), code, len);
    memcpy((void *)(uintptr_t)(t->ram + GDT_GPA), flat_gdt, sizeof(flat_gdt));
    if (!(t->g = new_guest()) || !EXPECT(hv_guest_map(t->g, 0, t->ram, ram_size, RWX), HV_OK) ||
        !EXPECT(hv_vcpu_create(t->g, 0, CODE_GPA, &t->v), HV_OK))
        return false;
    track(t->v);
    struct hv_vcpu_state s;
    if (!get_regs(t->v, &s))
        return false;
    s.rsp = STACK_GPA;
    return set_regs(t->v, &s);
}

bool tvm_new(struct tvm *t, const uint8_t *code, size_t len)
{
    return tvm_new_sized(t, code, len, RAM_SIZE);
}

uint8_t *ram_at(const struct tvm *t, uint64_t gpa)
{
    return (uint8_t *)(uintptr_t)(t->ram + gpa);
}

void set_gate(const struct tvm *t, unsigned vector, uint64_t handler)
{
    uint64_t gate = (handler & 0xffff) | 0x08ull << 16 | 0x8e00ull << 32 |
                    (handler >> 16) << 48;
    memcpy(ram_at(t, IDT_GPA + vector * 8), &gate, 8);
}

bool resume(hv_handle_t v, struct hv_packet *p)
{
    memset(p, 0xcc, sizeof(*p));
    return EXPECT(hv_vcpu_resume(v, p, HV_TIME_INFINITE), HV_OK);
}

bool expect_io(int line, const struct hv_packet *p, uint16_t port, uint8_t size, bool input,
               uint32_t data, uint64_t key)
{
    if (p->type != HV_PKT_GUEST_IO) {
        failf(line, "packet type %u, expected GUEST_IO (port 0x%x)", p->type, port);
        return false;
    }
    const struct hv_packet_guest_io *io = &p->guest_io;
    if (io->port != port || io->access_size != size || io->input != input ||
        (!input && io->data != data) || p->key != key || p->status != HV_OK) {
        failf(line, "GUEST_IO port 0x%x size %u input %u data 0x%x key 0x%llx status %d, "
              "expected port 0x%x size %u input %u data 0x%x key 0x%llx", io->port,
              io->access_size, io->input, io->data, (unsigned long long)p->key, p->status,
              port, size, input, data, (unsigned long long)key);
        return false;
    }
    return true;
}

bool expect_halt(int line, const struct hv_packet *p, uint64_t rip)
{
    if (p->type != HV_PKT_GUEST_VCPU || p->guest_vcpu.kind != HV_VCPU_HALT ||
        p->guest_vcpu.rip != rip || p->key != 0) {
        failf(line, "packet type %u kind %u rip 0x%llx key 0x%llx, expected GUEST_VCPU HALT "
              "at rip 0x%llx", p->type, p->guest_vcpu.kind,
              (unsigned long long)p->guest_vcpu.rip, (unsigned long long)p->key,
              (unsigned long long)rip);
        return false;
    }
    return true;
}

bool expect_exit(int line, const struct hv_packet *p, uint32_t reason, uint64_t rip,
                 uint64_t gpa)
{
    if (p->type != HV_PKT_VCPU_EXIT || p->vcpu_exit.reason != reason ||
        p->vcpu_exit.rip != rip || p->vcpu_exit.gpa != gpa) {
        failf(line, "packet type %u reason %u rip 0x%llx gpa 0x%llx, expected VCPU_EXIT "
              "reason %u rip 0x%llx gpa 0x%llx", p->type, p->vcpu_exit.reason,
              (unsigned long long)p->vcpu_exit.rip, (unsigned long long)p->vcpu_exit.gpa,
              reason, (unsigned long long)rip, (unsigned long long)gpa);
        return false;
    }
    return true;
}

static const struct hv_startup_module *module(const char *name)
{
    for (uint32_t i = 0; i < startup->num_modules && i < HV_STARTUP_MAX_MODULES; i++)
        if (!strncmp(startup->modules[i].name, name, sizeof(startup->modules[i].name)))
            return &startup->modules[i];
    return 0;
}

/* ---- basic calls ------------------------------------------------------------------------ */

static void t_null(void)
{
    EXPECT(hv_null(), HV_OK);
    EXPECT(hv_syscall6(HV_SYS_NULL, -1, -1, -1, -1, -1, -1), HV_OK);  /* arguments ignored */
}

static void t_bad_syscall(void)
{
    static const long nrs[] = { HV_SYS_COUNT, HV_SYS_COUNT + 1, 64, 255, 1000, 0x7fffffff,
                                (long)1 << 32, ((long)1 << 32) | HV_SYS_NULL, -1, -13,
                                (long)0x8000000000000000ull };
    for (unsigned i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
        EXPECTF(hv_syscall6(nrs[i], 0, 0, 0, 0, 0, 0), (long)HV_ERR_BAD_SYSCALL,
                "hypercall number 0x%lx", nrs[i]);
}

static void t_debug_write(void)
{
    static const char msg[] = "hypercalls: debug_write from read-only .rodata\n";
    EXPECT(hv_debug_write(msg, sizeof(msg) - 1), HV_OK);
    EXPECT(hv_debug_write(P(scratch), 0), HV_OK);
    EXPECT(hv_debug_write(P(scratch), HV_DEBUG_WRITE_MAX + 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_syscall6(HV_SYS_DEBUG_WRITE, (long)scratch, (long)1 << 32, 0, 0, 0, 0),
           HV_ERR_INVALID_ARGS);
    FOR_BAD_PTRS(b, 16, false)
        EXPECTF(hv_debug_write(P(b->va), 16), HV_ERR_INVALID_ARGS, "hv_debug_write(%s, 16)",
                b->name);
}

static void t_system_info(void)
{
    struct hv_system_info info;
    memset(&info, 0xcc, sizeof(info));
    if (!EXPECT(hv_system_info(&info, sizeof(info)), HV_OK))
        return;
    CHECK(info.num_cpus >= 1 && info.num_cpus < 4096, "num_cpus %u", info.num_cpus);
    CHECK(info.memory_bytes >= (16ull << 20), "memory_bytes %llu",
          (unsigned long long)info.memory_bytes);
    CHECK(info.free_bytes > 0 && info.free_bytes <= info.memory_bytes &&
          !(info.free_bytes & 4095), "free_bytes %llu of %llu",
          (unsigned long long)info.free_bytes, (unsigned long long)info.memory_bytes);
    CHECK(!(info.vmx_flags & ~0x1fu), "vmx_flags 0x%x has unknown bits", info.vmx_flags);
    /* A larger buffer is fine: only sizeof(struct) is written. */
    uint8_t *big = (uint8_t *)(uintptr_t)scratch;
    memset(big, 0x5a, 256);
    EXPECT(hv_system_info(P(scratch), 256), HV_OK);
    CHECK(big[sizeof(info)] == 0x5a && big[255] == 0x5a, "wrote beyond sizeof(struct)");
}

static void t_system_info_errors(void)
{
    struct hv_system_info info;
    EXPECT(hv_system_info(&info, sizeof(info) - 1), HV_ERR_BUFFER_TOO_SMALL);
    EXPECT(hv_system_info(&info, 0), HV_ERR_BUFFER_TOO_SMALL);
    FOR_BAD_PTRS(b, sizeof(info), true)
        EXPECTF(hv_system_info(P(b->va), sizeof(info)), HV_ERR_INVALID_ARGS,
                "hv_system_info(%s)", b->name);
    EXPECT(hv_system_info(P(startup), sizeof(info)), HV_ERR_INVALID_ARGS);
}

static void t_system_shutdown_invalid(void)
{
    EXPECT(hv_system_shutdown(256), HV_ERR_INVALID_ARGS);
    EXPECT(hv_system_shutdown(0xffffffffu), HV_ERR_INVALID_ARGS);
    /* The whole register counts: 2^32 + 0 is not status 0. */
    EXPECT(hv_syscall6(HV_SYS_SYSTEM_SHUTDOWN, (long)1 << 32, 0, 0, 0, 0, 0),
           HV_ERR_INVALID_ARGS);
    EXPECT(hv_syscall6(HV_SYS_SYSTEM_SHUTDOWN, -1, 0, 0, 0, 0, 0), HV_ERR_INVALID_ARGS);
}

/* ---- handles ---------------------------------------------------------------------------- */

static void t_handle_close(void)
{
    hv_handle_t g = new_guest();
    hv_handle_t d = dup(g, HV_RIGHT_SAME_RIGHTS);
    if (!d)
        return;
    CHECK(d != g && d != HV_HANDLE_INVALID, "duplicate 0x%x of 0x%x", d, g);
    EXPECT(hv_handle_close(d), HV_OK);
    EXPECT(hv_handle_close(d), HV_ERR_BAD_HANDLE);               /* stale */
    EXPECT(hv_guest_set_trap(d, HV_TRAP_IO, 0x60, 1, 0, 0), HV_ERR_BAD_HANDLE);
    /* The original still works. */
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x60, 1, 0, 0), HV_OK);
    EXPECT(hv_handle_close(g), HV_OK);
    EXPECT(hv_handle_close(g), HV_ERR_BAD_HANDLE);
}

static void t_handle_bad_values(void)
{
    hv_handle_t g = new_guest();
    if (!g)
        return;
    uint32_t idx = g & 0xfff, gen = g >> 12;
    const hv_handle_t forged[] = {
        HV_HANDLE_INVALID, 0xffffffffu, idx | ((gen + 0x800) & 0xfffff) << 12,
        (g & ~0xfffu) | 0xffe, (g & ~0xfffu) | 2000, 1u << 12 | 4000, 0x12345678,
    };
    for (unsigned i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
        hv_handle_t h = forged[i];
        if (h == g)
            continue;
        EXPECTF(hv_handle_close(h), HV_ERR_BAD_HANDLE, "close(0x%x)", h);
        EXPECTF(hv_guest_set_trap(h, HV_TRAP_IO, 0x70, 1, 0, 0), HV_ERR_BAD_HANDLE,
                "set_trap(0x%x)", h);
        hv_handle_t out;
        EXPECTF(hv_handle_duplicate(h, HV_RIGHT_SAME_RIGHTS, &out), HV_ERR_BAD_HANDLE,
                "duplicate(0x%x)", h);
        EXPECTF(hv_vcpu_kick(h), HV_ERR_BAD_HANDLE, "kick(0x%x)", h);
    }
    /* A live value with bits above 31 is not that handle. */
    long wide = (long)(((uint64_t)1 << 32) | g);
    EXPECT(hv_syscall6(HV_SYS_HANDLE_CLOSE, wide, 0, 0, 0, 0, 0), HV_ERR_BAD_HANDLE);
    EXPECT(hv_syscall6(HV_SYS_GUEST_SET_TRAP, wide, HV_TRAP_IO, 0x70, 1, 0, 0),
           HV_ERR_BAD_HANDLE);
    EXPECT(hv_syscall6(HV_SYS_VCPU_CREATE, wide, 0, CODE_GPA, (long)scratch, 0, 0),
           HV_ERR_BAD_HANDLE);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x70, 1, 0, 0), HV_OK);   /* still alive */
}

static void t_handle_duplicate(void)
{
    hv_handle_t g = new_guest();
    hv_handle_t all = dup(g, HV_RIGHTS_ALL);
    hv_handle_t same = dup(g, HV_RIGHT_SAME_RIGHTS);
    if (!all || !same)
        return;
    CHECK(all != same && all != g, "duplicates are not new values");
    /* Same object, same type: a trap set through one overlaps through the other. */
    EXPECT(hv_guest_set_trap(all, HV_TRAP_IO, 0x80, 4, 0, 1), HV_OK);
    EXPECT(hv_guest_set_trap(same, HV_TRAP_IO, 0x82, 1, 0, 1), HV_ERR_ALREADY_EXISTS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x83, 1, 0, 1), HV_ERR_ALREADY_EXISTS);
    /* Closing the original keeps the object alive through the duplicate. */
    EXPECT(hv_handle_close(g), HV_OK);
    EXPECT(hv_guest_set_trap(same, HV_TRAP_IO, 0x84, 1, 0, 1), HV_OK);
    hv_handle_t v;
    if (EXPECT(hv_vcpu_create(same, 0, CODE_GPA, &v), HV_OK))
        track(v);
}

static void t_handle_duplicate_rights(void)
{
    hv_handle_t g = new_guest();
    if (!g)
        return;
    hv_handle_t out;
    hv_handle_t nw = dup(g, HV_RIGHTS_ALL & ~HV_RIGHT_WRITE);
    hv_handle_t nodup = dup(g, HV_RIGHT_WRITE | HV_RIGHT_READ);
    if (!nw || !nodup)
        return;
    /* Not a subset of the source's rights. */
    EXPECT(hv_handle_duplicate(nw, HV_RIGHT_WRITE, &out), HV_ERR_INVALID_ARGS);
    EXPECT(hv_handle_duplicate(nw, HV_RIGHTS_ALL, &out), HV_ERR_INVALID_ARGS);
    EXPECT(hv_handle_duplicate(g, HV_RIGHT_SAME_RIGHTS | HV_RIGHT_READ, &out),
           HV_ERR_INVALID_ARGS);
    EXPECT(hv_handle_duplicate(g, 1u << 5, &out), HV_ERR_INVALID_ARGS);
    EXPECT(hv_handle_duplicate(g, 0xffffffffu, &out), HV_ERR_INVALID_ARGS);
    EXPECT(hv_syscall6(HV_SYS_HANDLE_DUPLICATE, g, ((long)1 << 32) | HV_RIGHT_READ,
                       (long)scratch, 0, 0, 0), HV_ERR_INVALID_ARGS);
    /* Without DUPLICATE nothing can be duplicated, not even with fewer rights. */
    EXPECT(hv_handle_duplicate(nodup, HV_RIGHT_READ, &out), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_handle_duplicate(nodup, HV_RIGHT_SAME_RIGHTS, &out), HV_ERR_ACCESS_DENIED);
    /* SAME_RIGHTS keeps the reduced rights: still no WRITE, still DUPLICATE. */
    hv_handle_t same = dup(nw, HV_RIGHT_SAME_RIGHTS);
    if (!same)
        return;
    EXPECT(hv_guest_set_trap(same, HV_TRAP_IO, 0x60, 1, 0, 0), HV_ERR_ACCESS_DENIED);
    hv_handle_t again = dup(same, HV_RIGHT_READ);
    if (again)
        EXPECT(hv_handle_duplicate(again, HV_RIGHT_READ, &out), HV_ERR_ACCESS_DENIED);
    /* Rights 0 is a subset too: a handle that can do nothing but be closed. */
    hv_handle_t none = dup(g, 0);
    if (none) {
        EXPECT(hv_guest_set_trap(none, HV_TRAP_IO, 0x60, 1, 0, 0), HV_ERR_ACCESS_DENIED);
        EXPECT(hv_handle_duplicate(none, 0, &out), HV_ERR_ACCESS_DENIED);
        EXPECT(hv_handle_close(none), HV_OK);
    }
}

static void t_handle_duplicate_errors(void)
{
    hv_handle_t g = new_guest();
    if (!g)
        return;
    int slots = tests_free_handle_slots(g);
    hv_handle_t out;
    EXPECT(hv_handle_duplicate(HV_HANDLE_INVALID, HV_RIGHT_SAME_RIGHTS, &out),
           HV_ERR_BAD_HANDLE);
    EXPECT(hv_handle_duplicate(g ^ (1u << 19), HV_RIGHT_SAME_RIGHTS, &out), HV_ERR_BAD_HANDLE);
    FOR_BAD_PTRS(b, sizeof(hv_handle_t), true)
        EXPECTF(hv_handle_duplicate(g, HV_RIGHT_SAME_RIGHTS, P(b->va)), HV_ERR_INVALID_ARGS,
                "hv_handle_duplicate(out = %s)", b->name);
    CHECK(tests_free_handle_slots(g) == slots, "free handle slots %d before, %d after",
          slots, tests_free_handle_slots(g));
}

static void t_handle_exhaustion(void)
{
    static hv_handle_t hs[4100];
    uint64_t free0 = tests_free_bytes();
    hv_handle_t g;
    if (!EXPECT(hv_guest_create(0, &g), HV_OK))
        return;
    unsigned n = 0;
    hv_status_t rc = HV_OK;
    while (n < sizeof(hs) / sizeof(hs[0]) &&
           (rc = hv_handle_duplicate(g, HV_RIGHT_SAME_RIGHTS, &hs[n])) == HV_OK)
        n++;
    CHECK(rc == HV_ERR_NO_RESOURCES && n > 0, "duplicating stopped after %u with %s", n,
          hv_status_name(rc));
    hv_handle_t x;
    EXPECT(hv_handle_duplicate(g, HV_RIGHT_SAME_RIGHTS, &x), HV_ERR_NO_RESOURCES);
    EXPECT(hv_guest_create(0, &x), HV_ERR_NO_RESOURCES);
    EXPECT(hv_vcpu_create(g, 0, CODE_GPA, &x), HV_ERR_NO_RESOURCES);
    if (n > 0) {
        /* The one free slot comes back with a new generation: the old value stays dead. */
        hv_handle_t old = hs[n - 1];
        EXPECT(hv_handle_close(old), HV_OK);
        if (EXPECT(hv_handle_duplicate(g, HV_RIGHT_SAME_RIGHTS, &hs[n - 1]), HV_OK)) {
            CHECK(hs[n - 1] != old && (hs[n - 1] & 0xfff) == (old & 0xfff),
                  "reused slot: old 0x%x new 0x%x", old, hs[n - 1]);
            EXPECT(hv_handle_close(old), HV_ERR_BAD_HANDLE);
            EXPECT(hv_guest_set_trap(old, HV_TRAP_IO, 0x60, 1, 0, 0), HV_ERR_BAD_HANDLE);
        }
    }
    for (unsigned i = 0; i < n; i++)
        EXPECTF(hv_handle_close(hs[i]), HV_OK, "close of duplicate %u", i);
    /* Everything works again. */
    hv_handle_t v;
    if (EXPECT(hv_vcpu_create(g, 0, CODE_GPA, &v), HV_OK))
        EXPECT(hv_handle_close(v), HV_OK);
    if (EXPECT(hv_handle_duplicate(g, HV_RIGHT_SAME_RIGHTS, &x), HV_OK))
        EXPECT(hv_handle_close(x), HV_OK);
    EXPECT(hv_handle_close(g), HV_OK);
    uint64_t free1 = tests_free_bytes();
    CHECK(free0 == free1, "free memory %llu before, %llu after", (unsigned long long)free0,
          (unsigned long long)free1);
}

/* ---- guests ------------------------------------------------------------------------------ */

static void t_guest_create(void)
{
    uint64_t free0 = tests_free_bytes();
    hv_handle_t g = HV_HANDLE_INVALID;
    if (!EXPECT(hv_guest_create(0, &g), HV_OK))
        return;
    CHECK(g != HV_HANDLE_INVALID, "guest handle 0");
    /* HV_RIGHTS_ALL: every right can be duplicated. */
    hv_handle_t d;
    if (EXPECT(hv_handle_duplicate(g, HV_RIGHTS_ALL, &d), HV_OK))
        EXPECT(hv_handle_close(d), HV_OK);
    EXPECT(hv_handle_close(g), HV_OK);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

static void t_guest_create_errors(void)
{
    hv_handle_t g;
    uint64_t free0 = tests_free_bytes();
    EXPECT(hv_guest_create(1, &g), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_create(0x80000000u, &g), HV_ERR_INVALID_ARGS);
    EXPECT(hv_syscall6(HV_SYS_GUEST_CREATE, (long)1 << 32, (long)scratch, 0, 0, 0, 0),
           HV_ERR_INVALID_ARGS);
    FOR_BAD_PTRS(b, sizeof(hv_handle_t), true)
        EXPECTF(hv_guest_create(0, P(b->va)), HV_ERR_INVALID_ARGS, "hv_guest_create(out = %s)",
                b->name);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

/* The guest stores to RAM the root task reads; the root task writes code it runs. */
static void t_guest_map_shares(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_store)))
        return;
    struct hv_packet p;
    if (resume(t.v, &p) && EXPECT_HALT(&p, GADDR(tg_store, tg_store_after)))
        CHECK(*(volatile uint32_t *)ram_at(&t, 0x2000) == 0x600dd00du,
              "RAM at 0x2000 holds 0x%x", *(volatile uint32_t *)ram_at(&t, 0x2000));
}

static void t_guest_map_errors(void)
{
    hv_handle_t g = new_guest();
    uint64_t ram = mem(0x4000, HV_MEM_READ | HV_MEM_WRITE);
    uint64_t ro = mem(0x2000, HV_MEM_READ);
    if (!g || !ram || !ro)
        return;
    /* Alignment and length. */
    EXPECT(hv_guest_map(g, 0x800, ram, 0x1000, RW), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_map(g, 0, ram + 0x800, 0x1000, RW), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_map(g, 0, ram, 0x800, RW), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_map(g, 0, ram, 0, RW), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_map(g, 0xfffffffffffff000ull, ram, 0x2000, RW), HV_ERR_INVALID_ARGS);
    /* Flags: READ required, no unknown bits. */
    EXPECT(hv_guest_map(g, 0, ram, 0x1000, 0), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_map(g, 0, ram, 0x1000, HV_GUEST_PERM_WRITE), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_map(g, 0, ram, 0x1000, HV_GUEST_PERM_WRITE | HV_GUEST_PERM_EXECUTE),
           HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_map(g, 0, ram, 0x1000, HV_GUEST_PERM_EXECUTE), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_map(g, 0, ram, 0x1000, RWX | 8), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_map(g, 0, ram, 0x1000, 0x80000001u), HV_ERR_INVALID_ARGS);
    EXPECT(hv_syscall6(HV_SYS_GUEST_MAP, g, 0, (long)ram, 0x1000, ((long)1 << 32) | R, 0),
           HV_ERR_INVALID_ARGS);
    /* The memory: one mem_map region of the caller, with the rights asked for. */
    FOR_BAD_PTRS(b, 0x2000, true)
        EXPECTF(hv_guest_map(g, 0, b->va & ~0xfffull, 0x2000, RW), HV_ERR_INVALID_ARGS,
                "hv_guest_map(va = %s)", b->name);
    EXPECT(hv_guest_map(g, 0, ro_va & ~0xfffull, 0x1000, R), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_map(g, 0, scratch + SCRATCH_SIZE - 0x1000, 0x2000, RW), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_map(g, 0, ram, 0x5000, RW), HV_ERR_INVALID_ARGS);     /* past its end */
    EXPECT(hv_guest_map(g, 0, ram - 0x1000, 0x2000, RW), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_map(g, 0, ro, 0x1000, RW), HV_ERR_INVALID_ARGS);      /* W of R memory */
    EXPECT(hv_guest_map(g, 0, ro, 0x1000, RWX), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_map(g, 0, ro, 0x1000, R), HV_OK);
    EXPECT(hv_guest_map(g, 0x10000, ro, 0x2000, R | HV_GUEST_PERM_EXECUTE), HV_OK);
    /* Nothing of the refused calls got mapped: the whole range is still free. */
    EXPECT(hv_guest_map(g, 0x100000, ram, 0x4000, RW), HV_OK);
}

static void t_guest_map_out_of_range(void)
{
    hv_handle_t g = new_guest();
    uint64_t ram = mem(0x2000, HV_MEM_READ | HV_MEM_WRITE);
    if (!g || !ram)
        return;
    EXPECT(hv_guest_map(g, GPA_LIMIT, ram, 0x1000, RW), HV_ERR_OUT_OF_RANGE);
    EXPECT(hv_guest_map(g, GPA_LIMIT - 0x1000, ram, 0x2000, RW), HV_ERR_OUT_OF_RANGE);
    EXPECT(hv_guest_map(g, 1ull << 52, ram, 0x1000, RW), HV_ERR_OUT_OF_RANGE);
    EXPECT(hv_guest_map(g, GPA_LIMIT - 0x1000, ram, 0x1000, RW), HV_OK);  /* the last page */
    EXPECT(hv_guest_unmap(g, GPA_LIMIT, 0x1000), HV_ERR_OUT_OF_RANGE);
    EXPECT(hv_guest_unmap(g, GPA_LIMIT - 0x1000, 0x2000), HV_ERR_OUT_OF_RANGE);
    EXPECT(hv_guest_protect(g, GPA_LIMIT, 0x1000, R), HV_ERR_OUT_OF_RANGE);
    EXPECT(hv_guest_protect(g, GPA_LIMIT - 0x1000, 0x2000, R), HV_ERR_OUT_OF_RANGE);
    EXPECT(hv_guest_protect(g, GPA_LIMIT - 0x1000, 0x1000, R), HV_OK);
    EXPECT(hv_guest_unmap(g, GPA_LIMIT - 0x1000, 0x1000), HV_OK);
}

static void t_guest_map_overlap(void)
{
    hv_handle_t g = new_guest();
    uint64_t a = mem(0x10000, HV_MEM_READ | HV_MEM_WRITE);
    uint64_t b = mem(0x4000, HV_MEM_READ | HV_MEM_WRITE);
    if (!g || !a || !b)
        return;
    EXPECT(hv_guest_map(g, 0x10000, a, 0x10000, RW), HV_OK);
    EXPECT(hv_guest_map(g, 0x10000, b, 0x1000, RW), HV_ERR_ALREADY_EXISTS);      /* same */
    EXPECT(hv_guest_map(g, 0x18000, b, 0x1000, RW), HV_ERR_ALREADY_EXISTS);      /* inside */
    EXPECT(hv_guest_map(g, 0xe000, b, 0x4000, RW), HV_ERR_ALREADY_EXISTS);       /* head */
    EXPECT(hv_guest_map(g, 0x1e000, b, 0x4000, RW), HV_ERR_ALREADY_EXISTS);      /* tail */
    EXPECT(hv_guest_map(g, 0x0, a, 0x10000, RW), HV_OK);                         /* below */
    /* The refused tail map left nothing behind: its free part maps now. */
    EXPECT(hv_guest_map(g, 0x20000, b, 0x2000, RW), HV_OK);
    /* The same memory may be mapped twice, at another address. */
    EXPECT(hv_guest_map(g, 0x40000, b, 0x4000, R), HV_OK);
}

static void t_guest_unmap(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_store)))
        return;
    struct hv_packet p;
    /* The page the guest stores to goes: an EPT violation (no trap) comes back. */
    EXPECT(hv_guest_unmap(t.g, 0x2000, 0x1000), HV_OK);
    if (!resume(t.v, &p) || !EXPECT_EXIT(&p, EXIT_REASON_EPT_VIOLATION, CODE_GPA, 0x2000))
        return;
    CHECK(p.vcpu_exit.qualification & 2, "qualification 0x%llx: not a write",
          (unsigned long long)p.vcpu_exit.qualification);
    /* Holes are fine: unmapping it again, or nothing at all. */
    EXPECT(hv_guest_unmap(t.g, 0x2000, 0x1000), HV_OK);
    EXPECT(hv_guest_unmap(t.g, 0x200000, 0x100000), HV_OK);
    /* Back again: the store completes. */
    EXPECT(hv_guest_map(t.g, 0x2000, t.ram + 0x2000, 0x1000, RW), HV_OK);
    if (resume(t.v, &p) && EXPECT_HALT(&p, GADDR(tg_store, tg_store_after)))
        CHECK(*(volatile uint32_t *)ram_at(&t, 0x2000) == 0x600dd00du, "store lost");
}

/* A 4 KiB hole in a 2 MiB guest mapping (a large EPT leaf splits, when one was used). */
static void t_guest_unmap_split(void)
{
    uint64_t free0 = tests_free_bytes();
    struct tvm t;
    if (!tvm_new_sized(&t, CODE(tg_store), 2ull << 20))
        return;
    struct hv_packet p;
    EXPECT(hv_guest_unmap(t.g, 0x2000, 0x1000), HV_OK);
    if (resume(t.v, &p))
        EXPECT_EXIT(&p, EXIT_REASON_EPT_VIOLATION, CODE_GPA, 0x2000);
    /* The rest stays: the next page is still RAM (the guest's code runs from 0x8000). */
    EXPECT(hv_guest_map(t.g, 0x2000, t.ram + 0x2000, 0x1000, RW), HV_OK);
    if (resume(t.v, &p))
        EXPECT_HALT(&p, GADDR(tg_store, tg_store_after));
    EXPECT(hv_handle_close(t.v), HV_OK);
    EXPECT(hv_handle_close(t.g), HV_OK);
    unmap(t.ram, t.ram_size);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

static void t_guest_unmap_errors(void)
{
    hv_handle_t g = new_guest();
    if (!g)
        return;
    EXPECT(hv_guest_unmap(g, 0x800, 0x1000), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_unmap(g, 0, 0x800), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_unmap(g, 0, 0), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_unmap(g, 0xfffffffffffff000ull, 0x2000), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_unmap(g, 0, 0x1000), HV_OK);
}

static void t_guest_protect(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_store)))
        return;
    struct hv_packet p;
    EXPECT(hv_guest_protect(t.g, 0x2000, 0x1000, R), HV_OK);
    if (!resume(t.v, &p) || !EXPECT_EXIT(&p, EXIT_REASON_EPT_VIOLATION, CODE_GPA, 0x2000))
        return;
    CHECK((p.vcpu_exit.qualification & 2) && (p.vcpu_exit.qualification & 8),
          "qualification 0x%llx: not a write to a readable page",
          (unsigned long long)p.vcpu_exit.qualification);
    CHECK(*(volatile uint32_t *)ram_at(&t, 0x2000) == 0, "the store happened");
    EXPECT(hv_guest_protect(t.g, 0x2000, 0x1000, RW), HV_OK);
    if (resume(t.v, &p) && EXPECT_HALT(&p, GADDR(tg_store, tg_store_after)))
        CHECK(*(volatile uint32_t *)ram_at(&t, 0x2000) == 0x600dd00du, "store lost");
    /* Taking X away from the code: the next fetch faults. */
    struct hv_vcpu_state s;
    if (get_regs(t.v, &s)) {
        s.rip = CODE_GPA;
        set_regs(t.v, &s);
    }
    EXPECT(hv_guest_protect(t.g, 0x8000, 0x1000, RW), HV_OK);
    if (resume(t.v, &p) && EXPECT_EXIT(&p, EXIT_REASON_EPT_VIOLATION, CODE_GPA, CODE_GPA))
        CHECK(p.vcpu_exit.qualification & 4, "qualification 0x%llx: not a fetch",
              (unsigned long long)p.vcpu_exit.qualification);
}

static void t_guest_protect_errors(void)
{
    hv_handle_t g = new_guest();
    uint64_t ram = mem(0x4000, HV_MEM_READ | HV_MEM_WRITE);
    if (!g || !ram || !EXPECT(hv_guest_map(g, 0, ram, 0x4000, RWX), HV_OK))
        return;
    EXPECT(hv_guest_protect(g, 0x800, 0x1000, R), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_protect(g, 0, 0x800, R), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_protect(g, 0, 0, R), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_protect(g, 0xfffffffffffff000ull, 0x2000, R), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_protect(g, 0, 0x1000, 0), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_protect(g, 0, 0x1000, HV_GUEST_PERM_WRITE), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_protect(g, 0, 0x1000, HV_GUEST_PERM_EXECUTE | HV_GUEST_PERM_WRITE),
           HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_protect(g, 0, 0x1000, RWX | 0x10), HV_ERR_INVALID_ARGS);
    /* A page of the range not mapped: refused, and nothing changed. */
    EXPECT(hv_guest_protect(g, 0x2000, 0x4000, R), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_protect(g, 0x10000, 0x1000, R), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_protect(g, 0, 0x4000, R), HV_OK);
}

/*
 * guest_map refuses guest WRITE on memory the caller has read-only; guest_protect
 * must not grant it afterwards (its errors are guest_map's).
 */
static void t_guest_protect_region_rights(void)
{
    hv_handle_t g = new_guest();
    uint64_t ro = mem(0x1000, HV_MEM_READ);
    if (!g || !ro || !EXPECT(hv_guest_map(g, 0, ro, 0x1000, R), HV_OK))
        return;
    EXPECT(hv_guest_map(g, 0x1000, ro, 0x1000, RW), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_protect(g, 0, 0x1000, RW), HV_ERR_INVALID_ARGS);
}

static void t_set_trap(void)
{
    hv_handle_t g = new_guest();
    if (!g)
        return;
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0, 1, HV_HANDLE_INVALID, 0), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0xffff, 1, HV_HANDLE_INVALID, ~0ull), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x3f8, 8, HV_HANDLE_INVALID, 1), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, MMIO_GPA, 0x1000, HV_HANDLE_INVALID, 2), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, 0x123, 1, HV_HANDLE_INVALID, 3), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, GPA_LIMIT - 1, 1, HV_HANDLE_INVALID, 3), HV_OK);
    /* IO and MEM ranges are separate spaces: the same numbers do not overlap. */
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, 0x3f8, 8, HV_HANDLE_INVALID, 4), HV_OK);
}

static void t_set_trap_errors(void)
{
    hv_handle_t g = new_guest();
    if (!g)
        return;
    EXPECT(hv_guest_set_trap(g, 3, 0x1000, 0x1000, 0, 0), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, 0xffffffffu, 0x1000, 0x1000, 0, 0), HV_ERR_INVALID_ARGS);
    EXPECT(hv_syscall6(HV_SYS_GUEST_SET_TRAP, g, ((long)1 << 32) | HV_TRAP_IO, 0x60, 1, 0, 0),
           HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x60, 0, 0, 0), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, 0x1000, 0, 0, 0), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0xffff, 2, 0, 0), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x10000, 1, 0, 0), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0, 0x10001, 0, 0), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, ~0ull, 2, 0, 0), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, ~0ull - 0xfff, 0x2000, 0, 0), HV_ERR_INVALID_ARGS);
    /* A port is for BELL traps only. */
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x60, 1, g, 0), HV_ERR_INVALID_ARGS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, 0x1000, 0x1000, 0x1234, 0), HV_ERR_INVALID_ARGS);
    /* Beyond the guest-physical width. */
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, GPA_LIMIT, 0x1000, 0, 0), HV_ERR_OUT_OF_RANGE);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, GPA_LIMIT - 0x1000, 0x2000, 0, 0),
           HV_ERR_OUT_OF_RANGE);
    /* None of them was added. */
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0, 0x10000, 0, 0), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, 0, GPA_LIMIT, 0, 0), HV_OK);
}

static void t_set_trap_overlap(void)
{
    hv_handle_t g = new_guest();
    if (!g)
        return;
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x60, 4, 0, 1), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x60, 4, 0, 2), HV_ERR_ALREADY_EXISTS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x63, 2, 0, 2), HV_ERR_ALREADY_EXISTS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x5f, 2, 0, 2), HV_ERR_ALREADY_EXISTS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x61, 1, 0, 2), HV_ERR_ALREADY_EXISTS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x50, 0x100, 0, 2), HV_ERR_ALREADY_EXISTS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x64, 1, 0, 2), HV_OK);      /* adjacent */
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x5f, 1, 0, 2), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, MMIO_GPA, 0x1000, 0, 1), HV_OK);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, MMIO_GPA + 0xfff, 1, 0, 1), HV_ERR_ALREADY_EXISTS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, MMIO_GPA - 1, 2, 0, 1), HV_ERR_ALREADY_EXISTS);
    EXPECT(hv_guest_set_trap(g, HV_TRAP_MEM, MMIO_GPA + 0x1000, 1, 0, 1), HV_OK);
}

/* Every call that needs WRITE on a guest, with a handle that lacks it; other handle errors. */
static void t_guest_handle_errors(void)
{
    hv_handle_t g = new_guest();
    uint64_t ram = mem(0x1000, HV_MEM_READ | HV_MEM_WRITE);
    if (!g || !ram || !EXPECT(hv_guest_map(g, 0, ram, 0x1000, RWX), HV_OK))
        return;
    hv_handle_t v, out;
    if (!EXPECT(hv_vcpu_create(g, 0, 0, &v), HV_OK))
        return;
    track(v);
    hv_handle_t nw = dup(g, HV_RIGHTS_ALL & ~HV_RIGHT_WRITE);
    if (!nw)
        return;
    EXPECT(hv_guest_map(nw, 0x1000, ram, 0x1000, RW), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_guest_unmap(nw, 0, 0x1000), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_guest_protect(nw, 0, 0x1000, R), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_guest_set_trap(nw, HV_TRAP_IO, 0x60, 1, 0, 0), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_guest_set_trap(nw, HV_TRAP_MEM, MMIO_GPA, 1, 0, 0), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_vcpu_create(nw, 0, 0, &out), HV_ERR_ACCESS_DENIED);
    /* A vCPU handle is the wrong type for guest calls. */
    EXPECT(hv_guest_map(v, 0x1000, ram, 0x1000, RW), HV_ERR_WRONG_TYPE);
    EXPECT(hv_guest_unmap(v, 0, 0x1000), HV_ERR_WRONG_TYPE);
    EXPECT(hv_guest_protect(v, 0, 0x1000, R), HV_ERR_WRONG_TYPE);
    EXPECT(hv_guest_set_trap(v, HV_TRAP_IO, 0x60, 1, 0, 0), HV_ERR_WRONG_TYPE);
    EXPECT(hv_vcpu_create(v, 0, 0, &out), HV_ERR_WRONG_TYPE);
    /* Not a handle at all. */
    hv_handle_t bad = (g & 0xfff) | (((g >> 12) + 0x4000) & 0xfffff) << 12;
    EXPECT(hv_guest_map(bad, 0x1000, ram, 0x1000, RW), HV_ERR_BAD_HANDLE);
    EXPECT(hv_guest_unmap(bad, 0, 0x1000), HV_ERR_BAD_HANDLE);
    EXPECT(hv_guest_protect(bad, 0, 0x1000, R), HV_ERR_BAD_HANDLE);
    EXPECT(hv_guest_set_trap(bad, HV_TRAP_IO, 0x60, 1, 0, 0), HV_ERR_BAD_HANDLE);
    EXPECT(hv_vcpu_create(bad, 0, 0, &out), HV_ERR_BAD_HANDLE);
    EXPECT(hv_vcpu_create(HV_HANDLE_INVALID, 0, 0, &out), HV_ERR_BAD_HANDLE);
    /* The WRITE-less handle still names the guest: with WRITE the same calls work. */
    EXPECT(hv_guest_set_trap(g, HV_TRAP_IO, 0x60, 1, 0, 0), HV_OK);
    EXPECT(hv_guest_protect(g, 0, 0x1000, R), HV_OK);
}

/* ---- vCPUs -------------------------------------------------------------------------------- */

static void t_vcpu_create(void)
{
    uint64_t free0 = tests_free_bytes();
    hv_handle_t g, v;
    if (!EXPECT(hv_guest_create(0, &g), HV_OK))
        return;
    if (EXPECT(hv_vcpu_create(g, 0, 0x12345, &v), HV_OK)) {
        struct hv_vcpu_state s;
        memset(&s, 0xcc, sizeof(s));
        if (get_regs(v, &s))
            CHECK(s.rip == 0x12345 && (s.rflags & 2) && !(s.rflags & (1u << 9)),
                  "start rip 0x%llx rflags 0x%llx", (unsigned long long)s.rip,
                  (unsigned long long)s.rflags);
        /* DUPLICATE, TRANSFER, EXECUTE, SIGNAL, READ, WRITE: all of HV_RIGHTS_ALL. */
        hv_handle_t d;
        if (EXPECT(hv_handle_duplicate(v, HV_RIGHTS_ALL, &d), HV_OK))
            EXPECT(hv_handle_close(d), HV_OK);
        EXPECT(hv_handle_close(v), HV_OK);
    }
    /* The highest entry below 4 GiB. */
    if (EXPECT(hv_vcpu_create(g, 0, 0xffffffffull, &v), HV_OK))
        EXPECT(hv_handle_close(v), HV_OK);
    /* Several vCPUs per guest. */
    hv_handle_t vs[4];
    unsigned made = 0;
    for (; made < 4; made++)
        if (!EXPECT(hv_vcpu_create(g, 0, CODE_GPA, &vs[made]), HV_OK))
            break;
    for (unsigned i = 0; i < made; i++)
        EXPECT(hv_handle_close(vs[i]), HV_OK);
    EXPECT(hv_handle_close(g), HV_OK);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

static void t_vcpu_create_errors(void)
{
    hv_handle_t g = new_guest();
    if (!g)
        return;
    uint64_t free0 = tests_free_bytes();
    hv_handle_t v;
    EXPECT(hv_vcpu_create(g, 1, CODE_GPA, &v), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_create(g, 0x80000000u, CODE_GPA, &v), HV_ERR_INVALID_ARGS);
    EXPECT(hv_syscall6(HV_SYS_VCPU_CREATE, g, (long)1 << 32, CODE_GPA, (long)scratch, 0, 0),
           HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_create(g, 0, 1ull << 32, &v), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_create(g, 0, ~0ull, &v), HV_ERR_INVALID_ARGS);
    FOR_BAD_PTRS(b, sizeof(hv_handle_t), true)
        EXPECTF(hv_vcpu_create(g, 0, CODE_GPA, P(b->va)), HV_ERR_INVALID_ARGS,
                "hv_vcpu_create(out = %s)", b->name);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

static void t_vcpu_out_halt(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_out_hlt)) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_IO, 0xe9, 1, 0, 0xfeedface12345678ull), HV_OK))
        return;
    struct hv_vcpu_state s;
    if (!get_regs(t.v, &s))
        return;
    s.rax = 0x1234;
    if (!set_regs(t.v, &s))
        return;
    struct hv_packet p;
    if (!resume(t.v, &p) || !EXPECT_IO(&p, 0xe9, 1, false, 'x', 0xfeedface12345678ull))
        return;
    if (!resume(t.v, &p) || !EXPECT_IO(&p, 0xe9, 2, false, 0x1278, 0xfeedface12345678ull))
        return;
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_out_hlt, tg_out_hlt_after)))
        return;
    if (get_regs(t.v, &s))
        CHECK(s.rip == GADDR(tg_out_hlt, tg_out_hlt_after) && (s.rax & 0xffff) == 0x1278,
              "rip 0x%llx rax 0x%llx after HLT", (unsigned long long)s.rip,
              (unsigned long long)s.rax);
}

static void t_vcpu_in(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_in)) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_IO, 0x60, 8, 0, 0x60), HV_OK))
        return;
    struct hv_vcpu_state s;
    if (!get_regs(t.v, &s))
        return;
    s.rax = 0x1122334455667788ull;
    if (!set_regs(t.v, &s))
        return;
    struct hv_packet p;
    struct hv_vcpu_io io = { .access_size = 1, .data = 0xab };
    if (!resume(t.v, &p) || !EXPECT_IO(&p, 0x61, 1, true, 0, 0x60))
        return;
    /* Not completed: the IN runs again. */
    if (!resume(t.v, &p) || !EXPECT_IO(&p, 0x61, 1, true, 0, 0x60))
        return;
    if (!EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_IO, &io, sizeof(io)), HV_OK))
        return;
    EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_IO, &io, sizeof(io)), HV_ERR_BAD_STATE);
    if (!resume(t.v, &p) || !EXPECT_IO(&p, 0x62, 2, true, 0, 0x60))
        return;
    io = (struct hv_vcpu_io){ .access_size = 2, .data = 0xbeef };
    if (!EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_IO, &io, sizeof(io)), HV_OK))
        return;
    if (!resume(t.v, &p) || !EXPECT_IO(&p, 0x64, 4, true, 0, 0x60))
        return;
    io = (struct hv_vcpu_io){ .access_size = 4, .data = 0xcafebabe };
    if (!EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_IO, &io, sizeof(io)), HV_OK))
        return;
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_in, tg_in_after)))
        return;
    if (get_regs(t.v, &s))
        CHECK((uint32_t)s.rbx == 0x556677ab && (uint32_t)s.rcx == 0x5566beef &&
              (uint32_t)s.rax == 0xcafebabe, "after the INs: ebx 0x%x (want 0x556677ab), "
              "ecx 0x%x (want 0x5566beef), eax 0x%x (want 0xcafebabe)", (uint32_t)s.rbx,
              (uint32_t)s.rcx, (uint32_t)s.rax);
}

static bool expect_mem(int line, const struct hv_packet *p, uint64_t addr, uint8_t size,
                       bool write, uint8_t reg, uint8_t flags, uint64_t data,
                       const uint8_t *insn, unsigned insn_len)
{
    const struct hv_packet_guest_mem *m = &p->guest_mem;
    if (p->type != HV_PKT_GUEST_MEM || p->key != 0x3e3 || m->addr != addr ||
        m->access_size != size || m->write != write || m->reg != reg || m->flags != flags ||
        (write && m->data != data) || m->inst_len != insn_len ||
        memcmp(m->inst_buf, insn, insn_len)) {
        failf(line, "packet type %u key 0x%llx addr 0x%llx size %u write %u reg %u flags %u "
              "data 0x%llx inst_len %u; expected GUEST_MEM key 0x3e3 addr 0x%llx size %u "
              "write %u reg %u flags %u data 0x%llx inst_len %u", p->type,
              (unsigned long long)p->key, (unsigned long long)m->addr, m->access_size,
              m->write, m->reg, m->flags, (unsigned long long)m->data, m->inst_len,
              (unsigned long long)addr, size, write, reg, flags, (unsigned long long)data,
              insn_len);
        return false;
    }
    return true;
}
#define EXPECT_MEM(p, addr, size, write, reg, flags, data, at, next)                        \
    expect_mem(__LINE__, p, addr, size, write, reg, flags, data, at, (unsigned)((next) - (at)))

static void t_vcpu_mmio(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_mmio)) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_MEM, MMIO_GPA, 0x1000, 0, 0x3e3), HV_OK))
        return;
    struct hv_packet p;
    struct hv_vcpu_state s;
    if (!resume(t.v, &p) || !EXPECT_MEM(&p, MMIO_GPA + 4, 4, true, 0, 0, 0xdeadbeef,
                                        tg_mmio_st32, tg_mmio_st32 + 10))
        return;
    if (!resume(t.v, &p) || !EXPECT_MEM(&p, MMIO_GPA + 0x10, 2, true, 3, 0, 0x1122,
                                        tg_mmio_st16, tg_mmio_ld32))
        return;
    /* A load: the VMM writes the register and moves rip past the instruction. */
    if (!resume(t.v, &p) || !EXPECT_MEM(&p, MMIO_GPA + 0x20, 4, false, 1, 0, 0,
                                        tg_mmio_ld32, tg_mmio_ld8zx))
        return;
    CHECK(p.guest_mem.reg == 1, "reg %u", p.guest_mem.reg);
    if (!get_regs(t.v, &s))
        return;
    CHECK(s.rip == GADDR(tg_mmio, tg_mmio_ld32), "rip 0x%llx at the load packet",
          (unsigned long long)s.rip);
    s.rcx = 0xcafef00d;
    s.rip += p.guest_mem.inst_len;
    if (!set_regs(t.v, &s))
        return;
    if (!resume(t.v, &p) || !EXPECT_MEM(&p, MMIO_GPA + 0x30, 1, false, 2, HV_MEM_ZERO_EXTEND, 0,
                                        tg_mmio_ld8zx, tg_mmio_st8))
        return;
    if (!get_regs(t.v, &s))
        return;
    s.rdx = 0xa5;
    s.rip += p.guest_mem.inst_len;
    if (!set_regs(t.v, &s))
        return;
    /* The stored byte is the loaded one: the write_state took effect. */
    if (!resume(t.v, &p) || !EXPECT_MEM(&p, MMIO_GPA + 0x31, 1, true, 2, 0, 0xa5,
                                        tg_mmio_st8, tg_mmio_st8 + 6))
        return;
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_mmio, tg_mmio_after)))
        return;
    if (get_regs(t.v, &s))
        CHECK((uint32_t)s.rcx == 0xcafef00d && (uint32_t)s.rdx == 0xa5, "ecx 0x%x edx 0x%x",
              (uint32_t)s.rcx, (uint32_t)s.rdx);
}

/* Port I/O and MMIO outside every trap: HV_PKT_VCPU_EXIT, nothing completed. */
static void t_vcpu_untrapped(void)
{
    struct tvm t;
    struct hv_packet p;
    struct hv_vcpu_state s;
    if (!tvm_new(&t, CODE(tg_out_untrapped)) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_IO, 0x81, 1, 0, 0), HV_OK))
        return;
    if (!resume(t.v, &p) || !EXPECT_EXIT(&p, EXIT_REASON_IO, CODE_GPA, 0))
        return;
    CHECK((p.vcpu_exit.qualification >> 16 & 0xffff) == 0x80 &&
          !(p.vcpu_exit.qualification & 8), "qualification 0x%llx: not OUT to port 0x80",
          (unsigned long long)p.vcpu_exit.qualification);
    /* The VMM skips the instruction itself. */
    if (!get_regs(t.v, &s))
        return;
    s.rip = GADDR(tg_out_untrapped, tg_out_untrapped_next);
    if (set_regs(t.v, &s) && resume(t.v, &p))
        EXPECT_HALT(&p, GADDR(tg_out_untrapped, tg_out_untrapped_after));

    struct tvm u;
    if (!tvm_new(&u, CODE(tg_mmio_untrapped)) ||
        !EXPECT(hv_guest_set_trap(u.g, HV_TRAP_MEM, 0xfec01000, 0x1000, 0, 0), HV_OK))
        return;
    if (resume(u.v, &p))
        EXPECT_EXIT(&p, EXIT_REASON_EPT_VIOLATION, CODE_GPA, 0xfec00000);
}

/* A guest with no memory at all: the first fetch is an EPT violation. */
static void t_vcpu_empty_guest(void)
{
    hv_handle_t g = new_guest(), v;
    if (!g || !EXPECT(hv_vcpu_create(g, 0, 0x3000, &v), HV_OK))
        return;
    track(v);
    struct hv_packet p;
    if (resume(v, &p) && EXPECT_EXIT(&p, EXIT_REASON_EPT_VIOLATION, 0x3000, 0x3000))
        CHECK(p.vcpu_exit.qualification & 4, "qualification 0x%llx: not a fetch",
              (unsigned long long)p.vcpu_exit.qualification);
    /* Again: the same exit, the guest did not move. */
    if (resume(v, &p))
        EXPECT_EXIT(&p, EXIT_REASON_EPT_VIOLATION, 0x3000, 0x3000);
}

static void t_vcpu_triple_fault(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_ud)))
        return;
    struct hv_packet p;
    if (resume(t.v, &p))
        CHECK(p.type == HV_PKT_GUEST_VCPU && p.guest_vcpu.kind == HV_VCPU_SHUTDOWN,
              "packet type %u kind %u, expected GUEST_VCPU SHUTDOWN", p.type,
              p.guest_vcpu.kind);
}

static void t_vcpu_interrupt(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_irq)) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_IO, 0xe9, 1, 0, 9), HV_OK))
        return;
    set_gate(&t, 0x40, GADDR(tg_irq, tg_irq_handler));
    struct hv_packet p;
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_irq, tg_irq_after_hlt)))
        return;
    if (!EXPECT(hv_vcpu_interrupt(t.v, 0x40), HV_OK))
        return;
    if (!resume(t.v, &p) || !EXPECT_IO(&p, 0xe9, 1, false, 'I', 9))
        return;
    if (!resume(t.v, &p) || !EXPECT_IO(&p, 0xe9, 1, false, 'D', 9))
        return;
    if (resume(t.v, &p))
        EXPECT_HALT(&p, GADDR(tg_irq, tg_irq_handler));
}

static void t_vcpu_interrupt_range(void)
{
    hv_handle_t g = new_guest(), v;
    if (!g || !EXPECT(hv_vcpu_create(g, 0, CODE_GPA, &v), HV_OK))
        return;
    track(v);
    EXPECT(hv_vcpu_interrupt(v, 0), HV_ERR_OUT_OF_RANGE);
    EXPECT(hv_vcpu_interrupt(v, 2), HV_ERR_OUT_OF_RANGE);
    EXPECT(hv_vcpu_interrupt(v, 15), HV_ERR_OUT_OF_RANGE);
    /* 256 is delivery mode 1; the rest have bits no delivery uses (vcpu_events.c has all). */
    EXPECT(hv_vcpu_interrupt(v, 256), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_interrupt(v, 0xffffffffu), HV_ERR_INVALID_ARGS);
    EXPECT(hv_syscall6(HV_SYS_VCPU_INTERRUPT, v, ((long)1 << 32) | 0x40, 0, 0, 0, 0),
           HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_interrupt(v, 16), HV_OK);
    EXPECT(hv_vcpu_interrupt(v, 255), HV_OK);
}

/* kick, then resume: HV_ERR_CANCELED (before or after the guest ran a little); the next
 * resume runs on normally. */
static void t_vcpu_kick(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_spin)))
        return;
    struct hv_packet p;
    struct hv_vcpu_state s;
    if (!EXPECT(hv_vcpu_kick(t.v), HV_OK) || !EXPECT(hv_vcpu_resume(t.v, &p, HV_TIME_INFINITE), HV_ERR_CANCELED))
        return;
    if (!get_regs(t.v, &s))
        return;
    CHECK(s.rip >= CODE_GPA && s.rip < GADDR(tg_spin, tg_spin_after),
          "after the kick: rip 0x%llx esi %llu", (unsigned long long)s.rip,
          (unsigned long long)s.rsi);
    if (resume(t.v, &p) && EXPECT_HALT(&p, GADDR(tg_spin, tg_spin_after)) && get_regs(t.v, &s))
        CHECK(s.rsi == 0, "esi %llu after the loop", (unsigned long long)s.rsi);
}

/*
 * The header: "the current or next resume returns HV_ERR_CANCELED" - also when the
 * guest's first exit is one that goes to the VMM (HLT here).
 */
static void t_vcpu_kick_before_exit(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_hlt)))
        return;
    struct hv_packet p;
    if (!EXPECT(hv_vcpu_kick(t.v), HV_OK))
        return;
    hv_status_t rc = hv_vcpu_resume(t.v, &p, HV_TIME_INFINITE);
    if (rc == HV_OK)
        failf(__LINE__, "resume after kick returned HV_OK with packet type %u (kind %u, "
              "rip 0x%llx), expected HV_ERR_CANCELED", p.type, p.guest_vcpu.kind,
              (unsigned long long)p.guest_vcpu.rip);
    else if (EXPECT(rc, HV_ERR_CANCELED) && resume(t.v, &p))
        EXPECT_HALT(&p, GADDR(tg_hlt, tg_hlt_after));
}

static void t_vcpu_state(void)
{
    static const struct hv_vcpu_state ro_state = {
        .rax = 0x1111, .rcx = 0x2222, .rdx = 0x3333, .rbx = 0x4444, .rsp = 0x5555,
        .rbp = 0x6666, .rsi = 0x7777, .rdi = 0x8888, .r8 = 0x0808080808080808ull,
        .r9 = 9, .r10 = 10, .r11 = 11, .r12 = 12, .r13 = 13, .r14 = 14,
        .r15 = 0xf15f15f15f15f15full, .rip = 0x9abc, .rflags = 0x202 | 0xcd5,
    };
    hv_handle_t g = new_guest(), v;
    if (!g || !EXPECT(hv_vcpu_create(g, 0, CODE_GPA, &v), HV_OK))
        return;
    track(v);
    /* From read-only memory (.rodata): write_state only reads the buffer. */
    if (!EXPECT(hv_vcpu_write_state(v, HV_VCPU_STATE, &ro_state, sizeof(ro_state)), HV_OK))
        return;
    struct hv_vcpu_state s;
    memset(&s, 0, sizeof(s));
    if (get_regs(v, &s))
        CHECK(!memcmp(&s, &ro_state, sizeof(s)), "read back differs: rax 0x%llx rsp 0x%llx "
              "r15 0x%llx rip 0x%llx rflags 0x%llx", (unsigned long long)s.rax,
              (unsigned long long)s.rsp, (unsigned long long)s.r15, (unsigned long long)s.rip,
              (unsigned long long)s.rflags);
    /* Into the last bytes of a mapping, exactly. */
    uint64_t at = scratch + SCRATCH_SIZE - sizeof(s);
    EXPECT(hv_vcpu_read_state(v, HV_VCPU_STATE, P(at), sizeof(s)), HV_OK);
    CHECK(!memcmp(P(at), &ro_state, sizeof(s)), "read_state to the end of a mapping differs");
}

static void t_vcpu_state_errors(void)
{
    hv_handle_t g = new_guest(), v;
    if (!g || !EXPECT(hv_vcpu_create(g, 0, CODE_GPA, &v), HV_OK))
        return;
    track(v);
    struct hv_vcpu_state s;
    if (!get_regs(v, &s))
        return;
    const struct hv_vcpu_state good = s;
    EXPECT(hv_vcpu_read_state(v, HV_VCPU_IO, &s, sizeof(s)), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_read_state(v, HV_VCPU_IO, &s, sizeof(struct hv_vcpu_io)), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_read_state(v, 3, &s, sizeof(s)), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_read_state(v, 0x1000, &s, sizeof(s)), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_read_state(v, 0xffffffffu, &s, sizeof(s)), HV_ERR_INVALID_ARGS);
    EXPECT(hv_syscall6(HV_SYS_VCPU_READ_STATE, v, (long)1 << 32, (long)&s, sizeof(s), 0, 0),
           HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_read_state(v, HV_VCPU_STATE, &s, sizeof(s) - 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_read_state(v, HV_VCPU_STATE, &s, sizeof(s) + 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_read_state(v, HV_VCPU_STATE, &s, 0), HV_ERR_INVALID_ARGS);
    FOR_BAD_PTRS(b, sizeof(s), true)
        EXPECTF(hv_vcpu_read_state(v, HV_VCPU_STATE, P(b->va), sizeof(s)), HV_ERR_INVALID_ARGS,
                "hv_vcpu_read_state(buf = %s)", b->name);
    EXPECT(hv_vcpu_write_state(v, 3, &good, sizeof(good)), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_write_state(v, 0x1000, &good, sizeof(good)), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_write_state(v, HV_VCPU_STATE, &good, sizeof(good) - 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_write_state(v, HV_VCPU_STATE, &good, sizeof(good) + 8), HV_ERR_INVALID_ARGS);
    FOR_BAD_PTRS(c, sizeof(s), false)
        EXPECTF(hv_vcpu_write_state(v, HV_VCPU_STATE, P(c->va), sizeof(s)), HV_ERR_INVALID_ARGS,
                "hv_vcpu_write_state(buf = %s)", c->name);
    /* RFLAGS: bit 1 set, reserved bits 3, 5, 15, 22+ clear, no virtual-8086 mode. */
    static const uint64_t bad_flags[] = { 0, 0x200, 0x2 | 1u << 3, 0x2 | 1u << 5,
                                          0x2 | 1u << 15, 0x2 | 1u << 17, 0x2 | 1u << 22,
                                          0x2 | 1ull << 63 };
    for (unsigned i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
        s = good;
        s.rflags = bad_flags[i];
        EXPECTF(hv_vcpu_write_state(v, HV_VCPU_STATE, &s, sizeof(s)), HV_ERR_INVALID_ARGS,
                "write_state(rflags 0x%llx)", (unsigned long long)bad_flags[i]);
    }
    /* None of the refused writes changed anything. */
    if (get_regs(v, &s))
        CHECK(!memcmp(&s, &good, sizeof(s)), "state changed by refused writes (rip 0x%llx "
              "rflags 0x%llx)", (unsigned long long)s.rip, (unsigned long long)s.rflags);
}

static void t_vcpu_write_io_errors(void)
{
    hv_handle_t g = new_guest(), v;
    if (!g || !EXPECT(hv_vcpu_create(g, 0, CODE_GPA, &v), HV_OK))
        return;
    track(v);
    struct hv_vcpu_io io = { .access_size = 1, .data = 0 };
    EXPECT(hv_vcpu_write_state(v, HV_VCPU_IO, &io, sizeof(io)), HV_ERR_BAD_STATE);
    EXPECT(hv_vcpu_write_state(v, HV_VCPU_IO, &io, sizeof(io) - 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_write_state(v, HV_VCPU_IO, &io, sizeof(io) + 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_write_state(v, HV_VCPU_IO, &io, 0), HV_ERR_INVALID_ARGS);
    static const uint8_t sizes[] = { 0, 3, 5, 8, 255 };
    for (unsigned i = 0; i < sizeof(sizes); i++) {
        io.access_size = sizes[i];
        EXPECTF(hv_vcpu_write_state(v, HV_VCPU_IO, &io, sizeof(io)), HV_ERR_INVALID_ARGS,
                "write_state(IO, access_size %u)", sizes[i]);
    }
    FOR_BAD_PTRS(b, sizeof(io), false)
        EXPECTF(hv_vcpu_write_state(v, HV_VCPU_IO, P(b->va), sizeof(io)), HV_ERR_INVALID_ARGS,
                "hv_vcpu_write_state(IO, buf = %s)", b->name);
}

static void t_vcpu_resume_bad_packet(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_hlt)))
        return;
    FOR_BAD_PTRS(b, sizeof(struct hv_packet), true)
        EXPECTF(hv_vcpu_resume(t.v, P(b->va), HV_TIME_INFINITE), HV_ERR_INVALID_ARGS,
                "hv_vcpu_resume(packet = %s)", b->name);
    /* The guest did not run for any of them: it halts at its first HLT now. */
    struct hv_packet p;
    if (resume(t.v, &p))
        EXPECT_HALT(&p, GADDR(tg_hlt, tg_hlt_after));
    /* A packet in the last 64 bytes of a mapping is fine. */
    struct hv_packet *end = P(scratch + SCRATCH_SIZE - sizeof(struct hv_packet));
    if (EXPECT(hv_vcpu_resume(t.v, end, HV_TIME_INFINITE), HV_OK))
        CHECK(end->type == HV_PKT_GUEST_VCPU && end->guest_vcpu.kind == HV_VCPU_HALT,
              "packet type %u", end->type);
    /* A packet page that was fine a moment ago and is gone now (no stale translation). */
    uint64_t page = 0;
    if (!EXPECT(hv_mem_map(0x1000, HV_MEM_READ | HV_MEM_WRITE, &page), HV_OK))
        return;
    struct hv_vcpu_state s;
    if (get_regs(t.v, &s)) {
        s.rip = CODE_GPA;                   /* halt again at the first HLT */
        set_regs(t.v, &s);
    }
    EXPECT(hv_vcpu_resume(t.v, P(page), HV_TIME_INFINITE), HV_OK);
    EXPECT(hv_mem_unmap(page, 0x1000), HV_OK);
    EXPECT(hv_vcpu_resume(t.v, P(page), HV_TIME_INFINITE), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_read_state(t.v, HV_VCPU_STATE, P(page), sizeof(s)), HV_ERR_INVALID_ARGS);
}

/* Each vCPU call without the right it needs; with only that right it works. */
static void t_vcpu_rights(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_hlt)))
        return;
    const hv_rights_t all = HV_RIGHTS_ALL;
    hv_handle_t nx = dup(t.v, all & ~HV_RIGHT_EXECUTE), ns = dup(t.v, all & ~HV_RIGHT_SIGNAL);
    hv_handle_t nr = dup(t.v, all & ~HV_RIGHT_READ), nw = dup(t.v, all & ~HV_RIGHT_WRITE);
    hv_handle_t ox = dup(t.v, HV_RIGHT_EXECUTE), os = dup(t.v, HV_RIGHT_SIGNAL);
    hv_handle_t orr = dup(t.v, HV_RIGHT_READ), ow = dup(t.v, HV_RIGHT_WRITE);
    if (!nx || !ns || !nr || !nw || !ox || !os || !orr || !ow)
        return;
    struct hv_packet p;
    struct hv_vcpu_state s;
    struct hv_vcpu_io io = { .access_size = 1 };
    EXPECT(hv_vcpu_resume(nx, &p, HV_TIME_INFINITE), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_vcpu_kick(ns), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_vcpu_interrupt(ns, 0x40), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_vcpu_read_state(nr, HV_VCPU_STATE, &s, sizeof(s)), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_vcpu_write_state(nw, HV_VCPU_STATE, &s, sizeof(s)), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_vcpu_write_state(nw, HV_VCPU_IO, &io, sizeof(io)), HV_ERR_ACCESS_DENIED);
    /* Each right alone suffices for its call. */
    if (EXPECT(hv_vcpu_read_state(orr, HV_VCPU_STATE, &s, sizeof(s)), HV_OK))
        EXPECT(hv_vcpu_write_state(ow, HV_VCPU_STATE, &s, sizeof(s)), HV_OK);
    EXPECT(hv_vcpu_read_state(ow, HV_VCPU_STATE, &s, sizeof(s)), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_vcpu_resume(orr, &p, HV_TIME_INFINITE), HV_ERR_ACCESS_DENIED);
    EXPECT(hv_vcpu_kick(ox), HV_ERR_ACCESS_DENIED);
    if (EXPECT(hv_vcpu_resume(ox, &p, HV_TIME_INFINITE), HV_OK))
        EXPECT_HALT(&p, GADDR(tg_hlt, tg_hlt_after));
    EXPECT(hv_vcpu_interrupt(os, 0x40), HV_OK);
}

static void t_vcpu_handle_errors(void)
{
    hv_handle_t g = new_guest();
    if (!g)
        return;
    struct hv_packet p;
    struct hv_vcpu_state s;
    struct hv_vcpu_io io = { .access_size = 1 };
    EXPECT(hv_vcpu_resume(g, &p, HV_TIME_INFINITE), HV_ERR_WRONG_TYPE);
    EXPECT(hv_vcpu_kick(g), HV_ERR_WRONG_TYPE);
    EXPECT(hv_vcpu_interrupt(g, 0x40), HV_ERR_WRONG_TYPE);
    EXPECT(hv_vcpu_read_state(g, HV_VCPU_STATE, &s, sizeof(s)), HV_ERR_WRONG_TYPE);
    EXPECT(hv_vcpu_write_state(g, HV_VCPU_IO, &io, sizeof(io)), HV_ERR_WRONG_TYPE);
    static const hv_handle_t bad[] = { HV_HANDLE_INVALID, 0xffffffffu, 0xfffff000u | 5 };
    for (unsigned i = 0; i < 3; i++) {
        EXPECTF(hv_vcpu_resume(bad[i], &p, HV_TIME_INFINITE), HV_ERR_BAD_HANDLE, "resume(0x%x)", bad[i]);
        EXPECTF(hv_vcpu_kick(bad[i]), HV_ERR_BAD_HANDLE, "kick(0x%x)", bad[i]);
        EXPECTF(hv_vcpu_interrupt(bad[i], 0x40), HV_ERR_BAD_HANDLE, "interrupt(0x%x)", bad[i]);
        EXPECTF(hv_vcpu_read_state(bad[i], HV_VCPU_STATE, &s, sizeof(s)), HV_ERR_BAD_HANDLE,
                "read_state(0x%x)", bad[i]);
        EXPECTF(hv_vcpu_write_state(bad[i], HV_VCPU_IO, &io, sizeof(io)), HV_ERR_BAD_HANDLE,
                "write_state(0x%x)", bad[i]);
    }
    EXPECT(hv_syscall6(HV_SYS_VCPU_RESUME, (long)1 << 32, (long)&p, 0, 0, 0, 0),
           HV_ERR_BAD_HANDLE);
}

/*
 * The guest's SYSCALL MSRs and KERNEL_GS_BASE are its own: after it wrote junk into
 * them (and turned EFER.SCE on, so the kernel loads them into the CPU while it runs),
 * the root task's hypercalls still work, and the guest reads back its values.
 */
static void t_vcpu_msr_isolation(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_msr)))
        return;
    struct hv_packet p;
    struct hv_vcpu_state s;
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_msr, tg_msr_second)))
        return;
    /* Each of these is a SYSCALL: LSTAR, STAR or FMASK left at the guest's values would
     * have ended the machine here. */
    EXPECT(hv_null(), HV_OK);
    if (get_regs(t.v, &s))
        CHECK(s.rsi == 0x12345000 && s.rdi == 0x7fff, "guest read LSTAR back as 0x%llx:%llx",
              (unsigned long long)s.rdi, (unsigned long long)s.rsi);
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_msr, tg_msr_after)))
        return;
    EXPECT(hv_null(), HV_OK);
    if (get_regs(t.v, &s))
        CHECK((uint32_t)s.rbx == 0xabcd0000 && (uint32_t)s.rbp == 0x00330028,
              "guest read KERNEL_GS_BASE 0x%x (want 0xabcd0000), STAR[63:32] 0x%x "
              "(want 0x330028)", (uint32_t)s.rbx, (uint32_t)s.rbp);
}

/* HV_VCPU_SREGS: the start state reads back as documented, writes take effect. */
static void t_vcpu_sregs(void)
{
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_irq)) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_IO, 0xe9, 1, 0, 9), HV_OK))
        return;
    struct hv_vcpu_sregs sr;
    memset(&sr, 0xcc, sizeof(sr));
    if (!EXPECT(hv_vcpu_read_state(t.v, HV_VCPU_SREGS, &sr, sizeof(sr)), HV_OK))
        return;
    /* The Multiboot machine state: flat 32-bit protected mode, paging off. */
    CHECK(sr.cs.selector == 0x08 && sr.cs.base == 0 && sr.cs.limit == 0xffffffffu &&
          (sr.cs.ar & 0x1f0ff) == 0xc09b, "cs sel 0x%x base 0x%llx limit 0x%x ar 0x%x",
          sr.cs.selector, (unsigned long long)sr.cs.base, sr.cs.limit, sr.cs.ar);
    CHECK(sr.ds.selector == 0x10 && sr.ss.selector == 0x10 && sr.es.selector == 0x10 &&
          (sr.ds.ar & 0x1f0ff) == 0xc093, "ds sel 0x%x ar 0x%x ss 0x%x es 0x%x",
          sr.ds.selector, sr.ds.ar, sr.ss.selector, sr.es.selector);
    CHECK((sr.cr0 & 1) && !(sr.cr0 & 0x80000000u) && !(sr.cr4 & (1u << 13)) && sr.efer == 0,
          "cr0 0x%llx cr4 0x%llx efer 0x%llx", (unsigned long long)sr.cr0,
          (unsigned long long)sr.cr4, (unsigned long long)sr.efer);
    CHECK(sr.idt.limit == 0, "idt limit 0x%x", sr.idt.limit);
    /* GDTR and IDTR from the VMM instead of lgdt/lidt: the guest starts at its sti. */
    sr.gdt.base = GDT_GPA, sr.gdt.limit = 31;
    sr.idt.base = IDT_GPA, sr.idt.limit = 0x40 * 8 + 7;
    sr.cr2 = 0x5a5a000;
    if (!EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_SREGS, &sr, sizeof(sr)), HV_OK))
        return;
    struct hv_vcpu_sregs back;
    if (EXPECT(hv_vcpu_read_state(t.v, HV_VCPU_SREGS, &back, sizeof(back)), HV_OK))
        CHECK(back.gdt.base == GDT_GPA && back.gdt.limit == 31 && back.idt.base == IDT_GPA &&
              back.idt.limit == 0x207 && back.cr2 == 0x5a5a000 && back.cr0 == sr.cr0 &&
              back.cs.selector == 0x08, "read back: gdt 0x%llx/0x%x idt 0x%llx/0x%x cr2 0x%llx "
              "cr0 0x%llx", (unsigned long long)back.gdt.base, back.gdt.limit,
              (unsigned long long)back.idt.base, back.idt.limit, (unsigned long long)back.cr2,
              (unsigned long long)back.cr0);
    struct hv_vcpu_state s;
    if (!get_regs(t.v, &s))
        return;
    s.rip = GADDR(tg_irq, tg_irq_sti);
    if (!set_regs(t.v, &s))
        return;
    set_gate(&t, 0x40, GADDR(tg_irq, tg_irq_handler));
    struct hv_packet p;
    if (!resume(t.v, &p) || !EXPECT_HALT(&p, GADDR(tg_irq, tg_irq_after_hlt)) ||
        !EXPECT(hv_vcpu_interrupt(t.v, 0x40), HV_OK))
        return;
    if (resume(t.v, &p))
        EXPECT_IO(&p, 0xe9, 1, false, 'I', 9);
}

static void t_vcpu_sregs_errors(void)
{
    hv_handle_t g = new_guest(), v;
    if (!g || !EXPECT(hv_vcpu_create(g, 0, CODE_GPA, &v), HV_OK))
        return;
    track(v);
    struct hv_vcpu_sregs sr, good;
    if (!EXPECT(hv_vcpu_read_state(v, HV_VCPU_SREGS, &good, sizeof(good)), HV_OK))
        return;
    EXPECT(hv_vcpu_read_state(v, HV_VCPU_SREGS, &sr, sizeof(sr) - 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_read_state(v, HV_VCPU_SREGS, &sr, sizeof(sr) + 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_read_state(v, HV_VCPU_SREGS, &sr, sizeof(struct hv_vcpu_state)),
           HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_write_state(v, HV_VCPU_SREGS, &good, sizeof(good) - 1), HV_ERR_INVALID_ARGS);
    EXPECT(hv_vcpu_write_state(v, HV_VCPU_SREGS, &good, sizeof(good) + 8), HV_ERR_INVALID_ARGS);
    FOR_BAD_PTRS(b, sizeof(sr), true)
        EXPECTF(hv_vcpu_read_state(v, HV_VCPU_SREGS, P(b->va), sizeof(sr)), HV_ERR_INVALID_ARGS,
                "read_state(SREGS, buf = %s)", b->name);
    FOR_BAD_PTRS(c, sizeof(sr), false)
        EXPECTF(hv_vcpu_write_state(v, HV_VCPU_SREGS, P(c->va), sizeof(sr)), HV_ERR_INVALID_ARGS,
                "write_state(SREGS, buf = %s)", c->name);
    static const struct { const char *what; unsigned field; uint64_t bit; } bad[] = {
        { "cr4.VMXE", 0, 1ull << 13 }, { "cr4 bit 63", 0, 1ull << 63 },
        { "efer bit 1", 1, 1ull << 1 }, { "efer bit 63", 1, 1ull << 63 },
        { "cr0 bit 32", 2, 1ull << 32 },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sr = good;
        uint64_t *f = bad[i].field == 0 ? &sr.cr4 : bad[i].field == 1 ? &sr.efer : &sr.cr0;
        *f |= bad[i].bit;
        EXPECTF(hv_vcpu_write_state(v, HV_VCPU_SREGS, &sr, sizeof(sr)), HV_ERR_INVALID_ARGS,
                "write_state(SREGS) with %s", bad[i].what);
    }
    if (EXPECT(hv_vcpu_read_state(v, HV_VCPU_SREGS, &sr, sizeof(sr)), HV_OK))
        CHECK(!memcmp(&sr, &good, sizeof(sr)), "refused SREGS writes changed the state");
    /* A state the CPU refuses (CR0.PG without PE): a failed VM entry comes back. */
    sr = good;
    sr.cr0 = (sr.cr0 & ~1ull) | 0x80000000u;
    struct hv_packet p;
    if (EXPECT(hv_vcpu_write_state(v, HV_VCPU_SREGS, &sr, sizeof(sr)), HV_OK) && resume(v, &p))
        CHECK(p.type == HV_PKT_VCPU_EXIT && (p.vcpu_exit.reason & 0x80000000u),
              "packet type %u reason 0x%x, expected VCPU_EXIT of a failed entry", p.type,
              p.vcpu_exit.reason);
}

/* ---- anonymous memory ---------------------------------------------------------------------- */

static void t_mem_map(void)
{
    uint64_t free0 = tests_free_bytes();
    uint64_t a = 0, b = 0;
    if (!EXPECT(hv_mem_map(0x3000, HV_MEM_READ | HV_MEM_WRITE, &a), HV_OK))
        return;
    CHECK(a && !(a & 0xfff), "va 0x%llx", (unsigned long long)a);
    volatile uint8_t *m = P(a);
    CHECK(m[0] == 0 && m[0x2fff] == 0, "not zeroed");
    m[0] = 1, m[0x2fff] = 2;
    CHECK(m[0] == 1 && m[0x2fff] == 2, "not writable");
    if (EXPECT(hv_mem_map(0x1000, HV_MEM_READ, &b), HV_OK)) {
        CHECK(b != a && ((volatile uint8_t *)P(b))[0x800] == 0, "read-only page 0x%llx",
              (unsigned long long)b);
        EXPECT(hv_mem_unmap(b, 0x1000), HV_OK);
    }
    /* 2 MiB and more: 2 MiB-aligned. */
    uint64_t c = 0;
    if (EXPECT(hv_mem_map(2ull << 20, HV_MEM_READ | HV_MEM_WRITE, &c), HV_OK)) {
        CHECK(!(c & ((2ull << 20) - 1)), "2 MiB region at 0x%llx", (unsigned long long)c);
        EXPECT(hv_mem_unmap(c, 2ull << 20), HV_OK);
    }
    EXPECT(hv_mem_unmap(a, 0x3000), HV_OK);
    EXPECT(hv_mem_unmap(a, 0x3000), HV_ERR_INVALID_ARGS);     /* gone */
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

static void t_mem_map_errors(void)
{
    uint64_t free0 = tests_free_bytes();
    uint64_t va;
    const uint32_t rw = HV_MEM_READ | HV_MEM_WRITE;
    EXPECT(hv_mem_map(0, rw, &va), HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_map(0xfff, rw, &va), HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_map(0x1001, rw, &va), HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_map(0x1000, 0, &va), HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_map(0x1000, HV_MEM_WRITE, &va), HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_map(0x1000, rw | 4, &va), HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_map(0x1000, 0x80000001u, &va), HV_ERR_INVALID_ARGS);
    EXPECT(hv_syscall6(HV_SYS_MEM_MAP, 0x1000, ((long)1 << 32) | HV_MEM_READ, (long)&va, 0, 0, 0),
           HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_map(1ull << 46, rw, &va), HV_ERR_INVALID_ARGS);    /* more than the range */
    EXPECT(hv_mem_map(~0ull & ~0xfffull, rw, &va), HV_ERR_INVALID_ARGS);
    FOR_BAD_PTRS(b, sizeof(uint64_t), true)
        EXPECTF(hv_mem_map(0x1000, rw, P(b->va)), HV_ERR_INVALID_ARGS, "hv_mem_map(out = %s)",
                b->name);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

/* More than the machine has: HV_ERR_NO_MEMORY, and every frame comes back. */
static void t_mem_map_no_memory(void)
{
    uint64_t free0 = tests_free_bytes(), va = 0;
    struct hv_system_info info;
    if (!EXPECT(hv_system_info(&info, sizeof(info)), HV_OK))
        return;
    uint64_t len = (info.memory_bytes + (4ull << 20)) & ~0xfffull;
    if (EXPECT(hv_mem_map(len, HV_MEM_READ | HV_MEM_WRITE, &va), HV_ERR_NO_MEMORY) == false)
        hv_mem_unmap(va, len);
    /* Still usable afterwards. */
    if (EXPECT(hv_mem_map(0x1000, HV_MEM_READ | HV_MEM_WRITE, &va), HV_OK))
        EXPECT(hv_mem_unmap(va, 0x1000), HV_OK);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

static void t_mem_unmap_errors(void)
{
    uint64_t a = mem(0x3000, HV_MEM_READ | HV_MEM_WRITE);
    if (!a)
        return;
    EXPECT(hv_mem_unmap(a, 0x2000), HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_unmap(a + 0x1000, 0x2000), HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_unmap(a, 0x4000), HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_unmap(a, 0), HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_unmap(a + 1, 0x3000), HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_unmap(0, 0x3000), HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_unmap(ro_va & ~0xfffull, 0x1000), HV_ERR_INVALID_ARGS);   /* a module */
    EXPECT(hv_mem_unmap(0x8000000000ull, 0x1000), HV_ERR_INVALID_ARGS);     /* our own text */
    EXPECT(hv_mem_unmap(0x200000, 0x1000), HV_ERR_INVALID_ARGS);
    EXPECT(hv_mem_unmap(0xdead000000000000ull, 0x1000), HV_ERR_INVALID_ARGS);
    volatile uint8_t *m = P(a);
    m[0x2fff] = 7;
    CHECK(m[0x2fff] == 7, "region damaged by refused unmaps");
    unmap(a, 0x3000);
}

/* mem_unmap refuses memory a guest maps, until every guest mapping of it is gone. */
static void t_mem_unmap_guest_mapped(void)
{
    uint64_t a = mem(0x4000, HV_MEM_READ | HV_MEM_WRITE);
    hv_handle_t g = new_guest(), h = new_guest();
    if (!a || !g || !h)
        return;
    EXPECT(hv_guest_map(g, 0, a, 0x4000, RW), HV_OK);
    EXPECT(hv_guest_map(g, 0x100000, a + 0x1000, 0x1000, R), HV_OK);
    EXPECT(hv_guest_map(h, 0, a + 0x3000, 0x1000, R), HV_OK);
    EXPECT(hv_mem_unmap(a, 0x4000), HV_ERR_BAD_STATE);
    /* A hole in the middle (the mapping splits in two): still mapped. */
    EXPECT(hv_guest_unmap(g, 0x1000, 0x1000), HV_OK);
    EXPECT(hv_mem_unmap(a, 0x4000), HV_ERR_BAD_STATE);
    EXPECT(hv_guest_unmap(g, 0, 0x1000), HV_OK);
    EXPECT(hv_guest_unmap(g, 0x2000, 0x2000), HV_OK);
    EXPECT(hv_mem_unmap(a, 0x4000), HV_ERR_BAD_STATE);     /* 0x100000 and guest h */
    EXPECT(hv_guest_unmap(g, 0x100000, 0x1000), HV_OK);
    EXPECT(hv_mem_unmap(a, 0x4000), HV_ERR_BAD_STATE);     /* guest h */
    /* Closing the guest drops its mappings. */
    EXPECT(hv_handle_close(h), HV_OK);
    unmap(a, 0x4000);
}

/* ---- out of memory -------------------------------------------------------------------------- */

/*
 * Using up every free frame: mem_map regions sized from the free count, then
 * frame by frame: one EPT page table per fresh 2 MiB window of a hog guest, or a
 * one-page region. hog_release_one() gives back about one frame at a time.
 */
#define MAX_HOGS 160
static uint64_t hog_va[MAX_HOGS], hog_len[MAX_HOGS];
static unsigned n_hogs, hog_windows;
static hv_handle_t hog_guest;
static uint64_t hog_page;

bool hog_all(void)
{
    n_hogs = hog_windows = 0;
    if (!EXPECT(hv_guest_create(0, &hog_guest), HV_OK) ||
        !EXPECT(hv_mem_map(0x1000, HV_MEM_READ, &hog_page), HV_OK))
        return false;
    /* Sized from the free count (a refused mem_map costs as much as a granted one: it
     * takes and zeroes every frame before giving up), leaving room for page tables. */
    for (unsigned tries = 0; tries < 64 && n_hogs < MAX_HOGS / 2; tries++) {
        uint64_t frames = tests_free_bytes() >> 12, va;
        if (frames < 64)
            break;
        uint64_t pages = frames - frames / 256 - 16;
        if (pages > 16384)
            pages = 16384;
        if (hv_mem_map(pages << 12, HV_MEM_READ, &va) == HV_OK)
            hog_va[n_hogs] = va, hog_len[n_hogs++] = pages << 12;
    }
    /* The last frames one by one: a page table per fresh 2 MiB window of the hog guest
     * (windows 1..511 of its first GiB), or a one-page region. */
    for (bool progress = true; progress;) {
        uint64_t va;
        progress = false;
        if (hog_windows + 1 < 512 && hv_guest_map(hog_guest, (uint64_t)(hog_windows + 1) << 21,
                                                  hog_page, 0x1000, R) == HV_OK)
            hog_windows++, progress = true;
        if (n_hogs < MAX_HOGS && hv_mem_map(0x1000, HV_MEM_READ, &va) == HV_OK)
            hog_va[n_hogs] = va, hog_len[n_hogs++] = 0x1000, progress = true;
    }
    return true;
}

/* Give back about one frame. */
static void hog_release_one(void)
{
    if (hog_windows) {
        hv_guest_unmap(hog_guest, (uint64_t)hog_windows << 21, 0x1000);
        hog_windows--;
    } else if (n_hogs) {
        n_hogs--;
        hv_mem_unmap(hog_va[n_hogs], hog_len[n_hogs]);
    }
}

/* Take about one frame: a page table for one more window of the hog guest. */
static bool hog_take_one(void)
{
    if (hog_windows + 1 >= 512 ||
        hv_guest_map(hog_guest, (uint64_t)(hog_windows + 1) << 21, hog_page, 0x1000, R) != HV_OK)
        return false;
    hog_windows++;
    return true;
}

/* Exactly `frames` free frames, by taking and giving back single tables; false if the
 * counts never met. */
bool hog_set_free(uint64_t frames)
{
    for (unsigned tries = 0; tries < 64; tries++) {
        uint64_t now = tests_free_bytes() >> 12;
        if (now == frames)
            return true;
        if (now > frames) {
            if (!hog_take_one())
                return false;
        } else {
            hog_release_one();
        }
    }
    return false;
}

void hog_release(void)
{
    hv_handle_close(hog_guest);
    for (unsigned i = 0; i < n_hogs; i++)
        hv_mem_unmap(hog_va[i], hog_len[i]);
    hv_mem_unmap(hog_page, 0x1000);
    n_hogs = hog_windows = 0;
}

/*
 * With 0, 1, 2, ... free frames: every allocating call either works or says
 * HV_ERR_NO_MEMORY (vcpu_create: NO_RESOURCES is only for VPIDs and handles),
 * and a failed call gives back whatever it took.
 */
static void t_low_memory(void)
{
    uint64_t free0 = tests_free_bytes();
    hv_handle_t g = new_guest();
    uint64_t page = mem(0x1000, HV_MEM_READ | HV_MEM_WRITE);
    if (!g || !page || !hog_all())
        return;
    uint64_t start_free = tests_free_bytes();
    unsigned steps = 0, ok_seen = 0;
    for (unsigned step = 0; step < 24; step++) {
        if (!hog_set_free(step))
            continue;                       /* that exact count was not reachable */
        uint64_t f = tests_free_bytes(), frames = f >> 12;
        hv_handle_t x;
        uint64_t va;
        hv_status_t rc = hv_guest_create(0, &x);
        if (rc == HV_OK)
            ok_seen++, hv_handle_close(x);
        else
            EXPECTF(rc, HV_ERR_NO_MEMORY, "guest_create with %llu free frames",
                    (unsigned long long)frames);
        CHECK(tests_free_bytes() == f, "guest_create (%s) with %llu free frames: %llu after",
              hv_status_name(rc), (unsigned long long)frames,
              (unsigned long long)(tests_free_bytes() >> 12));
        rc = hv_vcpu_create(g, 0, CODE_GPA, &x);
        if (rc == HV_OK)
            ok_seen++, hv_handle_close(x);
        else
            EXPECTF(rc, HV_ERR_NO_MEMORY, "vcpu_create with %llu free frames",
                    (unsigned long long)frames);
        CHECK(tests_free_bytes() == f, "vcpu_create (%s) with %llu free frames: %llu after",
              hv_status_name(rc), (unsigned long long)frames,
              (unsigned long long)(tests_free_bytes() >> 12));
        uint64_t gpa = (8ull << 30) + ((uint64_t)step << 30);   /* a fresh GiB: 2-3 tables */
        rc = hv_guest_map(g, gpa, page, 0x1000, RW);
        if (rc == HV_OK)
            ok_seen++, EXPECT(hv_guest_unmap(g, gpa, 0x1000), HV_OK);
        else
            EXPECTF(rc, HV_ERR_NO_MEMORY, "guest_map with %llu free frames",
                    (unsigned long long)frames);
        CHECK(tests_free_bytes() == f, "guest_map (%s) with %llu free frames: %llu after",
              hv_status_name(rc), (unsigned long long)frames,
              (unsigned long long)(tests_free_bytes() >> 12));
        for (uint64_t len = 0x1000; len <= 0x4000; len *= 4) {
            rc = hv_mem_map(len, HV_MEM_READ | HV_MEM_WRITE, &va);
            if (rc == HV_OK)
                ok_seen++, EXPECT(hv_mem_unmap(va, len), HV_OK);
            else
                EXPECTF(rc, HV_ERR_NO_MEMORY, "mem_map(0x%llx) with %llu free frames",
                        (unsigned long long)len, (unsigned long long)frames);
            CHECK(tests_free_bytes() == f, "mem_map(0x%llx) (%s) with %llu free frames: %llu "
                  "after", (unsigned long long)len, hv_status_name(rc),
                  (unsigned long long)frames, (unsigned long long)(tests_free_bytes() >> 12));
        }
        rc = hv_guest_set_trap(g, HV_TRAP_IO, step, 1, 0, 0);
        if (rc != HV_OK)
            EXPECTF(rc, HV_ERR_NO_MEMORY, "set_trap with %llu free frames",
                    (unsigned long long)frames);
        /* Calls that allocate nothing still work. */
        if (EXPECT(hv_handle_duplicate(g, HV_RIGHT_SAME_RIGHTS, &x), HV_OK))
            hv_handle_close(x);
        steps++;
    }
    hog_release();
    CHECK(start_free < (64u << 12), "the hog left %llu frames free",
          (unsigned long long)(start_free >> 12));
    CHECK(ok_seen > 0 && steps >= 12, "%u of 24 free-frame counts reached, %u calls "
          "succeeded, starting from %llu free frames", steps, ok_seen,
          (unsigned long long)(start_free >> 12));
    EXPECT(hv_handle_close(g), HV_OK);
    unmap(page, 0x1000);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

/*
 * guest_unmap that fails for lack of memory (a 2 MiB EPT leaf at the edge of the range
 * has to split) must leave everything as it was: in particular a region it only
 * half-unmapped must not become free for mem_unmap while the guest's EPT still maps it.
 * Set-up: region A (2 MiB, physically contiguous and aligned, found by trying every
 * 4 KiB offset and watching the table usage) mapped as one 2 MiB leaf at L, region B
 * (4 KiB) right after it at L + 2 MiB; with no free frame, unmap [L + 2 MiB - 4 KiB,
 * L + 2 MiB + 4 KiB). If mem_unmap(B) then succeeds, the guest's store to L + 2 MiB
 * must fault, not land in the freed frame.
 */
static void t_guest_unmap_no_memory(void)
{
    const uint64_t M2 = 2ull << 20, G0 = 1ull << 30, RLEN = 128ull << 20;
    uint64_t free0 = tests_free_bytes();
    uint64_t rb = mem(0x1000, HV_MEM_READ | HV_MEM_WRITE);
    hv_handle_t g = new_guest();
    if (!rb || !g)
        return;
    /*
     * mem_map backs 2 MiB-aligned regions with physically contiguous 2 MiB blocks where
     * the allocator has them, so a region mapped at a 2 MiB-aligned guest address gets
     * 2 MiB leaves. Find one by splitting it: that alone takes a table. Retry with the
     * allocator shifted a little in case memory is too fragmented.
     */
    uint64_t ra = 0, L = 0, base = G0 + M2;
    for (unsigned step = 0; step < 9 && !L; step++) {
        uint64_t big, hold;
        if (step && !EXPECT(hv_mem_map(62 << 12, HV_MEM_READ, &hold), HV_OK))
            return;
        if (step)
            track_mem(hold, 62 << 12);
        if (!EXPECT(hv_mem_map(RLEN, HV_MEM_READ | HV_MEM_WRITE, &big), HV_OK))
            return;
        track_mem(big, RLEN);
        if (!EXPECT(hv_guest_map(g, base, big, RLEN, RWX), HV_OK))
            return;
        for (uint64_t w = base; w + M2 <= base + RLEN && !L; w += M2) {
            uint64_t f = tests_free_bytes();
            EXPECT(hv_guest_unmap(g, w, 0x1000), HV_OK);
            if (tests_free_bytes() < f)
                L = w, ra = big + (w - base);
        }
        EXPECT(hv_guest_unmap(g, base, RLEN), HV_OK);
        if (!L)
            unmap(big, RLEN);
    }
    if (!L) {
        skip_reason = "no 2 MiB EPT leaf could be made (mem_map memory is not physically "
                      "contiguous and 2 MiB aligned anywhere)";
        return;
    }
    if (!EXPECT(hv_guest_map(g, L, ra, M2, RWX), HV_OK) ||
        !EXPECT(hv_guest_map(g, L + M2, rb, 0x1000, RW), HV_OK))
        return;
    /* Guest code at L: movl $0x600dd00d, (L + 2 MiB); hlt. */
    uint8_t *code = (uint8_t *)(uintptr_t)ra;
    uint32_t target = (uint32_t)(L + M2), value = 0x600dd00du;
    code[0] = 0xc7, code[1] = 0x05;
    memcpy(code + 2, &target, 4);
    memcpy(code + 6, &value, 4);
    code[10] = 0xf4;
    hv_handle_t v;
    if (!EXPECT(hv_vcpu_create(g, 0, L, &v), HV_OK))       /* before anything is freed */
        return;
    track(v);
    if (!hog_all())
        return;
    uint64_t hog_free = tests_free_bytes();
    hv_status_t rc = hv_guest_unmap(g, L + M2 - 0x1000, 0x2000);
    hog_release();
    if (rc != HV_OK && rc != HV_ERR_NO_MEMORY)
        EXPECT(rc, HV_ERR_NO_MEMORY);
    /* The guest's EPT still maps B after a NO_MEMORY: mem_unmap must refuse it. */
    hv_status_t urc = hv_mem_unmap(rb, 0x1000);
    if (rc == HV_ERR_NO_MEMORY)
        CHECK(urc == HV_ERR_BAD_STATE, "guest_unmap(L + 2 MiB - 4 KiB, 8 KiB) returned "
              "HV_ERR_NO_MEMORY with %llu free frames, then mem_unmap of the 4 KiB region "
              "mapped at L + 2 MiB returned %s, expected HV_ERR_BAD_STATE",
              (unsigned long long)(hog_free >> 12), hv_status_name(urc));
    if (urc == HV_OK) {
        /* B's frame is free now: the guest must not reach it any more. */
        struct hv_packet p;
        if (resume(v, &p)) {
            if (p.type == HV_PKT_GUEST_VCPU)
                failf(__LINE__, "after guest_unmap failed with %s and mem_unmap of the region "
                      "succeeded, the guest stored to L + 2 MiB (0x%llx) and halted: it wrote "
                      "into a frame the kernel had freed", hv_status_name(rc),
                      (unsigned long long)(L + M2));
            else
                EXPECT_EXIT(&p, EXIT_REASON_EPT_VIOLATION, L, L + M2);
        }
    } else {
        EXPECT(hv_guest_unmap(g, L + M2 - 0x1000, 0x2000), HV_OK);
        unmap(rb, 0x1000);
    }
    EXPECT(hv_handle_close(v), HV_OK);
    EXPECT(hv_handle_close(g), HV_OK);
    cleanup();
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

/* ---- life cycle ------------------------------------------------------------------------------ */

/* guest:hello through IO traps: its line on port 0xe9, its status on port 0xf4. */
static bool run_hello(struct tvm *t, const struct hv_startup_module *m, char *text, size_t cap,
                      uint32_t *status)
{
    if (!tvm_new(t, (const uint8_t *)(uintptr_t)m->va, m->len) ||
        !EXPECT(hv_guest_set_trap(t->g, HV_TRAP_IO, 0xe9, 1, 0, 1), HV_OK) ||
        !EXPECT(hv_guest_set_trap(t->g, HV_TRAP_IO, 0xf4, 1, 0, 2), HV_OK))
        return false;
    size_t n = 0;
    for (int i = 0; i < 256; i++) {
        struct hv_packet p;
        if (!resume(t->v, &p))
            return false;
        if (p.type != HV_PKT_GUEST_IO || p.guest_io.input) {
            failf(__LINE__, "guest:hello: packet type %u", p.type);
            return false;
        }
        if (p.key == 2) {
            *status = p.guest_io.data;
            text[n] = 0;
            return true;
        }
        if (n + 1 < cap)
            text[n++] = (char)p.guest_io.data;
    }
    failf(__LINE__, "guest:hello did not finish");
    return false;
}

static void t_run_hello(void)
{
    const struct hv_startup_module *m = module("guest:hello");
    if (!CHECK(m != 0, "no boot module guest:hello"))
        return;
    struct tvm t;
    char text[80];
    uint32_t status = 99;
    if (run_hello(&t, m, text, sizeof(text), &status))
        CHECK(!strcmp(text, "Hello from a 32-bit protected-mode guest\n") && status == 0,
              "guest:hello said \"%s\" and exited with %u", text, status);
}

/* Closing the guest first: its vCPU refuses to run, and closing it still works. */
static void t_teardown_guest_first(void)
{
    uint64_t free0 = tests_free_bytes();
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_in)) ||
        !EXPECT(hv_guest_set_trap(t.g, HV_TRAP_IO, 0x60, 8, 0, 1), HV_OK))
        return;
    hv_handle_t v2 = dup(t.v, HV_RIGHT_SAME_RIGHTS);
    struct hv_packet p;
    if (!resume(t.v, &p) || !EXPECT_IO(&p, 0x61, 1, true, 0, 1))     /* an IN pending */
        return;
    EXPECT(hv_handle_close(t.g), HV_OK);
    struct hv_vcpu_state s;
    struct hv_vcpu_io io = { .access_size = 1 };
    EXPECT(hv_vcpu_resume(t.v, &p, HV_TIME_INFINITE), HV_ERR_BAD_STATE);
    EXPECT(hv_vcpu_resume(v2, &p, HV_TIME_INFINITE), HV_ERR_BAD_STATE);
    EXPECT(hv_vcpu_read_state(t.v, HV_VCPU_STATE, &s, sizeof(s)), HV_ERR_BAD_STATE);
    EXPECT(hv_vcpu_write_state(t.v, HV_VCPU_IO, &io, sizeof(io)), HV_ERR_BAD_STATE);
    EXPECT(hv_guest_map(t.g, 0, t.ram, 0x1000, R), HV_ERR_BAD_HANDLE);
    /* The guest's mapping went with it. */
    unmap(t.ram, t.ram_size);
    EXPECT(hv_handle_close(t.v), HV_OK);
    EXPECT(hv_vcpu_resume(v2, &p, HV_TIME_INFINITE), HV_ERR_BAD_STATE);
    EXPECT(hv_handle_close(v2), HV_OK);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

static void t_teardown_vcpu_first(void)
{
    uint64_t free0 = tests_free_bytes();
    struct tvm t;
    if (!tvm_new(&t, CODE(tg_hlt)))
        return;
    struct hv_packet p;
    resume(t.v, &p);
    EXPECT(hv_handle_close(t.v), HV_OK);
    EXPECT(hv_vcpu_resume(t.v, &p, HV_TIME_INFINITE), HV_ERR_BAD_HANDLE);
    /* The guest lives on: a new vCPU runs. */
    hv_handle_t v;
    if (EXPECT(hv_vcpu_create(t.g, 0, CODE_GPA, &v), HV_OK)) {
        if (resume(v, &p))
            EXPECT_HALT(&p, GADDR(tg_hlt, tg_hlt_after));
        EXPECT(hv_handle_close(v), HV_OK);
    }
    EXPECT(hv_handle_close(t.g), HV_OK);
    unmap(t.ram, t.ram_size);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

/* One full cycle: mem_map, guest_create, guest_map, traps, vcpu_create, run, close, unmap. */
static bool cycle(const struct hv_startup_module *m)
{
    struct tvm t;
    char text[80];
    uint32_t status = 99;
    bool ok = run_hello(&t, m, text, sizeof(text), &status);
    ok &= EXPECT(hv_handle_close(t.v), HV_OK);
    ok &= EXPECT(hv_handle_close(t.g), HV_OK);
    ok &= unmap(t.ram, t.ram_size);
    n_tracked_h = n_tracked_m = 0;      /* all gone */
    return ok && CHECK(status == 0, "guest:hello exited with %u", status);
}

static void t_cycle_no_leak(void)
{
    const struct hv_startup_module *m = module("guest:hello");
    if (!CHECK(m != 0, "no boot module guest:hello"))
        return;
    uint64_t free0 = tests_free_bytes();
    cycle(m);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after one cycle",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

static void t_cycle_no_leak_50(void)
{
    const struct hv_startup_module *m = module("guest:hello");
    if (!CHECK(m != 0, "no boot module guest:hello"))
        return;
    uint64_t free0 = tests_free_bytes();
    for (int i = 0; i < 50 && !case_failed; i++)
        cycle(m);
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after 50 cycles",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

/* ---- the suite ---------------------------------------------------------------------------------- */

static const struct hc_case cases[] = {
    { "null", t_null },
    { "bad_syscall_numbers", t_bad_syscall },
    { "debug_write", t_debug_write },
    { "system_info", t_system_info },
    { "system_info_errors", t_system_info_errors },
    { "system_shutdown_invalid_status", t_system_shutdown_invalid },
    { "handle_close", t_handle_close },
    { "handle_bad_values", t_handle_bad_values },
    { "handle_duplicate", t_handle_duplicate },
    { "handle_duplicate_rights", t_handle_duplicate_rights },
    { "handle_duplicate_errors", t_handle_duplicate_errors },
    { "handle_exhaustion", t_handle_exhaustion },
    { "guest_create", t_guest_create },
    { "guest_create_errors", t_guest_create_errors },
    { "guest_map_shares_memory", t_guest_map_shares },
    { "guest_map_errors", t_guest_map_errors },
    { "guest_map_out_of_range", t_guest_map_out_of_range },
    { "guest_map_overlap", t_guest_map_overlap },
    { "guest_unmap", t_guest_unmap },
    { "guest_unmap_hole_in_2m", t_guest_unmap_split },
    { "guest_unmap_errors", t_guest_unmap_errors },
    { "guest_protect", t_guest_protect },
    { "guest_protect_errors", t_guest_protect_errors },
    { "guest_protect_region_rights", t_guest_protect_region_rights },
    { "guest_set_trap", t_set_trap },
    { "guest_set_trap_errors", t_set_trap_errors },
    { "guest_set_trap_overlap", t_set_trap_overlap },
    { "guest_handle_errors", t_guest_handle_errors },
    { "vcpu_create", t_vcpu_create },
    { "vcpu_create_errors", t_vcpu_create_errors },
    { "vcpu_out_and_halt", t_vcpu_out_halt },
    { "vcpu_in_completion", t_vcpu_in },
    { "vcpu_mmio", t_vcpu_mmio },
    { "vcpu_untrapped_io_and_mmio", t_vcpu_untrapped },
    { "vcpu_empty_guest", t_vcpu_empty_guest },
    { "vcpu_triple_fault", t_vcpu_triple_fault },
    { "vcpu_interrupt", t_vcpu_interrupt },
    { "vcpu_interrupt_range", t_vcpu_interrupt_range },
    { "vcpu_kick", t_vcpu_kick },
    { "vcpu_kick_before_exit", t_vcpu_kick_before_exit },
    { "vcpu_state", t_vcpu_state },
    { "vcpu_state_errors", t_vcpu_state_errors },
    { "vcpu_write_io_errors", t_vcpu_write_io_errors },
    { "vcpu_resume_bad_packet", t_vcpu_resume_bad_packet },
    { "vcpu_rights", t_vcpu_rights },
    { "vcpu_handle_errors", t_vcpu_handle_errors },
    { "vcpu_msr_isolation", t_vcpu_msr_isolation },
    { "vcpu_sregs", t_vcpu_sregs },
    { "vcpu_sregs_errors", t_vcpu_sregs_errors },
    { "mem_map", t_mem_map },
    { "mem_map_errors", t_mem_map_errors },
    { "mem_map_no_memory", t_mem_map_no_memory },
    { "mem_unmap_errors", t_mem_unmap_errors },
    { "mem_unmap_guest_mapped", t_mem_unmap_guest_mapped },
    { "low_memory_statuses", t_low_memory },
    { "guest_unmap_no_memory", t_guest_unmap_no_memory },
    { "run_guest_hello", t_run_hello },
    { "teardown_guest_first", t_teardown_guest_first },
    { "teardown_vcpu_first", t_teardown_vcpu_first },
    { "cycle_no_leak", t_cycle_no_leak },
    { "cycle_no_leak_50", t_cycle_no_leak_50 },
};

int hypercall_tests(const struct hv_startup *su)
{
    startup = su;
    const unsigned n_cases = (unsigned)(sizeof(cases) / sizeof(cases[0]));
    printf("hypercalls: %u cases\n", n_cases + n_thread_cases + n_event_cases);
    ro_va = su->num_modules ? su->modules[0].va : (uint64_t)(uintptr_t)su;
    if (hv_mem_map(SCRATCH_SIZE, HV_MEM_READ | HV_MEM_WRITE, &scratch) != HV_OK ||
        hv_mem_map(0x1000, HV_MEM_READ | HV_MEM_WRITE, &freed_va) != HV_OK ||
        hv_mem_unmap(freed_va, 0x1000) != HV_OK) {
        printf("FAIL setup: cannot map the scratch memory\n");
        printf("hypercalls: 0 passed, 1 failed\n");
        return 1;
    }
    hv_handle_t probe;
    uint64_t free0 = tests_free_bytes();
    int slots0 = -1;
    if (hv_guest_create(0, &probe) == HV_OK) {
        slots0 = tests_free_handle_slots(probe);
        hv_handle_close(probe);
    }

    for (unsigned i = 0; i < n_cases; i++)
        run_case(cases[i].name, cases[i].fn);
    for (unsigned i = 0; i < n_thread_cases; i++)
        run_case(thread_cases[i].name, thread_cases[i].fn);
    for (unsigned i = 0; i < n_event_cases; i++)
        run_case(event_cases[i].name, event_cases[i].fn);

    /* The whole suite leaked nothing: memory and handle slots as at the start. */
    int slots1 = -1;
    if (hv_guest_create(0, &probe) == HV_OK) {
        slots1 = tests_free_handle_slots(probe);
        hv_handle_close(probe);
    }
    uint64_t free1 = tests_free_bytes();
    if (free0 == free1 && slots0 == slots1 && slots0 > 0) {
        n_passed++;
        printf("PASS suite_no_leaks (free memory %llu, %d free handle slots)\n",
               (unsigned long long)free1, slots1);
    } else {
        n_failed++;
        printf("FAIL suite_no_leaks: free memory %llu before, %llu after; free handle slots "
               "%d before, %d after\n", (unsigned long long)free0, (unsigned long long)free1,
               slots0, slots1);
    }
    hv_mem_unmap(scratch, SCRATCH_SIZE);

    if (n_skipped)
        printf("hypercalls: %d skipped\n", n_skipped);
    printf("hypercalls: %d passed, %d failed\n", n_passed, n_failed);
    return n_failed ? 1 : 0;
}
