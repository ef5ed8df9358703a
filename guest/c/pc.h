/*
 * pc.h - PC platform helpers of the C test guests (pc.c): 64-bit division,
 * the TSC frequency from CPUID, the 8259A pair, the 8254, the ACPI tables
 * (RSDP, RSDT/XSDT, FADT's PM timer, MADT), the local APIC (xAPIC MMIO) and
 * the I/O APIC. Written from the datasheets: Intel 8259A, 8254, 82093AA,
 * SDM Vol. 3A ch. 10-11, ACPI 6.x ch. 5.
 */
#ifndef GUEST_PC_H
#define GUEST_PC_H

#include "rt.h"

/* ---- arithmetic (no libgcc: no 64-bit division otherwise) --------------------------- */
uint64_t udiv64(uint64_t n, uint64_t d);                    /* n / d; d != 0 */
/* a * b / c with a 64-bit product (the caller keeps a * b below 2^64). */
static inline uint64_t muldiv64(uint64_t a, uint64_t b, uint64_t c) { return udiv64(a * b, c); }
/* Prints hz as "M.mmm" MHz into buf. */
const char *pc_mhz(char *buf, size_t cap, uint64_t hz);
/* |got - want| <= want / div (e.g. div 100: within 1%). */
bool pc_within(uint64_t got, uint64_t want, uint32_t div);

/* ---- TSC ------------------------------------------------------------------------------- */
/*
 * The TSC frequency as CPUID gives it: leaf 0x15 (crystal Hz ECX * EBX / EAX),
 * else leaf 0x16 (base MHz, EAX), else the hypervisor leaf 0x40000010 (kHz,
 * EAX), else the command line's tsc_khz= (for emulators whose CPUID has none,
 * such as QEMU's TCG). 0 if none. *src names the source.
 */
uint64_t pc_tsc_hz(const char **src);
/* Busy-waits us microseconds of TSC time. */
void pc_delay_us(uint64_t tsc_hz, uint32_t us);

/* ---- 8259A pair ------------------------------------------------------------------------- */
#define PIC1_CMD        0x20
#define PIC1_DATA       0x21
#define PIC2_CMD        0xa0
#define PIC2_DATA       0xa1
#define PIC_EOI         0x20            /* OCW2: non-specific EOI */
#define PIC_READ_IRR    0x0a            /* OCW3: RR=1, RIS=0 */
#define PIC_READ_ISR    0x0b            /* OCW3: RR=1, RIS=1 */
#define PIC_POLL        0x0c            /* OCW3: P=1 */
/* ICW1-ICW4 to both (edge, cascade on IR2, 8086 mode, normal EOI), then OCW1 = mask (bit n: IRQ n). */
void pic_init(uint8_t master_base, uint8_t slave_base, uint16_t mask);
void pic_set_mask(uint16_t mask);
uint16_t pic_get_mask(void);
/* Non-specific EOI for irq: to the slave first for IRQ 8-15, then to the master. */
void pic_eoi(unsigned irq);
/* IRR and ISR of both (slave in the high byte), read through OCW3. */
uint16_t pic_read_irr(void);
uint16_t pic_read_isr(void);

/* ---- 8254 -------------------------------------------------------------------------------- */
#define PIT_HZ          1193182u
#define PIT_CMD         0x43
#define PORT_B          0x61            /* bit 0 gate 2, bit 1 speaker, bit 5 OUT2 */
/* Control word (ch, LSB then MSB, mode, binary), then the count (0 = 65536). */
void pit_program(unsigned ch, unsigned mode, uint16_t count);
/* Counter latch command and the latched count of ch. */
uint16_t pit_read_count(unsigned ch);

/* ---- ACPI --------------------------------------------------------------------------------- */
/* The table with signature sig listed in the XSDT (or the RSDT), checksum good; NULL if none. */
const void *acpi_table(const char *sig);
/* The PM timer port from the FADT (0 if none) and its mask (24 or 32 bits). */
uint16_t acpi_pm_timer(uint32_t *mask);
#define PM_TIMER_HZ     3579545u

