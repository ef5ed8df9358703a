/*
 * The root task's VMM: runs one guest from a boot module and ends the
 * machine with the guest's exit status (vmm_status.h).
 *
 * Options, from the kernel command line:
 *   guest=NAME         the boot module guest:NAME (default hello)
 *   guest.mem=MiB      guest RAM (default: 128 MiB for Multiboot kernels, 2 MiB for
 *                      the flat test guests of guest/PROTOCOL.md)
 *   guest.args="..."   the guest's command line (Multiboot)
 *   guest.strict       a port or address no device has stops the guest
 *   guest.stats        count the vCPU's exits and times (HV_VCPU_STATS) and print a table
 *                      of them and the CPU use at the end (vmm_stats.c)
 *   log=debug          the first access to each such place is reported
 * Boot modules named guest-module:STRING go to the guest as Multiboot modules,
 * in boot order, each with STRING as its string.
 */
#include <stdbool.h>
#include <stdint.h>
#include "cmdline_parse.h"
#include "hv/hv.h"
#include "rt.h"
#include "vmm.h"
#include "vmm_status.h"

#define DEFAULT_GUEST   "hello"
#define GUEST_PREFIX    "guest:"
#define MODULE_PREFIX   "guest-module:"
#define MAX_MEM_MIB     (1ull << 20)        /* 1 TiB: more than any host gives */

static struct vm the_vm;
static struct vmm_options the_options;
static char names[VMM_MAX_MODULES][sizeof(((struct hv_startup_module *)0)->name) + 1];

/* The module's name without the prefix, or NULL when it has another prefix. */
static const char *after_prefix(const struct hv_startup_module *m, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(m->name, prefix, n) ? 0 : m->name + n;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

/* The options of the command line; false (after saying why) when one is bad. */
static bool read_options(const struct hv_startup *su, struct vmm_options *o, char *want,
                         size_t cap)
{
    char buf[32];
    if (!cmdline_lookup(su->cmdline, "guest", want, cap) || !want[0])
        memcpy(want, DEFAULT_GUEST, sizeof(DEFAULT_GUEST));
    o->name = want;
    o->mem_bytes = 0;
    if (cmdline_lookup(su->cmdline, "guest.mem", buf, sizeof(buf))) {
        uint64_t mib;
        if (!parse_u64(buf, &mib) || mib == 0 || mib > MAX_MEM_MIB) {
            printf("root: guest.mem=%s: not a size in MiB (1 to %llu)\n", buf,
                   (unsigned long long)MAX_MEM_MIB);
            return false;
        }
        o->mem_bytes = mib << 20;
    }
    if (!cmdline_lookup(su->cmdline, "guest.args", o->args, sizeof(o->args)))
        o->args[0] = 0;
    o->strict = cmdline_lookup(su->cmdline, "guest.strict", buf, sizeof(buf)) != 0;
    o->stats = cmdline_lookup(su->cmdline, "guest.stats", buf, sizeof(buf)) != 0;
    o->debug = cmdline_list_has(su->cmdline, "log", "debug");
    if (cmdline_lookup(su->cmdline, "guest.cpus", buf, sizeof(buf)) && strcmp(buf, "1")) {
        printf("root: guest.cpus=%s: this VMM runs guests with one vCPU\n", buf);
        return false;
    }
    return true;
}

/* guest-module:STRING boot modules, in order. */
static bool collect_modules(const struct hv_startup *su, int n, struct vmm_options *o)
{
    o->nmodules = 0;
    for (int i = 0; i < n; i++) {
        const char *s = after_prefix(&su->modules[i], MODULE_PREFIX);
        if (!s)
            continue;
        if (o->nmodules == VMM_MAX_MODULES) {
            printf("root: more than %u guest modules\n", VMM_MAX_MODULES);
            return false;
        }
        char *name = names[o->nmodules];        /* the name field need not end in NUL */
        size_t len = 0;
        while (s + len < su->modules[i].name + sizeof(su->modules[i].name) && s[len])
            len++;
        memcpy(name, s, len);
        o->modules[o->nmodules++] = (struct gl_module){
            (const void *)(uintptr_t)su->modules[i].va, su->modules[i].len, name };
    }
    return true;
}

int main(const struct hv_startup *su)
{
    int n = rt_startup_report(su);
    if (n < 0)
        return VMM_STATUS_VMM_ERROR;

    static char want[sizeof(su->modules[0].name)];
    struct vmm_options *o = &the_options;
    if (!read_options(su, o, want, sizeof(want)) || !collect_modules(su, n, o))
        return VMM_STATUS_VMM_ERROR;
    const struct hv_startup_module *m = 0;
    for (int i = 0; i < n && !m; i++) {
        const char *s = after_prefix(&su->modules[i], GUEST_PREFIX);
        if (s && !strncmp(s, want, sizeof(su->modules[i].name)))
            m = &su->modules[i];
    }
    if (!m) {
        printf("root: no boot module named %s%s\n", GUEST_PREFIX, want);
        return VMM_STATUS_NO_GUEST;
    }

    struct vm *vm = &the_vm;
    vm->opt = o;
    vm->name = want;
    uint32_t status = vmm_run_guest(vm, (const void *)(uintptr_t)m->va, m->len);
    printf("root: guest %s exited with status %u\n", vm->name, status);
    return status > 255 ? 255 : (int)status;
}
