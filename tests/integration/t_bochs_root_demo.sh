#!/usr/bin/env bash
# The root task in ring 3 runs the demo guest through hypercalls: its text
# arrives through the 16550 the root task emulates on trapped ports, and the
# guest's exit status ends the run.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_root_demo.log
bash scripts/run-bochs.sh build/hv.iso "$log" 120
expect_status $? 0 "bochs"
expect "$log" '^root: starting the root task at 0x'
expect "$log" '^root: started, [0-9]+ boot modules'
expect "$log" '^demo: Hello from a Multiboot kernel, through a 16550 the root task emulates$'
expect "$log" '^demo: Multiboot says the machine has [0-9]+ MiB of RAM$'
expect "$log" '^root: guest demo exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'exception|PANIC'
finish "$log"
