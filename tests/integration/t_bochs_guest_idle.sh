#!/usr/bin/env bash
# The C guest idle (guest/c/idle.c) under the production VMM with guest.stats:
# the local APIC timer at 100 Hz for five seconds of guest time (so that the
# console lines at the start weigh little), HLT between the ticks. The VMM's
# "cpu use P.P%" line at the end must say below 5%, and so must the vCPU's
# own share, 1 - halted / TSC ticks of the run, from the "guest ... halted"
# line.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_guest_idle.log
iso=$(iso_variant guest_idle 'console=com1 guest=idle guest.stats guest.args="idle.ticks=500"') || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 300
expect_status $? 0 "bochs"
expect "$log" '^idle: guest idle: start$'
expect "$log" '^idle: idle: tsc [0-9]+\.[0-9]{3} MHz \(cpuid 0x1[56]\), local APIC timer [0-9]+\.[0-9]{3} MHz'
expect "$log" '^idle:   \[ok\] 501 timer ticks while the guest halts$'
expect "$log" '^idle:   \[ok\] at 100 Hz within 1% of TSC time$'
expect "$log" '^idle: guest idle: ok$'
expect "$log" '^root: guest idle exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|exception|PANIC'
# The VMM's statistics: the vCPU's share of the run, which an idle guest keeps small.
use=$(tr -d '\r' < "$log" | grep -Eo 'cpu use [0-9]+(\.[0-9]+)?%' | tail -1 | grep -Eo '[0-9]+(\.[0-9]+)?')
if [ -z "$use" ]; then
    echo "missing in $(basename "$log"): a \"cpu use P.P%\" line (guest.stats)"
    fail=1
elif ! awk -v u="$use" 'BEGIN { exit !(u < 5.0) }'; then
    echo "idle guest: cpu use $use%, expected < 5%"
    fail=1
else
    echo "idle guest: cpu use $use%"
fi
read -r halted run < <(tr -d '\r' < "$log" |
    sed -En 's/.*stats: guest [0-9]+ ticks, halted ([0-9]+) ticks \(of ([0-9]+) TSC ticks in the run\)$/\1 \2/p' | tail -1)
if [ -z "${run:-}" ]; then
    echo "missing in $(basename "$log"): the \"guest N ticks, halted N ticks (of N TSC ticks in the run)\" line"
    fail=1
elif ! awk -v h="$halted" -v r="$run" 'BEGIN { exit !(r > 0 && 1 - h / r < 0.05) }'; then
    echo "idle guest: the vCPU was not halted for $(awk -v h="$halted" -v r="$run" 'BEGIN { printf "%.1f", 100 * (1 - h / r) }')% of the run, expected < 5%"
    fail=1
fi
finish "$log"
