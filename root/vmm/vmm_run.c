/*
 * Setting a guest up and running it: guest RAM laid out like a PC's
 * (guest_loader.h), the image and its Multiboot information, every port and
 * every guest-physical address outside RAM trapped to the device table, the
 * vCPU; then the packet loop until a device, a fault or the VMM ends it.
 */
#include "acpi_build.h"
#include "guest_loader.h"
#include "libsys.h"
#include "mmio_load.h"
#include "rt.h"
#include "vmm.h"
#include "vmm_status.h"
#include "vmx_names.h"

#define FLAT_RAM_SIZE   (2ull << 20)        /* guest/PROTOCOL.md */
#define MB_RAM_SIZE     (128ull << 20)      /* Multiboot kernels without guest.mem */
#define FLAT_LOAD_GPA   0x8000
#define FLAT_STACK_GPA  0x7000
#define GDT_GPA         0x500
#define LOADER_NAME     "hv root task"
#define COM1_BASE       0x3f8
#define GPA_LIMIT       (1ull << 48)        /* the guest-physical width traps may cover */

/* ---- guest console: whole lines, prefixed with the guest's name --------------------- */

static void line_flush(struct vm *vm, struct vmm_line *l)
{
    printf("%s: %.*s\n", vm->name, (int)l->len, l->buf);
    l->len = 0;
}

static void line_putc(struct vm *vm, struct vmm_line *l, char c)
{
    if (c == '\n') {
        line_flush(vm, l);
        return;
    }
    if (c == '\r')
        return;
    if ((unsigned char)c < 0x20 && c != '\t')
        c = '?';                /* keep control characters off the host console */
    if (l->len == sizeof(l->buf))
        line_flush(vm, l);      /* an overlong line goes out in pieces */
    l->buf[l->len++] = c;
}

static void com1_putc(void *ctx, char c)
{
    struct vm *vm = ctx;
    line_putc(vm, &vm->com1_line, c);
}

static void e9_putc(void *ctx, char c)
{
    struct vm *vm = ctx;
    line_putc(vm, &vm->e9_line, c);
}

/* Partial lines go out before the VMM says anything about the guest. */
void vmm_flush(struct vm *vm)
{
    if (vm->com1_line.len)
        line_flush(vm, &vm->com1_line);
    if (vm->e9_line.len)
        line_flush(vm, &vm->e9_line);
}

/* ---- the COM1 16550 as a device: wider accesses are successive byte ports ----------- */

static uint32_t com1_read(void *ctx, uint16_t port, unsigned size)
{
    struct vm *vm = ctx;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)uart_read(&vm->com1, (uint16_t)(port + i)) << (8 * i);
    return v;
}

static void com1_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    struct vm *vm = ctx;
    for (unsigned i = 0; i < size; i++)
        uart_write(&vm->com1, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
}

/* ---- reporting ---------------------------------------------------------------------- */

/* True for HV_OK; else says which call failed and ends the run as the VMM's fault. */
bool vmm_ok(struct vm *vm, const char *call, hv_status_t rc)
{
    if (rc == HV_OK)
        return true;
    vmm_flush(vm);
    printf("root: guest %s: %s failed: %s (%d)\n", vm->name, call, hv_status_name(rc), rc);
    vmm_exit_set(&vm->exit, VMM_STATUS_VMM_ERROR, "a hypercall failed");
    return false;
}

static void stop(struct vm *vm, uint32_t status, const char *why)
{
    vmm_flush(vm);
    vmm_exit_set(&vm->exit, status, why);
}

/* An access no device claimed: a PC gives all ones and drops writes. At log=debug the
 * first one of each port or page is said; guest.strict stops the guest there. */
static void unclaimed(struct vm *vm, bool io, uint64_t addr, unsigned size, bool write)
{
    bool first = true;
    if (io) {
        first = !(vm->port_seen[addr / 8] & (1u << (addr % 8)));
        vm->port_seen[addr / 8] |= (uint8_t)(1u << (addr % 8));
    } else {
        for (unsigned i = 0; i < vm->nmmio_seen && first; i++)
            first = vm->mmio_seen[i] != (addr >> 12);
        if (first && vm->nmmio_seen < sizeof(vm->mmio_seen) / sizeof(vm->mmio_seen[0]))
            vm->mmio_seen[vm->nmmio_seen++] = addr >> 12;
    }
    if ((vm->opt->debug && first) || vm->opt->strict) {
        vmm_flush(vm);
        printf("root: guest %s: %s %s of %u bytes at %s 0x%llx: nothing there%s\n", vm->name,
               first ? "first" : "another", write ? "write" : "read", size,
               io ? "port" : "address", (unsigned long long)addr,
               vm->opt->strict ? " (guest.strict: stopping)" : ", all ones / dropped");
    }
    if (vm->opt->strict)
        stop(vm, VMM_STATUS_STRICT, "guest.strict: an access nothing claims");
}

