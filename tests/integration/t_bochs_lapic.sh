#!/usr/bin/env bash
# The virtual local APIC under the root task's VMM (guest=lapic, guest/lapic.asm):
# xAPIC MMIO and x2APIC MSRs emulated in the kernel, timers within 1% of RDTSC,
# and every HLT with the APIC timer armed sleeps in the kernel (the resume
# thread blocks until the deadline): no HALT packet reaches the VMM, which
# would otherwise report the guest halted forever.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_lapic.log
iso=$(iso_variant lapic "console=com1 log=info guest=lapic") || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 120
expect_status $? 0 "bochs"
expect "$log" '^lapic: lapic: xAPIC and x2APIC self-IPI, TPR, one-shot, periodic and TSC-deadline timer with HLT$'
expect "$log" '^lapic: lapic: one-shot [0-9]+ ticks \(expected [0-9]+\), periodic [0-9]+ ticks \(expected [0-9]+\)$'
expect "$log" '^lapic: lapic: TSC-deadline [0-9]+ ticks \(expected 600000\)$'
expect "$log" '^root: guest lapic exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|halted|exception #|PANIC'
finish "$log"
