/*
 * root/hvf/include/Hypervisor/: the Hypervisor.framework (Intel) headers
 * carry Apple's names with Apple's values (return codes, register ids,
 * capability ids, flags) and the SDM's values (VMCS encodings, control
 * bits, exit reasons). Each value is checked twice: at compile time
 * (_Static_assert) and at run time (CHECK_EQ-style, naming the constant).
 * This file is compiled -std=c11 -pedantic (Makefile) and includes only the
 * umbrella header, never libsys.h (its hv_vcpu_create/hv_vcpu_interrupt
 * stubs clash with Apple's names).
 */
#include <Hypervisor/Hypervisor.h>
#include "ut.h"

/* An SDM VMCS component encoding (Vol. 3, App. B): width (0 16-bit,
 * 1 64-bit, 2 32-bit, 3 natural), type (0 control, 1 read-only data,
 * 2 guest state, 3 host state), index; access type 0 (full). */
#define ENC(width, type, index) (((width) << 13) | ((type) << 10) | ((index) << 1))
#define HVRET(x) ((uint32_t)(x))

#define RETURN_CODES(X) \
    X(HVRET(HV_SUCCESS), 0) \
    X(HVRET(HV_ERROR), 0xfae94001u) \
    X(HVRET(HV_BUSY), 0xfae94002u) \
    X(HVRET(HV_BAD_ARGUMENT), 0xfae94003u) \
    X(HVRET(HV_NO_RESOURCES), 0xfae94005u) \
    X(HVRET(HV_NO_DEVICE), 0xfae94006u) \
    X(HVRET(HV_DENIED), 0xfae94007u) \
    X(HVRET(HV_FAULT), 0xfae94008u) \
    X(HVRET(HV_UNSUPPORTED), 0xfae9400fu) \
    X(HVRET(err_common_hypervisor), 0xfae94000u) \
    X(HVRET(err_sub_hypervisor), 0x02e94000u)

#define TYPE_VALUES(X) \
    X(HV_CAP_VCPUMAX, 0) \
    X(HV_CAP_ADDRSPACEMAX, 1) \
    X(HV_VM_SPACE_DEFAULT, 0) \
    X(HV_VM_DEFAULT, 0) \
    X(HV_VM_SPECIFY_MITIGATIONS, 0x1) \
    X(HV_VM_MITIGATION_A_ENABLE, 0x2) \
    X(HV_VM_MITIGATION_B_ENABLE, 0x4) \
    X(HV_VM_MITIGATION_C_ENABLE, 0x8) \
    X(HV_VM_MITIGATION_D_ENABLE, 0x10) \
    X(HV_VM_MITIGATION_E_ENABLE, 0x40) \
    X(HV_VM_ACCEL_APIC, 0x400) \
    X(HV_VCPU_DEFAULT, 0) \
    X(HV_VCPU_ACCEL_RDPMC, 0x1) \
    X(HV_VCPU_TSC_RELATIVE, 0x2) \
    X(HV_MEMORY_READ, 0x1) \
    X(HV_MEMORY_WRITE, 0x2) \
    X(HV_MEMORY_EXEC, 0x4) \
    X(HV_MEMORY_UEXEC, 0x8) \
    X(HV_MEMORY_MAXPROT, 0x10) \
    X(HV_MEMORY_MAXPROT_READ, 0x20) \
    X(HV_MEMORY_MAXPROT_WRITE, 0x40) \
    X(HV_MEMORY_MAXPROT_EXEC, 0x80) \
    X(HV_MEMORY_MAXPROT_UEXEC, 0x100) \
    X(HV_MSR_NONE, 0) \
    X(HV_MSR_READ, 0x1) \
    X(HV_MSR_WRITE, 0x2) \
    X(HV_ALLOCATE_DEFAULT, 0) \
    X(HV_SHADOW_VMCS_NONE, 0) \
    X(HV_SHADOW_VMCS_READ, 0x1) \
    X(HV_SHADOW_VMCS_WRITE, 0x2) \
    X(HV_DEADLINE_FOREVER, 0xffffffffffffffffull)

#define X86_REGS(X) \
    X(HV_X86_RIP, 0) X(HV_X86_RFLAGS, 1) X(HV_X86_RAX, 2) X(HV_X86_RCX, 3) \
    X(HV_X86_RDX, 4) X(HV_X86_RBX, 5) X(HV_X86_RSI, 6) X(HV_X86_RDI, 7) \
    X(HV_X86_RSP, 8) X(HV_X86_RBP, 9) X(HV_X86_R8, 10) X(HV_X86_R9, 11) \
    X(HV_X86_R10, 12) X(HV_X86_R11, 13) X(HV_X86_R12, 14) X(HV_X86_R13, 15) \
    X(HV_X86_R14, 16) X(HV_X86_R15, 17) X(HV_X86_CS, 18) X(HV_X86_SS, 19) \
    X(HV_X86_DS, 20) X(HV_X86_ES, 21) X(HV_X86_FS, 22) X(HV_X86_GS, 23) \
    X(HV_X86_IDT_BASE, 24) X(HV_X86_IDT_LIMIT, 25) X(HV_X86_GDT_BASE, 26) \
    X(HV_X86_GDT_LIMIT, 27) X(HV_X86_LDTR, 28) X(HV_X86_LDT_BASE, 29) \
    X(HV_X86_LDT_LIMIT, 30) X(HV_X86_LDT_AR, 31) X(HV_X86_TR, 32) \
    X(HV_X86_TSS_BASE, 33) X(HV_X86_TSS_LIMIT, 34) X(HV_X86_TSS_AR, 35) \
    X(HV_X86_CR0, 36) X(HV_X86_CR1, 37) X(HV_X86_CR2, 38) X(HV_X86_CR3, 39) \
    X(HV_X86_CR4, 40) X(HV_X86_DR0, 41) X(HV_X86_DR1, 42) X(HV_X86_DR2, 43) \
    X(HV_X86_DR3, 44) X(HV_X86_DR4, 45) X(HV_X86_DR5, 46) X(HV_X86_DR6, 47) \
    X(HV_X86_DR7, 48) X(HV_X86_TPR, 49) X(HV_X86_XCR0, 50) \
    X(HV_X86_REGISTERS_MAX, 51)

