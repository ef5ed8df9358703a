/*
 * vmx/vmx_caps.c tests: decoding the VMX capability MSRs, the
 * allowed-0/allowed-1 control rule, CR0/CR4 fixed bits and
 * IA32_FEATURE_CONTROL.
 */
#include <stddef.h>
#include <string.h>
#include "vmx_caps.h"
#include "ut.h"

/*
 * MSR values of a Skylake server (Xeon Scalable) as KVM-era tools dump them:
 *
 * IA32_VMX_BASIC        0x00da040000000004  revision 4, VMCS 0x400 bytes,
 *                                           no 32-bit limit (bit 48 = 0),
 *                                           WB (6) at 53:50, INS/OUTS info
 *                                           (54), TRUE controls (55)
 * IA32_VMX_PINBASED     0x000000ff00000016  may-be-1 0xff: ext-int, NMI,
 *                                           virtual NMIs, preemption timer
 *                                           (bit 6), posted interrupts (7)
 * IA32_VMX_PROCBASED    0xfff9fffe0401e172  may-be-1 has MSR bitmaps (28),
 *                                           I/O bitmaps (25), secondary (31)
 * IA32_VMX_EXIT         0x01ffffff00036dff
 * IA32_VMX_ENTRY        0x0003ffff000011ff
 * IA32_VMX_MISC         0x000000007004c1e5  timer rate 5, LMA store,
 *                                           HLT/shutdown/SIPI, 4 CR3 targets
 *                                           (24:16), MSR lists 512 (27:25 = 0)
 * IA32_VMX_CR0_FIXED0/1 0x80000021 / 0xffffffff   (PE, NE, PG must be 1)
 * IA32_VMX_CR4_FIXED0/1 0x2000 / 0x3767ff          (VMXE must be 1)
 * IA32_VMX_VMCS_ENUM    0x2e
 * IA32_VMX_PROCBASED2   0x0253ffff00000000  may-be-1: bits 0-15 (EPT 1,
 *                                           VPID 5, unrestricted 7, VMFUNC
 *                                           13 ...), RDSEED, PML, XSAVES,
 *                                           mode-based EPT exec, TSC scaling
 * IA32_VMX_EPT_VPID_CAP 0x00000f0106734141  exec-only (0), 4-level walk (6),
 *                                           UC (8), WB (14), 2M (16), 1G
 *                                           (17), INVEPT (20), A/D (21),
 *                                           INVEPT single/all (25/26),
 *                                           INVVPID (32), addr/single/all/
 *                                           single-globals (40-43)
 * IA32_VMX_TRUE_*       pin 0x000000ff00000016, proc 0xfff9fffe04006172
 *                       (CR3 load/store exiting may be 0), exit
 *                       0x01ffffff00036dfb, entry 0x0003ffff000011fb
 * IA32_VMX_VMFUNC       0x1 (EPTP switching)
 */
static const struct vmx_msrs skylake = {
    .basic = 0x00da040000000004ull,
    .pinbased = 0x000000ff00000016ull,
    .procbased = 0xfff9fffe0401e172ull,
    .exit = 0x01ffffff00036dffull,
    .entry = 0x0003ffff000011ffull,
    .misc = 0x000000007004c1e5ull,
    .cr0_fixed0 = 0x80000021ull,
    .cr0_fixed1 = 0xffffffffull,
    .cr4_fixed0 = 0x2000ull,
    .cr4_fixed1 = 0x3767ffull,
    .vmcs_enum = 0x2eull,
    .procbased2 = 0x0253ffff00000000ull,
    .ept_vpid_cap = 0x00000f0106734141ull,
    .true_pinbased = 0x000000ff00000016ull,
    .true_procbased = 0xfff9fffe04006172ull,
    .true_exit = 0x01ffffff00036dfbull,
    .true_entry = 0x0003ffff000011fbull,
    .vmfunc = 0x1ull,
};

static void decode(const struct vmx_msrs *m, struct vmx_caps *c)
{
    memset(c, 0xa5, sizeof *c);          /* decode must set every field */
    vmx_caps_decode(m, c);
}

