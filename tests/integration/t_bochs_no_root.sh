#!/usr/bin/env bash
# A boot with no root task module is a configuration error, not a quiet success:
# the kernel names the missing module and stops with status 4.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_no_root.log
iso=$(ROOT_ELF= iso_variant no_root "console=com1") || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 120
expect_status $? 1 "bochs"
expect "$log" '^vmx: VMXON ok'
expect "$log" '^error: hv: no boot module named "root": there is no root task to run$'
expect "$log" '^shutdown: status 4$'
reject "$log" '^root: |exception|PANIC'
finish "$log"
