/*
 * vmx/cpu_model.c tests: the CPUID policy computed from recorded host leaves
 * (Bochs's corei7_skylake_x, as the kernel reads it under `make test`, and a
 * made-up newer CPU with AMX, MPX, PKU and PKS), the dynamic leaves, XCR0
 * rules, and the MTRR/PAT value rules.
 */
#include <stddef.h>
#include <string.h>
#include "cpu_model.h"
#include "ut.h"

struct rec {
    uint32_t leaf, sub;
    uint32_t eax, ebx, ecx, edx;
};

struct fake_cpu {
    const struct rec *r;
    size_t n;
};

/* Subleaf-indexed leaves match on ECX; the others ignore it. */
static int by_subleaf(uint32_t leaf)
{
    return leaf == 4 || leaf == 7 || leaf == 0xb || leaf == 0xd || leaf == 0x1f;
}

static struct cpuid_leaf fake_query(void *ctx, uint32_t leaf, uint32_t sub)
{
    const struct fake_cpu *c = ctx;
    for (size_t i = 0; i < c->n; i++)
        if (c->r[i].leaf == leaf && (!by_subleaf(leaf) || c->r[i].sub == sub))
            return (struct cpuid_leaf){ c->r[i].eax, c->r[i].ebx, c->r[i].ecx, c->r[i].edx };
    return (struct cpuid_leaf){ 0, 0, 0, 0 };
}

/* Bochs 2.7, cpu: model=corei7_skylake_x, read by hv's kernel (64-bit mode). */
static const struct rec bochs_skx[] = {
    { 0x0, 0, 0x16, 0x756e6547, 0x6c65746e, 0x49656e69 },
    { 0x1, 0, 0x50654, 0x10800, 0x7ffaf3bf, 0xbfebfbff },
    { 0x2, 0, 0x76036301, 0xf0b5ff, 0, 0xc30000 },
    { 0x4, 0, 0x1c004121, 0x1c0003f, 0x3f, 0 },
    { 0x4, 1, 0x1c004122, 0x1c0003f, 0x3f, 0 },
    { 0x4, 2, 0x1c004143, 0x3c0003f, 0x3ff, 0 },
    { 0x4, 3, 0x1c03c163, 0x280003f, 0x2fff, 4 },
    { 0x5, 0, 0x40, 0x40, 3, 0x2020 },
    { 0x6, 0, 0x75, 2, 9, 0 },
    { 0x7, 0, 0, 0xd19f27eb, 0, 0 },
    { 0xa, 0, 0x7300404, 0, 0, 0x603 },
    { 0xb, 0, 1, 2, 0x100, 0 },
    { 0xb, 1, 0, 0, 1, 0 },
    { 0xd, 0, 0xe7, 0xa80, 0xa80, 0 },
    { 0xd, 1, 0xf, 0xa80, 0, 0 },
    { 0xd, 2, 0x100, 0x240, 0, 0 },
    { 0xd, 5, 0x40, 0x440, 0, 0 },
    { 0xd, 6, 0x200, 0x480, 0, 0 },
    { 0xd, 7, 0x400, 0x680, 0, 0 },
    { 0x15, 0, 2, 0x124, 0, 0 },
    { 0x16, 0, 0xdac, 0xfa0, 0x64, 0 },
    { 0x80000000, 0, 0x80000008, 0, 0, 0 },
    { 0x80000001, 0, 0, 0, 0x121, 0x2c100800 },
    { 0x80000002, 0, 0x65746e49, 0x2952286c, 0x726f4320, 0x4d542865 },
    { 0x80000003, 0, 0x37692029, 0x3038372d, 0x43205830, 0x40205550 },
    { 0x80000004, 0, 0x352e3320, 0x7a484730, 0, 0 },
    { 0x80000006, 0, 0, 0, 0x1006040, 0 },
    { 0x80000007, 0, 0, 0, 0, 0x100 },
    { 0x80000008, 0, 0x3028, 0, 0, 0 },
};

