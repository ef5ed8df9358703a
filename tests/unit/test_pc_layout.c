/*
 * root/vmm/pc_layout.c: the PC-like guest-physical layout for RAM sizes from
 * 2 MiB to 5 GiB (pure arithmetic, no buffers), the windows the VMM maps,
 * gpa -> buffer offset translation, memory-map types, refused sizes.
 */
#include <string.h>
#include "guest_loader.h"
#include "ut.h"

#define KIB 1024ull
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)

/* The memory map expected for `size` (see guest_loader.h). */
static unsigned expected_map(uint64_t size, struct gl_range *r)
{
    uint64_t low = size < 3 * GIB ? size : 3 * GIB;
    unsigned n = 0;
    r[n++] = (struct gl_range){ 0, 640 * KIB, 1 };
    r[n++] = (struct gl_range){ 640 * KIB, 256 * KIB, 2 };
    r[n++] = (struct gl_range){ 896 * KIB, 128 * KIB, 2 };
    r[n++] = (struct gl_range){ 1 * MIB, low - 64 * KIB - 1 * MIB, 1 };
    r[n++] = (struct gl_range){ low - 64 * KIB, 64 * KIB, 3 };
    if (size > low)
        r[n++] = (struct gl_range){ 4 * GIB, size - low, 1 };
    return n;
}

