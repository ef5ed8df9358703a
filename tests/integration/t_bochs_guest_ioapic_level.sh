#!/usr/bin/env bash
# The C guest ioapic_level (guest/c/ioapic_level.c) under the production VMM:
# APIC mode; COM1's THRE interrupt on a level-triggered I/O APIC entry comes
# back after each EOI while its source stays (remote IRR set until the EOI)
# and stops once IIR is read or THRI is off; the PIT's IRQ 0 on an edge entry
# (pin 2, the MADT override) ticks at 1000 Hz; a masked entry delivers nothing.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_guest_ioapic_level.log
iso=$(iso_variant guest_ioapic_level 'console=com1 guest=ioapic_level') || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 300
expect_status $? 0 "bochs"
expect "$log" '^ioapic_level: guest ioapic_level: start$'
expect "$log" '^ioapic_level: ioapic_level: I/O APIC at 0xfec00000 \(GSI base 0\), version 0x[0-9a-f]{2}, 24 pins; IRQ 0 -> GSI 2, IRQ 4 -> GSI 4$'
expect "$log" '^ioapic_level: ioapic_level: level pin 4: entry 0x00000000000[0-9a-f]{2}044 with IF=0, 16 deliveries, IIR 0x[0-9a-f]2, then 1$'
expect "$log" '^ioapic_level:   \[ok\] each EOI brings the level interrupt back while the source stays: 16 deliveries'
expect "$log" '^ioapic_level:   \[ok\] remote IRR \(16\) and ISR \(16\) set in each handler$'
expect "$log" '^ioapic_level: ioapic_level: edge pin 2: 101 ticks at 1000\.[0-9]{3} Hz$'
expect "$log" '^ioapic_level:   \[ok\] masking the entry stops the ticks \([01] in 20 periods'
expect "$log" '^ioapic_level: guest ioapic_level: ok$'
expect "$log" '^root: guest ioapic_level exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|exception|PANIC'
expect "$log" '^root: guest ioapic_level: free memory ([0-9]+) KiB before, \1 KiB after$'
finish "$log"
