/*
 * probe: what a PC does with accesses nothing claims. Unused ports read all
 * ones at every size and drop writes; port 0x80 takes writes; PCI
 * configuration mechanism #1 either has a host bridge at 00:00.0 or reads all
 * ones ("no device"); unclaimed MMIO reads all ones and drops writes;
 * unknown MSRs raise #GP on RDMSR and WRMSR, caught by our IDT, and the guest
 * goes on. Exit status 0 if all of it holds.
 *
 * QEMU's TCG differs from a PC in two of these, and under TCG (CPUID
 * hypervisor signature "TCGTCGTCGTCG") they are reported as "[tcg]" lines,
 * not failures: unclaimed MMIO reads 0 (QEMU's unassigned memory), and
 * RDMSR/WRMSR of an unknown MSR do not fault (TCG reads 0, drops the write).
 */
#include "rt.h"
#include "mb_util.h"

GUEST_NAME("probe");

static const uint32_t ones[5] = { 0, 0xff, 0xffff, 0, 0xffffffff };
static const unsigned sizes[3] = { 1, 2, 4 };
static bool tcg;                /* QEMU TCG: see above */

/* A known difference of QEMU's TCG from a PC: said, not counted as a failure. */
__attribute__((format(printf, 1, 2))) static void tcg_deviation(const char *fmt, ...)
{
    char buf[120];
    va_list ap;
    va_start(ap, fmt);
    rt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    rt_printf("  [tcg] %s: QEMU TCG differs from a PC here, not counted\n", buf);
}

/* MOV of the null selector to SS: #GP(0) in protected mode. */
static int load_null_ss(void)
{
    rt_fault_vector = RT_NO_FAULT;
    __asm__ volatile("1: mov %0, %%ss\n2:\n" RT_FIXUP("1b", "2b") : : "r"(0) : "memory");
    return rt_fault_vector;
}

/* The CPUID hypervisor signature, or "" on bare metal. */
static void hypervisor_signature(char sig[13])
{
    sig[0] = '\0';
    if (!(cpuid(1, 0).ecx & (1u << 31)))
        return;
    struct cpuid_regs r = cpuid(0x40000000, 0);
    memcpy(sig, &r.ebx, 4);
    memcpy(sig + 4, &r.ecx, 4);
    memcpy(sig + 8, &r.edx, 4);
    sig[12] = '\0';
}

/* Ports no PC device decodes: legacy ISA gaps and the top of the 64 KiB space. */
static const uint16_t unused_ports[] = { 0x0100, 0x0210, 0x02a0, 0x0330, 0x0460, 0x06f0, 0x0a70,
                                         0x0e00, 0x4000, 0x8000, 0xfff0 };

static void check_ports(void)
{
    rt_printf("ports: %u unused ports, IN and OUT at sizes 1, 2, 4\n",
              (unsigned)(sizeof(unused_ports) / sizeof(unused_ports[0])));
    unsigned bad = 0;
    for (unsigned i = 0; i < sizeof(unused_ports) / sizeof(unused_ports[0]); i++) {
        uint16_t p = unused_ports[i];
        for (unsigned s = 0; s < 3; s++) {
            unsigned size = sizes[s];
            uint32_t a = rt_in(p, size);
            rt_out(p, size, 0x5a5aa5a5u);      /* must be dropped */
            uint32_t b = rt_in(p, size);
            if (a != ones[size] || b != ones[size]) {
                if (bad++ < 8)
                    rt_printf("  port 0x%04x size %u: read 0x%x, after a write 0x%x\n", p, size, a, b);
            }
        }
    }
    check(bad == 0, "unused ports read all ones at sizes 1/2/4, before and after OUT (%u bad)", bad);
}

static void check_port80(void)
{
    for (unsigned i = 0; i < 256; i++)
        outb(0x80, (uint8_t)i);
    check(true, "256 OUTs to port 0x80 (POST code) went through");
}

