#!/usr/bin/env bash
# Kernels the loader refuses, under the production VMM: each gets one line
# naming the problem and the loader's own exit status (64 + n,
# guest_loader.h), and hv stays up to shut down cleanly.
#   mb_big in 16 MiB: its 13 MiB .bss at 4 MiB runs past the end of RAM
#   a truncated copy of mb_big: its program headers point past the file's end
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_guest_refused_small.log
iso=$(iso_variant guest_refused_small 'console=com1 guest=mb_big guest.mem=16') || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 120
expect_status $? 1 "bochs (a non-zero guest status)"
expect "$log" '^root: guest mb_big: cannot load its kernel: .*RAM'
expect "$log" '^root: guest mb_big exited with status 83$'
expect "$log" '^shutdown: status 83$'
reject "$log" '^mb_big: |exception|PANIC'

log2=$LOGS/bochs_guest_refused_truncated.log
cut=$ROOT/build/variants/truncated.elf
head -c 6000 "$ROOT/build/guest/mb_big.elf" > "$cut"
iso=$ROOT/build/variants/guest_refused_truncated.iso
NO_TEST_GUESTS=1 bash scripts/mkiso.sh "$iso" 'console=com1 guest=truncated' "$cut" guest:truncated || exit 1
bash scripts/run-bochs.sh "$iso" "$log2" 120
expect_status $? 1 "bochs (a non-zero guest status)"
expect "$log2" '^root: guest truncated: cannot load its kernel: .*(end of the file|truncated)'
expect "$log2" '^root: guest truncated exited with status (6[5-9]|[78][0-9]|9[0-2])$'
reject "$log2" 'exception|PANIC'
[ "$fail" -eq 0 ] || finish "$log2"
finish "$log"
