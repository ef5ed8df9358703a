#!/usr/bin/env bash
# Every test guest under Bochs (real, protected and long mode; loops; HLT
# woken by an injected interrupt; an interrupt whose delivery faults on a
# missing IDT page and is re-injected; EPT scan; fault guests contained;
# the CPU model checked from inside, also alone in t_bochs_cpu_model.sh;
# the virtual local APIC: self-IPI, TPR, timers within 1%, HLT asleep in the kernel;
# CR8 in 64-bit mode masking as TPR does).
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_vmx_guests.log
iso=$(iso_variant vmx "console=com1 test=vmx") || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 300
expect_status $? 0 "bochs"
for g in hello realmode long64 vmcall_loop cpuid_loop out_loop mmio_loop hlt_irq reinject \
         preempt ept_scan triple_fault bad_cr0 ud beyond_ram bad_state cpu_model lapic cr8; do
    expect "$log" "^vmx-test: $g ok: "
done
expect "$log" '^guest hello: Hello from a 32-bit protected-mode guest$'
expect "$log" '^guest realmode: Hello from real mode$'
expect "$log" '^guest long64: Hello from a 64-bit long-mode guest$'
expect "$log" '^vmx-test: ept_scan ok: exit status 0x0 after [0-9]+ exits \(12186 checked\)$'
expect "$log" '^vmx-test: triple_fault ok: triple fault'
expect "$log" '^vmx-test: ud ok: exception 0x6'
expect "$log" '^vmx-test: beyond_ram ok: EPT violation on fetch 0x40000000'
# A failed VM entry is explained: which rule of the guest state broke.
expect "$log" '^vmx-test: bad_state ok: failed VM entry 0x80000021'
expect "$log" '^error: vmx:   violated: RFLAGS bit 1 must be 1$'
expect "$log" '^guest lapic: lapic: one-shot [0-9]+ ticks \(expected [0-9]+\), periodic [0-9]+ ticks \(expected [0-9]+\)$'
expect "$log" '^guest lapic: lapic: TSC-deadline [0-9]+ ticks \(expected 600000\)$'
# CR8 = TPR[7:4] in 64-bit mode: masks the classes at and below it, lowering it lets them in.
expect "$log" '^guest cr8: cr8: CR8 masks vectors 0x45, 0x55 at 5 and lets them in at 4 and 0$'
expect "$log" '^vmx-test: lapic ok: exit status 0x0 after [0-9]+ exits \([0-9]+ checked\)$'
expect "$log" '^vmx-test: 19 passed, 0 failed$'
reject "$log" 'FAIL|leaked|PANIC|exception #'
finish "$log"
