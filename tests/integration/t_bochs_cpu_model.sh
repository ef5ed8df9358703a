#!/usr/bin/env bash
# The CPU model a guest sees, checked from inside (guest/cpu_model.asm): the
# root task's VMM runs the guest alone (guest=cpu_model); CPUID, MSRs, CR
# masks, PAE paging and the long-mode switch are all the kernel's (no exit
# reaches the VMM but the console and the exit port). Every check must pass
# and every expected #GP/#UD be caught by the guest's own IDT.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_cpu_model.log
iso=$(iso_variant cpu_model "console=com1 log=info guest=cpu_model") || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 120
expect_status $? 0 "bochs"
expect "$log" '^cpu_model: checking the CPU model from inside$'
# N checks, none failed, G #GP and U #UD caught, as many as the guest expected.
expect "$log" '^cpu_model: [0-9]+ checks, 0 failed, ([0-9]+) #GP and ([0-9]+) #UD caught \(expected \1 and \2\)$'
expect "$log" '^root: guest cpu_model exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|unexpected exception|exception #|PANIC'
finish "$log"
