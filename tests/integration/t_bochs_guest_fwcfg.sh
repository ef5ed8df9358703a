#!/usr/bin/env bash
# The C guest fwcfg (guest/c/fwcfg.c) under the production VMM: QEMU's fw_cfg
# legacy I/O interface at 0x510/0x511 (signature, ID, RAM size against the
# Multiboot information, CPU count, file directory, command line).
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_guest_fwcfg.log
iso=$(iso_variant guest_fwcfg 'console=com1 guest=fwcfg guest.args="fwtest=7"') || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 300
expect_status $? 0 "bochs"
expect "$log" '^fwcfg: guest fwcfg: start$'
expect "$log" '^fwcfg:   \[ok\] signature \(key 0x0000\) is "QEMU"'
expect "$log" '^fwcfg: id: 0x0000000[13] '
expect "$log" '^fwcfg: ram: [0-9]+ MiB \(fw_cfg\)'
expect "$log" '^fwcfg: cpus: [1-9][0-9]* '
expect "$log" '^fwcfg: files: [0-9]+$'
expect "$log" '^fwcfg: cmdline \([^)]*\): ".*fwtest=7.*"$'
expect "$log" '^fwcfg: guest fwcfg: ok$'
expect "$log" '^root: guest fwcfg exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|exception|PANIC'
expect "$log" '^root: guest fwcfg: free memory ([0-9]+) KiB before, \1 KiB after$'
finish "$log"
