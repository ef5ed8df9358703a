/*
 * The CPU model a guest sees: the CPUID table, computed once at boot from
 * the host's leaves and what hv virtualizes, and the value rules of the MSRs
 * the kernel emulates. Pure logic (vmx/cpu_model.c): kernel and host tests.
 *
 * Leaves hv defines: basic 0..CPUID_MAX_BASIC, hypervisor 0x40000000..
 * CPUID_MAX_HV, extended 0x80000000..CPUID_MAX_EXT. Any other leaf returns
 * the highest basic leaf, as Intel CPUs do (SDM Vol. 2A, CPUID, "If a value
 * entered for CPUID.EAX is higher than the maximum input value ...").
 * Lookup is by index; only a few leaves depend on the vCPU (APIC ID,
 * CR4.OSXSAVE/PKE, XCR0) or on the subleaf, and take cpuid_dynamic().
 */
#ifndef CPU_MODEL_H
#define CPU_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define CPUID_MAX_BASIC 0x1fu           /* up to V2 extended topology */
#define CPUID_HV_BASE   0x40000000u
#define CPUID_MAX_HV    0x40000010u     /* timing leaf: TSC and APIC bus in kHz */
#define CPUID_EXT_BASE  0x80000000u
#define CPUID_MAX_EXT   0x80000008u

#define CPUID_HV_SLOT   (CPUID_MAX_BASIC + 1)
#define CPUID_EXT_SLOT  (CPUID_HV_SLOT + CPUID_MAX_HV - CPUID_HV_BASE + 1)
#define CPUID_SLOTS     (CPUID_EXT_SLOT + CPUID_MAX_EXT - CPUID_EXT_BASE + 1)
#define CPUID_SUBLEAVES 48

/* XSAVE components (SDM Vol. 1 13.1, XCR0 bits) that can be user state. */
#define XFEAT_X87       (1ull << 0)
#define XFEAT_SSE       (1ull << 1)
#define XFEAT_AVX       (1ull << 2)
#define XFEAT_MPX       (3ull << 3)     /* BNDREGS, BNDCSR */
#define XFEAT_AVX512    (7ull << 5)     /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XFEAT_PKRU      (1ull << 9)
#define XFEAT_AMX       (3ull << 17)    /* XTILECFG, XTILEDATA */
#define XFEAT_COMPONENTS 20             /* bits 0..19 tracked */

struct cpuid_leaf {
    uint32_t eax, ebx, ecx, edx;
};

/* How a slot's answer is formed. */
enum cpuid_kind {
    CPUID_PLAIN,        /* r as it is */
    CPUID_LEAF1,        /* r, EBX[31:24] = APIC ID, ECX.OSXSAVE = CR4.OSXSAVE */
    CPUID_SUBLEAF,      /* sub[first + ECX], zeros past nsub */
    CPUID_LEAF7,        /* as CPUID_SUBLEAF; subleaf 0 ECX.OSPKE = CR4.PKE */
    CPUID_XSAVE,        /* as CPUID_SUBLEAF; subleaf 0/1 EBX from the guest's XCR0 */
    CPUID_TOPOLOGY,     /* 0xB/0x1F: as CPUID_SUBLEAF, invalid levels echo ECX; EDX = APIC ID */
};

struct cpuid_slot {
    struct cpuid_leaf r;
    uint8_t kind;               /* enum cpuid_kind */
    uint8_t nsub;               /* subleaves stored */
    uint16_t first;             /* index of subleaf 0 in cpuid_policy.sub */
    uint32_t pad[3];            /* 32 bytes: the lookup is a shift */
};

/* What the policy is built from: the host and what hv's VMX set-up enabled. */
struct cpuid_host {
    struct cpuid_leaf (*query)(void *ctx, uint32_t leaf, uint32_t subleaf);
    void *ctx;
    uint64_t tsc_hz;            /* measured at boot (0: leave 0x15/0x16/0x40000010 empty) */
    uint64_t crystal_hz;        /* the APIC timer's input clock, reported as the core crystal */
    uint64_t arch_capabilities; /* host IA32_ARCH_CAPABILITIES (0 when absent) */
    bool xsave;                 /* the kernel runs with CR4.OSXSAVE (XSETBV emulation works) */
    bool invpcid;               /* "enable INVPCID" is on for guests */
    bool rdtscp;                /* "enable RDTSCP" is on for guests (RDTSCP, RDPID) */
    bool pkrs;                  /* the VM-entry control "load IA32_PKRS" is on */
    bool x2apic;                /* expose x2APIC and TSC-deadline (HV_GUEST_X2APIC) */
};

