/*
 * The platform's hypercalls: the router's injections (vcpu_interrupt), the
 * local APIC's state it asks for (HV_VCPU_LAPIC), the console input port
 * (console_bind, HV_PKT_CONSOLE into COM1) and the waits of a halted guest.
 *
 * An 8259 interrupt held while the guest has IF=0 is looked at again at
 * every exit and PLATFORM_EXTINT_RECHECK_US after the resume at the latest.
 *
 * After a deadline the guest runs at least MIN_RUN_US before the next one:
 * a timer programmed faster than the VMM can follow (a PIT count of 2 is
 * 600 kHz) delivers less often, its edges coalesced, instead of starving
 * the guest of every cycle.
 *
 * Typed input reaches COM1's receiver at the latest: at every device timer
 * deadline; within CONSOLE_POLL_MS while the guest has COM1's receive
 * interrupt enabled, in HLT too (the resume deadline comes that soon, so a
 * guest idling on its local APIC timer in the kernel gets it as well); and
 * at a read of RBR, IIR or LSR when the port was
 * last looked at CONSOLE_READ_POLL_US or longer before (a guest polling LSR
 * sees input within that).
 */
#include "libsys.h"
#include "rt.h"
#include "vmm.h"

#define COM1_BASE            0x3f8
#define CONSOLE_KEY          0x636f6e73u    /* "cons" */
#define CONSOLE_POLL_MS      10
#define CONSOLE_READ_POLL_US 1000
#define MIN_RUN_US           50             /* the guest's time between two deadlines */
#define RTC_EPOCH            1798761600     /* 2027-01-01 00:00:00 UTC: when the machine's
                                               clock was unreadable */
#define RFLAGS_IF            (1ull << 9)
#define APIC_BASE_EN         (1ull << 11)
#define APIC_BASE_EXTD       (1ull << 10)
#define APIC_SVR_ENABLE      (1u << 8)
#define APIC_REG_ID          0x02
#define APIC_REG_LDR         0x0d
#define APIC_REG_DFR         0x0e
#define APIC_REG_SVR         0x0f
#define APIC_REG_LINT0       0x35

