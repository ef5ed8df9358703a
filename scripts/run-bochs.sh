#!/usr/bin/env bash
# Boot an ISO in Bochs (VMX with EPT, VPID, unrestricted guest), headless.
# usage: run-bochs.sh [--interactive] [--type-after REGEX TEXT]... ISO SERIAL_LOG TIMEOUT_SECONDS [CPUS]
# BOCHS_MEGS sets the machine's memory in MiB (default 256).
# COM1 goes to SERIAL_LOG. With --interactive or --type-after it is a pty
# instead (scripts/serial_pty.py), which copies what the machine sends into
# SERIAL_LOG as it comes: --type-after types TEXT once a line matches REGEX
# (repeatable, in order; Python escapes), --interactive also shows the output
# and types what comes on stdin.
# Exit status: 0 = the kernel shut down with success (magic breakpoint),
# 1 = it shut down with a failure status (port 0x8900), 124 = timeout.
set -u
pty_opts=()
while [ $# -gt 0 ]; do
    case $1 in
        --interactive) pty_opts+=(--interactive); shift ;;
        --type-after) pty_opts+=(--type-after "$2" "$3"); shift 3 ;;
        *) break ;;
    esac
done
iso=$1 log=$2 limit=$3 cpus=${4:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$log")"
: > "$log"

cat > "$work/bochsrc" <<RC
megs: ${BOCHS_MEGS:-256}
cpu: model=corei7_skylake_x, count=$cpus, ips=50000000, reset_on_triple_fault=0
clock: sync=none, time0=local
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path="$(realpath "$iso")", status=inserted
boot: cdrom
$(if [ ${#pty_opts[@]} -gt 0 ]; then echo 'com1: enabled=1, mode=term, dev=@PTY@'
  else echo "com1: enabled=1, mode=file, dev=\"$(realpath "$log")\""; fi)
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

if [ ${#pty_opts[@]} -gt 0 ]; then
    pty_run() {
        python3 "$(dirname "$0")/serial_pty.py" --log "$log" --subst "$work/bochsrc" \
            "${pty_opts[@]}" --type-delay "${TYPE_DELAY:-0.005}" --child-output "$work/out" \
            -- timeout "$limit" bochs -f "$work/bochsrc" -q -rc "$work/cmds"
    }
    if [[ " ${pty_opts[*]} " == *" --interactive "* ]]; then
        pty_run                                 # the caller's stdin and stdout
    else
        pty_run </dev/null >/dev/null
    fi
    rc=$?
else
    timeout "$limit" bochs -f "$work/bochsrc" -q -rc "$work/cmds" </dev/null >"$work/out" 2>&1
    rc=$?
fi
cp "$work/bochs.log" "${log%.log}.bochs.log" 2>/dev/null
cat "$work/out" >> "${log%.log}.bochs.log"
exit $rc
