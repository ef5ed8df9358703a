/*
 * Kernel self-test of the VMX core (test=vmx) and its benchmark
 * (test=bench): runs the guests from guest/ (boot modules "guest:NAME")
 * with the environment of guest/PROTOCOL.md and checks each outcome.
 * A stand-in driver until the root task runs guests through hypercalls.
 */
#include "format.h"
#include "base.h"
#include "kstring.h"
#include "mm.h"
#include "vcpu.h"
#include "vmx_exits.h"
#include "vmcs.h"
#include "vmx_selftest.h"
#include "vmx_setup.h"
#include "x86.h"

#define RAM_SIZE      0x200000ull
#define LOAD_GPA      0x8000ull
#define STACK_GPA     0x7000ull
#define GDT_GPA       0x500ull
#define PT_GPA        0x1000ull
#define TEST_MMIO_GPA 0xfeb00000ull
#define MAX_DRIVER_EXITS 200000
#define LOOP_ITERATIONS 10000

enum outcome { OUT_STATUS, OUT_TRIPLE_FAULT, OUT_EXCEPTION, OUT_FETCH_FAULT, OUT_ENTRY_FAILED,
               OUT_OTHER };

enum {
    F_SINK80 = 1,               /* port 0x80 absorbed in the kernel */
    F_IRQ_ON_HLT = 2,           /* answer HLT with vector 0x30 */
    F_TRAP_UD = 4,              /* intercept #UD */
    F_PREEMPT = 8,              /* VMX preemption timer on */
    F_LAZY_IDT = 16,            /* at HLT, take the IDT page away: delivery faults, is re-injected */
    F_BAD_STATE = 32,           /* clear RFLAGS bit 1 before the first entry */
};

#define IDT_GPA 0x6000ull       /* where guest/lib.inc builds 32-bit IDTs */

struct test {
    const char *name;
    const char *module;         /* guest binary */
    enum guest_mode mode;
    uint32_t flags;
    enum outcome expect;
    uint64_t value;             /* status, exception vector or faulting GPA */
    int count_reason;           /* -1, or an exit reason whose count is checked */
    uint64_t count_min;
};

static const struct test tests[] = {
    { "hello", "hello", GUEST_PROT32, 0, OUT_STATUS, 0, -1, 0 },
    { "realmode", "realmode", GUEST_REAL16, 0, OUT_STATUS, 0, -1, 0 },
    /* FS_BASE passes through; only the EFER read exits. */
    { "long64", "long64", GUEST_LONG64, 0, OUT_STATUS, 0, EXIT_RDMSR, 1 },
    { "vmcall_loop", "vmcall_loop", GUEST_PROT32, 0, OUT_STATUS, 0, EXIT_VMCALL, LOOP_ITERATIONS },
    { "cpuid_loop", "cpuid_loop", GUEST_PROT32, 0, OUT_STATUS, 0, EXIT_CPUID, LOOP_ITERATIONS },
    { "out_loop", "out_loop", GUEST_PROT32, F_SINK80, OUT_STATUS, 0, EXIT_IO, LOOP_ITERATIONS },
    { "mmio_loop", "mmio_loop", GUEST_PROT32, 0, OUT_STATUS, 0, EXIT_EPT_VIOLATION, LOOP_ITERATIONS + 1 },
    { "hlt_irq", "hlt_irq", GUEST_PROT32, F_IRQ_ON_HLT, OUT_STATUS, 0, EXIT_HLT, 1 },
    { "reinject", "hlt_irq", GUEST_PROT32, F_IRQ_ON_HLT | F_LAZY_IDT, OUT_STATUS, 0,
      EXIT_EPT_VIOLATION, 1 },
    /* 1000 rounds of 400 guest instructions and a CPUID: about 400 timer expiries. */
    { "preempt", "spin_loop", GUEST_PROT32, F_PREEMPT, OUT_STATUS, 0, EXIT_PREEMPTION_TIMER, 100 },
    { "ept_scan", "ept_scan", GUEST_PROT32, 0, OUT_STATUS, 0, EXIT_EPT_VIOLATION, 12186 },
    { "triple_fault", "triple_fault", GUEST_PROT32, 0, OUT_TRIPLE_FAULT, 0, -1, 0 },
    { "bad_cr0", "bad_cr0", GUEST_PROT32, 0, OUT_STATUS, 13, EXIT_CR_ACCESS, 1 },
    { "ud", "ud", GUEST_PROT32, F_TRAP_UD, OUT_EXCEPTION, 6, -1, 0 },
    { "beyond_ram", "beyond_ram", GUEST_PROT32, 0, OUT_FETCH_FAULT, 0x40000000, -1, 0 },
    { "bad_state", "hello", GUEST_PROT32, F_BAD_STATE, OUT_ENTRY_FAILED, 0x80000021, -1, 0 },
    /* The CPU model from inside: CPUID, MSRs, CRs, PAE and long mode (guest/cpu_model.asm). */
    { "cpu_model", "cpu_model", GUEST_PROT32, 0, OUT_STATUS, 0, EXIT_RDMSR, 80 },
    /* The virtual local APIC (guest/lapic.asm): self-IPI, TPR, one-shot and periodic
     * timer within 1%; its HLTs (at least 12) sleep in the kernel, none reaches here. */
    { "lapic", "lapic", GUEST_PROT32, 0, OUT_STATUS, 0, EXIT_HLT, 12 },
    /* CR8 in 64-bit mode is TPR[7:4] and masks like it (guest/cr8.asm): MOV to and from
     * CR8 exit (CR8-load/store exiting) and are emulated: eight of them. */
    { "cr8", "cr8", GUEST_LONG64, 0, OUT_STATUS, 0, EXIT_CR_ACCESS, 8 },
};

