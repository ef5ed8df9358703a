/*
 * rt.h - the freestanding runtime of the C test guests (see README.md).
 *
 * A guest is a 32-bit Multiboot v1 ELF kernel: entry.S sets up a GDT, an
 * IDT and a stack, rt.c calls the guest's gmain() and ends the run with its
 * result on the exit port 0xf4. No paging, interrupts stay off.
 */
#ifndef GUEST_RT_H
#define GUEST_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "multiboot.h"

/* Each guest names itself once: GUEST_NAME("mb_big"); */
#define GUEST_NAME(n) const char rt_guest_name[] = n
extern const char rt_guest_name[];

/* The guest's body. 0 = every check passed; rt prints the end line and exits. */
int gmain(uint32_t magic, const struct multiboot_info *mbi);

/* Exit statuses. */
#define EXIT_OK         0
#define EXIT_CHECK      1       /* a check failed */
#define EXIT_MAGIC      2       /* not started by a Multiboot v1 loader */
#define EXIT_EXCEPTION  3       /* an exception nobody expected */
#define EXIT_STILL_ON   4       /* acpi_s5: still running after the S5 write */

/* ---- console: COM1 (polled 16550); port 0xe9 too with rt.console=e9/both ---- */
void rt_putc(char c);
void rt_puts(const char *s);
int rt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
int rt_snprintf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- ending the run ----------------------------------------------------------- */
/* 32-bit OUT of status to 0xf4; if that returns, cli; hlt forever. */
__attribute__((noreturn)) void rt_exit(uint32_t status);
/* Prints "guest NAME: FAIL what" and exits with status. */
__attribute__((noreturn, format(printf, 2, 3))) void rt_fail(uint32_t status, const char *fmt, ...);

/*
 * A check prints "  [ok] what" or "  [FAIL] what" and returns cond. The
 * first failed one names the failure in the end line: "guest NAME: FAIL what".
 */
bool check(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, but if it is the first to fail the run ends with status (not EXIT_CHECK). */
bool check_status(uint32_t status, bool cond, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int rt_failed_checks(void);

/* ---- the Multiboot information ------------------------------------------------- */
extern const struct multiboot_info *rt_mbi;     /* NULL if the magic was wrong */
/* Command line of the kernel ("" if none). */
const char *rt_cmdline(void);
/* Value of the token "key=value" in the command line, copied to buf; NULL if absent. */
const char *rt_cmdline_value(const char *key, char *buf, size_t cap);
/* rt_cmdline_value parsed as a number (0x... hex or decimal), else def. */
uint32_t rt_cmdline_u32(const char *key, uint32_t def);

/* ---- expected faults ---------------------------------------------------------------- */
/*
 * An instruction allowed to fault: RT_FIXUP("1b", "2b") after "1: insn\n2:\n"
 * in an asm statement records the pair in section rt_fixup (the linker script
 * gathers it). A fault at 1 then resumes at 2 with the vector in
 * rt_fault_vector; set it to RT_NO_FAULT before, read it after (the asm
 * needs a "memory" clobber).
 */
#define RT_NO_FAULT (-1)
#define RT_FIXUP(insn, resume) \
    ".pushsection rt_fixup, \"a\"\n.balign 4\n.long " insn ", " resume "\n.popsection\n"
extern volatile int rt_fault_vector;
/* Each runs one instruction that may fault; the vector it raised, or RT_NO_FAULT. */
int rt_rdmsr_safe(uint32_t msr, uint64_t *val);
int rt_wrmsr_safe(uint32_t msr, uint64_t val);
int rt_ud2_safe(void);
/* Optional: called with the exception report before an unexpected fault ends the run. */
extern void (*rt_fatal_hook)(void);

/* ---- interrupts ---------------------------------------------------------------------- */
/*
 * Every vector 0-255 has an interrupt gate (IF is clear in the handler). A
 * handler set here runs for its vector (an exception's fixup, above, comes
 * first); a vector without one ends the run as an unexpected exception. The
 * handler acknowledges its interrupt controller itself.
 */
typedef void (*rt_vector_fn)(uint32_t vector);
void rt_set_vector(uint8_t vector, rt_vector_fn fn);
static inline void rt_sti(void) { __asm__ volatile("sti" : : : "memory"); }
static inline void rt_cli(void) { __asm__ volatile("cli" : : : "memory"); }
/* STI; HLT: the STI shadow lets no interrupt in between, so a wake-up is not missed. */
static inline void rt_sti_hlt(void) { __asm__ volatile("sti; hlt" : : : "memory"); }
static inline void rt_pause(void) { __asm__ volatile("pause" : : : "memory"); }
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* ---- instructions ------------------------------------------------------------------ */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
/* IN/OUT of 1, 2 or 4 bytes. */
uint32_t rt_in(uint16_t port, unsigned size);
void rt_out(uint16_t port, unsigned size, uint32_t v);

/* MMIO: volatile loads and stores of 1, 2 or 4 bytes at a physical address (paging is off). */
uint32_t rt_mmio_read(uint32_t addr, unsigned size);
void rt_mmio_write(uint32_t addr, unsigned size, uint32_t v);

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};
static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}
/* Plain RDMSR/WRMSR: a #GP is an unexpected exception (use the _safe forms to probe). */
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* ---- memory and strings (rt_lib.c; the compiler may call the first four itself) ---- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* First occurrence of needle (n bytes) in hay (len bytes), or NULL. */
const void *rt_memmem(const void *hay, size_t len, const void *needle, size_t n);
const char *strstr(const char *hay, const char *needle);
bool rt_starts_with(const char *s, const char *prefix);
/* Whether the command line holds the exact whitespace-separated token tok. */
bool rt_has_token(const char *s, const char *tok);

/* ---- linker-script symbols -------------------------------------------------------- */
extern char __image_start[], __image_end[];

#endif
