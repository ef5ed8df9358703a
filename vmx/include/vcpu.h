/*
 * A virtual CPU: its VMCS, its guest registers and the exit that ends a run.
 * vcpu_run() executes the guest until an exit the kernel cannot finish on
 * its own (I/O, MMIO, HLT with nothing pending, faults, ...); those come
 * back to the caller in struct vcpu_exit. Fast paths (CPUID, MSRs, CR
 * access, XSETBV, VMCALL, interrupt windows, external interrupts, sink
 * ports) never leave the kernel's exit loop.
 */
#ifndef VCPU_H
#define VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu_model.h"
#include "ept.h"
#include "hv/state.h"
#include "vmcs.h"
#include "vlapic.h"
#include "vmx_names.h"

enum gpr { GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
           GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15 };

enum guest_mode {
    GUEST_REAL16,       /* real mode at CS:IP (unrestricted guest) */
    GUEST_PROT32,       /* flat 32-bit protected mode, paging off */
    GUEST_LONG64,       /* long mode; the caller provides page tables (CR3) */
};

/* Why vcpu_run returned. */
enum vcpu_exit_kind {
    VCPU_EXIT_IO = 1,           /* port I/O: io.* */
    VCPU_EXIT_MMIO,             /* EPT violation decoded as a load/store: mem.* */
    VCPU_EXIT_EPT_FAULT,        /* EPT violation that is not an emulatable access */
    VCPU_EXIT_HLT,              /* HLT with nothing to deliver */
    VCPU_EXIT_EXCEPTION,        /* intercepted guest exception: exception.* */
    VCPU_EXIT_TRIPLE_FAULT,
    VCPU_EXIT_PREEMPT,          /* VMX preemption timer expired (sched_timer: the scheduler's
                                   next event is due) */
    VCPU_EXIT_KICKED,           /* vcpu_kick() */
    VCPU_EXIT_ENTRY_FAILED,     /* VM entry failed: entry_failure.* */
    VCPU_EXIT_UNHANDLED,        /* any other exit: reason, qualification, rip */
    VCPU_EXIT_YIELD,            /* a host interrupt asked for the scheduler: run again later */
    VCPU_EXIT_DEADLINE,         /* the host TSC reached vcpu.deadline */
    VCPU_EXIT_EOI,              /* the guest EOIed a level-triggered vector: eoi.vector (rip
                                   already past the EOI) */
};

struct vcpu_exit {
    uint32_t kind;              /* enum vcpu_exit_kind */
    uint32_t reason;            /* basic exit reason */
    uint64_t qualification;
    uint64_t rip;
    uint32_t insn_len;
    union {
        struct {
            uint16_t port;
            uint8_t size;       /* 1, 2, 4 */
            bool in;
            bool string, rep;
            uint32_t data;      /* OUT: the value written */
        } io;
        struct {
            uint64_t gpa;
            uint8_t size;       /* 1, 2, 4, 8 */
            bool write;
            uint8_t reg;        /* GPR of a load, or source of a store */
            bool sign_extend, zero_extend, high8;
            uint8_t dst_size;
            uint64_t data;      /* store: the value written */
            uint8_t insn[15];
        } mem;
        struct {
            uint64_t gpa;
            uint32_t access;    /* qualification bits 0..5 */
        } ept;
        struct {
            uint8_t vector;
            bool has_error;
            uint32_t error;
        } exception;
        struct {
            uint64_t wake_tsc;  /* host TSC when the APIC timer or the deadline wakes the
                                   guest; 0: nothing in the kernel will (vcpu.hlt_block) */
        } hlt;
        struct {
            uint8_t vector;
        } eoi;
        struct {
            uint32_t vm_insn_error;     /* VMfailValid: VM-instruction error number */
            uint32_t reason;            /* failed entry: exit reason with bit 31 */
            uint64_t qualification;
        } entry_failure;
    };
};

struct vm;
struct vcpu;

/*
 * MSRs the hardware uses for the guest without the VMCS switching them:
 * SYSCALL's (needs EFER.SCE) and SWAPGS's KERNEL_GS_BASE (needs long mode).
 * They are loaded only while the guest can use them; RDMSR/WRMSR of them
 * always exit and are emulated (vmx/emulate.c), so a guest never sees or
 * sets the host's values.
 */