struct madt_info {
    uint32_t lapic_addr, ioapic_addr, ioapic_gsi_base;
    unsigned ioapics;
    uint32_t irq_gsi[16];               /* ISA IRQ -> GSI (identity unless overridden) */
    uint16_t irq_flags[16];             /* MPS INTI flags of an override (0: bus default) */
    bool pcat_compat;                   /* 8259s present (flags bit 0) */
};
/* false if there is no MADT. */
bool acpi_madt(struct madt_info *m);

/* ---- local APIC (xAPIC, MMIO) --------------------------------------------------------------- */
#define MSR_APIC_BASE   0x1b
#define APIC_BASE_BSP   (1u << 8)
#define APIC_BASE_X2    (1u << 10)
#define APIC_BASE_EN    (1u << 11)
enum {
    LAPIC_ID = 0x20, LAPIC_VER = 0x30, LAPIC_TPR = 0x80, LAPIC_EOI = 0xb0, LAPIC_SVR = 0xf0,
    LAPIC_ISR = 0x100, LAPIC_TMR = 0x180, LAPIC_IRR = 0x200, LAPIC_ESR = 0x280, LAPIC_ICR = 0x300,
    LAPIC_LVT_TIMER = 0x320, LAPIC_LVT_LINT0 = 0x350, LAPIC_LVT_LINT1 = 0x360,
    LAPIC_LVT_ERROR = 0x370, LAPIC_TIMER_INIT = 0x380, LAPIC_TIMER_CUR = 0x390,
    LAPIC_TIMER_DIV = 0x3e0,
};
#define LAPIC_SVR_ENABLE        (1u << 8)
#define LAPIC_LVT_MASKED        (1u << 16)
#define LAPIC_TIMER_PERIODIC    (1u << 17)
/* The xAPIC base from IA32_APIC_BASE (which must exist: CPUID.1:EDX.APIC). */
uint32_t lapic_base(void);
static inline uint32_t lapic_read(uint32_t base, uint32_t reg) { return rt_mmio_read(base + reg, 4); }
static inline void lapic_write(uint32_t base, uint32_t reg, uint32_t v) { rt_mmio_write(base + reg, 4, v); }
/* Bit `vector` of the 256-bit ISR/TMR/IRR array starting at reg. */
bool lapic_vector_bit(uint32_t base, uint32_t reg, uint8_t vector);

/* ---- I/O APIC ---------------------------------------------------------------------------------- */
#define IOAPIC_DEFAULT          0xfec00000u
#define IOAPIC_REGSEL           0x00
#define IOAPIC_WIN              0x10
#define IOAPIC_REG_ID           0x00
#define IOAPIC_REG_VER          0x01
#define IOAPIC_RTE_MASKED       (1ull << 16)
#define IOAPIC_RTE_LEVEL        (1ull << 15)
#define IOAPIC_RTE_RIRR         (1ull << 14)
#define IOAPIC_RTE_LOW_ACTIVE   (1ull << 13)
#define IOAPIC_RTE_PENDING      (1ull << 12)    /* delivery status */
uint32_t ioapic_read(uint32_t base, uint32_t reg);
void ioapic_write(uint32_t base, uint32_t reg, uint32_t v);
uint64_t ioapic_rte(uint32_t base, unsigned pin);
/* High dword first, so that an unmasked entry never has a half-written destination. */
void ioapic_set_rte(uint32_t base, unsigned pin, uint64_t v);

/* ---- 16550 COM1 -------------------------------------------------------------------------------- */
#define COM1_BASE       0x3f8
#define UART_RBR        0               /* DLAB=0 read */
#define UART_THR        0               /* DLAB=0 write */
#define UART_IER        1               /* bit 0 RDI, bit 1 THRI */
#define UART_IIR        2               /* bit 0: 1 = nothing pending; bits 3:1 the source */
#define UART_MCR        4               /* bit 3: OUT2, which gates the IRQ line on a PC */
#define UART_LSR        5               /* bit 0 DR, bit 5 THRE, bit 6 TEMT */
#define UART_IER_RDI    0x01
#define UART_IER_THRI   0x02
#define UART_MCR_OUT2   0x08
#define UART_LSR_DR     0x01
#define UART_LSR_TEMT   0x40
/* Waits (bounded) until the transmitter is empty, so that no console byte is in flight. */
void uart_drain(void);

#endif
