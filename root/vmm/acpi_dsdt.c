/*
 * The DSDT's AML: root/vmm/dsdt.asl compiled by iasl -tc into
 * $(BUILD)/gen/root/dsdt.hex (an array named dsdt_aml_code), found through
 * -I$(BUILD)/gen/root (root/root.mk). The AML is a whole table, header and
 * checksum included.
 */
#include "acpi_build.h"
#include "dsdt.hex"

const uint8_t *const acpi_dsdt_aml = dsdt_aml_code;
const uint32_t acpi_dsdt_aml_len = sizeof(dsdt_aml_code);
