/*
 * What vmx/entry.asm shares with C, generated into vmx_offsets.inc (see
 * asm_offsets.h): where the guest registers, CR2 and the launched and
 * attention flags live in struct vcpu, and the VMCS fields it writes.
 * Not kernel code: compiled with -S only.
 */
#include "asm_offsets.h"
#include "vcpu.h"
#include "vmcs_fields.h"

/* entry.asm moves whole registers and tests the flags as bytes. */
#define VCPU_FIELD_SIZE(f) sizeof(((struct vcpu *)0)->f)
_Static_assert(VCPU_FIELD_SIZE(regs[0]) == 8, "entry.asm: a guest register is 8 bytes");
_Static_assert(VCPU_FIELD_SIZE(cr2) == 8, "entry.asm: cr2 is 8 bytes");
_Static_assert(VCPU_FIELD_SIZE(launched) == 1, "entry.asm: launched is a byte");
_Static_assert(VCPU_FIELD_SIZE(attention) == 1, "entry.asm: attention is a byte");

void asm_offsets(void);
void asm_offsets(void)
{
    /* The guest's GPRs in regs[], by enum gpr (RSP lives in the VMCS). */
    ASM_CONST(VCPU_RAX, offsetof(struct vcpu, regs[GPR_RAX]));
    ASM_CONST(VCPU_RCX, offsetof(struct vcpu, regs[GPR_RCX]));
    ASM_CONST(VCPU_RDX, offsetof(struct vcpu, regs[GPR_RDX]));
    ASM_CONST(VCPU_RBX, offsetof(struct vcpu, regs[GPR_RBX]));
    ASM_CONST(VCPU_RBP, offsetof(struct vcpu, regs[GPR_RBP]));
    ASM_CONST(VCPU_RSI, offsetof(struct vcpu, regs[GPR_RSI]));
    ASM_CONST(VCPU_RDI, offsetof(struct vcpu, regs[GPR_RDI]));
    ASM_CONST(VCPU_R8, offsetof(struct vcpu, regs[GPR_R8]));
    ASM_CONST(VCPU_R9, offsetof(struct vcpu, regs[GPR_R9]));
    ASM_CONST(VCPU_R10, offsetof(struct vcpu, regs[GPR_R10]));
    ASM_CONST(VCPU_R11, offsetof(struct vcpu, regs[GPR_R11]));
    ASM_CONST(VCPU_R12, offsetof(struct vcpu, regs[GPR_R12]));
    ASM_CONST(VCPU_R13, offsetof(struct vcpu, regs[GPR_R13]));
    ASM_CONST(VCPU_R14, offsetof(struct vcpu, regs[GPR_R14]));
    ASM_CONST(VCPU_R15, offsetof(struct vcpu, regs[GPR_R15]));

    ASM_CONST(VCPU_CR2, offsetof(struct vcpu, cr2));
    ASM_CONST(VCPU_LAUNCHED, offsetof(struct vcpu, launched));
    ASM_CONST(VCPU_ATTENTION, offsetof(struct vcpu, attention));

    ASM_CONST(VMCS_HOST_RSP, VMCS_HOST_RSP);
}
