#!/usr/bin/env bash
# The C guest probe (guest/c/probe.c) under the production VMM: unused ports
# read all ones and drop writes, port 0x80 takes writes, PCI has no device at
# 00:00.0, MMIO outside RAM reads all ones and drops writes, unknown MSRs raise
# #GP in the guest, which catches it and goes on.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_guest_probe.log
iso=$(iso_variant guest_probe 'console=com1 guest=probe') || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 300
expect_status $? 0 "bochs"
expect "$log" '^probe: guest probe: start$'
expect "$log" '^probe: cpu: hypervisor signature "HVMicroVisor"$'
expect "$log" '^probe:   \[ok\] loading a null SS raises #GP, caught and resumed$'
expect "$log" '^probe:   \[ok\] unused ports read all ones at sizes 1/2/4, before and after OUT \(0 bad\)$'
expect "$log" '^probe: pci 00:00.0: none \(all ones\)$'
for a in 0xc0000000 0xe0000000 0xfeb00000; do
    expect "$log" "^probe:   \\[ok\\] mmio $a reads all ones at sizes 1/2/4\$"
    expect "$log" "^probe:   \\[ok\\] mmio $a drops writes"
done
for m in 0x0000beef 0x40000123 0xc0011234; do
    expect "$log" "^probe:   \\[ok\\] RDMSR $m raises #GP \\(vector 13\\)\$"
    expect "$log" "^probe:   \\[ok\\] WRMSR $m raises #GP \\(vector 13\\)\$"
done
expect "$log" '^probe: guest probe: ok$'
expect "$log" '^root: guest probe exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|exception|PANIC|\[tcg\]'
expect "$log" '^root: guest probe: free memory ([0-9]+) KiB before, \1 KiB after$'
finish "$log"
