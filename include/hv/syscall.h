/*
 * The hypercall interface of the kernel to the root task.
 *
 * Entry by SYSCALL: number in rax; arguments in rdi, rsi, rdx, r10, r8, r9;
 * the hv_status_t comes back in rax, sign-extended (rcx and r11 are
 * clobbered, as SYSCALL does). Every pointer argument must point into the
 * caller's user range, be canonical and mapped with the access the call
 * needs, else HV_ERR_INVALID_ARGS; the kernel never faults on a caller's
 * pointer. Any call may also return HV_ERR_BAD_SYSCALL (unknown number).
 *
 * Arguments are whole 64-bit registers. Before anything else, in argument
 * order, the kernel checks the 32-bit ones: a handle above UINT32_MAX is
 * HV_ERR_BAD_HANDLE, a uint32_t or hv_rights_t above UINT32_MAX is
 * HV_ERR_INVALID_ARGS. Exceptions are marked WIDE in the table: the call
 * checks the whole register itself, with the errors its comment gives.
 */
#ifndef HV_SYSCALL_H
#define HV_SYSCALL_H

#include "packet.h"
#include "rights.h"
#include "state.h"
#include "status.h"

/*
 * Every hypercall, once: X(NAME, number, name, returns, count, (parameters)).
 * The enum below, the root task's stubs (root/include/libsys.h:
 * hv_<name>(parameters)) and the kernel's handlers and dispatch table
 * (syscall/) are made from it. returns: STATUS (an hv_status_t) or NORETURN.
 * A parameter is (KIND, C type, name); KIND says how the kernel decodes the
 * register:
 *   HANDLE  hv_handle_t; above UINT32_MAX: HV_ERR_BAD_HANDLE
 *   U32     uint32_t or hv_rights_t; above UINT32_MAX: HV_ERR_INVALID_ARGS
 *   U64     taken as it is
 *   PTR     a pointer: the kernel gets the user address as a uint64_t
 *   WIDE    32 bits in C; the kernel gets the whole register and checks it
 *           itself
 */
