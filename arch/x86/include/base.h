/* Base services of arch/x86 every layer above may call: console, logging, panic, shutdown, command line. */
#ifndef BASE_H
#define BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/*
 * Shutdown statuses. Under QEMU isa-debug-exit the process exits with
 * (status << 1) | 1; under Bochs status 0 exits 0 and anything else 1,
 * and the serial log always carries "shutdown: status N".
 */
enum shutdown_status {
    SHUTDOWN_OK = 0,
    SHUTDOWN_FAIL = 1,          /* panic, unexpected exception, failed self test */
    SHUTDOWN_NO_VMX = 2,        /* CPUID.1:ECX.VMX clear */
    SHUTDOWN_VMX_LOCKED = 3,    /* IA32_FEATURE_CONTROL locked with VMX off */
    SHUTDOWN_BAD_BOOT = 4,      /* unusable boot information / memory map */
    SHUTDOWN_NO_LONGMODE = 5,   /* reported by the 32-bit stub only */
};

/* console.c */
void console_init(const char *cmdline);
void console_putc(char c);
void console_write(const char *s, size_t n);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void klog(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_set_level(enum log_level lvl);
/*
 * Console input: console_rx_poll moves COM1's received bytes (at most 64 a
 * call; none with console=e9 or without a UART) into a FIFO of
 * HV_CONSOLE_BUFFER bytes that drops the bytes that find it full
 * (console_rx_dropped counts them). peek copies the oldest without taking
 * them, consume takes them. Kernel context (interrupts off).
 */
void console_rx_poll(void);
uint32_t console_rx_peek(uint8_t *dst, uint32_t max);
void console_rx_consume(uint32_t n);
void console_rx_clear(void);
uint64_t console_rx_dropped(void);
/* TSC ticks spent waiting for the UART (to tell boot path length from console pacing). */
extern uint64_t console_wait_ticks;

#define pr_err(...)   klog(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) klog(LOG_DEBUG, __VA_ARGS__)

/* shutdown.c */
__attribute__((noreturn)) void shutdown(enum shutdown_status status);
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* cmdline.c: "key=value" lookup in the boot command line. */
const char *cmdline_get(const char *key, char *buf, size_t cap);
bool cmdline_has(const char *key, const char *value);
void cmdline_set(const char *cmdline);

/* pic.c: remap the legacy 8259s out of the exception range and mask them. */
void pic_disable(void);

/* TSC at the first instruction of the kernel (set by the entry stubs). */
extern uint64_t kernel_entry_tsc;

#endif