UT_TEST(vmx_decode_skylake_server)
{
    struct vmx_caps c;
    decode(&skylake, &c);
    CHECK_EQ(c.revision, 4);
    CHECK_EQ(c.vmcs_size, 0x400);
    CHECK_EQ(c.vmcs_memtype, 6);
    CHECK(c.true_ctls);
    CHECK(!c.phys_32bit);
    CHECK(c.ins_outs_info);
    CHECK(c.secondary);
    CHECK(c.msr_bitmaps);
    CHECK(c.io_bitmaps);
    CHECK(c.ept);
    CHECK(c.ept_exec_only);
    CHECK(c.ept_4level);
    CHECK(c.ept_wb);
    CHECK(c.ept_uc);
    CHECK(c.ept_2m);
    CHECK(c.ept_1g);
    CHECK(c.ept_ad);
    CHECK(c.invept);
    CHECK(c.invept_single);
    CHECK(c.invept_all);
    CHECK(c.vpid);
    CHECK(c.invvpid);
    CHECK(c.invvpid_addr);
    CHECK(c.invvpid_single);
    CHECK(c.invvpid_all);
    CHECK(c.unrestricted);
    CHECK(c.preempt_timer);
    CHECK_EQ(c.preempt_timer_shift, 5);
    CHECK_EQ(c.cr3_targets, 4);
    CHECK_EQ(c.msr_list_max, 512);
    /* TRUE controls available: those are the ones to use. */
    CHECK_EQ(c.pin_msr, skylake.true_pinbased);
    CHECK_EQ(c.proc_msr, skylake.true_procbased);
    CHECK_EQ(c.exit_msr, skylake.true_exit);
    CHECK_EQ(c.entry_msr, skylake.true_entry);
    CHECK_EQ(c.proc2_msr, skylake.procbased2);
}

UT_TEST(vmx_decode_all_zero)
{
    struct vmx_msrs m;
    memset(&m, 0, sizeof m);
    struct vmx_caps c;
    decode(&m, &c);
    CHECK_EQ(c.revision, 0);
    CHECK_EQ(c.vmcs_size, 0);
    CHECK_EQ(c.vmcs_memtype, 0);
    CHECK(!c.true_ctls && !c.phys_32bit && !c.ins_outs_info && !c.secondary);
    CHECK(!c.msr_bitmaps && !c.io_bitmaps);
    CHECK(!c.ept && !c.ept_exec_only && !c.ept_4level && !c.ept_wb && !c.ept_uc);
    CHECK(!c.ept_2m && !c.ept_1g && !c.ept_ad);
    CHECK(!c.invept && !c.invept_single && !c.invept_all);
    CHECK(!c.vpid && !c.invvpid && !c.invvpid_addr && !c.invvpid_single && !c.invvpid_all);
    CHECK(!c.unrestricted && !c.preempt_timer);
    CHECK_EQ(c.preempt_timer_shift, 0);
    CHECK_EQ(c.cr3_targets, 0);
    CHECK_EQ(c.msr_list_max, 512);       /* N = 0 means 512 entries */
    CHECK_EQ(c.pin_msr, 0);
    CHECK_EQ(c.proc_msr, 0);
    CHECK_EQ(c.exit_msr, 0);
    CHECK_EQ(c.entry_msr, 0);
    CHECK_EQ(c.proc2_msr, 0);
}

UT_TEST(vmx_decode_basic_fields)
{
    struct vmx_msrs m = skylake;
    struct vmx_caps c;
    /* Bit 31 of the revision dword is not part of the revision. */
    m.basic = 0x00da040080000012ull;
    decode(&m, &c);
    CHECK_EQ(c.revision, 0x12);
    /* Largest VMCS (4 KiB, 13-bit field), 32-bit physical limit, UC, no INS/OUTS. */
    m.basic = (0x1000ull << 32) | (1ull << 48) | (0ull << 50) | 0x7fffffffull;
    decode(&m, &c);
    CHECK_EQ(c.revision, 0x7fffffff);
    CHECK_EQ(c.vmcs_size, 0x1000);
    CHECK(c.phys_32bit);
    CHECK_EQ(c.vmcs_memtype, 0);
    CHECK(!c.ins_outs_info);
    CHECK(!c.true_ctls);
    /* Neighbouring bits do not leak in. */
    m.basic = (0x7ull << 45) | (1ull << 49) | (0xfull << 50) | (1ull << 56);
    decode(&m, &c);
    CHECK_EQ(c.vmcs_size, 0);
    CHECK(!c.phys_32bit);
    CHECK_EQ(c.vmcs_memtype, 0xf);
    CHECK(!c.ins_outs_info);
    CHECK(!c.true_ctls);
}

