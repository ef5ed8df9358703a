/*
 * The guest's ACPI power-management registers, the fixed hardware of a
 * legacy (not hardware-reduced) ACPI PC (ACPI 6.0 sections 4.8.3.1 "PM1
 * Event Grouping", 4.8.3.2 "PM1 Control Grouping", 4.8.3.3 "Power
 * Management Timer (PM_TMR)"), at the ports the FADT (acpi_build.h) names.
 * Pure: no hypercalls; the time base is a callback.
 *
 * Ports (one device claims 0x600-0x60b):
 *   0x600  PM1a_STS, 16-bit. Status bits are set by events and cleared by
 *          writing 1 to them (writing 0 leaves a bit alone). TMR_STS (bit 0)
 *          sets when bit 23 of the PM timer changes; PWRBTN_STS and the
 *          others are set by acpi_pm_raise(). WAK_STS (bit 15) never sets:
 *          there is no sleep state to wake from.
 *   0x602  PM1a_EN, 16-bit: the enables of TMR, GBL, PWRBTN, SLPBTN and RTC
 *          (bits 0, 5, 8, 9, 10) read back; other bits read 0.
 *   0x604  PM1a_CNT, 16-bit. SCI_EN (bit 0) always reads 1: the machine is
 *          in ACPI mode from reset (the FADT's SMI_CMD is 0) and writes
 *          cannot clear it. BM_RLD (bit 1) and SLP_TYP (bits 12:10) read
 *          back as written; GBL_RLS (bit 2) and SLP_EN (bit 13) are
 *          write-only and read 0. A write with SLP_EN set enters the sleep
 *          state SLP_TYP names: ACPI_PM_SLP_TYP_S5 (the DSDT's \_S5 value)
 *          ends the guest with status 0, "ACPI S5 power-off"; the DSDT
 *          offers no other state, so other values are ignored (the write
 *          just updates SLP_TYP), as a chipset ignores a type it lacks.
 *   0x606-0x607  unused: read 0, writes ignored.
 *   0x608  PM_TMR, 32-bit read-only: a 24-bit counter at 3.579545 MHz
 *          (TMR_VAL_EXT clear in the FADT; bits 31:24 read 0), counting
 *          from 0 at acpi_pm_init and wrapping at 2^24.
 *   0x60a-0x60b: the timer's upper bytes (0 with a 24-bit timer).
 * Accesses of 1, 2 or 4 bytes at any of the ports act byte by byte on the
 * registers they cover (a 4-byte write at 0x600 writes PM1_STS and PM1_EN,
 * as ACPICA's 32-bit PM1 event block access does).
 *
 * The SCI: acpi_pm_sci_pending() says whether an enabled status bit is
 * set; the VMM's platform (platform.h) drives IRQ 9 (the FADT's SCI_INT)
 * with it and wakes up at acpi_pm_next_event() for the timer's TMR_STS.
 */
#ifndef ACPI_PM_H
#define ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>
#include "vmm_device.h"

#define ACPI_PM_BASE        0x600
#define ACPI_PM1A_EVT_BLK   0x600       /* PM1_STS at +0, PM1_EN at +2 */
#define ACPI_PM1_EVT_LEN    4
#define ACPI_PM1A_CNT_BLK   0x604
#define ACPI_PM1_CNT_LEN    2
#define ACPI_PM_TMR_BLK     0x608
#define ACPI_PM_TMR_LEN     4
#define ACPI_PM_NPORTS      12          /* 0x600-0x60b */
#define ACPI_SCI_IRQ        9

#define ACPI_PM_TIMER_HZ    3579545u
#define ACPI_PM_TIMER_MASK  0xffffffu   /* 24 bits */

/* PM1 status / enable bits (4.8.3.1.1, 4.8.3.1.2). */
#define ACPI_PM1_TMR        (1u << 0)
#define ACPI_PM1_BM_STS     (1u << 4)
#define ACPI_PM1_GBL        (1u << 5)
#define ACPI_PM1_PWRBTN     (1u << 8)
#define ACPI_PM1_SLPBTN     (1u << 9)
#define ACPI_PM1_RTC        (1u << 10)
#define ACPI_PM1_WAK_STS    (1u << 15)
#define ACPI_PM1_EN_MASK    (ACPI_PM1_TMR | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | ACPI_PM1_SLPBTN | \
                             ACPI_PM1_RTC)

/* PM1 control bits (4.8.3.2.1). */
#define ACPI_PM1_SCI_EN     (1u << 0)
#define ACPI_PM1_BM_RLD     (1u << 1)
#define ACPI_PM1_GBL_RLS    (1u << 2)
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_TYP    (7u << 10)
#define ACPI_PM1_SLP_EN     (1u << 13)

/* The SLP_TYPa value of \_S5 in root/vmm/dsdt.asl (a unit test checks they agree). */
#define ACPI_PM_SLP_TYP_S5  5

/* The time base: a free-running tick count (e.g. the TSC) and its rate. */
typedef uint64_t (*acpi_pm_clock_fn)(void *ctx);

struct acpi_pm {
    uint16_t sts, en, cnt;
    acpi_pm_clock_fn now;
    void *clock_ctx;
    uint64_t ticks_hz;
    uint64_t t0;                        /* now() at init */
    uint64_t tmr_seen;                  /* timer count (unwrapped) when TMR_STS was last updated */
    struct vmm_exit *exit;
};

/*
 * Reset state: STS 0, EN 0, CNT SCI_EN, timer 0. now() is called here and on
 * every port read; ticks_hz must be nonzero and below 2^42 (the timer is
 * exact: floor(elapsed ticks * 3579545 / ticks_hz), no 64-bit overflow).
 * exit receives the S5 power-off.
 */
void acpi_pm_init(struct acpi_pm *pm, acpi_pm_clock_fn now, void *clock_ctx, uint64_t ticks_hz,
                  struct vmm_exit *exit);

/* The 24-bit PM timer value now. */
uint32_t acpi_pm_timer(struct acpi_pm *pm);

/* Set status bits, e.g. ACPI_PM1_PWRBTN for a power-button press. */
void acpi_pm_raise(struct acpi_pm *pm, uint16_t status_bits);

/* Whether an enabled status bit is set (the SCI would be asserted). */
bool acpi_pm_sci_pending(struct acpi_pm *pm);

/* The tick (of the clock given at init) at which TMR_STS sets next, when it is enabled and
 * not set yet (the next change of the timer's bit 23), else ACPI_PM_NO_EVENT. */
#define ACPI_PM_NO_EVENT    UINT64_MAX
uint64_t acpi_pm_next_event(struct acpi_pm *pm);

/* Port accesses as the device table delivers them (ctx is the struct acpi_pm). */
uint32_t acpi_pm_io_read(void *ctx, uint16_t port, unsigned size);
void acpi_pm_io_write(void *ctx, uint16_t port, unsigned size, uint32_t value);

/* The device for the VMM's table: "acpi_pm", ports 0x600-0x60b, ctx pm. */
void acpi_pm_device(struct acpi_pm *pm, struct vmm_device *d);

#endif