/* The CPU model: CPUID answers plus what the MSR and CR emulation needs to agree. */
struct cpuid_policy {
    struct cpuid_slot slot[CPUID_SLOTS];
    struct cpuid_leaf sub[CPUID_SUBLEAVES];
    uint64_t xcr0_mask;         /* XCR0 bits XSETBV accepts (0: no XSAVE) */
    uint64_t cr4_allowed;       /* CR4 bits a guest may set (before the CPU's fixed bits) */
    uint64_t efer_allowed;      /* EFER bits WRMSR accepts */
    uint32_t xsave_offset[XFEAT_COMPONENTS], xsave_size[XFEAT_COMPONENTS];
    uint32_t xsave_align64;     /* components 64-byte aligned in the compacted format */
    uint32_t phys_bits;         /* MAXPHYADDR the guest sees */
    uint64_t arch_capabilities; /* IA32_ARCH_CAPABILITIES the guest reads */
    uint64_t platform_info;     /* MSR_PLATFORM_INFO the guest reads */
    bool mtrr, pat, sysenter, mce;
    bool spec_ctrl, pred_cmd, arch_cap, pkrs, tsc_aux;
    bool x2apic, tsc_deadline, pcid, invpcid;
};

void cpuid_policy_build(struct cpuid_policy *p, const struct cpuid_host *h);

/* The slot for leaf (the fast path of the CPUID exit: no loop, no call). */
static inline const struct cpuid_slot *cpuid_slot(const struct cpuid_policy *p, uint32_t leaf)
{
    uint32_t i = CPUID_MAX_BASIC;
    if (leaf <= CPUID_MAX_BASIC)
        i = leaf;
    else if (leaf - CPUID_EXT_BASE <= CPUID_MAX_EXT - CPUID_EXT_BASE)
        i = CPUID_EXT_SLOT + (leaf - CPUID_EXT_BASE);
    else if (leaf - CPUID_HV_BASE <= CPUID_MAX_HV - CPUID_HV_BASE)
        i = CPUID_HV_SLOT + (leaf - CPUID_HV_BASE);
    return &p->slot[i];
}

/* The vCPU state a dynamic leaf depends on. */
struct cpuid_vcpu {
    uint32_t apic_id;
    uint64_t cr4;               /* as the guest sees it */
    uint64_t xcr0;
};

/* The answer of a slot whose kind is not CPUID_PLAIN. */
struct cpuid_leaf cpuid_dynamic(const struct cpuid_policy *p, const struct cpuid_slot *s,
                                uint32_t subleaf, const struct cpuid_vcpu *v);

/* Any leaf (slow path and tests). */
struct cpuid_leaf cpuid_eval(const struct cpuid_policy *p, uint32_t leaf, uint32_t subleaf,
                             const struct cpuid_vcpu *v);

/* XSAVE area bytes for the components in xcr0: standard or compacted format. */
uint32_t cpuid_xsave_size(const struct cpuid_policy *p, uint64_t xcr0, bool compacted);

/* XSETBV's rules (SDM Vol. 2D, XSETBV; Vol. 1 13.3): may the guest load this XCR0? */
bool xcr0_valid(const struct cpuid_policy *p, uint64_t xcr0);

/* ---- MSR value rules ---------------------------------------------------------------- */

#define MSR_MTRR_PHYSBASE0      0x200
#define MSR_MTRR_FIX64K_00000   0x250
#define MSR_MTRR_FIX16K_80000   0x258
#define MSR_MTRR_FIX16K_A0000   0x259
#define MSR_MTRR_FIX4K_C0000    0x268   /* .. 0x26f */
#define MSR_MTRR_DEF_TYPE       0x2ff
#define MTRR_VAR_RANGES         8
#define MTRR_FIXED_MSRS         11
/* IA32_MTRRCAP: VCNT variable ranges, fixed ranges (bit 8), WC (bit 10), no SMRR. */
#define MTRRCAP_VALUE           (MTRR_VAR_RANGES | (1u << 8) | (1u << 10))

/* The guest's MTRRs: stored and read back, never applied (EPT decides memory types). */
struct mtrr_state {
    uint64_t def_type;
    uint64_t fixed[MTRR_FIXED_MSRS];
    uint64_t var[2 * MTRR_VAR_RANGES];          /* PHYSBASE0, PHYSMASK0, ... */
};

/* Where msr lives in struct mtrr_state, or 0 when it is not an MTRR MSR hv emulates. */
uint64_t *mtrr_msr(struct mtrr_state *m, uint32_t msr);
/* Whether WRMSR may write val to MTRR MSR msr (SDM Vol. 3A 11.11.2): valid types, no
 * reserved bits (phys_bits = MAXPHYADDR). */
bool mtrr_msr_valid(uint32_t msr, uint64_t val, uint32_t phys_bits);
/* IA32_PAT: eight valid PAT types (SDM Vol. 3A 11.12.2). */
bool pat_valid(uint64_t pat);

#endif