#define VMX_CAPS(X) \
    X(HV_VMX_CAP_PINBASED, 0) X(HV_VMX_CAP_PROCBASED, 1) X(HV_VMX_CAP_PROCBASED2, 2) \
    X(HV_VMX_CAP_ENTRY, 3) X(HV_VMX_CAP_EXIT, 4) X(HV_VMX_CAP_BASIC, 5) \
    X(HV_VMX_CAP_TRUE_PINBASED, 6) X(HV_VMX_CAP_TRUE_PROCBASED, 7) \
    X(HV_VMX_CAP_TRUE_ENTRY, 8) X(HV_VMX_CAP_TRUE_EXIT, 9) X(HV_VMX_CAP_MISC, 10) \
    X(HV_VMX_CAP_CR0_FIXED0, 11) X(HV_VMX_CAP_CR0_FIXED1, 12) \
    X(HV_VMX_CAP_CR4_FIXED0, 13) X(HV_VMX_CAP_CR4_FIXED1, 14) \
    X(HV_VMX_CAP_VMCS_ENUM, 15) X(HV_VMX_CAP_EPT_VPID_CAP, 16) \
    X(HV_VMX_CAP_PREEMPTION_TIMER, 32) \
    X(HV_VMX_INFO_MSR_IA32_ARCH_CAPABILITIES, 0) \
    X(HV_VMX_INFO_MSR_IA32_PERF_CAPABILITIES, 1) \
    X(HV_VMX_VALID_MSR_IA32_PERFEVNTSEL, 2) \
    X(HV_VMX_VALID_MSR_IA32_FIXED_CTR_CTRL, 3) \
    X(HV_VMX_VALID_MSR_IA32_PERF_GLOBAL_CTRL, 4) \
    X(HV_VMX_VALID_MSR_IA32_PERF_GLOBAL_STATUS, 5) \
    X(HV_VMX_VALID_MSR_IA32_DEBUGCTL, 6) \
    X(HV_VMX_VALID_MSR_IA32_SPEC_CTRL, 7) \
    X(HV_VMX_NEED_MSR_IA32_SPEC_CTRL, 8)

