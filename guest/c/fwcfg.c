/*
 * fwcfg: QEMU's firmware configuration device, legacy I/O interface (QEMU
 * docs/specs/fw_cfg.rst): selector 0x510 (16-bit OUT), data 0x511 (8-bit
 * IN). Reads the signature, the feature bits, the RAM size and CPU count,
 * the file directory and the command line (items 0x14/0x15 or a file named
 * .../cmdline), and checks them against the device's rules and the
 * Multiboot information.
 */
#include "rt.h"
#include "mb_util.h"

GUEST_NAME("fwcfg");

#define FW_CFG_SELECTOR         0x510
#define FW_CFG_DATA             0x511
#define FW_CFG_SIGNATURE        0x00
#define FW_CFG_ID               0x01
#define FW_CFG_RAM_SIZE         0x03
#define FW_CFG_NB_CPUS          0x05
#define FW_CFG_MAX_CPUS         0x0f
#define FW_CFG_CMDLINE_SIZE     0x14
#define FW_CFG_CMDLINE_DATA     0x15
#define FW_CFG_FILE_DIR         0x19
#define FW_CFG_FILE_FIRST       0x20
#define FW_CFG_ITEMS            0x4000  /* keys of one kind: 0x0000-0x3fff */
#define FILE_NAME_LEN           56
#define MIB                     (1ull << 20)

static void select_item(uint16_t key)
{
    outw(FW_CFG_SELECTOR, key);         /* also resets the data offset to 0 */
}

static void read_bytes(void *buf, uint32_t n)
{
    uint8_t *p = buf;
    while (n--)
        *p++ = inb(FW_CFG_DATA);
}

static uint64_t read_le(unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)inb(FW_CFG_DATA) << (8 * i);
    return v;
}

static uint32_t read_be(unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | inb(FW_CFG_DATA);
    return v;
}

/* Whether the next n data bytes are all 0, as reads past an item's end are. */
static bool zeros_follow(unsigned n)
{
    uint8_t b = 0;
    while (n--)
        b |= inb(FW_CFG_DATA);
    return b == 0;
}

static bool check_signature(void)
{
    char sig[5] = { 0 };
    select_item(FW_CFG_SIGNATURE);
    read_bytes(sig, 4);
    for (int i = 0; i < 4; i++)
        if (sig[i] < 0x20 || sig[i] > 0x7e)
            sig[i] = '?';
    if (!check(!memcmp(sig, "QEMU", 4), "signature (key 0x0000) is \"QEMU\" (\"%s\")", sig))
        return false;
    check(zeros_follow(8), "reads past the 4-byte signature return 0");
    select_item(FW_CFG_SIGNATURE);
    (void)inb(FW_CFG_DATA);
    select_item(FW_CFG_SIGNATURE);              /* selecting again starts over */
    read_bytes(sig, 4);
    check(!memcmp(sig, "QEMU", 4), "selecting an item again resets the data offset");
    return true;
}

/* RAM size against the Multiboot information: the same machine, seen twice. */
static void check_ram(void)
{
    select_item(FW_CFG_RAM_SIZE);
    uint64_t ram = read_le(8);
    uint64_t upper = rt_mbi->flags & MBI_MEM ? MIB + (uint64_t)rt_mbi->mem_upper * 1024 : 0;
    uint64_t avail = mb_available_total();
    uint64_t slack = ram / 8 > 16 * MIB ? ram / 8 : 16 * MIB;   /* firmware, ACPI, holes */
    rt_printf("ram: %llu MiB (fw_cfg); Multiboot: 1 MiB + mem_upper = %llu MiB, %llu MiB available\n",
              (unsigned long long)(ram >> 20), (unsigned long long)(upper >> 20),
              (unsigned long long)(avail >> 20));
    check(ram >= 16 * MIB, "RAM size (key 0x0003) is at least 16 MiB");
    check(upper && upper <= ram && ram - upper <= slack,
          "1 MiB + mem_upper lies within RAM size, at most %llu MiB below it",
          (unsigned long long)(slack >> 20));
    check(avail <= ram && ram - avail <= slack,
          "the map's available RAM lies within RAM size, at most %llu MiB below it",
          (unsigned long long)(slack >> 20));
}