/* ---- packets ------------------------------------------------------------------------ */

static void handle_io(struct vm *vm, const struct hv_packet_guest_io *io)
{
    unsigned size = io->access_size;
    bool claimed;
    if (io->input) {
        vmm_platform_before_in(vm, io->port);
        uint32_t v = vmm_io_read(&vm->devices, io->port, size, &claimed);
        if (!claimed)
            unclaimed(vm, true, io->port, size, false);
        struct hv_vcpu_io done = { .access_size = (uint8_t)size, .data = v };
        vmm_ok(vm, "hv_vcpu_write_state(HV_VCPU_IO)",
           hv_vcpu_write_state(vm->vcpu, HV_VCPU_IO, &done, sizeof(done)));
    } else {
        vmm_io_write(&vm->devices, io->port, size, io->data, &claimed);
        if (!claimed)
            unclaimed(vm, true, io->port, size, true);
    }
    platform_access(&vm->plat, true, io->port);
}

static uint64_t *gpr(struct hv_vcpu_state *s, unsigned reg)
{
    return &(&s->rax)[reg & 15];
}

/* A store is done when the packet arrives; a load is finished here: register and RIP. */
static void handle_mem(struct vm *vm, const struct hv_packet_guest_mem *m)
{
    bool claimed;
    if (m->write) {
        vmm_mmio_write(&vm->devices, m->addr, m->access_size, m->data, &claimed);
        if (!claimed)
            unclaimed(vm, false, m->addr, m->access_size, true);
        platform_access(&vm->plat, false, m->addr);
        return;
    }
    uint64_t v = vmm_mmio_read(&vm->devices, m->addr, m->access_size, &claimed);
    platform_access(&vm->plat, false, m->addr);
    if (!claimed)
        unclaimed(vm, false, m->addr, m->access_size, false);
    struct hv_vcpu_state s;
    if (!vmm_ok(vm, "hv_vcpu_read_state", hv_vcpu_read_state(vm->vcpu, HV_VCPU_STATE, &s, sizeof(s))))
        return;
    uint64_t *r = gpr(&s, m->reg);
    *r = mmio_load_result(*r, m, v);
    s.rip += m->inst_len;
    vmm_ok(vm, "hv_vcpu_write_state", hv_vcpu_write_state(vm->vcpu, HV_VCPU_STATE, &s, sizeof(s)));
}

static void dump_registers(struct vm *vm)
{
    struct hv_vcpu_state s;
    if (hv_vcpu_read_state(vm->vcpu, HV_VCPU_STATE, &s, sizeof(s)) != HV_OK)
        return;
    printf("root: guest %s: rip 0x%llx rsp 0x%llx rflags 0x%llx rax 0x%llx rbx 0x%llx "
           "rcx 0x%llx rdx 0x%llx rsi 0x%llx rdi 0x%llx rbp 0x%llx\n", vm->name,
           (unsigned long long)s.rip, (unsigned long long)s.rsp, (unsigned long long)s.rflags,
           (unsigned long long)s.rax, (unsigned long long)s.rbx, (unsigned long long)s.rcx,
           (unsigned long long)s.rdx, (unsigned long long)s.rsi, (unsigned long long)s.rdi,
           (unsigned long long)s.rbp);
}

static void handle_vcpu_event(struct vm *vm, const struct hv_packet_guest_vcpu *e)
{
    if (e->kind == HV_VCPU_SHUTDOWN) {
        vmm_flush(vm);
        printf("root: guest %s: triple fault at rip 0x%llx\n", vm->name,
               (unsigned long long)e->rip);
        dump_registers(vm);
        stop(vm, VMM_STATUS_TRIPLE_FAULT, "triple fault");
        return;
    }
    if (e->kind == HV_VCPU_HALT) {
        /* With interrupts on and a device timer or console input that can interrupt it, the
         * VMM waits for them; else (IF=0: no NMI source here) the HLT can never end. */
        struct hv_vcpu_state s;
        bool intr = hv_vcpu_read_state(vm->vcpu, HV_VCPU_STATE, &s, sizeof(s)) == HV_OK &&
                    (s.rflags & (1u << 9));
        if (intr && vmm_platform_halt(vm))
            return;
        vmm_flush(vm);
        printf("root: guest %s: halted forever at rip 0x%llx (HLT with interrupts %s, nothing "
               "can wake it)\n", vm->name, (unsigned long long)e->rip, intr ? "on" : "off");
        stop(vm, VMM_STATUS_HALTED, "halted forever");
        return;
    }
    vmm_flush(vm);
    printf("root: guest %s: vCPU event %u at rip 0x%llx\n", vm->name, e->kind,
           (unsigned long long)e->rip);
    stop(vm, VMM_STATUS_UNHANDLED, "unknown vCPU event");
}

