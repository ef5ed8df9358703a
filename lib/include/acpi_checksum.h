/* The ACPI table checksum (ACPI 6.x, 5.2: every byte of a valid table sums to 0 mod 256).
 * In lib/: the kernel parses tables (arch/x86/acpi_tables.c), the VMM builds them
 * (root/vmm/acpi_build.c). */
#ifndef ACPI_CHECKSUM_H
#define ACPI_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* The byte sum of len bytes. */
uint8_t acpi_checksum(const void *p, size_t len);

#endif