UT_TEST(vmx_decode_misc_fields)
{
    struct vmx_msrs m = skylake;
    struct vmx_caps c;
    m.misc = 0x1full | (0x1ffull << 16) | (7ull << 25);
    decode(&m, &c);
    CHECK_EQ(c.preempt_timer_shift, 31);
    CHECK_EQ(c.cr3_targets, 511);
    CHECK_EQ(c.msr_list_max, 4096);
    m.misc = (3ull << 25) | (1ull << 5) | (1ull << 15) | (1ull << 28) | 0x3;
    decode(&m, &c);
    CHECK_EQ(c.preempt_timer_shift, 3);
    CHECK_EQ(c.cr3_targets, 0);
    CHECK_EQ(c.msr_list_max, 2048);
}

/* Secondary controls not allowed: no EPT, VPID or unrestricted guest at all. */
UT_TEST(vmx_decode_no_secondary_controls)
{
    struct vmx_msrs m = skylake;
    m.procbased &= ~((uint64_t)PROC_ACTIVATE_SECONDARY << 32);
    m.true_procbased &= ~((uint64_t)PROC_ACTIVATE_SECONDARY << 32);
    /* The raw procbased2 / ept_vpid_cap fields still hold values. */
    struct vmx_caps c;
    decode(&m, &c);
    CHECK(!c.secondary);
    CHECK_EQ(c.proc2_msr, 0);
    CHECK(!c.ept && !c.ept_exec_only && !c.ept_4level && !c.ept_wb && !c.ept_uc);
    CHECK(!c.ept_2m && !c.ept_1g && !c.ept_ad);
    CHECK(!c.invept && !c.invept_single && !c.invept_all);
    CHECK(!c.vpid && !c.invvpid && !c.invvpid_addr && !c.invvpid_single && !c.invvpid_all);
    CHECK(!c.unrestricted);
    /* The rest is unaffected. */
    CHECK(c.msr_bitmaps && c.io_bitmaps && c.preempt_timer && c.true_ctls);
}

/* Secondary is judged from the control MSR in use (TRUE when present). */
UT_TEST(vmx_decode_secondary_from_msr_in_use)
{
    struct vmx_msrs m = skylake;
    struct vmx_caps c;
    m.true_procbased &= ~((uint64_t)PROC_ACTIVATE_SECONDARY << 32);
    decode(&m, &c);                      /* TRUE in use, and it says no */
    CHECK(!c.secondary);
    CHECK(!c.ept && !c.vpid);

    m = skylake;
    m.basic &= ~VMX_BASIC_TRUE_CTLS;
    m.true_procbased = 0;                /* ignored without TRUE controls */
    decode(&m, &c);
    CHECK(c.secondary);
    CHECK(c.ept && c.vpid && c.unrestricted);
}

UT_TEST(vmx_decode_without_true_controls)
{
    struct vmx_msrs m = skylake;
    m.basic &= ~VMX_BASIC_TRUE_CTLS;
    /* Junk in the TRUE fields (the MSRs do not exist): must not be used. */
    m.true_pinbased = 0x1111111111111111ull;
    m.true_procbased = 0x2222222222222222ull;
    m.true_exit = 0x3333333333333333ull;
    m.true_entry = 0x4444444444444444ull;
    struct vmx_caps c;
    decode(&m, &c);
    CHECK(!c.true_ctls);
    CHECK_EQ(c.pin_msr, skylake.pinbased);
    CHECK_EQ(c.proc_msr, skylake.procbased);
    CHECK_EQ(c.exit_msr, skylake.exit);
    CHECK_EQ(c.entry_msr, skylake.entry);
    CHECK_EQ(c.proc2_msr, skylake.procbased2);
    CHECK(c.preempt_timer);
    CHECK(c.msr_bitmaps && c.io_bitmaps && c.secondary);
    CHECK_EQ(c.revision, 4);
    CHECK_EQ(c.vmcs_size, 0x400);
    CHECK_EQ(c.vmcs_memtype, 6);

    /* Conversely, the non-TRUE fields are ignored when TRUE ones exist. */
    m = skylake;
    m.pinbased = 0;
    m.procbased = 0;
    m.exit = 0;
    m.entry = 0;
    decode(&m, &c);
    CHECK_EQ(c.pin_msr, skylake.true_pinbased);
    CHECK_EQ(c.proc_msr, skylake.true_procbased);
    CHECK(c.secondary && c.preempt_timer && c.msr_bitmaps);
}

