/* Look-ups in struct boot_info, for every layer that reads it. */
#include "boot_info.h"
#include "kstring.h"

const struct boot_module *boot_module_find(const struct boot_info *bi, const char *name)
{
    for (uint32_t i = 0; i < bi->nmodules; i++)
        if (!strcmp(bi->modules[i].name, name))
            return &bi->modules[i];
    return 0;
}
