/* pc.c - PC platform helpers of the C test guests (see pc.h). */
#include "pc.h"

/* ---- arithmetic ---------------------------------------------------------------------------- */

uint64_t udiv64(uint64_t n, uint64_t d)
{
    if (d == 0)
        return ~0ull;
    if ((n >> 32) == 0 && (d >> 32) == 0)
        return (uint32_t)n / (uint32_t)d;
    uint64_t q = 0, r = 0;
    for (int i = 63; i >= 0; i--) {         /* shift and subtract, a bit at a time */
        r = r << 1 | ((n >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= 1ull << i;
        }
    }
    return q;
}

const char *pc_mhz(char *buf, size_t cap, uint64_t hz)
{
    uint32_t khz = (uint32_t)udiv64(hz + 500, 1000);
    rt_snprintf(buf, cap, "%u.%03u", khz / 1000, khz % 1000);
    return buf;
}

bool pc_within(uint64_t got, uint64_t want, uint32_t div)
{
    uint64_t diff = got > want ? got - want : want - got;
    return diff <= udiv64(want, div);
}

/* ---- TSC ----------------------------------------------------------------------------------- */

uint64_t pc_tsc_hz(const char **src)
{
    uint32_t max = cpuid(0, 0).eax;
    if (max >= 0x15) {
        struct cpuid_regs r = cpuid(0x15, 0);
        if (r.eax && r.ebx && r.ecx) {
            *src = "cpuid 0x15";
            return udiv64((uint64_t)r.ecx * r.ebx, r.eax);
        }
    }
    if (max >= 0x16) {
        uint32_t mhz = cpuid(0x16, 0).eax & 0xffff;
        if (mhz) {
            *src = "cpuid 0x16";
            return (uint64_t)mhz * 1000000u;
        }
    }
    if (cpuid(1, 0).ecx & (1u << 31) && cpuid(0x40000000, 0).eax >= 0x40000010) {
        uint32_t khz = cpuid(0x40000010, 0).eax;
        if (khz) {
            *src = "cpuid 0x40000010";
            return (uint64_t)khz * 1000u;
        }
    }
    uint32_t khz = rt_cmdline_u32("tsc_khz", 0);     /* e.g. QEMU's TCG, whose CPUID has none */
    if (khz) {
        *src = "tsc_khz=";
        return (uint64_t)khz * 1000u;
    }
    *src = "none";
    return 0;
}

void pc_delay_us(uint64_t tsc_hz, uint32_t us)
{
    uint64_t start = rdtsc(), ticks = muldiv64(tsc_hz, us, 1000000);
    while (rdtsc() - start < ticks)
        rt_pause();
}

/* ---- 8259A ----------------------------------------------------------------------------------- */

void pic_init(uint8_t master_base, uint8_t slave_base, uint16_t mask)
{
    outb(PIC1_CMD, 0x11);               /* ICW1: edge, cascade, ICW4 follows */
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, master_base);       /* ICW2: vector base (bits 7:3) */
    outb(PIC2_DATA, slave_base);
    outb(PIC1_DATA, 0x04);              /* ICW3 master: a slave on IR2 */
    outb(PIC2_DATA, 0x02);              /* ICW3 slave: its ID, 2 */
    outb(PIC1_DATA, 0x01);              /* ICW4: 8086 mode, normal EOI, not buffered */
    outb(PIC2_DATA, 0x01);
    pic_set_mask(mask);
}

void pic_set_mask(uint16_t mask)
{
    outb(PIC1_DATA, (uint8_t)mask);
    outb(PIC2_DATA, (uint8_t)(mask >> 8));
}

uint16_t pic_get_mask(void)
{
    return (uint16_t)(inb(PIC1_DATA) | inb(PIC2_DATA) << 8);
}

