#!/usr/bin/env bash
# The C guest pic_pit (guest/c/pic_pit.c) under the production VMM: the 8259A
# pair (ICW1-4, IMR, IRR/ISR through OCW3, poll, non-specific EOI) and the
# 8254's channel 0 in modes 2 and 3 at 1000 and 500 Hz, checked against the
# TSC (CPUID's frequency) within 1% while the guest halts between ticks.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_guest_pic_pit.log
iso=$(iso_variant guest_pic_pit 'console=com1 guest=pic_pit') || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 300
expect_status $? 0 "bochs"
expect "$log" '^pic_pit: guest pic_pit: start$'
expect "$log" '^pic_pit:   \[ok\] masked IRQ 0: IRR bit 0 latches'
expect "$log" '^pic_pit:   \[ok\] OCW3 poll with IRQ 0 pending reads 0x80'
expect "$log" '^pic_pit: pic_pit: mode 2, count 1193: 201 ticks at 1000\.[0-9]{3} Hz \(expected 1000\.152 Hz\)$'
expect "$log" '^pic_pit: pic_pit: mode 3, count 2386: 101 ticks at [0-9.]+ Hz \(expected 500\.076 Hz\)$'
for m in 2 3; do
    expect "$log" "^pic_pit:   \\[ok\\] mode $m: the tick rate is within 1% of"
done
expect "$log" '^pic_pit:   \[ok\] masking IRQ 0 in the IMR stops the ticks \(0 in 20 periods\)$'
expect "$log" '^pic_pit: guest pic_pit: ok$'
expect "$log" '^root: guest pic_pit exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|exception|PANIC'
expect "$log" '^root: guest pic_pit: free memory ([0-9]+) KiB before, \1 KiB after$'
finish "$log"
