/* printf-style formatting, freestanding. Pure: kernel and host tests. */
#ifndef FORMAT_H
#define FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_out_fn)(char c, void *ctx);

/* Widths and precisions are clamped to this (no signed overflow on absurd ones). */
#define FORMAT_MAX_WIDTH 4096

/*
 * Supports %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+' ' ' '#',
 * width and precision (also '*'), length h hh l ll z j t.
 * Returns the number of characters produced.
 */
int vformat(format_out_fn out, void *ctx, const char *fmt, va_list ap);

int kvsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
