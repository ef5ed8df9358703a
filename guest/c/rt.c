/* rt.c - start-up, console, exit, checks and exception handling of the C test guests. */
#include "rt.h"

#define COM1            0x3f8
#define DEBUGCON_PORT   0xe9
#define EXIT_PORT       0xf4
#define CODE_SEL        0x08
#define NEXCEPTIONS     32
#define NVECTORS        256

const struct multiboot_info *rt_mbi;
void (*rt_fatal_hook)(void);

/* ---- console ---------------------------------------------------------------------- */

static bool use_com1 = true, use_e9 = false;     /* COM1, as a PC kernel would; rt.console= */

static void com1_init(void)
{
    outb(COM1 + 1, 0x00);       /* IER: no interrupts */
    outb(COM1 + 3, 0x80);       /* LCR: DLAB, to set the divisor */
    outb(COM1 + 0, 0x01);       /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);       /* 8N1 */
    outb(COM1 + 2, 0xc7);       /* FIFOs on and cleared */
    outb(COM1 + 4, 0x03);       /* DTR, RTS */
}

static void com1_putc(char c)
{
    /* Wait for LSR.THRE; bounded, so a missing UART (all ones) or a stuck one cannot hang us. */
    for (unsigned i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
        ;
    outb(COM1, (uint8_t)c);
}

void rt_putc(char c)
{
    if (use_com1) {
        if (c == '\n')
            com1_putc('\r');
        com1_putc(c);
    }
    if (use_e9)
        outb(DEBUGCON_PORT, (uint8_t)c);
}

void rt_puts(const char *s)
{
    while (*s)
        rt_putc(*s++);
}

void rt_printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    rt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    rt_puts(buf);
}

/* ---- ending the run ------------------------------------------------------------------ */

void rt_exit(uint32_t status)
{
    outl(EXIT_PORT, status);
    for (;;)
        __asm__ volatile("cli; hlt");
}

void rt_fail(uint32_t status, const char *fmt, ...)
{
    char buf[160];
    va_list ap;
    va_start(ap, fmt);
    rt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    rt_printf("guest %s: FAIL %s\n", rt_guest_name, buf);
    rt_exit(status);
}

/* ---- checks -------------------------------------------------------------------------- */

static int nfailed;
static char first_failure[160];
static uint32_t first_failure_status;

static bool vcheck(uint32_t status, bool cond, const char *fmt, va_list ap)
{
    char buf[160];
    rt_vsnprintf(buf, sizeof(buf), fmt, ap);
    rt_printf("  [%s] %s\n", cond ? "ok" : "FAIL", buf);
    if (!cond && nfailed++ == 0) {
        memcpy(first_failure, buf, sizeof(buf));
        first_failure_status = status;
    }
    return cond;
}

bool check(bool cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool r = vcheck(EXIT_CHECK, cond, fmt, ap);
    va_end(ap);
    return r;
}

bool check_status(uint32_t status, bool cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool r = vcheck(status, cond, fmt, ap);
    va_end(ap);
    return r;
}

int rt_failed_checks(void)
{
    return nfailed;
}

/* ---- command line -------------------------------------------------------------------- */

const char *rt_cmdline(void)
{
    if (!rt_mbi || !(rt_mbi->flags & MBI_CMDLINE) || !rt_mbi->cmdline)
        return "";
    return (const char *)(uintptr_t)rt_mbi->cmdline;
}

const char *rt_cmdline_value(const char *key, char *buf, size_t cap)
{
    size_t klen = strlen(key);
    const char *found = NULL;
    size_t flen = 0;
    for (const char *p = rt_cmdline(); *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *tok = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if ((size_t)(p - tok) > klen && !strncmp(tok, key, klen) && tok[klen] == '=') {
            found = tok + klen + 1;             /* the last one wins */
            flen = (size_t)(p - found);
        }
    }
    if (!found || !cap)
        return NULL;
    if (flen > cap - 1)
        flen = cap - 1;
    memcpy(buf, found, flen);
    buf[flen] = '\0';
    return buf;
}

uint32_t rt_cmdline_u32(const char *key, uint32_t def)
{
    char buf[16];
    const char *s = rt_cmdline_value(key, buf, sizeof(buf));
    if (!s || !*s)
        return def;
    uint32_t base = 10, v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (; *s; s++) {
        uint32_t d;
        if (*s >= '0' && *s <= '9')
            d = (uint32_t)(*s - '0');
        else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
            d = (uint32_t)((*s | 0x20) - 'a' + 10);
        else
            return def;
        v = v * base + d;
    }
    return v;
}

/* ---- port I/O and MMIO ------------------------------------------------------------------ */