struct run {
    const struct test *t;
    struct vm vm;
    struct vcpu vcpu;
    uint64_t ram;
    enum outcome got;
    uint64_t value;
    uint32_t mmio_reg;
    uint64_t unmapped_accesses;         /* emulated as "no device" */
    uint64_t mmio_accesses;             /* to the test MMIO register */
    uint64_t ept_faults;                /* EPT violations handed over as faults */
    bool idt_taken;                     /* F_LAZY_IDT: the IDT page is unmapped now */
    uint64_t driver_exits;
    char line[128];
    unsigned line_len;
    const char *why;            /* failure detail */
};

static const struct boot_info *boot;
uint64_t vmx_first_entry_tsc, vmx_first_entry_uart_ticks;

static const struct boot_module *find_module(const char *name)
{
    char full[BOOT_MODNAME_MAX];
    ksnprintf(full, sizeof(full), "guest:%s", name);
    return boot_module_find(boot, full);
}

static void guest_putc(struct run *r, char c)
{
    if (c == '\n' || r->line_len == sizeof(r->line) - 1) {
        r->line[r->line_len] = 0;
        pr_info("guest %s: %s\n", r->t->name, r->line);
        r->line_len = 0;
        if (c == '\n')
            return;
    }
    r->line[r->line_len++] = c;
}

/* Guest RAM at GPA 0, the GDT, long-mode page tables, the binary. */
static int build_guest(struct run *r, const struct boot_module *m)
{
    if (vm_init(&r->vm) != HV_OK)
        return -1;
    r->ram = frame_alloc_contig(RAM_SIZE / FRAME_SIZE, RAM_SIZE);
    if (r->ram == FRAME_NONE)
        return -1;
    if (ept_map(&r->vm.ept, 0, r->ram, RAM_SIZE, EPT_RWX, EPT_MT_WB) != HV_OK)
        return -1;
    r->vm.ram_size = RAM_SIZE;
    static const uint64_t gdt[4] = { 0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull,
                                     0x00af9b000000ffffull };
    vm_write_guest(&r->vm, GDT_GPA, gdt, sizeof(gdt));
    if (r->t->mode == GUEST_LONG64) {
        uint64_t pml4e = (PT_GPA + 0x1000) | 7, pdpte = (PT_GPA + 0x2000) | 7;
        vm_write_guest(&r->vm, PT_GPA, &pml4e, 8);
        vm_write_guest(&r->vm, PT_GPA + 0x1000, &pdpte, 8);
        for (uint64_t i = 0; i < 512; i++) {
            uint64_t pde = (i << 21) | 0x87;            /* present, writable, user, 2 MiB */
            vm_write_guest(&r->vm, PT_GPA + 0x2000 + i * 8, &pde, 8);
        }
    }
    if (m->len > RAM_SIZE - LOAD_GPA)
        return -1;
    vm_write_guest(&r->vm, LOAD_GPA, phys_to_virt(m->base), m->len);
    if (r->t->flags & F_SINK80)
        r->vm.sink_ports[0x80 / 8] |= 1u << (0x80 % 8);

    struct vcpu_start s = {
        .mode = r->t->mode, .rip = LOAD_GPA, .rsp = STACK_GPA, .cs = 0,
        .cr3 = PT_GPA, .gdt_base = GDT_GPA, .gdt_limit = sizeof(gdt) - 1,
    };
    r->vcpu.preempt_ticks = (r->t->flags & F_PREEMPT) ? 1000 : 0;
    r->vcpu.exception_bitmap = (r->t->flags & F_TRAP_UD) ? 1u << 6 : 0;
    if (vcpu_init(&r->vcpu, &r->vm, &s))
        return -1;
    if (r->t->flags & F_BAD_STATE)
        vmcs_write(VMCS_GUEST_RFLAGS, 0);           /* bit 1 must be 1: entry fails */
    return 0;
}