static void handle_exit(struct vm *vm, const struct hv_packet_vcpu_exit *e)
{
    vmm_flush(vm);
    printf("root: guest %s: %sexit %s (%u), qualification 0x%llx, rip 0x%llx, gpa 0x%llx\n",
           vm->name, (e->reason & EXIT_REASON_ENTRY_FAILURE) ? "VM entry failed: " : "",
           vmx_exit_reason_name(e->reason & 0xffff), e->reason & 0xffff,
           (unsigned long long)e->qualification, (unsigned long long)e->rip,
           (unsigned long long)e->gpa);
    dump_registers(vm);
    stop(vm, VMM_STATUS_UNHANDLED, "an exit the VMM cannot complete");
}

static void run(struct vm *vm)
{
    while (!vm->exit.done) {
        struct hv_packet p;
        hv_status_t rc = hv_vcpu_resume(vm->vcpu, &p, vmm_platform_deadline(vm));
        if (rc == HV_ERR_TIMED_OUT) {
            vmm_platform_timed_out(vm);
            continue;
        }
        if (!vmm_ok(vm, "hv_vcpu_resume", rc))
            break;
        switch (p.type) {
        case HV_PKT_GUEST_IO:
            handle_io(vm, &p.guest_io);
            break;
        case HV_PKT_GUEST_MEM:
            handle_mem(vm, &p.guest_mem);
            break;
        case HV_PKT_GUEST_VCPU:
            handle_vcpu_event(vm, &p.guest_vcpu);
            break;
        case HV_PKT_VCPU_EXIT:
            handle_exit(vm, &p.vcpu_exit);
            break;
        case HV_PKT_GUEST_EOI:
            platform_eoi(&vm->plat, (uint8_t)p.guest_eoi.vector);
            break;
        default:
            vmm_flush(vm);
            printf("root: guest %s: unknown packet type %u\n", vm->name, p.type);
            stop(vm, VMM_STATUS_UNHANDLED, "unknown packet");
            break;
        }
    }
}

/* ---- set-up and tear-down ---------------------------------------------------------------- */

/* guest/PROTOCOL.md: 0x08 flat 32-bit code, 0x10 flat data, 0x18 64-bit code. */
static const uint64_t flat_gdt[4] = {
    0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull, 0x00af9b000000ffffull,
};

static const char *format_name(enum gl_format f)
{
    return f == GL_FORMAT_MB2 ? "Multiboot2" : f == GL_FORMAT_MB1 ? "Multiboot" : "flat";
}

/* COM1, the PC's fixed ports, fw_cfg, the ACPI PM block and the platform (interrupt
 * controllers, PIT, RTC), in the one table. */
static bool devices_setup(struct vm *vm)
{
    struct hv_system_info info;
    if (!vmm_ok(vm, "hv_system_info", hv_system_info(&info, sizeof(info))))
        return false;
    vmm_devices_init(&vm->devices);
    uart_init(&vm->com1, COM1_BASE, com1_putc, vm);
    pc_ports_init(&vm->pc, &vm->exit, e9_putc, vm);
    fw_cfg_init(&vm->fw_cfg, &(struct fw_cfg_config){ .ram_bytes = vm->ram_size, .cpus = 1,
                                                      .cmdline = vm->opt->args });
    vm->tsc_hz = info.tsc_hz;
    acpi_pm_init(&vm->pm, vmm_tsc, 0, info.tsc_hz, &vm->exit);
    struct vmm_device com1 = { "com1", COM1_BASE, UART_NPORTS, 0, 0, vm, com1_read, com1_write,
                               0, 0 }, fw_cfg, pm;
    fw_cfg_device(&vm->fw_cfg, &fw_cfg);
    acpi_pm_device(&vm->pm, &pm);
    if (!vmm_devices_add(&vm->devices, &com1) || !pc_ports_register(&vm->pc, &vm->devices) ||
        !vmm_devices_add(&vm->devices, &fw_cfg) || !vmm_devices_add(&vm->devices, &pm)) {
        printf("root: guest %s: the device table refused a device\n", vm->name);
        return false;
    }
    return vmm_platform_setup(vm);
}