static void check_cpus(void)
{
    select_item(FW_CFG_NB_CPUS);
    uint32_t n = (uint32_t)read_le(2);
    select_item(FW_CFG_MAX_CPUS);
    uint32_t max = (uint32_t)read_le(2);
    rt_printf("cpus: %u (max %u)\n", n, max);
    check(n >= 1, "CPU count (key 0x0005) >= 1 (%u)", n);
}

struct file {
    uint32_t size;
    uint16_t select;
    char name[FILE_NAME_LEN];
};

/* The file named .../cmdline, if any (its selector, size). */
static struct file cmdline_file;

static void check_files(void)
{
    select_item(FW_CFG_FILE_DIR);
    uint32_t count = read_be(4);
    rt_printf("files: %u\n", count);
    if (!check(count < FW_CFG_ITEMS, "file directory (key 0x0019): count %u < 0x4000", count))
        return;
    unsigned bad = 0;
    uint16_t keys[64];
    unsigned nkeys = 0, dups = 0;
    for (uint32_t i = 0; i < count; i++) {
        struct file f;
        f.size = read_be(4);
        f.select = (uint16_t)read_be(2);
        (void)read_be(2);                       /* reserved */
        read_bytes(f.name, FILE_NAME_LEN);
        bool named = f.name[0] && rt_memmem(f.name, FILE_NAME_LEN, "", 1);
        if (!named)
            f.name[FILE_NAME_LEN - 1] = '\0';
        rt_printf("  file 0x%04x %8u bytes  %s\n", f.select, f.size, f.name);
        if (!named || f.select < FW_CFG_FILE_FIRST || f.select >= FW_CFG_ITEMS)
            bad++;
        for (unsigned k = 0; k < nkeys; k++)
            if (keys[k] == f.select)
                dups++;
        if (nkeys < sizeof(keys) / sizeof(keys[0]))
            keys[nkeys++] = f.select;
        size_t len = strlen(f.name);
        if (len >= 7 && !strcmp(f.name + len - 7, "cmdline") && (len == 7 || f.name[len - 8] == '/'))
            cmdline_file = f;
    }
    check(bad == 0, "file entries: a NUL-terminated name, a key in 0x0020-0x3fff (%u bad)", bad);
    check(dups == 0, "file keys are distinct (%u repeated)", dups);
}

/* The command line: items 0x14 (size, with the NUL) and 0x15, else a file .../cmdline. */
static void check_cmdline(void)
{
    static char buf[1024];
    select_item(FW_CFG_CMDLINE_SIZE);
    uint32_t size = (uint32_t)read_le(4);
    uint16_t key = FW_CFG_CMDLINE_DATA;
    const char *from = "key 0x0015";
    if (!size && cmdline_file.size) {
        size = cmdline_file.size;
        key = cmdline_file.select;
        from = cmdline_file.name;
    }
    if (!size) {
        rt_printf("cmdline: none (key 0x0014 reads 0, no file .../cmdline)\n");
        return;
    }
    if (!check(size < sizeof(buf), "command line size %u < %u", size, (unsigned)sizeof(buf)))
        return;
    select_item(key);
    read_bytes(buf, size);
    buf[size] = '\0';
    rt_printf("cmdline (%s): \"%s\"\n", from, buf);
    check(zeros_follow(4), "reads past the command line's %u bytes return 0", size);
    /* Key 0x14 counts the NUL; a file may or may not hold one. */
    size_t len = strlen(buf);
    check(len == size - 1 || (key != FW_CFG_CMDLINE_DATA && len == size),
          "the command line's %u characters%s fill its size %u", (unsigned)len,
          len < size ? " and a NUL" : "", size);
}

int gmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    if (!check_signature())
        return EXIT_CHECK;                      /* no fw_cfg: nothing else to read */
    select_item(FW_CFG_ID);
    uint32_t id = (uint32_t)read_le(4);
    rt_printf("id: 0x%08x (traditional interface%s)\n", id, id & 2 ? ", DMA" : "");
    check(id & 1, "feature bits (key 0x0001) have bit 0, the traditional interface");
    check_ram();
    check_cpus();
    check_files();
    check_cmdline();
    return 0;
}
