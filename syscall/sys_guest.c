/*
 * Guests and vCPUs through hypercalls: guest memory shared from the root
 * task's mem_map regions via EPT, synchronous I/O and MMIO traps answered
 * with packets from vcpu_resume, bell traps queued on ports, vCPUs bound to
 * the thread that made them.
 */
#include "base.h"
#include "mm.h"
#include "port.h"
#include "process.h"
#include "sched.h"
#include "syscall_impl.h"
#include "vcpu.h"
#include "vmx_setup.h"
#include "x86.h"


struct guest_trap {
    uint32_t kind;
    uint64_t addr, len, key;
    struct port *port;          /* BELL: holds a reference */
    struct guest_trap *next;
};

/* One guest_map: where the memory came from, so mem_unmap can refuse while mapped. */
struct guest_mapping {
    uint64_t gpa, len;
    struct mem_region *region;
    struct guest_mapping *next;
};

struct guest {
    struct object obj;
    struct vm vm;
    bool dead;                  /* no handles left: torn down, vCPUs refuse to run */
    struct guest_trap *traps;
    struct guest_mapping *maps;
};

struct vcpu_obj {
    struct object obj;
    struct guest *guest;        /* holds a reference */
    struct thread *owner;       /* holds a reference */
    bool io_in_pending;
    bool dead;
    struct vcpu vcpu;
};

static struct process *cur_proc(void)
{
    return current_thread()->proc;
}

/* ---- guests ---------------------------------------------------------------------- */

static void guest_teardown(struct object *o)
{
    struct guest *g = (struct guest *)o;
    if (g->dead)
        return;
    g->dead = true;
    while (g->traps) {
        struct guest_trap *t = g->traps;
        g->traps = t->next;
        if (t->port)
            object_unref(port_object(t->port));
        kfree(t);
    }
    while (g->maps) {
        struct guest_mapping *m = g->maps;
        g->maps = m->next;
        m->region->guest_refs--;
        kfree(m);
    }
    vm_destroy(&g->vm);
}

static void guest_destroy(struct object *o)
{
    guest_teardown(o);
    kfree_pages(o, sizeof(struct guest));
}