/*
 * A made-up newer CPU: AVX-512, PKU, PKS, MPX, AMX, WAITPKG, SGX, x2APIC, PDCM, the
 * speculation controls, ARCH_CAPABILITIES, LA57, UMIP; XCR0 0x602ff (x87..AVX-512, MPX,
 * PKRU, AMX); perfmon v5; leaf 7 with subleaves 0..2.
 */
static const struct rec big_cpu[] = {
    { 0x0, 0, 0x20, 0x756e6547, 0x6c65746e, 0x49656e69 },
    { 0x1, 0, 0x806f8, 0x20800, 0xfffaf3ff, 0xbfebfbff },
    { 0x7, 0, 2, 0xf3bfffff, 0xdfffffff, 0xffffffff },
    { 0x7, 1, 0x04ffffff, 0xffffffff, 0xffffffff, 0xffffffff },
    { 0x7, 2, 0, 0, 0, 0x3f },
    { 0xa, 0, 0x08300805, 0, 0xf, 0x8603 },
    { 0xd, 0, 0x602ff, 0x2b00, 0x2b00, 0 },
    { 0xd, 1, 0x1f, 0x2c00, 0x1d900, 0 },
    { 0xd, 2, 0x100, 0x240, 0, 0 },
    { 0xd, 3, 0x40, 0x3c0, 0, 0 },
    { 0xd, 4, 0x40, 0x400, 0, 0 },
    { 0xd, 5, 0x40, 0x440, 0, 0 },
    { 0xd, 6, 0x200, 0x480, 0, 0 },
    { 0xd, 7, 0x400, 0x680, 0, 0 },
    { 0xd, 9, 0x8, 0xa80, 0, 0 },
    { 0xd, 17, 0x40, 0xac0, 0, 0 },
    { 0xd, 18, 0x2000, 0xb00, 6, 0 },
    { 0x80000000, 0, 0x80000008, 0, 0, 0 },
    { 0x80000001, 0, 0, 0, 0x121, 0x2c100800 },
    { 0x80000007, 0, 0, 0, 0, 0x100 },
    { 0x80000008, 0, 0x3934, 0x200, 0, 0 },
};

static struct fake_cpu bochs = { bochs_skx, sizeof(bochs_skx) / sizeof(bochs_skx[0]) };
static struct fake_cpu big = { big_cpu, sizeof(big_cpu) / sizeof(big_cpu[0]) };

static struct cpuid_policy pol;
static const struct cpuid_vcpu vcpu0 = { 0, 0, 1 };

static struct cpuid_leaf q(uint32_t leaf, uint32_t sub, const struct cpuid_vcpu *v)
{
    return cpuid_eval(&pol, leaf, sub, v ? v : &vcpu0);
}

/* Under Bochs: TSC 50,003,745 Hz, APIC timer 3,125,152 Hz at divide 16. */
static void build_bochs(bool invpcid, bool rdtscp)
{
    struct cpuid_host h = { .query = fake_query, .ctx = &bochs, .tsc_hz = 50003745,
                            .crystal_hz = 3125152ull * 16, .xsave = true, .invpcid = invpcid,
                            .rdtscp = rdtscp };
    cpuid_policy_build(&pol, &h);
}

