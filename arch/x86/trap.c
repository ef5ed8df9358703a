/*
 * Trap dispatch. An exception in the hypervisor is a bug: print everything
 * a person needs (vector, error code, registers, control registers, a
 * frame-pointer backtrace) and stop with a failure status.
 */
#include "cpu.h"
#include "base.h"
#include "lapic.h"
#include "percpu.h"
#include "x86.h"

static const char *const exc_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
    "#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
    "#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error",
    "#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
    "reserved 24", "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
    "#VC VMM communication", "#SX security", "reserved 31",
};

/* A frame pointer we may follow: canonical, aligned, inside the early 4 GiB map. */
static int frame_ok(uint64_t rbp)
{
    return rbp && !(rbp & 7) && rbp >= 0x1000 && rbp < 0x100000000ull - 16;
}

void backtrace_print(uint64_t rbp, int max)
{
    kprintf("backtrace:\n");
    for (int i = 0; i < max && frame_ok(rbp); i++) {
        const uint64_t *fp = (const uint64_t *)(uintptr_t)rbp;
        if (!fp[1])
            break;
        kprintf("  #%d 0x%016llx\n", i, (unsigned long long)fp[1]);
        if (fp[0] <= rbp)               /* stacks grow down: callers sit higher */
            break;
        rbp = fp[0];
    }
}

static void dump(const struct trap_frame *f)
{
    const char *name = f->vector < 32 ? exc_names[f->vector] : "interrupt";
    kprintf("\n*** exception %s (vector %llu) error 0x%llx\n", name,
            (unsigned long long)f->vector, (unsigned long long)f->error);
    kprintf("rip %016llx cs %04llx rflags %016llx\n", (unsigned long long)f->rip,
            (unsigned long long)f->cs, (unsigned long long)f->rflags);
    kprintf("rsp %016llx ss %04llx\n", (unsigned long long)f->rsp, (unsigned long long)f->ss);
    kprintf("rax %016llx rbx %016llx rcx %016llx\n", (unsigned long long)f->rax,
            (unsigned long long)f->rbx, (unsigned long long)f->rcx);
    kprintf("rdx %016llx rsi %016llx rdi %016llx\n", (unsigned long long)f->rdx,
            (unsigned long long)f->rsi, (unsigned long long)f->rdi);
    kprintf("rbp %016llx r8  %016llx r9  %016llx\n", (unsigned long long)f->rbp,
            (unsigned long long)f->r8, (unsigned long long)f->r9);
    kprintf("r10 %016llx r11 %016llx r12 %016llx\n", (unsigned long long)f->r10,
            (unsigned long long)f->r11, (unsigned long long)f->r12);
    kprintf("r13 %016llx r14 %016llx r15 %016llx\n", (unsigned long long)f->r13,
            (unsigned long long)f->r14, (unsigned long long)f->r15);
    kprintf("cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx\n",
            (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
            (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
    kprintf("  #- 0x%016llx (faulting rip)\n", (unsigned long long)f->rip);
    backtrace_print(f->rbp, 16);
}

static void (*irq_handler[256])(void);
static void (*preempt_handler)(void);

void trap_set_irq_handler(uint8_t vector, void (*fn)(void))
{
    irq_handler[vector] = fn;
}

void trap_set_preempt_handler(void (*fn)(void))
{
    preempt_handler = fn;
}

void irq_dispatch(uint8_t vector)
{
    if (vector == VEC_SPURIOUS)
        return;                         /* spurious: no EOI by definition */
    lapic_eoi();
    if (irq_handler[vector])
        irq_handler[vector]();
    else
        pr_warn("trap: unexpected interrupt vector %u\n", vector);
}

void trap_dispatch(struct trap_frame *f)
{
    static int dumping;

    if (f->vector >= 32) {
        irq_dispatch((uint8_t)f->vector);
        if ((f->cs & 3) && this_cpu()->need_resched && preempt_handler)
            preempt_handler();          /* preempt ring 3; this frame resumes it later */
        return;
    }
    if (f->cs & 3) {                    /* ring 3: the root task broke, not the kernel */
        kprintf("\n*** root task: exception %s (vector %llu) error 0x%llx at rip 0x%llx, cr2 0x%llx\n",
                exc_names[f->vector], (unsigned long long)f->vector, (unsigned long long)f->error,
                (unsigned long long)f->rip, (unsigned long long)read_cr2());
        shutdown(SHUTDOWN_FAIL);
    }
    if (dumping) {                      /* faulted while reporting a fault */
        kprintf("\n*** nested exception %llu at rip 0x%llx while dumping\n",
                (unsigned long long)f->vector, (unsigned long long)f->rip);
        shutdown(SHUTDOWN_FAIL);
    }
    dumping = 1;
    dump(f);
    shutdown(SHUTDOWN_FAIL);
}
