#!/usr/bin/env bash
# (d) A deliberate kernel fault (test=fault): register dump, backtrace, failure status, no hang.
. "$(dirname "$0")/lib.sh"
log=$LOGS/qemu_fault.log
esp=$(esp_variant fault "console=com1 test=fault") || exit 1
bash scripts/run-qemu.sh --esp "$esp" --serial "$log" --timeout 60
expect_status $? $(( (1 << 1) | 1 )) "qemu"
expect "$log" '^\*\*\* exception #PF page fault \(vector 14\) error 0x2$'
expect "$log" '^rip [0-9a-f]{16} cs 0008'
expect "$log" '^rax [0-9a-f]{16} rbx [0-9a-f]{16} rcx [0-9a-f]{16}$'
expect "$log" '^r13 [0-9a-f]{16} r14 [0-9a-f]{16} r15 [0-9a-f]{16}$'
expect "$log" '^cr0 [0-9a-f]{16} cr2 0000000000000000 '
expect "$log" '^backtrace:$'
expect "$log" '^  #0 0x[0-9a-f]{16}$'
expect "$log" '^shutdown: status 1$'
# The dump must point at the culprit: the faulting rip in test_fault, its caller kmain.
rip=$(tr -d '\r' < "$log" | sed -n 's/^rip \([0-9a-f]*\) .*/\1/p' | head -1)
caller=$(tr -d '\r' < "$log" | sed -n 's/^  #0 0x\([0-9a-f]*\)$/\1/p' | head -1)
[ "$(addr2line -f -e build/kernel.elf "0x${rip:-0}" | head -1)" = test_fault ] ||
    { echo "faulting rip 0x$rip is not in test_fault"; fail=1; }
# A return address may sit just past its function's end (a call that never
# returns is the last instruction): look up the call itself, ra - 1.
caller_call=$(printf '0x%x' $(( 0x${caller:-1} - 1 )))
[ "$(addr2line -f -e build/kernel.elf "$caller_call" | head -1)" = kmain ] ||
    { echo "first backtrace frame 0x$caller is not in kmain"; fail=1; }
finish "$log"