UT_TEST(cpu_model_identity_and_hidden_features)
{
    build_bochs(true, true);
    struct cpuid_leaf r = q(0, 0, 0);
    CHECK_EQ(r.eax, CPUID_MAX_BASIC);
    CHECK_EQ(r.ebx, 0x756e6547);                        /* "GenuineIntel" */
    r = q(1, 0, 0);
    CHECK_EQ(r.eax, 0x50654);
    CHECK(r.ecx & (1u << 31));                          /* hypervisor */
    /* DTES64, MONITOR, DS-CPL, VMX, SMX, EIST, TM2, xTPR, PDCM, x2APIC, TSC-deadline */
    uint32_t hidden = (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) |
                      (1u << 8) | (1u << 14) | (1u << 15) | (1u << 21) | (1u << 24);
    CHECK_EQ(r.ecx & hidden, 0);
    /* kept: SSE3, SSSE3, PCID, SSE4.2, XSAVE, AVX, RDRAND */
    uint32_t kept = 1u | (1u << 9) | (1u << 17) | (1u << 20) | (1u << 26) | (1u << 28) | (1u << 30);
    CHECK_EQ(r.ecx & kept, kept);
    CHECK_EQ(r.ecx & (1u << 27), 0);                    /* OSXSAVE: CR4.OSXSAVE is 0 */
    /* EDX: MCA, DS, ACPI, HTT, TM, PBE hidden; FPU, TSC, MSR, PAE, APIC, MTRR, PAT kept */
    CHECK_EQ(r.edx & ((1u << 14) | (1u << 21) | (1u << 22) | (1u << 28) | (1u << 29) | (1u << 31)), 0);
    CHECK_EQ(r.edx & 0x11271, 0x11271);
    CHECK_EQ((r.ebx >> 16) & 0xff, 1);                  /* one logical processor */
    CHECK_EQ(r.ebx >> 24, 0);

    CHECK_EQ(q(5, 0, 0).eax, 0);                        /* MONITOR/MWAIT leaf */
    CHECK_EQ(q(6, 0, 0).eax, 4);                        /* ARAT only */
    r = q(0xa, 0, 0);
    CHECK(!r.eax && !r.ebx && !r.ecx && !r.edx);        /* perfmon version 0 */
    CHECK_EQ(q(0x80000007, 0, 0).edx, 1u << 8);         /* invariant TSC */
    CHECK_EQ(q(0x80000008, 0, 0).eax, 0x3028);
    CHECK_EQ(pol.phys_bits, 40);

    /* Leaf 4: the caches, shared by nobody, one core per package. */
    CHECK_EQ(q(4, 0, 0).eax, 0x121);
    CHECK_EQ(q(4, 3, 0).eax, 0x163);
    CHECK_EQ(q(4, 4, 0).eax, 0);

    /* Leaf 7: INVPCID and RDTSCP follow the controls. */
    CHECK(q(7, 0, 0).ebx & (1u << 10));
    CHECK(q(0x80000001, 0, 0).edx & (1u << 27));
    CHECK(pol.tsc_aux && pol.invpcid);
    build_bochs(false, false);
    CHECK_EQ(q(7, 0, 0).ebx & (1u << 10), 0);
    CHECK_EQ(q(0x80000001, 0, 0).edx & (1u << 27), 0);
    CHECK(!pol.tsc_aux && !pol.invpcid);
    /* MPX (14), RDT-M (12), RDT-A (15), PT (25), TSC_ADJUST (1), SGX (2) hidden */
    CHECK_EQ(q(7, 0, 0).ebx & ((1u << 1) | (1u << 2) | (1u << 12) | (1u << 14) | (1u << 15) |
                               (1u << 25)), 0);
    CHECK_EQ(q(7, 0, 0).eax, 1);
}

UT_TEST(cpu_model_hypervisor_leaves)
{
    build_bochs(true, true);
    struct cpuid_leaf r = q(0x40000000, 0, 0);
    CHECK_EQ(r.eax, CPUID_MAX_HV);
    char sig[13];
    memcpy(sig, &r.ebx, 4);
    memcpy(sig + 4, &r.ecx, 4);
    memcpy(sig + 8, &r.edx, 4);
    sig[12] = 0;
    CHECK(!strcmp(sig, "HVMicroVisor"));
    CHECK_EQ(q(0x40000010, 0, 0).eax, 50004);           /* TSC kHz */
    CHECK_EQ(q(0x40000010, 0, 0).ebx, 50002);           /* APIC bus kHz */
    CHECK_EQ(q(0x40000005, 0, 0).eax, 0);
}

UT_TEST(cpu_model_out_of_range_leaves_read_the_highest_basic_leaf)
{
    build_bochs(true, true);
    struct cpuid_vcpu v = { 3, 0, 1 };
    const uint32_t leaves[] = { 0x20, 0x3fffffff, 0x40000011, 0x40000100, 0x7fffffff, 0x80000009,
                                0xc0000000, 0xffffffff };
    for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        struct cpuid_leaf r = q(leaves[i], 1, &v), top = q(CPUID_MAX_BASIC, 1, &v);
        CHECK(!memcmp(&r, &top, sizeof(r)));
    }
}

