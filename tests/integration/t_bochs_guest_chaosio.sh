#!/usr/bin/env bash
# The C guest chaosio (guest/c/chaosio.c) under the production VMM: 20000
# random port, MMIO and MSR accesses from a fixed seed; the guest survives
# them all, catches the #GPs and exits with 0. Then 2000 accesses each to the
# interrupt controllers' and timers' ports, the local APIC page, the x2APIC
# MSRs (all #GP while x2APIC is off) and the I/O APIC page.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_guest_chaosio.log
iso=$(iso_variant guest_chaosio 'console=com1 guest=chaosio') || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 300
expect_status $? 0 "bochs"
expect "$log" '^chaosio: guest chaosio: start$'
expect "$log" '^chaosio: chaosio: 20000 accesses, seed 0x2545f491, MMIO in \[0x[0-9a-f]+, 4 GiB\)$'
expect "$log" '^chaosio: chaosio: ports [0-9]+ in, [0-9]+ out; mmio [0-9]+ loads, [0-9]+ stores; msrs [0-9]+ rdmsr, [0-9]+ wrmsr, [1-9][0-9]* #GP; [0-9]+ skipped$'
expect "$log" '^chaosio: chaosio: interrupt controllers: 2000 accesses each; local APIC 0xfee00000, x2APIC (offered|not offered), I/O APIC 0xfec00000$'
expect "$log" '^chaosio:   \[ok\] x2APIC off: every x2APIC MSR access raises #GP \(0 did not\)$'
expect "$log" '^chaosio: chaosio: interrupt controllers: ports [0-9]+ in, [0-9]+ out; local APIC [1-9][0-9]* loads, [1-9][0-9]* stores, [0-9]+ faults$'
expect "$log" '^chaosio: chaosio: x2APIC MSRs 500 #GP while off, [0-9]+ writes \([0-9]+ #GP\) while on; I/O APIC [1-9][0-9]* loads, [1-9][0-9]* stores, [0-9]+ faults; [0-9]+ NMIs; [0-9]+ skipped$'
expect "$log" '^chaosio: guest chaosio: ok$'
expect "$log" '^root: guest chaosio exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|exception|PANIC'
expect "$log" '^root: guest chaosio: free memory ([0-9]+) KiB before, \1 KiB after$'
finish "$log"