/* Every VMCS field id, as (width, type, index) from the SDM's tables. */
#define VMCS_FIELDS(X) \
    X(VMCS_VPID, ENC(0, 0, 0)) \
    X(VMCS_CTRL_POSTED_INT_N_VECTOR, ENC(0, 0, 1)) \
    X(VMCS_CTRL_EPTP_INDEX, ENC(0, 0, 2)) \
    X(VMCS_GUEST_ES, ENC(0, 2, 0)) X(VMCS_GUEST_CS, ENC(0, 2, 1)) \
    X(VMCS_GUEST_SS, ENC(0, 2, 2)) X(VMCS_GUEST_DS, ENC(0, 2, 3)) \
    X(VMCS_GUEST_FS, ENC(0, 2, 4)) X(VMCS_GUEST_GS, ENC(0, 2, 5)) \
    X(VMCS_GUEST_LDTR, ENC(0, 2, 6)) X(VMCS_GUEST_TR, ENC(0, 2, 7)) \
    X(VMCS_GUEST_INT_STATUS, ENC(0, 2, 8)) X(VMCS_GUESTPML_INDEX, ENC(0, 2, 9)) \
    X(VMCS_HOST_ES, ENC(0, 3, 0)) X(VMCS_HOST_CS, ENC(0, 3, 1)) \
    X(VMCS_HOST_SS, ENC(0, 3, 2)) X(VMCS_HOST_DS, ENC(0, 3, 3)) \
    X(VMCS_HOST_FS, ENC(0, 3, 4)) X(VMCS_HOST_GS, ENC(0, 3, 5)) \
    X(VMCS_HOST_TR, ENC(0, 3, 6)) \
    X(VMCS_CTRL_IO_BITMAP_A, ENC(1, 0, 0)) X(VMCS_CTRL_IO_BITMAP_B, ENC(1, 0, 1)) \
    X(VMCS_CTRL_MSR_BITMAPS, ENC(1, 0, 2)) \
    X(VMCS_CTRL_VMEXIT_MSR_STORE_ADDR, ENC(1, 0, 3)) \
    X(VMCS_CTRL_VMEXIT_MSR_LOAD_ADDR, ENC(1, 0, 4)) \
    X(VMCS_CTRL_VMENTRY_MSR_LOAD_ADDR, ENC(1, 0, 5)) \
    X(VMCS_CTRL_EXECUTIVE_VMCS_PTR, ENC(1, 0, 6)) X(VMCS_CTRL_PML_ADDR, ENC(1, 0, 7)) \
    X(VMCS_CTRL_TSC_OFFSET, ENC(1, 0, 8)) X(VMCS_CTRL_VIRTUAL_APIC, ENC(1, 0, 9)) \
    X(VMCS_CTRL_APIC_ACCESS, ENC(1, 0, 10)) \
    X(VMCS_CTRL_POSTED_INT_DESC_ADDR, ENC(1, 0, 11)) \
    X(VMCS_CTRL_VMFUNC_CTRL, ENC(1, 0, 12)) X(VMCS_CTRL_EPTP, ENC(1, 0, 13)) \
    X(VMCS_CTRL_EOI_EXIT_BITMAP_0, ENC(1, 0, 14)) \
    X(VMCS_CTRL_EOI_EXIT_BITMAP_1, ENC(1, 0, 15)) \
    X(VMCS_CTRL_EOI_EXIT_BITMAP_2, ENC(1, 0, 16)) \
    X(VMCS_CTRL_EOI_EXIT_BITMAP_3, ENC(1, 0, 17)) \
    X(VMCS_CTRL_EPTP_LIST_ADDR, ENC(1, 0, 18)) \
    X(VMCS_CTRL_VMREAD_BITMAP_ADDR, ENC(1, 0, 19)) \
    X(VMCS_CTRL_VMWRITE_BITMAP_ADDR, ENC(1, 0, 20)) \
    X(VMCS_CTRL_VIRT_EXC_INFO_ADDR, ENC(1, 0, 21)) \
    X(VMCS_CTRL_XSS_EXITING_BITMAP, ENC(1, 0, 22)) \
    X(VMCS_CTRL_ENCLS_EXITING_BITMAP, ENC(1, 0, 23)) \
    X(VMCS_CTRL_SPP_TABLE, ENC(1, 0, 24)) \
    X(VMCS_CTRL_TSC_MULTIPLIER, ENC(1, 0, 25)) \
    X(VMCS_CTRL_ENCLV_EXITING_BITMAP, ENC(1, 0, 27)) \
    X(VMCS_GUEST_PHYSICAL_ADDRESS, ENC(1, 1, 0)) \
    X(VMCS_GUEST_LINK_POINTER, ENC(1, 2, 0)) X(VMCS_GUEST_IA32_DEBUGCTL, ENC(1, 2, 1)) \
    X(VMCS_GUEST_IA32_PAT, ENC(1, 2, 2)) X(VMCS_GUEST_IA32_EFER, ENC(1, 2, 3)) \
    X(VMCS_GUEST_IA32_PERF_GLOBAL_CTRL, ENC(1, 2, 4)) \
    X(VMCS_GUEST_PDPTE0, ENC(1, 2, 5)) X(VMCS_GUEST_PDPTE1, ENC(1, 2, 6)) \
    X(VMCS_GUEST_PDPTE2, ENC(1, 2, 7)) X(VMCS_GUEST_PDPTE3, ENC(1, 2, 8)) \
    X(VMCS_GUEST_IA32_BNDCFGS, ENC(1, 2, 9)) X(VMCS_GUEST_IA32_RTIT_CTL, ENC(1, 2, 10)) \
    X(VMCS_GUEST_IA32_PKRS, ENC(1, 2, 12)) \
    X(VMCS_HOST_IA32_PAT, ENC(1, 3, 0)) X(VMCS_HOST_IA32_EFER, ENC(1, 3, 1)) \
    X(VMCS_HOST_IA32_PERF_GLOBAL_CTRL, ENC(1, 3, 2)) X(VMCS_HOST_IA32_PKRS, ENC(1, 3, 3)) \
    X(VMCS_CTRL_PIN_BASED, ENC(2, 0, 0)) X(VMCS_CTRL_CPU_BASED, ENC(2, 0, 1)) \
    X(VMCS_CTRL_EXC_BITMAP, ENC(2, 0, 2)) X(VMCS_CTRL_PF_ERROR_MASK, ENC(2, 0, 3)) \
    X(VMCS_CTRL_PF_ERROR_MATCH, ENC(2, 0, 4)) X(VMCS_CTRL_CR3_COUNT, ENC(2, 0, 5)) \
    X(VMCS_CTRL_VMEXIT_CONTROLS, ENC(2, 0, 6)) \
    X(VMCS_CTRL_VMEXIT_MSR_STORE_COUNT, ENC(2, 0, 7)) \
    X(VMCS_CTRL_VMEXIT_MSR_LOAD_COUNT, ENC(2, 0, 8)) \
    X(VMCS_CTRL_VMENTRY_CONTROLS, ENC(2, 0, 9)) \
    X(VMCS_CTRL_VMENTRY_MSR_LOAD_COUNT, ENC(2, 0, 10)) \
    X(VMCS_CTRL_VMENTRY_IRQ_INFO, ENC(2, 0, 11)) \
    X(VMCS_CTRL_VMENTRY_EXC_ERROR, ENC(2, 0, 12)) \
    X(VMCS_CTRL_VMENTRY_INSTR_LEN, ENC(2, 0, 13)) \
    X(VMCS_CTRL_TPR_THRESHOLD, ENC(2, 0, 14)) X(VMCS_CTRL_CPU_BASED2, ENC(2, 0, 15)) \
    X(VMCS_CTRL_PLE_GAP, ENC(2, 0, 16)) X(VMCS_CTRL_PLE_WINDOW, ENC(2, 0, 17)) \
    X(VMCS_RO_INSTR_ERROR, ENC(2, 1, 0)) X(VMCS_RO_EXIT_REASON, ENC(2, 1, 1)) \
    X(VMCS_RO_VMEXIT_IRQ_INFO, ENC(2, 1, 2)) X(VMCS_RO_VMEXIT_IRQ_ERROR, ENC(2, 1, 3)) \
    X(VMCS_RO_IDT_VECTOR_INFO, ENC(2, 1, 4)) X(VMCS_RO_IDT_VECTOR_ERROR, ENC(2, 1, 5)) \
    X(VMCS_RO_VMEXIT_INSTR_LEN, ENC(2, 1, 6)) X(VMCS_RO_VMX_INSTR_INFO, ENC(2, 1, 7)) \
    X(VMCS_GUEST_ES_LIMIT, ENC(2, 2, 0)) X(VMCS_GUEST_CS_LIMIT, ENC(2, 2, 1)) \
    X(VMCS_GUEST_SS_LIMIT, ENC(2, 2, 2)) X(VMCS_GUEST_DS_LIMIT, ENC(2, 2, 3)) \
    X(VMCS_GUEST_FS_LIMIT, ENC(2, 2, 4)) X(VMCS_GUEST_GS_LIMIT, ENC(2, 2, 5)) \
    X(VMCS_GUEST_LDTR_LIMIT, ENC(2, 2, 6)) X(VMCS_GUEST_TR_LIMIT, ENC(2, 2, 7)) \
    X(VMCS_GUEST_GDTR_LIMIT, ENC(2, 2, 8)) X(VMCS_GUEST_IDTR_LIMIT, ENC(2, 2, 9)) \
    X(VMCS_GUEST_ES_AR, ENC(2, 2, 10)) X(VMCS_GUEST_CS_AR, ENC(2, 2, 11)) \
    X(VMCS_GUEST_SS_AR, ENC(2, 2, 12)) X(VMCS_GUEST_DS_AR, ENC(2, 2, 13)) \
    X(VMCS_GUEST_FS_AR, ENC(2, 2, 14)) X(VMCS_GUEST_GS_AR, ENC(2, 2, 15)) \
    X(VMCS_GUEST_LDTR_AR, ENC(2, 2, 16)) X(VMCS_GUEST_TR_AR, ENC(2, 2, 17)) \
    X(VMCS_GUEST_INTERRUPTIBILITY, ENC(2, 2, 18)) X(VMCS_GUEST_IGNORE_IRQ, ENC(2, 2, 18)) \
    X(VMCS_GUEST_ACTIVITY_STATE, ENC(2, 2, 19)) X(VMCS_GUEST_SMBASE, ENC(2, 2, 20)) \
    X(VMCS_GUEST_IA32_SYSENTER_CS, ENC(2, 2, 21)) \
    X(VMCS_GUEST_VMX_TIMER_VALUE, ENC(2, 2, 23)) \
    X(VMCS_HOST_IA32_SYSENTER_CS, ENC(2, 3, 0)) \
    X(VMCS_CTRL_CR0_MASK, ENC(3, 0, 0)) X(VMCS_CTRL_CR4_MASK, ENC(3, 0, 1)) \
    X(VMCS_CTRL_CR0_SHADOW, ENC(3, 0, 2)) X(VMCS_CTRL_CR4_SHADOW, ENC(3, 0, 3)) \
    X(VMCS_CTRL_CR3_VALUE0, ENC(3, 0, 4)) X(VMCS_CTRL_CR3_VALUE1, ENC(3, 0, 5)) \
    X(VMCS_CTRL_CR3_VALUE2, ENC(3, 0, 6)) X(VMCS_CTRL_CR3_VALUE3, ENC(3, 0, 7)) \
    X(VMCS_RO_EXIT_QUALIFIC, ENC(3, 1, 0)) X(VMCS_RO_IO_RCX, ENC(3, 1, 1)) \
    X(VMCS_RO_IO_RSI, ENC(3, 1, 2)) X(VMCS_RO_IO_RDI, ENC(3, 1, 3)) \
    X(VMCS_RO_IO_RIP, ENC(3, 1, 4)) X(VMCS_RO_GUEST_LIN_ADDR, ENC(3, 1, 5)) \
    X(VMCS_GUEST_CR0, ENC(3, 2, 0)) X(VMCS_GUEST_CR3, ENC(3, 2, 1)) \
    X(VMCS_GUEST_CR4, ENC(3, 2, 2)) X(VMCS_GUEST_ES_BASE, ENC(3, 2, 3)) \
    X(VMCS_GUEST_CS_BASE, ENC(3, 2, 4)) X(VMCS_GUEST_SS_BASE, ENC(3, 2, 5)) \
    X(VMCS_GUEST_DS_BASE, ENC(3, 2, 6)) X(VMCS_GUEST_FS_BASE, ENC(3, 2, 7)) \
    X(VMCS_GUEST_GS_BASE, ENC(3, 2, 8)) X(VMCS_GUEST_LDTR_BASE, ENC(3, 2, 9)) \
    X(VMCS_GUEST_TR_BASE, ENC(3, 2, 10)) X(VMCS_GUEST_GDTR_BASE, ENC(3, 2, 11)) \
    X(VMCS_GUEST_IDTR_BASE, ENC(3, 2, 12)) X(VMCS_GUEST_DR7, ENC(3, 2, 13)) \
    X(VMCS_GUEST_RSP, ENC(3, 2, 14)) X(VMCS_GUEST_RIP, ENC(3, 2, 15)) \
    X(VMCS_GUEST_RFLAGS, ENC(3, 2, 16)) X(VMCS_GUEST_DEBUG_EXC, ENC(3, 2, 17)) \
    X(VMCS_GUEST_SYSENTER_ESP, ENC(3, 2, 18)) X(VMCS_GUEST_SYSENTER_EIP, ENC(3, 2, 19)) \
    X(VMCS_GUEST_IA32_S_CET, ENC(3, 2, 20)) X(VMCS_GUEST_SSP, ENC(3, 2, 21)) \
    X(VMCS_GUEST_IA32_INTR_SSP_TABLE_ADDR, ENC(3, 2, 22)) \
    X(VMCS_HOST_CR0, ENC(3, 3, 0)) X(VMCS_HOST_CR3, ENC(3, 3, 1)) \
    X(VMCS_HOST_CR4, ENC(3, 3, 2)) X(VMCS_HOST_FS_BASE, ENC(3, 3, 3)) \
    X(VMCS_HOST_GS_BASE, ENC(3, 3, 4)) X(VMCS_HOST_TR_BASE, ENC(3, 3, 5)) \
    X(VMCS_HOST_GDTR_BASE, ENC(3, 3, 6)) X(VMCS_HOST_IDTR_BASE, ENC(3, 3, 7)) \
    X(VMCS_HOST_IA32_SYSENTER_ESP, ENC(3, 3, 8)) \
    X(VMCS_HOST_IA32_SYSENTER_EIP, ENC(3, 3, 9)) \
    X(VMCS_HOST_RSP, ENC(3, 3, 10)) X(VMCS_HOST_RIP, ENC(3, 3, 11)) \
    X(VMCS_HOST_IA32_S_CET, ENC(3, 3, 12)) X(VMCS_HOST_SSP, ENC(3, 3, 13)) \
    X(VMCS_HOST_IA32_INTR_SSP_TABLE_ADDR, ENC(3, 3, 14)) \
    /* and a few as plain numbers, straight from the SDM's tables */ \
    X(VMCS_GUEST_RIP, 0x681e) X(VMCS_CTRL_PIN_BASED, 0x4000) \
    X(VMCS_RO_EXIT_REASON, 0x4402) X(VMCS_GUEST_PHYSICAL_ADDRESS, 0x2400) \
    X(VMCS_RO_EXIT_QUALIFIC, 0x6400) X(VMCS_CTRL_VMENTRY_IRQ_INFO, 0x4016) \
    X(VMCS_CTRL_EPTP, 0x201a) X(VMCS_HOST_RIP, 0x6c16)