static void check_layout(uint64_t size)
{
    struct gl_layout l;
    memset(&l, 0xee, sizeof(l));
    CHECK_EQ(gl_layout_init(&l, size), GL_OK);
    uint64_t low = size < 3 * GIB ? size : 3 * GIB;
    CHECK_EQ(l.size, size);
    CHECK_EQ(l.low_top, low);
    CHECK_EQ(l.high_size, size - low);
    CHECK_EQ(l.acpi_gpa, low - GL_ACPI_SIZE);

    struct gl_range want[GL_MAX_RANGES];
    unsigned n = expected_map(size, want);
    CHECK_EQ(l.nranges, n);
    for (unsigned i = 0; i < n && i < l.nranges; i++) {
        CHECK_EQ(l.ranges[i].gpa, want[i].gpa);
        CHECK_EQ(l.ranges[i].len, want[i].len);
        CHECK_EQ(l.ranges[i].type, want[i].type);
    }

    /* Windows: low RAM, ROM (read-only), RAM from 1 MiB, high RAM at offset low_top. */
    CHECK_EQ(l.nwindows, size > low ? 4 : 3);
    CHECK_EQ(l.windows[0].gpa, 0);
    CHECK_EQ(l.windows[0].offset, 0);
    CHECK_EQ(l.windows[0].len, 640 * KIB);
    CHECK(l.windows[0].writable);
    CHECK_EQ(l.windows[1].gpa, 0xe0000);
    CHECK_EQ(l.windows[1].offset, 0xe0000);
    CHECK_EQ(l.windows[1].len, 0x20000);
    CHECK(!l.windows[1].writable);
    CHECK_EQ(l.windows[2].gpa, 1 * MIB);
    CHECK_EQ(l.windows[2].offset, 1 * MIB);
    CHECK_EQ(l.windows[2].len, low - 1 * MIB);
    CHECK(l.windows[2].writable);
    if (size > low) {
        CHECK_EQ(l.windows[3].gpa, 4 * GIB);
        CHECK_EQ(l.windows[3].offset, low);
        CHECK_EQ(l.windows[3].len, size - low);
        CHECK(l.windows[3].writable);
    }
    /* Every window inside the buffer; RAM + ACPI + ROM + the unmapped VGA hole = size. */
    uint64_t sum = 0;
    for (unsigned i = 0; i < l.nwindows; i++) {
        CHECK(l.windows[i].offset + l.windows[i].len <= size);
        sum += l.windows[i].len;
    }
    CHECK_EQ(sum + 256 * KIB, size);
    uint64_t ram = 0;
    for (unsigned i = 0; i < l.nranges; i++)
        if (l.ranges[i].type == GL_MEM_AVAILABLE)
            ram += l.ranges[i].len;
    CHECK_EQ(ram, size - 256 * KIB - 128 * KIB - GL_ACPI_SIZE);

    /* Translation. */
    CHECK_EQ(gl_gpa_offset(&l, 0, 1), 0);
    CHECK_EQ(gl_gpa_offset(&l, 0x9f000, 0x1000), 0x9f000);
    CHECK_EQ(gl_gpa_offset(&l, 0x9f000, 0x1001), GL_NO_OFFSET);    /* into the VGA hole */
    CHECK_EQ(gl_gpa_offset(&l, 0xa0000, 1), GL_NO_OFFSET);
    CHECK_EQ(gl_gpa_offset(&l, 0xdffff, 1), GL_NO_OFFSET);
    CHECK_EQ(gl_gpa_offset(&l, 0xe0000, 0x20000), 0xe0000);        /* the ROM */
    CHECK_EQ(gl_gpa_offset(&l, 0xffff0, 0x20), GL_NO_OFFSET);      /* ROM into RAM: two windows */
    CHECK_EQ(gl_gpa_offset(&l, 1 * MIB, low - 1 * MIB), 1 * MIB);
    CHECK_EQ(gl_gpa_offset(&l, l.acpi_gpa, GL_ACPI_SIZE), l.acpi_gpa);
    CHECK_EQ(gl_gpa_offset(&l, low - 1, 1), low - 1);
    CHECK_EQ(gl_gpa_offset(&l, low - 1, 2), GL_NO_OFFSET);
    CHECK_EQ(gl_gpa_offset(&l, low, 1), GL_NO_OFFSET);
    CHECK_EQ(gl_gpa_offset(&l, low, 0), low);                       /* the end of a window */
    CHECK_EQ(gl_gpa_offset(&l, 3 * GIB + 5, 1), GL_NO_OFFSET);     /* PCI hole */
    CHECK_EQ(gl_gpa_offset(&l, 4 * GIB - 1, 1), GL_NO_OFFSET);
    if (size > low) {
        CHECK_EQ(gl_gpa_offset(&l, 4 * GIB, 1), low);
        CHECK_EQ(gl_gpa_offset(&l, 4 * GIB + 0x234, 16), low + 0x234);
        CHECK_EQ(gl_gpa_offset(&l, 4 * GIB, size - low), low);
        CHECK_EQ(gl_gpa_offset(&l, 4 * GIB + (size - low) - 1, 1), size - 1);
        CHECK_EQ(gl_gpa_offset(&l, 4 * GIB + (size - low), 1), GL_NO_OFFSET);
        CHECK_EQ(gl_gpa_offset(&l, 4 * GIB - 8, 16), GL_NO_OFFSET);
    } else {
        CHECK_EQ(gl_gpa_offset(&l, 4 * GIB, 1), GL_NO_OFFSET);
    }
    CHECK_EQ(gl_gpa_offset(&l, UINT64_MAX, 1), GL_NO_OFFSET);
    CHECK_EQ(gl_gpa_offset(&l, 0x1000, UINT64_MAX), GL_NO_OFFSET);

    /* Types. */
    CHECK_EQ(gl_range_type(&l, 0, 640 * KIB), GL_MEM_AVAILABLE);
    CHECK_EQ(gl_range_type(&l, 0, 640 * KIB + 1), 0);
    CHECK_EQ(gl_range_type(&l, 0xb8000, 0x1000), GL_MEM_RESERVED);
    CHECK_EQ(gl_range_type(&l, 0xf0000, 0x10000), GL_MEM_RESERVED);
    CHECK_EQ(gl_range_type(&l, 1 * MIB, 1), GL_MEM_AVAILABLE);
    CHECK_EQ(gl_range_type(&l, l.acpi_gpa - 1, 1), GL_MEM_AVAILABLE);
    CHECK_EQ(gl_range_type(&l, l.acpi_gpa - 1, 2), 0);
    CHECK_EQ(gl_range_type(&l, l.acpi_gpa, GL_ACPI_SIZE), GL_MEM_ACPI);
    CHECK_EQ(gl_range_type(&l, low, 1), 0);
    CHECK_EQ(gl_range_type(&l, 0x1000, 0), 0);
    CHECK_EQ(gl_range_type(&l, 4 * GIB, 1), size > low ? GL_MEM_AVAILABLE : 0);

    /* Multiboot mem_lower / mem_upper: 640, and KiB from 1 MiB to the ACPI area. */
    CHECK_EQ(gl_mem_lower_kib(&l), 640);
    CHECK_EQ(gl_mem_upper_kib(&l), (low - 64 * KIB - 1 * MIB) / KIB);
}

