/*
 * The CPU model guests see (vmx/include/cpu_model.h). Pure: kernel and host
 * tests. Bit names follow SDM Vol. 2A, CPUID, Tables 3-8 (leaves), 3-10
 * (leaf 1 ECX) and 3-11 (leaf 1 EDX).
 *
 * Policy: a feature is shown when the host has it and hv virtualizes it.
 * Each register has a pass mask of the bits hv knows work in a guest as
 * they do on the host; everything else, including bits defined after this
 * table was written, reads as 0. The comments list what is hidden and why.
 */
#include "cpu_model.h"
#include "x86_regs.h"

#define BIT(n) (1u << (n))

/* ---- leaf 1 ECX ----------------------------------------------------------------------
 * Hidden: DTES64 (2), DS-CPL (4): the debug store (IA32_DS_AREA) is not virtualized.
 *   MONITOR (3): MONITOR/MWAIT are not emulated (they #UD; IA32_MISC_ENABLE[18] = 0).
 *   VMX (5): no nested VMX. SMX (6): no GETSEC/TXT.
 *   EIST (7): IA32_PERF_CTL/STATUS are not emulated. TM2 (8): thermal monitoring.
 *   CNXT-ID (10), SDBG (11, IA32_DEBUG_INTERFACE), xTPR (14), DCA (18): platform
 *   controls with MSRs hv does not have. PDCM (15): IA32_PERF_CAPABILITIES, perfmon.
 *   x2APIC (21), TSC-deadline (24): shown only with HV_GUEST_X2APIC (their MSRs belong
 *   to the interrupt-controller model). OSXSAVE (27): the guest's CR4.OSXSAVE, set per
 *   CPUID. Hypervisor (31): always set.
 */
#define L1C_SSE3        BIT(0)
#define L1C_PCLMULQDQ   BIT(1)
#define L1C_SSSE3       BIT(9)
#define L1C_FMA         BIT(12)
#define L1C_CX16        BIT(13)
#define L1C_PCID        BIT(17)
#define L1C_SSE41       BIT(19)
#define L1C_SSE42       BIT(20)
#define L1C_X2APIC      BIT(21)
#define L1C_MOVBE       BIT(22)
#define L1C_POPCNT      BIT(23)
#define L1C_TSC_DEADLINE BIT(24)
#define L1C_AES         BIT(25)
#define L1C_XSAVE       BIT(26)
#define L1C_OSXSAVE     BIT(27)
#define L1C_AVX         BIT(28)
#define L1C_F16C        BIT(29)
#define L1C_RDRAND      BIT(30)
#define L1C_HYPERVISOR  BIT(31)
#define L1C_PASS (L1C_SSE3 | L1C_PCLMULQDQ | L1C_SSSE3 | L1C_FMA | L1C_CX16 | L1C_PCID |      \
                  L1C_SSE41 | L1C_SSE42 | L1C_MOVBE | L1C_POPCNT | L1C_AES | L1C_XSAVE |     \
                  L1C_AVX | L1C_F16C | L1C_RDRAND)
#define L1C_NEEDS_AVX (L1C_FMA | L1C_AVX | L1C_F16C)

/* ---- leaf 1 EDX ----------------------------------------------------------------------
 * Hidden: MCA (14): no IA32_MCG_CAP/STATUS or error banks (#MC itself, MCE, stays).
 *   PSN (18): serial number. DS (21), ACPI (22, thermal MSRs), TM (29), PBE (31):
 *   debug store and thermal control. HTT (28): one logical processor per package.
 */
#define L1D_FPU   BIT(0)
#define L1D_VME   BIT(1)
#define L1D_DE    BIT(2)
#define L1D_PSE   BIT(3)
#define L1D_TSC   BIT(4)
#define L1D_MSR   BIT(5)
#define L1D_PAE   BIT(6)
#define L1D_MCE   BIT(7)
#define L1D_CX8   BIT(8)
#define L1D_APIC  BIT(9)
#define L1D_SEP   BIT(11)
#define L1D_MTRR  BIT(12)
#define L1D_PGE   BIT(13)
#define L1D_CMOV  BIT(15)
#define L1D_PAT   BIT(16)
#define L1D_PSE36 BIT(17)
#define L1D_CLFSH BIT(19)
#define L1D_MMX   BIT(23)
#define L1D_FXSR  BIT(24)
#define L1D_SSE   BIT(25)
#define L1D_SSE2  BIT(26)
#define L1D_SS    BIT(27)
#define L1D_PASS (L1D_FPU | L1D_VME | L1D_DE | L1D_PSE | L1D_TSC | L1D_MSR | L1D_PAE | L1D_MCE | \
                  L1D_CX8 | L1D_APIC | L1D_SEP | L1D_MTRR | L1D_PGE | L1D_CMOV | L1D_PAT |     \
                  L1D_PSE36 | L1D_CLFSH | L1D_MMX | L1D_FXSR | L1D_SSE | L1D_SSE2 | L1D_SS)

