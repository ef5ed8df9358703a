#!/usr/bin/env bash
# (b) BOOTX64.EFI in QEMU+OVMF (TCG, no VMX): kernel reached, memory summary, clear "no VMX", status 2.
. "$(dirname "$0")/lib.sh"
log=$LOGS/qemu_efi_novmx.log
bash scripts/run-qemu.sh --esp build/esp --serial "$log" --timeout 60
expect_status $? $(( (2 << 1) | 1 )) "qemu"
expect "$log" '^hv: microhypervisor starting, loaded by UEFI'
expect "$log" '^mm: memory [0-9]+ MiB usable'
expect "$log" '^acpi: [0-9]+ CPUs'
expect "$log" '^error: vmx: this CPU has no VMX'
expect "$log" '^shutdown: status 2$'
reject "$log" 'exception|PANIC'
finish "$log"
