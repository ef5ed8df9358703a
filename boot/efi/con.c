/* Loader console: COM1 (polled 16550) plus firmware ConOut, tiny printf. */
#include <stdarg.h>
#include "con.h"

#define COM1        0x3f8
#define UART_THR    0       /* transmit holding (DLAB=0) */
#define UART_DLL    0       /* divisor low (DLAB=1) */
#define UART_IER    1
#define UART_DLM    1       /* divisor high (DLAB=1) */
#define UART_FCR    2
#define UART_LCR    3
#define UART_MCR    4
#define UART_LSR    5
#define UART_SCR    7
#define LSR_THRE    0x20    /* transmit holding register empty */

#define LINE_MAX    512

static SIMPLE_TEXT_OUTPUT_INTERFACE *conout;     /* NULL: do not use */
static SIMPLE_TEXT_OUTPUT_INTERFACE *fw_conout;
static int have_uart;

static inline void outb(UINT16 port, UINT8 v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline UINT8 inb(UINT16 port)
{
    UINT8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void serial_init(void)
{
    /* No UART answers at 0x3f8 on many real machines: probe the scratch register. */
    outb(COM1 + UART_SCR, 0x5a);
    if (inb(COM1 + UART_SCR) != 0x5a)
        return;
    outb(COM1 + UART_IER, 0x00);    /* no interrupts */
    outb(COM1 + UART_LCR, 0x80);    /* DLAB on */
    outb(COM1 + UART_DLL, 0x01);    /* 115200 = 115200 / 1 */
    outb(COM1 + UART_DLM, 0x00);
    outb(COM1 + UART_LCR, 0x03);    /* 8N1, DLAB off */
    outb(COM1 + UART_FCR, 0xc7);    /* FIFO on, cleared, 14-byte threshold */
    outb(COM1 + UART_MCR, 0x03);    /* DTR, RTS */
    have_uart = 1;
}

static void serial_putc(char c)
{
    if (!have_uart)
        return;
    /* Bounded wait: a wedged UART must not hang the loader. */
    for (unsigned i = 0; i < 1000000 && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
        __asm__ volatile("pause");
    outb(COM1 + UART_THR, (UINT8)c);
}

static void serial_write(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            serial_putc('\r');
        serial_putc(*s);
    }
}

static void conout_write(const char *s)
{
    CHAR16 buf[130];
    unsigned n = 0;

    if (!conout)
        return;
    for (; *s; s++) {
        if (*s == '\n')
            buf[n++] = L'\r';
        buf[n++] = (CHAR16)(unsigned char)*s;
        if (n >= 128) {
            buf[n] = 0;
            conout->OutputString(conout, buf);
            n = 0;
        }
    }
    if (n) {
        buf[n] = 0;
        conout->OutputString(conout, buf);
    }
}

void con_init(EFI_SYSTEM_TABLE *st)
{
    serial_init();
    fw_conout = st ? st->ConOut : NULL;
    conout = fw_conout;
}

void con_use_firmware(int on)
{
    conout = on ? fw_conout : NULL;
}

/* ---- formatting ------------------------------------------------------- */

struct out {
    char *buf;
    unsigned len, cap;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len++] = c;
}

static void put_str(struct out *o, const char *s)
{
    if (!s)
        s = "(null)";
    while (*s)
        put(o, *s++);
}

static void put_num(struct out *o, UINT64 v, unsigned base, int neg,
                    unsigned width, char pad)
{
    char tmp[24];
    unsigned n = 0;

    do {
        unsigned d = (unsigned)(v % base);
        tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    if (neg)
        tmp[n++] = '-';
    while (n < width && n < sizeof(tmp))
        tmp[n++] = pad;
    while (n)
        put(o, tmp[--n]);
}

/* %s %c %d %u %x %p %%, optional '0' flag, width, 'l'/'ll'/'z' length. */
static void vformat(struct out *o, const char *f, va_list ap)
{
    for (; *f; f++) {
        if (*f != '%') {
            put(o, *f);
            continue;
        }
        f++;
        char pad = ' ';
        unsigned width = 0;
        int lng = 0;
        if (*f == '0') {
            pad = '0';
            f++;
        }
        while (*f >= '0' && *f <= '9')
            width = width * 10 + (unsigned)(*f++ - '0');
        while (*f == 'l' || *f == 'z') {
            lng = 1;
            f++;
        }
        switch (*f) {
        case 's':
            put_str(o, va_arg(ap, const char *));
            break;
        case 'c':
            put(o, (char)va_arg(ap, int));
            break;
        case 'd': {
            INT64 v = lng ? va_arg(ap, INT64) : va_arg(ap, int);
            put_num(o, v < 0 ? 0 - (UINT64)v : (UINT64)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
            put_num(o, lng ? va_arg(ap, UINT64) : va_arg(ap, unsigned), 10, 0, width, pad);
            break;
        case 'x':
            put_num(o, lng ? va_arg(ap, UINT64) : va_arg(ap, unsigned), 16, 0, width, pad);
            break;
        case 'p':
            put_str(o, "0x");
            put_num(o, (UINT64)(UINTN)va_arg(ap, void *), 16, 0, 16, '0');
            break;
        case '%':
            put(o, '%');
            break;
        case '\0':
            return;
        default:
            put(o, '%');
            put(o, *f);
            break;
        }
    }
}

static void emit(const char *line)
{
    serial_write(line);
    conout_write(line);
}

void say(const char *fmt, ...)
{
    char line[LINE_MAX];
    struct out o = { line, 0, sizeof(line) };
    va_list ap;

    put_str(&o, "hv-efi: ");
    va_start(ap, fmt);
    vformat(&o, fmt, ap);
    va_end(ap);
    put(&o, '\n');
    line[o.len] = '\0';
    emit(line);
}

void fail(EFI_STATUS status, const char *fmt, ...)
{
    char line[LINE_MAX];
    struct out o = { line, 0, sizeof(line) };
    va_list ap;

    put_str(&o, "hv-efi: error: ");
    va_start(ap, fmt);
    vformat(&o, fmt, ap);
    va_end(ap);
    put_str(&o, ": ");
    put_str(&o, efi_status_name(status));
    put_str(&o, " (0x");
    put_num(&o, status, 16, 0, 0, ' ');
    put_str(&o, ")");
    /* Keep the newline even when the message was cut short. */
    if (o.len + 2 > o.cap)
        o.len = o.cap - 2;
    put(&o, '\n');
    line[o.len] = '\0';
    emit(line);
}

const char *efi_status_name(EFI_STATUS status)
{
    static const char *const errors[] = {
        [1] = "EFI_LOAD_ERROR",          [2] = "EFI_INVALID_PARAMETER",
        [3] = "EFI_UNSUPPORTED",         [4] = "EFI_BAD_BUFFER_SIZE",
        [5] = "EFI_BUFFER_TOO_SMALL",    [6] = "EFI_NOT_READY",
        [7] = "EFI_DEVICE_ERROR",        [8] = "EFI_WRITE_PROTECTED",
        [9] = "EFI_OUT_OF_RESOURCES",    [10] = "EFI_VOLUME_CORRUPTED",
        [11] = "EFI_VOLUME_FULL",        [12] = "EFI_NO_MEDIA",
        [13] = "EFI_MEDIA_CHANGED",      [14] = "EFI_NOT_FOUND",
        [15] = "EFI_ACCESS_DENIED",      [16] = "EFI_NO_RESPONSE",
        [17] = "EFI_NO_MAPPING",         [18] = "EFI_TIMEOUT",
        [19] = "EFI_NOT_STARTED",        [20] = "EFI_ALREADY_STARTED",
        [21] = "EFI_ABORTED",            [22] = "EFI_ICMP_ERROR",
        [23] = "EFI_TFTP_ERROR",         [24] = "EFI_PROTOCOL_ERROR",
        [25] = "EFI_INCOMPATIBLE_VERSION", [26] = "EFI_SECURITY_VIOLATION",
        [27] = "EFI_CRC_ERROR",          [28] = "EFI_END_OF_MEDIA",
        [31] = "EFI_END_OF_FILE",        [32] = "EFI_INVALID_LANGUAGE",
        [33] = "EFI_COMPROMISED_DATA",
    };
    static const char *const warnings[] = {
        [1] = "EFI_WARN_UNKNOWN_GLYPH",  [2] = "EFI_WARN_DELETE_FAILURE",
        [3] = "EFI_WARN_WRITE_FAILURE",  [4] = "EFI_WARN_BUFFER_TOO_SMALL",
    };
    const UINT64 high = (UINT64)1 << 63;

    if (status == EFI_SUCCESS)
        return "EFI_SUCCESS";
    if (status & high) {
        UINT64 code = status & ~high;
        if (code < sizeof(errors) / sizeof(errors[0]) && errors[code])
            return errors[code];
    } else if (status < sizeof(warnings) / sizeof(warnings[0]) && warnings[status]) {
        return warnings[status];
    }
    return "EFI_UNKNOWN_STATUS";
}

void halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}
