/*
 * The root task's VMM: runs one guest from a boot module and ends the
 * machine with the guest's exit status.
 *
 * The guest is the boot module "guest:NAME", NAME from the command-line
 * option guest=NAME (default hello). Multiboot v1/v2 kernels get 16 MiB of
 * RAM and a Multiboot information structure; flat binaries (the test guests
 * of guest/) get the environment of guest/PROTOCOL.md: 2 MiB of RAM, the
 * image at 0x8000, a GDT at 0x500 and ESP = 0x7000. Devices: a 16550 UART
 * at COM1 (0x3f8), the debug console port 0xe9, the exit port 0xf4.
 *
 * This is the production root image, build/root.elf. The test modes
 * (test=hypercalls, test=fuzz, test=bench) are a separate image,
 * build/root-test.elf (root/tests/main.c), that test boots load instead.
 */
#include <stdbool.h>
#include <stdint.h>
#include "guest_loader.h"
#include "hv/hv.h"
#include "libsys.h"
#include "rt.h"
#include "uart16550.h"
#include "vmx_names.h"
#include "cmdline_parse.h"

#define DEFAULT_GUEST   "hello"
#define MODULE_PREFIX   "guest:"
#define FLAT_RAM_SIZE   (2ull << 20)
#define MB_RAM_SIZE     (16ull << 20)
#define FLAT_LOAD_GPA   0x8000
#define FLAT_STACK_GPA  0x7000
#define GDT_GPA         0x500
#define MBI_GPA         0x1000
#define LOADER_NAME     "hv root task"

#define COM1_BASE       0x3f8
#define DEBUGCON_PORT   0xe9
#define EXIT_PORT       0xf4

/* Trap keys: which device an IO packet is for. */
enum { KEY_COM1 = 1, KEY_DEBUGCON = 2, KEY_EXIT = 3 };

#define VMM_FAILURE     1       /* status when the VMM, not the guest, ends the run */

/* One console line being assembled. */
struct line {
    char buf[160];
    unsigned len;
};

struct vm {
    const char *name;           /* NAME of the module guest:NAME */
    hv_handle_t guest, vcpu;
    uint64_t ram_va, ram_size;
    struct uart16550 com1;
    struct line com1_line, e9_line;
    bool done;
    uint32_t status;
};

static struct vm the_vm;

/* ---- guest console: whole lines, prefixed with the guest's name --------------------- */

static void line_flush(struct vm *vm, struct line *l)
{
    printf("%s: %.*s\n", vm->name, (int)l->len, l->buf);
    l->len = 0;
}

static void line_putc(struct vm *vm, struct line *l, char c)
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

/* Partial lines go out before the VMM says anything about the guest. */
static void console_flush(struct vm *vm)
{
    if (vm->com1_line.len)
        line_flush(vm, &vm->com1_line);
    if (vm->e9_line.len)
        line_flush(vm, &vm->e9_line);
}

/* ---- reporting -------------------------------------------------------------------- */

/* True for HV_OK; else says which call failed and how. */
static bool ok(struct vm *vm, const char *call, hv_status_t rc)
{
    if (rc == HV_OK)
        return true;
    console_flush(vm);
    printf("root: guest %s: %s failed: %s (%d)\n", vm->name, call, hv_status_name(rc), rc);
    return false;
}

static void fail(struct vm *vm)
{
    vm->done = true;
    vm->status = VMM_FAILURE;
}

/* ---- I/O ------------------------------------------------------------------------------- */

static void handle_io(struct vm *vm, const struct hv_packet_guest_io *io, uint64_t key)
{
    unsigned size = io->access_size;
    if (size != 1 && size != 2 && size != 4) {
        console_flush(vm);
        printf("root: guest %s: I/O at port 0x%x with size %u\n", vm->name, io->port, size);
        fail(vm);
        return;
    }
    uint32_t mask = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    uint32_t out = io->data & mask, in = 0;
    switch (key) {
    case KEY_COM1:              /* wider accesses: successive byte ports */
        for (unsigned i = 0; i < size; i++) {
            uint16_t port = (uint16_t)(io->port + i);
            if (io->input)
                in |= (uint32_t)uart_read(&vm->com1, port) << (8 * i);
            else
                uart_write(&vm->com1, port, (uint8_t)(out >> (8 * i)));
        }
        break;
    case KEY_DEBUGCON:
        if (io->input)
            in = DEBUGCON_PORT;     /* what Bochs and QEMU answer: "the port exists" */
        else
            line_putc(vm, &vm->e9_line, (char)out);
        break;
    case KEY_EXIT:
        if (!io->input) {
            vm->status = out;
            vm->done = true;
        }
        break;
    default:
        console_flush(vm);
        printf("root: guest %s: I/O packet with unknown key %llu (port 0x%x)\n", vm->name,
               (unsigned long long)key, io->port);
        fail(vm);
        return;
    }
    if (io->input) {
        struct hv_vcpu_io done = { .access_size = (uint8_t)size, .data = in & mask };
        if (!ok(vm, "hv_vcpu_write_state(HV_VCPU_IO)",
                hv_vcpu_write_state(vm->vcpu, HV_VCPU_IO, &done, sizeof(done))))
            fail(vm);
    }
}