/* PCI configuration mechanism #1: CONFIG_ADDRESS 0xcf8, CONFIG_DATA 0xcfc. */
static uint32_t pci_read(unsigned bus, unsigned dev, unsigned fn, unsigned reg, unsigned size)
{
    outl(0xcf8, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
    return rt_in((uint16_t)(0xcfc + (reg & 3)), size);
}

static void check_pci(void)
{
    uint32_t id = pci_read(0, 0, 0, 0, 4);
    uint16_t vendor = (uint16_t)id;
    if (vendor == 0xffff) {
        rt_printf("pci 00:00.0: none (all ones)\n");
        unsigned bad = 0;
        for (unsigned reg = 0; reg < 16; reg++)
            for (unsigned s = 0; s < 3; s++)
                if ((reg & (sizes[s] - 1)) == 0 && pci_read(0, 0, 0, reg, sizes[s]) != ones[sizes[s]])
                    bad++;
        check(id == 0xffffffff && bad == 0,
              "no PCI device 00:00.0: config reads all ones at sizes 1/2/4 (id 0x%08x, %u bad)", id, bad);
        return;
    }
    /* A host bridge: class 06, subclass 00 in the top bytes of register 8. */
    uint32_t class = pci_read(0, 0, 0, 8, 4) >> 16;
    rt_printf("pci 00:00.0: vendor %04x device %04x class %04x\n", vendor, id >> 16, class);
    check(vendor != 0 && class == 0x0600, "PCI 00:00.0 is a host bridge (class 0x0600)");
}

/* Addresses with nothing there on a PC: the PCI hole, and 0xfeb00000 below the IOAPIC. */
static const uint32_t unused_mmio[] = { 0xc0000000, 0xe0000000, 0xfeb00000 };

/* Whether every probe of the page reads all ones, or zeros if zeros (after a write if write). */
static bool mmio_reads(uint32_t page, bool write, bool zeros, bool verbose)
{
    static const struct { unsigned off, size; } at[] = {
        { 0, 1 }, { 3, 1 }, { 0, 2 }, { 2, 2 }, { 0, 4 }, { 0x100, 4 }, { 0xffe, 4 } /* crosses the page */
    };
    bool good = true;
    for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        uint32_t a = page + at[i].off;
        if (write)
            rt_mmio_write(a, at[i].size, 0x12345678u);
        uint32_t v = rt_mmio_read(a, at[i].size);
        if (v != (zeros ? 0 : ones[at[i].size])) {
            if (verbose)
                rt_printf("  mmio 0x%08x size %u: read 0x%x%s\n", a, at[i].size, v,
                      write ? " after a write" : "");
            good = false;
        }
    }
    return good;
}

static void check_mmio(void)
{
    for (unsigned i = 0; i < sizeof(unused_mmio) / sizeof(unused_mmio[0]); i++) {
        uint32_t a = unused_mmio[i];
        if (mb_mmap_covers_any(a, 0x2000)) {
            rt_printf("mmio 0x%08x: in the memory map, skipped\n", a);
            continue;
        }
        if (tcg && mmio_reads(a, true, true, false)) {
            tcg_deviation("mmio 0x%08x reads 0, not all ones, before and after writes", a);
            continue;
        }
        check(mmio_reads(a, false, false, true), "mmio 0x%08x reads all ones at sizes 1/2/4", a);
        check(mmio_reads(a, true, false, true), "mmio 0x%08x drops writes (reads all ones after)", a);
    }
}

static const uint32_t unknown_msrs[] = { 0x0000beef, 0x40000123, 0xc0011234 };

static void check_msrs(void)
{
    for (unsigned i = 0; i < sizeof(unknown_msrs) / sizeof(unknown_msrs[0]); i++) {
        uint32_t msr = unknown_msrs[i];
        uint64_t v = 0;
        int rd = rt_rdmsr_safe(msr, &v);
        int wr = rt_wrmsr_safe(msr, 0x1234);
        if (tcg && rd == RT_NO_FAULT && wr == RT_NO_FAULT) {
            tcg_deviation("RDMSR and WRMSR 0x%08x raise no #GP", msr);
            continue;
        }
        check(rd == 13, "RDMSR 0x%08x raises #GP (vector %d)", msr, rd);
        check(wr == 13, "WRMSR 0x%08x raises #GP (vector %d)", msr, wr);
    }
    /* Known MSRs read without a fault: the handler only catches what faults. */
    struct cpuid_regs l1 = cpuid(1, 0);
    uint64_t v;
    if (l1.edx & (1u << 9)) {
        int r = rt_rdmsr_safe(0x1b, &v);
        check(r == RT_NO_FAULT, "RDMSR IA32_APIC_BASE does not fault (0x%llx)", (unsigned long long)v);
    }
    if (cpuid(0x80000000, 0).eax >= 0x80000001 &&
        (cpuid(0x80000001, 0).edx & (1u << 20 | 1u << 29))) {
        int r = rt_rdmsr_safe(0xc0000080, &v);
        check(r == RT_NO_FAULT, "RDMSR IA32_EFER does not fault (0x%llx)", (unsigned long long)v);
    }
}

int gmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    char sig[13];
    hypervisor_signature(sig);
    tcg = !strcmp(sig, "TCGTCGTCGTCG");
    rt_printf("cpu: hypervisor signature \"%s\"\n", sig);
    check(rt_ud2_safe() == 6, "UD2 raises #UD, our IDT catches it and resumes");
    check(load_null_ss() == 13, "loading a null SS raises #GP, caught and resumed");
    check_ports();
    check_port80();
    check_pci();
    check_mmio();
    check_msrs();
    return 0;
}
