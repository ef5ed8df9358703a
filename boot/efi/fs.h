/*
 * Files on the volume the loader itself came from. Each function reports
 * its own failure on the console ("<what> <path>: EFI_...") and returns the
 * status; "what" is e.g. "kernel", "module", "config".
 */
#ifndef HV_EFI_FS_H
#define HV_EFI_FS_H

#include <efi.h>

/* Root directory of the loader's own volume (LoadedImage->DeviceHandle). */
EFI_STATUS fs_open_root(EFI_HANDLE image, EFI_BOOT_SERVICES *bs, EFI_FILE_HANDLE *root);

/* Open an ASCII path read-only and return its size; refuses directories. */
EFI_STATUS fs_open(EFI_FILE_HANDLE root, const char *what, const char *path,
                   EFI_FILE_HANDLE *file, UINT64 *size);

/* Read exactly size bytes from the start of an open file into buf. */
EFI_STATUS fs_read(EFI_FILE_HANDLE file, const char *what, const char *path,
                   void *buf, UINT64 size);

void fs_close(EFI_FILE_HANDLE file);

#endif
