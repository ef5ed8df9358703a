/*
 * A guest address space for the kernel: EPT tables from the frame
 * allocator, guest-memory access through the EPT, and the decode of an
 * EPT violation into an MMIO access for the caller to emulate.
 */
#include "guest_walk.h"
#include "insn_decode.h"
#include "base.h"
#include "kstring.h"
#include "mm.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx_exits.h"
#include "vmx_setup.h"
#include "x86.h"

static uint64_t ept_alloc(void *ctx)
{
    (void)ctx;
    uint64_t f = frame_alloc();
    return f == FRAME_NONE ? 0 : f;
}

static void ept_free(void *ctx, uint64_t phys)
{
    (void)ctx;
    frame_free(phys);
}

static void *ept_virt(void *ctx, uint64_t phys)
{
    (void)ctx;
    return phys_to_virt(phys);
}

static const struct ept_ops kernel_ept_ops = { ept_alloc, ept_free, ept_virt, 0 };

hv_status_t vm_init(struct vm *vm)
{
    for (size_t i = 0; i < sizeof(*vm); i++)
        ((uint8_t *)vm)[i] = 0;
    return ept_init(&vm->ept, &kernel_ept_ops, vmx_cfg.ept_features);
}

void vm_destroy(struct vm *vm)
{
    uint64_t eptp = ept_eptp(&vm->ept);
    ept_destroy(&vm->ept);
    vmx_invept(eptp);           /* no stale translation may outlive the tables */
}

/* Copy between the kernel and guest-physical memory, page by page through the EPT. */
static hv_status_t guest_copy(struct vm *vm, uint64_t gpa, void *buf, uint64_t bytes, bool write)
{
    uint8_t *b = buf;
    while (bytes) {
        uint64_t hpa;
        uint32_t perms, mt, level;
        hv_status_t rc = ept_translate(&vm->ept, gpa, &hpa, &perms, &mt, &level);
        if (rc != HV_OK)
            return rc;
        uint64_t chunk = 4096 - (gpa & 4095);
        if (chunk > bytes)
            chunk = bytes;
        uint8_t *h = phys_to_virt(hpa);
        if (write)
            memcpy(h, b, chunk);
        else
            memcpy(b, h, chunk);
        gpa += chunk, b += chunk, bytes -= chunk;
    }
    return HV_OK;
}

hv_status_t vm_read_guest(struct vm *vm, uint64_t gpa, void *buf, uint64_t bytes)
{
    return guest_copy(vm, gpa, buf, bytes, false);
}

hv_status_t vm_write_guest(struct vm *vm, uint64_t gpa, const void *buf, uint64_t bytes)
{
    return guest_copy(vm, gpa, (void *)buf, bytes, true);
}

static hv_status_t read64(void *ctx, uint64_t gpa, uint64_t *out)
{
    return vm_read_guest(ctx, gpa, out, 8);
}

/* Fetch up to 15 instruction bytes at the guest's CS:RIP; returns how many. */
static size_t fetch_insn(struct vcpu *v, uint8_t *buf, enum insn_mode mode)
{
    struct guest_paging p = {
        v->cr0_shadow, vmcs_read(VMCS_GUEST_CR3), v->cr4_shadow, vmcs_read(VMCS_GUEST_EFER),
    };
    uint64_t lin = vmcs_read(VMCS_GUEST_CS_BASE) + vmcs_read(VMCS_GUEST_RIP);
    if (mode != INSN_MODE_64)
        lin &= 0xffffffffull;
    size_t got = 0;
    while (got < INSN_MAX_LEN) {
        uint64_t gpa;
        if (guest_walk(&p, lin + got, read64, v->vm, &gpa) != HV_OK)
            break;
        size_t chunk = 4096 - ((lin + got) & 4095);
        if (chunk > INSN_MAX_LEN - got)
            chunk = INSN_MAX_LEN - got;
        if (vm_read_guest(v->vm, gpa, buf + got, chunk) != HV_OK)
            break;
        got += chunk;
    }
    return got;
}