#define HV_SYSCALLS(X)                                                                             \
    /* hv_null: does nothing; returns HV_OK. For measuring the round trip. */                      \
    X(NULL, 0, null, STATUS, 0, ())                                                                \
                                                                                                   \
    /* hv_debug_write: print buf[0, len) on the kernel console.                                    \
     * HV_ERR_INVALID_ARGS: bad buf, or len > HV_DEBUG_WRITE_MAX. */                               \
    X(DEBUG_WRITE, 1, debug_write, STATUS, 2, ((PTR, const char *, buf), (U64, size_t, len)))      \
                                                                                                   \
    /* hv_system_info: CPUs, memory, VMX into *out.                                                \
     * HV_ERR_INVALID_ARGS: bad out; HV_ERR_BUFFER_TOO_SMALL: size < sizeof. */                    \
    X(SYSTEM_INFO, 2, system_info, STATUS, 2,                                                      \
      ((PTR, struct hv_system_info *, out), (U64, size_t, size)))                                  \
                                                                                                   \
    /* hv_system_shutdown: ends the machine with status (never returns on success).                \
     * HV_ERR_INVALID_ARGS: status > 255. */                                                       \
    X(SYSTEM_SHUTDOWN, 3, system_shutdown, STATUS, 1, ((U32, uint32_t, status)))                   \
                                                                                                   \
    /* hv_handle_close: HV_ERR_BAD_HANDLE. Closing the last handle to an object destroys it        \
     * (a guest takes its vCPUs, EPT and traps along). */                                          \
    X(HANDLE_CLOSE, 4, handle_close, STATUS, 1, ((HANDLE, hv_handle_t, h)))                        \
                                                                                                   \
    /* hv_handle_duplicate: a second handle to h's object into *out; rights must be a subset       \
     * of h's (or HV_RIGHT_SAME_RIGHTS).                                                           \
     * HV_ERR_BAD_HANDLE; HV_ERR_ACCESS_DENIED: h lacks DUPLICATE;                                 \
     * HV_ERR_INVALID_ARGS: rights not a subset, bad out; HV_ERR_NO_RESOURCES. */                  \
    X(HANDLE_DUPLICATE, 5, handle_duplicate, STATUS, 3,                                            \
      ((HANDLE, hv_handle_t, h), (U32, hv_rights_t, rights), (PTR, hv_handle_t *, out)))           \
                                                                                                   \
    /* hv_guest_create: a guest with an empty address space; the handle (into *out) has            \
     * HV_RIGHTS_ALL.                                                                              \
     * HV_ERR_INVALID_ARGS: options != 0, bad out; HV_ERR_NO_MEMORY; HV_ERR_NO_RESOURCES. */       \
    X(GUEST_CREATE, 6, guest_create, STATUS, 2,                                                    \
      ((U32, uint32_t, options), (PTR, hv_handle_t *, out)))                                       \
                                                                                                   \
    /* hv_guest_map: share the caller's memory [va, va+len) with the guest at gpa; the range       \
     * must lie in one mem_map region. flags: HV_GUEST_PERM_*, READ required.                      \
     * Needs WRITE. HV_ERR_BAD_HANDLE, HV_ERR_WRONG_TYPE, HV_ERR_ACCESS_DENIED;                    \
     * HV_ERR_INVALID_ARGS: unaligned, zero len, flags 0 or unknown, W without R, va range         \
     * not mapped in the caller with at least those rights; HV_ERR_OUT_OF_RANGE: gpa beyond        \
     * the guest-physical width; HV_ERR_ALREADY_EXISTS: overlaps a mapping; HV_ERR_NO_MEMORY. */   \
    X(GUEST_MAP, 7, guest_map, STATUS, 5,                                                          \
      ((HANDLE, hv_handle_t, guest), (U64, uint64_t, gpa), (U64, uint64_t, va),                    \
       (U64, uint64_t, len), (U32, uint32_t, flags)))                                              \
                                                                                                   \
    /* hv_guest_unmap: remove [gpa, gpa+len) from the guest; holes are fine.                       \
     * Needs WRITE. Errors as guest_map (no ALREADY_EXISTS). */                                    \
    X(GUEST_UNMAP, 8, guest_unmap, STATUS, 3,                                                      \
      ((HANDLE, hv_handle_t, guest), (U64, uint64_t, gpa), (U64, uint64_t, len)))                  \
                                                                                                   \
    /* hv_guest_protect: new HV_GUEST_PERM_* flags for [gpa, gpa+len).                             \
     * Needs WRITE. Errors as guest_unmap; HV_ERR_INVALID_ARGS also when a page of the range is    \
     * not mapped. */                                                                              \
    X(GUEST_PROTECT, 9, guest_protect, STATUS, 4,                                                  \
      ((HANDLE, hv_handle_t, guest), (U64, uint64_t, gpa), (U64, uint64_t, len),                   \
       (U32, uint32_t, flags)))                                                                    \
                                                                                                   \
    /* hv_guest_set_trap: a trap of kind HV_TRAP_* on [addr, addr+len), its packets carry key.     \
     * Traps see guest accesses to addresses the guest has no memory mapped at (MEM, BELL:         \
     * guest-physical; IO: ports). HV_TRAP_MEM and HV_TRAP_IO are synchronous: the packet          \
     * comes back from vcpu_resume; port must be HV_HANDLE_INVALID. HV_TRAP_BELL is                \
     * asynchronous: a guest write in [addr, addr+len) becomes an HV_PKT_GUEST_BELL packet on      \
     * the port and the guest continues past the write; addr and len page aligned; the port        \
     * needs WRITE. If the port's queue is full, that bell packet (status HV_OK) comes back from   \
     * vcpu_resume instead (nothing is dropped, the vCPU never stalls on a port; only a port whose \
     * handles are all closed drops bells, as nobody can wait on it); a read of a bell page        \
     * comes back from vcpu_resume as HV_PKT_VCPU_EXIT (EPT violation). MEM and BELL traps         \
     * share the guest-physical space, IO traps the port space. Needs WRITE on the guest.          \
     * HV_ERR_INVALID_ARGS: bad kind, len 0, IO range beyond 0xffff, BELL unaligned, a port        \
     * given for MEM/IO (port is WIDE: any nonzero register); HV_ERR_OUT_OF_RANGE: a MEM or        \
     * BELL range beyond the guest-physical width (2^48); HV_ERR_ALREADY_EXISTS: overlaps a        \
     * trap; HV_ERR_BAD_HANDLE / HV_ERR_WRONG_TYPE / HV_ERR_ACCESS_DENIED for guest or (BELL)      \
     * port; HV_ERR_NO_MEMORY. */                                                                  \
    X(GUEST_SET_TRAP, 10, guest_set_trap, STATUS, 6,                                               \
      ((HANDLE, hv_handle_t, guest), (U32, uint32_t, kind), (U64, uint64_t, addr),                 \
       (U64, uint64_t, len), (WIDE, hv_handle_t, port), (U64, uint64_t, key)))                     \
                                                                                                   \
    /* hv_vcpu_create: a vCPU that starts at guest-physical `entry` in the Multiboot machine       \
     * state: flat 32-bit protected mode, paging off, CS = 0x08, data segments 0x10,               \
     * interrupts off (write HV_VCPU_STATE to change registers before the first resume). It is     \
     * bound to the calling thread; the new handle (into *out) has DUPLICATE, TRANSFER,            \
     * EXECUTE, SIGNAL, READ and WRITE. HV_ERR_ACCESS_DENIED: guest lacks WRITE;                   \
     * HV_ERR_BAD_HANDLE; HV_ERR_WRONG_TYPE: not a guest; HV_ERR_INVALID_ARGS: options != 0,       \
     * entry >= 4 GiB, bad out; HV_ERR_NO_MEMORY; HV_ERR_NO_RESOURCES (VPIDs or handles            \
     * exhausted). */                                                                              \
    X(VCPU_CREATE, 11, vcpu_create, STATUS, 4,                                                     \
      ((HANDLE, hv_handle_t, guest), (U32, uint32_t, options), (U64, uint64_t, entry),             \
       (PTR, hv_handle_t *, out)))                                                                 \
                                                                                                   \
    /* hv_vcpu_resume: run until an exit the kernel cannot finish; the packet goes to *packet.     \
     * deadline: absolute host TSC (hv_system_info.tsc_hz); the call returns HV_ERR_TIMED_OUT     \
     * once the TSC reaches it (at once for a past value), whether the guest runs or sleeps in    \
     * HLT; HV_TIME_INFINITE: none. A HLT with RFLAGS.IF=1 sleeps in the kernel until an          \
     * interrupt, the APIC timer, the deadline or a kick; with IF=1 and neither an armed APIC     \
     * timer nor a deadline, or with IF=0 (no NMI pending), it comes back as HV_PKT_GUEST_VCPU    \
     * HV_VCPU_HALT.                                                                              \
     * Needs EXECUTE; only the creating thread, and not after the guest's last handle closed       \
     * (else HV_ERR_BAD_STATE). HV_ERR_CANCELED: vcpu_kick; HV_ERR_INVALID_ARGS: bad packet        \
     * pointer.                                                                                    \
     * Completing a packet: GUEST_IO OUT and GUEST_MEM stores are done when the packet             \
     * arrives; a GUEST_IO IN is finished by vcpu_write_state(HV_VCPU_IO) (resumed without         \
     * it, the IN runs again); a GUEST_MEM load is finished by the VMM writing the register        \
     * and rip (+ inst_len) with vcpu_write_state(HV_VCPU_STATE). Port I/O or MMIO outside         \
     * every trap comes back as HV_PKT_VCPU_EXIT. HV_PKT_GUEST_EOI needs nothing done. */          \
    X(VCPU_RESUME, 12, vcpu_resume, STATUS, 3,                                                     \
      ((HANDLE, hv_handle_t, vcpu), (PTR, struct hv_packet *, packet), (U64, uint64_t, deadline))) \
                                                                                                   \
    /* hv_vcpu_kick: the current or next resume returns HV_ERR_CANCELED.                           \
     * Any thread (a resume preempted by the scheduler sees the kick when it runs again).          \
     * Needs SIGNAL. HV_ERR_BAD_STATE: the guest's last handle closed. */                          \
    X(VCPU_KICK, 13, vcpu_kick, STATUS, 1, ((HANDLE, hv_handle_t, vcpu)))                          \
                                                                                                   \
    /* hv_vcpu_interrupt: deliver an interrupt to the vCPU's virtual local APIC. irq (WIDE) is    \
     * HV_IRQ_VECTOR(v) | HV_IRQ_FIXED / HV_IRQ_NMI / HV_IRQ_EXTINT [| HV_IRQ_LEVEL] (the ICR's    \
     * layout). FIXED: the vector's IRR bit (TMR set for LEVEL: its EOI comes back from           \
     * vcpu_resume as HV_PKT_GUEST_EOI), delivered by priority (SDM Vol. 3A 10.8) while the       \
     * guest's APIC is enabled (IA32_APIC_BASE and SVR bit 8); with the APIC disabled it is       \
     * taken as an ExtINT. NMI: an NMI (vector bits 0). EXTINT: the 8259's INTR with that vector  \
     * (any 0-255), past the APIC's priorities; taken while the APIC is disabled (hardware or     \
     * software) or its LINT0 is unmasked in ExtINT mode, else dropped as LINT0 drops it. Wakes   \
     * a vCPU sleeping in HLT. Any thread. Needs SIGNAL. HV_ERR_OUT_OF_RANGE: FIXED with vector   \
     * < 16; HV_ERR_INVALID_ARGS: another delivery mode, other bits set, LEVEL with NMI/EXTINT,   \
     * an NMI with a vector; HV_ERR_BAD_STATE: the guest's last handle closed. */                 \
    X(VCPU_INTERRUPT, 14, vcpu_interrupt, STATUS, 2,                                               \
      ((HANDLE, hv_handle_t, vcpu), (WIDE, uint32_t, irq)))                                        \
                                                                                                   \
    /* hv_vcpu_read_state: buf[0, len) gets the state of kind HV_VCPU_STATE, HV_VCPU_SREGS,        \
     * HV_VCPU_LAPIC or HV_VCPU_STATS (state.h).                                                   \
     * Needs READ; owner thread only (HV_ERR_BAD_STATE).                                           \
     * HV_ERR_INVALID_ARGS: unknown kind (HV_VCPU_IO is write-only), len != sizeof the             \
     * kind's struct, bad buf. */                                                                  \
    X(VCPU_READ_STATE, 15, vcpu_read_state, STATUS, 4,                                             \
      ((HANDLE, hv_handle_t, vcpu), (U32, uint32_t, kind), (PTR, void *, buf),                     \
       (U64, size_t, len)))                                                                        \
                                                                                                   \
    /* hv_vcpu_write_state: set state from buf[0, len); kinds HV_VCPU_STATE, HV_VCPU_IO,           \
     * HV_VCPU_SREGS, HV_VCPU_LAPIC, HV_VCPU_STATS (see state.h for their rules).                  \
     * Needs WRITE; owner thread only. HV_VCPU_IO: access_size 1, 2 or 4 else                      \
     * HV_ERR_INVALID_ARGS; HV_ERR_BAD_STATE when no IN is waiting. */                             \
    X(VCPU_WRITE_STATE, 16, vcpu_write_state, STATUS, 4,                                           \
      ((HANDLE, hv_handle_t, vcpu), (U32, uint32_t, kind), (PTR, const void *, buf),               \
       (U64, size_t, len)))                                                                        \
                                                                                                   \
    /* hv_mem_map: len bytes of anonymous zeroed memory in the caller's address space, its         \
     * address into *out_va; flags HV_MEM_READ|HV_MEM_WRITE (READ required).                       \
     * HV_ERR_INVALID_ARGS: len 0 or unaligned, bad flags or out_va; HV_ERR_NO_MEMORY. */          \
    X(MEM_MAP, 17, mem_map, STATUS, 3,                                                             \
      ((U64, uint64_t, len), (U32, uint32_t, flags), (PTR, uint64_t *, out_va)))                   \
                                                                                                   \
    /* hv_mem_unmap: whole earlier mappings only.                                                  \
     * HV_ERR_INVALID_ARGS: not exactly a range mem_map returned; HV_ERR_BAD_STATE: a guest        \
     * still maps part of it (guest_unmap first, or close the guest). */                           \
    X(MEM_UNMAP, 18, mem_unmap, STATUS, 2, ((U64, uint64_t, va), (U64, uint64_t, len)))            \
                                                                                                   \
    /* hv_port_create: a port: a queue of up to HV_PORT_CAPACITY packets (bell traps and           \
     * port_queue put them in, port_wait takes them out). The handle (into *out) has               \
     * DUPLICATE, TRANSFER, READ and WRITE.                                                        \
     * HV_ERR_INVALID_ARGS: options != 0, bad out; HV_ERR_NO_MEMORY; HV_ERR_NO_RESOURCES. */       \
    X(PORT_CREATE, 19, port_create, STATUS, 2,                                                     \
      ((U32, uint32_t, options), (PTR, hv_handle_t *, out)))                                       \
                                                                                                   \
    /* hv_port_queue: queue a packet from user space: its key and payload are kept, type           \
     * becomes HV_PKT_USER, status HV_OK.                                                          \
     * Needs WRITE. HV_ERR_BAD_HANDLE, HV_ERR_WRONG_TYPE, HV_ERR_ACCESS_DENIED;                    \
     * HV_ERR_INVALID_ARGS: bad packet pointer; HV_ERR_NO_RESOURCES: the queue is full. */         \
    X(PORT_QUEUE, 20, port_queue, STATUS, 2,                                                       \
      ((HANDLE, hv_handle_t, port), (PTR, const struct hv_packet *, packet)))                      \
                                                                                                   \
    /* hv_port_wait: take the oldest packet into *out, blocking until one arrives or the TSC       \
     * reaches deadline (absolute TSC ticks, see hv_system_info.tsc_hz; 0 or any past value:       \
     * do not block; HV_TIME_INFINITE: no deadline). Waiters are served first come, first          \
     * served. Needs READ. HV_ERR_BAD_HANDLE, HV_ERR_WRONG_TYPE, HV_ERR_ACCESS_DENIED;             \
     * HV_ERR_INVALID_ARGS: bad out (checked before blocking, and again when the packet is         \
     * copied out: the packet is lost then); HV_ERR_TIMED_OUT: deadline passed with the queue      \
     * empty; HV_ERR_CANCELED: the port's last handle was closed while waiting. */                 \
    X(PORT_WAIT, 21, port_wait, STATUS, 3,                                                         \
      ((HANDLE, hv_handle_t, port), (U64, uint64_t, deadline), (PTR, struct hv_packet *, out)))    \
                                                                                                   \
    /* hv_thread_create: a new thread of the calling process, runnable at once; its handle         \
     * into *out. It starts in ring 3 at entry as if called by a function with return              \
     * address 0 (the kernel stores 0 at stack_top - 8 and starts with rsp = stack_top - 8),       \
     * rdi = arg, the other registers 0, interrupts on; it must end with thread_exit, never        \
     * return. The scheduler is preemptive (round robin, HV_TIME_SLICE_MS per slice). The          \
     * handle has DUPLICATE, TRANSFER, READ and WRITE.                                             \
     * HV_ERR_INVALID_ARGS: options != 0; entry or stack_top not a canonical user address;         \
     * stack_top not 16-byte aligned or stack_top - 8 not mapped writable; bad out.                \
     * HV_ERR_NO_MEMORY; HV_ERR_NO_RESOURCES: HV_THREADS_MAX threads alive, or no handle slot. */  \
    X(THREAD_CREATE, 22, thread_create, STATUS, 5,                                                 \
      ((U64, uint64_t, entry), (U64, uint64_t, stack_top), (U64, uint64_t, arg),                   \
       (U32, uint32_t, options), (PTR, hv_handle_t *, out)))                                       \
                                                                                                   \
    /* hv_thread_exit: ends the calling thread; never returns. Its vCPUs stay (no other            \
     * thread may resume them: close their handles). When the root task's last thread ends,        \
     * the machine stops with status 1: a root task ends with system_shutdown. */                  \
    X(THREAD_EXIT, 23, thread_exit, NORETURN, 0, ())                                            \
                                                                                                   \
    /* hv_console_bind: the kernel console's input (the serial line's received bytes) goes to      \
     * port as HV_PKT_CONSOLE packets carrying key, up to HV_CONSOLE_CHUNK bytes each, in order;   \
     * bytes that find the port full wait in the kernel's buffer (HV_CONSOLE_BUFFER bytes; more    \
     * are dropped). port HV_HANDLE_INVALID unbinds. One binding at a time: a new one replaces     \
     * the old. Needs WRITE on the port. HV_ERR_BAD_HANDLE, HV_ERR_WRONG_TYPE,                     \
     * HV_ERR_ACCESS_DENIED (port is WIDE: the whole register is checked). */                      \
    X(CONSOLE_BIND, 24, console_bind, STATUS, 2, ((WIDE, hv_handle_t, port), (U64, uint64_t, key)))

