/*
 * The PC's Intel 8254 programmable interval timer and the channel-2 bits of
 * port 0x61, as a device model for the VMM's table (vmm_device.h). Pure: the
 * time base is a callback, as in acpi_pm.h (free-running ticks, e.g. the
 * TSC, at ticks_hz); the counters run at PIT_HZ = 1.193182 MHz, counted
 * exactly as floor(elapsed ticks * 1193182 / ticks_hz).
 *
 * Ports: 0x40-0x42 counters 0-2, 0x43 control word (write only; reads give
 * 0xff), 0x61 "NMI status and control": bit 0 GATE2 and bit 1 speaker data
 * enable read back, bits 2-3 (parity / channel check enables) read back,
 * bit 4 the refresh-request toggle (it flips on every read, for the delay
 * loops that wait for it to change), bit 5 OUT2, bits 6-7 (NMI sources) 0.
 * Counter 0's OUT is IRQ 0, counter 1 (DRAM refresh) has no output, counter
 * 2's OUT feeds the speaker and port 0x61 bit 5. Gates 0 and 1 are tied
 * high; gate 2 is port 0x61 bit 0.
 *
 * Control word (8254 datasheet): SC bits 7:6 (11 = read-back), RW bits 5:4
 * (00 counter latch, 01 LSB only, 10 MSB only, 11 LSB then MSB), M bits 3:1
 * (x10 = mode 2, x11 = mode 3), BCD bit 0. Writing it resets the counter:
 * OUT low in mode 0, high in the others, null count set, no count loaded.
 *   - Counts: written in the RW format; LSB/MSB take two writes (in mode 0
 *     the first byte stops the count). A count of 0 is 2^16 (10^4 in BCD).
 *     BCD counting is modelled (4 decades). The count is loaded when it is
 *     written (the datasheet's one-CLK load delay is not modelled).
 *   - Reads: the count in the RW format (LSB/MSB alternate); a counter-latch
 *     command freezes the count until it is read in full (further latch
 *     commands are ignored until then). Read-back (0xc0 | ~COUNT<<5 |
 *     ~STATUS<<4 | CNT2<<3 | CNT1<<2 | CNT0<<1) latches count and/or status
 *     of the selected counters; the status byte is OUT<<7 | NULL COUNT<<6 |
 *     RW<<4 | M<<1 | BCD and is read first.
 * Modes (d = input clocks since the count N was loaded):
 *   0 interrupt on terminal count: OUT low, high at d = N and stays; the
 *     count wraps on. Gate low pauses counting. A new count restarts.
 *   1 hardware-retriggerable one-shot: a gate rising edge loads N, OUT low
 *     until d = N. Only counter 2 has a gate that moves; counters 0 and 1
 *     never trigger in this mode (their OUT stays high).
 *   2 rate generator: OUT low for one clock when the count reaches 1, period
 *     N (rising edges at d = N, 2N, ...). 3 square wave: OUT high for
 *     ceil(N/2), low for floor(N/2), rising edges at multiples of N; the
 *     count reads N - (2d mod N) (exact for even N). In both, gate low stops
 *     counting and forces OUT high, gate rising reloads; a count written
 *     while counting is loaded at the end of the current period (null count
 *     stays set until then). A count of 1 (illegal) is taken as 2.
 *   4 software-triggered strobe: OUT low for one clock at d = N.
 *   5 hardware-triggered strobe: mode 4 started by a gate rising edge
 *     (counter 2 only, as mode 1).
 *
 * IRQ 0: the VMM's loop asks pit_irq0_next_edge() for the next deadline and
 * arms a timer for it; at the deadline (and after any PIT port access) it
 * calls pit_update(), which returns the rising edges of OUT0 since the last
 * call (counting-produced edges and a control word that raises OUT0 both
 * count), and pulses IRQ 0 once if it is nonzero (edges that piled up while
 * the guest was not running coalesce, as one latched IRR bit would).
 */
#ifndef PIT8254_H
#define PIT8254_H

#include <stdbool.h>
#include <stdint.h>
#include "vmm_device.h"

#define PIT_HZ          1193182u
#define PIT_PORT_BASE   0x40            /* counters 0x40-0x42, control 0x43 */
#define PIT_PORT_CTRL   0x43
#define PIT_PORT_61     0x61
#define PIT_NO_EDGE     UINT64_MAX

typedef uint64_t (*pit_clock_fn)(void *ctx);

struct pit_channel {
    uint8_t mode, mode_bits, rw, bcd;   /* effective mode, M as written */
    uint16_t cr;                        /* the count register as written */
    bool have_cr;                       /* a full count was written since the control word */
    uint32_t n;                         /* the effective count loaded (1..65536) */
    bool counting;                      /* a count is loaded (mode 1/5: triggered) */
    bool paused;                        /* gate low in mode 0/2/3/4 */
    bool null_count;
    bool pending;                       /* mode 2/3: cr loads at switch_at */
    bool gate;
    uint64_t start, paused_at, switch_at;   /* PIT clocks */
    uint8_t write_lsb, write_msb_next, read_msb_next;
    bool count_latched, status_latched;
    uint16_t latch;
    uint8_t latch_msb_next, status;
};

struct pit8254 {
    struct pit_channel ch[3];
    pit_clock_fn now;
    void *clock_ctx;
    uint64_t ticks_hz, t0;
    uint8_t port61;                     /* bits 0-3 as written */
    bool refresh;
    uint64_t last;                      /* the latest PIT clock seen (time never goes back) */
    uint64_t irq0_seen;                 /* PIT clock up to which OUT0 edges are counted */
    uint32_t irq0_edges;
};

/*
 * Reset state: every counter in mode 3 (LSB/MSB) without a count: OUT high,
 * no edges until the guest programs it; gate 2 low.
 * ticks_hz must be nonzero and below 2^42.
 */
void pit_init(struct pit8254 *pit, pit_clock_fn now, void *clock_ctx, uint64_t ticks_hz);

/* Rising edges of OUT0 between the last call (or init) and tick now. */
uint32_t pit_update(struct pit8254 *pit, uint64_t now);
/* The first tick after now at which OUT0 rises, now itself if edges are pending
 * for pit_update, or PIT_NO_EDGE. */
uint64_t pit_irq0_next_edge(struct pit8254 *pit, uint64_t now);
/* The level of counter c's OUT at tick now. */
bool pit_out(struct pit8254 *pit, unsigned c, uint64_t now);

uint32_t pit_io_read(void *ctx, uint16_t port, unsigned size);
void pit_io_write(void *ctx, uint16_t port, unsigned size, uint32_t value);

/* Register "pit" 0x40-0x43 and "port61" 0x61. */
bool pit_register(struct pit8254 *pit, struct vmm_devices *t);

#endif
