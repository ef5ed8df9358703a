/* vCPU state for vcpu_read_state / vcpu_write_state. */
#ifndef HV_STATE_H
#define HV_STATE_H

#include <stdint.h>

enum hv_vcpu_state_kind {
    HV_VCPU_STATE = 0,          /* struct hv_vcpu_state: general registers */
    HV_VCPU_IO = 1,             /* struct hv_vcpu_io: completes a trapped IN (write only) */
    HV_VCPU_SREGS = 2,          /* struct hv_vcpu_sregs: segments, tables, control registers */
    HV_VCPU_LAPIC = 3,          /* struct hv_vcpu_lapic: the whole virtual local APIC */
    HV_VCPU_STATS = 4,          /* struct hv_vcpu_stats: exit counts and times */
};

struct hv_vcpu_state {
    uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

/* A segment register as VMX holds it. ar: access rights in the VMCS format
 * (type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15, unusable 16). */
struct hv_segment {
    uint64_t base;
    uint32_t limit;
    uint32_t ar;
    uint16_t selector;
    uint16_t reserved[3];
};

struct hv_dtable {
    uint64_t base;
    uint16_t limit;
    uint16_t reserved[3];
};

/*
 * Writing: cr0 and cr4 are the values the guest sees (the kernel adds the
 * bits VMX forces); cr4.VMXE, reserved cr4 bits and efer bits other than
 * SCE, LME, LMA and NXE are HV_ERR_INVALID_ARGS; efer.LMA selects 64-bit
 * entry. A state the CPU then refuses comes back from vcpu_resume as an
 * HV_PKT_VCPU_EXIT with bit 31 of the reason set (failed VM entry).
 */
struct hv_vcpu_sregs {
    struct hv_segment es, cs, ss, ds, fs, gs, ldtr, tr;     /* the VMCS order */
    struct hv_dtable gdt, idt;
    uint64_t cr0, cr2, cr3, cr4, efer;
};

struct hv_vcpu_io {
    uint8_t access_size;        /* 1, 2 or 4, else HV_ERR_INVALID_ARGS */
    uint8_t reserved[3];
    uint32_t data;
};

/*
 * The virtual local APIC (SDM Vol. 3A chapter 10) as the xAPIC page holds it:
 * regs[i] is the 32-bit register at offset 16 * i (ID 0x02, TPR 0x08, ISR
 * 0x10-0x17, TMR 0x18-0x1f, IRR 0x20-0x27, ICR 0x30/0x31, timer current count
 * 0x39, ...; the ID in xAPIC format, bits 31:24). Reading gives the current
 * values (current count as of now; unused slots 0). Writing restores them all:
 * version, PPR (derived) and unused slots are ignored; a current count of 0
 * leaves the timer stopped, else it runs on from there; apic_base with
 * reserved bits, x2APIC without enable, or a base above the guest-physical
 * width is HV_ERR_INVALID_ARGS; so are LVT or SVR reserved bits.
 */
struct hv_vcpu_lapic {
    uint64_t apic_base;         /* IA32_APIC_BASE */
    uint64_t tsc_deadline;      /* IA32_TSC_DEADLINE in guest TSC; 0: disarmed */
    uint32_t regs[64];
};

/*
 * Where a vCPU's time goes, counted while enabled: writing HV_VCPU_STATS (all
 * fields zero, else HV_ERR_INVALID_ARGS) resets the counters and starts
 * counting; exit reasons are the basic VMX ones (SDM Vol. 3C appendix C).
 * reason[r].ticks runs from the exit to the next VM entry: the kernel's
 * handling and, for exits that go to the VMM, the VMM's.
 */
#define HV_VCPU_STATS_REASONS 80
struct hv_vcpu_stats {
    uint64_t guest_ticks;       /* in VMX non-root operation */
    uint64_t halt_ticks;        /* asleep in the kernel on HLT */
    uint64_t exits;             /* all exits */
    uint64_t reserved;
    struct {
        uint64_t count;
        uint64_t ticks;
    } reason[HV_VCPU_STATS_REASONS];
};

#endif