/* ---- leaf 7 subleaf 0 EBX -------------------------------------------------------------
 * Hidden: TSC_ADJUST (1): IA32_TSC_ADJUST is not emulated. SGX (2): no enclaves.
 *   INVPCID (10): shown only when "enable INVPCID" is on (else INVPCID #UDs).
 *   RDT-M (12), RDT-A (15): resource monitoring/allocation MSRs. MPX (14): BNDCFGS is
 *   not switched and MPX is gone from current CPUs. Intel PT (25): trace MSRs.
 */
#define L7B_FSGSBASE   BIT(0)
#define L7B_BMI1       BIT(3)
#define L7B_HLE        BIT(4)
#define L7B_AVX2       BIT(5)
#define L7B_FDP_EXCPTN BIT(6)
#define L7B_SMEP       BIT(7)
#define L7B_BMI2       BIT(8)
#define L7B_ERMS       BIT(9)
#define L7B_INVPCID    BIT(10)
#define L7B_RTM        BIT(11)
#define L7B_FPU_CSDS   BIT(13)
#define L7B_AVX512F    BIT(16)
#define L7B_AVX512DQ   BIT(17)
#define L7B_RDSEED     BIT(18)
#define L7B_ADX        BIT(19)
#define L7B_SMAP       BIT(20)
#define L7B_AVX512IFMA BIT(21)
#define L7B_CLFLUSHOPT BIT(23)
#define L7B_CLWB       BIT(24)
#define L7B_AVX512PF   BIT(26)
#define L7B_AVX512ER   BIT(27)
#define L7B_AVX512CD   BIT(28)
#define L7B_SHA        BIT(29)
#define L7B_AVX512BW   BIT(30)
#define L7B_AVX512VL   BIT(31)
#define L7B_AVX512 (L7B_AVX512F | L7B_AVX512DQ | L7B_AVX512IFMA | L7B_AVX512PF | L7B_AVX512ER | \
                    L7B_AVX512CD | L7B_AVX512BW | L7B_AVX512VL)
#define L7B_PASS (L7B_FSGSBASE | L7B_BMI1 | L7B_HLE | L7B_AVX2 | L7B_FDP_EXCPTN | L7B_SMEP |      \
                  L7B_BMI2 | L7B_ERMS | L7B_INVPCID | L7B_RTM | L7B_FPU_CSDS | L7B_RDSEED |        \
                  L7B_ADX | L7B_SMAP | L7B_CLFLUSHOPT | L7B_CLWB | L7B_SHA | L7B_AVX512)

/* ---- leaf 7 subleaf 0 ECX -------------------------------------------------------------
 * Hidden: WAITPKG (5): "enable user wait and pause" is off (UMWAIT/TPAUSE #UD).
 *   CET_SS (7): no CET state switching. TME (13): memory encryption MSRs.
 *   MAWAU (21:17), SGX_LC (30): SGX. RDPID (22): shown only with "enable RDTSCP" (else it
 *   #UDs). KL (23): Key Locker. BUS_LOCK_DETECT (24). ENQCMD (29): PASID MSR.
 *   PKS (31): shown only with the "load IA32_PKRS" entry control.
 *   OSPKE (4): the guest's CR4.PKE, set per CPUID.
 */
#define L7C_PREFETCHWT1 BIT(0)
#define L7C_AVX512VBMI  BIT(1)
#define L7C_UMIP        BIT(2)
#define L7C_PKU         BIT(3)
#define L7C_OSPKE       BIT(4)
#define L7C_AVX512VBMI2 BIT(6)
#define L7C_GFNI        BIT(8)
#define L7C_VAES        BIT(9)
#define L7C_VPCLMULQDQ  BIT(10)
#define L7C_AVX512VNNI  BIT(11)
#define L7C_AVX512BITALG BIT(12)
#define L7C_AVX512VPOPCNTDQ BIT(14)
#define L7C_LA57        BIT(16)
#define L7C_RDPID       BIT(22)
#define L7C_CLDEMOTE    BIT(25)
#define L7C_MOVDIRI     BIT(27)
#define L7C_MOVDIR64B   BIT(28)
#define L7C_PKS         BIT(31)
#define L7C_AVX512 (L7C_AVX512VBMI | L7C_AVX512VBMI2 | L7C_AVX512VNNI | L7C_AVX512BITALG |       \
                    L7C_AVX512VPOPCNTDQ)