SYSCALL_DEFINE(guest_create)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    if (a0 != 0 || !vspace_check(&cur_proc()->vs, a1, sizeof(hv_handle_t), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    struct guest *g = kalloc_pages(sizeof(*g));
    if (!g)
        return HV_ERR_NO_MEMORY;
    g->obj = (struct object){ HV_OBJ_GUEST, 0, 0, guest_teardown, guest_destroy };
    if (vm_init(&g->vm)) {
        kfree_pages(g, sizeof(*g));
        return HV_ERR_NO_MEMORY;
    }
    object_ref(&g->obj);                        /* ours until the handle exists */
    hv_status_t rc = handle_publish(&g->obj, HV_RIGHTS_ALL, 0, a1);
    object_unref(&g->obj);                      /* on failure the last: destroys it again */
    return rc;
}

static hv_status_t get_guest(uint64_t h, hv_rights_t needed, struct guest **g)
{
    struct object *o;
    if (h > UINT32_MAX)
        return HV_ERR_BAD_HANDLE;
    hv_status_t rc = handle_lookup((hv_handle_t)h, HV_OBJ_GUEST, needed, &o);
    *g = (struct guest *)o;
    return rc;
}

static uint32_t ept_perms(uint64_t flags)
{
    return (flags & HV_GUEST_PERM_READ ? EPT_R : 0) | (flags & HV_GUEST_PERM_WRITE ? EPT_W : 0) |
           (flags & HV_GUEST_PERM_EXECUTE ? EPT_X : 0);
}

static bool perms_valid(uint64_t flags)
{
    return flags && !(flags & ~7ull) && (flags & HV_GUEST_PERM_READ);
}

static bool range_ok(uint64_t gpa, uint64_t len)
{
    return len && !((gpa | len) & (FRAME_SIZE - 1)) && gpa + len > gpa;
}

static void flush(struct guest *g)
{
    if (ept_take_flush(&g->vm.ept))
        vmx_invept(ept_eptp(&g->vm.ept));
}

SYSCALL_DEFINE(guest_map)
{
    (void)a5;
    struct guest *g;
    hv_status_t rc = get_guest(a0, HV_RIGHT_WRITE, &g);
    if (rc != HV_OK)
        return rc;
    uint64_t gpa = a1, va = a2, len = a3, flags = a4;
    if (!range_ok(gpa, len) || (va & (FRAME_SIZE - 1)) || !perms_valid(flags))
        return HV_ERR_INVALID_ARGS;
    if (gpa + len > EPT_GPA_LIMIT)
        return HV_ERR_OUT_OF_RANGE;
    /* The memory must be one mem_map region of the caller, with at least these rights. */
    struct mem_region *r = cur_proc()->regions;
    while (r && !(va >= r->va && va + len <= r->va + r->len && va + len > va))
        r = r->next;
    if (!r || ((flags & HV_GUEST_PERM_WRITE) && !(r->rights & VS_W)))
        return HV_ERR_INVALID_ARGS;
    struct guest_mapping *m = kmalloc(sizeof(*m));
    if (!m)
        return HV_ERR_NO_MEMORY;
    /* Map physically contiguous runs at once so large EPT leaves can be used. */
    uint64_t done = 0;
    while (done < len) {
        uint64_t pa, next;
        uint32_t rr;
        if (!vspace_lookup(&cur_proc()->vs, va + done, &pa, &rr))   /* regions have no holes */
            panic("guest_map: mem_map region at 0x%llx has a hole", (unsigned long long)r->va);
        uint64_t run = FRAME_SIZE;
        while (done + run < len && vspace_lookup(&cur_proc()->vs, va + done + run, &next, &rr) &&
               next == pa + run)
            run += FRAME_SIZE;
        int e = ept_map(&g->vm.ept, gpa + done, pa, run, ept_perms(flags), EPT_MT_WB);
        if (e != EPT_OK) {
            ept_unmap(&g->vm.ept, gpa, done);
            flush(g);
            kfree(m);
            return e == EPT_ERR_EXISTS ? HV_ERR_ALREADY_EXISTS
                 : e == EPT_ERR_NO_MEMORY ? HV_ERR_NO_MEMORY : HV_ERR_INVALID_ARGS;
        }
        done += run;
    }
    *m = (struct guest_mapping){ gpa, len, r, g->maps };
    g->maps = m;
    r->guest_refs++;
    return HV_OK;
}

SYSCALL_DEFINE(guest_unmap)
{
    (void)a3, (void)a4, (void)a5;
    struct guest *g;
    hv_status_t rc = get_guest(a0, HV_RIGHT_WRITE, &g);
    if (rc != HV_OK)
        return rc;
    uint64_t gpa = a1, len = a2;
    if (!range_ok(gpa, len))
        return HV_ERR_INVALID_ARGS;
    if (gpa + len > EPT_GPA_LIMIT)
        return HV_ERR_OUT_OF_RANGE;
    /* A record split below needs memory: get it before anything changes. */
    struct guest_mapping *spare = kmalloc(sizeof(*spare));
    if (!spare)
        return HV_ERR_NO_MEMORY;
    /* The EPT first: it changes all or nothing, so the records stay true either way. */
    if (ept_unmap(&g->vm.ept, gpa, len) != EPT_OK) {
        kfree(spare);
        return HV_ERR_NO_MEMORY;                        /* a large leaf needed tables to split */
    }
    flush(g);
    /* Mapping records cut by the range shrink or split (at most one split per call). */
    for (struct guest_mapping **pp = &g->maps; *pp;) {
        struct guest_mapping *m = *pp;
        uint64_t lo = m->gpa, hi = m->gpa + m->len;
        if (hi <= gpa || lo >= gpa + len) {
            pp = &m->next;
            continue;
        }
        if (lo < gpa && hi > gpa + len) {               /* a hole in the middle: split */
            struct guest_mapping *tail = spare;
            spare = 0;
            *tail = (struct guest_mapping){ gpa + len, hi - (gpa + len), m->region, m->next };
            m->len = gpa - lo;
            m->next = tail;
            m->region->guest_refs++;
            pp = &tail->next;
        } else if (lo < gpa) {
            m->len = gpa - lo;
            pp = &m->next;
        } else if (hi > gpa + len) {
            m->gpa = gpa + len;
            m->len = hi - m->gpa;
            pp = &m->next;
        } else {
            *pp = m->next;
            m->region->guest_refs--;
            kfree(m);
        }
    }
    if (spare)
        kfree(spare);
    return HV_OK;
}

SYSCALL_DEFINE(guest_protect)
{
    (void)a4, (void)a5;
    struct guest *g;
    hv_status_t rc = get_guest(a0, HV_RIGHT_WRITE, &g);
    if (rc != HV_OK)
        return rc;
    if (!range_ok(a1, a2) || !perms_valid(a3))
        return HV_ERR_INVALID_ARGS;
    if (a1 + a2 > EPT_GPA_LIMIT)
        return HV_ERR_OUT_OF_RANGE;
    /* No more rights than the root task's memory has: W needs writable regions throughout. */
    if (a3 & HV_GUEST_PERM_WRITE)
        for (const struct guest_mapping *m = g->maps; m; m = m->next)
            if (m->gpa < a1 + a2 && a1 < m->gpa + m->len && !(m->region->rights & VS_W))
                return HV_ERR_INVALID_ARGS;
    int e = ept_protect(&g->vm.ept, a1, a2, ept_perms(a3));
    flush(g);
    return e == EPT_OK ? HV_OK : e == EPT_ERR_NO_MEMORY ? HV_ERR_NO_MEMORY : HV_ERR_INVALID_ARGS;
}

/* MEM and BELL traps share the guest-physical space; IO traps have the ports. */
static bool traps_collide(uint64_t k1, uint64_t k2)
{
    return (k1 == HV_TRAP_IO) == (k2 == HV_TRAP_IO);
}

SYSCALL_DEFINE(guest_set_trap)
{
    struct guest *g;
    hv_status_t rc = get_guest(a0, HV_RIGHT_WRITE, &g);
    if (rc != HV_OK)
        return rc;
    uint64_t kind = a1, addr = a2, len = a3, port_h = a4, key = a5;
    if ((kind != HV_TRAP_MEM && kind != HV_TRAP_IO && kind != HV_TRAP_BELL) || !len ||
        addr + len < addr)
        return HV_ERR_INVALID_ARGS;
    struct port *port = 0;
    if (kind == HV_TRAP_BELL) {
        if ((addr | len) & (FRAME_SIZE - 1))
            return HV_ERR_INVALID_ARGS;
        if ((rc = port_lookup(port_h, HV_RIGHT_WRITE, &port)) != HV_OK)
            return rc;
    } else if (port_h != HV_HANDLE_INVALID) {
        return HV_ERR_INVALID_ARGS;
    }
    if (kind == HV_TRAP_IO && addr + len > 0x10000)
        return HV_ERR_INVALID_ARGS;
    if (kind != HV_TRAP_IO && addr + len > EPT_GPA_LIMIT)
        return HV_ERR_OUT_OF_RANGE;
    for (struct guest_trap *t = g->traps; t; t = t->next)
        if (traps_collide(t->kind, kind) && addr < t->addr + t->len && t->addr < addr + len)
            return HV_ERR_ALREADY_EXISTS;
    struct guest_trap *t = kmalloc(sizeof(*t));
    if (!t)
        return HV_ERR_NO_MEMORY;
    *t = (struct guest_trap){ (uint32_t)kind, addr, len, key, port, g->traps };
    if (port)
        object_ref(port_object(port));
    g->traps = t;
    return HV_OK;
}

static const struct guest_trap *find_trap(const struct guest *g, uint32_t kind, uint64_t addr)
{
    for (const struct guest_trap *t = g->traps; t; t = t->next)
        if (t->kind == kind && addr >= t->addr && addr - t->addr < t->len)
            return t;
    return 0;
}

/* ---- vCPUs ----------------------------------------------------------------------- */

static void vcpu_obj_teardown(struct object *o)
{
    struct vcpu_obj *v = (struct vcpu_obj *)o;
    if (!v->dead) {
        v->dead = true;
        vcpu_destroy(&v->vcpu);
    }
}

static void vcpu_obj_destroy(struct object *o)
{
    struct vcpu_obj *v = (struct vcpu_obj *)o;
    vcpu_obj_teardown(o);
    object_unref(&v->owner->obj);
    object_unref(&v->guest->obj);
    kfree_pages(v, sizeof(*v));
}

SYSCALL_DEFINE(vcpu_create)
{
    (void)a4, (void)a5;
    struct guest *g;
    hv_status_t rc = get_guest(a0, HV_RIGHT_WRITE, &g);
    if (rc != HV_OK)
        return rc;
    if (a1 != 0 || a2 >= (1ull << 32) || !vspace_check(&cur_proc()->vs, a3, sizeof(hv_handle_t), VS_R | VS_W))
        return HV_ERR_INVALID_ARGS;
    if (g->dead)
        return HV_ERR_BAD_STATE;
    struct vcpu_obj *v = kalloc_pages(sizeof(*v));
    if (!v)
        return HV_ERR_NO_MEMORY;
    v->obj = (struct object){ HV_OBJ_VCPU, 0, 0, vcpu_obj_teardown, vcpu_obj_destroy };
    v->guest = g;
    v->owner = current_thread();
    /* The Multiboot machine state: flat 32-bit protected mode at entry, paging off. */
    struct vcpu_start s = { .mode = GUEST_PROT32, .rip = a2, .rsp = 0, .gdt_base = 0, .gdt_limit = 0,
                            .sched_timer = true };
    int init = vcpu_init(&v->vcpu, &g->vm, &s);
    if (init) {
        kfree_pages(v, sizeof(*v));
        return init == VCPU_ERR_NO_VPID ? HV_ERR_NO_RESOURCES : HV_ERR_NO_MEMORY;
    }
    object_ref(&g->obj);
    object_ref(&v->owner->obj);
    object_ref(&v->obj);
    rc = handle_publish(&v->obj, HV_RIGHT_DUPLICATE | HV_RIGHT_TRANSFER | HV_RIGHT_EXECUTE |
                                     HV_RIGHT_SIGNAL | HV_RIGHT_READ | HV_RIGHT_WRITE, 0, a3);
    object_unref(&v->obj);                              /* destroys it again on failure */
    return rc;
}

static inline hv_status_t get_vcpu(uint64_t h, hv_rights_t needed, bool owner_only, struct vcpu_obj **v)
{
    struct object *o;
    if (h > UINT32_MAX)
        return HV_ERR_BAD_HANDLE;
    hv_status_t rc = handle_lookup((hv_handle_t)h, HV_OBJ_VCPU, needed, &o);
    if (rc != HV_OK)
        return rc;
    *v = (struct vcpu_obj *)o;
    if ((owner_only && (*v)->owner != current_thread()) || (*v)->dead || (*v)->guest->dead)
        return HV_ERR_BAD_STATE;
    return HV_OK;
}

/* Turn what vcpu_run left in v->exit into a packet; false: keep running. */
static bool make_packet(struct vcpu_obj *vo, struct hv_packet *p)
{
    struct vcpu *v = &vo->vcpu;
    struct vcpu_exit *e = &v->exit;
    const struct guest_trap *t;
    switch (e->kind) {
    case VCPU_EXIT_IO:
        if (!e->io.string && (t = find_trap(vo->guest, HV_TRAP_IO, e->io.port))) {
            p->type = HV_PKT_GUEST_IO;
            p->key = t->key;
            p->guest_io.port = e->io.port;
            p->guest_io.access_size = e->io.size;
            p->guest_io.input = e->io.in;
            p->guest_io.data = e->io.data;
            if (e->io.in)
                vo->io_in_pending = true;               /* completed by write_state(IO) */
            else
                vcpu_advance_rip(v, e->insn_len);
            return true;
        }
        break;
    case VCPU_EXIT_MMIO:
        if (e->mem.write && (t = find_trap(vo->guest, HV_TRAP_BELL, e->mem.gpa))) {
            struct hv_packet bell = { .key = t->key, .type = HV_PKT_GUEST_BELL,
                                      .guest_bell.addr = e->mem.gpa };
            vcpu_advance_rip(v, e->insn_len);
            if (port_enqueue(t->port, &bell))
                return false;                           /* the guest goes on */
            *p = bell;                                  /* queue full: the caller gets it */
            return true;
        }
        if ((t = find_trap(vo->guest, HV_TRAP_MEM, e->mem.gpa))) {
            p->type = HV_PKT_GUEST_MEM;
            p->key = t->key;
            p->guest_mem.addr = e->mem.gpa;
            p->guest_mem.inst_len = (uint8_t)e->insn_len;
            for (unsigned i = 0; i < e->insn_len && i < 15; i++)
                p->guest_mem.inst_buf[i] = e->mem.insn[i];
            p->guest_mem.access_size = e->mem.size;
            p->guest_mem.write = e->mem.write;
            p->guest_mem.reg = e->mem.reg;
            p->guest_mem.flags = (e->mem.sign_extend ? HV_MEM_SIGN_EXTEND : 0) |
                                 (e->mem.zero_extend ? HV_MEM_ZERO_EXTEND : 0) |
                                 (e->mem.high8 ? HV_MEM_HIGH8 : 0);
            p->guest_mem.data = e->mem.data;
            if (e->mem.write)
                vcpu_advance_rip(v, e->insn_len);       /* a load is finished by the VMM */
            return true;
        }
        break;
    case VCPU_EXIT_PREEMPT:
        sched_tick();                                   /* the scheduler's event is due */
        return false;
    case VCPU_EXIT_YIELD:
        return false;
    case VCPU_EXIT_HLT:
    case VCPU_EXIT_TRIPLE_FAULT:
        p->type = HV_PKT_GUEST_VCPU;
        p->guest_vcpu.kind = e->kind == VCPU_EXIT_HLT ? HV_VCPU_HALT : HV_VCPU_SHUTDOWN;
        p->guest_vcpu.rip = e->rip;
        return true;
    default:
        break;
    }
    p->type = HV_PKT_VCPU_EXIT;
    p->vcpu_exit.reason = e->kind == VCPU_EXIT_ENTRY_FAILED ? e->entry_failure.reason : e->reason;
    p->vcpu_exit.qualification = e->qualification;
    p->vcpu_exit.rip = e->rip;
    p->vcpu_exit.gpa = (e->kind == VCPU_EXIT_MMIO) ? e->mem.gpa
                     : (e->kind == VCPU_EXIT_EPT_FAULT) ? e->ept.gpa : 0;
    return true;
}

/* Where the packet goes: in place in the caller's page when it sits in one (the usual
 * case), else the bounce buffer; NULL for a bad pointer. */
static inline struct hv_packet *packet_target(uint64_t user, struct hv_packet *bounce)
{
    struct vspace *vs = &cur_proc()->vs;
    struct hv_packet *p = vspace_user_ptr(vs, user, sizeof(*p), VS_R | VS_W);
    if (!p && vspace_check(vs, user, sizeof(*p), VS_R | VS_W))
        p = bounce;
    return p;
}

static hv_status_t resume(struct vcpu_obj *vo, uint64_t user_packet)
{
    struct hv_packet bounce, *p = packet_target(user_packet, &bounce);
    if (!p)
        return HV_ERR_INVALID_ARGS;
    for (;;) {
        if (sched_need_resched()) {
            sched_yield();
            /* Others ran: the vCPU, its guest or the packet's page may be gone. */
            if (vo->dead || vo->guest->dead)
                return HV_ERR_BAD_STATE;
            if (!(p = packet_target(user_packet, &bounce)))
                return HV_ERR_INVALID_ARGS;
        }
        if (vo->vcpu.kick) {                            /* kicked before (or between) runs */
            vo->vcpu.kick = false;
            vcpu_update_attention(&vo->vcpu);
            return HV_ERR_CANCELED;
        }
        vcpu_run(&vo->vcpu);
        if (vo->vcpu.exit.kind == VCPU_EXIT_KICKED)
            return HV_ERR_CANCELED;
        *p = (struct hv_packet){ 0 };
        if (make_packet(vo, p))
            break;
    }
    if (p == &bounce)
        vspace_copy_out(&cur_proc()->vs, user_packet, p, sizeof(*p));
    return HV_OK;
}

SYSCALL_DEFINE(vcpu_resume)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    struct vcpu_obj *vo;
    hv_status_t rc = get_vcpu(a0, HV_RIGHT_EXECUTE, true, &vo);
    if (rc != HV_OK)
        return rc;
    object_ref(&vo->obj);                               /* its handles may close meanwhile */
    rc = resume(vo, a1);
    object_unref(&vo->obj);
    return rc;
}

