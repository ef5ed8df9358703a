#!/usr/bin/env bash
# make bench: boot with test=bench in Bochs, where one TSC tick is one
# executed instruction, and print the measured table. The test kernel and
# the test root image (build/root-test.elf) measure, each its own side.
set -u
cd "$(dirname "$0")/.."
log=build/logs/bench.log
iso=build/variants/bench.iso
mkdir -p build/variants
KERNEL_ELF=build/kernel-test.elf ROOT_ELF=build/root-test.elf bash scripts/mkiso.sh "$iso" "console=com1 test=bench" || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 300
rc=$?
echo "Bochs TSC ticks (= instructions executed):"
tr -d '\r' < "$log" | grep -E '^(bench|hv: [0-9]+ TSC)' | sed 's/^/  /'
[ $rc -eq 0 ] || { echo "bench: the run failed (status $rc), see $log"; exit 1; }
