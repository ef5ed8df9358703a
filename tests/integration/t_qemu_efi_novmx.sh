#!/usr/bin/env bash
# (b) BOOTX64.EFI in QEMU+OVMF (TCG, no VMX): kernel reached, memory summary, clear "no VMX", status 2.
. "$(dirname "$0")/lib.sh"
log=$LOGS/qemu_efi_novmx.log
bash scripts/run-qemu.sh --esp build/esp --serial "$log" --timeout 60
expect_status $? $(( (2 << 1) | 1 )) "qemu"
expect_no_vmx "$log" UEFI
finish "$log"
