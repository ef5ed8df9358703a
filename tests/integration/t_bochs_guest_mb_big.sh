#!/usr/bin/env bash
# The C guest mb_big (guest/c/mb_big.c) under the production VMM: a Multiboot v1
# ELF at 4 MiB whose .bss ends above 16 MiB, in 256 MiB of guest RAM, with a
# command line and two boot modules; it checks the whole Multiboot information.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_guest_mb_big.log
iso=$ROOT/build/variants/guest_mb_big.iso
mkdir -p "$ROOT/build/variants"
C_GUESTS=mb_big bash scripts/mkiso.sh "$iso" 'console=com1 guest=mb_big guest.mem=256 guest.args="mbtest=42"' \
    guest/data/mod1 'guest-module:mod1 arg=1' guest/data/mod2 'guest-module:mod2' || exit 1
# 256 MiB for the guest and room for the hypervisor: the machine needs more than Bochs's 256.
BOCHS_MEGS=384 bash scripts/run-bochs.sh "$iso" "$log" 300
expect_status $? 0 "bochs"
expect "$log" '^mb_big: guest mb_big: start$'
expect "$log" '^mb_big:   \[ok\] 1 MiB \+ mem_upper = [0-9]+ MiB in \[200, 256\]'
expect "$log" '^mb_big:   \[ok\] 0xa0000-0xfffff \(VGA, ROMs, BIOS\) is not available RAM$'
expect "$log" '^mb_big:   \[ok\] the kernel 0x00400000-0x0[0-9a-f]+ lies in available RAM$'
expect "$log" '^mb_big: cmdline: ".*mbtest=42.*"$'
expect "$log" '^mb_big: module 1: 0x[0-9a-f]+-0x[0-9a-f]+ \(91 bytes\) "mod1 arg=1"$'
expect "$log" '^mb_big: module 2: 0x[0-9a-f]+-0x[0-9a-f]+ \(10526 bytes\) "mod2"$'
expect "$log" '^mb_big:   \[ok\] the loader zeroed .bss'
expect "$log" '^mb_big: guest mb_big: ok$'
expect "$log" '^root: guest mb_big exited with status 0$'
expect "$log" '^shutdown: status 0$'
reject "$log" 'FAIL|exception|PANIC'
expect "$log" '^root: guest mb_big: free memory ([0-9]+) KiB before, \1 KiB after$'
finish "$log"
