/*
 * Starting the root task: its ELF (boot module "root") goes into a fresh
 * address space with the rights its segments ask for (never W and X on one
 * page), a stack, the boot modules mapped read-only, and a start-up message
 * at rdi. Its first thread is then ready to enter ring 3.
 */
#include "hv/startup.h"
#include "hv/status.h"
#include "kelf.h"
#include "base.h"
#include "mm.h"
#include "process.h"
#include "sched.h"

static struct process root_process;

__attribute__((noreturn)) static void fail(const char *what, const char *why)
{
    pr_err("root: cannot start the root task: %s%s%s\n", what, why ? ": " : "", why ? why : "");
    shutdown(SHUTDOWN_BAD_BOOT);
}

/* Rights of the page at va: the union of the segments covering it. */
static uint32_t page_rights(const struct kelf *k, uint64_t va)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < k->nsegs; i++) {
        const struct kelf_seg *s = &k->segs[i];
        if (va + FRAME_SIZE > s->paddr && va < s->paddr + s->memsz)
            r |= VS_R | ((s->flags & KELF_PF_W) ? VS_W : 0) | ((s->flags & KELF_PF_X) ? VS_X : 0);
    }
    return r;
}

static void load_segments(struct process *p, const uint8_t *image, const struct kelf *k)
{
    for (unsigned i = 0; i < k->nranges; i++) {
        for (uint64_t pg = 0; pg < k->ranges[i].pages; pg++) {
            uint64_t va = k->ranges[i].base + pg * FRAME_SIZE;
            uint32_t rights = page_rights(k, va);
            if ((rights & VS_W) && (rights & VS_X))
                fail("its ELF has a page both writable and executable", 0);
            if (va < VSPACE_USER_BASE || va >= MMAP_BASE)
                fail("its ELF is not linked inside the root task's image range", 0);
            uint64_t pa;
            uint32_t r;
            if (process_map_anon(p, va, FRAME_SIZE, rights) != HV_OK ||
                !vspace_lookup(&p->vs, va, &pa, &r))
                fail("out of memory", 0);
            uint8_t *dst = phys_to_virt(pa);
            for (unsigned s = 0; s < k->nsegs; s++) {       /* file bytes on this page */
                const struct kelf_seg *sg = &k->segs[s];
                for (uint64_t a = va; a < va + FRAME_SIZE; a++)
                    if (a >= sg->paddr && a < sg->paddr + sg->filesz)
                        dst[a - va] = image[sg->offset + (a - sg->paddr)];
            }
        }
    }
}

/* Boot modules (guest images) read-only, and the start-up message describing them. */
static void map_modules(struct process *p, const struct boot_info *bi)
{
    uint64_t msg_frame = frame_alloc();
    if (msg_frame == FRAME_NONE || vspace_map_page(&p->vs, STARTUP_VA, msg_frame, VS_R) != HV_OK)
        fail("out of memory", 0);
    struct hv_startup *msg = phys_to_virt(msg_frame);
    msg->magic = HV_STARTUP_MAGIC;
    uint64_t va = MODULES_BASE;
    for (uint32_t i = 0; i < bi->nmodules && msg->num_modules < HV_STARTUP_MAX_MODULES; i++) {
        const struct boot_module *m = &bi->modules[i];
        uint64_t first = m->base & ~(FRAME_SIZE - 1);
        uint64_t end = (m->base + m->len + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
        for (uint64_t pa = first; pa < end; pa += FRAME_SIZE)
            if (vspace_map_page(&p->vs, va + (pa - first), pa, VS_R) != HV_OK)
                fail("out of memory mapping the boot modules", 0);
        struct hv_startup_module *sm = &msg->modules[msg->num_modules++];
        sm->va = va + (m->base - first);
        sm->len = m->len;
        for (unsigned c = 0; c + 1 < sizeof(sm->name) && m->name[c]; c++)
            sm->name[c] = m->name[c];
        va += (end - first) + FRAME_SIZE;               /* a guard page between modules */
    }
    for (unsigned c = 0; c + 1 < sizeof(msg->cmdline) && bi->cmdline[c]; c++)
        msg->cmdline[c] = bi->cmdline[c];
}

void root_task_start(const struct boot_info *bi)
{
    const struct boot_module *m = boot_module_find(bi, "root");
    if (!m)
        fail("no boot module named \"root\"", 0);
    static struct kelf k;
    const char *why = kelf_parse(phys_to_virt(m->base), m->len, &k);
    if (why)
        fail("bad ELF", why);

    struct process *p = &root_process;
    if (process_init(p) != HV_OK)
        fail("out of memory", 0);
    load_segments(p, phys_to_virt(m->base), &k);
    if (process_map_anon(p, USER_STACK_TOP - USER_STACK_PAGES * FRAME_SIZE,
                         USER_STACK_PAGES * FRAME_SIZE, VS_R | VS_W) != HV_OK)
        fail("out of memory", 0);
    map_modules(p, bi);

    struct thread *t = thread_new(p, &p->vs, k.entry, USER_STACK_TOP, STARTUP_VA);
    if (!t)
        fail("out of memory", 0);
    pr_info("root: starting the root task at 0x%llx (%u segments, %llu KiB)\n",
            (unsigned long long)k.entry, k.nsegs, (unsigned long long)(m->len >> 10));
    p->nthreads = 1;
    sched_ready(t);
}