#define L7C_PASS (L7C_PREFETCHWT1 | L7C_UMIP | L7C_PKU | L7C_GFNI | L7C_VAES | L7C_VPCLMULQDQ |   \
                  L7C_LA57 | L7C_RDPID | L7C_CLDEMOTE | L7C_MOVDIRI | L7C_MOVDIR64B | L7C_PKS |  \
                  L7C_AVX512)

/* ---- leaf 7 subleaf 0 EDX -------------------------------------------------------------
 * Hidden: UINTR (5): user interrupts. SRBDS_CTRL (9): IA32_MCU_OPT_CTRL.
 *   TSX_FORCE_ABORT (13): its MSR. Hybrid (15): one core type. PCONFIG (18): "enable
 *   PCONFIG" is off. Arch LBR (19), CET_IBT (20): no LBR/CET state switching.
 *   AMX-BF16/TILE/INT8 (22, 24, 25): XFD is not virtualized and tile data does not fit
 *   the one-page guest XSAVE area. L1D_FLUSH (28): IA32_FLUSH_CMD is not emulated.
 *   CORE_CAPABILITIES (30): not emulated.
 * Shown with their MSRs: IBRS/IBPB (26: IA32_SPEC_CTRL, IA32_PRED_CMD), STIBP (27),
 *   SSBD (31) (SPEC_CTRL passes through), ARCH_CAPABILITIES (29: read-only, emulated).
 */
#define L7D_AVX512_4VNNIW BIT(2)
#define L7D_AVX512_4FMAPS BIT(3)
#define L7D_FSRM          BIT(4)
#define L7D_AVX512_VP2INTERSECT BIT(8)
#define L7D_MD_CLEAR      BIT(10)
#define L7D_RTM_ALWAYS_ABORT BIT(11)
#define L7D_SERIALIZE     BIT(14)
#define L7D_TSXLDTRK      BIT(16)
#define L7D_AVX512_FP16   BIT(23)
#define L7D_IBRS_IBPB     BIT(26)
#define L7D_STIBP         BIT(27)
#define L7D_ARCH_CAP      BIT(29)
#define L7D_SSBD          BIT(31)
#define L7D_AVX512 (L7D_AVX512_4VNNIW | L7D_AVX512_4FMAPS | L7D_AVX512_VP2INTERSECT |            \
                    L7D_AVX512_FP16)
#define L7D_PASS (L7D_FSRM | L7D_MD_CLEAR | L7D_RTM_ALWAYS_ABORT | L7D_SERIALIZE | L7D_TSXLDTRK | \
                  L7D_IBRS_IBPB | L7D_STIBP | L7D_ARCH_CAP | L7D_SSBD | L7D_AVX512)

/* ---- leaf 7 subleaf 1 EAX -------------------------------------------------------------
 * Shown: AVX-VNNI (4), AVX512_BF16 (5), fast zero-length MOVSB (10), fast short STOSB
 *   (11), fast short CMPSB/SCASB (12). Hidden: everything else (HRESET, LAM, FRED, ...
 *   need VMX support hv does not use). Subleaf 1 EBX/ECX/EDX: 0.
 */
#define L71A_AVX_VNNI    BIT(4)
#define L71A_AVX512_BF16 BIT(5)
#define L71A_PASS (L71A_AVX_VNNI | L71A_AVX512_BF16 | BIT(10) | BIT(11) | BIT(12))

/* ---- leaf 0xD subleaf 1 EAX -----------------------------------------------------------
 * Shown: XSAVEOPT (0), XSAVEC (1), XGETBV with ECX = 1 (2). Hidden: XSAVES (3): "enable
 *   XSAVES/XRSTORS" is off and IA32_XSS is not emulated. XFD (4): not virtualized.
 */
#define LDA1_PASS (BIT(0) | BIT(1) | BIT(2))

/* ---- leaf 0x80000001 ------------------------------------------------------------------
 * ECX shown: LAHF/SAHF (0), LZCNT (5), PREFETCHW (8). EDX shown: SYSCALL (11, reported as
 *   a 64-bit-mode CPUID sees it), NX (20), 1-GByte pages (26), LM (29). RDTSCP (27):
 *   only with "enable RDTSCP" (else RDTSCP #UDs).
 */
#define E1C_PASS (BIT(0) | BIT(5) | BIT(8))
#define E1D_SYSCALL BIT(11)
#define E1D_NX      BIT(20)
#define E1D_PAGE1GB BIT(26)
#define E1D_RDTSCP  BIT(27)
#define E1D_LM      BIT(29)
#define E1D_PASS (E1D_SYSCALL | E1D_NX | E1D_PAGE1GB | E1D_RDTSCP | E1D_LM)

/* Leaf 6: only ARAT (EAX bit 2, the APIC timer runs in every C-state); the thermal and
 * power interfaces (DTS, HWP, MPERF/APERF, EPB, ...) are not virtualized. */
