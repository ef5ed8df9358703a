/* What every root image says first: the start-up message's modules and the machine. */
#include "hv/hv.h"
#include "libsys.h"
#include "rt.h"

int rt_startup_report(const struct hv_startup *su)
{
    if (su->magic != HV_STARTUP_MAGIC) {
        printf("root: bad start-up message (magic 0x%llx)\n", (unsigned long long)su->magic);
        return -1;
    }
    uint32_t n = su->num_modules < HV_STARTUP_MAX_MODULES ? su->num_modules
                                                          : HV_STARTUP_MAX_MODULES;
    printf("root: started, %u boot modules\n", n);
    for (uint32_t i = 0; i < n; i++)
        printf("root:   %.*s: %llu bytes\n", (int)sizeof(su->modules[i].name),
               su->modules[i].name, (unsigned long long)su->modules[i].len);

    struct hv_system_info info;
    hv_status_t rc = hv_system_info(&info, sizeof(info));
    if (rc == HV_OK)
        printf("root: %u CPUs, %llu MiB RAM, %llu MiB free\n", info.num_cpus,
               (unsigned long long)(info.memory_bytes >> 20),
               (unsigned long long)(info.free_bytes >> 20));
    else
        printf("root: hv_system_info failed: %s (%d)\n", hv_status_name(rc), rc);
    return (int)n;
}
