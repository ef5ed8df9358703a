/*
 * The hypercall self-test's case kit (root/tests/hypercalls.c), shared with
 * the thread, port and bell cases of root/tests/threads.c: the per-case
 * failure record and EXPECT macros, tracked handles and memory (closed and
 * unmapped after every case), bad pointers, and the small test guests of
 * root/tests/guest_code.S. Everything here runs on the main thread only.
 */
#ifndef HC_CASE_H
#define HC_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "format.h"
#include "hv/hv.h"

/* ---- guest layout ---------------------------------------------------------------------- */

#define RAM_SIZE   0x10000ull
#define GDT_GPA    0x500ull
#define IDT_GPA    0x6000ull
#define STACK_GPA  0x7000ull
#define CODE_GPA   0x8000ull
#define MMIO_GPA   0xfeb00000ull        /* a MEM trap, not RAM */
#define RWX (HV_GUEST_PERM_READ | HV_GUEST_PERM_WRITE | HV_GUEST_PERM_EXECUTE)
#define RW  (HV_GUEST_PERM_READ | HV_GUEST_PERM_WRITE)
#define R   HV_GUEST_PERM_READ

#define GPA_LIMIT (1ull << 48)

#define EXIT_REASON_IO            30
#define EXIT_REASON_EPT_VIOLATION 48

/* A guest blob of guest_code.S: tg_NAME .. tg_NAME_end. */
#define BLOB(n) extern const uint8_t n[], n##_end[]
#define CODE(n) n, (size_t)(n##_end - n)
/* The guest-physical address of `label` inside blob `n`, loaded at CODE_GPA. */
#define GADDR(n, label) (CODE_GPA + (uint64_t)((label) - (n)))

/* ---- the running case ------------------------------------------------------------------- */

struct hc_case {
    const char *name;
    void (*fn)(void);
};

extern bool case_failed;
extern const char *skip_reason;         /* a case that could not set itself up */

void failf(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool expect_st(int line, const char *what, long got, long want);

/* EXPECT(call, status): the call returns exactly that status. */
#define EXPECT(call, want) expect_st(__LINE__, #call, (long)(call), (long)(want))
/* EXPECTF(call, status, "what %s", ...): the same, described by a format. */
#define EXPECTF(call, want, ...)                                                           \
    ({                                                                                     \
        long got_ = (long)(call), want_ = (long)(want);                                    \
        if (got_ != want_) {                                                               \
            char what_[120];                                                               \
            ksnprintf(what_, sizeof(what_), __VA_ARGS__);                                  \
            expect_st(__LINE__, what_, got_, want_);                                       \
        }                                                                                  \
        got_ == want_;                                                                     \
    })
#define CHECK(cond, ...)                                                                   \
    ({                                                                                     \
        bool ok_ = (cond);                                                                 \
        if (!ok_)                                                                          \
            failf(__LINE__, __VA_ARGS__);                                                  \
        ok_;                                                                               \
    })

/* Handles and memory a case made: closed / unmapped after it, whatever happened. */
hv_handle_t track(hv_handle_t h);
void track_mem(uint64_t va, uint64_t len);
/* Leave a region mapped after the case (memory a thread that never ended may still use). */
void forget_mem(uint64_t va);

/* ---- pointers ----------------------------------------------------------------------------- */

#define SCRATCH_SIZE 0x2000ull
extern uint64_t scratch;                /* mem_map'd RW; the page after it is never mapped */
extern uint64_t freed_va;               /* a page mem_map gave and mem_unmap took back */
extern uint64_t ro_va;                  /* a boot module: mapped read-only */

#define P(x) ((void *)(uintptr_t)(x))

struct badptr {
    const char *name;
    uint64_t va;
};

/*
 * Pointers the kernel must refuse with HV_ERR_INVALID_ARGS for an argument of
 * `size` bytes: NULL, the kernel's identity map, non-canonical, unmapped
 * (a guard page, a page given back), one straddling the end of a mapping,
 * and for outputs a read-only one.
 */
unsigned bad_ptrs(struct badptr *b, uint64_t size, bool output);

#define FOR_BAD_PTRS(var, size, output)                                                    \
    struct badptr var##_list[10];                                                          \
    unsigned var##_n = bad_ptrs(var##_list, (size), (output));                             \
    for (const struct badptr *var = var##_list; var < var##_list + var##_n; var++)

/* ---- small helpers (each failure is recorded with EXPECT) -------------------------------- */

/* A tracked mem_map region, or 0. */
uint64_t mem(uint64_t len, uint32_t flags);
/* mem_unmap of a region, which the case's clean-up then leaves alone. */
bool unmap(uint64_t va, uint64_t len);
hv_handle_t new_guest(void);
hv_handle_t dup(hv_handle_t h, hv_rights_t rights);
bool get_regs(hv_handle_t v, struct hv_vcpu_state *s);
bool set_regs(hv_handle_t v, const struct hv_vcpu_state *s);

/* A guest with RAM_SIZE bytes of RWX RAM at GPA 0, the code at CODE_GPA, a flat GDT at
 * GDT_GPA, and a vCPU (of the calling thread) at CODE_GPA with ESP = STACK_GPA. */
struct tvm {
    uint64_t ram, ram_size;
    hv_handle_t g, v;
};
bool tvm_new(struct tvm *t, const uint8_t *code, size_t len);
uint8_t *ram_at(const struct tvm *t, uint64_t gpa);
/* IDT entry `vector` at IDT_GPA: a 32-bit interrupt gate to guest address `handler`. */
void set_gate(const struct tvm *t, unsigned vector, uint64_t handler);

/* vcpu_resume, expecting HV_OK. */
bool resume(hv_handle_t v, struct hv_packet *p);

bool expect_io(int line, const struct hv_packet *p, uint16_t port, uint8_t size, bool input,
               uint32_t data, uint64_t key);
#define EXPECT_IO(p, port, size, input, data, key) \
    expect_io(__LINE__, p, port, size, input, data, key)
bool expect_halt(int line, const struct hv_packet *p, uint64_t rip);
#define EXPECT_HALT(p, rip) expect_halt(__LINE__, p, rip)
bool expect_exit(int line, const struct hv_packet *p, uint32_t reason, uint64_t rip,
                 uint64_t gpa);
#define EXPECT_EXIT(p, reason, rip, gpa) expect_exit(__LINE__, p, reason, rip, gpa)

/* ---- out of memory --------------------------------------------------------------------- */

/* Take every free frame but a few (false: could not set up); hog_set_free leaves exactly
 * `frames` free (false if that count was not reachable); hog_release gives all back. */
bool hog_all(void);
bool hog_set_free(uint64_t frames);
void hog_release(void);

/* ---- root/tests/threads.c ----------------------------------------------------------------- */

extern const struct hc_case thread_cases[];
extern const unsigned n_thread_cases;
/* root/tests/vcpu_events.c: deadlines, interrupt modes, EOI packets, LAPIC state, stats. */
extern const struct hc_case event_cases[];
extern const unsigned n_event_cases;
/* After every case: let the threads it started end (or give up on them: their stacks
 * stay mapped, the case fails), and let the scheduler free the ended ones. */
void threads_after_case(void);

#endif
