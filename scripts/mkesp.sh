#!/usr/bin/env bash
# Lay out an EFI system partition directory that boots BOOTX64.EFI directly.
# usage: mkesp.sh DIR "CMDLINE" [MODULE_FILE NAME]...
# build/root.elf is added as module root, every build/guest/NAME.bin and NAME.elf
# (the C guests) as guest:NAME.
set -eu
dir=$1 cmdline=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$dir"
mkdir -p "$dir/EFI/BOOT" "$dir/hv"
cp "$here/build/BOOTX64.EFI" "$dir/EFI/BOOT/BOOTX64.EFI"
cp "$here/build/kernel.elf" "$dir/hv/kernel.elf"
# The root task rides along as module "root", every built test guest as "guest:NAME".
[ -e "$here/build/root.elf" ] && set -- "$@" "$here/build/root.elf" root
for g in "$here"/build/guest/*.bin; do
    [ -e "$g" ] || continue
    set -- "$@" "$g" "guest:$(basename "$g" .bin)"
done
for g in "$here"/build/guest/*.elf; do
    [ -e "$g" ] || continue
    set -- "$@" "$g" "guest:$(basename "$g" .elf)"
done
{
    echo "# hv boot configuration, read by BOOTX64.EFI"
    echo 'kernel \hv\kernel.elf'
    while [ $# -ge 2 ]; do
        cp "$1" "$dir/hv/$(basename "$1")"
        echo "module \\hv\\$(basename "$1") $2"
        shift 2
    done
    echo "cmdline $cmdline"
} > "$dir/hv/hv.cfg"