SYSCALL_DEFINE(vcpu_kick)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    struct vcpu_obj *vo;
    hv_status_t rc = get_vcpu(a0, HV_RIGHT_SIGNAL, false, &vo);
    if (rc != HV_OK)
        return rc;
    vo->vcpu.kick = true;
    vcpu_update_attention(&vo->vcpu);
    return HV_OK;
}

SYSCALL_DEFINE(vcpu_interrupt)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    struct vcpu_obj *vo;
    hv_status_t rc = get_vcpu(a0, HV_RIGHT_SIGNAL, false, &vo);
    if (rc != HV_OK)
        return rc;
    if (a1 < 16 || a1 > 255)
        return HV_ERR_OUT_OF_RANGE;
    vcpu_queue_interrupt(&vo->vcpu, (uint8_t)a1);
    return HV_OK;
}

SYSCALL_DEFINE(vcpu_read_state)
{
    (void)a4, (void)a5;
    struct vcpu_obj *vo;
    hv_status_t rc = get_vcpu(a0, HV_RIGHT_READ, true, &vo);
    if (rc != HV_OK)
        return rc;
    struct vcpu *v = &vo->vcpu;
    if (a1 == HV_VCPU_SREGS) {
        struct hv_vcpu_sregs s;
        if (a3 != sizeof(s))
            return HV_ERR_INVALID_ARGS;
        vcpu_read_sregs(v, &s);
        return vspace_copy_out(&cur_proc()->vs, a2, &s, sizeof(s)) ? HV_OK : HV_ERR_INVALID_ARGS;
    }
    if (a1 != HV_VCPU_STATE || a3 != sizeof(struct hv_vcpu_state))
        return HV_ERR_INVALID_ARGS;
    struct hv_vcpu_state s;
    vcpu_read_state(v, &s);
    if (!vspace_copy_out(&cur_proc()->vs, a2, &s, sizeof(s)))
        return HV_ERR_INVALID_ARGS;
    return HV_OK;
}

