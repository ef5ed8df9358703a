/* QEMU's fw_cfg device, x86 I/O-port interface (see fw_cfg.h). Pure code. */
#include "fw_cfg.h"
#include "kstring.h"

void fw_cfg_init(struct fw_cfg *c, const struct fw_cfg_config *cfg)
{
    memset(c, 0, sizeof(*c));
    c->ram_bytes = cfg->ram_bytes;
    c->cpus = cfg->cpus;
    c->max_cpus = cfg->max_cpus ? cfg->max_cpus : cfg->cpus;
    c->cmdline = cfg->cmdline;
    if (cfg->cmdline) {
        c->cmdline_len = (uint32_t)strlen(cfg->cmdline);
        fw_cfg_add_file(c, FW_CFG_CMDLINE_FILE, cfg->cmdline, c->cmdline_len);
    }
}

bool fw_cfg_add_file(struct fw_cfg *c, const char *name, const void *data, uint32_t size)
{
    size_t len = strlen(name);
    if (c->nfiles == FW_CFG_MAX_FILES || len == 0 || len >= FW_CFG_NAME_LEN)
        return false;
    unsigned at = c->nfiles;
    for (unsigned i = 0; i < c->nfiles; i++) {
        int order = strcmp(name, c->files[i].name);
        if (order == 0)
            return false;
        if (order < 0 && at == c->nfiles)
            at = i;
    }
    memmove(&c->files[at + 1], &c->files[at], (c->nfiles - at) * sizeof(c->files[0]));
    struct fw_cfg_file *f = &c->files[at];
    memset(f->name, 0, sizeof(f->name));
    memcpy(f->name, name, len);
    f->data = data;
    f->size = size;
    c->nfiles++;
    return true;
}

uint16_t fw_cfg_file_selector(const struct fw_cfg *c, const char *name)
{
    for (unsigned i = 0; i < c->nfiles; i++)
        if (!strcmp(name, c->files[i].name))
            return (uint16_t)(FW_CFG_FILE_FIRST + i);
    return 0;
}

/* Byte i of an n-byte little-endian / big-endian number. */
static uint8_t le_byte(uint64_t v, uint32_t i)
{
    return (uint8_t)(v >> (8 * i));
}

static uint8_t be_byte(uint64_t v, unsigned n, uint32_t i)
{
    return (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* Byte off of the file directory (the caller checked off < its length). */
static uint8_t dir_byte(const struct fw_cfg *c, uint32_t off)
{
    if (off < 4)
        return be_byte(c->nfiles, 4, off);
    off -= 4;
    const struct fw_cfg_file *f = &c->files[off / FW_CFG_DIR_ENTRY];
    uint32_t field = off % FW_CFG_DIR_ENTRY;
    if (field < 4)
        return be_byte(f->size, 4, field);
    if (field < 6)
        return be_byte(FW_CFG_FILE_FIRST + off / FW_CFG_DIR_ENTRY, 2, field - 4);
    if (field < 8)
        return 0;                       /* reserved */
    return (uint8_t)f->name[field - 8];
}

/*
 * Byte off of item key (FW_CFG_ENTRY_MASK bits; arch-specific keys have no
 * items). False past the item's end or when there is no such item.
 */
static bool item_byte(const struct fw_cfg *c, uint16_t selector, uint32_t off, uint8_t *out)
{
    if (selector & FW_CFG_ARCH_LOCAL)
        return false;
    uint16_t key = selector & FW_CFG_ENTRY_MASK;
    switch (key) {
    case FW_CFG_SIGNATURE:
        if (off >= 4)
            return false;
        *out = (uint8_t)"QEMU"[off];
        return true;
    case FW_CFG_ID:
        if (off >= 4)
            return false;
        *out = le_byte(FW_CFG_ID_TRADITIONAL, off);
        return true;
    case FW_CFG_RAM_SIZE:
        if (off >= 8)
            return false;
        *out = le_byte(c->ram_bytes, off);
        return true;
    case FW_CFG_NB_CPUS:
    case FW_CFG_MAX_CPUS:
        if (off >= 2)
            return false;
        *out = le_byte(key == FW_CFG_NB_CPUS ? c->cpus : c->max_cpus, off);
        return true;
    case FW_CFG_CMDLINE_SIZE:
        if (!c->cmdline || off >= 4)
            return false;
        *out = le_byte(c->cmdline_len + 1, off);
        return true;
    case FW_CFG_CMDLINE_DATA:
        if (!c->cmdline || off > c->cmdline_len)
            return false;
        *out = (uint8_t)c->cmdline[off];        /* off == cmdline_len: the NUL */
        return true;
    case FW_CFG_FILE_DIR:
        if (off >= 4 + c->nfiles * FW_CFG_DIR_ENTRY)
            return false;
        *out = dir_byte(c, off);
        return true;
    default:
        if (key < FW_CFG_FILE_FIRST || (unsigned)(key - FW_CFG_FILE_FIRST) >= c->nfiles)
            return false;
        const struct fw_cfg_file *f = &c->files[key - FW_CFG_FILE_FIRST];
        if (off >= f->size)
            return false;
        *out = f->data[off];
        return true;
    }
}

/* One data-register read: the next byte of the selected item, or 0 past its end. */
static uint8_t data_read(struct fw_cfg *c)
{
    uint8_t b = 0;
    if (item_byte(c, c->selector, c->offset, &b))
        c->offset++;
    return b;
}

/*
 * An access is split into pieces as QEMU's memory core splits it: a piece
 * of 2 at the selector port 0x510 (when 2 or more bytes remain), else 1
 * byte; the register pair 0x510-0x511 takes pieces of 1 as data and a
 * piece of 2 at 0x510 as the selector; bytes from 0x512 on are unassigned.
 */
static unsigned piece(uint16_t port, unsigned left)
{
    return port == FW_CFG_PORT_SEL && left >= 2 ? 2 : 1;
}

uint32_t fw_cfg_io_read(void *ctx, uint16_t port, unsigned size)
{
    struct fw_cfg *c = ctx;
    uint32_t v = 0;
    for (unsigned i = 0, n; i < size; i += n) {
        uint16_t p = (uint16_t)(port + i);
        n = piece(p, size - i);
        if (p > FW_CFG_PORT_DATA)
            v |= 0xffu << (8 * i);                  /* unassigned (no DMA register) */
        else if (n == 1)
            v |= (uint32_t)data_read(c) << (8 * i);
        /* else a 2-byte read of the selector: refused, QEMU reads 0 */
    }
    return v;
}

void fw_cfg_io_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    struct fw_cfg *c = ctx;
    for (unsigned i = 0, n; i < size; i += n) {
        uint16_t p = (uint16_t)(port + i);
        n = piece(p, size - i);
        if (p == FW_CFG_PORT_SEL && n == 2) {
            c->selector = (uint16_t)(value >> (8 * i));
            c->offset = 0;
        }
        /* 1-byte data writes are ignored (QEMU v2.4+), bytes from 0x512 on dropped */
    }
}

void fw_cfg_device(struct fw_cfg *c, struct vmm_device *d)
{
    *d = (struct vmm_device){
        .name = "fw_cfg",
        .port = FW_CFG_PORT_SEL,
        .nports = FW_CFG_NPORTS,
        .ctx = c,
        .io_read = fw_cfg_io_read,
        .io_write = fw_cfg_io_write,
    };
}