uint64_t vmm_tsc(void *ctx)
{
    (void)ctx;
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* The guest's RTC starts at the machine's time now: the kernel read the machine's clock
 * at boot (hv_system_info.wall_unix at wall_tsc). */
static int64_t wall(void *ctx)
{
    (void)ctx;
    struct hv_system_info info;
    if (hv_system_info(&info, sizeof(info)) != HV_OK || !info.wall_unix || !info.tsc_hz)
        return RTC_EPOCH;
    return (int64_t)(info.wall_unix + (vmm_tsc(0) - info.wall_tsc) / info.tsc_hz);
}

/* vcpu_interrupt. A kernel without ExtINT in its ABI refuses HV_IRQ_EXTINT; it takes the
 * bare vector as an ExtINT while the APIC is disabled. A refusal is said once and the
 * interrupt dropped: the guest runs on. */
static void inject(void *ctx, uint32_t irq)
{
    struct vm *vm = ctx;
    vm->injections++;
    hv_status_t rc = hv_vcpu_interrupt(vm->vcpu, irq);
    if (rc != HV_OK && (irq & HV_IRQ_MODE_MASK) == HV_IRQ_EXTINT && HV_IRQ_VECTOR(irq) >= 16)
        rc = hv_vcpu_interrupt(vm->vcpu, HV_IRQ_VECTOR(irq));
    if (rc != HV_OK && !vm->irq_warned) {
        vm->irq_warned = true;
        vmm_flush(vm);
        printf("root: guest %s: hv_vcpu_interrupt(0x%x) failed: %s (%d); dropped\n", vm->name,
               irq, hv_status_name(rc), rc);
    }
}

static void lapic(void *ctx, struct irq_lapic_view *v)
{
    struct vm *vm = ctx;
    struct hv_vcpu_lapic s;
    if (vm->lapic_unknown)
        return;
    if (hv_vcpu_read_state(vm->vcpu, HV_VCPU_LAPIC, &s, sizeof(s)) != HV_OK) {
        vm->lapic_unknown = true;       /* a kernel without it: every destination, ExtINT */
        return;
    }
    *v = (struct irq_lapic_view){
        .known = true,
        .enabled = (s.apic_base & APIC_BASE_EN) && (s.regs[APIC_REG_SVR] & APIC_SVR_ENABLE),
        .x2apic = (s.apic_base & APIC_BASE_EXTD) != 0,
        .id = s.regs[APIC_REG_ID] >> 24,
        .ldr = s.regs[APIC_REG_LDR],
        .dfr = s.regs[APIC_REG_DFR],
        .lint0 = s.regs[APIC_REG_LINT0],
    };
}

/* RFLAGS.IF, for the 8259's INTA (irq_router.h). */
static bool intr_on(void *ctx)
{
    struct vm *vm = ctx;
    struct hv_vcpu_state s;
    return hv_vcpu_read_state(vm->vcpu, HV_VCPU_STATE, &s, sizeof(s)) != HV_OK ||
           (s.rflags & RFLAGS_IF);
}

bool vmm_platform_setup(struct vm *vm)
{
    const struct platform_config cfg = {
        .now = vmm_tsc, .ticks_hz = vm->tsc_hz, .wall = wall,
        .ram_below_4g = vm->ram_size < (4ull << 30) ? vm->ram_size : 4ull << 30,
        .com1 = &vm->com1, .pm = &vm->pm,
        .irq = { .inject = inject, .lapic = lapic, .intr_on = intr_on, .ctx = vm },
    };
    platform_init(&vm->plat, &cfg);
    if (!platform_register(&vm->plat, &vm->devices)) {
        printf("root: guest %s: the device table refused a platform device\n", vm->name);
        return false;
    }
    vm->console_bound = vm->lapic_unknown = vm->irq_warned = false;
    vm->injections = vm->min_deadline = vm->console_polled = 0;
    if (!vmm_ok(vm, "hv_port_create", hv_port_create(0, &vm->console_port)))
        return false;
    hv_status_t rc = hv_console_bind(vm->console_port, CONSOLE_KEY);
    vm->console_bound = rc == HV_OK;
    if (rc != HV_OK && rc != HV_ERR_NOT_SUPPORTED)
        printf("root: guest %s: hv_console_bind: %s (%d): no console input\n", vm->name,
               hv_status_name(rc), rc);
    return true;
}

void vmm_platform_teardown(struct vm *vm)
{
    if (vm->console_bound)
        hv_console_bind(HV_HANDLE_INVALID, 0);
    if (vm->console_port != HV_HANDLE_INVALID)
        vmm_ok(vm, "hv_handle_close(port)", hv_handle_close(vm->console_port));
    vm->console_port = HV_HANDLE_INVALID;
    vm->console_bound = false;
}

static void console_bytes(struct vm *vm, const struct hv_packet *p)
{
    if (p->type != HV_PKT_CONSOLE || p->key != CONSOLE_KEY)
        return;
    uint32_t n = p->console.len < HV_CONSOLE_CHUNK ? p->console.len : HV_CONSOLE_CHUNK;
    for (uint32_t i = 0; i < n; i++)
        uart_receive(&vm->com1, p->console.data[i]);   /* a full queue: overrun, as a UART */
}

/* Packets on the console port until deadline (0: only those already there). */
static void console_wait(struct vm *vm, uint64_t deadline)
{
    struct hv_packet p;
    vm->console_polled = vmm_tsc(0);
    while (hv_port_wait(vm->console_port, deadline, &p) == HV_OK) {
        console_bytes(vm, &p);
        deadline = 0;                   /* then take what else is there, without waiting */
    }
}

static uint64_t earlier(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t later(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

uint64_t vmm_platform_deadline(struct vm *vm)
{
    uint64_t t = platform_next_event(&vm->plat);
    if (platform_extint_held(&vm->plat))
        t = earlier(t, vmm_tsc(0) + vm->tsc_hz / 1000000 * PLATFORM_EXTINT_RECHECK_US);
    if (vm->console_bound && (vm->com1.ier & UART_IER_RDI))
        t = earlier(t, vm->console_polled + vm->tsc_hz / 1000 * CONSOLE_POLL_MS);
    return later(t, vm->min_deadline);
}

void vmm_platform_timed_out(struct vm *vm)
{
    if (vm->console_bound)
        console_wait(vm, 0);
    platform_sync(&vm->plat);
    vm->min_deadline = vmm_tsc(0) + vm->tsc_hz / 1000000 * MIN_RUN_US;
}

void vmm_platform_before_in(struct vm *vm, uint16_t port)
{
    unsigned off = (unsigned)(port - COM1_BASE);
    if (!vm->console_bound || port < COM1_BASE || off >= UART_NPORTS ||
        (off != UART_RBR && off != UART_IIR && off != UART_LSR))
        return;
    if (vmm_tsc(0) - vm->console_polled >= vm->tsc_hz / 1000000 * CONSOLE_READ_POLL_US)
        console_wait(vm, 0);
}

bool vmm_platform_halt(struct vm *vm)
{
    uint64_t before = vm->injections;
    platform_sync(&vm->plat);           /* IF is on now: an 8259 request held for it goes in */
    if (vm->injections != before)
        return true;
    if (!platform_can_wake(&vm->plat, vm->console_bound))
        return false;
    uint64_t deadline = platform_next_event(&vm->plat);
    console_wait(vm, deadline == PLATFORM_NO_EVENT ? HV_TIME_INFINITE : deadline);
    platform_sync(&vm->plat);
    return true;
}