static void teardown(struct run *r)
{
    vcpu_destroy(&r->vcpu);
    vm_destroy(&r->vm);
    if (r->ram != FRAME_NONE)
        for (uint64_t i = 0; i < RAM_SIZE / FRAME_SIZE; i++)
            frame_free(r->ram + i * FRAME_SIZE);
}

/* The devices of the test environment; returns false when the guest is done. */
static bool handle_exit(struct run *r)
{
    struct vcpu *v = &r->vcpu;
    struct vcpu_exit *e = &v->exit;
    switch (e->kind) {
    case VCPU_EXIT_IO:
        if (!e->io.in && !e->io.string && e->io.port == 0xe9) {
            guest_putc(r, (char)e->io.data);
            vmx_skip_instruction(v);
            return true;
        }
        if (!e->io.in && !e->io.string && e->io.port == 0xf4 && e->io.size == 4) {
            r->got = OUT_STATUS;
            r->value = e->io.data;
            return false;
        }
        r->why = "unexpected port I/O";
        r->value = e->io.port;
        r->got = OUT_OTHER;
        return false;
    case VCPU_EXIT_MMIO:
        if ((e->mem.gpa & ~0xfffull) == TEST_MMIO_GPA) {
            r->mmio_accesses++;
            if (e->mem.write) {
                r->mmio_reg = (uint32_t)e->mem.data;
                vcpu_advance_rip(v, e->insn_len);
            } else {
                vcpu_complete_mmio_load(v, r->mmio_reg);
            }
        } else {                                /* no device: reads all ones, writes dropped */
            r->unmapped_accesses++;
            if (e->mem.write)
                vcpu_advance_rip(v, e->insn_len);
            else
                vcpu_complete_mmio_load(v, ~0ull);
        }
        return true;
    case VCPU_EXIT_HLT:
        if ((r->t->flags & F_LAZY_IDT) && !r->idt_taken) {
            /* The interrupt's delivery will now read a missing IDT page. */
            if (ept_unmap(&v->vm->ept, IDT_GPA, FRAME_SIZE) != HV_OK)
                return false;
            if (ept_take_flush(&v->vm->ept))
                vmx_invept(ept_eptp(&v->vm->ept));
            r->idt_taken = true;
        }
        if (r->t->flags & F_IRQ_ON_HLT) {
            vcpu_queue_interrupt(v, 0x30);
            return true;
        }
        r->why = "HLT";
        r->got = OUT_OTHER;
        return false;
    case VCPU_EXIT_PREEMPT:
        return true;                            /* time slice over: just go on */
    case VCPU_EXIT_TRIPLE_FAULT:
        r->got = OUT_TRIPLE_FAULT;
        return false;
    case VCPU_EXIT_EXCEPTION:
        r->got = OUT_EXCEPTION;
        r->value = e->exception.vector;
        return false;
    case VCPU_EXIT_EPT_FAULT:
        r->ept_faults++;
        if (r->idt_taken && (e->ept.gpa & ~0xfffull) == IDT_GPA) {
            /* Give the page back; the interrupted delivery is re-injected on entry. */
            r->idt_taken = false;
            return ept_map(&v->vm->ept, IDT_GPA, r->ram + IDT_GPA, FRAME_SIZE, EPT_RWX,
                           EPT_MT_WB) == HV_OK;
        }
        r->got = (e->ept.access & 4) ? OUT_FETCH_FAULT : OUT_OTHER;
        r->value = e->ept.gpa;
        r->why = "EPT violation that is not an emulatable access";
        return false;
    default:
        r->got = OUT_OTHER;
        r->value = e->reason;
        r->why = "unhandled exit";
        if (e->kind == VCPU_EXIT_ENTRY_FAILED) {
            r->why = "VM entry failed";
            r->got = OUT_ENTRY_FAILED;
            r->value = e->entry_failure.reason;
            if (e->entry_failure.vm_insn_error)
                pr_err("vmx-test: %s: VMfailValid %u: %s\n", r->t->name, e->entry_failure.vm_insn_error,
                       vmx_insn_error_name(e->entry_failure.vm_insn_error));
        }
        return false;
    }
}

static const char *outcome_name(enum outcome o)
{
    static const char *const n[] = { "exit status", "triple fault", "exception",
                                     "EPT violation on fetch", "failed VM entry", "other" };
    return n[o];
}

