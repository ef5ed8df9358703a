#!/usr/bin/env bash
# The root task's hypercall fuzzer (test=fuzz, root/tests/fuzz.c): a million
# hypercalls with random numbers, handles, rights, sizes and pointers from a
# fixed seed; every status must be one include/hv/syscall.h documents for the
# call, and after closing and unmapping everything free memory and free
# handle slots must be what they were before.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_root_fuzz.log
iso=$(iso_variant root_fuzz "console=com1 test=fuzz") || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 270
expect_status $? 0 "bochs"
expect "$log" '^fuzz: seed 0x[0-9a-f]+, 1000000 calls$'
expect "$log" '^fuzz: 1000000 calls, 0 unexpected$'
expect "$log" '^fuzz: [0-9]+ calls, 0 unexpected statuses, free memory before ([0-9]+) after \1$'
expect "$log" '^fuzz: free handle slots before ([0-9]+) after \1$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|PANIC|exception|fuzz: unexpected status'
finish "$log"
