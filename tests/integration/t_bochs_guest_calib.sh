#!/usr/bin/env bash
# The C guest calib (guest/c/calib.c) under the production VMM: the TSC
# calibrated against PIT channel 2 (port 0x61 gate and OUT2) and against the
# ACPI PM timer (port from the FADT), each within 1% of CPUID's frequency.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_guest_calib.log
iso=$(iso_variant guest_calib 'console=com1 guest=calib') || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 300
expect_status $? 0 "bochs"
expect "$log" '^calib: guest calib: start$'
expect "$log" '^calib: calib: PM timer at port 0x608 \(FADT\), (24|32) bits$'
expect "$log" '^calib: calib: cpuid [0-9]+\.[0-9]{3} MHz, pit [0-9]+\.[0-9]{3} MHz, pmtimer [0-9]+\.[0-9]{3} MHz$'
expect "$log" '^calib:   \[ok\] PIT calibration within 1% of CPUID$'
expect "$log" '^calib:   \[ok\] PM timer calibration within 1% of CPUID$'
expect "$log" '^calib: guest calib: ok$'
expect "$log" '^root: guest calib exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|exception|PANIC'
tr -d '\r' < "$log" | grep -E '^calib: calib: (cpuid|pit channel)' | sed 's/^/  /'
finish "$log"
