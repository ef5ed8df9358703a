#!/usr/bin/env bash
# The root task's hypercall self-test (test=hypercalls, root/tests/hypercalls.c):
# every hypercall's success path and documented errors, handle rights and
# generations, guest packets (IO, MMIO, HLT, triple fault, interrupts, kick),
# tear-down and leak checks. Each case prints PASS/FAIL; all must pass.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_root_hypercalls.log
iso=$(iso_variant root_hypercalls "console=com1 test=hypercalls") || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 240
expect_status $? 0 "bochs"
expect "$log" '^hypercalls: [0-9]+ cases$'
expect "$log" '^PASS suite_no_leaks '
expect "$log" '^PASS cycle_no_leak_50$'
expect "$log" '^hypercalls: [0-9]+ passed, 0 failed$'
expect "$log" '^shutdown: status 0$'
reject "$log" '^FAIL|PANIC|exception'
finish "$log"