UT_TEST(vmx_decode_control_bits_from_allowed1)
{
    /* Capabilities come from the may-be-1 half, not the must-be-1 half. */
    struct vmx_msrs m = skylake;
    m.true_pinbased = PIN_PREEMPT_TIMER;                       /* low half only */
    m.true_procbased = PROC_ACTIVATE_SECONDARY | PROC_USE_MSR_BITMAPS | PROC_USE_IO_BITMAPS;
    m.procbased2 = PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED;
    struct vmx_caps c;
    decode(&m, &c);
    CHECK(!c.preempt_timer);
    CHECK(!c.secondary && !c.msr_bitmaps && !c.io_bitmaps);
    CHECK(!c.ept && !c.vpid && !c.unrestricted);

    m.true_procbased = (uint64_t)PROC_ACTIVATE_SECONDARY << 32;  /* secondary only */
    decode(&m, &c);
    CHECK(c.secondary);
    CHECK(!c.msr_bitmaps && !c.io_bitmaps);
    CHECK(!c.ept && !c.vpid && !c.unrestricted);                /* proc2 low half */
}

UT_TEST(vmx_decode_ept_without_vpid)
{
    struct vmx_msrs m = skylake;
    m.procbased2 &= ~((uint64_t)PROC2_VPID << 32);
    struct vmx_caps c;
    decode(&m, &c);
    CHECK(c.ept && c.ept_4level && c.ept_wb && c.invept_single);
    CHECK(!c.vpid && !c.invvpid && !c.invvpid_addr && !c.invvpid_single && !c.invvpid_all);
    CHECK(c.unrestricted);
}

UT_TEST(vmx_decode_vpid_without_ept)
{
    struct vmx_msrs m = skylake;
    m.procbased2 &= ~((uint64_t)PROC2_EPT << 32);   /* unrestricted still "allowed" */
    struct vmx_caps c;
    decode(&m, &c);
    CHECK(!c.ept && !c.ept_exec_only && !c.ept_4level && !c.ept_wb && !c.ept_uc);
    CHECK(!c.ept_2m && !c.ept_1g && !c.ept_ad);
    CHECK(!c.invept && !c.invept_single && !c.invept_all);
    CHECK(!c.unrestricted);                          /* needs EPT */
    CHECK(c.vpid && c.invvpid && c.invvpid_addr && c.invvpid_single && c.invvpid_all);
}

UT_TEST(vmx_decode_unrestricted_not_allowed)
{
    struct vmx_msrs m = skylake;
    m.procbased2 &= ~((uint64_t)PROC2_UNRESTRICTED << 32);
    struct vmx_caps c;
    decode(&m, &c);
    CHECK(c.ept && c.vpid);
    CHECK(!c.unrestricted);
}

UT_TEST(vmx_decode_ept_vpid_cap_bits)
{
    struct vmx_msrs m = skylake;
    struct vmx_caps c;
    /* Each capability bit alone. */
    static const struct { unsigned bit; size_t off; } one[] = {
        { 0, offsetof(struct vmx_caps, ept_exec_only) },
        { 6, offsetof(struct vmx_caps, ept_4level) },
        { 8, offsetof(struct vmx_caps, ept_uc) },
        { 14, offsetof(struct vmx_caps, ept_wb) },
        { 16, offsetof(struct vmx_caps, ept_2m) },
        { 17, offsetof(struct vmx_caps, ept_1g) },
        { 20, offsetof(struct vmx_caps, invept) },
        { 21, offsetof(struct vmx_caps, ept_ad) },
        { 32, offsetof(struct vmx_caps, invvpid) },
    };
    for (unsigned i = 0; i < sizeof one / sizeof *one; i++) {
        m.ept_vpid_cap = 1ull << one[i].bit;
        decode(&m, &c);
        for (unsigned j = 0; j < sizeof one / sizeof *one; j++) {
            bool v = *(const bool *)((const char *)&c + one[j].off);
            if (v != (i == j))
                printf("    cap bit %u: field for bit %u is %d\n", one[i].bit, one[j].bit, v);
            CHECK_EQ(v, i == j);
        }
        CHECK(!c.invept_single && !c.invept_all);
        CHECK(!c.invvpid_addr && !c.invvpid_single && !c.invvpid_all);
    }
    /* INVEPT / INVVPID types only count with the instruction itself. */
    m.ept_vpid_cap = (1ull << 25) | (1ull << 26) | (1ull << 40) | (1ull << 41) | (1ull << 42);
    decode(&m, &c);
    CHECK(!c.invept && !c.invept_single && !c.invept_all);
    CHECK(!c.invvpid && !c.invvpid_addr && !c.invvpid_single && !c.invvpid_all);
    m.ept_vpid_cap |= (1ull << 20) | (1ull << 32);
    decode(&m, &c);
    CHECK(c.invept && c.invept_single && c.invept_all);
    CHECK(c.invvpid && c.invvpid_addr && c.invvpid_single && c.invvpid_all);
    m.ept_vpid_cap = (1ull << 20) | (1ull << 26) | (1ull << 32) | (1ull << 41);
    decode(&m, &c);
    CHECK(c.invept && !c.invept_single && c.invept_all);
    CHECK(c.invvpid && !c.invvpid_addr && c.invvpid_single && !c.invvpid_all);
}

