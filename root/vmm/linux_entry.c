/*
 * The Linux 64-bit entry state (linux_loader.h): the boot GDT, the
 * identity-mapped page tables, and the vCPU registers that enter the kernel.
 * Pure.
 */
#include "linux_loader.h"
#include "x86_regs.h"

/* GDT descriptors (SDM Vol. 3A 3.4.5): base 0, limit 0xfffff in 4 KiB units. */
#define DESC_CODE64 0x00af9b000000ffffull   /* P, DPL 0, S, execute/read accessed, L, G */
#define DESC_DATA   0x00cf93000000ffffull   /* P, DPL 0, S, read/write accessed, D/B, G */

/* The same segments in the VMCS access-rights format (include/hv/state.h). */
#define AR_CODE64 0xa09bu
#define AR_DATA   0xc093u

#define PTE_P   0x1ull
#define PTE_RW  0x2ull
#define PTE_PS  0x80ull                     /* a 2 MiB page in a PD entry */
#define PAGE_2M 0x200000ull

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void lx_write_gdt(uint8_t *gdt)
{
    put64(gdt + 0, 0);
    put64(gdt + 8, 0);
    put64(gdt + LX_BOOT_CS, DESC_CODE64);
    put64(gdt + LX_BOOT_DS, DESC_DATA);
}

void lx_write_page_tables(uint8_t *pml4, uint8_t *pdpt, uint8_t *pds)
{
    for (unsigned i = 0; i < 512; i++) {
        put64(pml4 + 8 * i, i == 0 ? LX_PDPT_GPA | PTE_P | PTE_RW : 0);
        put64(pdpt + 8 * i, i < LX_PD_COUNT ? (LX_PD_GPA + GL_PAGE * i) | PTE_P | PTE_RW : 0);
    }
    for (uint64_t i = 0; i < 512ull * LX_PD_COUNT; i++)
        put64(pds + 8 * i, i * PAGE_2M | PTE_P | PTE_RW | PTE_PS);
}

void lx_entry_state(uint64_t kernel_gpa, struct lx_entry *e)
{
    *e = (struct lx_entry){
        .rip = kernel_gpa + LB_ENTRY64_OFFSET,
        .rsi = LX_BOOT_PARAMS_GPA,
        .rsp = LX_STACK_GPA,
        .cr0 = CR0_PE | CR0_ET | CR0_PG,
        .cr3 = LX_PML4_GPA,
        .cr4 = CR4_PAE,
        .efer = EFER_LME | EFER_LMA,
        .gdt_base = LX_GDT_GPA,
        .gdt_limit = LX_GDT_ENTRIES * 8 - 1,
        .cs = LX_BOOT_CS,
        .ds = LX_BOOT_DS,
    };
}

static struct hv_segment flat(uint16_t selector, uint32_t ar)
{
    return (struct hv_segment){ .base = 0, .limit = 0xffffffffu, .ar = ar, .selector = selector };
}

void lx_entry_sregs(const struct lx_entry *e, struct hv_vcpu_sregs *sr)
{
    sr->cs = flat(e->cs, AR_CODE64);
    sr->ds = sr->es = sr->ss = sr->fs = sr->gs = flat(e->ds, AR_DATA);
    sr->gdt.base = e->gdt_base;
    sr->gdt.limit = e->gdt_limit;
    sr->cr0 = e->cr0;
    sr->cr3 = e->cr3;
    sr->cr4 = e->cr4;
    sr->efer = e->efer;
}

void lx_entry_regs(const struct lx_entry *e, struct hv_vcpu_state *s)
{
    *s = (struct hv_vcpu_state){ .rip = e->rip, .rsi = e->rsi, .rsp = e->rsp, .rflags = 0x2 };
}