UT_TEST(pc_layout_sizes)
{
    check_layout(2 * MIB);
    check_layout(16 * MIB);
    check_layout(128 * MIB);
    check_layout(256 * MIB);
    check_layout(3 * GIB);
    check_layout(5 * GIB);
    check_layout(3 * GIB + 4 * KIB);                        /* one page above 4 GiB */
    check_layout(3 * GIB - 4 * KIB);
    check_layout(GL_RAM_MAX);
}

UT_TEST(pc_layout_figures)
{
    struct gl_layout l;
    CHECK_EQ(gl_layout_init(&l, 128 * MIB), GL_OK);
    CHECK_EQ(l.nranges, 5);
    CHECK_EQ(l.acpi_gpa, 0x7ff0000);
    CHECK_EQ(gl_mem_upper_kib(&l), 129984);                 /* 127 MiB - 64 KiB, in KiB */
    CHECK_EQ(gl_layout_init(&l, 5 * GIB), GL_OK);
    CHECK_EQ(l.nranges, 6);
    CHECK_EQ(l.low_top, 0xc0000000);
    CHECK_EQ(l.acpi_gpa, 0xbfff0000);
    CHECK_EQ(l.ranges[5].gpa, 0x100000000);
    CHECK_EQ(l.ranges[5].len, 0x80000000);
    CHECK_EQ(l.windows[3].offset, 0xc0000000);
    CHECK_EQ(gl_gpa_offset(&l, 0x17fffffff, 1), 0x13fffffff);   /* the last byte */
}

UT_TEST(pc_layout_random_sizes)
{
    uint64_t seed = 0x1a70;
    for (int i = 0; i < 300; i++) {
        uint64_t r = ut_splitmix64(&seed);
        uint64_t size = GL_RAM_MIN + (r % (8 * GIB)) / 4096 * 4096;
        check_layout(size);
    }
}

UT_TEST(pc_layout_rejects)
{
    struct gl_layout l = { .size = 77 };
    uint64_t bad[] = { 0, 4096, 2 * MIB - 4096, 2 * MIB + 1, 16 * MIB + 512, GL_RAM_MAX + 4096,
                       UINT64_MAX, UINT64_MAX & ~4095ull };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_EQ(gl_layout_init(&l, bad[i]), GL_ERR_RAM_SIZE);
    CHECK_EQ(l.size, 77);                                   /* untouched */
    CHECK_EQ(gl_layout_init(0, 16 * MIB), GL_ERR_ARGS);

    static uint8_t buf[8];
    struct gl_ram ram = { .mem = 0 };
    CHECK_EQ(gl_ram_init(&ram, 0, 16 * MIB), GL_ERR_ARGS);
    CHECK_EQ(gl_ram_init(0, buf, 16 * MIB), GL_ERR_ARGS);
    CHECK_EQ(gl_ram_init(&ram, buf, 16 * MIB + 1), GL_ERR_RAM_SIZE);
    CHECK(ram.mem == 0);
    CHECK_EQ(gl_ram_init(&ram, buf, 16 * MIB), GL_OK);      /* layout only: nothing touched */
    CHECK(ram.mem == buf);
    CHECK(gl_host(&ram, 0x1000, 4) == buf + 0x1000);
    CHECK(gl_host(&ram, 0xa0000, 4) == 0);
    CHECK(gl_host(0, 0x1000, 4) == 0);
    CHECK_EQ(gl_gpa_offset(0, 0, 1), GL_NO_OFFSET);
    CHECK_EQ(gl_range_type(0, 0, 1), 0);
}