UT_TEST(cpu_model_topology_and_apic_id)
{
    build_bochs(true, true);
    struct cpuid_vcpu v = { 5, 0, 1 };
    CHECK_EQ(q(1, 0, &v).ebx >> 24, 5);
    for (uint32_t leaf = 0xb; leaf <= 0x1f; leaf += 0x14) {
        struct cpuid_leaf r = q(leaf, 0, &v);
        CHECK_EQ(r.eax, 0);                             /* shift 0: one thread per core */
        CHECK_EQ(r.ebx, 1);
        CHECK_EQ(r.ecx, 0x100);                         /* level 0, type SMT */
        CHECK_EQ(r.edx, 5);
        r = q(leaf, 1, &v);
        CHECK_EQ(r.ebx, 1);                             /* one core per package */
        CHECK_EQ(r.ecx, 0x201);
        CHECK_EQ(r.edx, 5);
        r = q(leaf, 7, &v);
        CHECK(!r.eax && !r.ebx);
        CHECK_EQ(r.ecx, 7);                             /* type 0: invalid level */
        CHECK_EQ(r.edx, 5);
    }
}

UT_TEST(cpu_model_osxsave_ospke_follow_cr4)
{
    build_bochs(true, true);
    struct cpuid_vcpu v = { 0, 1ull << 18, 1 };
    CHECK(q(1, 0, &v).ecx & (1u << 27));
    CHECK_EQ(q(7, 0, &v).ecx & (1u << 4), 0);           /* no PKU on this CPU */

    struct cpuid_host h = { .query = fake_query, .ctx = &big, .tsc_hz = 2400000000ull,
                            .crystal_hz = 24000000, .xsave = true };
    cpuid_policy_build(&pol, &h);
    v.cr4 = 1ull << 22;
    CHECK(q(7, 0, &v).ecx & (1u << 3));                 /* PKU */
    CHECK(q(7, 0, &v).ecx & (1u << 4));                 /* OSPKE */
    CHECK_EQ(q(1, 0, &v).ecx & (1u << 27), 0);
}

UT_TEST(cpu_model_xsave_leaves_match_xcr0_rules)
{
    build_bochs(true, true);
    CHECK_EQ(pol.xcr0_mask, 0xe7);
    struct cpuid_vcpu v = { 0, 1ull << 18, 3 };
    struct cpuid_leaf r = q(0xd, 0, &v);
    CHECK_EQ(r.eax, 0xe7);
    CHECK_EQ(r.edx, 0);
    CHECK_EQ(r.ecx, 0xa80);                             /* every offered component */
    CHECK_EQ(r.ebx, 576);                               /* x87 + SSE enabled */
    v.xcr0 = 7;
    CHECK_EQ(q(0xd, 0, &v).ebx, 0x340);
    v.xcr0 = 0xe7;
    CHECK_EQ(q(0xd, 0, &v).ebx, 0xa80);
    CHECK_EQ(q(0xd, 1, &v).eax, 7);                     /* XSAVEOPT, XSAVEC, XGETBV1; no XSAVES */
    CHECK_EQ(q(0xd, 1, &v).ebx, 576 + 0x100 + 0x40 + 0x200 + 0x400);
    CHECK_EQ(q(0xd, 2, &v).eax, 0x100);
    CHECK_EQ(q(0xd, 2, &v).ebx, 0x240);
    CHECK_EQ(q(0xd, 3, &v).eax, 0);
    CHECK_EQ(q(0xd, 63, &v).eax, 0);

    CHECK(xcr0_valid(&pol, 3));
    CHECK(xcr0_valid(&pol, 7));
    CHECK(xcr0_valid(&pol, 0xe7));
    CHECK(!xcr0_valid(&pol, 2));                        /* x87 off */
    CHECK(!xcr0_valid(&pol, 5));                        /* AVX without SSE */
    CHECK(!xcr0_valid(&pol, 0x27));                     /* AVX-512 in part */
    CHECK(!xcr0_valid(&pol, 0xe3));                     /* AVX-512 without AVX */
    CHECK(!xcr0_valid(&pol, 0x207));                    /* PKRU: not on this CPU */
    CHECK(!xcr0_valid(&pol, 0x1b));                     /* MPX */

    /* Every XCR0 leaf 0xD offers passes, and every leaf 0xD refuses fails. */
    uint64_t offered = (uint64_t)q(0xd, 0, 0).edx << 32 | q(0xd, 0, 0).eax;
    for (unsigned bit = 0; bit < 64; bit++)
        if (!(offered & (1ull << bit)))
            CHECK(!xcr0_valid(&pol, 0xe7 | (1ull << bit)));

    /* Without host XSAVE (no CR4.OSXSAVE in the kernel): no XSAVE at all. */
    struct cpuid_host h = { .query = fake_query, .ctx = &bochs, .tsc_hz = 1, .xsave = false };
    cpuid_policy_build(&pol, &h);
    CHECK_EQ(pol.xcr0_mask, 0);
    CHECK_EQ(q(1, 0, 0).ecx & ((1u << 26) | (1u << 28) | (1u << 12) | (1u << 29)), 0);
    CHECK_EQ(q(7, 0, 0).ebx & (1u << 5), 0);            /* AVX2 */
    CHECK_EQ(q(0xd, 0, 0).eax, 0);
    CHECK(!xcr0_valid(&pol, 1));
}