UT_TEST(vmx_decode_preempt_timer_and_bitmaps)
{
    struct vmx_msrs m = skylake;
    m.true_pinbased &= ~((uint64_t)PIN_PREEMPT_TIMER << 32);
    m.true_procbased &= ~((uint64_t)(PROC_USE_MSR_BITMAPS | PROC_USE_IO_BITMAPS) << 32);
    struct vmx_caps c;
    decode(&m, &c);
    CHECK(!c.preempt_timer);
    CHECK(!c.msr_bitmaps);
    CHECK(!c.io_bitmaps);
    CHECK(c.secondary);
    m.true_procbased |= (uint64_t)PROC_USE_IO_BITMAPS << 32;
    decode(&m, &c);
    CHECK(!c.msr_bitmaps && c.io_bitmaps);
}

/* ---- vmx_ctl_adjust ----------------------------------------------------------- */

UT_TEST(vmx_ctl_adjust_forces_must_be_1)
{
    uint32_t out = 0, missing = 0xdead;
    /* Pin-based on Skylake: 0x16 must be 1. Ext-int + NMI exiting required. */
    CHECK_EQ(vmx_ctl_adjust(skylake.true_pinbased, 0x1 | 0x8, 0, &out, &missing), HV_OK);
    CHECK_EQ(out, 0x16 | 0x1 | 0x8);
    CHECK_EQ(missing, 0);
    /* Nothing asked: exactly the must-be-1 bits. */
    CHECK_EQ(vmx_ctl_adjust(skylake.true_procbased, 0, 0, &out, &missing), HV_OK);
    CHECK_EQ(out, 0x04006172);
    CHECK_EQ(vmx_ctl_adjust(skylake.procbased, 0, 0, &out, &missing), HV_OK);
    CHECK_EQ(out, 0x0401e172);
    /* Asking for a must-be-1 bit changes nothing. */
    CHECK_EQ(vmx_ctl_adjust(skylake.true_pinbased, 0x2, 0x4, &out, NULL), HV_OK);
    CHECK_EQ(out, 0x16);
}

UT_TEST(vmx_ctl_adjust_optional_bits)
{
    uint32_t out = 0, missing = 0xdead;
    /* Optional preemption timer and posted interrupts: both allowed on Skylake. */
    CHECK_EQ(vmx_ctl_adjust(skylake.true_pinbased, 0x1, PIN_PREEMPT_TIMER | (1u << 7),
                            &out, &missing), HV_OK);
    CHECK_EQ(out, 0x16 | 0x1 | PIN_PREEMPT_TIMER | (1u << 7));
    CHECK_EQ(missing, 0);
    /* A CPU without them: optional bits dropped, still success. */
    uint64_t old_pin = 0x0000003f00000016ull;
    CHECK_EQ(vmx_ctl_adjust(old_pin, 0x1, PIN_PREEMPT_TIMER | (1u << 7), &out, &missing), HV_OK);
    CHECK_EQ(out, 0x16 | 0x1);
    CHECK_EQ(missing, 0);
    /* Secondary controls: EPT | VPID | unrestricted required, VMFUNC and bit 31 optional. */
    uint32_t req = PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED;
    CHECK_EQ(vmx_ctl_adjust(skylake.procbased2, req, PROC2_VMFUNC | (1u << 31), &out, &missing), HV_OK);
    CHECK_EQ(out, req | PROC2_VMFUNC);
    CHECK_EQ(missing, 0);
}

