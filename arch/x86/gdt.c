/* GDT and TSS, one set per CPU (the boot CPU's is static). */
#include "cpu.h"
#include "base.h"

static struct cpu_tables boot_tables;
static uint8_t boot_ist[3][IST_STACK_SIZE] __attribute__((aligned(16)));

/* Flat code/data descriptors: base 0, limit 4 GiB, granularity 4 KiB. */
#define DESC(access, flags) (0xffffull | (uint64_t)(access) << 40 | (uint64_t)(flags) << 52 | 0xfull << 48)

void gdt_init_cpu(struct cpu_tables *t, const uint64_t ist_tops[3])
{
    t->gdt[0] = 0;
    t->gdt[SEL_KCODE >> 3] = DESC(0x9a, 0xa);   /* present, DPL0, code, L=1 */
    t->gdt[SEL_KDATA >> 3] = DESC(0x92, 0xc);
    t->gdt[SEL_UCODE32 >> 3] = DESC(0xfa, 0xc); /* DPL3 compat code (unused, SYSRET layout) */
    t->gdt[SEL_UDATA >> 3] = DESC(0xf2, 0xc);
    t->gdt[SEL_UCODE >> 3] = DESC(0xfa, 0xa);

    for (int i = 0; i < 3; i++)
        t->tss.ist[i] = ist_tops[i];
    t->tss.iomap_base = sizeof(struct tss);     /* no I/O bitmap: ring 3 gets no ports */

    uint64_t base = (uint64_t)(uintptr_t)&t->tss;
    uint64_t limit = sizeof(struct tss) - 1;
    t->gdt[SEL_TSS >> 3] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
                           ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
    t->gdt[(SEL_TSS >> 3) + 1] = base >> 32;

    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr = {
        sizeof(t->gdt) - 1, (uint64_t)(uintptr_t)t->gdt
    };
    __asm__ volatile(
        "lgdt %0\n\t"
        "mov %1, %%ds\n\t"
        "mov %1, %%es\n\t"
        "mov %1, %%ss\n\t"
        "pushq %2\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "ltr %w3"
        :: "m"(gdtr), "r"((uint64_t)SEL_KDATA), "i"(SEL_KCODE), "r"((uint64_t)SEL_TSS)
        : "rax", "memory");
}

/* The stack the CPU switches to on an interrupt or exception from ring 3. */
void tss_set_rsp0(uint64_t rsp0)
{
    boot_tables.tss.rsp[0] = rsp0;
}

void gdt_init_boot(void)
{
    uint64_t tops[3];
    for (int i = 0; i < 3; i++)
        tops[i] = (uint64_t)(uintptr_t)&boot_ist[i][IST_STACK_SIZE];
    gdt_init_cpu(&boot_tables, tops);
}
