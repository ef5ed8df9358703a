#!/usr/bin/env bash
# The C guest acpi_s5 (guest/c/acpi_s5.c) under the production VMM: finds the
# RSDP in the BIOS area, checks RSDT, XSDT, MADT, FADT, FACS, DSDT and the PM
# timer, takes SLP_TYPa from \_S5 and powers off through PM1a_CNT (0x604); S5
# ends the guest with status 0. Still running after S5 is status 4.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_guest_acpi_s5.log
iso=$(iso_variant guest_acpi_s5 'console=com1 guest=acpi_s5') || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 300
expect_status $? 0 "bochs"
expect "$log" '^acpi_s5: guest acpi_s5: start$'
expect "$log" '^acpi_s5: rsdp: at 0x000[ef][0-9a-f]{4}, revision 2'
expect "$log" '^acpi_s5: RSDT: [0-9]+ tables$'
expect "$log" '^acpi_s5: XSDT: [0-9]+ tables$'
expect "$log" '^acpi_s5:   \[ok\] RSDT and XSDT list the same tables$'
expect "$log" '^acpi_s5:   \[ok\] MADT: one I/O APIC \(1\)$'
expect "$log" '^acpi_s5: fadt: .*PM1a_CNT 0x604, .*PM_TMR 0x608 '
expect "$log" '^acpi_s5:   \[ok\] FACS at 0x[0-9a-f]+: signature, length >= 64$'
expect "$log" '^acpi_s5:   \[ok\] the PM timer at 0x608 runs'
expect "$log" '^acpi_s5: aml: \\_S5 at offset 0x[0-9a-f]+ of DSDT'
expect "$log" '^acpi_s5: guest acpi_s5: ok$'
expect "$log" '^acpi_s5: s5: 0x[0-9a-f]+ to PM1 control 0x604$'
expect "$log" '^root: guest acpi_s5 exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|exception|PANIC'
expect "$log" '^root: guest acpi_s5: free memory ([0-9]+) KiB before, \1 KiB after$'
finish "$log"