#define L6A_ARAT BIT(2)

/* Leaf 0x80000007 EDX bit 8: invariant TSC. The guest's TSC is the host's (plus an
 * offset), which runs at the rate the timing leaves report. */
#define E7D_INVARIANT_TSC BIT(8)

/* CR4 and EFER bits: lib/include/x86_regs.h. */

/*
 * IA32_ARCH_CAPABILITIES bits passed from the host (SDM Vol. 4 Table 2-2): the "not
 * affected" (*_NO) and behaviour bits: RDCL_NO (0), IBRS_ALL (1), RSBA (2), SSB_NO (4),
 * MDS_NO (5), IF_PSCHANGE_MC_NO (6), TAA_NO (8), SBDR_SSDP_NO (13), FBSDP_NO (14),
 * PSDP_NO (15), FB_CLEAR (17), RRSBA (19), BHI_NO (20), PBRSB_NO (24), GDS_NO (26),
 * RFDS_NO (27). Hidden: the bits that announce an MSR hv does not emulate (TSX_CTRL 7,
 * MCU_CONTROL 9, MISC_PACKAGE_CTRLS 10, ENERGY_FILTERING_CTL 11, DOITM 12, FB_CLEAR_CTRL
 * 18, XAPIC_DISABLE 21, OVERCLOCKING_STATUS 23). Set: SKIP_L1DFL_VMENTRY (3), there is no
 * nested VMX for the guest to flush on.
 */
#define ARCH_CAP_PASS 0x0d1ae177ull
#define ARCH_CAP_SKIP_L1DFL_VMENTRY (1ull << 3)

static struct cpuid_leaf zero_leaf(void)
{
    return (struct cpuid_leaf){ 0, 0, 0, 0 };
}

struct host {
    const struct cpuid_host *h;
    uint32_t max_basic, max_ext;
};

/* A host leaf, or zeros when the host does not have it. */
static struct cpuid_leaf hq(const struct host *hs, uint32_t leaf, uint32_t sub)
{
    bool ok = leaf < CPUID_HV_BASE ? leaf <= hs->max_basic
                                   : leaf >= CPUID_EXT_BASE && leaf <= hs->max_ext;
    return ok ? hs->h->query(hs->h->ctx, leaf, sub) : zero_leaf();
}

static uint32_t slot_index(uint32_t leaf)
{
    if (leaf <= CPUID_MAX_BASIC)
        return leaf;
    if (leaf >= CPUID_EXT_BASE)
        return CPUID_EXT_SLOT + (leaf - CPUID_EXT_BASE);
    return CPUID_HV_SLOT + (leaf - CPUID_HV_BASE);
}

static void set_leaf(struct cpuid_policy *p, uint32_t leaf, struct cpuid_leaf r)
{
    struct cpuid_slot *s = &p->slot[slot_index(leaf)];
    s->r = r;
    s->kind = CPUID_PLAIN;
}

/* Subleaves of leaf: stored from p->sub[*next]; the slot answers sub ECX. */
static struct cpuid_leaf *set_subleaves(struct cpuid_policy *p, uint32_t leaf, enum cpuid_kind kind,
                                        unsigned n, unsigned *next)
{
    struct cpuid_slot *s = &p->slot[slot_index(leaf)];
    s->kind = (uint8_t)kind;
    s->nsub = (uint8_t)n;
    s->first = (uint16_t)*next;
    *next += n;
    return &p->sub[s->first];
}