static enum insn_mode guest_insn_mode(void)
{
    uint64_t ar = vmcs_read(VMCS_GUEST_CS_AR);
    if ((vmcs_read(VMCS_GUEST_EFER) & EFER_LMA) && (ar & (1u << 13)))
        return INSN_MODE_64;
    return (ar & (1u << 14)) ? INSN_MODE_32 : INSN_MODE_16;
}

int vmx_handle_ept_violation(struct vcpu *v)
{
    uint64_t q = v->exit.qualification;
    uint64_t gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
    v->exit.ept.gpa = gpa;
    v->exit.ept.access = (uint32_t)(q & 0x3f);
    if (q & (1u << 2))
        return 0;                                   /* instruction fetch: nothing to emulate */
    if (vmcs_read(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID)
        return 0;                                   /* the CPU's access while delivering an event */

    uint8_t bytes[INSN_MAX_LEN];
    enum insn_mode mode = guest_insn_mode();
    size_t n = fetch_insn(v, bytes, mode);
    struct insn_mem d;
    if (insn_decode_mem(bytes, n, mode, &d) != HV_OK || d.write != !!(q & (1u << 1)))
        return 0;

    v->exit.kind = VCPU_EXIT_MMIO;
    v->exit.insn_len = d.len;
    v->exit.mem.gpa = gpa;
    v->exit.mem.size = d.size;
    v->exit.mem.write = d.write;
    v->exit.mem.reg = d.reg;
    v->exit.mem.sign_extend = d.sign_extend;
    v->exit.mem.zero_extend = d.zero_extend;
    v->exit.mem.high8 = d.high8;
    v->exit.mem.dst_size = d.dst_size;
    for (size_t i = 0; i < d.len; i++)
        v->exit.mem.insn[i] = bytes[i];
    if (d.write) {
        uint64_t val = d.src_kind == INSN_SRC_IMM ? d.imm : v->regs[d.reg];
        if (d.src_kind != INSN_SRC_IMM && d.reg == GPR_RSP)
            val = vmcs_read(VMCS_GUEST_RSP);
        if (d.high8)
            val >>= 8;
        v->exit.mem.data = d.size == 8 ? val : val & ((1ull << (8 * d.size)) - 1);
    }
    return 0;
}

/* Write `size` bytes of value into register reg the way a MOV would. */
static void write_reg(struct vcpu *v, unsigned reg, uint64_t value, unsigned size, bool high8)
{
    uint64_t old = reg == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) : v->regs[reg];
    uint64_t val;
    if (high8)
        val = (old & ~0xff00ull) | (value & 0xff) << 8;
    else if (size == 1)
        val = (old & ~0xffull) | (value & 0xff);
    else if (size == 2)
        val = (old & ~0xffffull) | (value & 0xffff);
    else if (size == 4)
        val = value & 0xffffffffull;                /* 32-bit writes zero-extend */
    else
        val = value;
    if (reg == GPR_RSP)
        vmcs_write(VMCS_GUEST_RSP, val);
    else
        v->regs[reg] = val;
}

void vcpu_complete_mmio_load(struct vcpu *v, uint64_t value)
{
    const __typeof__(v->exit.mem) *m = &v->exit.mem;
    unsigned bits = 8u * m->size;
    if (bits < 64)
        value &= (1ull << bits) - 1;
    if (m->sign_extend && bits < 64 && (value >> (bits - 1)) & 1)
        value |= ~0ull << bits;
    write_reg(v, m->reg, value, m->dst_size ? m->dst_size : m->size, m->high8);
    vmx_advance_rip(v, v->exit.insn_len);
}

void vcpu_complete_io_in(struct vcpu *v, uint32_t value)
{
    write_reg(v, GPR_RAX, value, v->exit.io.size, false);
    vmx_advance_rip(v, v->exit.insn_len);
}