/* The numbers. */
#define HV_SYSCALL_ENUM(NAME, nr, name, ret, n, params) HV_SYS_##NAME = nr,
enum hv_syscall {
    HV_SYSCALLS(HV_SYSCALL_ENUM)
    HV_SYS_COUNT
};
#undef HV_SYSCALL_ENUM

/*
 * For the code made from the table: HV_SC_MAP(n, F, SEP, params) is
 * F(0, KIND, C type, name) SEP() F(1, ...) ... over the n parameters.
 */
#define HV_SC_UNPACK(...) __VA_ARGS__
#define HV_SC_CALL(m, args) m args          /* two names: neither may expand inside itself */
#define HV_SC_APPLY(m, args) m args
#define HV_SC_COMMA() ,
#define HV_SC_NOSEP()
#define HV_SC_MAP(n, F, SEP, params) HV_SC_CALL(HV_SC_MAP_##n, (F, SEP, HV_SC_UNPACK params))
#define HV_SC_MAP_0(F, SEP, unused)
#define HV_SC_MAP_1(F, SEP, p0) HV_SC_APPLY(F, (0, HV_SC_UNPACK p0))
#define HV_SC_MAP_2(F, SEP, p0, p1) \
    HV_SC_MAP_1(F, SEP, p0) SEP() HV_SC_APPLY(F, (1, HV_SC_UNPACK p1))
