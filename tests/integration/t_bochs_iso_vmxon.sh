#!/usr/bin/env bash
# (a) The GRUB ISO in Bochs (BIOS, VMX): CPU list, memory, capabilities, VMXON ok, clean exit.
. "$(dirname "$0")/lib.sh"
log=$LOGS/bochs_iso_vmxon.log
bash scripts/run-bochs.sh build/hv.iso "$log" 120
expect_status $? 0 "bochs"
expect "$log" '^hv: microhypervisor starting, loaded by Multiboot2'
expect "$log" '^acpi: cpu 0 apic_id 0 enabled'
expect "$log" '^acpi: cpu 1 apic_id 1 enabled'
expect "$log" '^mm: memory [0-9]+ MiB usable'
expect "$log" '^vmx: EPT yes \(4-level yes, WB yes, 2M yes, 1G yes, A/D yes'
expect "$log" '^vmx: VPID yes'
expect "$log" '^vmx: unrestricted guest yes'
expect "$log" '^vmx: VMXON ok'
expect "$log" '^hv: [0-9]+ TSC ticks from kernel entry to VMXON ok'
expect "$log" '^shutdown: status 0'
reject "$log" 'exception|PANIC|error:'
finish "$log"
