/*
 * root/vmm/fw_cfg.c: QEMU's fw_cfg I/O-port interface as firmware and
 * Linux's qemu_fw_cfg driver use it: select with a 16-bit write to 0x510,
 * read bytes from 0x511, find files through the directory.
 */
#include <string.h>
#include "fw_cfg.h"
#include "ut.h"
#include "vmm_device.h"

static struct fw_cfg fc;
static struct vmm_devices table;

static void setup(const char *cmdline)
{
    memset(&fc, 0x5a, sizeof(fc));          /* fw_cfg_init must set everything that matters */
    struct fw_cfg_config cfg = { .ram_bytes = 0x123456789ull, .cpus = 4, .cmdline = cmdline };
    fw_cfg_init(&fc, &cfg);
    struct vmm_device d;
    fw_cfg_device(&fc, &d);
    vmm_devices_init(&table);
    CHECK(vmm_devices_add(&table, &d));
}

static void sel(uint16_t key)
{
    vmm_io_write(&table, FW_CFG_PORT_SEL, 2, key, 0);
}

static uint8_t rd8(void)
{
    return (uint8_t)vmm_io_read(&table, FW_CFG_PORT_DATA, 1, 0);
}

static void rd(void *buf, unsigned n)
{
    uint8_t *p = buf;
    for (unsigned i = 0; i < n; i++)
        p[i] = rd8();
}

static uint64_t rd_le(unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)rd8() << (8 * i);
    return v;
}

static uint64_t rd_be(unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | rd8();
    return v;
}

struct dirent {
    uint32_t size;
    uint16_t select;
    char name[FW_CFG_NAME_LEN];
};

/* Read the whole directory as a guest does; returns the count. */
static unsigned read_dir(struct dirent *out, unsigned max)
{
    sel(FW_CFG_FILE_DIR);
    unsigned n = (unsigned)rd_be(4);
    for (unsigned i = 0; i < n; i++) {
        struct dirent e;
        e.size = (uint32_t)rd_be(4);
        e.select = (uint16_t)rd_be(2);
        CHECK_EQ(rd_be(2), 0);              /* reserved */
        rd(e.name, FW_CFG_NAME_LEN);
        CHECK_EQ(e.name[FW_CFG_NAME_LEN - 1], 0);
        if (i < max)
            out[i] = e;
    }
    CHECK_EQ(rd8(), 0);                     /* past the end */
    return n;
}

/* The selector of name, found through the directory as firmware finds it. */
static uint16_t find_file(const char *name, uint32_t *size)
{
    struct dirent d[FW_CFG_MAX_FILES];
    unsigned n = read_dir(d, FW_CFG_MAX_FILES);
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(d[i].name, name)) {
            *size = d[i].size;
            return d[i].select;
        }
    return 0;
}

UT_TEST(fw_cfg_signature)
{
    setup(0);
    char sig[5] = { 0 };
    rd(sig, 4);                             /* selector 0 after reset */
    CHECK(!strcmp(sig, "QEMU"));
    CHECK_EQ(rd8(), 0);                     /* past the end: 0 */
    CHECK_EQ(rd8(), 0);
    sel(FW_CFG_SIGNATURE);
    rd(sig, 4);
    CHECK(!strcmp(sig, "QEMU"));
    sel(FW_CFG_SIGNATURE | FW_CFG_WRITE_CHANNEL);   /* bit 14 does not change the item */
    CHECK_EQ(rd8(), 'Q');
}

UT_TEST(fw_cfg_id_no_dma)
{
    setup(0);
    sel(FW_CFG_ID);
    uint64_t id = rd_le(4);
    CHECK_EQ(id, FW_CFG_ID_TRADITIONAL);
    CHECK_EQ(id & FW_CFG_ID_DMA, 0);
    CHECK_EQ(rd8(), 0);
    /* The DMA address register is absent: all ones, writes do nothing. */
    CHECK_EQ(vmm_io_read(&table, FW_CFG_PORT_DMA, 4, 0), 0xffffffffu);
    CHECK_EQ(vmm_io_read(&table, FW_CFG_PORT_DMA + 4, 4, 0), 0xffffffffu);
    CHECK_EQ(vmm_io_read(&table, 0x512, 1, 0), 0xff);
    vmm_io_write(&table, FW_CFG_PORT_DMA + 4, 4, 0x1000, 0);
    sel(FW_CFG_SIGNATURE);
    CHECK_EQ(rd8(), 'Q');
    /* The device claims exactly 0x510-0x51b. */
    CHECK(vmm_devices_port(&table, 0x510));
    CHECK(vmm_devices_port(&table, 0x51b));
    CHECK(!vmm_devices_port(&table, 0x50f));
    CHECK(!vmm_devices_port(&table, 0x51c));
}