uint32_t rt_in(uint16_t port, unsigned size)
{
    return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

void rt_out(uint16_t port, unsigned size, uint32_t v)
{
    if (size == 1)
        outb(port, (uint8_t)v);
    else if (size == 2)
        outw(port, (uint16_t)v);
    else
        outl(port, v);
}

uint32_t rt_mmio_read(uint32_t addr, unsigned size)
{
    uintptr_t a = addr;
    if (size == 1)
        return *(volatile uint8_t *)a;
    if (size == 2)
        return *(volatile uint16_t *)a;
    return *(volatile uint32_t *)a;
}

void rt_mmio_write(uint32_t addr, unsigned size, uint32_t v)
{
    uintptr_t a = addr;
    if (size == 1)
        *(volatile uint8_t *)a = (uint8_t)v;
    else if (size == 2)
        *(volatile uint16_t *)a = (uint16_t)v;
    else
        *(volatile uint32_t *)a = v;
}

/* ---- exceptions ------------------------------------------------------------------------- */

/* What isr_common in entry.S leaves on the stack. */
struct rt_frame {
    uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
};

/* One RT_FIXUP entry (rt.h). */
struct rt_fixup {
    uint32_t insn, resume;
};
extern const struct rt_fixup __fixup_start[], __fixup_end[];
volatile int rt_fault_vector;

int rt_rdmsr_safe(uint32_t msr, uint64_t *val)
{
    uint32_t lo = 0, hi = 0;
    rt_fault_vector = RT_NO_FAULT;
    __asm__ volatile("1: rdmsr\n2:\n" RT_FIXUP("1b", "2b") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
    *val = (uint64_t)hi << 32 | lo;
    return rt_fault_vector;
}

int rt_wrmsr_safe(uint32_t msr, uint64_t val)
{
    rt_fault_vector = RT_NO_FAULT;
    __asm__ volatile("1: wrmsr\n2:\n" RT_FIXUP("1b", "2b")
                     : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
    return rt_fault_vector;
}

int rt_ud2_safe(void)
{
    rt_fault_vector = RT_NO_FAULT;
    __asm__ volatile("1: ud2\n2:\n" RT_FIXUP("1b", "2b") : : : "memory");
    return rt_fault_vector;
}

static const char *const exception_names[NEXCEPTIONS] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "coprocessor overrun",
    "#TS", "#NP", "#SS", "#GP", "#PF", "reserved 15", "#MF", "#AC", "#MC", "#XM", "#VE",
    "#CP", "reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
    "reserved 27", "#HV", "#VC", "#SX", "reserved 31",
};

static rt_vector_fn vector_handler[NVECTORS];

void rt_set_vector(uint8_t vector, rt_vector_fn fn)
{
    vector_handler[vector] = fn;
}

static const char *vector_name(uint32_t v)
{
    return v < NEXCEPTIONS ? exception_names[v] : "interrupt";
}

void rt_exception(struct rt_frame *f);
void rt_exception(struct rt_frame *f)
{
    if (f->vector < NEXCEPTIONS)
        for (const struct rt_fixup *x = __fixup_start; x < __fixup_end; x++)
            if (x->insn == f->eip) {
                rt_fault_vector = (int)f->vector;
                f->eip = x->resume;
                return;
            }
    if (f->vector < NVECTORS && vector_handler[f->vector]) {
        vector_handler[f->vector](f->vector);
        return;
    }
    static bool dying;
    if (dying)                  /* a fault while reporting one */
        rt_exit(EXIT_EXCEPTION);
    dying = true;
    uint32_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    rt_printf("exception %s (vector %u) error 0x%x at eip 0x%08x, cr2 0x%08x\n",
              vector_name(f->vector), f->vector, f->error, f->eip,
              cr2);
    rt_printf("  eax %08x ebx %08x ecx %08x edx %08x esi %08x edi %08x ebp %08x\n", f->eax, f->ebx,
              f->ecx, f->edx, f->esi, f->edi, f->ebp);
    if (rt_fatal_hook)
        rt_fatal_hook();
    rt_fail(EXIT_EXCEPTION, "unexpected exception %s (vector %u) at eip 0x%08x", vector_name(f->vector),
            f->vector, f->eip);
}

/* An interrupt gate per vector, to the stubs in entry.S. */
static uint64_t idt[NVECTORS];

static void idt_init(void)
{
    extern const uint32_t rt_isr_table[NVECTORS];
    for (int v = 0; v < NVECTORS; v++) {
        uint32_t h = rt_isr_table[v];
        idt[v] = (h & 0xffff) | (uint64_t)CODE_SEL << 16 |
                 (uint64_t)0x8e00 << 32 |              /* present, DPL 0, 32-bit interrupt gate */
                 (uint64_t)(h >> 16) << 48;
    }
    struct __attribute__((packed)) {
        uint16_t limit;
        uint32_t base;
    } idtr = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

/* ---- start ------------------------------------------------------------------------------ */

void rt_start(uint32_t magic, const struct multiboot_info *mbi);
__attribute__((noreturn)) void rt_start(uint32_t magic, const struct multiboot_info *mbi)
{
    idt_init();
    rt_mbi = magic == MB_BOOT_MAGIC ? mbi : NULL;
    char con[8];
    if (rt_cmdline_value("rt.console", con, sizeof(con))) {      /* com1, e9 or both */
        use_com1 = !strcmp(con, "com1") || !strcmp(con, "both");
        use_e9 = !strcmp(con, "e9") || !strcmp(con, "both");
        if (!use_com1 && !use_e9)
            use_com1 = use_e9 = true;   /* an unknown value: both */
    }
    if (use_com1)
        com1_init();
    rt_printf("guest %s: start\n", rt_guest_name);
    if (magic != MB_BOOT_MAGIC)
        rt_fail(EXIT_MAGIC, "boot magic 0x%08x, not 0x%08x (not a Multiboot v1 loader)", magic,
                MB_BOOT_MAGIC);
    int r = gmain(magic, mbi);
    if (r == 0 && nfailed == 0) {
        rt_printf("guest %s: ok\n", rt_guest_name);
        rt_exit(EXIT_OK);
    }
    if (nfailed)
        rt_fail(r ? (uint32_t)r : first_failure_status, "%s (%d checks failed)", first_failure, nfailed);
    rt_fail((uint32_t)r, "status %d", r);
}
