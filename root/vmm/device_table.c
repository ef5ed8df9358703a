/* The VMM's device table (root/include/vmm_device.h): a short list, searched in order. */
#include "vmm_device.h"

void vmm_devices_init(struct vmm_devices *t)
{
    t->count = 0;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

bool vmm_devices_add(struct vmm_devices *t, const struct vmm_device *d)
{
    if (t->count == VMM_MAX_DEVICES || (!d->nports && !d->mmio_len))
        return false;
    if ((uint32_t)d->port + d->nports > 0x10000u || d->mmio_base + d->mmio_len < d->mmio_base)
        return false;
    for (unsigned i = 0; i < t->count; i++) {
        const struct vmm_device *o = &t->dev[i];
        if (ranges_overlap(d->port, d->nports, o->port, o->nports) ||
            ranges_overlap(d->mmio_base, d->mmio_len, o->mmio_base, o->mmio_len))
            return false;
    }
    t->dev[t->count++] = *d;
    return true;
}

const struct vmm_device *vmm_devices_port(const struct vmm_devices *t, uint16_t port)
{
    for (unsigned i = 0; i < t->count; i++) {
        const struct vmm_device *d = &t->dev[i];
        if (d->nports && port >= d->port && port - d->port < d->nports)
            return d;
    }
    return 0;
}

const struct vmm_device *vmm_devices_mmio(const struct vmm_devices *t, uint64_t addr)
{
    for (unsigned i = 0; i < t->count; i++) {
        const struct vmm_device *d = &t->dev[i];
        if (d->mmio_len && addr >= d->mmio_base && addr - d->mmio_base < d->mmio_len)
            return d;
    }
    return 0;
}

uint32_t vmm_io_read(const struct vmm_devices *t, uint16_t port, unsigned size, bool *claimed)
{
    const struct vmm_device *d = vmm_devices_port(t, port);
    if (claimed)
        *claimed = d != 0;
    uint32_t mask = (uint32_t)vmm_all_ones(size);
    return d && d->io_read ? d->io_read(d->ctx, port, size) & mask : mask;
}

void vmm_io_write(const struct vmm_devices *t, uint16_t port, unsigned size, uint32_t value,
                  bool *claimed)
{
    const struct vmm_device *d = vmm_devices_port(t, port);
    if (claimed)
        *claimed = d != 0;
    if (d && d->io_write)
        d->io_write(d->ctx, port, size, value & (uint32_t)vmm_all_ones(size));
}

uint64_t vmm_mmio_read(const struct vmm_devices *t, uint64_t addr, unsigned size, bool *claimed)
{
    const struct vmm_device *d = vmm_devices_mmio(t, addr);
    if (claimed)
        *claimed = d != 0;
    uint64_t mask = vmm_all_ones(size);
    return d && d->mmio_read ? d->mmio_read(d->ctx, addr, size) & mask : mask;
}

void vmm_mmio_write(const struct vmm_devices *t, uint64_t addr, unsigned size, uint64_t value,
                    bool *claimed)
{
    const struct vmm_device *d = vmm_devices_mmio(t, addr);
    if (claimed)
        *claimed = d != 0;
    if (d && d->mmio_write)
        d->mmio_write(d->ctx, addr, size, value & vmm_all_ones(size));
}