UT_TEST(fw_cfg_ram_and_cpus)
{
    setup(0);
    sel(FW_CFG_RAM_SIZE);
    CHECK_EQ(rd_le(8), 0x123456789ull);
    CHECK_EQ(rd8(), 0);
    sel(FW_CFG_NB_CPUS);
    CHECK_EQ(rd_le(2), 4);
    CHECK_EQ(rd8(), 0);
    sel(FW_CFG_MAX_CPUS);
    CHECK_EQ(rd_le(2), 4);                  /* max_cpus 0: the same as cpus */
    CHECK_EQ(rd8(), 0);

    struct fw_cfg c2;
    struct fw_cfg_config cfg = { .ram_bytes = 16ull << 20, .cpus = 2, .max_cpus = 8 };
    fw_cfg_init(&c2, &cfg);
    fw_cfg_io_write(&c2, FW_CFG_PORT_SEL, 2, FW_CFG_MAX_CPUS);
    CHECK_EQ(fw_cfg_io_read(&c2, FW_CFG_PORT_DATA, 1), 8);
    fw_cfg_io_write(&c2, FW_CFG_PORT_SEL, 2, FW_CFG_NB_CPUS);
    CHECK_EQ(fw_cfg_io_read(&c2, FW_CFG_PORT_DATA, 1), 2);
}

UT_TEST(fw_cfg_absent_items_read_zero)
{
    setup(0);
    static const uint16_t keys[] = { 0x0002, 0x0004, 0x0009, 0x0014, 0x0015, 0x001f,
                                     FW_CFG_FILE_FIRST + 1, 0x3fff, 0x8000, 0x8003, 0xffff };
    for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        sel(keys[i]);
        for (unsigned j = 0; j < 8; j++)
            CHECK_EQ(rd8(), 0);
    }
    /* Without a command line: no CMDLINE items, an empty-ish directory of no files. */
    struct dirent d[1];
    CHECK_EQ(read_dir(d, 1), 0);
    CHECK_EQ(fw_cfg_file_selector(&fc, FW_CFG_CMDLINE_FILE), 0);
}

UT_TEST(fw_cfg_cmdline_items_and_file)
{
    const char *cmd = "console=ttyS0 earlyprintk=serial";
    setup(cmd);
    sel(FW_CFG_CMDLINE_SIZE);
    CHECK_EQ(rd_le(4), strlen(cmd) + 1);
    sel(FW_CFG_CMDLINE_DATA);
    char buf[64];
    rd(buf, (unsigned)strlen(cmd) + 1);
    CHECK(!strcmp(buf, cmd));               /* with its NUL */
    CHECK_EQ(rd8(), 0);

    uint32_t size = 0;
    uint16_t s = find_file(FW_CFG_CMDLINE_FILE, &size);
    CHECK_EQ(s, FW_CFG_FILE_FIRST);
    CHECK_EQ(size, strlen(cmd));            /* the file holds the string without its NUL */
    sel(s);
    memset(buf, 0x77, sizeof(buf));
    rd(buf, size);
    CHECK(!memcmp(buf, cmd, size));
    CHECK_EQ(rd8(), 0);
}

UT_TEST(fw_cfg_directory_sorted_by_name)
{
    setup("quiet");
    static const uint8_t a[] = { 1, 2, 3 }, b[300] = { 9 }, z[] = { 0xaa };
    CHECK(fw_cfg_add_file(&fc, "opt/zzz", z, sizeof(z)));
    CHECK(fw_cfg_add_file(&fc, "etc/boot-fail-wait", a, sizeof(a)));
    CHECK(fw_cfg_add_file(&fc, "opt/hv/blob", b, sizeof(b)));
    struct dirent d[8];
    unsigned n = read_dir(d, 8);
    CHECK_EQ(n, 4);
    static const char *const want[] = { "etc/boot-fail-wait", "opt/hv/blob", "opt/hv/cmdline",
                                        "opt/zzz" };
    static const uint32_t sizes[] = { 3, 300, 5, 1 };
    for (unsigned i = 0; i < 4; i++) {
        CHECK(!strcmp(d[i].name, want[i]));
        CHECK_EQ(d[i].select, FW_CFG_FILE_FIRST + i);   /* renumbered in name order */
        CHECK_EQ(d[i].size, sizes[i]);
        CHECK_EQ(fw_cfg_file_selector(&fc, want[i]), FW_CFG_FILE_FIRST + i);
    }
    /* Each selector reads its own file. */
    sel(d[0].select);
    CHECK_EQ(rd8(), 1);
    CHECK_EQ(rd8(), 2);
    CHECK_EQ(rd8(), 3);
    CHECK_EQ(rd8(), 0);
    sel(d[3].select);
    CHECK_EQ(rd8(), 0xaa);
    CHECK_EQ(rd8(), 0);
    sel(d[1].select);
    CHECK_EQ(rd8(), 9);
    for (unsigned i = 1; i < 300; i++)
        CHECK_EQ(rd8(), 0);
    sel(FW_CFG_FILE_FIRST + 4);             /* past the last file */
    CHECK_EQ(rd8(), 0);
}