SYSCALL_DEFINE(vcpu_write_state)
{
    (void)a4, (void)a5;
    struct vcpu_obj *vo;
    hv_status_t rc = get_vcpu(a0, HV_RIGHT_WRITE, true, &vo);
    if (rc != HV_OK)
        return rc;
    struct vcpu *v = &vo->vcpu;
    if (a1 == HV_VCPU_IO) {
        struct hv_vcpu_io io;
        if (a3 != sizeof(io) || !vspace_copy_in(&cur_proc()->vs, &io, a2, sizeof(io)))
            return HV_ERR_INVALID_ARGS;
        if (io.access_size != 1 && io.access_size != 2 && io.access_size != 4)
            return HV_ERR_INVALID_ARGS;
        if (!vo->io_in_pending)
            return HV_ERR_BAD_STATE;
        vo->io_in_pending = false;
        vcpu_load(v);
        vcpu_complete_io_in(v, io.data);
        return HV_OK;
    }
    if (a1 == HV_VCPU_SREGS) {
        struct hv_vcpu_sregs sr;
        if (a3 != sizeof(sr) || !vspace_copy_in(&cur_proc()->vs, &sr, a2, sizeof(sr)))
            return HV_ERR_INVALID_ARGS;
        return vcpu_write_sregs(v, &sr) ? HV_OK : HV_ERR_INVALID_ARGS;
    }
    if (a1 != HV_VCPU_STATE)
        return HV_ERR_INVALID_ARGS;
    struct hv_vcpu_state s;
    if (a3 != sizeof(s) || !vspace_copy_in(&cur_proc()->vs, &s, a2, sizeof(s)))
        return HV_ERR_INVALID_ARGS;
    if (!vcpu_write_state(v, &s))
        return HV_ERR_INVALID_ARGS;
    vo->io_in_pending = false;
    return HV_OK;
}