#define CONTROL_BITS(X) \
    X(VMX_BASIC_TRUE_CTLS, 1ull << 55) \
    X(VMX_EPT_VPID_SUPPORT_EXONLY, 1u << 0) X(VMX_EPT_VPID_SUPPORT_AD, 1u << 21) \
    X(VMX_EPT_VPID_ADV_VMEXIT_INFO, 1u << 22) \
    X(PIN_BASED_INTR, 0x01) X(PIN_BASED_NMI, 0x08) X(PIN_BASED_VIRTUAL_NMI, 0x20) \
    X(PIN_BASED_PREEMPTION_TIMER, 0x40) X(PIN_BASED_POSTED_INTR, 0x80) \
    X(CPU_BASED_IRQ_WND, 0x4) X(CPU_BASED_TSC_OFFSET, 0x8) X(CPU_BASED_HLT, 0x80) \
    X(CPU_BASED_INVLPG, 0x200) X(CPU_BASED_MWAIT, 0x400) X(CPU_BASED_RDPMC, 0x800) \
    X(CPU_BASED_RDTSC, 0x1000) X(CPU_BASED_CR3_LOAD, 0x8000) \
    X(CPU_BASED_CR3_STORE, 0x10000) X(CPU_BASED_CR8_LOAD, 0x80000) \
    X(CPU_BASED_CR8_STORE, 0x100000) X(CPU_BASED_TPR_SHADOW, 0x200000) \
    X(CPU_BASED_VIRTUAL_NMI_WND, 0x400000) X(CPU_BASED_MOV_DR, 0x800000) \
    X(CPU_BASED_UNCOND_IO, 0x1000000) X(CPU_BASED_IO_BITMAPS, 0x2000000) \
    X(CPU_BASED_MTF, 0x8000000) X(CPU_BASED_MSR_BITMAPS, 0x10000000) \
    X(CPU_BASED_MONITOR, 0x20000000) X(CPU_BASED_PAUSE, 0x40000000) \
    X(CPU_BASED_SECONDARY_CTLS, 0x80000000) \
    X(CPU_BASED2_VIRTUAL_APIC, 0x1) X(CPU_BASED2_EPT, 0x2) X(CPU_BASED2_DESC_TABLE, 0x4) \
    X(CPU_BASED2_RDTSCP, 0x8) X(CPU_BASED2_X2APIC, 0x10) X(CPU_BASED2_VPID, 0x20) \
    X(CPU_BASED2_WBINVD, 0x40) X(CPU_BASED2_UNRESTRICTED, 0x80) \
    X(CPU_BASED2_APIC_REG_VIRT, 0x100) X(CPU_BASED2_VIRT_INTR_DELIVERY, 0x200) \
    X(CPU_BASED2_PAUSE_LOOP, 0x400) X(CPU_BASED2_RDRAND, 0x800) \
    X(CPU_BASED2_INVPCID, 0x1000) X(CPU_BASED2_VMFUNC, 0x2000) \
    X(CPU_BASED2_VMCS_SHADOW, 0x4000) X(CPU_BASED2_RDSEED, 0x10000) \
    X(CPU_BASED2_EPT_VE, 0x40000) X(CPU_BASED2_XSAVES_XRSTORS, 0x100000) \
    X(VMEXIT_SAVE_DBG_CONTROLS, 0x4) X(VMEXIT_HOST_IA32E, 0x200) \
    X(VMEXIT_LOAD_IA32_PERF_GLOBAL_CTRL, 0x1000) X(VMEXIT_ACK_INTR, 0x8000) \
    X(VMEXIT_SAVE_IA32_PAT, 0x40000) X(VMEXIT_LOAD_IA32_PAT, 0x80000) \
    X(VMEXIT_SAVE_EFER, 0x100000) X(VMEXIT_LOAD_EFER, 0x200000) \
    X(VMEXIT_SAVE_VMX_TIMER, 0x400000) X(VMEXIT_LOAD_PKRS, 0x20000000) \
    X(VMENTRY_LOAD_DBG_CONTROLS, 0x4) X(VMENTRY_GUEST_IA32E, 0x200) \
    X(VMENTRY_SMM, 0x400) X(VMENTRY_DEACTIVATE_DUAL_MONITOR, 0x800) \
    X(VMENTRY_LOAD_IA32_PERF_GLOBAL_CTRL, 0x2000) X(VMENTRY_LOAD_IA32_PAT, 0x4000) \
    X(VMENTRY_LOAD_EFER, 0x8000) X(VMENTRY_LOAD_PKRS, 0x400000) \
    X(IRQ_INFO_VECTOR_MASK, 0xff) X(IRQ_INFO_EXT_IRQ, 0x000) X(IRQ_INFO_NMI, 0x200) \
    X(IRQ_INFO_HARD_EXC, 0x300) X(IRQ_INFO_SOFT_IRQ, 0x400) \
    X(IRQ_INFO_PRIV_SOFT_EXC, 0x500) X(IRQ_INFO_SOFT_EXC, 0x600) \
    X(IRQ_INFO_ERROR_VALID, 0x800) X(IRQ_INFO_VALID, 0x80000000) \
    X(GUEST_INTRBILITY_STI_BLOCKING, 0x1) X(GUEST_INTRBILITY_MOVSS_BLOCKING, 0x2) \
    X(GUEST_INTRBILITY_SMI_BLOCKING, 0x4) X(GUEST_INTRBILITY_NMI_BLOCKING, 0x8)