/* Guest RAM as the PC layout has it: each window of the host buffer at its place (the
 * BIOS ROM area read-only), and a MEM trap over every gap, so every guest-physical
 * address outside RAM comes to the device table. Every port comes there too. */
static bool memory_and_traps(struct vm *vm, const struct gl_layout *l)
{
    uint64_t next = 0;                  /* the first address not yet mapped or trapped */
    for (unsigned i = 0; i <= l->nwindows; i++) {
        uint64_t start = i < l->nwindows ? l->windows[i].gpa : GPA_LIMIT;
        if (start > next && !vmm_ok(vm, "hv_guest_set_trap(MEM)",
                                hv_guest_set_trap(vm->guest, HV_TRAP_MEM, next, start - next,
                                                  HV_HANDLE_INVALID, 0)))
            return false;
        if (i == l->nwindows)
            break;
        const struct gl_window *w = &l->windows[i];
        uint32_t perm = HV_GUEST_PERM_READ | HV_GUEST_PERM_EXECUTE |
                        (w->writable ? HV_GUEST_PERM_WRITE : 0);
        if (!vmm_ok(vm, "hv_guest_map", hv_guest_map(vm->guest, w->gpa, vm->ram_va + w->offset,
                                                 w->len, perm)))
            return false;
        next = w->gpa + w->len;
    }
    return vmm_ok(vm, "hv_guest_set_trap(IO)", hv_guest_set_trap(vm->guest, HV_TRAP_IO, 0, 0x10000,
                                                             HV_HANDLE_INVALID, 0));
}

/* The ACPI tables in the layout's ACPI area, the RSDP where an OS scans the BIOS area. */
static bool acpi_setup(struct vm *vm, const struct gl_ram *ram, uint8_t rsdp[ACPI_RSDP_LEN])
{
    const struct acpi_build_config cfg = { .ncpus = 1, .tables_gpa = ram->layout.acpi_gpa,
                                           .iapc_boot_arch = ACPI_IAPC_8042 | ACPI_IAPC_VGA_NOT_PRESENT };
    uint8_t *tables = gl_host(ram, ram->layout.acpi_gpa, GL_ACPI_SIZE);
    uint8_t *rom = gl_host(ram, ACPI_BUILD_RSDP_GPA, ACPI_RSDP_LEN);
    if (!tables || !rom || acpi_build(&cfg, tables, GL_ACPI_SIZE, rsdp, 0) != ACPI_BUILD_OK) {
        printf("root: guest %s: cannot build the ACPI tables\n", vm->name);
        vmm_exit_set(&vm->exit, VMM_STATUS_VMM_ERROR, "no ACPI tables");
        return false;
    }
    memcpy(rom, rsdp, ACPI_RSDP_LEN);
    return true;
}

/* The loader refused: one line naming the problem, the loader's own status. */
static bool refused(struct vm *vm, const char *what, int rc)
{
    printf("root: guest %s: cannot %s: %s\n", vm->name, what, gl_error_name(rc));
    vmm_exit_set(&vm->exit, (uint32_t)gl_error_status(rc), "the loader refused the guest");
    return false;
}

