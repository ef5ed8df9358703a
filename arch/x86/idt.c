/* The IDT: 256 interrupt gates onto kernel/isr.asm's stubs. */
#include "cpu.h"

extern const uint64_t isr_table[256];

struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, reserved;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));

static void set_gate(int vec, uint64_t handler, uint8_t ist)
{
    idt[vec] = (struct idt_gate){
        .off_lo = handler & 0xffff,
        .sel = SEL_KCODE,
        .ist = ist,
        .type = 0x8e,                   /* present, DPL0, 64-bit interrupt gate */
        .off_mid = (handler >> 16) & 0xffff,
        .off_hi = handler >> 32,
    };
}

void idt_load(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr = {
        sizeof(idt) - 1, (uint64_t)(uintptr_t)idt
    };
    __asm__ volatile("lidt %0" ::"m"(idtr));
}

void idt_init(void)
{
    for (int v = 0; v < 256; v++)
        set_gate(v, isr_table[v], 0);
    /* Faults that can arrive on a broken stack get a known-good one. */
    idt[8].ist = IST_DOUBLE_FAULT;
    idt[2].ist = IST_NMI;
    idt[18].ist = IST_MACHINE_CHECK;
    idt_load();
}
