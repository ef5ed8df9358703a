/*
 * Device models of the root task's VMM and the one table that finds them.
 * Pure: no hypercalls, so each model and the table compile into the host
 * unit tests.
 *
 * A device claims one I/O port range and/or one guest-physical MMIO range.
 * Accesses are 1, 2 or 4 bytes for ports (8 too for MMIO) at an address
 * inside the range; a read returns the value in the low `size` bytes. The
 * VMM routes every port and every guest-physical access outside RAM here;
 * what no device claims reads all ones and ignores writes, as on a PC.
 *
 * A device that ends the guest (exit port, ACPI S5, keyboard-controller
 * reset) says so through the shared struct vmm_exit it was given.
 */
#ifndef VMM_DEVICE_H
#define VMM_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

/* How the guest ended: set by devices, read by the VMM's run loop. */
struct vmm_exit {
    bool done;
    uint32_t status;            /* the guest's exit status */
    const char *why;            /* one line for the log, e.g. "ACPI S5 power-off" */
};

static inline void vmm_exit_set(struct vmm_exit *e, uint32_t status, const char *why)
{
    if (!e->done) {
        e->done = true;
        e->status = status;
        e->why = why;
    }
}

struct vmm_device {
    const char *name;
    uint16_t port, nports;              /* I/O ports [port, port + nports); nports 0: none */
    uint64_t mmio_base, mmio_len;       /* MMIO [base, base + len); len 0: none */
    void *ctx;
    /* Any of these may be NULL: reads of that kind give all ones, writes are dropped. */
    uint32_t (*io_read)(void *ctx, uint16_t port, unsigned size);
    void (*io_write)(void *ctx, uint16_t port, unsigned size, uint32_t value);
    uint64_t (*mmio_read)(void *ctx, uint64_t addr, unsigned size);
    void (*mmio_write)(void *ctx, uint64_t addr, unsigned size, uint64_t value);
};

#define VMM_MAX_DEVICES 32

struct vmm_devices {
    unsigned count;
    struct vmm_device dev[VMM_MAX_DEVICES];
};

void vmm_devices_init(struct vmm_devices *t);
/* Add a copy of d. False when the table is full, d claims nothing, a range wraps or
 * leaves the port space, or it overlaps a range another device claims. */
bool vmm_devices_add(struct vmm_devices *t, const struct vmm_device *d);
/* The device claiming port / addr, or NULL. */
const struct vmm_device *vmm_devices_port(const struct vmm_devices *t, uint16_t port);
const struct vmm_device *vmm_devices_mmio(const struct vmm_devices *t, uint64_t addr);

/* All ones in the low size bytes (size 1, 2, 4 or 8). */
static inline uint64_t vmm_all_ones(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/*
 * One access through the table: the claiming device's handler, else all ones
 * for a read and nothing for a write. *claimed (if given) says whether a
 * device took it.
 */
uint32_t vmm_io_read(const struct vmm_devices *t, uint16_t port, unsigned size, bool *claimed);
void vmm_io_write(const struct vmm_devices *t, uint16_t port, unsigned size, uint32_t value,
                  bool *claimed);
uint64_t vmm_mmio_read(const struct vmm_devices *t, uint64_t addr, unsigned size, bool *claimed);
void vmm_mmio_write(const struct vmm_devices *t, uint64_t addr, unsigned size, uint64_t value,
                    bool *claimed);

#endif
