; cpu_model [32-bit protected mode, then PAE paging, then long mode]: checks
; from inside the CPU model the kernel presents (vmx/cpu_model.c).
;   CPUID: hypervisor bit and "HVMicroVisor", hidden features (VMX, SMX,
;     MONITOR, PDCM, perfmon: leaf 0xA = 0), x2APIC and TSC-deadline shown, APIC ID 0
;     in leaves 1 and 0xB, invariant TSC, leaves 0x15/0x16/0x40000010
;     non-zero and consistent, OSXSAVE following CR4.OSXSAVE.
;   XSAVE: leaf 0xD against XSETBV (every offered XCR0 is accepted, every
;     bit outside it #GPs) and the sizes leaf 0xD reports per XCR0.
;   Instructions agree with CPUID: RDTSCP, RDPID, INVPCID work when shown
;     and #UD when hidden; MONITOR/MWAIT #UD; RDPMC #GPs (no counters).
;   MSRs: every architectural MSR in msr_table reads without #GP, and its
;     value writes back (or #GPs, for read-only ones); MSRs the model lacks
;     and unknown numbers #GP on read and write; reserved-bit writes #GP
;     (EFER, PAT, MTRRs, canonical addresses, APIC base, TSC_AUX); MTRRs and
;     the TSC read back what was written.
;   CRs: VMXE/SMXE #GP, guest-owned and shadowed CR0/CR4 bits read back,
;     NW without CD #GP, PAE paging with PDPTEs loaded on CR0.PG (and a
;     reserved PDPTE bit #GPs), the long-mode switch (EFER.LME, then CR0.PG:
;     EFER.LMA), then in 64-bit mode: canonical checks, SWAPGS with
;     KERNEL_GS_BASE, CR4.LA57 and CR0.PG changes #GP, PCIDE, CR8.
; Every expected fault is caught by the guest's own IDT handler and counted.
; Console: one line per failed check ("FAIL ..."), then
;   "N checks, F failed, G #GP and U #UD caught (expected G' and U')".
; Exit status: 0 every check passed; 1 some check failed; 2 a fault nobody
;   expected (its vector and EIP are printed); 3 the fault counts differ.
        bits 32
        org 0x8000
%include "lib.inc"

NVEC        equ 32
SCRATCH     equ 0x20000             ; free RAM for memory checks
PAE_PDPT    equ 0x10000             ; PAE paging: PDPT, PD for 0-1 GiB, PD for 1-2 GiB
PAE_PD0     equ 0x11000
PAE_PD1     equ 0x12000
LM_PML4     equ 0x13000             ; 4-level paging: PML4, PDPT, PD (first 2 MiB)
LM_PDPT     equ 0x14000
LM_PD       equ 0x15000
ALIAS       equ 0x40000000          ; PAE: linear 1 GiB maps physical 0

MSR_TSC         equ 0x10
MSR_APIC_BASE   equ 0x1b
MSR_FEATURE_CONTROL equ 0x3a
MSR_SPEC_CTRL   equ 0x48
MSR_PRED_CMD    equ 0x49
MSR_BIOS_SIGN_ID equ 0x8b
MSR_MTRRCAP     equ 0xfe
MSR_MISC_ENABLE equ 0x1a0
MSR_PAT         equ 0x277
MSR_MTRR_BASE0  equ 0x200
MSR_MTRR_MASK0  equ 0x201
MSR_MTRR_FIX64K equ 0x250
MSR_MTRR_FIX4K_C0000 equ 0x268
MSR_MTRR_DEF_TYPE equ 0x2ff
MSR_SYSENTER_EIP equ 0x176
MSR_EFER        equ 0xc0000080
MSR_LSTAR       equ 0xc0000082
MSR_GS_BASE     equ 0xc0000101
MSR_KERNEL_GS_BASE equ 0xc0000102
MSR_TSC_AUX     equ 0xc0000103

; msr_table flags: which CPUID feature the MSR needs (none: always there) ...
C_TSC_AUX   equ 1                   ; RDTSCP or RDPID
C_SPEC_CTRL equ 2                   ; IBRS/IBPB, STIBP or SSBD
C_ARCH_CAP  equ 4
C_PKRS      equ 8
C_IBPB      equ 16
; ... and what a write of the value read does.
W_OK        equ 0x100               ; accepted
W_GP        equ 0x200               ; #GP: a read-only MSR
WRITE_ONLY  equ 0x400               ; reads #GP, writing 0 is accepted

; EXPECT cc, msg: count a check; unless the flags satisfy cc, report msg
; (with the value in [cur]) as failed. Preserves all registers and flags.
%macro EXPECT 2
        j%+1 %%ok
        push esi
        mov esi, %2
        call fail
        pop esi
%%ok:   pushfd
        inc dword [checks]
        popfd
%endmacro

; EXPECT_GP / EXPECT_NO_FAULT: after a try_* call (CF = it faulted).
%macro EXPECT_GP 1
        inc dword [gp_expected]
        EXPECT c, %1
%endmacro
%macro EXPECT_UD 1
        inc dword [ud_expected]
        EXPECT c, %1
%endmacro
%macro EXPECT_NO_FAULT 1
        EXPECT nc, %1
%endmacro

start:  lgdt [gdtr]                             ; our own: under the root task's VMM
        jmp CODE_SEL:.cs                        ; GDTR is not set up (Multiboot state)
.cs:    mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        call idt32_init
        PUTS hello

; ---- CPUID -------------------------------------------------------------------------
        mov eax, 1
        xor ecx, ecx
        cpuid
        mov [l1_ecx], ecx
        mov [l1_edx], edx
        mov [l1_ebx], ebx
        bt ecx, 31
        EXPECT c, m_hv_bit
        test ecx, (1 << 5) | (1 << 6)
        EXPECT z, m_vmx_smx
        test ecx, (1 << 3) | (1 << 15)
        EXPECT z, m_monitor_pdcm
        and ecx, (1 << 21) | (1 << 24)
        cmp ecx, (1 << 21) | (1 << 24)
        EXPECT e, m_x2apic
        test ecx, 1 << 27
        EXPECT z, m_osxsave_early
        shr ebx, 24
        EXPECT z, m_apic_id

        mov eax, 0x40000000
        xor ecx, ecx
        cpuid
        mov [hv_max], eax
        cmp eax, 0x40000000
        EXPECT ae, m_hv_max
        cmp ebx, 'HVMi'
        EXPECT e, m_signature
        cmp ecx, 'croV'
        EXPECT e, m_signature
        cmp edx, 'isor'
        EXPECT e, m_signature

        xor eax, eax
        cpuid
        mov [max_basic], eax
        cmp eax, 0x16
        EXPECT ae, m_max_basic
        mov eax, 0x80000000
        cpuid
        mov [max_ext], eax
        cmp eax, 0x80000008
        EXPECT ae, m_max_ext

        mov eax, 0xa                ; no architectural performance monitoring
        xor ecx, ecx
        cpuid
        or eax, ebx
        or eax, edx
        EXPECT z, m_perfmon

        mov eax, 0xb                ; x2APIC topology: ID 0, SMT level, one thread
        xor ecx, ecx
        cpuid
        mov [cur], edx
        test edx, edx
        EXPECT z, m_topology
        mov [cur], ecx
        cmp ecx, 0x100
        EXPECT e, m_topology
        mov [cur], ebx
        cmp ebx, 1
        EXPECT e, m_topology

        mov eax, 0x80000007
        cpuid
        bt edx, 8
        EXPECT c, m_invariant_tsc

        mov eax, 0x80000001
        cpuid
        mov [e1_edx], edx
        mov eax, 0x80000008
        cpuid
        movzx eax, al
        mov [phys_bits], eax

        mov eax, 7
        xor ecx, ecx
        cpuid
        mov [l7_ebx], ebx
        mov [l7_ecx], ecx
        mov [l7_edx], edx

        call check_tsc_leaves
        call msr_conditions

; ---- instructions agree with CPUID -------------------------------------------------
        mov dword [cur], 0
        call try_monitor
        EXPECT_UD m_monitor_ud
        call try_mwait
        EXPECT_UD m_mwait_ud
        xor ecx, ecx
        call try_rdpmc
        EXPECT_GP m_rdpmc_gp

        test dword [e1_edx], 1 << 27            ; RDTSCP
        jz .no_rdtscp
        mov ecx, MSR_TSC_AUX
        mov eax, 0x42
        xor edx, edx
        call try_wrmsr
        EXPECT_NO_FAULT m_tsc_aux_write
        call try_rdtscp
        EXPECT_NO_FAULT m_rdtscp
        mov [cur], ecx
        cmp ecx, 0x42
        EXPECT e, m_rdtscp_aux
        jmp .rdpid
.no_rdtscp:
        call try_rdtscp
        EXPECT_UD m_rdtscp_hidden
.rdpid: test dword [l7_ecx], 1 << 22            ; RDPID
        jz .no_rdpid
        call try_rdpid
        EXPECT_NO_FAULT m_rdpid
        jmp .invpcid
.no_rdpid:
        call try_rdpid
        EXPECT_UD m_rdpid_hidden
.invpcid:
        test dword [l7_ebx], 1 << 10            ; INVPCID
        jz .no_invpcid
        call try_invpcid
        EXPECT_NO_FAULT m_invpcid
        jmp .insns_done
.no_invpcid:
        call try_invpcid
        EXPECT_UD m_invpcid_hidden
.insns_done:

        call check_xsave
        call check_msrs
        call check_mtrrs
        call check_reserved_writes
        call check_cr
        call check_pae
        jmp long_mode_switch

; ---- leaves 0x15, 0x16, 0x40000010 ---------------------------------------------------
; TSC Hz = ECX * EBX / EAX of leaf 0x15, computed in kHz: it must equal leaf
; 0x40000010 EAX (kHz) and round to leaf 0x16 EAX (MHz).
check_tsc_leaves:
        mov eax, 0x15
        xor ecx, ecx
        cpuid
        mov [cur], eax
        test eax, eax
        EXPECT nz, m_leaf15
        test ebx, ebx
        EXPECT nz, m_leaf15
        test ecx, ecx
        EXPECT nz, m_leaf15
        jz .done
        mov esi, eax                            ; denominator
        mov eax, ecx
        xor edx, edx
        mov ecx, 1000
        div ecx                                 ; crystal kHz
        mov [cur], edx
        test edx, edx
        EXPECT z, m_leaf15_khz
        mul ebx                                 ; EDX:EAX = crystal kHz * numerator
        div esi                                 ; TSC kHz
        mov [cur], edx
        test edx, edx
        EXPECT z, m_leaf15_exact
        mov [tsc_khz], eax

        mov eax, 0x40000010
        cpuid
        mov [cur], eax
        cmp eax, [tsc_khz]
        EXPECT e, m_leaf40000010

        mov eax, 0x16
        xor ecx, ecx
        cpuid
        mov [cur], eax
        test eax, eax
        EXPECT nz, m_leaf16
        test ecx, ecx
        EXPECT nz, m_leaf16
        cmp ebx, eax
        EXPECT ae, m_leaf16
        mov ebx, eax                            ; base MHz
        mov eax, [tsc_khz]
        add eax, 500
        xor edx, edx
        mov ecx, 1000
        div ecx
        mov [cur], eax
        cmp eax, ebx
        EXPECT e, m_leaf16_tsc
.done:  ret

; ---- XSAVE: leaf 0xD against XSETBV ---------------------------------------------------
check_xsave:
        test dword [l1_ecx], 1 << 26
        jnz .have
        mov eax, cr4                            ; no XSAVE: CR4.OSXSAVE is reserved
        or eax, 1 << 18
        call try_mov_cr4
        EXPECT_GP m_osxsave_reserved
        ret
.have:  mov eax, cr4
        or eax, 1 << 18
        call try_mov_cr4
        EXPECT_NO_FAULT m_osxsave_set
        mov eax, 1
        xor ecx, ecx
        cpuid
        bt ecx, 27
        EXPECT c, m_osxsave_cpuid

        xor ecx, ecx
        xgetbv
        mov [cur], eax
        cmp eax, 1                              ; the reset value: x87 only
        EXPECT e, m_xcr0_reset

        mov eax, 0xd
        xor ecx, ecx
        cpuid
        mov [xcr0_lo], eax
        mov [xcr0_hi], edx
        mov [xsave_max], ecx
        mov [cur], eax
        and eax, 3
        cmp eax, 3
        EXPECT e, m_xcr0_x87_sse

        ; The whole offered mask is accepted; then the size for it is the maximum.
        mov eax, [xcr0_lo]
        mov edx, [xcr0_hi]
        xor ecx, ecx
        call try_xsetbv
        EXPECT_NO_FAULT m_xsetbv_all
        xor ecx, ecx
        xgetbv
        cmp eax, [xcr0_lo]
        EXPECT e, m_xgetbv
        mov eax, 0xd
        xor ecx, ecx
        cpuid
        mov [cur], ebx
        cmp ebx, [xsave_max]
        EXPECT e, m_xsave_size_all

        ; Each offered component beyond SSE has a size and an offset past the header.
        mov ebx, 2
.comp:  bt [xcr0_lo], ebx
        jnc .next_comp
        mov eax, 0xd
        mov ecx, ebx
        push ebx
        cpuid
        mov [cur], ebx
        cmp ebx, 576
        pop ebx
        EXPECT ae, m_xsave_component
        mov [cur], eax
        test eax, eax
        EXPECT nz, m_xsave_component
.next_comp:
        inc ebx
        cmp ebx, 32
        jb .comp

        ; Every bit outside the offered mask is refused.
        xor ebx, ebx
.bits:  mov eax, [xcr0_lo]
        mov edx, [xcr0_hi]
        cmp ebx, 32
        jae .high
        bt eax, ebx
        jc .next_bit
        bts eax, ebx
        jmp .try_bit
.high:  mov ecx, ebx
        sub ecx, 32
        bt edx, ecx
        jc .next_bit
        bts edx, ecx
.try_bit:
        mov [cur], ebx
        xor ecx, ecx
        call try_xsetbv
        EXPECT_GP m_xsetbv_bit
.next_bit:
        inc ebx
        cmp ebx, 64
        jb .bits

        ; The XSETBV rules: x87 always on, AVX needs SSE, XCR1 does not exist.
        mov dword [cur], 2
        mov eax, 2
        xor edx, edx
        xor ecx, ecx
        call try_xsetbv
        EXPECT_GP m_xsetbv_rule
        test dword [xcr0_lo], 4
        jz .no_avx
        mov dword [cur], 5
        mov eax, 5
        xor edx, edx
        xor ecx, ecx
        call try_xsetbv
        EXPECT_GP m_xsetbv_rule
.no_avx:
        mov dword [cur], 1
        mov eax, 3
        xor edx, edx
        mov ecx, 1
        call try_xsetbv
        EXPECT_GP m_xsetbv_rule

        ; x87 + SSE: the size is the legacy area plus the header.
        mov eax, 3
        xor edx, edx
        xor ecx, ecx
        call try_xsetbv
        EXPECT_NO_FAULT m_xsetbv_all
        mov eax, 0xd
        xor ecx, ecx
        cpuid
        mov [cur], ebx
        cmp ebx, 576
        EXPECT e, m_xsave_size_sse
        ret

; ---- MSRs: read, write back, presence per CPUID -----------------------------------------
; Which conditional MSRs the CPUID above shows.
msr_conditions:
        xor eax, eax
        test dword [e1_edx], 1 << 27            ; RDTSCP
        jnz .aux
        test dword [l7_ecx], 1 << 22            ; RDPID
        jz .spec
.aux:   or eax, C_TSC_AUX
.spec:  test dword [l7_edx], (1 << 26) | (1 << 27) | (1 << 31)
        jz .arch
        or eax, C_SPEC_CTRL
.arch:  test dword [l7_edx], 1 << 29
        jz .pkrs
        or eax, C_ARCH_CAP
.pkrs:  test dword [l7_ecx], 1 << 31
        jz .ibpb
        or eax, C_PKRS
.ibpb:  test dword [l7_edx], 1 << 26
        jz .done
        or eax, C_IBPB
.done:  mov [conditions], eax
        ret

check_msrs:
        mov esi, msr_table
.entry: mov ecx, [esi]
        test ecx, ecx
        jz .unknown
        mov ebx, [esi + 4]                      ; flags
        mov [cur], ecx
        mov eax, ebx
        and eax, 0xff
        jz .present
        test eax, [conditions]
        jnz .present
        ; The model lacks it: reads and writes #GP.
        call try_rdmsr
        EXPECT_GP m_absent_read
        xor eax, eax
        xor edx, edx
        call try_wrmsr
        EXPECT_GP m_absent_write
        jmp .next
.present:
        test ebx, WRITE_ONLY
        jz .readable
        call try_rdmsr
        EXPECT_GP m_write_only_read
        xor eax, eax
        xor edx, edx
        call try_wrmsr
        EXPECT_NO_FAULT m_write_only_write
        jmp .next
.readable:
        call try_rdmsr
        EXPECT_NO_FAULT m_read
        jc .next
        test ebx, W_OK | W_GP
        jz .next
        test ebx, W_GP
        jnz .ro
        call try_wrmsr                          ; the value just read
        EXPECT_NO_FAULT m_write_back
        jmp .next
.ro:    call try_wrmsr
        EXPECT_GP m_read_only
.next:  add esi, 8
        jmp .entry

.unknown:                                       ; MSRs hardware would refuse: #GP both ways
        mov esi, unknown_msrs
.u:     mov ecx, [esi]
        test ecx, ecx
        jz .values
        mov [cur], ecx
        call try_rdmsr
        EXPECT_GP m_unknown_read
        xor eax, eax
        xor edx, edx
        call try_wrmsr
        EXPECT_GP m_unknown_write
        add esi, 4
        jmp .u

.values:                                        ; what some of them must say
        mov ecx, MSR_MISC_ENABLE
        mov [cur], ecx
        rdmsr
        bt eax, 0
        EXPECT c, m_fast_strings
        test eax, 1 << 18                       ; MONITOR/MWAIT off, as CPUID says
        EXPECT z, m_misc_monitor
        mov ecx, MSR_FEATURE_CONTROL
        mov [cur], ecx
        rdmsr
        and eax, 5
        cmp eax, 1                              ; locked, VMX off
        EXPECT e, m_feature_control
        mov ecx, MSR_APIC_BASE
        mov [cur], ecx
        rdmsr
        and eax, 0xfffff900
        cmp eax, 0xfee00900                     ; at 0xfee00000, enabled, BSP
        EXPECT e, m_apic_base
        mov ecx, MSR_BIOS_SIGN_ID               ; microcode revision: write 0, CPUID, read
        xor eax, eax
        xor edx, edx
        wrmsr
        mov eax, 1
        cpuid
        mov ecx, MSR_BIOS_SIGN_ID
        mov [cur], ecx
        rdmsr
        test edx, edx
        EXPECT z, m_microcode
        mov ecx, MSR_MTRRCAP
        mov [cur], ecx
        rdmsr
        mov [mtrrcap], eax
        and eax, 0x5ff
        cmp eax, 0x508                          ; 8 variable ranges, fixed ranges, WC
        EXPECT e, m_mtrrcap
        mov ecx, MSR_EFER
        mov [cur], ecx
        rdmsr
        test eax, (1 << 8) | (1 << 10)          ; LME, LMA: not yet
        EXPECT z, m_efer_early

        ; RDMSR of the TSC and RDTSC agree (both offset, or both not), and a
        ; written TSC is what both read afterwards.
        mov ecx, MSR_TSC
        mov [cur], ecx
        rdtsc
        mov edi, edx
        rdmsr
        sub edx, edi
        cmp edx, 1
        EXPECT be, m_tsc_read
        mov eax, 0x00001000
        mov edx, 0x00000100                     ; TSC = 2^40 + 4096
        call try_wrmsr
        EXPECT_NO_FAULT m_tsc_write
        rdtsc
        cmp edx, 0x100                          ; within 2^32 ticks of the value
        EXPECT e, m_tsc_write_rdtsc
        mov ecx, MSR_TSC
        rdmsr
        cmp edx, 0x100
        EXPECT e, m_tsc_write_rdmsr
        ret

; MTRRs are stored per vCPU and read back.
check_mtrrs:
        mov ecx, MSR_MTRR_DEF_TYPE
        mov [cur], ecx
        mov eax, 0xc06                          ; enabled, fixed enabled, default WB
        xor edx, edx
        call try_wrmsr
        EXPECT_NO_FAULT m_mtrr_write
        rdmsr
        cmp eax, 0xc06
        EXPECT e, m_mtrr_readback
        mov ecx, MSR_MTRR_FIX64K
        mov [cur], ecx
        mov eax, 0x06060606
        mov edx, 0x00010405                     ; WB x4, WP, WT, WC, UC
        call try_wrmsr
        EXPECT_NO_FAULT m_mtrr_write
        rdmsr
        cmp edx, 0x00010405
        EXPECT e, m_mtrr_readback
        ; The last variable range: 2 GiB at 0, WB.
        mov ecx, [mtrrcap]
        and ecx, 0xff
        lea ecx, [MSR_MTRR_BASE0 + ecx * 2 - 2]
        mov [cur], ecx
        mov eax, 0x00000006
        xor edx, edx
        call try_wrmsr
        EXPECT_NO_FAULT m_mtrr_write
        inc ecx
        mov [cur], ecx
        call phys_mask_high                     ; EDX = mask bits 32..MAXPHYADDR-1
        mov eax, 0x80000800                     ; mask bit 31, valid
        call try_wrmsr
        EXPECT_NO_FAULT m_mtrr_write
        rdmsr
        mov edi, edx
        call phys_mask_high
        cmp edi, edx
        EXPECT e, m_mtrr_readback
        cmp eax, 0x80000800
        EXPECT e, m_mtrr_readback
        xor eax, eax                            ; back to disabled
        xor edx, edx
        wrmsr
        dec ecx
        wrmsr
        ret

; EDX = bits MAXPHYADDR-1 .. 32 set. Clobbers nothing else.
phys_mask_high:
        push ecx
        mov ecx, [phys_bits]
        sub ecx, 32
        mov edx, 1
        shl edx, cl
        dec edx
        pop ecx
        ret

; Reserved bits and invalid values #GP (SDM Vol. 3A 2.2.1, 11.11, 11.12; Vol. 4).
check_reserved_writes:
        mov edi, bad_writes
.next:  mov ecx, [edi]
        test ecx, ecx
        jz .special
        mov [cur], ecx
        mov eax, [edi + 4]
        mov edx, [edi + 8]
        call try_wrmsr
        EXPECT_GP m_reserved_write
        add edi, 12
        jmp .next
.special:
        mov ecx, MSR_MTRR_BASE0                 ; PHYSBASE0 at MAXPHYADDR
        mov [cur], ecx
        call phys_mask_high
        inc edx
        mov eax, 6
        call try_wrmsr
        EXPECT_GP m_reserved_write
        mov ecx, MSR_MTRR_MASK0                 ; PHYSMASK0 at MAXPHYADDR
        mov [cur], ecx
        call phys_mask_high
        inc edx
        mov eax, 0x800
        call try_wrmsr
        EXPECT_GP m_reserved_write
        test dword [conditions], C_TSC_AUX
        jz .done
        mov ecx, MSR_TSC_AUX                    ; bits 63:32 reserved
        mov [cur], ecx
        xor eax, eax
        mov edx, 1
        call try_wrmsr
        EXPECT_GP m_reserved_write
.done:  ret

; ---- control registers ---------------------------------------------------------------
check_cr:
        mov dword [cur], 4
        mov eax, cr4
        or eax, 1 << 13                         ; VMXE: VMX is hidden
        call try_mov_cr4
        EXPECT_GP m_cr4_vmxe
        mov eax, cr4
        or eax, 1 << 14                         ; SMXE: SMX is hidden
        call try_mov_cr4
        EXPECT_GP m_cr4_smxe
        mov eax, cr4
        or eax, 1 << 17                         ; PCIDE outside IA-32e mode
        call try_mov_cr4
        EXPECT_GP m_cr4_pcide32
        mov eax, cr4
        test eax, 1 << 13
        EXPECT z, m_cr4_vmxe_visible

        test dword [l1_edx], 1 << 13            ; PGE: the guest's, reads back
        jz .no_pge
        mov eax, cr4
        or eax, 1 << 7
        call try_mov_cr4
        EXPECT_NO_FAULT m_cr4_pge
        mov eax, cr4
        bt eax, 7
        EXPECT c, m_cr4_pge
        btr eax, 7
        mov cr4, eax
.no_pge:
        mov dword [cur], 0
        mov eax, cr0
        mov [cr0_saved], eax                    ; PE, ET: NE reads 0 (the start state)
        or eax, (1 << 16) | (1 << 18) | (1 << 5)    ; WP, AM (the guest's), NE (shadowed)
        call try_mov_cr0
        EXPECT_NO_FAULT m_cr0_write
        mov eax, cr0
        and eax, (1 << 16) | (1 << 18) | (1 << 5)
        cmp eax, (1 << 16) | (1 << 18) | (1 << 5)
        EXPECT e, m_cr0_readback
        mov eax, cr0
        or eax, (1 << 30) | (1 << 29)           ; CD, NW: read back, never applied
        call try_mov_cr0
        EXPECT_NO_FAULT m_cr0_cd
        mov eax, cr0
        and eax, (1 << 30) | (1 << 29)
        cmp eax, (1 << 30) | (1 << 29)
        EXPECT e, m_cr0_cd
        mov eax, cr0
        and eax, ~(1 << 30)                     ; NW without CD
        call try_mov_cr0
        EXPECT_GP m_cr0_nw
        mov eax, [cr0_saved]
        call try_mov_cr0
        EXPECT_NO_FAULT m_cr0_write
        mov eax, cr0
        cmp eax, [cr0_saved]
        EXPECT e, m_cr0_readback
        ret

; ---- PAE paging: PDPTEs loaded by the emulated MOV to CR0 ---------------------------------
check_pae:
        cld
        xor eax, eax
        mov edi, PAE_PDPT
        mov ecx, 6 * 4096 / 4                   ; PAE and long-mode tables
        rep stosd
        mov dword [PAE_PDPT], PAE_PD0 | 1
        mov dword [PAE_PDPT + 8], PAE_PD1 | 1
        mov dword [PAE_PD0], 0x83               ; 0-2 MiB identity
        mov dword [PAE_PD1], 0x83               ; 1 GiB -> 0
        mov eax, PAE_PDPT
        mov cr3, eax
        mov dword [cur], 4
        mov eax, cr4
        or eax, 1 << 5
        call try_mov_cr4
        EXPECT_NO_FAULT m_pae_on
        mov dword [cur], 0
        mov eax, cr0
        or eax, 1 << 31
        call try_mov_cr0
        EXPECT_NO_FAULT m_pae_pg
        jc .off
        mov dword [SCRATCH], 0
        mov dword [ALIAS + SCRATCH], 0x5aa5c33c ; through PDPTE 1
        cmp dword [SCRATCH], 0x5aa5c33c
        EXPECT e, m_pae_alias
        mov ecx, MSR_EFER
        rdmsr
        test eax, 1 << 10
        EXPECT z, m_pae_lma
        mov eax, cr0
        and eax, ~(1 << 31)
        mov cr0, eax
        ; A present PDPTE with a reserved bit (R/W): enabling paging #GPs.
        mov dword [PAE_PDPT + 24], PAE_PD1 | 3
        mov eax, cr0
        or eax, 1 << 31
        call try_mov_cr0
        EXPECT_GP m_pae_reserved
        mov dword [PAE_PDPT + 24], 0
        mov eax, cr0
        or eax, 1 << 31
        call try_mov_cr0
        EXPECT_NO_FAULT m_pae_pg
.off:   mov eax, cr0
        and eax, ~(1 << 31)
        mov cr0, eax
        ret

; ---- long mode ----------------------------------------------------------------------
long_mode_switch:
        mov dword [LM_PML4], LM_PDPT | 3
        mov dword [LM_PDPT], LM_PD | 3
        mov dword [LM_PD], 0x83
        mov ecx, MSR_EFER
        mov [cur], ecx
        rdmsr
        or eax, 1 << 8                          ; LME
        call try_wrmsr
        EXPECT_NO_FAULT m_efer_lme
        rdmsr
        and eax, (1 << 8) | (1 << 10)
        cmp eax, 1 << 8                         ; LME without LMA until paging
        EXPECT e, m_efer_lme
        mov eax, LM_PML4
        mov cr3, eax
        ; IA-32e mode needs CR4.PAE: without it CR0.PG #GPs.
        mov dword [cur], 0
        mov eax, cr4
        and eax, ~(1 << 5)
        mov cr4, eax
        mov eax, cr0
        or eax, 1 << 31
        call try_mov_cr0
        EXPECT_GP m_lm_needs_pae
        mov eax, cr4
        or eax, 1 << 5
        mov cr4, eax
        mov eax, cr0
        or eax, 1 << 31
        call try_mov_cr0                        ; compatibility mode from here
        EXPECT_NO_FAULT m_lm_pg
        jc .stay
        mov ecx, MSR_EFER
        mov [cur], ecx
        rdmsr
        bt eax, 10
        EXPECT c, m_efer_lma
        jmp dword 0x18:long64
.stay:  jmp finish32

; ---- fault handling (32-bit) ---------------------------------------------------------
; try_*: do one thing that may fault; CF = 1 when it raised the fault the
; handler caught (the handler resumes at [resume]).
%macro TRY 1+
        mov dword [resume], %%fault
        %1
        mov dword [resume], 0
        clc
        ret
%%fault:
        stc
        ret
%endmacro

try_rdmsr:   TRY rdmsr
try_wrmsr:   TRY wrmsr
try_mov_cr0: TRY mov cr0, eax
try_mov_cr4: TRY mov cr4, eax
try_xsetbv:  TRY xsetbv
try_rdpmc:   TRY rdpmc
try_rdtscp:  TRY rdtscp
try_rdpid:   TRY rdpid eax
try_invpcid:
        mov eax, 2                              ; all contexts, globals too
        TRY invpcid eax, [invpcid_desc]
try_monitor:
        mov eax, SCRATCH
        xor ecx, ecx
        xor edx, edx
        TRY monitor
try_mwait:
        xor eax, eax
        xor ecx, ecx
        TRY mwait

; fail: ESI = message. Prints "FAIL <message> (<[cur] in hex>)", counts it.
fail:   pushfd
        pushad
        inc dword [failures]
        push esi
        PUTS m_fail
        pop esi
.msg:   lodsb                                   ; PUTS takes a label: print ESI here
        test al, al
        jz .val
        out CONSOLE_PORT, al
        jmp .msg
.val:   mov al, ' '
        out CONSOLE_PORT, al
        mov al, '('
        out CONSOLE_PORT, al
        mov eax, [cur]
        PUTHEX32
        mov al, ')'
        out CONSOLE_PORT, al
        mov al, 10
        out CONSOLE_PORT, al
        popad
        popfd
        ret

idt32_init:
        IDT_CLEAR NVEC
        xor ebx, ebx
.gate:  lea eax, [stubs32 + ebx * 8]
        mov [IDT_BASE + ebx * 8], ax
        mov word [IDT_BASE + ebx * 8 + 2], CODE_SEL
        mov word [IDT_BASE + ebx * 8 + 4], 0x8e00
        shr eax, 16
        mov [IDT_BASE + ebx * 8 + 6], ax
        inc ebx
        cmp ebx, NVEC
        jb .gate
        lidt [idtr32]
        ret

; Stubs: push the vector, go to the common handler (8 bytes each).
        align 8
stubs32:
%assign v 0
%rep NVEC
        push byte v
        jmp near fault32
        align 8
%assign v v + 1
%endrep

; [esp] = vector, then the error code for #GP; #GP and #UD with a resume
; point are expected: count them and go on at [resume].
fault32:
        cmp dword [esp], 13
        je .gp
        cmp dword [esp], 6
        jne .unexpected
        cmp dword [resume], 0
        je .unexpected
        inc dword [ud_count]
        add esp, 4                              ; vector
        jmp .resume
.gp:    cmp dword [resume], 0
        je .unexpected
        inc dword [gp_count]
        add esp, 8                              ; vector, error code
.resume:
        push eax
        mov eax, [resume]
        mov [esp + 4], eax                      ; the EIP IRET returns to
        mov dword [resume], 0
        pop eax
        iretd
.unexpected:
        PUTS m_unexpected
        pop eax                                 ; vector
        PUTHEX32
        PUTS m_at
        mov eax, [esp]                          ; EIP (no error code) or error code
        PUTHEX32
        mov al, 10
        out CONSOLE_PORT, al
        EXIT 2

; In 32-bit mode only when the long-mode switch failed: report and stop.
finish32:
        PUTS m_no_long_mode
        EXIT 1

; ---- 64-bit mode -----------------------------------------------------------------------
        bits 64
%macro EXPECT64 2
        j%+1 %%ok
        push rsi
        mov esi, %2
        call fail64
        pop rsi
%%ok:   pushfq
        inc dword [checks]
        popfq
%endmacro
%macro EXPECT_GP64 1
        inc dword [gp_expected]
        EXPECT64 c, %1
%endmacro
%macro TRY64 1+
        mov dword [resume], %%fault
        %1
        mov dword [resume], 0
        clc
        ret
%%fault:
        stc
        ret
%endmacro

long64: mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov rsp, 0x7000
        call idt64_init

        mov ecx, MSR_EFER                       ; WRMSR may not clear LME with paging on
        mov [cur], ecx
        rdmsr
        and eax, (1 << 8) | (1 << 10)
        cmp eax, (1 << 8) | (1 << 10)
        EXPECT64 e, m_efer_lma
        rdmsr
        and eax, ~(1 << 8)
        call try_wrmsr64
        EXPECT_GP64 m_efer_lme_pg

        mov ecx, MSR_LSTAR                      ; canonical addresses only
        mov [cur], ecx
        mov rax, 0x0000800000000000
        call wrmsr64
        EXPECT_GP64 m_noncanonical
        mov rax, 0xffff800000001000
        call wrmsr64
        EXPECT64 nc, m_write_back
        call rdmsr64
        mov rbx, 0xffff800000001000
        cmp rax, rbx
        EXPECT64 e, m_lstar_readback
        mov ecx, MSR_KERNEL_GS_BASE
        mov [cur], ecx
        mov rax, 0xffff000000000000
        call wrmsr64
        EXPECT_GP64 m_noncanonical
        mov ecx, MSR_SYSENTER_EIP
        mov [cur], ecx
        mov rax, 0x0001000000000000
        call wrmsr64
        EXPECT_GP64 m_noncanonical

        ; SWAPGS exchanges GS_BASE with the KERNEL_GS_BASE the kernel emulates.
        mov ecx, MSR_KERNEL_GS_BASE
        mov [cur], ecx
        mov rax, 0x0000123456789000
        call wrmsr64
        EXPECT64 nc, m_write_back
        mov ecx, MSR_GS_BASE
        xor eax, eax
        call wrmsr64
        swapgs
        mov ecx, MSR_GS_BASE
        call rdmsr64
        mov rbx, 0x0000123456789000
        cmp rax, rbx
        EXPECT64 e, m_swapgs
        swapgs
        mov ecx, MSR_KERNEL_GS_BASE
        call rdmsr64
        cmp rax, rbx
        EXPECT64 e, m_swapgs

        mov dword [cur], 4
        mov rax, cr4
        btc rax, 12                             ; LA57 cannot change in IA-32e mode
        call try_mov_cr4_64
        EXPECT_GP64 m_cr4_la57
        mov rax, cr4
        btr rax, 5                              ; nor can PAE go
        call try_mov_cr4_64
        EXPECT_GP64 m_cr4_pae64
        test dword [l1_ecx], 1 << 17            ; PCID: CR4.PCIDE in IA-32e mode
        jz .no_pcid
        mov rax, cr4
        bts rax, 17
        call try_mov_cr4_64
        EXPECT64 nc, m_cr4_pcide
        mov rax, cr4
        bt rax, 17
        EXPECT64 c, m_cr4_pcide
        btr rax, 17
        mov cr4, rax
        jmp .cr0
.no_pcid:
        mov rax, cr4
        bts rax, 17
        call try_mov_cr4_64
        EXPECT_GP64 m_cr4_pcide
.cr0:   mov dword [cur], 0
        mov rax, cr0
        btr rax, 31                             ; no leaving paging from 64-bit code
        call try_mov_cr0_64
        EXPECT_GP64 m_cr0_pg64
        mov rax, cr0
        bts rax, 32                             ; bits 63:32 are reserved
        call try_mov_cr0_64
        EXPECT_GP64 m_cr0_high

        mov dword [cur], 8                      ; CR8 is the guest's own
        mov eax, 5
        mov cr8, rax
        mov rax, cr8
        cmp rax, 5
        EXPECT64 e, m_cr8
        mov eax, 16
        call try_mov_cr8_64
        EXPECT_GP64 m_cr8_reserved
        xor eax, eax
        mov cr8, rax

        mov rax, cr0                            ; the saved CR0 again (PG, PE on)
        mov rbx, rax
        and eax, (1 << 16) | (1 << 31) | 1
        cmp eax, (1 << 31) | 1
        EXPECT64 e, m_cr0_readback
        jmp finish64

rdmsr64:                                        ; ECX -> RAX
        rdmsr
        shl rdx, 32
        or rax, rdx
        ret
wrmsr64:                                        ; ECX, RAX; CF = #GP
        mov rdx, rax
        shr rdx, 32
try_wrmsr64:  TRY64 wrmsr
try_mov_cr0_64: TRY64 mov cr0, rax
try_mov_cr4_64: TRY64 mov cr4, rax
try_mov_cr8_64: TRY64 mov cr8, rax

fail64: pushfq
        push rax
        push rcx
        push rdx
        push rsi
        inc dword [failures]
        PUTS m_fail
        pop rsi
        push rsi
.msg:   lodsb
        test al, al
        jz .val
        out CONSOLE_PORT, al
        jmp .msg
.val:   mov al, ' '
        out CONSOLE_PORT, al
        mov al, '('
        out CONSOLE_PORT, al
        mov eax, [cur]
        PUTHEX32
        mov al, ')'
        out CONSOLE_PORT, al
        mov al, 10
        out CONSOLE_PORT, al
        pop rsi
        pop rdx
        pop rcx
        pop rax
        popfq
        ret

; 64-bit IDT: 16-byte interrupt gates at IDT_BASE, selector 0x18.
idt64_init:
        cld
        xor eax, eax
        mov edi, IDT_BASE
        mov ecx, NVEC * 4
        rep stosd
        xor ebx, ebx
.gate:  lea eax, [stubs64 + rbx * 8]
        mov rdi, rbx
        shl rdi, 4
        add rdi, IDT_BASE
        mov [rdi], ax
        mov word [rdi + 2], 0x18
        mov word [rdi + 4], 0x8e00
        shr eax, 16
        mov [rdi + 6], ax
        inc ebx
        cmp ebx, NVEC
        jb .gate
        lidt [idtr64]
        ret

        align 8
stubs64:
%assign v 0
%rep NVEC
        push byte v
        jmp near fault64
        align 8
%assign v v + 1
%endrep

fault64:
        cmp qword [rsp], 13
        je .gp
        cmp qword [rsp], 6
        jne .unexpected
        cmp dword [resume], 0
        je .unexpected
        inc dword [ud_count]
        add rsp, 8
        jmp .resume
.gp:    cmp dword [resume], 0
        je .unexpected
        inc dword [gp_count]
        add rsp, 16                             ; vector, error code
.resume:
        push rax
        mov eax, [resume]
        mov [rsp + 8], rax                      ; the RIP IRETQ returns to
        mov dword [resume], 0
        pop rax
        iretq
.unexpected:
        PUTS m_unexpected
        pop rax
        PUTHEX32
        PUTS m_at
        mov rax, [rsp]
        PUTHEX32
        mov al, 10
        out CONSOLE_PORT, al
        EXIT 2

; The summary line, then the status.
finish64:
        mov eax, [checks]
        call putdec64
        PUTS m_sum2
        mov eax, [failures]
        call putdec64
        PUTS m_sum3
        mov eax, [gp_count]
        call putdec64
        PUTS m_sum4
        mov eax, [ud_count]
        call putdec64
        PUTS m_sum5
        mov eax, [gp_expected]
        call putdec64
        PUTS m_sum6
        mov eax, [ud_expected]
        call putdec64
        PUTS m_sum7
        cmp dword [failures], 0
        jne .failed
        mov eax, [gp_count]
        cmp eax, [gp_expected]
        jne .counts
        mov eax, [ud_count]
        cmp eax, [ud_expected]
        jne .counts
        EXIT 0
.failed:
        EXIT 1
.counts:
        EXIT 3

putdec64:                                       ; EAX, unsigned decimal
        mov ebx, 10
        xor ecx, ecx
.div:   xor edx, edx
        div ebx
        push rdx
        inc ecx
        test eax, eax
        jnz .div
.put:   pop rax
        add al, '0'
        out CONSOLE_PORT, al
        dec ecx
        jnz .put
        ret

; ---- data ------------------------------------------------------------------------------
        align 8                                 ; the layout of guest/PROTOCOL.md
gdt:    dq 0, 0x00cf9b000000ffff, 0x00cf93000000ffff, 0x00af9b000000ffff
gdtr:   dw 4 * 8 - 1
        dd gdt
        align 8
idtr32: IDTR NVEC
        align 8
idtr64: dw NVEC * 16 - 1
        dq IDT_BASE
        align 16
invpcid_desc: dq 0, 0

checks:      dd 0
failures:    dd 0
gp_count:    dd 0
ud_count:    dd 0
gp_expected: dd 0
ud_expected: dd 0
resume:      dd 0
cur:         dd 0
l1_ebx:      dd 0
l1_ecx:      dd 0
l1_edx:      dd 0
l7_ebx:      dd 0
l7_ecx:      dd 0
l7_edx:      dd 0
e1_edx:      dd 0
hv_max:      dd 0
max_basic:   dd 0
max_ext:     dd 0
phys_bits:   dd 0
tsc_khz:     dd 0
conditions:  dd 0
xcr0_lo:     dd 0
xcr0_hi:     dd 0
xsave_max:   dd 0
mtrrcap:     dd 0
cr0_saved:   dd 0

; Architectural MSRs (SDM Vol. 4 Table 2-2): number, flags.
msr_table:
        dd 0xc0000080, W_OK                     ; EFER
        dd 0x277, W_OK                          ; PAT
        dd 0xc0000081, W_OK                     ; STAR
        dd 0xc0000082, W_OK                     ; LSTAR
        dd 0xc0000083, W_OK                     ; CSTAR
        dd 0xc0000084, W_OK                     ; SFMASK
        dd 0xc0000100, W_OK                     ; FS_BASE
        dd 0xc0000101, W_OK                     ; GS_BASE
        dd 0xc0000102, W_OK                     ; KERNEL_GS_BASE
        dd 0x10, W_OK                           ; TSC
        dd 0x174, W_OK                          ; SYSENTER_CS
        dd 0x175, W_OK                          ; SYSENTER_ESP
        dd 0x176, W_OK                          ; SYSENTER_EIP
        dd 0x1b, W_OK                           ; APIC_BASE
        dd 0x1a0, W_OK                          ; MISC_ENABLE (the same value)
        dd 0x1d9, W_OK                          ; DEBUGCTL
        dd 0x8b, W_OK                           ; BIOS_SIGN_ID
        dd 0x17, W_GP                           ; PLATFORM_ID
        dd 0x3a, W_GP                           ; FEATURE_CONTROL (locked)
        dd 0xce, W_GP                           ; PLATFORM_INFO
        dd 0xfe, W_GP                           ; MTRRCAP
        dd 0x2ff, W_OK                          ; MTRR_DEF_TYPE
        dd 0x250, W_OK                          ; MTRR_FIX64K_00000
        dd 0x258, W_OK                          ; MTRR_FIX16K_80000
        dd 0x259, W_OK                          ; MTRR_FIX16K_A0000
%assign m 0x268
%rep 8
        dd m, W_OK                              ; MTRR_FIX4K_C0000 .. F8000
%assign m m + 1
%endrep
%assign m 0x200
%rep 16
        dd m, W_OK                              ; MTRR_PHYSBASE0 .. PHYSMASK7
%assign m m + 1
%endrep
        dd 0xc0000103, W_OK | C_TSC_AUX         ; TSC_AUX
        dd 0x48, W_OK | C_SPEC_CTRL             ; SPEC_CTRL
        dd 0x49, WRITE_ONLY | C_IBPB            ; PRED_CMD
        dd 0x10a, W_GP | C_ARCH_CAP             ; ARCH_CAPABILITIES
        dd 0x6e1, W_OK | C_PKRS                 ; PKRS
        dd 0

; MSRs the model does not have (hidden features) or nobody has.
unknown_msrs:
        dd 0x12345678, 0xc0001000, 0x40000000, 0x4b564d00
        dd 0x3b                                 ; TSC_ADJUST
        dd 0x179, 0x17a                         ; MCG_CAP, MCG_STATUS (no MCA)
        dd 0xc1, 0x186, 0x38f, 0x345            ; PMC0, PERFEVTSEL0, PERF_GLOBAL_CTRL, PERF_CAPABILITIES
        dd 0x802, 0x830                         ; x2APIC ID, ICR: #GP in xAPIC mode
        dd 0xda0                                ; XSS
        dd 0xd90                                ; BNDCFGS
        dd 0x1b0, 0x199, 0x19c                  ; ENERGY_PERF_BIAS, PERF_CTL, THERM_STATUS
        dd 0xe7, 0xe8                           ; MPERF, APERF
        dd 0x10b, 0x122                         ; FLUSH_CMD, TSX_CTRL
        dd 0x480, 0x48b                         ; VMX_BASIC, VMX_PROCBASED_CTLS2 (no VMX)
        dd 0x9b                                 ; SMM_MONITOR_CTL
        dd 0

; Writes that must #GP: MSR, EAX, EDX.
bad_writes:
        dd 0xc0000080, 1 << 1, 0                ; EFER bit 1 reserved
        dd 0xc0000080, 1 << 14, 0               ; EFER.FFXSR (AMD only)
        dd 0xc0000080, 0, 1                     ; EFER bit 32
        dd 0x277, 0x00070402, 0x00070406        ; PAT entry 0 = 2
        dd 0x277, 0x00070406, 0x08070406        ; PAT entry 7 = 8
        dd 0x2ff, 0xc02, 0                      ; MTRR default type 2
        dd 0x2ff, 0x206, 0                      ; MTRR_DEF_TYPE bit 9
        dd 0x2ff, 0x1006, 0                     ; MTRR_DEF_TYPE bit 12
        dd 0x250, 0x06060603, 0x06060606        ; fixed range type 3
        dd 0x26f, 0x06060606, 0x07060606        ; fixed range type 7
        dd 0x200, 7, 0                          ; PHYSBASE0 type 7 (PAT-only)
        dd 0x200, 0x106, 0                      ; PHYSBASE0 bit 8
        dd 0x201, 0x801, 0                      ; PHYSMASK0 bit 0
        dd 0x1b, 0xfee00b00, 0                  ; APIC base bit 9 reserved
        dd 0x1b, 0xfee00900, 0x100000           ; APIC base bit 52 (beyond MAXPHYADDR)
        dd 0x1b, 0xfee00500, 0                  ; x2APIC without the enable bit
        dd 0x176, 0, 0x00008000                 ; SYSENTER_EIP non-canonical
        dd 0x175, 0, 0x80000000                 ; SYSENTER_ESP non-canonical
        dd 0xc0000082, 0, 0x00008000            ; LSTAR non-canonical
        dd 0xc0000083, 0, 0x00010000            ; CSTAR non-canonical
        dd 0xc0000102, 0, 0x7fff0000            ; KERNEL_GS_BASE non-canonical
        dd 0x1d9, 1 << 6, 0                     ; DEBUGCTL bit 6 (TR, BTS hidden)
        dd 0

hello:          db "checking the CPU model from inside", 10, 0
m_fail:         db "FAIL ", 0
m_unexpected:   db "unexpected exception ", 0
m_at:           db " at/with ", 0
m_no_long_mode: db "FAIL no long mode: stopping", 10, 0
m_sum2:         db " checks, ", 0
m_sum3:         db " failed, ", 0
m_sum4:         db " #GP and ", 0
m_sum5:         db " #UD caught (expected ", 0
m_sum6:         db " and ", 0
m_sum7:         db ")", 10, 0
m_hv_bit:       db "leaf 1 ECX[31] hypervisor bit clear", 0
m_vmx_smx:      db "leaf 1 shows VMX or SMX", 0
m_monitor_pdcm: db "leaf 1 shows MONITOR or PDCM", 0
m_x2apic:       db "leaf 1 does not show x2APIC and TSC-deadline", 0
m_osxsave_early: db "leaf 1 OSXSAVE set with CR4.OSXSAVE clear", 0
m_apic_id:      db "leaf 1 EBX[31:24] APIC ID not 0", 0
m_hv_max:       db "leaf 0x40000000 EAX below 0x40000000", 0
m_signature:    db "hypervisor signature not HVMicroVisor", 0
m_max_basic:    db "leaf 0 maximum below 0x16", 0
m_max_ext:      db "leaf 0x80000000 maximum below 0x80000008", 0
m_perfmon:      db "leaf 0xA not all zero", 0
m_topology:     db "leaf 0xB subleaf 0 not (SMT level, 1 thread, x2APIC ID 0)", 0
m_invariant_tsc: db "leaf 0x80000007 EDX[8] invariant TSC clear", 0
m_leaf15:       db "leaf 0x15 has a zero", 0
m_leaf15_khz:   db "leaf 0x15 crystal not whole kHz", 0
m_leaf15_exact: db "leaf 0x15 TSC not whole kHz", 0
m_leaf40000010: db "leaf 0x40000010 TSC kHz differs from leaf 0x15", 0
m_leaf16:       db "leaf 0x16 base/max/bus MHz zero or max below base", 0
m_leaf16_tsc:   db "leaf 0x16 base MHz is not the TSC of leaf 0x15", 0
m_monitor_ud:   db "MONITOR did not #UD", 0
m_mwait_ud:     db "MWAIT did not #UD", 0
m_rdpmc_gp:     db "RDPMC did not #GP", 0
m_tsc_aux_write: db "WRMSR TSC_AUX faulted", 0
m_rdtscp:       db "RDTSCP faulted though CPUID shows it", 0
m_rdtscp_aux:   db "RDTSCP ECX is not TSC_AUX", 0
m_rdtscp_hidden: db "RDTSCP did not #UD though CPUID hides it", 0
m_rdpid:        db "RDPID faulted though CPUID shows it", 0
m_rdpid_hidden: db "RDPID did not #UD though CPUID hides it", 0
m_invpcid:      db "INVPCID faulted though CPUID shows it", 0
m_invpcid_hidden: db "INVPCID did not #UD though CPUID hides it", 0
m_osxsave_reserved: db "CR4.OSXSAVE set without XSAVE", 0
m_osxsave_set:  db "setting CR4.OSXSAVE faulted", 0
m_osxsave_cpuid: db "leaf 1 OSXSAVE clear with CR4.OSXSAVE set", 0
m_xcr0_reset:   db "XCR0 after reset is not 1", 0
m_xcr0_x87_sse: db "leaf 0xD does not offer x87 and SSE", 0
m_xsetbv_all:   db "XSETBV of an offered XCR0 faulted", 0
m_xgetbv:       db "XGETBV differs from what XSETBV set", 0
m_xsave_size_all: db "leaf 0xD EBX (enabled size) is not ECX (maximum) with all enabled", 0
m_xsave_component: db "leaf 0xD component without size or offset", 0
m_xsetbv_bit:   db "XSETBV accepted a bit leaf 0xD does not offer (bit)", 0
m_xsetbv_rule:  db "XSETBV accepted an invalid XCR0 or XCR", 0
m_xsave_size_sse: db "leaf 0xD EBX for x87+SSE is not 576", 0
m_absent_read:  db "RDMSR of an MSR CPUID does not show did not #GP", 0
m_absent_write: db "WRMSR of an MSR CPUID does not show did not #GP", 0
m_write_only_read: db "RDMSR of a write-only MSR did not #GP", 0
m_write_only_write: db "WRMSR 0 of a write-only MSR faulted", 0
m_read:         db "RDMSR faulted", 0
m_write_back:   db "WRMSR of the value read faulted", 0
m_read_only:    db "WRMSR of a read-only MSR did not #GP", 0
m_unknown_read: db "RDMSR of an unknown MSR did not #GP", 0
m_unknown_write: db "WRMSR of an unknown MSR did not #GP", 0
m_fast_strings: db "MISC_ENABLE fast strings clear", 0
m_misc_monitor: db "MISC_ENABLE MONITOR/MWAIT set", 0
m_feature_control: db "FEATURE_CONTROL not locked with VMX off", 0
m_apic_base:    db "APIC_BASE not 0xfee00000, enabled, BSP", 0
m_microcode:    db "microcode revision not 0", 0
m_mtrrcap:      db "MTRRCAP not 8 variable ranges + fixed + WC", 0
m_efer_early:   db "EFER LME/LMA set in protected mode", 0
m_tsc_read:     db "RDMSR TSC and RDTSC disagree", 0
m_tsc_write:    db "WRMSR TSC faulted", 0
m_tsc_write_rdtsc: db "RDTSC after WRMSR TSC is not the value written", 0
m_tsc_write_rdmsr: db "RDMSR TSC after WRMSR TSC is not the value written", 0
m_mtrr_write:   db "WRMSR of a valid MTRR value faulted", 0
m_mtrr_readback: db "MTRR did not read back", 0
m_reserved_write: db "WRMSR with a reserved bit or invalid value did not #GP", 0
m_cr4_vmxe:     db "CR4.VMXE did not #GP", 0
m_cr4_smxe:     db "CR4.SMXE did not #GP", 0
m_cr4_pcide32:  db "CR4.PCIDE outside IA-32e mode did not #GP", 0
m_cr4_vmxe_visible: db "CR4 reads VMXE", 0
m_cr4_pge:      db "CR4.PGE write/read back failed", 0
m_cr0_write:    db "MOV to CR0 faulted", 0
m_cr0_readback: db "CR0 did not read back", 0
m_cr0_cd:       db "CR0.CD/NW did not read back", 0
m_cr0_nw:       db "CR0.NW without CD did not #GP", 0
m_pae_on:       db "CR4.PAE faulted", 0
m_pae_pg:       db "CR0.PG with PAE faulted", 0
m_pae_alias:    db "PAE mapping through PDPTE 1 wrong: PDPTEs not loaded", 0
m_pae_lma:      db "EFER.LMA set under PAE paging", 0
m_pae_reserved: db "CR0.PG with a reserved PDPTE bit did not #GP", 0
m_efer_lme:     db "EFER.LME write/read back failed", 0
m_lm_needs_pae: db "CR0.PG with LME and no PAE did not #GP", 0
m_lm_pg:        db "CR0.PG into IA-32e mode faulted", 0
m_efer_lma:     db "EFER.LMA/LME not set in IA-32e mode", 0
m_efer_lme_pg:  db "clearing EFER.LME with paging on did not #GP", 0
m_noncanonical: db "non-canonical MSR write did not #GP", 0
m_lstar_readback: db "LSTAR did not read back", 0
m_swapgs:       db "SWAPGS did not exchange GS_BASE and KERNEL_GS_BASE", 0
m_cr4_la57:     db "CR4.LA57 change in IA-32e mode did not #GP", 0
m_cr4_pae64:    db "clearing CR4.PAE in IA-32e mode did not #GP", 0
m_cr4_pcide:    db "CR4.PCIDE does not match CPUID PCID", 0
m_cr0_pg64:     db "clearing CR0.PG in 64-bit mode did not #GP", 0
m_cr0_high:     db "CR0 bit 32 did not #GP", 0
m_cr8:          db "CR8 did not read back", 0
m_cr8_reserved: db "CR8 bit 4 did not #GP", 0
