/* A PC's fixed-function ports (see pc_ports.h). Pure code. */
#include "pc_ports.h"
#include "vmm_status.h"

void pc_ports_init(struct pc_ports *p, struct vmm_exit *exit,
                   void (*debugcon_putc)(void *ctx, char c), void *putc_ctx)
{
    *p = (struct pc_ports){ exit, debugcon_putc, putc_ctx, 0, 0 };
}

static void exit_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    (void)port, (void)size;
    struct pc_ports *p = ctx;
    vmm_exit_set(p->exit, value > VMM_STATUS_GUEST_MAX ? VMM_STATUS_GUEST_MAX : value,
                 "exit port 0xf4");
}

static uint32_t debugcon_read(void *ctx, uint16_t port, unsigned size)
{
    (void)ctx, (void)size;
    return port;
}

static void debugcon_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    (void)port;
    struct pc_ports *p = ctx;
    for (unsigned i = 0; i < size; i++)         /* a wider OUT: its bytes in order */
        p->debugcon_putc(p->putc_ctx, (char)(value >> (8 * i)));
}

static uint32_t kbc_read(void *ctx, uint16_t port, unsigned size)
{
    (void)ctx, (void)size;
    return port == PC_PORT_KBC_CMD ? 0x1c : 0;
}

static void kbc_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    (void)size;
    struct pc_ports *p = ctx;
    if (port == PC_PORT_KBC_CMD && (value & 0xff) == 0xfe)
        vmm_exit_set(p->exit, VMM_STATUS_RESET, "keyboard-controller reset (0x64 <- 0xfe)");
}

static uint32_t sysctl_read(void *ctx, uint16_t port, unsigned size)
{
    (void)port, (void)size;
    return ((struct pc_ports *)ctx)->sysctl_a;
}

static void sysctl_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    (void)port, (void)size;
    struct pc_ports *p = ctx;
    p->sysctl_a = value & 0x02;                 /* A20 sticks; the reset bit is a pulse */
    if (value & 0x01)
        vmm_exit_set(p->exit, VMM_STATUS_RESET, "fast reset (port 0x92 bit 0)");
}

/* PCI spec 3.0, 3.2.2.3.2: CONFIG_ADDRESS bits 30:24 reserved (read 0), 1:0 read 0. */
#define PCI_ADDR_MASK 0x80fffffcu

static uint32_t pci_read(void *ctx, uint16_t port, unsigned size)
{
    struct pc_ports *p = ctx;
    if (port == PC_PORT_PCI_ADDR && size == 4)
        return p->pci_address;
    return (uint32_t)vmm_all_ones(size);        /* the data window: no device answers */
}

static void pci_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    struct pc_ports *p = ctx;
    if (port == PC_PORT_PCI_ADDR && size == 4)
        p->pci_address = value & PCI_ADDR_MASK;
    else if (port == PC_PORT_PCI_RESET && size == 1 && (value & 0x04))
        vmm_exit_set(p->exit, VMM_STATUS_RESET, "reset control register (0xcf9)");
}

bool pc_ports_register(struct pc_ports *p, struct vmm_devices *t)
{
    const struct vmm_device devs[] = {
        { "exit", PC_PORT_EXIT, 1, 0, 0, p, 0, exit_write, 0, 0 },
        { "post", PC_PORT_POST, 1, 0, 0, p, 0, 0, 0, 0 },
        { "debugcon", PC_PORT_DEBUGCON, 1, 0, 0, p, debugcon_read, debugcon_write, 0, 0 },
        { "kbc-data", PC_PORT_KBC_DATA, 1, 0, 0, p, kbc_read, kbc_write, 0, 0 },
        { "kbc-cmd", PC_PORT_KBC_CMD, 1, 0, 0, p, kbc_read, kbc_write, 0, 0 },
        { "sysctl-a", PC_PORT_SYSCTL_A, 1, 0, 0, p, sysctl_read, sysctl_write, 0, 0 },
        { "pci", PC_PORT_PCI_ADDR, 8, 0, 0, p, pci_read, pci_write, 0, 0 },
    };
    for (unsigned i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
        if (!vmm_devices_add(t, &devs[i]))
            return false;
    return true;
}
