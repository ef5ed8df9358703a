#!/usr/bin/env bash
# (c) The GRUB ISO in QEMU+OVMF (GRUB EFI, Multiboot2): same outcome as the EFI loader.
. "$(dirname "$0")/lib.sh"
log=$LOGS/qemu_iso_novmx.log
bash scripts/run-qemu.sh --iso build/hv.iso --serial "$log" --timeout 60
expect_status $? $(( (2 << 1) | 1 )) "qemu"
expect_no_vmx "$log" Multiboot2
finish "$log"