UT_TEST(fw_cfg_add_file_refusals)
{
    setup(0);
    static const uint8_t x = 1;
    char longname[FW_CFG_NAME_LEN + 1];
    memset(longname, 'a', sizeof(longname));
    longname[FW_CFG_NAME_LEN] = 0;
    CHECK(!fw_cfg_add_file(&fc, longname, &x, 1));
    longname[FW_CFG_NAME_LEN - 1] = 0;          /* 55 characters: the longest */
    CHECK(fw_cfg_add_file(&fc, longname, &x, 1));
    CHECK(!fw_cfg_add_file(&fc, longname, &x, 1));  /* duplicate */
    CHECK(!fw_cfg_add_file(&fc, "", &x, 1));
    char name[16];
    for (unsigned i = 1; i < FW_CFG_MAX_FILES; i++) {
        name[0] = 'f';
        name[1] = (char)('A' + i);
        name[2] = 0;
        CHECK(fw_cfg_add_file(&fc, name, &x, 1));
    }
    CHECK(!fw_cfg_add_file(&fc, "full", &x, 1));
    struct dirent d[FW_CFG_MAX_FILES];
    CHECK_EQ(read_dir(d, FW_CFG_MAX_FILES), FW_CFG_MAX_FILES);
    CHECK(!strcmp(d[0].name, longname));    /* "aaa..." sorts before "fB".."fP" */
    CHECK(!strcmp(d[1].name, "fB"));
    CHECK(!strcmp(d[FW_CFG_MAX_FILES - 1].name, "fP"));
}

UT_TEST(fw_cfg_select_resets_offset)
{
    setup(0);
    sel(FW_CFG_SIGNATURE);
    CHECK_EQ(rd8(), 'Q');
    CHECK_EQ(rd8(), 'E');
    sel(FW_CFG_SIGNATURE);                  /* the same item again: from the start */
    CHECK_EQ(rd8(), 'Q');
    sel(FW_CFG_RAM_SIZE);
    sel(FW_CFG_SIGNATURE);
    CHECK_EQ(rd8(), 'Q');
    CHECK_EQ(rd8(), 'E');
    CHECK_EQ(rd8(), 'M');
    CHECK_EQ(rd8(), 'U');
    CHECK_EQ(rd8(), 0);
    sel(FW_CFG_SIGNATURE);                  /* also after reading past the end */
    CHECK_EQ(rd8(), 'Q');
}

UT_TEST(fw_cfg_access_widths)
{
    setup(0);
    sel(FW_CFG_SIGNATURE);
    /* A byte read at the selector port reads data too (one 2-byte register). */
    CHECK_EQ(vmm_io_read(&table, FW_CFG_PORT_SEL, 1, 0), 'Q');
    /* inw 0x510: refused, 0, the offset stays. */
    CHECK_EQ(vmm_io_read(&table, FW_CFG_PORT_SEL, 2, 0), 0);
    CHECK_EQ(rd8(), 'E');
    /* inw 0x511: one data byte, then 0x512 unassigned. */
    CHECK_EQ(vmm_io_read(&table, FW_CFG_PORT_DATA, 2, 0), 0xff00u | 'M');
    CHECK_EQ(rd8(), 'U');
    /* inl 0x510: the refused 2-byte register, then two unassigned ports. */
    sel(FW_CFG_SIGNATURE);
    CHECK_EQ(vmm_io_read(&table, FW_CFG_PORT_SEL, 4, 0), 0xffff0000u);
    CHECK_EQ(rd8(), 'Q');
    /* inl 0x511: one data byte and three unassigned. */
    CHECK_EQ(vmm_io_read(&table, FW_CFG_PORT_DATA, 4, 0), 0xffffff00u | 'E');
    /* Writes: bytes and a word at 0x511 change nothing; a dword at 0x510 selects. */
    vmm_io_write(&table, FW_CFG_PORT_DATA, 1, 0x42, 0);
    vmm_io_write(&table, FW_CFG_PORT_SEL, 1, FW_CFG_RAM_SIZE, 0);
    vmm_io_write(&table, FW_CFG_PORT_DATA, 2, FW_CFG_RAM_SIZE, 0);
    CHECK_EQ(rd8(), 'M');
    vmm_io_write(&table, FW_CFG_PORT_SEL, 4, 0xabcd0000u | FW_CFG_NB_CPUS, 0);
    CHECK_EQ(rd8(), 4);
    CHECK_EQ(rd8(), 0);
    /* Data writes do not change an item. */
    sel(FW_CFG_SIGNATURE);
    vmm_io_write(&table, FW_CFG_PORT_DATA, 1, 'X', 0);
    sel(FW_CFG_SIGNATURE);
    CHECK_EQ(rd8(), 'Q');
}