UT_TEST(cpu_model_newer_cpu_hides_amx_mpx_and_uncontrolled_features)
{
    struct cpuid_host h = { .query = fake_query, .ctx = &big, .tsc_hz = 2400000000ull,
                            .crystal_hz = 24000000, .xsave = true, .arch_capabilities = ~0ull };
    cpuid_policy_build(&pol, &h);
    CHECK_EQ(pol.xcr0_mask, 0x2e7);                     /* no MPX (3, 4), no AMX (17, 18) */
    struct cpuid_vcpu v = { 0, 0, 0x2e7 };
    CHECK_EQ(q(0xd, 0, &v).ecx, 0xa88);                 /* up to PKRU */
    CHECK_EQ(q(0xd, 0, &v).ebx, 0xa88);
    CHECK_EQ(q(0xd, 17, &v).eax, 0);
    CHECK_EQ(q(0xd, 18, &v).eax, 0);
    CHECK_EQ(q(0xd, 3, &v).eax, 0);
    CHECK_EQ(q(0xd, 1, &v).eax, 7);                     /* XSAVES, XFD hidden */
    CHECK_EQ(q(0xd, 9, &v).eax, 8);

    struct cpuid_leaf l7 = q(7, 0, &v);
    CHECK_EQ(l7.edx & ((1u << 22) | (1u << 24) | (1u << 25)), 0);    /* AMX */
    CHECK_EQ(l7.ebx & (1u << 14), 0);                   /* MPX */
    CHECK_EQ(l7.ecx & (1u << 5), 0);                    /* WAITPKG */
    CHECK_EQ(l7.ecx & (1u << 31), 0);                   /* PKS: no "load PKRS" */
    CHECK_EQ(l7.ecx & (1u << 22), 0);                   /* RDPID: no "enable RDTSCP" */
    CHECK_EQ(l7.edx & (1u << 5), 0);                    /* UINTR */
    CHECK_EQ(l7.edx & (1u << 15), 0);                   /* hybrid */
    CHECK_EQ(l7.edx & (1u << 30), 0);                   /* CORE_CAPABILITIES */
    CHECK(l7.edx & (1u << 26));                         /* IBRS/IBPB */
    CHECK(l7.edx & (1u << 29));                         /* ARCH_CAPABILITIES */
    CHECK(l7.ecx & (1u << 16));                         /* LA57 */
    CHECK(l7.ebx & (1u << 16));                         /* AVX512F */
    CHECK_EQ(l7.eax, 1);                                /* subleaves 0 and 1 only */
    CHECK_EQ(q(7, 1, &v).eax, 0x1c30);
    CHECK_EQ(q(7, 2, &v).edx, 0);
    CHECK(pol.spec_ctrl && pol.pred_cmd && pol.arch_cap);
    CHECK_EQ(pol.arch_capabilities, 0x0d1ae177ull | 8);
    CHECK(!pol.pkrs && !pol.x2apic && !pol.tsc_deadline);
    CHECK_EQ(q(1, 0, &v).ecx & ((1u << 21) | (1u << 24) | (1u << 15)), 0);
    CHECK_EQ(q(0xa, 0, &v).eax, 0);
    CHECK_EQ(q(0x80000008, 0, &v).ebx, 0x200);          /* WBNOINVD */
    CHECK_EQ(pol.phys_bits, 0x34);

    /* CR4 the guest may set: the features shown, never VMXE (13), SMXE (14), CET (23). */
    CHECK_EQ(pol.cr4_allowed & ((1ull << 13) | (1ull << 14) | (1ull << 23)), 0);
    uint64_t want = (1ull << 11) | (1ull << 12) | (1ull << 16) | (1ull << 17) | (1ull << 18) |
                    (1ull << 20) | (1ull << 21) | (1ull << 22) | 0x7ff;
    CHECK_EQ(pol.cr4_allowed & want, want);
    CHECK_EQ(pol.cr4_allowed & (1ull << 24), 0);        /* PKS */
    CHECK_EQ(pol.efer_allowed, 0xd01);

    /* The two switches: PKS with "load PKRS", x2APIC and TSC-deadline together. */
    h.pkrs = true;
    h.x2apic = true;
    cpuid_policy_build(&pol, &h);
    CHECK(q(7, 0, &v).ecx & (1u << 31));
    CHECK(pol.pkrs && (pol.cr4_allowed & (1ull << 24)));
    CHECK_EQ(q(1, 0, &v).ecx & ((1u << 21) | (1u << 24)), (1u << 21) | (1u << 24));
    CHECK(pol.x2apic && pol.tsc_deadline);
}