#define EXIT_REASONS(X) \
    X(VMX_REASON_EXC_NMI, 0) X(VMX_REASON_IRQ, 1) X(VMX_REASON_TRIPLE_FAULT, 2) \
    X(VMX_REASON_INIT, 3) X(VMX_REASON_SIPI, 4) X(VMX_REASON_IO_SMI, 5) \
    X(VMX_REASON_OTHER_SMI, 6) X(VMX_REASON_IRQ_WND, 7) \
    X(VMX_REASON_VIRTUAL_NMI_WND, 8) X(VMX_REASON_TASK, 9) X(VMX_REASON_CPUID, 10) \
    X(VMX_REASON_GETSEC, 11) X(VMX_REASON_HLT, 12) X(VMX_REASON_INVD, 13) \
    X(VMX_REASON_INVLPG, 14) X(VMX_REASON_RDPMC, 15) X(VMX_REASON_RDTSC, 16) \
    X(VMX_REASON_RSM, 17) X(VMX_REASON_VMCALL, 18) X(VMX_REASON_VMCLEAR, 19) \
    X(VMX_REASON_VMLAUNCH, 20) X(VMX_REASON_VMPTRLD, 21) X(VMX_REASON_VMPTRST, 22) \
    X(VMX_REASON_VMREAD, 23) X(VMX_REASON_VMRESUME, 24) X(VMX_REASON_VMWRITE, 25) \
    X(VMX_REASON_VMOFF, 26) X(VMX_REASON_VMON, 27) X(VMX_REASON_MOV_CR, 28) \
    X(VMX_REASON_MOV_DR, 29) X(VMX_REASON_IO, 30) X(VMX_REASON_RDMSR, 31) \
    X(VMX_REASON_WRMSR, 32) X(VMX_REASON_VMENTRY_GUEST, 33) \
    X(VMX_REASON_VMENTRY_MSR, 34) X(VMX_REASON_MWAIT, 36) X(VMX_REASON_MTF, 37) \
    X(VMX_REASON_MONITOR, 39) X(VMX_REASON_PAUSE, 40) X(VMX_REASON_VMENTRY_MC, 41) \
    X(VMX_REASON_TPR_THRESHOLD, 43) X(VMX_REASON_APIC_ACCESS, 44) \
    X(VMX_REASON_VIRTUALIZED_EOI, 45) X(VMX_REASON_GDTR_IDTR, 46) \
    X(VMX_REASON_LDTR_TR, 47) X(VMX_REASON_EPT_VIOLATION, 48) \
    X(VMX_REASON_EPT_MISCONFIG, 49) X(VMX_REASON_EPT_INVEPT, 50) \
    X(VMX_REASON_RDTSCP, 51) X(VMX_REASON_VMX_TIMER_EXPIRED, 52) \
    X(VMX_REASON_INVVPID, 53) X(VMX_REASON_WBINVD, 54) X(VMX_REASON_XSETBV, 55) \
    X(VMX_REASON_APIC_WRITE, 56) X(VMX_REASON_RDRAND, 57) X(VMX_REASON_INVPCID, 58) \
    X(VMX_REASON_VMFUNC, 59) X(VMX_REASON_ENCLS, 60) X(VMX_REASON_RDSEED, 61) \
    X(VMX_REASON_PML_FULL, 62) X(VMX_REASON_XSAVES, 63) X(VMX_REASON_XRSTORS, 64) \
    X(VMX_REASON_SPP_EVENT, 66) X(VMX_REASON_UMWAIT, 67) X(VMX_REASON_TPAUSE, 68)

