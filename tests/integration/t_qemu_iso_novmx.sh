#!/usr/bin/env bash
# (c) The GRUB ISO in QEMU+OVMF (GRUB EFI, Multiboot2): same outcome as the EFI loader.
. "$(dirname "$0")/lib.sh"
log=$LOGS/qemu_iso_novmx.log
bash scripts/run-qemu.sh --iso build/hv.iso --serial "$log" --timeout 60
expect_status $? $(( (2 << 1) | 1 )) "qemu"
expect "$log" '^hv: microhypervisor starting, loaded by Multiboot2'
expect "$log" '^mm: memory [0-9]+ MiB usable'
expect "$log" '^acpi: [0-9]+ CPUs'
expect "$log" '^error: vmx: this CPU has no VMX'
expect "$log" '^shutdown: status 2$'
reject "$log" 'exception|PANIC'
finish "$log"
