#!/usr/bin/env bash
# The C guest rtc (guest/c/rtc.c) under the production VMM: the CMOS clock's
# date and time in BCD/binary and 24/12 h, UIP, the century byte, the NMI
# mask bit of port 0x70, and the periodic interrupt at 1024 Hz on IRQ 8
# through the slave 8259A, acknowledged by reading register C.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_guest_rtc.log
iso=$(iso_variant guest_rtc 'console=com1 guest=rtc') || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 300
expect_status $? 0 "bochs"
expect "$log" '^rtc: guest rtc: start$'
expect "$log" '^rtc: rtc: now: 20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] '
expect "$log" '^rtc: rtc: binary 12 h: .*\(register B 0x0[04]: binary, 12 h\)$'
expect "$log" '^rtc: rtc: BCD 24 h: .*\(register B 0x0[23]: BCD, 24 h\)$'
expect "$log" '^rtc:   \[ok\] the seconds advance by 1 or 2 in 1\.1 s of TSC time \([12]\)$'
expect "$log" '^rtc:   \[ok\] UIP in register A is set before the update'
expect "$log" '^rtc: rtc: periodic rate 6: 257 interrupts at 10[0-9]{2}\.[0-9]{3} Hz \(expected 1024 Hz\)$'
expect "$log" '^rtc:   \[ok\] the periodic rate is within 1% of 1024 Hz$'
expect "$log" '^rtc:   \[ok\] without reading register C one interrupt comes in 20 periods, not more \(1\)$'
expect "$log" '^rtc:   \[ok\] reading register C clears it: a second read in the handler gives 0x00$'
expect "$log" '^rtc: guest rtc: ok$'
expect "$log" '^root: guest rtc exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|exception|PANIC'
expect "$log" '^root: guest rtc: free memory ([0-9]+) KiB before, \1 KiB after$'
finish "$log"