UT_TEST(cpu_model_tsc_frequency_leaves)
{
    build_bochs(true, true);
    struct cpuid_leaf r = q(0x15, 0, 0);
    CHECK(r.eax && r.ebx && r.ecx);
    CHECK_EQ((uint64_t)r.ecx * r.ebx / r.eax, 50004000);    /* exactly the TSC in kHz * 1000 */
    CHECK_EQ((uint64_t)r.ecx * r.ebx % r.eax, 0);
    CHECK_EQ(r.ecx, 50002000);
    r = q(0x16, 0, 0);
    CHECK_EQ(r.eax, 50);
    CHECK_EQ(r.ebx, 50);
    CHECK_EQ(r.ecx, 50);
    CHECK_EQ(pol.platform_info, 1u << 8);

    uint64_t seed = 15;
    for (int i = 0; i < 10000; i++) {
        uint64_t tsc = 1000000 + ut_splitmix64(&seed) % 6000000000ull;
        uint64_t crystal = ut_splitmix64(&seed) % 3 == 0 ? 0 : ut_splitmix64(&seed) % 5000000000ull;
        struct cpuid_host h = { .query = fake_query, .ctx = &bochs, .tsc_hz = tsc,
                                .crystal_hz = crystal, .xsave = true };
        cpuid_policy_build(&pol, &h);
        r = q(0x15, 0, 0);
        uint64_t khz = (tsc + 500) / 1000;
        CHECK(r.eax && r.ebx && r.ecx && r.ecx % 1000 == 0);
        CHECK_EQ((uint64_t)r.ecx * r.ebx % r.eax, 0);
        CHECK_EQ((uint64_t)r.ecx * r.ebx / r.eax, khz * 1000);
        CHECK_EQ(q(0x40000010, 0, 0).eax, khz);
        uint32_t mhz = q(0x16, 0, 0).eax;
        CHECK(mhz * 1000ull <= khz + 500 && khz < mhz * 1000ull + 500);
        CHECK_EQ(q(0x16, 0, 0).ecx, (r.ecx / 1000 + 500) / 1000);
    }
    struct cpuid_host h0 = { .query = fake_query, .ctx = &bochs, .tsc_hz = 0, .xsave = true };
    cpuid_policy_build(&pol, &h0);
    CHECK_EQ(q(0x15, 0, 0).ecx, 0);
    CHECK_EQ(q(0x16, 0, 0).eax, 0);
    CHECK_EQ(q(0x40000010, 0, 0).eax, 0);
}

