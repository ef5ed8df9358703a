/*
 * The guest's DSDT (ACPI 6.x section 5.2.11.1), compiled by iasl at build
 * time (root/root.mk) into a C array that root/vmm/acpi_dsdt.c includes and
 * acpi_build.c copies into the tables. Kept small: what a legacy PC
 * without PCI needs for Linux to power off through ACPI and find COM1, the
 * fw_cfg device and the PC's interrupt controller, timer and clock (with
 * the ports and IRQs root/vmm/platform.c gives them).
 */
DefinitionBlock ("", "DSDT", 2, "HV    ", "HVPC    ", 1)
{
    /*
     * Soft off (section 7.4.2, \_Sx): SLP_TYPa, SLP_TYPb, two reserved
     * entries. SLP_TYPa must equal ACPI_PM_SLP_TYP_S5 (root/include/acpi_pm.h),
     * the value whose write to PM1a_CNT with SLP_EN ends the guest; a unit
     * test checks that they agree. No other sleep state is offered.
     */
    Name (\_S5, Package (0x04) { 0x05, 0x05, Zero, Zero })

    Scope (\_SB)
    {
        /* The 16550 UART the VMM models at 0x3f8 (root/vmm/uart16550.c), IRQ 4. */
        Device (COM1)
        {
            Name (_HID, EisaId ("PNP0501"))
            Name (_UID, One)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
                IRQNoFlags () {4}
            })
        }

        /* The 8259 pair (root/vmm/pic8259.c) and its ELCR; IRQ 2 is the cascade. */
        Device (PIC)
        {
            Name (_HID, EisaId ("PNP0000"))
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0020, 0x0020, 0x01, 0x02)
                IO (Decode16, 0x00A0, 0x00A0, 0x01, 0x02)
                IO (Decode16, 0x04D0, 0x04D0, 0x01, 0x02)
                IRQNoFlags () {2}
            })
        }

        /* The 8254 PIT (root/vmm/pit8254.c): counter 0 on IRQ 0. */
        Device (TMR)
        {
            Name (_HID, EisaId ("PNP0100"))
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0040, 0x0040, 0x01, 0x04)
                IRQNoFlags () {0}
            })
        }

        /* The MC146818A RTC and CMOS RAM (root/vmm/rtc_cmos.c) on IRQ 8. */
        Device (RTC)
        {
            Name (_HID, EisaId ("PNP0B00"))
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0070, 0x0070, 0x01, 0x02)
                IRQNoFlags () {8}
            })
        }

        /*
         * QEMU's fw_cfg (root/vmm/fw_cfg.c) under QEMU's ACPI ID, as QEMU
         * declares it without DMA: the two ports 0x510-0x511. Linux's
         * qemu_fw_cfg driver finds it here (/sys/firmware/qemu_fw_cfg).
         * _STA 0x0B: present, enabled, functioning, not shown in a UI.
         */
        Device (FWCF)
        {
            Name (_HID, "QEMU0002")
            Name (_STA, 0x0B)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0510, 0x0510, 0x01, 0x02)
            })
        }
    }
}
