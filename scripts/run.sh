#!/usr/bin/env bash
# make run: boot the hypervisor in the best emulator this machine has and
# show its console. usage: run.sh [auto|bochs|qemu|kvm]
#   auto  - QEMU+KVM (-cpu host) when /dev/kvm is usable and the CPU has VMX, else Bochs
#   bochs - the GRUB ISO in Bochs (emulated VMX with EPT)
#   qemu  - BOOTX64.EFI in QEMU+OVMF (TCG: no VMX, ends at the "no VMX" line)
#   kvm   - the GRUB ISO in QEMU+KVM with the host CPU (nested VMX)
set -u
cd "$(dirname "$0")/.."
emu=${1:-auto}
log=build/logs/run.log
mkdir -p build/logs

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

case $emu in
bochs)
    echo "run: Bochs (emulated VMX), serial log in $log"
    follow bash scripts/run-bochs.sh build/hv.iso "$log" 120 ;;
qemu)
    echo "run: QEMU + OVMF (UEFI, TCG: no VMX), serial log in $log"
    follow bash scripts/run-qemu.sh --esp build/esp --serial "$log" --timeout 60 ;;
kvm)
    echo "run: QEMU + KVM (nested VMX, -cpu host), serial log in $log"
    follow timeout 120 qemu-system-x86_64 -machine q35 -enable-kvm -cpu host -smp 2 -m 512M \
        -cdrom build/hv.iso -display none -serial "file:$log" -no-reboot -monitor none \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 ;;
*)
    echo "run: unknown emulator '$emu' (auto, bochs, qemu, kvm)" >&2
    exit 2 ;;
esac
rc=$?
echo
echo "run: emulator exited with status $rc"
