/* Threads: kernel stacks, the first switch into a new thread, activation on switch. */
#include "base.h"
#include "cpu.h"
#include "mm.h"
#include "percpu.h"
#include "thread.h"
#include "vspace.h"

/* A new thread's first code (its first kernel stack frame calls it): on to ring 3. */
__attribute__((noreturn)) static void thread_first_run(void)
{
    thread_finish_switch();
    struct thread *t = current_thread();
    enter_user(t->entry, t->user_rsp, t->arg);
}

static void thread_destroy(struct object *o)
{
    kfree(o);                                   /* the stack went when it died */
}

struct thread *thread_new(struct process *proc, struct vspace *vs, uint64_t entry, uint64_t rsp,
                          uint64_t arg)
{
    struct thread *t = kmalloc(sizeof(*t));
    if (!t)
        return 0;
    *t = (struct thread){ .obj = { HV_OBJ_THREAD, 1, 0, 0, thread_destroy }, .proc = proc, .vs = vs,
                          .state = THREAD_READY, .entry = entry, .user_rsp = rsp, .arg = arg };
    t->kstack = frame_alloc_contig(THREAD_KSTACK_PAGES, FRAME_SIZE);
    if (t->kstack == FRAME_NONE) {
        kfree(t);
        return 0;
    }
    t->kstack_top = t->kstack + THREAD_KSTACK_PAGES * FRAME_SIZE;
    /* The first switch to it "returns" into thread_trampoline (arch/x86/switch.asm),
     * which calls the function in r12: thread_first_run. */
    uint64_t *sp = phys_to_virt(t->kstack_top);
    *--sp = (uint64_t)(uintptr_t)thread_trampoline;
    *--sp = 0;                                  /* rbp */
    *--sp = 0;                                  /* rbx */
    *--sp = (uint64_t)(uintptr_t)thread_first_run;     /* r12 */
    for (int i = 0; i < 3; i++)                 /* r13 r14 r15 */
        *--sp = 0;
    t->ksp = (uint64_t)(uintptr_t)sp;
    return t;
}

void thread_reap(struct thread *t)
{
    for (uint64_t i = 0; i < THREAD_KSTACK_PAGES; i++)
        frame_free(t->kstack + i * FRAME_SIZE);
    t->kstack = t->kstack_top = 0;
    object_unref(&t->obj);                      /* its life reference */
}

void thread_activate(struct thread *t)
{
    struct percpu *c = this_cpu();
    c->current = t;
    if (!t->proc)                               /* idle: stays on the boot stack, any space */
        return;
    c->kernel_rsp = t->kstack_top;
    tss_set_rsp0(t->kstack_top);
    vspace_activate(t->vs);
}

void thread_finish_switch(void)
{
    struct percpu *c = this_cpu();
    if (c->zombie) {
        thread_reap(c->zombie);
        c->zombie = 0;
    }
}