UT_TEST(cpu_model_mtrr_and_pat_rules)
{
    struct mtrr_state m;
    memset(&m, 0, sizeof(m));
    /* Every MTRR MSR has its own slot; nothing else maps. */
    uint32_t msrs[MTRR_FIXED_MSRS + 2 * MTRR_VAR_RANGES + 1];
    unsigned n = 0;
    for (uint32_t i = 0; i < 2 * MTRR_VAR_RANGES; i++)
        msrs[n++] = MSR_MTRR_PHYSBASE0 + i;
    msrs[n++] = MSR_MTRR_FIX64K_00000;
    msrs[n++] = MSR_MTRR_FIX16K_80000;
    msrs[n++] = MSR_MTRR_FIX16K_A0000;
    for (uint32_t i = 0; i < 8; i++)
        msrs[n++] = MSR_MTRR_FIX4K_C0000 + i;
    msrs[n++] = MSR_MTRR_DEF_TYPE;
    CHECK_EQ(n, sizeof(msrs) / sizeof(msrs[0]));
    for (unsigned i = 0; i < n; i++) {
        uint64_t *p = mtrr_msr(&m, msrs[i]);
        CHECK(p != NULL);
        if (p)
            *p = i + 1;
    }
    for (unsigned i = 0; i < n; i++)
        CHECK_EQ(*mtrr_msr(&m, msrs[i]), i + 1);
    const uint32_t not_mtrr[] = { 0xfe, 0x1ff, 0x210, 0x24f, 0x251, 0x257, 0x25a, 0x267, 0x270,
                                  0x277, 0x2fe, 0x300 };
    for (unsigned i = 0; i < sizeof(not_mtrr) / sizeof(not_mtrr[0]); i++)
        CHECK(mtrr_msr(&m, not_mtrr[i]) == NULL);

    CHECK(mtrr_msr_valid(MSR_MTRR_DEF_TYPE, 0xc06, 40));
    CHECK(mtrr_msr_valid(MSR_MTRR_DEF_TYPE, 0, 40));
    CHECK(!mtrr_msr_valid(MSR_MTRR_DEF_TYPE, 0xc02, 40));   /* type 2 */
    CHECK(!mtrr_msr_valid(MSR_MTRR_DEF_TYPE, 0x106, 40));   /* bit 8 reserved */
    CHECK(!mtrr_msr_valid(MSR_MTRR_DEF_TYPE, 1ull << 12, 40));
    CHECK(mtrr_msr_valid(0x200, 0xfe000006ull, 40));
    CHECK(!mtrr_msr_valid(0x200, 0xfe000007ull, 40));       /* type 7 is PAT-only */
    CHECK(!mtrr_msr_valid(0x200, 0xfe000106ull, 40));       /* bits 11:8 reserved */
    CHECK(!mtrr_msr_valid(0x200, 1ull << 40, 40));          /* above MAXPHYADDR */
    CHECK(mtrr_msr_valid(0x200, 1ull << 39, 40));
    CHECK(mtrr_msr_valid(0x201, 0xfffe000800ull, 40));
    CHECK(!mtrr_msr_valid(0x201, 0xfffe000801ull, 40));     /* bits 10:0 reserved */
    CHECK(!mtrr_msr_valid(0x201, 0x1fffe000800ull, 40));
    CHECK(mtrr_msr_valid(MSR_MTRR_FIX64K_00000, 0x0606060606060606ull, 40));
    CHECK(mtrr_msr_valid(MSR_MTRR_FIX4K_C0000, 0x0001040506000104ull, 40));
    CHECK(!mtrr_msr_valid(MSR_MTRR_FIX4K_C0000 + 7, 0x0306060606060606ull, 40));

    CHECK(pat_valid(0x0007040600070406ull));
    CHECK(pat_valid(0x0707070707070707ull));
    CHECK(!pat_valid(0x0007040600070402ull));
    CHECK(!pat_valid(0x0807040600070406ull));
    CHECK(!pat_valid(0x0007040603070406ull));
}