#define VCPU_SWITCHED_MSRS 5
extern const uint32_t vcpu_switched_msr[VCPU_SWITCHED_MSRS];
int vcpu_switched_msr_index(uint32_t msr);      /* -1 when not one of them */
/* Load the guest's values now if it can use them (after EFER or CR0 changes). */
void vcpu_msrs_update(struct vcpu *v);
/* Put the host's values back (the guest's are saved), when leaving for the caller. */
void vcpu_msrs_unload(struct vcpu *v);

struct vcpu {
    /* Read and written by vmx/entry.asm (offsets from vmx/asm_offsets.c). */
    uint64_t regs[16];          /* by enum gpr; regs[GPR_RSP] lives in the VMCS */
    uint64_t cr2;               /* saved when leaving for the caller */
    uint8_t launched;
    uint8_t attention;          /* an event is pending or a kick was asked for */
    uint8_t asm_pad[6];

    struct vm *vm;
    uint64_t vmcs_phys;
    uint16_t vpid;
    enum guest_mode start_mode;

    struct vcpu_exit exit;      /* filled when vcpu_run returns */
    uint64_t exit_counts[VMX_EXIT_REASONS];

    /* Event injection: the virtual local APIC's IRR (lapic), ExtINT vectors (the 8259's
     * INTR, which bypasses the APIC's priorities) and an NMI. */
    int16_t pending_irq;        /* the next ExtINT to inject, the lowest queued; -1: none */
    bool pending_nmi;
    bool kick;
    uint16_t eoi_exit;          /* 1 + a level-triggered vector whose EOI ends the run; 0 */
    uint32_t extint_more[8];    /* further ExtINT vectors queued behind pending_irq */
    uint64_t deadline;          /* host TSC at which the run ends (VCPU_EXIT_DEADLINE); ~0 */

    uint32_t proc_controls;     /* cached primary processor-based controls */
    uint32_t exception_bitmap;
    uint64_t preempt_ticks;     /* 0: no preemption timer */
    bool sched_timer;           /* the preemption timer ends runs at the scheduler's next event */

    /* Guest state the VMCS does not switch. */
    uint64_t cr0_shadow, cr4_shadow;
    uint64_t xcr0;
    uint64_t guest_msrs[VCPU_SWITCHED_MSRS];   /* by vcpu_switched_msr[] order */
    /* While it runs: the hardware holds guest_msrs (host values saved in host_msrs). */
    bool msrs_loaded;
    uint64_t host_msrs[VCPU_SWITCHED_MSRS];
    uint64_t apic_base;
    uint32_t apic_id;           /* the guest's (x2)APIC ID: CPUID leaves 1, 0xB, 0x1F */
    struct vlapic lapic;        /* CR8 is lapic.tpr[7:4] (MOV to/from CR8 exit) */
    uint64_t lapic_mmio;        /* xAPIC-page accesses emulated in the kernel */
    /* HLT (IF=1) that the APIC timer will end: false, the guest sleeps in the HLT activity
     * state inside the run; true, the run ends with VCPU_EXIT_HLT and exit.hlt.wake_tsc (the
     * APIC timer or the deadline, the earlier) for the caller to block its thread until
     * then (object/vcpu_object.c). */
    bool hlt_block;
    bool own_timer;             /* preempt_ticks, an APIC timer, a run deadline or stats_on:
                                   vcpu_run's slow path */
    void *fpu;                  /* x87/SSE/AVX save area, one page (vmx/vcpu.c) */
    /* Registers that change hands with the FPU state, when another vCPU runs (vcpu.c). */
    uint64_t spec_ctrl;         /* IA32_SPEC_CTRL: passes through while the guest runs */
    uint64_t tsc_aux;           /* IA32_TSC_AUX: RDTSCP/RDPID read it natively */
    struct mtrr_state mtrr;     /* stored and read back only (vmx/emulate.c) */

    /* HV_VCPU_STATS (vmx/vcpu_stats.c): counted only while stats_on. */
    bool stats_on;
    bool stats_in_guest;        /* stats_tsc is the last entry, else the last exit */
    uint16_t stats_reason;      /* the last exit's basic reason */
    uint64_t stats_tsc;
    struct hv_vcpu_stats stats;
};

/* A guest address space: EPT plus what the kernel handles without the caller. */
struct vm {
    struct ept ept;
    uint64_t ram_size;                  /* guest RAM at GPA 0 (for the test driver) */
    uint8_t sink_ports[65536 / 8];      /* OUTs to these ports are absorbed in the kernel */
};

void vmx_cpu_features_init(void);      /* after VMXON: controls, bitmaps, EPT features */
uint32_t vmx_ept_features(void);