void pic_eoi(unsigned irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

static uint16_t pic_read(uint8_t ocw3)
{
    outb(PIC1_CMD, ocw3);
    outb(PIC2_CMD, ocw3);
    return (uint16_t)(inb(PIC1_CMD) | inb(PIC2_CMD) << 8);
}

uint16_t pic_read_irr(void)
{
    return pic_read(PIC_READ_IRR);
}

uint16_t pic_read_isr(void)
{
    uint16_t v = pic_read(PIC_READ_ISR);
    pic_read(PIC_READ_IRR);             /* leave the default, IRR, selected */
    return v;
}

/* ---- 8254 ------------------------------------------------------------------------------------- */

void pit_program(unsigned ch, unsigned mode, uint16_t count)
{
    outb(PIT_CMD, (uint8_t)(ch << 6 | 0x30 | mode << 1));
    outb((uint16_t)(0x40 + ch), (uint8_t)count);
    outb((uint16_t)(0x40 + ch), (uint8_t)(count >> 8));
}

uint16_t pit_read_count(unsigned ch)
{
    outb(PIT_CMD, (uint8_t)(ch << 6));  /* counter latch command */
    uint8_t lo = inb((uint16_t)(0x40 + ch));
    return (uint16_t)(lo | inb((uint16_t)(0x40 + ch)) << 8);
}

/* ---- ACPI --------------------------------------------------------------------------------------- */

struct sdt_header {
    char signature[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem_id[6], oem_table_id[8];
    uint32_t oem_revision, creator_id, creator_revision;
} __attribute__((packed));

static uint8_t bytesum(const void *p, uint32_t n)
{
    const uint8_t *b = p;
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *b++);
    return s;
}

static uint32_t get32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t get64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* The RSDP on a 16-byte boundary in the EBDA's first KiB or in 0xe0000-0xfffff (ACPI 5.2.5.1). */
static const uint8_t *rsdp_scan(uint32_t base, uint32_t len)
{
    for (uint32_t a = base; a + 20 <= base + len; a += 16) {
        const uint8_t *r = (const void *)(uintptr_t)a;
        if (!memcmp(r, "RSD PTR ", 8) && bytesum(r, 20) == 0)
            return r;
    }
    return NULL;
}

static const struct sdt_header *sdt_at(uint64_t a)
{
    if (!a || a >= (1ull << 32) - sizeof(struct sdt_header))
        return NULL;
    const struct sdt_header *t = (const void *)(uintptr_t)a;
    if (t->length < sizeof(*t) || t->length > (1u << 20) || bytesum(t, t->length))
        return NULL;
    return t;
}

const void *acpi_table(const char *sig)
{
    uint32_t ebda = rt_mmio_read(0x40e, 2) << 4;
    const uint8_t *rsdp = NULL;
    if (ebda >= 0x400 && ebda + 1024 <= 0xa0000)
        rsdp = rsdp_scan(ebda, 1024);
    if (!rsdp)
        rsdp = rsdp_scan(0xe0000, 0x20000);
    if (!rsdp)
        return NULL;
    const struct sdt_header *list = NULL;
    unsigned width = 4;
    if (rsdp[15] >= 2 && (list = sdt_at(get64(rsdp + 24))) != NULL)
        width = 8;                      /* the XSDT */
    else
        list = sdt_at(get32(rsdp + 16));
    if (!list)
        return NULL;
    unsigned n = (list->length - sizeof(*list)) / width;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *e = (const uint8_t *)list + sizeof(*list) + i * width;
        const struct sdt_header *t = sdt_at(width == 8 ? get64(e) : get32(e));
        if (t && !memcmp(t->signature, sig, 4))
            return t;
    }
    return NULL;
}

uint16_t acpi_pm_timer(uint32_t *mask)
{
    const struct sdt_header *f = acpi_table("FACP");
    if (!f || f->length < 116)
        return 0;
    const uint8_t *b = (const uint8_t *)f;
    uint32_t flags = get32(b + 112);
    *mask = flags & (1u << 8) ? 0xffffffffu : 0xffffffu;     /* TMR_VAL_EXT */
    uint32_t port = get32(b + 76);                             /* PM_TMR_BLK */
    if (f->length >= 220 && b[208] == 1 && get64(b + 212))     /* X_PM_TMR_BLK in system I/O */
        port = (uint32_t)get64(b + 212);
    return (uint16_t)port;
}

bool acpi_madt(struct madt_info *m)
{
    memset(m, 0, sizeof(*m));
    for (unsigned i = 0; i < 16; i++)
        m->irq_gsi[i] = i;
    const struct sdt_header *t = acpi_table("APIC");
    if (!t || t->length < 44)
        return false;
    const uint8_t *p = (const uint8_t *)t + 44, *end = (const uint8_t *)t + t->length;
    m->lapic_addr = get32((const uint8_t *)t + 36);
    m->pcat_compat = get32((const uint8_t *)t + 40) & 1;
    while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
        if (p[0] == 1 && p[1] >= 12) {                          /* I/O APIC */
            if (m->ioapics++ == 0) {
                m->ioapic_addr = get32(p + 4);
                m->ioapic_gsi_base = get32(p + 8);
            }
        } else if (p[0] == 2 && p[1] >= 10 && p[2] == 0 && p[3] < 16) {    /* ISA override */
            m->irq_gsi[p[3]] = get32(p + 4);
            m->irq_flags[p[3]] = (uint16_t)(p[8] | p[9] << 8);
        }
        p += p[1];
    }
    return true;
}

/* ---- local APIC ----------------------------------------------------------------------------------- */

uint32_t lapic_base(void)
{
    return (uint32_t)rdmsr(MSR_APIC_BASE) & 0xfffff000u;
}

bool lapic_vector_bit(uint32_t base, uint32_t reg, uint8_t vector)
{
    return lapic_read(base, reg + 0x10 * (vector / 32)) >> (vector % 32) & 1;
}

/* ---- I/O APIC --------------------------------------------------------------------------------------- */

uint32_t ioapic_read(uint32_t base, uint32_t reg)
{
    rt_mmio_write(base + IOAPIC_REGSEL, 4, reg);
    return rt_mmio_read(base + IOAPIC_WIN, 4);
}

void ioapic_write(uint32_t base, uint32_t reg, uint32_t v)
{
    rt_mmio_write(base + IOAPIC_REGSEL, 4, reg);
    rt_mmio_write(base + IOAPIC_WIN, 4, v);
}

uint64_t ioapic_rte(uint32_t base, unsigned pin)
{
    uint32_t lo = ioapic_read(base, 0x10 + 2 * pin);
    return (uint64_t)ioapic_read(base, 0x11 + 2 * pin) << 32 | lo;
}

void ioapic_set_rte(uint32_t base, unsigned pin, uint64_t v)
{
    ioapic_write(base, 0x10 + 2 * pin, (uint32_t)v | (uint32_t)IOAPIC_RTE_MASKED);
    ioapic_write(base, 0x11 + 2 * pin, (uint32_t)(v >> 32));
    ioapic_write(base, 0x10 + 2 * pin, (uint32_t)v);
}

/* ---- 16550 ------------------------------------------------------------------------------------------- */

void uart_drain(void)
{
    for (unsigned i = 0; i < 1000000 && !(inb(COM1_BASE + UART_LSR) & UART_LSR_TEMT); i++)
        ;
}