UT_TEST(vmx_ctl_adjust_required_missing)
{
    uint32_t out = 0xdeadbeef, missing = 0;
    /* Pin-based without posted interrupts (bit 7) and preemption timer (bit 6). */
    uint64_t old_pin = 0x0000003f00000016ull;
    CHECK_EQ(vmx_ctl_adjust(old_pin, 0x1 | PIN_PREEMPT_TIMER | (1u << 7), 0x8, &out, &missing),
             HV_ERR_NOT_SUPPORTED);
    CHECK_EQ(missing, PIN_PREEMPT_TIMER | (1u << 7));       /* exactly those */
    CHECK_EQ(out, 0xdeadbeef);                               /* untouched */
    /* No secondary controls at all: everything required is missing. */
    missing = 0;
    CHECK_EQ(vmx_ctl_adjust(0, PROC2_EPT | PROC2_VPID, PROC2_VMFUNC, &out, &missing),
             HV_ERR_NOT_SUPPORTED);
    CHECK_EQ(missing, PROC2_EPT | PROC2_VPID);
    CHECK_EQ(out, 0xdeadbeef);
    /* A bit that is only must-be-1 in the low half but not allowed: missing. */
    missing = 0;
    CHECK_EQ(vmx_ctl_adjust(0x0000000000000010ull, 0x10, 0, &out, &missing), HV_ERR_NOT_SUPPORTED);
    CHECK_EQ(missing, 0x10);
    /* NULL missing is allowed. */
    CHECK_EQ(vmx_ctl_adjust(old_pin, 1u << 7, 0, &out, NULL), HV_ERR_NOT_SUPPORTED);
    CHECK_EQ(out, 0xdeadbeef);
}

UT_TEST(vmx_ctl_adjust_exhaustive_small)
{
    /* Every combination over 4 bits, against the rule written out. */
    unsigned bad = 0;
    for (unsigned m0 = 0; m0 < 16; m0++)
        for (unsigned m1 = 0; m1 < 16; m1++) {
            if (m0 & ~m1)
                continue;                /* must-be-1 implies may-be-1 on real CPUs */
            uint64_t cap = ((uint64_t)(m1 << 4) << 32) | (m0 << 4);
            for (unsigned rq = 0; rq < 16; rq++)
                for (unsigned op = 0; op < 16; op++) {
                    uint32_t out = 0xffffffffu, miss = 0xffffffffu;
                    hv_status_t rc = vmx_ctl_adjust(cap, rq << 4, op << 4, &out, &miss);
                    uint32_t lacking = (rq & ~m1) << 4;
                    if (lacking) {
                        bad += rc != HV_ERR_NOT_SUPPORTED || miss != lacking || out != 0xffffffffu;
                    } else {
                        uint32_t want = (((rq | op) & m1) | m0) << 4;
                        bad += rc != HV_OK || out != want || miss != 0;
                    }
                }
        }
    CHECK_EQ(bad, 0);
}

/* ---- CR fixed bits ------------------------------------------------------------- */

UT_TEST(vmx_cr_fixed_bits)
{
    /* CR0 from reset (CD | NW | ET): PE, NE, PG forced on. */
    CHECK_EQ(vmx_cr_fixed(0x60000010ull, skylake.cr0_fixed0, skylake.cr0_fixed1), 0xe0000031ull);
    /* A typical long-mode CR0 is unchanged. */
    CHECK_EQ(vmx_cr_fixed(0x80050033ull, skylake.cr0_fixed0, skylake.cr0_fixed1), 0x80050033ull);
    /* CR4: VMXE forced on; a bit outside fixed1 (CET, 23) forced off. */
    CHECK_EQ(vmx_cr_fixed(0x20ull, skylake.cr4_fixed0, skylake.cr4_fixed1), 0x2020ull);
    CHECK_EQ(vmx_cr_fixed(0x8006a0ull, skylake.cr4_fixed0, skylake.cr4_fixed1), 0x26a0ull);
    /* Upper bits of a 64-bit value are cleared when fixed1 says so. */
    CHECK_EQ(vmx_cr_fixed(0xffffffff00000000ull, 0, 0xffffffffull), 0);
    CHECK_EQ(vmx_cr_fixed(0, 0, 0), 0);
    CHECK_EQ(vmx_cr_fixed(~0ull, 0, ~0ull), ~0ull);
    /* fixed0 wins over v, fixed1 over fixed0 (in that order). */
    CHECK_EQ(vmx_cr_fixed(0, 0x3, 0x1), 0x1);
}

