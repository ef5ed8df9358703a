#!/usr/bin/env bash
# make bench: boot with test=bench in Bochs, where one TSC tick is one
# executed instruction, and print the measured table. The test kernel and
# the test root image (build/root-test.elf) measure, each its own side.
# Then the production VMM runs guest/benchio.asm through `make run` with a
# 16 MiB guest: the guest measures the platform paths (fw_cfg, unknown
# port, MMIO outside RAM) and the wall time from `make run` to the guest's
# first line is taken here.
set -u
cd "$(dirname "$0")/.."
log=build/logs/bench.log
iso=build/variants/bench.iso
mkdir -p build/variants
KERNEL_ELF=build/kernel-test.elf ROOT_ELF=build/root-test.elf bash scripts/mkiso.sh "$iso" "console=com1 test=bench" || exit 1
bash scripts/run-bochs.sh "$iso" "$log" 300
rc=$?

# The platform paths, through make run as a user would start it.
runlog=build/logs/run.log out=build/logs/bench-run.out
rm -f "$runlog"
start=$(date +%s%N)
make -s run EMU=bochs GUEST=build/guest/benchio.bin GUEST_MEM=16 > "$out" 2>&1 &
pid=$!
first=""
while kill -0 $pid 2>/dev/null; do
    if [ -z "$first" ] && [ -f "$runlog" ] && tr -d '\r' < "$runlog" | grep -q '^benchio: start$'; then
        first=$(date +%s%N)
    fi
    sleep 0.02
done
wait $pid
grc=$?

echo "Bochs TSC ticks (= instructions executed):"
tr -d '\r' < "$log" | grep -E '^(bench|hv: [0-9]+ TSC)' | sed 's/^/  /'
tr -d '\r' < "$log" | sed -n 's/^guest lapic_bench: \(bench: .*\)$/\1/p' | sed 's/^/  /'
tr -d '\r' < "$runlog" | sed -n 's/^benchio: \(bench: .*\)$/\1/p' | sed 's/^/  /'
if [ -n "$first" ]; then
    printf '  bench: make run to the first guest line (16 MiB guest): %d ms wall\n' \
        $(((first - start) / 1000000))
fi
[ $rc -eq 0 ] || { echo "bench: the run failed (status $rc), see $log"; exit 1; }
[ $grc -eq 0 ] && [ -n "$first" ] || { echo "bench: the benchio guest run failed, see $runlog"; exit 1; }