/* ---- everything else ends the guest ---------------------------------------------------- */

static void report_packet(struct vm *vm, const struct hv_packet *p)
{
    console_flush(vm);
    switch (p->type) {
    case HV_PKT_GUEST_MEM:
        printf("root: guest %s: unexpected MMIO %s of %u bytes at 0x%llx\n", vm->name,
               p->guest_mem.write ? "write" : "read", p->guest_mem.access_size,
               (unsigned long long)p->guest_mem.addr);
        break;
    case HV_PKT_GUEST_VCPU:
        if (p->guest_vcpu.kind == HV_VCPU_HALT)
            printf("root: guest %s: halted (HLT) at rip 0x%llx\n", vm->name,
                   (unsigned long long)p->guest_vcpu.rip);
        else if (p->guest_vcpu.kind == HV_VCPU_SHUTDOWN)
            printf("root: guest %s: shutdown (triple fault) at rip 0x%llx\n", vm->name,
                   (unsigned long long)p->guest_vcpu.rip);
        else
            printf("root: guest %s: vCPU event %u at rip 0x%llx\n", vm->name,
                   p->guest_vcpu.kind, (unsigned long long)p->guest_vcpu.rip);
        break;
    case HV_PKT_VCPU_EXIT: {
        const struct hv_packet_vcpu_exit *e = &p->vcpu_exit;
        printf("root: guest %s: %sexit %s (%u), qualification 0x%llx, rip 0x%llx, gpa 0x%llx\n",
               vm->name, (e->reason & EXIT_REASON_ENTRY_FAILURE) ? "VM entry failed: " : "",
               vmx_exit_reason_name(e->reason & 0xffff), e->reason & 0xffff,
               (unsigned long long)e->qualification, (unsigned long long)e->rip,
               (unsigned long long)e->gpa);
        break;
    }
    default:
        printf("root: guest %s: unknown packet type %u\n", vm->name, p->type);
        break;
    }
    fail(vm);
}