static uint32_t sig(const char *s)
{
    return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 | (uint32_t)(uint8_t)s[2] << 16 |
           (uint32_t)(uint8_t)s[3] << 24;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Leaves 0x15, 0x16 and 0x40000010 from the measured frequencies. */
static void timing_leaves(struct cpuid_policy *p, const struct cpuid_host *h)
{
    /*
     * Leaf 0x15: TSC Hz = ECX * EBX / EAX. Both clocks are rounded to kHz first (Linux
     * and others compute in kHz), so the ratio reduces to 32-bit terms and the product
     * is exactly the TSC's kHz * 1000. The crystal is the APIC timer's input clock (SDM
     * Vol. 3A 10.5.4: with leaf 0x15 the APIC timer runs at the core crystal clock).
     */
    uint64_t tsc_khz = (h->tsc_hz + 500) / 1000;
    uint64_t crystal_khz = (h->crystal_hz + 500) / 1000;
    if (!tsc_khz || tsc_khz > 0xffffffffull)
        return;                                     /* not measured */
    if (!crystal_khz || crystal_khz > 0xffffffffull / 1000)
        crystal_khz = 25000;                        /* no APIC clock that fits ECX: 25 MHz */
    uint64_t g = gcd(tsc_khz, crystal_khz);
    set_leaf(p, 0x15, (struct cpuid_leaf){ (uint32_t)(crystal_khz / g), (uint32_t)(tsc_khz / g),
                                           (uint32_t)(crystal_khz * 1000), 0 });
    /* Leaf 0x16: base and maximum MHz (the TSC rate: no turbo is visible), bus MHz. */
    uint32_t mhz = (uint32_t)((tsc_khz + 500) / 1000), bus = (uint32_t)((crystal_khz + 500) / 1000);
    set_leaf(p, 0x16, (struct cpuid_leaf){ mhz, mhz, bus, 0 });
    /* The VMware-style timing leaf: TSC and APIC bus in kHz. */
    set_leaf(p, 0x40000010, (struct cpuid_leaf){ (uint32_t)tsc_khz, (uint32_t)crystal_khz, 0, 0 });
    /* MSR_PLATFORM_INFO[15:8]: maximum non-turbo ratio of a 100 MHz bus. */
    uint64_t ratio = (tsc_khz + 50000) / 100000;
    p->platform_info = (ratio ? (ratio > 255 ? 255 : ratio) : 1) << 8;
}

/* XCR0 components for guests, and leaf 0xD. */
static void xsave_leaves(struct cpuid_policy *p, const struct host *hs, unsigned *next)
{
    struct cpuid_leaf l1 = hq(hs, 1, 0), d0 = hq(hs, 0xd, 0), d1 = hq(hs, 0xd, 1);
    if (!hs->h->xsave || !(l1.ecx & L1C_XSAVE))
        return;
    /*
     * x87, SSE, AVX, AVX-512 and PKRU. Not MPX (BNDCFGS is not switched) nor AMX (XFD is
     * not virtualized, tile data needs more than the one-page save area). Supervisor
     * components (PT, CET, ...) belong to IA32_XSS, which is hidden with XSAVES.
     */
    uint64_t mask = ((uint64_t)d0.edx << 32 | d0.eax) &
                    (XFEAT_X87 | XFEAT_SSE | XFEAT_AVX | XFEAT_AVX512 | XFEAT_PKRU);
    if ((mask & (XFEAT_X87 | XFEAT_SSE)) != (XFEAT_X87 | XFEAT_SSE))
        return;
    if (!(mask & XFEAT_AVX) || (mask & XFEAT_AVX512) != XFEAT_AVX512)
        mask &= ~XFEAT_AVX512;                      /* the three together, with AVX */
    p->xcr0_mask = mask;

    struct cpuid_leaf *d = set_subleaves(p, 0xd, CPUID_XSAVE, XFEAT_COMPONENTS, next);
    uint32_t max = 576;                             /* legacy area + header */
    for (unsigned i = 2; i < XFEAT_COMPONENTS; i++) {
        if (!(mask & (1ull << i)))
            continue;
        struct cpuid_leaf c = hq(hs, 0xd, i);
        p->xsave_size[i] = c.eax;
        p->xsave_offset[i] = c.ebx;
        if (c.ecx & 2)
            p->xsave_align64 |= 1u << i;
        d[i] = (struct cpuid_leaf){ c.eax, c.ebx, c.ecx & 2, 0 };   /* user state, alignment */
        if (c.eax + c.ebx > max)
            max = c.eax + c.ebx;
    }
    d[0] = (struct cpuid_leaf){ (uint32_t)mask, 0 /* per XCR0 */, max, (uint32_t)(mask >> 32) };
    d[1] = (struct cpuid_leaf){ d1.eax & LDA1_PASS, 0 /* per XCR0 */, 0, 0 };
}

void cpuid_policy_build(struct cpuid_policy *p, const struct cpuid_host *h)
{
    for (unsigned long i = 0; i < sizeof(*p); i++)
        ((uint8_t *)p)[i] = 0;
    struct host hs = { h, 0, 0 };
    hs.max_basic = h->query(h->ctx, 0, 0).eax;
    uint32_t ext = h->query(h->ctx, CPUID_EXT_BASE, 0).eax;
    hs.max_ext = ext >= CPUID_EXT_BASE && ext < CPUID_EXT_BASE + 0x100 ? ext : 0;
    unsigned next = 0;

    /* Leaf 0: our maximum, the host's vendor. */
    struct cpuid_leaf l0 = hq(&hs, 0, 0);
    set_leaf(p, 0, (struct cpuid_leaf){ CPUID_MAX_BASIC, l0.ebx, l0.ecx, l0.edx });

    xsave_leaves(p, &hs, &next);
    bool avx = p->xcr0_mask & XFEAT_AVX, avx512 = p->xcr0_mask & XFEAT_AVX512;
    bool pkru = p->xcr0_mask & XFEAT_PKRU;

    /* Leaf 1: one logical processor per package (EBX[23:16] = 1, HTT clear). */
    struct cpuid_leaf l1 = hq(&hs, 1, 0);
    uint32_t l1c = (l1.ecx & L1C_PASS) | L1C_HYPERVISOR;
    if (!p->xcr0_mask)
        l1c &= ~L1C_XSAVE;
    if (!avx)
        l1c &= ~L1C_NEEDS_AVX;
    if (h->x2apic)
        l1c |= l1.ecx & (L1C_X2APIC | L1C_TSC_DEADLINE);
    set_leaf(p, 1, (struct cpuid_leaf){ l1.eax, (l1.ebx & 0xffff) | 1u << 16, l1c,
                                        l1.edx & L1D_PASS });
    p->slot[1].kind = CPUID_LEAF1;

    set_leaf(p, 2, hq(&hs, 2, 0));                  /* cache and TLB descriptors */

    /* Leaf 4: the host's caches, each shared by one logical processor, one core. */
    unsigned n4 = 0;
    while (n4 < 8 && (hq(&hs, 4, n4).eax & 0x1f))
        n4++;
    struct cpuid_leaf *c4 = set_subleaves(p, 4, CPUID_SUBLEAF, n4, &next);
    for (unsigned i = 0; i < n4; i++) {
        c4[i] = hq(&hs, 4, i);
        c4[i].eax &= 0x3fff;                        /* EAX[25:14] = 0, EAX[31:26] = 0 */
    }

    set_leaf(p, 6, (struct cpuid_leaf){ hq(&hs, 6, 0).eax & L6A_ARAT, 0, 0, 0 });

    /* Leaf 7: subleaves 0 and 1. */
    struct cpuid_leaf l7 = hq(&hs, 7, 0), l71 = l7.eax >= 1 ? hq(&hs, 7, 1) : zero_leaf();
    uint32_t b7 = l7.ebx & L7B_PASS, c7 = l7.ecx & L7C_PASS, d7 = l7.edx & L7D_PASS;
    uint32_t a71 = l71.eax & L71A_PASS;
    if (!h->invpcid)
        b7 &= ~L7B_INVPCID;
    if (!h->rdtscp)
        c7 &= ~L7C_RDPID;
    if (!h->pkrs)
        c7 &= ~L7C_PKS;
    if (!pkru)
        c7 &= ~L7C_PKU;
    if (!avx) {
        b7 &= ~L7B_AVX2;
        c7 &= ~(L7C_VAES | L7C_VPCLMULQDQ);
        a71 &= ~L71A_AVX_VNNI;
    }
    if (!avx512) {
        b7 &= ~L7B_AVX512;
        c7 &= ~L7C_AVX512;
        d7 &= ~L7D_AVX512;
        a71 &= ~L71A_AVX512_BF16;
    }
    struct cpuid_leaf *c7s = set_subleaves(p, 7, CPUID_LEAF7, 2, &next);
    c7s[0] = (struct cpuid_leaf){ 1, b7, c7, d7 };
    c7s[1] = (struct cpuid_leaf){ a71, 0, 0, 0 };

    /* Leaf 0xA: architectural performance monitoring version 0 (none): all zero. */

    /* Leaves 0xB and 0x1F: one thread per core (SMT level), one core per package (core
     * level); the x2APIC ID (EDX) is filled per vCPU. */
    static const uint32_t topology[] = { 0xb, 0x1f };
    for (unsigned i = 0; i < 2; i++) {
        struct cpuid_leaf *t = set_subleaves(p, topology[i], CPUID_TOPOLOGY, 2, &next);
        t[0] = (struct cpuid_leaf){ 0, 1, 1u << 8 | 0, 0 };
        t[1] = (struct cpuid_leaf){ 0, 1, 2u << 8 | 1, 0 };
    }

    timing_leaves(p, h);

    /* Hypervisor leaves: the maximum and the signature; 0x40000010 above. */
    const char *s = "HVMicroVisor";
    set_leaf(p, CPUID_HV_BASE, (struct cpuid_leaf){ CPUID_MAX_HV, sig(s), sig(s + 4), sig(s + 8) });

    /* Extended leaves. */
    set_leaf(p, CPUID_EXT_BASE, (struct cpuid_leaf){ CPUID_MAX_EXT, 0, 0, 0 });
    struct cpuid_leaf e1 = hq(&hs, 0x80000001, 0);
    uint32_t e1d = e1.edx & E1D_PASS;
    if (!h->rdtscp)
        e1d &= ~E1D_RDTSCP;
    set_leaf(p, 0x80000001, (struct cpuid_leaf){ 0, 0, e1.ecx & E1C_PASS, e1d });
    for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; leaf++)
        set_leaf(p, leaf, hq(&hs, leaf, 0));        /* brand string */
    set_leaf(p, 0x80000006, hq(&hs, 0x80000006, 0));   /* L2 cache */
    set_leaf(p, 0x80000007, (struct cpuid_leaf){ 0, 0, 0, E7D_INVARIANT_TSC });
    /* Physical and linear address bits as the host has them: the guest's own page tables
     * are walked by the CPU with the host's MAXPHYADDR. WBNOINVD (EBX bit 9) exits as
     * WBINVD does. */
    struct cpuid_leaf e8 = hq(&hs, 0x80000008, 0);
    if (!(e8.eax & 0xff))
        e8.eax = (l1.edx & L1D_PAE) ? 0x3024 : 0x3020;  /* 36 or 32 physical, 48 linear */
    set_leaf(p, 0x80000008, (struct cpuid_leaf){ e8.eax & 0xffff, e8.ebx & BIT(9), 0, 0 });
    p->phys_bits = e8.eax & 0xff;

    /* What the MSR and CR emulation must agree with. */
    uint32_t l1d = p->slot[1].r.edx;
    p->mtrr = l1d & L1D_MTRR;
    p->pat = l1d & L1D_PAT;
    p->sysenter = l1d & L1D_SEP;
    p->mce = l1d & L1D_MCE;
    p->x2apic = l1c & L1C_X2APIC;
    p->tsc_deadline = l1c & L1C_TSC_DEADLINE;
    p->pcid = l1c & L1C_PCID;
    p->invpcid = b7 & L7B_INVPCID;
    p->spec_ctrl = d7 & (L7D_IBRS_IBPB | L7D_STIBP | L7D_SSBD);
    p->pred_cmd = d7 & L7D_IBRS_IBPB;
    p->arch_cap = d7 & L7D_ARCH_CAP;
    p->arch_capabilities = p->arch_cap ? (h->arch_capabilities & ARCH_CAP_PASS) |
                                             ARCH_CAP_SKIP_L1DFL_VMENTRY : 0;
    p->pkrs = c7 & L7C_PKS;
    p->tsc_aux = (e1d & E1D_RDTSCP) || (c7 & L7C_RDPID);

    uint64_t cr4 = CR4_TSD | CR4_PCE;
    cr4 |= (l1d & L1D_VME) ? CR4_VME | CR4_PVI : 0;
    cr4 |= (l1d & L1D_DE) ? CR4_DE : 0;
    cr4 |= (l1d & L1D_PSE) ? CR4_PSE : 0;
    cr4 |= (l1d & L1D_PAE) ? CR4_PAE : 0;
    cr4 |= (l1d & L1D_MCE) ? CR4_MCE : 0;
    cr4 |= (l1d & L1D_PGE) ? CR4_PGE : 0;
    cr4 |= (l1d & L1D_FXSR) ? CR4_OSFXSR : 0;
    cr4 |= (l1d & L1D_SSE) ? CR4_OSXMMEXCPT : 0;
    cr4 |= (c7 & L7C_UMIP) ? CR4_UMIP : 0;
    cr4 |= (c7 & L7C_LA57) ? CR4_LA57 : 0;
    cr4 |= (b7 & L7B_FSGSBASE) ? CR4_FSGSBASE : 0;
    cr4 |= (l1c & L1C_PCID) ? CR4_PCIDE : 0;
    cr4 |= (l1c & L1C_XSAVE) ? CR4_OSXSAVE : 0;
    cr4 |= (b7 & L7B_SMEP) ? CR4_SMEP : 0;
    cr4 |= (b7 & L7B_SMAP) ? CR4_SMAP : 0;
    cr4 |= (c7 & L7C_PKU) ? CR4_PKE : 0;
    cr4 |= (c7 & L7C_PKS) ? CR4_PKS : 0;
    p->cr4_allowed = cr4;

    uint64_t efer = 0;
    efer |= (e1d & (E1D_SYSCALL | E1D_LM)) ? EFER_SCE : 0;
    efer |= (e1d & E1D_LM) ? EFER_LME | EFER_LMA : 0;
    efer |= (e1d & E1D_NX) ? EFER_NXE : 0;
    p->efer_allowed = efer;
}