/* Zero vm and give it an empty EPT: HV_OK or HV_ERR_NO_MEMORY. */
hv_status_t vm_init(struct vm *vm);
void vm_destroy(struct vm *vm);
/*
 * Copy between the kernel and guest memory at gpa through the EPT: HV_OK, or
 * HV_ERR_NOT_FOUND (a page not mapped; the pages before it are copied) or
 * HV_ERR_INVALID_ARGS (gpa at or beyond 2^48).
 */
hv_status_t vm_read_guest(struct vm *vm, uint64_t gpa, void *buf, uint64_t bytes);
hv_status_t vm_write_guest(struct vm *vm, uint64_t gpa, const void *buf, uint64_t bytes);

/* Where a vCPU starts. Real mode: CS = cs (base cs << 4), IP = rip. */
struct vcpu_start {
    enum guest_mode mode;
    uint64_t rip, rsp;
    uint16_t cs;                /* real mode only */
    uint64_t cr3;               /* long mode: the caller's page tables */
    uint64_t gdt_base;          /* protected/long mode: GDT with 0x08 code32, 0x10 data, 0x18 code64 */
    uint16_t gdt_limit;
    bool sched_timer;           /* end each run by the scheduler's next event (percpu next_event) */
    uint32_t apic_id;           /* the vCPU's index: its APIC ID in CPUID (0 is the BSP) */
};

/* Set up a vCPU (VMCS, VPID) for vm: HV_OK, HV_ERR_NO_MEMORY or HV_ERR_NO_RESOURCES (no VPID). */
hv_status_t vcpu_init(struct vcpu *v, struct vm *vm, const struct vcpu_start *start);
void vcpu_destroy(struct vcpu *v);
void vcpu_load(struct vcpu *v);         /* make v's VMCS current on this CPU */
/* The real CR0/CR4 for the guest's view (VMX fixed bits; CR0.CD/NW not applied). */
uint64_t vcpu_real_cr0(uint64_t guest_cr0);
uint64_t vcpu_real_cr4(uint64_t guest_cr4);
/* CR0/CR4 as the guest reads them: host-owned bits from the shadow, the rest from the
 * real register. The current VMCS is v's. */
uint64_t vcpu_guest_cr0(struct vcpu *v);
uint64_t vcpu_guest_cr4(struct vcpu *v);
/* Load the four PAE PDPTEs from guest memory at cr3 into the VMCS (SDM Vol. 3A 4.4.1):
 * false, nothing loaded, when one is unreadable or present with reserved bits set. */
bool vcpu_load_pdptes(struct vcpu *v, uint64_t cr3);
/* Whether the guest uses PAE paging (not IA-32e) with these values. */
static inline bool vcpu_pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    return (cr0 & (1ull << 31)) && (cr4 & (1ull << 5)) && !(efer & (1ull << 10));
}
void vcpu_try_inject(struct vcpu *v);
/*
 * vmx/lapic.c: the virtual local APIC's kernel side. The xAPIC page at the APIC base
 * (an EPT violation there is emulated in the kernel), the x2APIC and TSC-deadline MSRs,
 * the timer (the preemption timer ends a run at its deadline).
 */
void vcpu_lapic_init(struct vcpu *v);
bool vcpu_lapic_enabled(const struct vcpu *v);     /* globally and software-enabled */
bool vcpu_lapic_page(const struct vcpu *v, uint64_t gpa);  /* gpa is in the xAPIC page */
int vcpu_lapic_mmio(struct vcpu *v);               /* after the decode: 1 done, 0 leave */
/* The x2APIC MSRs and IA32_TSC_DEADLINE: HV_OK, HV_ERR_INVALID_ARGS (#GP), or
 * HV_ERR_NOT_FOUND when msr is not the APIC's. */
hv_status_t vcpu_lapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
hv_status_t vcpu_lapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);
void vcpu_lapic_base_changed(struct vcpu *v, uint64_t old);
/* Fire the timer when due; program the preemption timer for the next run. */
void vcpu_lapic_timer_check(struct vcpu *v);
void vcpu_lapic_program_preempt(struct vcpu *v);
/* The preemption-timer exit (exit.c's table): fires the APIC timer and injects its vector
 * at once when nothing else waits; 1 resume, 0 leave (PREEMPT or DEADLINE). */
