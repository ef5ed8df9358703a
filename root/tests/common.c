/* What the root task's test modes share. */
#include "root_tests.h"
#include "libsys.h"
#include "rt.h"
#include "cmdline_parse.h"

bool tests_cmdline_has(const struct hv_startup *su, const char *key, const char *item)
{
    return cmdline_list_has(su->cmdline, key, item);
}

uint64_t tests_cmdline_u64(const struct hv_startup *su, const char *key, uint64_t def)
{
    char v[32];
    if (!cmdline_lookup(su->cmdline, key, v, sizeof(v)) || !v[0])
        return def;
    size_t len = strlen(v);
    uint64_t n = 0;
    unsigned base = 10;
    size_t i = 0;
    if (len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
        base = 16, i = 2;
    for (; i < len; i++) {
        char ch = v[i];
        unsigned d = ch >= '0' && ch <= '9' ? (unsigned)(ch - '0')
                   : ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10)
                   : ch >= 'A' && ch <= 'F' ? (unsigned)(ch - 'A' + 10) : 99;
        if (d >= base)
            return def;
        n = n * base + d;
    }
    return n;
}

uint64_t tests_free_bytes(void)
{
    struct hv_system_info info;
    if (hv_system_info(&info, sizeof(info)) != HV_OK)
        return 0;
    return info.free_bytes;
}

int tests_free_handle_slots(hv_handle_t h)
{
    static hv_handle_t made[4096];
    int n = 0, result = -1;
    for (;;) {
        if (n == (int)(sizeof(made) / sizeof(made[0])))
            break;
        hv_status_t rc = hv_handle_duplicate(h, HV_RIGHT_SAME_RIGHTS, &made[n]);
        if (rc == HV_ERR_NO_RESOURCES) {
            result = n;
            break;
        }
        if (rc != HV_OK)
            break;
        n++;
    }
    for (int i = 0; i < n; i++)
        if (hv_handle_close(made[i]) != HV_OK)
            result = -1;
    return result;
}
