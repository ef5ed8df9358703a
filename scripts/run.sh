#!/usr/bin/env bash
# make run: boot the hypervisor in the best emulator this machine has and
# show its console. usage: run.sh [auto|bochs|qemu|kvm]
# With GUEST=FILE (from `make run GUEST=...`) it runs that kernel instead of
# the demo and exits with the guest's status:
#   GUEST_ARGS="..."               the guest's command line
#   GUEST_MEM=MiB                  guest RAM (default 128)
#   GUEST_MODULES="f[=args] ..."   Multiboot modules, each with its string (default: its
#                                  name); with a ';' in it, entries split at ';' instead of
#                                  spaces, so strings may hold spaces
#   GUEST_CPUS=N                   vCPUs (1 until SMP lands)
#   GUEST_TIMEOUT=SECONDS          how long the emulator may run (default 600)
#   GUEST_STATS=1                  guest.stats: the VMM prints the vCPU's exit counts and
#                                  times and the CPU use when the guest ends
#   auto  - QEMU+KVM (-cpu host) when /dev/kvm is usable and the CPU has VMX, else Bochs
#   bochs - the GRUB ISO in Bochs (emulated VMX with EPT)
#   qemu  - BOOTX64.EFI in QEMU+OVMF (TCG: no VMX, ends at the "no VMX" line)
#   kvm   - the GRUB ISO in QEMU+KVM with the host CPU (nested VMX)
# When stdin and stdout are a terminal, the Bochs and KVM runs are interactive:
# the serial console is a pty (scripts/serial_pty.py) and what you type goes to
# it (COM1 of the machine: the kernel's console input, which the VMM gives the
# guest's 16550); Ctrl-C ends the run. Otherwise (tests, CI, </dev/null) the
# console goes to the log only, shown with tail, as always.
set -u
cd "$(dirname "$0")/.."
emu=${1:-auto}
log=build/logs/run.log
mkdir -p build/logs
iso=build/hv.iso limit=120 megs=256

# A user's kernel: its own ISO with the kernel as guest:NAME, the modules as
# guest-module:STRING and the options on the kernel command line.
if [ -n "${GUEST:-}" ]; then
    [ -r "$GUEST" ] || { echo "run: GUEST=$GUEST: no such file" >&2; exit 2; }
    name=$(basename "$GUEST"); name=${name%.*}
    mem=${GUEST_MEM:-128}
    case $mem in ''|*[!0-9]*) echo "run: GUEST_MEM=$mem: not a size in MiB" >&2; exit 2 ;; esac
    case ${GUEST_ARGS:-} in *\"*|*\'*) echo "run: GUEST_ARGS may not hold quotes" >&2; exit 2 ;; esac
    set -- "$GUEST" "guest:$name"
    # Entries split at spaces, or at ';' when there is one (then strings may hold spaces).
    sep=' '
    case ${GUEST_MODULES:-} in *\;*) sep=';' ;; esac
    IFS=$sep read -r -a entries <<< "${GUEST_MODULES:-}"
    for m in "${entries[@]}"; do
        m=$(echo "$m" | sed 's/^ *//; s/ *$//')
        [ -n "$m" ] || continue
        file=${m%%=*} str=${m#*=}
        [ "$str" = "$m" ] && str=$(basename "$file")
        set -- "$@" "$file" "guest-module:$str"
    done
    cmdline="console=com1 log=info guest=$name guest.mem=$mem guest.cpus=${GUEST_CPUS:-1}"
    case ${GUEST_STATS:-0} in 0|'') ;; *) cmdline="$cmdline guest.stats" ;; esac
    [ -n "${GUEST_ARGS:-}" ] && cmdline="$cmdline guest.args=\"$GUEST_ARGS\""
    iso=build/variants/run-guest.iso
    mkdir -p build/variants
    NO_TEST_GUESTS=1 bash scripts/mkiso.sh "$iso" "$cmdline" "$@" || exit 2
    limit=${GUEST_TIMEOUT:-600}
    megs=$((mem + 128))                 # the guest's RAM plus the hypervisor's own
fi

if [ "$emu" = auto ]; then
    if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qw vmx /proc/cpuinfo; then
        emu=kvm
    else
        emu=bochs
    fi
fi

# Show the serial log as it grows, until the emulator ends.
follow() {
    : > "$log"
    "$@" &
    local pid=$!
    tail -n +1 -f --pid=$pid "$log" | tr -d '\r'
    wait $pid
}

interactive=0
[ -t 0 ] && [ -t 1 ] && interactive=1
kvm_args=(-machine q35 -enable-kvm -cpu host -smp 2 -m $((megs + 256))M -cdrom "$iso"
          -display none -no-reboot -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04)

case $emu in
bochs)
    echo "run: Bochs (emulated VMX), serial log in $log"
    if [ $interactive = 1 ]; then
        echo "run: interactive: what you type goes to the serial console; Ctrl-C ends the run"
        : > "$log"
        BOCHS_MEGS=$megs bash scripts/run-bochs.sh --interactive "$iso" "$log" "$limit"
    else
        BOCHS_MEGS=$megs follow bash scripts/run-bochs.sh "$iso" "$log" "$limit"
    fi ;;
qemu)
    echo "run: QEMU + OVMF (UEFI, TCG: no VMX), serial log in $log"
    follow bash scripts/run-qemu.sh --esp build/esp --serial "$log" --timeout 60 ;;
kvm)
    echo "run: QEMU + KVM (nested VMX, -cpu host), serial log in $log"
    if [ $interactive = 1 ]; then
        echo "run: interactive: what you type goes to the serial console; Ctrl-C ends the run"
        : > "$log"
        python3 scripts/serial_pty.py --log "$log" --interactive \
            -- timeout "$limit" qemu-system-x86_64 "${kvm_args[@]}" -serial @PTY@
    else
        follow timeout "$limit" qemu-system-x86_64 "${kvm_args[@]}" -serial "file:$log"
    fi ;;
*)
    echo "run: unknown emulator '$emu' (auto, bochs, qemu, kvm)" >&2
    exit 2 ;;
esac
rc=$?
echo
echo "run: emulator exited with status $rc"
# A guest run ends with the guest's status, as the VMM reported it.
if [ -n "${GUEST:-}" ]; then
    status=$(tr -d '\r' < "$log" | sed -n 's/^root: guest .* exited with status \([0-9]*\)$/\1/p' | tail -1)
    [ -n "$status" ] || { echo "run: the guest's status is not in $log"; exit 1; }
    echo "run: guest $name exited with status $status"
    exit "$status"
fi
exit $rc