/* Guest RAM, the image, the guest, its traps and its vCPU. */
static bool setup(struct vm *vm, const void *image, uint64_t len)
{
    enum gl_format fmt = gl_detect(image, len);
    vm->ram_size = vm->opt->mem_bytes ? vm->opt->mem_bytes
                 : fmt == GL_FORMAT_FLAT ? FLAT_RAM_SIZE : MB_RAM_SIZE;
    struct gl_ram ram;
    int rc = gl_layout_init(&ram.layout, vm->ram_size);  /* first: is the size good? */
    if (rc != GL_OK)
        return refused(vm, "lay out its RAM", rc);
    if (!devices_setup(vm) ||
        !vmm_ok(vm, "hv_mem_map", hv_mem_map(vm->ram_size, HV_MEM_READ | HV_MEM_WRITE, &vm->ram_va)))
        return false;
    gl_ram_init(&ram, (void *)(uintptr_t)vm->ram_va, vm->ram_size);

    uint8_t rsdp[ACPI_RSDP_LEN];
    if (!acpi_setup(vm, &ram, rsdp))
        return false;
    struct gl_image img;
    struct gl_boot boot = { 0 };
    if ((rc = gl_load(image, len, &ram, FLAT_LOAD_GPA, &img)) != GL_OK)
        return refused(vm, fmt == GL_FORMAT_FLAT ? "load its image" : "load its kernel", rc);
    if (fmt != GL_FORMAT_FLAT) {
        const struct gl_mbi_args args = { .cmdline = vm->opt->args, .loader_name = LOADER_NAME,
                                          .modules = vm->opt->modules,
                                          .nmodules = vm->opt->nmodules,
                                          .rsdp = rsdp, .rsdp_len = ACPI_RSDP_LEN };
        if ((rc = gl_build_mbi(&ram, &img, &args, &boot)) != GL_OK)
            return refused(vm, "build its Multiboot information", rc);
    } else {
        memcpy(ram.mem + GDT_GPA, flat_gdt, sizeof(flat_gdt));
    }
    printf("root: guest %s: %s image, entry 0x%x, %llu MiB RAM, %u modules\n", vm->name,
           format_name(fmt), img.entry, (unsigned long long)(vm->ram_size >> 20),
           fmt == GL_FORMAT_FLAT ? 0 : vm->opt->nmodules);

    if (!vmm_ok(vm, "hv_guest_create", hv_guest_create(0, &vm->guest)) ||
        !memory_and_traps(vm, &ram.layout) ||
        !vmm_ok(vm, "hv_vcpu_create", hv_vcpu_create(vm->guest, 0, img.entry, &vm->vcpu)))
        return false;

    struct hv_vcpu_state regs;
    if (!vmm_ok(vm, "hv_vcpu_read_state", hv_vcpu_read_state(vm->vcpu, HV_VCPU_STATE, &regs,
                                                         sizeof(regs))))
        return false;
    if (fmt == GL_FORMAT_FLAT) {
        regs.rsp = FLAT_STACK_GPA;
    } else {
        regs.rax = boot.eax;
        regs.rbx = boot.ebx;
    }
    return vmm_ok(vm, "hv_vcpu_write_state", hv_vcpu_write_state(vm->vcpu, HV_VCPU_STATE, &regs,
                                                             sizeof(regs)));
}

/* Handles first (closing the guest removes its mappings), then the memory. */
static bool teardown(struct vm *vm)
{
    bool good = true;
    vmm_flush(vm);
    vmm_platform_teardown(vm);
    if (vm->vcpu != HV_HANDLE_INVALID)
        good &= vmm_ok(vm, "hv_handle_close(vcpu)", hv_handle_close(vm->vcpu));
    if (vm->guest != HV_HANDLE_INVALID)
        good &= vmm_ok(vm, "hv_handle_close(guest)", hv_handle_close(vm->guest));
    if (vm->ram_va)
        good &= vmm_ok(vm, "hv_mem_unmap", hv_mem_unmap(vm->ram_va, vm->ram_size));
    vm->vcpu = vm->guest = HV_HANDLE_INVALID;
    vm->ram_va = 0;
    return good;
}

static uint64_t free_bytes(void)
{
    struct hv_system_info info;
    return hv_system_info(&info, sizeof(info)) == HV_OK ? info.free_bytes : 0;
}

uint32_t vmm_run_guest(struct vm *vm, const void *image, uint64_t len)
{
    uint64_t before = free_bytes();
    vm->guest = vm->vcpu = vm->console_port = HV_HANDLE_INVALID;
    vm->exit = (struct vmm_exit){ 0 };
    if (setup(vm, image, len)) {
        vmm_stats_start(vm);
        run(vm);
        vmm_stats_report(vm);
    }
    vmm_exit_set(&vm->exit, VMM_STATUS_VMM_ERROR, "set-up failed");
    if (vm->exit.status == VMM_STATUS_RESET && vm->vcpu != HV_HANDLE_INVALID)
        dump_registers(vm);                 /* a triple fault has dumped them already */
    if (!teardown(vm) && vm->exit.status == 0)
        vm->exit.status = VMM_STATUS_VMM_ERROR;
    printf("root: guest %s: %s\n", vm->name, vm->exit.why);
    /* Every frame the guest had (RAM, EPT, VMCS, its kernel objects) is back. */
    uint64_t after = free_bytes();
    printf("root: guest %s: free memory %llu KiB before, %llu KiB after\n", vm->name,
           (unsigned long long)(before >> 10), (unsigned long long)(after >> 10));
    if (after != before && vm->exit.status == 0)
        vm->exit.status = VMM_STATUS_VMM_ERROR;
    return vm->exit.status;
}