#define HV_SC_MAP_3(F, SEP, p0, p1, p2) \
    HV_SC_MAP_2(F, SEP, p0, p1) SEP() HV_SC_APPLY(F, (2, HV_SC_UNPACK p2))
#define HV_SC_MAP_4(F, SEP, p0, p1, p2, p3) \
    HV_SC_MAP_3(F, SEP, p0, p1, p2) SEP() HV_SC_APPLY(F, (3, HV_SC_UNPACK p3))
#define HV_SC_MAP_5(F, SEP, p0, p1, p2, p3, p4) \
    HV_SC_MAP_4(F, SEP, p0, p1, p2, p3) SEP() HV_SC_APPLY(F, (4, HV_SC_UNPACK p4))
#define HV_SC_MAP_6(F, SEP, p0, p1, p2, p3, p4, p5) \
    HV_SC_MAP_5(F, SEP, p0, p1, p2, p3, p4) SEP() HV_SC_APPLY(F, (5, HV_SC_UNPACK p5))
/* A C parameter list: F(...) for each parameter, or void. */
#define HV_SC_PARAMS(n, F, params) HV_SC_MAP(n, F, HV_SC_COMMA, params) HV_SC_VOID_##n
#define HV_SC_VOID_0 void
#define HV_SC_VOID_1
#define HV_SC_VOID_2
#define HV_SC_VOID_3
#define HV_SC_VOID_4
#define HV_SC_VOID_5
#define HV_SC_VOID_6