/* Run one test; returns 1 if it passed. ticks: TSC from first entry to the guest's end. */
static int run_test(const struct test *t, uint64_t *ticks, struct run *r)
{
    for (size_t i = 0; i < sizeof(*r); i++)
        ((uint8_t *)r)[i] = 0;
    r->t = t;
    r->ram = FRAME_NONE;
    r->got = OUT_OTHER;
    uint64_t frames_before = frames_free();
    const struct boot_module *m = find_module(t->module);
    if (!m) {
        pr_err("vmx-test: %s FAIL: no boot module guest:%s\n", t->name, t->module);
        return 0;
    }
    if (build_guest(r, m)) {
        pr_err("vmx-test: %s FAIL: cannot build the guest\n", t->name);
        teardown(r);
        return 0;
    }
    uint64_t t0 = rdtsc();
    if (!vmx_first_entry_tsc) {
        vmx_first_entry_tsc = t0;
        vmx_first_entry_uart_ticks = console_wait_ticks;
    }
    do {
        vcpu_run(&r->vcpu);
    } while (++r->driver_exits < MAX_DRIVER_EXITS && handle_exit(r));
    *ticks = rdtsc() - t0;
    if (r->line_len)
        guest_putc(r, '\n');

    int ok = r->got == t->expect && r->value == t->value;
    uint64_t count = t->count_reason >= 0 ? r->vcpu.exit_counts[t->count_reason] : 0;
    if (ok && t->count_reason >= 0 && count < t->count_min) {
        ok = 0;
        r->why = "too few exits of the checked kind";
    }
    /* Every EPT violation reached the driver exactly once, as an access it emulated or a
     * fault, or was an access to the xAPIC page the kernel emulated (vmx/lapic.c). */
    if (ok && r->vcpu.exit_counts[EXIT_EPT_VIOLATION] !=
                  r->unmapped_accesses + r->mmio_accesses + r->ept_faults + r->vcpu.lapic_mmio) {
        ok = 0;
        r->why = "EPT-violation exits differ from the accesses the driver emulated";
    }
    teardown(r);
    if (frames_free() != frames_before) {
        pr_err("vmx-test: %s leaked %lld frames\n", t->name,
               (long long)(frames_before - frames_free()));
        ok = 0;
    }
    uint64_t total = 0;
    for (int i = 0; i < VMX_EXIT_REASONS; i++)
        total += r->vcpu.exit_counts[i];
    if (ok)
        pr_info("vmx-test: %s ok: %s 0x%llx after %llu exits (%llu checked)\n", t->name,
                outcome_name(r->got), (unsigned long long)r->value, (unsigned long long)total,
                (unsigned long long)count);
    else
        pr_err("vmx-test: %s FAIL: got %s 0x%llx, expected %s 0x%llx%s%s (exit reason %u, rip 0x%llx)\n",
               t->name, outcome_name(r->got), (unsigned long long)r->value, outcome_name(t->expect),
               (unsigned long long)t->value, r->why ? ": " : "", r->why ? r->why : "",
               r->vcpu.exit.reason, (unsigned long long)r->vcpu.exit.rip);
    return ok;
}

static struct run run_storage;

int vmx_selftest(const struct boot_info *bi)
{
    boot = bi;
    int passed = 0, failed = 0;
    for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        uint64_t ticks;
        run_test(&tests[i], &ticks, &run_storage) ? passed++ : failed++;
    }
    pr_info("vmx-test: %d passed, %d failed\n", passed, failed);
    return failed;
}

int vmx_bench(const struct boot_info *bi)
{
    static const char *const names[] = { "vmcall_loop", "cpuid_loop", "out_loop", "mmio_loop" };
    static const char *const what[] = { "VMCALL", "CPUID", "OUT to a kernel-handled port",
                                        "EPT violation on an MMIO page" };
    boot = bi;
    int failed = 0;
    uint64_t per[4];
    for (unsigned i = 0; i < 4; i++) {
        const struct test *t = 0;
        for (unsigned j = 0; j < sizeof(tests) / sizeof(tests[0]); j++)
            if (!strcmp(tests[j].name, names[i]))
                t = &tests[j];
        uint64_t ticks = 0;
        if (!t || !run_test(t, &ticks, &run_storage))
            failed++;
        per[i] = ticks / LOOP_ITERATIONS;
        /* Per guest loop iteration: the exiting instruction plus DEC/JNZ. */
        pr_info("bench: %-32s %6llu ticks per guest-exit-resume round trip (%llu ticks / %u)\n",
                what[i], (unsigned long long)per[i], (unsigned long long)ticks, LOOP_ITERATIONS);
    }
    /* The virtual local APIC's paths, timed by the guest itself (guest/lapic_bench.asm). */
    static const struct test lapic_bench = { "lapic_bench", "lapic_bench", GUEST_PROT32, 0,
                                             OUT_STATUS, 0, -1, 0 };
    uint64_t ticks = 0;
    if (!run_test(&lapic_bench, &ticks, &run_storage))
        failed++;
    return failed;
}
