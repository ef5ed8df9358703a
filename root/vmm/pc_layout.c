/* Guest RAM laid out like a PC (see guest_loader.h): ranges, windows, translation. Pure. */
#include "guest_loader.h"

static void add_range(struct gl_layout *l, uint64_t gpa, uint64_t len, uint32_t type)
{
    l->ranges[l->nranges++] = (struct gl_range){ gpa, len, type };
}

static void add_window(struct gl_layout *l, uint64_t gpa, uint64_t offset, uint64_t len,
                       bool writable)
{
    l->windows[l->nwindows++] = (struct gl_window){ gpa, offset, len, writable };
}

int gl_layout_init(struct gl_layout *l, uint64_t size)
{
    if (!l)
        return GL_ERR_ARGS;
    if (size < GL_RAM_MIN || size > GL_RAM_MAX || size % GL_PAGE)
        return GL_ERR_RAM_SIZE;
    *l = (struct gl_layout){ .size = size };
    l->low_top = size < GL_PCI_HOLE_GPA ? size : GL_PCI_HOLE_GPA;
    l->high_size = size - l->low_top;
    l->acpi_gpa = l->low_top - GL_ACPI_SIZE;

    add_range(l, 0, GL_LOW_RAM_END, GL_MEM_AVAILABLE);
    add_range(l, GL_LOW_RAM_END, GL_ROM_GPA - GL_LOW_RAM_END, GL_MEM_RESERVED);
    add_range(l, GL_ROM_GPA, GL_ROM_SIZE, GL_MEM_RESERVED);
    add_range(l, GL_HIGH_RAM_GPA, l->acpi_gpa - GL_HIGH_RAM_GPA, GL_MEM_AVAILABLE);
    add_range(l, l->acpi_gpa, GL_ACPI_SIZE, GL_MEM_ACPI);
    if (l->high_size)
        add_range(l, GL_4GIB, l->high_size, GL_MEM_AVAILABLE);

    /* Buffer offset = guest-physical below 4 GiB; the high RAM follows low_top. */
    add_window(l, 0, 0, GL_LOW_RAM_END, true);
    add_window(l, GL_ROM_GPA, GL_ROM_GPA, GL_ROM_SIZE, false);
    add_window(l, GL_HIGH_RAM_GPA, GL_HIGH_RAM_GPA, l->low_top - GL_HIGH_RAM_GPA, true);
    if (l->high_size)
        add_window(l, GL_4GIB, l->low_top, l->high_size, true);
    return GL_OK;
}

int gl_ram_init(struct gl_ram *ram, void *mem, uint64_t size)
{
    if (!ram || !mem)
        return GL_ERR_ARGS;
    int rc = gl_layout_init(&ram->layout, size);
    if (rc == GL_OK)
        ram->mem = mem;
    return rc;
}

/* [gpa, gpa+len) inside [base, base+n), without overflow. */
static bool inside(uint64_t gpa, uint64_t len, uint64_t base, uint64_t n)
{
    return gpa >= base && gpa - base <= n && len <= n - (gpa - base);
}

uint64_t gl_gpa_offset(const struct gl_layout *l, uint64_t gpa, uint64_t len)
{
    for (unsigned i = 0; l && i < l->nwindows; i++) {
        const struct gl_window *w = &l->windows[i];
        if (inside(gpa, len, w->gpa, w->len))
            return w->offset + (gpa - w->gpa);
    }
    return GL_NO_OFFSET;
}

void *gl_host(const struct gl_ram *ram, uint64_t gpa, uint64_t len)
{
    if (!ram || !ram->mem)
        return NULL;
    uint64_t off = gl_gpa_offset(&ram->layout, gpa, len);
    return off == GL_NO_OFFSET ? NULL : ram->mem + off;
}

uint32_t gl_range_type(const struct gl_layout *l, uint64_t gpa, uint64_t len)
{
    for (unsigned i = 0; l && len && i < l->nranges; i++) {
        const struct gl_range *r = &l->ranges[i];
        if (inside(gpa, len, r->gpa, r->len))
            return r->type;
    }
    return 0;
}

uint32_t gl_mem_lower_kib(const struct gl_layout *l)
{
    (void)l;                        /* every layout starts with 640 KiB of RAM */
    return (uint32_t)(GL_LOW_RAM_END / 1024);
}

uint32_t gl_mem_upper_kib(const struct gl_layout *l)
{
    /* Available RAM from 1 MiB up to the first hole: the ACPI area (< 3 GiB, fits). */
    return (uint32_t)((l->acpi_gpa - GL_HIGH_RAM_GPA) / 1024);
}
