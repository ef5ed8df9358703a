#!/usr/bin/env bash
# Boot the hypervisor under QEMU + OVMF (UEFI), headless, serial to a file.
#
#   scripts/run-qemu.sh (--esp DIR | --iso FILE) --serial LOGFILE --timeout SECONDS
#                       [--gdb] [--] [extra qemu args...]
#
# --esp DIR   directory laid out as an EFI system partition (EFI/BOOT/BOOTX64.EFI,
#             hv/...); QEMU sees a private copy of it as a FAT disk.
# --iso FILE  bootable ISO image, attached as a CD-ROM.
# --gdb       wait for a debugger on tcp::1234 (-s -S).
# The first argument that is not one of these starts the extra QEMU arguments.
#
# Exit status: QEMU's. The kernel writes v to port 0xf4 (isa-debug-exit) and QEMU
# exits with (v << 1) | 1; 124 means the timeout hit; 2 means bad usage.
set -eu

OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
QEMU=${QEMU:-qemu-system-x86_64}

usage() {
    echo "usage: $0 (--esp DIR | --iso FILE) --serial LOGFILE --timeout SECONDS [--gdb] [extra qemu args...]" >&2
    exit 2
}

esp="" iso="" serial="" secs="" gdb=0
while [ $# -gt 0 ]; do
    case "$1" in
        --esp)     [ $# -ge 2 ] || usage; esp=$2; shift 2 ;;
        --iso)     [ $# -ge 2 ] || usage; iso=$2; shift 2 ;;
        --serial)  [ $# -ge 2 ] || usage; serial=$2; shift 2 ;;
        --timeout) [ $# -ge 2 ] || usage; secs=$2; shift 2 ;;
        --gdb)     gdb=1; shift ;;
        --)        shift; break ;;
        -h|--help) usage ;;
        *)         break ;;
    esac
done

if [ -n "$esp" ] && [ -n "$iso" ]; then
    echo "$0: give --esp or --iso, not both" >&2; exit 2
fi
[ -n "$esp" ] || [ -n "$iso" ] || usage
[ -n "$serial" ] || usage
case "$secs" in
    ''|*[!0-9]*) echo "$0: --timeout needs a whole number of seconds" >&2; exit 2 ;;
esac
if [ -n "$esp" ] && [ ! -d "$esp" ]; then
    echo "$0: ESP directory $esp not found" >&2; exit 2
fi
if [ -n "$iso" ] && [ ! -f "$iso" ]; then
    echo "$0: ISO image $iso not found" >&2; exit 2
fi
for f in "$OVMF_CODE" "$OVMF_VARS"; do
    [ -f "$f" ] || { echo "$0: firmware $f not found (install ovmf)" >&2; exit 2; }
done
command -v "$QEMU" >/dev/null || { echo "$0: $QEMU not found" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-qemu.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# OVMF writes its variable store: give it a private copy.
cp "$OVMF_VARS" "$tmp/vars.fd"

mkdir -p "$(dirname "$serial")"
: > "$serial"

args=(-machine q35 -m 512M -cpu qemu64 -smp 2
      -drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
      -drive "if=pflash,format=raw,file=$tmp/vars.fd"
      -display none -serial "file:$serial"
      -device isa-debug-exit,iobase=0xf4,iosize=0x04
      -no-reboot -monitor none)

if [ -n "$esp" ]; then
    # vvfat may write to the directory it serves: serve a copy.
    mkdir "$tmp/esp"
    cp -R "$esp/." "$tmp/esp/"
    args+=(-drive "format=raw,file=fat:rw:$tmp/esp")
else
    args+=(-cdrom "$iso")
fi
[ "$gdb" -eq 1 ] && args+=(-s -S)

rc=0
timeout --foreground -k 5 "$secs" "$QEMU" "${args[@]}" "$@" || rc=$?
exit "$rc"
