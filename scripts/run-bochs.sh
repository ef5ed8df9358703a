#!/usr/bin/env bash
# Boot an ISO in Bochs (VMX with EPT, VPID, unrestricted guest), headless.
# usage: run-bochs.sh ISO SERIAL_LOG TIMEOUT_SECONDS [CPUS]
# BOCHS_MEGS sets the machine's memory in MiB (default 256).
# Exit status: 0 = the kernel shut down with success (magic breakpoint),
# 1 = it shut down with a failure status (port 0x8900), 124 = timeout.
set -u
iso=$1 log=$2 limit=$3 cpus=${4:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$log")"
: > "$log"

cat > "$work/bochsrc" <<RC
megs: ${BOCHS_MEGS:-256}
cpu: model=corei7_skylake_x, count=$cpus, ips=50000000, reset_on_triple_fault=0
clock: sync=none, time0=1
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path="$(realpath "$iso")", status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev="$(realpath "$log")"
magic_break: enabled=1
port_e9_hack: enabled=1
display_library: rfb, options="timeout=0"
mouse: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
speaker: enabled=0
log: $work/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
RC
printf 'c\nquit\n' > "$work/cmds"

timeout "$limit" bochs -f "$work/bochsrc" -q -rc "$work/cmds" </dev/null >"$work/out" 2>&1
rc=$?
cp "$work/bochs.log" "${log%.log}.bochs.log" 2>/dev/null
cat "$work/out" >> "${log%.log}.bochs.log"
exit $rc