static void run(struct vm *vm)
{
    while (!vm->done) {
        struct hv_packet p;
        if (!ok(vm, "hv_vcpu_resume", hv_vcpu_resume(vm->vcpu, &p))) {
            fail(vm);
            break;
        }
        if (p.type == HV_PKT_GUEST_IO)
            handle_io(vm, &p.guest_io, p.key);
        else
            report_packet(vm, &p);
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

/* Guest RAM, the image, the guest, its traps and its vCPU. */
static bool setup(struct vm *vm, const void *image, uint64_t len)
{
    enum gl_format fmt = gl_detect(image, len);
    vm->ram_size = fmt == GL_FORMAT_FLAT ? FLAT_RAM_SIZE : MB_RAM_SIZE;
    if (!ok(vm, "hv_mem_map", hv_mem_map(vm->ram_size, HV_MEM_READ | HV_MEM_WRITE, &vm->ram_va)))
        return false;

    struct gl_ram ram;
    struct gl_image img;
    struct gl_boot boot = { 0 };
    struct gl_mbi_args mbi = { .cmdline = vm->name, .loader_name = LOADER_NAME,
                               .mbi_addr = MBI_GPA };
    int rc = gl_ram_init(&ram, (void *)(uintptr_t)vm->ram_va, vm->ram_size);
    if (rc == GL_OK)
        rc = gl_load(image, len, &ram, FLAT_LOAD_GPA, &img);
    if (rc == GL_OK && fmt != GL_FORMAT_FLAT)
        rc = gl_build_mbi(&ram, &img, &mbi, &boot);
    if (rc != GL_OK) {
        printf("root: guest %s: cannot load its %s image: %s\n", vm->name, format_name(fmt),
               gl_error_name(rc));
        return false;
    }
    if (fmt == GL_FORMAT_FLAT)
        memcpy(ram.mem + GDT_GPA, flat_gdt, sizeof(flat_gdt));
    printf("root: guest %s: %s image, entry 0x%x, %llu MiB RAM\n", vm->name, format_name(fmt),
           img.entry, (unsigned long long)(vm->ram_size >> 20));

    if (!ok(vm, "hv_guest_create", hv_guest_create(0, &vm->guest)) ||
        !ok(vm, "hv_guest_map", hv_guest_map(vm->guest, 0, vm->ram_va, vm->ram_size,
                                             HV_GUEST_PERM_READ | HV_GUEST_PERM_WRITE |
                                                 HV_GUEST_PERM_EXECUTE)) ||
        !ok(vm, "hv_guest_set_trap(COM1)", hv_guest_set_trap(vm->guest, HV_TRAP_IO, COM1_BASE,
                                                            UART_NPORTS, HV_HANDLE_INVALID,
                                                            KEY_COM1)) ||
        !ok(vm, "hv_guest_set_trap(0xe9)", hv_guest_set_trap(vm->guest, HV_TRAP_IO,
                                                            DEBUGCON_PORT, 1, HV_HANDLE_INVALID,
                                                            KEY_DEBUGCON)) ||
        !ok(vm, "hv_guest_set_trap(0xf4)", hv_guest_set_trap(vm->guest, HV_TRAP_IO, EXIT_PORT, 1,
                                                            HV_HANDLE_INVALID, KEY_EXIT)) ||
        !ok(vm, "hv_vcpu_create", hv_vcpu_create(vm->guest, 0, img.entry, &vm->vcpu)))
        return false;

    struct hv_vcpu_state regs;
    if (!ok(vm, "hv_vcpu_read_state", hv_vcpu_read_state(vm->vcpu, HV_VCPU_STATE, &regs,
                                                         sizeof(regs))))
        return false;
    if (fmt == GL_FORMAT_FLAT) {
        regs.rsp = FLAT_STACK_GPA;
    } else {
        regs.rax = boot.eax;
        regs.rbx = boot.ebx;
    }
    return ok(vm, "hv_vcpu_write_state", hv_vcpu_write_state(vm->vcpu, HV_VCPU_STATE, &regs,
                                                             sizeof(regs)));
}

/* Handles first (closing the guest removes its mappings), then the memory. */
static bool teardown(struct vm *vm)
{
    bool good = true;
    console_flush(vm);
    if (vm->vcpu != HV_HANDLE_INVALID)
        good &= ok(vm, "hv_handle_close(vcpu)", hv_handle_close(vm->vcpu));
    if (vm->guest != HV_HANDLE_INVALID)
        good &= ok(vm, "hv_handle_close(guest)", hv_handle_close(vm->guest));
    if (vm->ram_va)
        good &= ok(vm, "hv_mem_unmap", hv_mem_unmap(vm->ram_va, vm->ram_size));
    vm->vcpu = vm->guest = HV_HANDLE_INVALID;
    vm->ram_va = 0;
    return good;
}

static uint32_t run_guest(struct vm *vm, const struct hv_startup_module *m)
{
    uart_init(&vm->com1, COM1_BASE, com1_putc, vm);
    vm->done = false;
    vm->status = VMM_FAILURE;
    if (setup(vm, (const void *)(uintptr_t)m->va, m->len))
        run(vm);
    else
        fail(vm);
    if (!teardown(vm) && vm->status == 0)
        vm->status = VMM_FAILURE;
    return vm->status;
}

/* ---- start-up ------------------------------------------------------------------------------- */

/* Whether the module is named guest:WANT. */
static bool module_is(const struct hv_startup_module *m, const char *want)
{
    size_t n = strlen(MODULE_PREFIX);
    return !strncmp(m->name, MODULE_PREFIX, n) && !strncmp(m->name + n, want, sizeof(m->name) - n);
}

int main(const struct hv_startup *su)
{
    int n = rt_startup_report(su);
    if (n < 0)
        return VMM_FAILURE;

    char want[sizeof(su->modules[0].name)];
    if (!cmdline_lookup(su->cmdline, "guest", want, sizeof(want)) || !want[0])
        memcpy(want, DEFAULT_GUEST, sizeof(DEFAULT_GUEST));
    const struct hv_startup_module *m = 0;
    for (int i = 0; i < n && !m; i++)
        if (module_is(&su->modules[i], want))
            m = &su->modules[i];
    if (!m) {
        printf("root: no boot module named %s%s\n", MODULE_PREFIX, want);
        return VMM_FAILURE;
    }

    struct vm *vm = &the_vm;
    vm->name = m->name + strlen(MODULE_PREFIX);
    uint32_t status = run_guest(vm, m);
    printf("root: guest %s exited with status %u\n", vm->name, status);
    return status > 255 ? 255 : (int)status;
}
