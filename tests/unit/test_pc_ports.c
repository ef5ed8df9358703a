/* A PC's fixed ports: exit, POST, debug console, keyboard controller, port 0x92, PCI. */
#include "pc_ports.h"
#include "ut.h"
#include "vmm_status.h"

static char printed[16];
static unsigned nprinted;

static void putc_probe(void *ctx, char c)
{
    (void)ctx;
    if (nprinted < sizeof(printed))
        printed[nprinted++] = c;
}

static void setup(struct pc_ports *p, struct vmm_devices *t, struct vmm_exit *e)
{
    *e = (struct vmm_exit){ 0 };
    vmm_devices_init(t);
    pc_ports_init(p, e, putc_probe, 0);
    CHECK(pc_ports_register(p, t));
    nprinted = 0;
}

UT_TEST(pc_exit_port_ends_with_the_value)
{
    struct pc_ports p;
    struct vmm_devices t;
    struct vmm_exit e;
    setup(&p, &t, &e);
    vmm_io_write(&t, PC_PORT_EXIT, 1, 7, 0);
    CHECK(e.done);
    CHECK_EQ(e.status, 7);
    setup(&p, &t, &e);
    vmm_io_write(&t, PC_PORT_EXIT, 4, 100000, 0);        /* clamped, still an end */
    CHECK(e.done);
    CHECK_EQ(e.status, VMM_STATUS_GUEST_MAX);
    setup(&p, &t, &e);
    vmm_io_write(&t, PC_PORT_EXIT, 2, 0, 0);
    CHECK(e.done && e.status == 0);
    CHECK_EQ(vmm_io_read(&t, PC_PORT_EXIT, 1, 0), 0xff);
}

UT_TEST(pc_post_and_debugcon)
{
    struct pc_ports p;
    struct vmm_devices t;
    struct vmm_exit e;
    setup(&p, &t, &e);
    bool claimed = false;
    vmm_io_write(&t, PC_PORT_POST, 1, 0x42, &claimed);
    CHECK(claimed && !e.done);
    CHECK_EQ(vmm_io_read(&t, PC_PORT_POST, 1, 0), 0xff);
    CHECK_EQ(vmm_io_read(&t, PC_PORT_DEBUGCON, 1, 0), 0xe9);
    vmm_io_write(&t, PC_PORT_DEBUGCON, 1, 'h', 0);
    vmm_io_write(&t, PC_PORT_DEBUGCON, 2, 'i' | ('!' << 8), 0);
    CHECK_EQ(nprinted, 3);
    CHECK(printed[0] == 'h' && printed[1] == 'i' && printed[2] == '!');
}

UT_TEST(pc_keyboard_controller_reset)
{
    struct pc_ports p;
    struct vmm_devices t;
    struct vmm_exit e;
    setup(&p, &t, &e);
    CHECK_EQ(vmm_io_read(&t, PC_PORT_KBC_CMD, 1, 0), 0x1c);
    CHECK_EQ(vmm_io_read(&t, PC_PORT_KBC_DATA, 1, 0), 0);
    vmm_io_write(&t, PC_PORT_KBC_CMD, 1, 0xad, 0);       /* disable keyboard: ignored */
    vmm_io_write(&t, PC_PORT_KBC_DATA, 1, 0xfe, 0);      /* 0xfe as data is no command */
    CHECK(!e.done);
    vmm_io_write(&t, PC_PORT_KBC_CMD, 1, 0xfe, 0);
    CHECK(e.done);
    CHECK_EQ(e.status, VMM_STATUS_RESET);
}

UT_TEST(pc_port_92_a20_and_fast_reset)
{
    struct pc_ports p;
    struct vmm_devices t;
    struct vmm_exit e;
    setup(&p, &t, &e);
    vmm_io_write(&t, PC_PORT_SYSCTL_A, 1, 0x02, 0);
    CHECK_EQ(vmm_io_read(&t, PC_PORT_SYSCTL_A, 1, 0), 0x02);
    CHECK(!e.done);
    vmm_io_write(&t, PC_PORT_SYSCTL_A, 1, 0x03, 0);
    CHECK(e.done && e.status == VMM_STATUS_RESET);
}

UT_TEST(pc_pci_config_has_no_device)
{
    struct pc_ports p;
    struct vmm_devices t;
    struct vmm_exit e;
    setup(&p, &t, &e);
    vmm_io_write(&t, PC_PORT_PCI_ADDR, 4, 0xff000003u | (1u << 31), 0);
    CHECK_EQ(vmm_io_read(&t, PC_PORT_PCI_ADDR, 4, 0), 0x80000000u);   /* reserved bits 0 */
    vmm_io_write(&t, PC_PORT_PCI_ADDR, 4, 0x80000000u, 0);            /* bus 0 dev 0 fn 0 */
    CHECK_EQ(vmm_io_read(&t, 0xcfc, 4, 0), 0xffffffffu);               /* vendor 0xffff */
    CHECK_EQ(vmm_io_read(&t, 0xcfc, 2, 0), 0xffff);
    CHECK_EQ(vmm_io_read(&t, 0xcfe, 1, 0), 0xff);
    vmm_io_write(&t, 0xcfc, 4, 0x1234, 0);
    CHECK_EQ(vmm_io_read(&t, 0xcfc, 4, 0), 0xffffffffu);
    vmm_io_write(&t, PC_PORT_PCI_RESET, 1, 0x02, 0);                   /* no RST bit */
    CHECK(!e.done);
    vmm_io_write(&t, PC_PORT_PCI_RESET, 1, 0x06, 0);
    CHECK(e.done && e.status == VMM_STATUS_RESET);
}