#define ALL_VALUES(X) \
    RETURN_CODES(X) TYPE_VALUES(X) X86_REGS(X) VMX_CAPS(X) VMCS_FIELDS(X) \
    CONTROL_BITS(X) EXIT_REASONS(X)

/* Compile time: every value. */
#define HVF_ASSERT(name, want) \
    _Static_assert((unsigned long long)(name) == (unsigned long long)(want), #name);
ALL_VALUES(HVF_ASSERT)

/* Types as Apple declares them. */
#define SAME_TYPE(expr, type) _Generic((expr), type: 1, default: 0)
_Static_assert(SAME_TYPE((hv_return_t)0, int), "hv_return_t is a mach_error_t (int)");
_Static_assert(SAME_TYPE((hv_vcpuid_t)0, unsigned), "hv_vcpuid_t");
_Static_assert(SAME_TYPE((hv_vm_space_t)0, unsigned), "hv_vm_space_t");
_Static_assert(SAME_TYPE((hv_gpaddr_t)0, uint64_t), "hv_gpaddr_t");
_Static_assert(SAME_TYPE((hv_uvaddr_t)0, const void *), "hv_uvaddr_t");
_Static_assert(SAME_TYPE((hv_capability_t)0, uint64_t), "hv_capability_t");
_Static_assert(SAME_TYPE((hv_vm_options_t)0, uint64_t), "hv_vm_options_t");
_Static_assert(SAME_TYPE((hv_vcpu_options_t)0, uint64_t), "hv_vcpu_options_t");
_Static_assert(SAME_TYPE((hv_memory_flags_t)0, uint64_t), "hv_memory_flags_t");
_Static_assert(SAME_TYPE((hv_msr_flags_t)0, uint32_t), "hv_msr_flags_t");
_Static_assert(SAME_TYPE((hv_allocate_flags_t)0, uint64_t), "hv_allocate_flags_t");
_Static_assert(SAME_TYPE((hv_shadow_flags_t)0, uint64_t), "hv_shadow_flags_t");
_Static_assert(SAME_TYPE((hv_vmx_msr_info_t)0, uint64_t), "hv_vmx_msr_info_t");
_Static_assert(SAME_TYPE(HV_DEADLINE_FOREVER, uint64_t), "HV_DEADLINE_FOREVER");
_Static_assert(sizeof(hv_x86_reg_t) == 4 && sizeof(hv_vmx_capability_t) == 4, "enums");

/* Prototypes with Apple's parameter types (unevaluated: nothing to link). */
#define PROTO(fn, type) _Static_assert(SAME_TYPE(&fn, type), #fn);
PROTO(hv_capability, hv_return_t (*)(hv_capability_t, uint64_t *))
PROTO(hv_vm_create, hv_return_t (*)(hv_vm_options_t))
PROTO(hv_vm_destroy, hv_return_t (*)(void))
PROTO(hv_vm_allocate, hv_return_t (*)(void **, size_t, hv_allocate_flags_t))
PROTO(hv_vm_deallocate, hv_return_t (*)(void *, size_t))
PROTO(hv_vm_space_create, hv_return_t (*)(hv_vm_space_t *))
PROTO(hv_vm_space_destroy, hv_return_t (*)(hv_vm_space_t))
PROTO(hv_vm_map, hv_return_t (*)(hv_uvaddr_t, hv_gpaddr_t, size_t, hv_memory_flags_t))
PROTO(hv_vm_unmap, hv_return_t (*)(hv_gpaddr_t, size_t))
PROTO(hv_vm_protect, hv_return_t (*)(hv_gpaddr_t, size_t, hv_memory_flags_t))
PROTO(hv_vm_map_space, hv_return_t (*)(hv_vm_space_t, hv_uvaddr_t, hv_gpaddr_t, size_t,
                                       hv_memory_flags_t))
PROTO(hv_vm_unmap_space, hv_return_t (*)(hv_vm_space_t, hv_gpaddr_t, size_t))
PROTO(hv_vm_protect_space, hv_return_t (*)(hv_vm_space_t, hv_gpaddr_t, size_t,
                                           hv_memory_flags_t))
PROTO(hv_vm_sync_tsc, hv_return_t (*)(uint64_t))
PROTO(hv_tsc_clock, uint64_t (*)(void))
PROTO(hv_vcpu_set_tsc_relative, hv_return_t (*)(hv_vcpuid_t, int64_t))
PROTO(hv_vcpu_create, hv_return_t (*)(hv_vcpuid_t *, hv_vcpu_options_t))
PROTO(hv_vcpu_destroy, hv_return_t (*)(hv_vcpuid_t))
PROTO(hv_vcpu_set_space, hv_return_t (*)(hv_vcpuid_t, hv_vm_space_t))
PROTO(hv_vcpu_read_register, hv_return_t (*)(hv_vcpuid_t, hv_x86_reg_t, uint64_t *))
PROTO(hv_vcpu_write_register, hv_return_t (*)(hv_vcpuid_t, hv_x86_reg_t, uint64_t))
PROTO(hv_vcpu_read_fpstate, hv_return_t (*)(hv_vcpuid_t, void *, size_t))
PROTO(hv_vcpu_write_fpstate, hv_return_t (*)(hv_vcpuid_t, void *, size_t))
PROTO(hv_vcpu_enable_native_msr, hv_return_t (*)(hv_vcpuid_t, uint32_t, bool))
PROTO(hv_vcpu_enable_managed_msr, hv_return_t (*)(hv_vcpuid_t, uint32_t, bool))
PROTO(hv_vcpu_set_msr_access, hv_return_t (*)(hv_vcpuid_t, uint32_t, hv_msr_flags_t))
PROTO(hv_vcpu_read_msr, hv_return_t (*)(hv_vcpuid_t, uint32_t, uint64_t *))
PROTO(hv_vcpu_write_msr, hv_return_t (*)(hv_vcpuid_t, uint32_t, uint64_t))
PROTO(hv_vcpu_flush, hv_return_t (*)(hv_vcpuid_t))
PROTO(hv_vcpu_invalidate_tlb, hv_return_t (*)(hv_vcpuid_t))
PROTO(hv_vcpu_run, hv_return_t (*)(hv_vcpuid_t))
PROTO(hv_vcpu_run_until, hv_return_t (*)(hv_vcpuid_t, uint64_t))
PROTO(hv_vcpu_interrupt, hv_return_t (*)(hv_vcpuid_t *, unsigned int))
PROTO(hv_vcpu_get_exec_time, hv_return_t (*)(hv_vcpuid_t, uint64_t *))
PROTO(hv_vmx_vcpu_read_vmcs, hv_return_t (*)(hv_vcpuid_t, uint32_t, uint64_t *))
PROTO(hv_vmx_vcpu_write_vmcs, hv_return_t (*)(hv_vcpuid_t, uint32_t, uint64_t))
PROTO(hv_vmx_vcpu_get_cap_write_vmcs,
      hv_return_t (*)(hv_vcpuid_t, uint32_t, uint64_t *, uint64_t *))
PROTO(hv_vmx_vcpu_read_shadow_vmcs, hv_return_t (*)(hv_vcpuid_t, uint32_t, uint64_t *))
PROTO(hv_vmx_vcpu_write_shadow_vmcs, hv_return_t (*)(hv_vcpuid_t, uint32_t, uint64_t))
PROTO(hv_vmx_vcpu_set_shadow_access,
      hv_return_t (*)(hv_vcpuid_t, uint32_t, hv_shadow_flags_t))
PROTO(hv_vmx_read_capability, hv_return_t (*)(hv_vmx_capability_t, uint64_t *))
PROTO(hv_vmx_get_msr_info, hv_return_t (*)(hv_vmx_msr_info_t, uint64_t *))
PROTO(hv_vmx_vcpu_set_apic_address, hv_return_t (*)(hv_vcpuid_t, hv_gpaddr_t))

/* Run time: the same values, one table, a failure names the constant. */
struct hvf_value { const char *name; unsigned long long got, want; };
#define HVF_ENTRY(name, want) \
    { #name, (unsigned long long)(name), (unsigned long long)(want) },
static const struct hvf_value hvf_values[] = { ALL_VALUES(HVF_ENTRY) };

static unsigned check_table(const struct hvf_value *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].got != t[i].want)
            ut_fail_eq(__FILE__, __LINE__, t[i].name, "documented value", t[i].got, t[i].want);
    return (unsigned)n;
}