/* port_wait / vcpu_resume deadline: never time out. */
#define HV_TIME_INFINITE UINT64_MAX
/* Packets a port holds. */
#define HV_PORT_CAPACITY 63
/* Live threads per process (the root task's first thread included). */
#define HV_THREADS_MAX 64
/* Round-robin time slice. */
#define HV_TIME_SLICE_MS 10

/* mem_map flags. */
#define HV_MEM_READ  (1u << 0)
#define HV_MEM_WRITE (1u << 1)

#define HV_DEBUG_WRITE_MAX 4096

/* guest_map / guest_protect flags. */
#define HV_GUEST_PERM_READ    (1u << 0)
#define HV_GUEST_PERM_WRITE   (1u << 1)
#define HV_GUEST_PERM_EXECUTE (1u << 2)

/* guest_set_trap kinds (Zircon's values). */
#define HV_TRAP_BELL 0
#define HV_TRAP_MEM  1
#define HV_TRAP_IO   2

struct hv_system_info {
    uint32_t num_cpus;
    uint32_t reserved;
    uint64_t memory_bytes;      /* usable RAM */
    uint64_t free_bytes;        /* free frames now */
    uint32_t vmx_revision;
    uint32_t vmx_flags;         /* HV_VMX_* */
    uint64_t tsc_hz;
    uint64_t idle_ticks;        /* TSC ticks the CPUs spent idle since boot (CPU use = 1 - its
                                   growth / the TSC's over an interval) */
    uint64_t wall_unix;         /* the machine's RTC read at boot: Unix seconds (UTC if the RTC
                                   keeps UTC), 0 when unreadable; */
    uint64_t wall_tsc;          /* the TSC when it was read (now = wall_unix +
                                   (TSC - wall_tsc) / tsc_hz) */
};

/* vcpu_interrupt's irq: the local APIC ICR's layout (SDM Vol. 3A 10.6.1). */
#define HV_IRQ_VECTOR(v)  ((uint32_t)(v) & 0xffu)
#define HV_IRQ_FIXED      (0u << 8)
#define HV_IRQ_NMI        (4u << 8)
#define HV_IRQ_EXTINT     (7u << 8)
#define HV_IRQ_MODE_MASK  (7u << 8)
#define HV_IRQ_LEVEL      (1u << 15)

/* console_bind. */
#define HV_CONSOLE_CHUNK  40
#define HV_CONSOLE_BUFFER 4096
#define HV_VMX_EPT_2M        (1u << 0)
#define HV_VMX_EPT_1G        (1u << 1)
#define HV_VMX_VPID          (1u << 2)
#define HV_VMX_UNRESTRICTED  (1u << 3)
#define HV_VMX_PREEMPT_TIMER (1u << 4)

#endif
