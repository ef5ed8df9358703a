/*
 * Loader console: every message goes to COM1 (16550 at 0x3f8, written
 * directly) and, while boot services are up, to the firmware's ConOut.
 */
#ifndef HV_EFI_CON_H
#define HV_EFI_CON_H

#include <efi.h>

/* Program COM1 for 115200 8N1 and remember ConOut. */
void con_init(EFI_SYSTEM_TABLE *st);

/* 0: ExitBootServices is about to run, COM1 only from now; 1: ConOut again. */
void con_use_firmware(int on);

/* "hv-efi: <msg>\n" on both outputs. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "hv-efi: error: <msg>: EFI_NAME (0x...)\n" on both outputs. */
void fail(EFI_STATUS status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "EFI_NOT_FOUND" etc.; "EFI_UNKNOWN_STATUS" for codes we do not know. */
const char *efi_status_name(EFI_STATUS status);

/* Disable interrupts and halt forever (after ExitBootServices). */
void halt_forever(void) __attribute__((noreturn));

#endif
