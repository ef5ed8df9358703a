/* The VMM's device table: claims, overlaps, routing, all ones where nothing answers. */
#include "ut.h"
#include "vmm_device.h"

struct probe {
    unsigned reads, writes;
    uint64_t last_addr, last_value;
    unsigned last_size;
};

static uint32_t probe_io_read(void *ctx, uint16_t port, unsigned size)
{
    struct probe *p = ctx;
    p->reads++;
    p->last_addr = port;
    p->last_size = size;
    return 0x12345678u;
}

static void probe_io_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    struct probe *p = ctx;
    p->writes++;
    p->last_addr = port;
    p->last_size = size;
    p->last_value = value;
}

static uint64_t probe_mmio_read(void *ctx, uint64_t addr, unsigned size)
{
    struct probe *p = ctx;
    p->reads++;
    p->last_addr = addr;
    p->last_size = size;
    return 0x1122334455667788ull;
}

static void probe_mmio_write(void *ctx, uint64_t addr, unsigned size, uint64_t value)
{
    struct probe *p = ctx;
    p->writes++;
    p->last_addr = addr;
    p->last_size = size;
    p->last_value = value;
}

static struct vmm_device io_dev(struct probe *p, uint16_t port, uint16_t n)
{
    return (struct vmm_device){ "io", port, n, 0, 0, p, probe_io_read, probe_io_write, 0, 0 };
}

UT_TEST(vmm_devices_route_ports)
{
    struct vmm_devices t;
    struct probe a = { 0 }, b = { 0 };
    vmm_devices_init(&t);
    struct vmm_device da = io_dev(&a, 0x3f8, 8), db = io_dev(&b, 0x510, 2);
    CHECK(vmm_devices_add(&t, &da));
    CHECK(vmm_devices_add(&t, &db));
    bool claimed = false;
    CHECK_EQ(vmm_io_read(&t, 0x3fd, 1, &claimed), 0x78);        /* masked to the size */
    CHECK(claimed);
    CHECK_EQ(a.reads, 1);
    CHECK_EQ(a.last_addr, 0x3fd);
    CHECK_EQ(vmm_io_read(&t, 0x511, 2, &claimed), 0x5678);
    CHECK_EQ(b.reads, 1);
    vmm_io_write(&t, 0x3f8, 1, 0xabcd, &claimed);
    CHECK(claimed);
    CHECK_EQ(a.writes, 1);
    CHECK_EQ(a.last_value, 0xcd);                               /* only the low byte */
    /* The edges: 0x3f7 and 0x400 belong to nobody. */
    CHECK(vmm_devices_port(&t, 0x3f7) == 0);
    CHECK(vmm_devices_port(&t, 0x400) == 0);
    CHECK(vmm_devices_port(&t, 0x3ff) != 0);
}

UT_TEST(vmm_devices_unclaimed_is_all_ones)
{
    struct vmm_devices t;
    vmm_devices_init(&t);
    bool claimed = true;
    CHECK_EQ(vmm_io_read(&t, 0x1234, 1, &claimed), 0xff);
    CHECK(!claimed);
    CHECK_EQ(vmm_io_read(&t, 0x1234, 2, 0), 0xffff);
    CHECK_EQ(vmm_io_read(&t, 0x1234, 4, 0), 0xffffffffu);
    CHECK_EQ(vmm_mmio_read(&t, 0xfee00000ull, 8, &claimed), ~0ull);
    CHECK(!claimed);
    CHECK_EQ(vmm_mmio_read(&t, 0xfee00000ull, 1, 0), 0xff);
    claimed = true;
    vmm_io_write(&t, 0x80, 1, 0x55, &claimed);                  /* dropped, no crash */
    CHECK(!claimed);
    vmm_mmio_write(&t, 0xdead0000ull, 4, 1, &claimed);
    CHECK(!claimed);
}

UT_TEST(vmm_devices_refuse_overlaps_and_bad_ranges)
{
    struct vmm_devices t;
    struct probe p = { 0 };
    vmm_devices_init(&t);
    struct vmm_device d = io_dev(&p, 0x60, 1), e = io_dev(&p, 0x64, 1);
    CHECK(vmm_devices_add(&t, &d));
    CHECK(vmm_devices_add(&t, &e));
    struct vmm_device over = io_dev(&p, 0x5f, 2);               /* covers 0x60 */
    CHECK(!vmm_devices_add(&t, &over));
    struct vmm_device none = io_dev(&p, 0x70, 0);               /* claims nothing */
    CHECK(!vmm_devices_add(&t, &none));
    struct vmm_device wrap = io_dev(&p, 0xfffe, 4);             /* leaves the port space */
    CHECK(!vmm_devices_add(&t, &wrap));
    struct vmm_device m = { "mmio", 0, 0, 0xfec00000ull, 0x1000, &p, 0, 0, probe_mmio_read,
                            probe_mmio_write };
    CHECK(vmm_devices_add(&t, &m));
    struct vmm_device m2 = m;
    m2.mmio_base = 0xfec00ff8ull;                               /* its last 8 bytes */
    CHECK(!vmm_devices_add(&t, &m2));
    struct vmm_device mwrap = m;
    mwrap.mmio_base = ~0ull - 10;
    CHECK(!vmm_devices_add(&t, &mwrap));
    CHECK_EQ(t.count, 3);
}

UT_TEST(vmm_devices_route_mmio_and_null_handlers)
{
    struct vmm_devices t;
    struct probe p = { 0 };
    vmm_devices_init(&t);
    struct vmm_device m = { "mmio", 0, 0, 0xfec00000ull, 0x1000, &p, 0, 0, probe_mmio_read,
                            probe_mmio_write };
    struct vmm_device ro = { "sink", 0x80, 1, 0, 0, &p, 0, 0, 0, 0 };   /* no handlers */
    CHECK(vmm_devices_add(&t, &m));
    CHECK(vmm_devices_add(&t, &ro));
    CHECK_EQ(vmm_mmio_read(&t, 0xfec00010ull, 4, 0), 0x55667788u);
    CHECK_EQ(p.last_addr, 0xfec00010ull);
    vmm_mmio_write(&t, 0xfec00ff8ull, 8, 0x0102030405060708ull, 0);
    CHECK_EQ(p.last_value, 0x0102030405060708ull);
    CHECK_EQ(p.last_size, 8);
    bool claimed = false;
    CHECK_EQ(vmm_io_read(&t, 0x80, 1, &claimed), 0xff);         /* claimed, reads all ones */
    CHECK(claimed);
    CHECK_EQ(p.reads, 1);
}

UT_TEST(vmm_devices_table_full)
{
    struct vmm_devices t;
    struct probe p = { 0 };
    vmm_devices_init(&t);
    for (unsigned i = 0; i < VMM_MAX_DEVICES; i++) {
        struct vmm_device d = io_dev(&p, (uint16_t)(0x1000 + 4 * i), 4);
        CHECK(vmm_devices_add(&t, &d));
    }
    struct vmm_device more = io_dev(&p, 0x2000, 1);
    CHECK(!vmm_devices_add(&t, &more));
}

UT_TEST(vmm_exit_first_reason_wins)
{
    struct vmm_exit e = { 0 };
    vmm_exit_set(&e, 3, "exit port");
    vmm_exit_set(&e, 0, "S5");
    CHECK(e.done);
    CHECK_EQ(e.status, 3);
}
