#!/usr/bin/env bash
# VMX locked off by firmware: one clear line and a distinct status, no crash.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_vmx_lockoff.log
iso=$(iso_variant lockoff "console=com1 test=vmx-lockoff") || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 120
expect_status $? 1 "bochs (failure shutdown)"
expect "$log" '^error: vmx: VMX is disabled and locked by the firmware'
expect "$log" '^shutdown: status 3$'
reject "$log" 'VMXON ok|exception|PANIC'
finish "$log"