int vcpu_lapic_preempt_exit(struct vcpu *v, uint32_t reason);
/* x2APIC/xAPIC EOI with a vector in service (lapic.isr_top != 0). */
void vcpu_lapic_eoi(struct vcpu *v);
/* event.c: inject APIC vector now (it is the highest deliverable, nothing else waits and
 * the VM-entry interruption field is free), or leave it to the next entry (attention). */
void vcpu_inject_apic(struct vcpu *v, uint8_t vector);
/* The APIC timer is armed and will raise an interrupt (LVT unmasked, APIC enabled). */
bool vcpu_lapic_timer_wakes(const struct vcpu *v);
uint64_t vcpu_lapic_host_deadline(const struct vcpu *v);   /* the timer's deadline, host TSC */
/* An interrupt from outside (any thread): IRR, or ExtINT while the APIC is disabled. */
void vcpu_lapic_deliver(struct vcpu *v, uint8_t vector, bool level);
/* An ExtINT from outside (the 8259's INTR): queued while the APIC is disabled (hardware or
 * software) or LVT LINT0 is unmasked with delivery mode ExtINT, else dropped (10.5.1). */
void vcpu_lapic_extint(struct vcpu *v, uint8_t vector);
/* HV_VCPU_LAPIC (include/hv/state.h): false, nothing changed, for a state it refuses.
 * The current VMCS is v's (the guest TSC). */
void vcpu_lapic_read_state(struct vcpu *v, struct hv_vcpu_lapic *s);
bool vcpu_lapic_write_state(struct vcpu *v, const struct hv_vcpu_lapic *s);
void vcpu_update_attention(struct vcpu *v);    /* after changing pending events or kick */
/* A level-triggered EOI waits to be reported (eoi_exit): fill v->exit (VCPU_EXIT_EOI); 0. */
int vcpu_leave_eoi(struct vcpu *v);
/* The run ends at host TSC deadline (~0: never) with VCPU_EXIT_DEADLINE, whether the
 * guest runs (the preemption timer) or halts (exit.hlt.wake_tsc is no later). */
void vcpu_set_deadline(struct vcpu *v, uint64_t deadline);
/* vmx/vcpu_stats.c: HV_VCPU_STATS. Reset and start counting; the counters. */
void vcpu_stats_enable(struct vcpu *v);
void vcpu_stats_exit(struct vcpu *v, uint32_t basic);
void vcpu_stats_entry(struct vcpu *v);
/* An external interrupt waits: a queued ExtINT, or a deliverable vector in the APIC's IRR. */
static inline bool vcpu_irq_pending(const struct vcpu *v)
{
    return v->pending_irq >= 0 || vlapic_pending(&v->lapic) >= 0;
}
void vcpu_reinject_vectoring(void);
int vcpu_run(struct vcpu *v);          /* fills v->exit; 0 */
void vcpu_queue_interrupt(struct vcpu *v, uint8_t vector);
void vcpu_queue_nmi(struct vcpu *v);
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
/*
 * Move the guest past an instruction completed for it (a port OUT or MMIO store
 * the caller emulated), ending STI/MOV-SS blocking as executing it would have.
 * The current VMCS is v's for this and the calls below.
 */
void vcpu_advance_rip(struct vcpu *v, uint32_t len);

/* Complete an MMIO load or port IN the caller emulated. */
void vcpu_complete_mmio_load(struct vcpu *v, uint64_t value);
void vcpu_complete_io_in(struct vcpu *v, uint32_t value);

/*
 * vmx/vcpu_state.c: the guest state of include/hv/state.h. The writes check
 * it first: false (and nothing changed) for a state the ABI does not allow.
 */
struct hv_vcpu_state;
struct hv_vcpu_sregs;
void vcpu_read_state(struct vcpu *v, struct hv_vcpu_state *s);
bool vcpu_write_state(struct vcpu *v, const struct hv_vcpu_state *s);
void vcpu_read_sregs(struct vcpu *v, struct hv_vcpu_sregs *s);
bool vcpu_write_sregs(struct vcpu *v, const struct hv_vcpu_sregs *s);

/* vmx/entry.asm: 0 when the exit handler asked to leave, 1/2 on VMfailInvalid/Valid. */
int vmx_enter(struct vcpu *v);
/* vmx/exit.c: 1 = resume the guest, 0 = return to vcpu_run's caller. */
int vmx_handle_exit(struct vcpu *v);
/* vmx/exit.c: called on the way back in when v->attention is set; same result. */
int vmx_attention(struct vcpu *v);

#endif