uint32_t cpuid_xsave_size(const struct cpuid_policy *p, uint64_t xcr0, bool compacted)
{
    uint32_t size = 576;
    for (unsigned i = 2; i < XFEAT_COMPONENTS; i++) {
        if (!(xcr0 & p->xcr0_mask & (1ull << i)))
            continue;
        if (compacted) {
            if (p->xsave_align64 & (1u << i))
                size = (size + 63) & ~63u;
            size += p->xsave_size[i];
        } else if (p->xsave_offset[i] + p->xsave_size[i] > size) {
            size = p->xsave_offset[i] + p->xsave_size[i];
        }
    }
    return size;
}

struct cpuid_leaf cpuid_dynamic(const struct cpuid_policy *p, const struct cpuid_slot *s,
                                uint32_t subleaf, const struct cpuid_vcpu *v)
{
    struct cpuid_leaf r = s->r;
    if (s->kind == CPUID_LEAF1) {
        r.ebx |= v->apic_id << 24;
        if (v->cr4 & CR4_OSXSAVE)
            r.ecx |= L1C_OSXSAVE;
        return r;
    }
    r = subleaf < s->nsub ? p->sub[s->first + subleaf] : zero_leaf();
    switch (s->kind) {
    case CPUID_LEAF7:
        if (subleaf == 0 && (v->cr4 & CR4_PKE))
            r.ecx |= L7C_OSPKE;
        break;
    case CPUID_XSAVE:
        if (subleaf == 0)
            r.ebx = cpuid_xsave_size(p, v->xcr0, false);
        else if (subleaf == 1)
            r.ebx = cpuid_xsave_size(p, v->xcr0, true);
        break;
    case CPUID_TOPOLOGY:
        if (subleaf >= s->nsub)
            r.ecx = subleaf & 0xff;                 /* level type 0: invalid */
        r.edx = v->apic_id;
        break;
    default:
        break;
    }
    return r;
}