UT_TEST(hvf_header_values)
{
    size_t n = sizeof hvf_values / sizeof hvf_values[0];
    CHECK_EQ(check_table(hvf_values, n), n);
    /* 9 return codes + 2 bases, 31 type values, 52 register ids, 27
     * capability and MSR-info ids, 175 field checks (167 ids, 8 of them
     * again as plain numbers), 79 bits, 65 exit reasons */
    CHECK_EQ(n, 440);
}

UT_TEST(hvf_header_register_order)
{
    /* The register ids are dense and in Apple's order: 51 registers. */
    static const hv_x86_reg_t regs[] = {
#define HVF_REG(name, want) name,
        X86_REGS(HVF_REG)
#undef HVF_REG
    };
    CHECK_EQ(sizeof regs / sizeof regs[0], HV_X86_REGISTERS_MAX + 1);
    for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++)
        CHECK_EQ(regs[i], i);
}

UT_TEST(hvf_header_vmcs_widths)
{
    /* Field widths follow the encoding: bits 14:13. */
    CHECK_EQ((VMCS_GUEST_IA32_EFER >> 13) & 3, 1);     /* 64-bit */
    CHECK_EQ((VMCS_RO_EXIT_REASON >> 13) & 3, 2);      /* 32-bit */
    CHECK_EQ((VMCS_GUEST_CS >> 13) & 3, 0);            /* 16-bit */
    CHECK_EQ((VMCS_GUEST_RIP >> 13) & 3, 3);           /* natural */
    /* No id is a "high" access (bit 0): the API reads whole fields. */
    static const struct hvf_value fields[] = { VMCS_FIELDS(HVF_ENTRY) };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        CHECK_EQ(fields[i].got & 1, 0);
}