/* ---- IA32_FEATURE_CONTROL ---------------------------------------------------------- */

UT_TEST(vmx_feature_control_unlocked)
{
    uint64_t n = 0xdead;
    CHECK_EQ(vmx_feature_control(0, &n), VMX_FC_WRITE);
    CHECK_EQ(n, FC_LOCK | FC_VMX_OUTSIDE_SMX);
    /* Other bits kept: SMX enable, SENTER bits, SGX, LMCE. */
    n = 0;
    CHECK_EQ(vmx_feature_control(FC_VMX_IN_SMX, &n), VMX_FC_WRITE);
    CHECK_EQ(n, FC_VMX_IN_SMX | FC_LOCK | FC_VMX_OUTSIDE_SMX);
    n = 0;
    uint64_t others = 0x7f00ull | (1ull << 15) | (1ull << 17) | (1ull << 18) | (1ull << 20);
    CHECK_EQ(vmx_feature_control(others, &n), VMX_FC_WRITE);
    CHECK_EQ(n, others | FC_LOCK | FC_VMX_OUTSIDE_SMX);
    /* Unlocked but already enabled: still needs the lock written. */
    n = 0;
    CHECK_EQ(vmx_feature_control(FC_VMX_OUTSIDE_SMX, &n), VMX_FC_WRITE);
    CHECK_EQ(n, FC_LOCK | FC_VMX_OUTSIDE_SMX);
}

UT_TEST(vmx_feature_control_locked)
{
    uint64_t n = 0x5a5a;
    CHECK_EQ(vmx_feature_control(FC_LOCK | FC_VMX_OUTSIDE_SMX, &n), VMX_FC_OK);
    CHECK_EQ(vmx_feature_control(FC_LOCK | FC_VMX_OUTSIDE_SMX | FC_VMX_IN_SMX, &n), VMX_FC_OK);
    CHECK_EQ(vmx_feature_control(FC_LOCK | FC_VMX_OUTSIDE_SMX | (1ull << 20), &n), VMX_FC_OK);
    CHECK_EQ(vmx_feature_control(FC_LOCK, &n), VMX_FC_LOCKED_OFF);
    CHECK_EQ(vmx_feature_control(FC_LOCK | FC_VMX_IN_SMX, &n), VMX_FC_LOCKED_OFF);
    CHECK_EQ(vmx_feature_control(FC_LOCK | 0xff00ull | (1ull << 18), &n), VMX_FC_LOCKED_OFF);
    CHECK_EQ(n, 0x5a5a);                 /* nothing to write when locked */
}

/* ---- which MSRs exist --------------------------------------------------------------- */

UT_TEST(vmx_has_msr_predicates)
{
    CHECK(vmx_has_true_msrs(skylake.basic));
    CHECK(!vmx_has_true_msrs(skylake.basic & ~VMX_BASIC_TRUE_CTLS));
    CHECK(vmx_has_true_msrs(VMX_BASIC_TRUE_CTLS));
    CHECK(!vmx_has_true_msrs(~VMX_BASIC_TRUE_CTLS));

    CHECK(vmx_has_procbased2(skylake.procbased));
    CHECK(vmx_has_procbased2(skylake.true_procbased));
    CHECK(vmx_has_procbased2(1ull << 63));
    CHECK(!vmx_has_procbased2(1ull << 31));                  /* must-be-1 half */
    CHECK(!vmx_has_procbased2(0x7fffffffffffffffull));
    CHECK(!vmx_has_procbased2(0));

    CHECK(vmx_has_ept_vpid_cap(skylake.procbased2));
    CHECK(vmx_has_ept_vpid_cap((uint64_t)PROC2_EPT << 32));
    CHECK(vmx_has_ept_vpid_cap((uint64_t)PROC2_VPID << 32));
    CHECK(!vmx_has_ept_vpid_cap((uint64_t)PROC2_UNRESTRICTED << 32));
    CHECK(!vmx_has_ept_vpid_cap((uint64_t)PROC2_VMFUNC << 32));
    CHECK(!vmx_has_ept_vpid_cap(PROC2_EPT | PROC2_VPID));    /* low half */
    CHECK(!vmx_has_ept_vpid_cap(0));
    CHECK(!vmx_has_ept_vpid_cap(~(((uint64_t)(PROC2_EPT | PROC2_VPID)) << 32)));
}