struct cpuid_leaf cpuid_eval(const struct cpuid_policy *p, uint32_t leaf, uint32_t subleaf,
                             const struct cpuid_vcpu *v)
{
    const struct cpuid_slot *s = cpuid_slot(p, leaf);
    return s->kind == CPUID_PLAIN ? s->r : cpuid_dynamic(p, s, subleaf, v);
}

bool xcr0_valid(const struct cpuid_policy *p, uint64_t xcr0)
{
    /* x87 always on; AVX needs SSE; AVX-512's three together and with AVX; nothing
     * outside what the guest was offered. */
    if (!(xcr0 & XFEAT_X87) || (xcr0 & ~p->xcr0_mask))
        return false;
    if ((xcr0 & XFEAT_AVX) && !(xcr0 & XFEAT_SSE))
        return false;
    if ((xcr0 & XFEAT_AVX512) && ((xcr0 & XFEAT_AVX512) != XFEAT_AVX512 || !(xcr0 & XFEAT_AVX)))
        return false;
    return true;
}

/* ---- MSR value rules ---------------------------------------------------------------- */

/* MTRR memory types (SDM Vol. 3A 11.11.2, Table 11-8): UC 0, WC 1, WT 4, WP 5, WB 6. */
static bool mtrr_type_valid(uint64_t t)
{
    return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

bool pat_valid(uint64_t pat)
{
    for (int i = 0; i < 8; i++) {
        uint64_t t = (pat >> (8 * i)) & 0xff;
        if (!mtrr_type_valid(t) && t != 7)          /* PAT adds UC- (7) */
            return false;
    }
    return true;
}

uint64_t *mtrr_msr(struct mtrr_state *m, uint32_t msr)
{
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 2 * MTRR_VAR_RANGES)
        return &m->var[msr - MSR_MTRR_PHYSBASE0];
    if (msr == MSR_MTRR_DEF_TYPE)
        return &m->def_type;
    if (msr == MSR_MTRR_FIX64K_00000)
        return &m->fixed[0];
    if (msr == MSR_MTRR_FIX16K_80000 || msr == MSR_MTRR_FIX16K_A0000)
        return &m->fixed[1 + msr - MSR_MTRR_FIX16K_80000];
    if (msr >= MSR_MTRR_FIX4K_C0000 && msr < MSR_MTRR_FIX4K_C0000 + 8)
        return &m->fixed[3 + msr - MSR_MTRR_FIX4K_C0000];
    return 0;
}

bool mtrr_msr_valid(uint32_t msr, uint64_t val, uint32_t phys_bits)
{
    uint64_t above = phys_bits >= 64 ? 0 : ~0ull << phys_bits;   /* bits 63:MAXPHYADDR */
    if (msr == MSR_MTRR_DEF_TYPE)                   /* type 7:0, FE 10, E 11 (11.11.2.1) */
        return !(val & ~0xcffull) && mtrr_type_valid(val & 0xff);
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 2 * MTRR_VAR_RANGES) {
        if ((msr - MSR_MTRR_PHYSBASE0) & 1)         /* PHYSMASK: valid 11, mask 12+ (11.11.2.3) */
            return !(val & (above | 0x7ff));
        return !(val & (above | 0xf00)) && mtrr_type_valid(val & 0xff);
    }
    for (int i = 0; i < 8; i++)                     /* fixed: a type per byte (11.11.2.2) */
        if (!mtrr_type_valid((val >> (8 * i)) & 0xff))
            return false;
    return true;
}
