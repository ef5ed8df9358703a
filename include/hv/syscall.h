/*
 * The hypercall interface of the kernel to the root task.
 *
 * Entry by SYSCALL: number in rax; arguments in rdi, rsi, rdx, r10, r8, r9;
 * the hv_status_t comes back in rax (rcx and r11 are clobbered, as SYSCALL
 * does). Every pointer argument must point into the caller's user range,
 * be canonical and mapped with the access the call needs, else
 * HV_ERR_INVALID_ARGS; the kernel never faults on a caller's pointer.
 * Any call may also return HV_ERR_BAD_SYSCALL (unknown number).
 */
#ifndef HV_SYSCALL_H
#define HV_SYSCALL_H

#include "packet.h"
#include "rights.h"
#include "state.h"
#include "status.h"

enum hv_syscall {
    /* hv_null(): does nothing; returns HV_OK. For measuring the round trip. */
    HV_SYS_NULL = 0,

    /* hv_debug_write(const char *buf, size_t len): print on the kernel console.
     * HV_ERR_INVALID_ARGS: bad buf, or len > HV_DEBUG_WRITE_MAX. */
    HV_SYS_DEBUG_WRITE = 1,

    /* hv_system_info(struct hv_system_info *out, size_t size): CPUs, memory, VMX.
     * HV_ERR_INVALID_ARGS: bad out; HV_ERR_BUFFER_TOO_SMALL: size < sizeof. */
    HV_SYS_SYSTEM_INFO = 2,

    /* hv_system_shutdown(uint32_t status): ends the machine (never returns on success).
     * HV_ERR_INVALID_ARGS: status > 255. */
    HV_SYS_SYSTEM_SHUTDOWN = 3,

    /* hv_handle_close(hv_handle_t h): HV_ERR_BAD_HANDLE. Closing the last handle
     * to an object destroys it (a guest takes its vCPUs, EPT and traps along). */
    HV_SYS_HANDLE_CLOSE = 4,

    /* hv_handle_duplicate(hv_handle_t h, hv_rights_t rights, hv_handle_t *out):
     * rights must be a subset of h's (or HV_RIGHT_SAME_RIGHTS).
     * HV_ERR_BAD_HANDLE; HV_ERR_ACCESS_DENIED: h lacks DUPLICATE;
     * HV_ERR_INVALID_ARGS: rights not a subset, bad out; HV_ERR_NO_RESOURCES. */
    HV_SYS_HANDLE_DUPLICATE = 5,

    /* hv_guest_create(uint32_t options, hv_handle_t *out): a guest with an empty
     * address space; the handle has HV_RIGHTS_ALL.
     * HV_ERR_INVALID_ARGS: options != 0, bad out; HV_ERR_NO_MEMORY; HV_ERR_NO_RESOURCES. */
    HV_SYS_GUEST_CREATE = 6,

    /* hv_guest_map(hv_handle_t guest, uint64_t gpa, uint64_t va, uint64_t len, uint32_t flags):
     * share the caller's memory [va, va+len) with the guest at gpa; the range must lie in
     * one mem_map region. flags: HV_GUEST_PERM_*, READ required.
     * Needs WRITE. HV_ERR_BAD_HANDLE, HV_ERR_WRONG_TYPE, HV_ERR_ACCESS_DENIED;
     * HV_ERR_INVALID_ARGS: unaligned, zero len, flags 0 or unknown, W without R, va range
     * not mapped in the caller with at least those rights; HV_ERR_OUT_OF_RANGE: gpa beyond
     * the guest-physical width; HV_ERR_ALREADY_EXISTS: overlaps a mapping; HV_ERR_NO_MEMORY. */
    HV_SYS_GUEST_MAP = 7,

    /* hv_guest_unmap(hv_handle_t guest, uint64_t gpa, uint64_t len): holes are fine.
     * Needs WRITE. Errors as guest_map (no ALREADY_EXISTS). */
    HV_SYS_GUEST_UNMAP = 8,

    /* hv_guest_protect(hv_handle_t guest, uint64_t gpa, uint64_t len, uint32_t flags):
     * Needs WRITE. HV_ERR_INVALID_ARGS also when a page of the range is not mapped. */
    HV_SYS_GUEST_PROTECT = 9,

    /* hv_guest_set_trap(hv_handle_t guest, uint32_t kind, uint64_t addr, uint64_t len,
     *                   hv_handle_t port, uint64_t key):
     * Traps see guest accesses to addresses the guest has no memory mapped at (MEM, BELL:
     * guest-physical; IO: ports). HV_TRAP_MEM and HV_TRAP_IO are synchronous: the packet
     * comes back from vcpu_resume; port must be HV_HANDLE_INVALID. HV_TRAP_BELL is
     * asynchronous: a guest write in [addr, addr+len) becomes an HV_PKT_GUEST_BELL packet on
     * the port and the guest continues past the write; addr and len page aligned; the port
     * needs WRITE. If the port's queue is full, that bell packet (status HV_OK) comes back from
     * vcpu_resume instead (nothing is dropped, the vCPU never stalls on a port; only a port whose
     * handles are all closed drops bells, as nobody can wait on it); a read of a bell page
     * comes back from vcpu_resume as HV_PKT_VCPU_EXIT (EPT violation). MEM and BELL traps
     * share the guest-physical space, IO traps the port space. Needs WRITE on the guest.
     * HV_ERR_INVALID_ARGS: bad kind, len 0, IO range beyond 0xffff, BELL unaligned, a port
     * given for MEM/IO; HV_ERR_OUT_OF_RANGE: a MEM or BELL range beyond the guest-physical
     * width (2^48); HV_ERR_ALREADY_EXISTS: overlaps a trap; HV_ERR_BAD_HANDLE /
     * HV_ERR_WRONG_TYPE / HV_ERR_ACCESS_DENIED for guest or (BELL) port; HV_ERR_NO_MEMORY. */
    HV_SYS_GUEST_SET_TRAP = 10,

    /* hv_vcpu_create(hv_handle_t guest, uint32_t options, uint64_t entry, hv_handle_t *out):
     * a vCPU that starts at guest-physical `entry` in the Multiboot machine state: flat
     * 32-bit protected mode, paging off, CS = 0x08, data segments 0x10, interrupts off
     * (write HV_VCPU_STATE to change registers before the first resume). It is bound to
     * the calling thread; the new handle has DUPLICATE, TRANSFER, EXECUTE, SIGNAL, READ
     * and WRITE. HV_ERR_ACCESS_DENIED: guest lacks WRITE; HV_ERR_BAD_HANDLE;
     * HV_ERR_WRONG_TYPE: not a guest; HV_ERR_INVALID_ARGS: options != 0, entry >= 4 GiB,
     * bad out; HV_ERR_NO_MEMORY; HV_ERR_NO_RESOURCES (VPIDs or handles exhausted). */
    HV_SYS_VCPU_CREATE = 11,

    /* hv_vcpu_resume(hv_handle_t vcpu, struct hv_packet *packet): run until an exit the
     * kernel cannot finish. Needs EXECUTE; only the creating thread, and not after the
     * guest's last handle closed (else HV_ERR_BAD_STATE). HV_ERR_CANCELED: vcpu_kick;
     * HV_ERR_INVALID_ARGS: bad packet pointer.
     * Completing a packet: GUEST_IO OUT and GUEST_MEM stores are done when the packet
     * arrives; a GUEST_IO IN is finished by vcpu_write_state(HV_VCPU_IO) (resumed without
     * it, the IN runs again); a GUEST_MEM load is finished by the VMM writing the register
     * and rip (+ inst_len) with vcpu_write_state(HV_VCPU_STATE). Port I/O or MMIO outside
     * every trap comes back as HV_PKT_VCPU_EXIT. */
    HV_SYS_VCPU_RESUME = 12,

    /* hv_vcpu_kick(hv_handle_t vcpu): the current or next resume returns HV_ERR_CANCELED.
     * Any thread (a resume preempted by the scheduler sees the kick when it runs again). Needs SIGNAL. HV_ERR_BAD_STATE: the guest's last handle closed. */
    HV_SYS_VCPU_KICK = 13,

    /* hv_vcpu_interrupt(hv_handle_t vcpu, uint32_t vector): queue a virtual interrupt.
     * Any thread. Needs SIGNAL. HV_ERR_OUT_OF_RANGE: vector < 16 or > 255;
     * HV_ERR_BAD_STATE: the guest's last handle closed. */
    HV_SYS_VCPU_INTERRUPT = 14,

    /* hv_vcpu_read_state(hv_handle_t vcpu, uint32_t kind, void *buf, size_t len):
     * kinds HV_VCPU_STATE, HV_VCPU_SREGS. Needs READ; owner thread only (HV_ERR_BAD_STATE).
     * HV_ERR_INVALID_ARGS: unknown kind (HV_VCPU_IO is write-only), len != sizeof the
     * kind's struct, bad buf. */
    HV_SYS_VCPU_READ_STATE = 15,

    /* hv_vcpu_write_state(hv_handle_t vcpu, uint32_t kind, const void *buf, size_t len):
     * kinds HV_VCPU_STATE, HV_VCPU_IO, HV_VCPU_SREGS (see state.h for its rules).
     * Needs WRITE; owner thread only. HV_VCPU_IO: access_size 1, 2 or 4 else
     * HV_ERR_INVALID_ARGS; HV_ERR_BAD_STATE when no IN is waiting. */
    HV_SYS_VCPU_WRITE_STATE = 16,

    /* hv_mem_map(uint64_t len, uint32_t flags, uint64_t *out_va): anonymous zeroed memory
     * in the caller's address space; flags HV_MEM_READ|HV_MEM_WRITE (READ required).
     * HV_ERR_INVALID_ARGS: len 0 or unaligned, bad flags or out; HV_ERR_NO_MEMORY. */
    HV_SYS_MEM_MAP = 17,

    /* hv_mem_unmap(uint64_t va, uint64_t len): whole earlier mappings only.
     * HV_ERR_INVALID_ARGS: not exactly a range mem_map returned; HV_ERR_BAD_STATE: a guest
     * still maps part of it (guest_unmap first, or close the guest). */
    HV_SYS_MEM_UNMAP = 18,

    /* hv_port_create(uint32_t options, hv_handle_t *out): a port: a queue of up to
     * HV_PORT_CAPACITY packets (bell traps and port_queue put them in, port_wait takes them
     * out). The handle has DUPLICATE, TRANSFER, READ and WRITE.
     * HV_ERR_INVALID_ARGS: options != 0, bad out; HV_ERR_NO_MEMORY; HV_ERR_NO_RESOURCES. */
    HV_SYS_PORT_CREATE = 19,

    /* hv_port_queue(hv_handle_t port, const struct hv_packet *packet): queue a packet from
     * user space: its key and payload are kept, type becomes HV_PKT_USER, status HV_OK.
     * Needs WRITE. HV_ERR_BAD_HANDLE, HV_ERR_WRONG_TYPE, HV_ERR_ACCESS_DENIED;
     * HV_ERR_INVALID_ARGS: bad packet pointer; HV_ERR_NO_RESOURCES: the queue is full. */
    HV_SYS_PORT_QUEUE = 20,

    /* hv_port_wait(hv_handle_t port, uint64_t deadline, struct hv_packet *out): take the
     * oldest packet, blocking until one arrives or the TSC reaches deadline (absolute TSC
     * ticks, see hv_system_info.tsc_hz; 0 or any past value: do not block;
     * HV_TIME_INFINITE: no deadline). Waiters are served first come, first served.
     * Needs READ. HV_ERR_BAD_HANDLE, HV_ERR_WRONG_TYPE, HV_ERR_ACCESS_DENIED;
     * HV_ERR_INVALID_ARGS: bad out (checked before blocking, and again when the packet is
     * copied out: the packet is lost then); HV_ERR_TIMED_OUT: deadline passed with the queue
     * empty; HV_ERR_CANCELED: the port's last handle was closed while waiting. */
    HV_SYS_PORT_WAIT = 21,

    /* hv_thread_create(uint64_t entry, uint64_t stack_top, uint64_t arg, uint32_t options,
     *                  hv_handle_t *out): a new thread of the calling process, runnable at
     * once. It starts in ring 3 at entry as if called by a function with return address 0
     * (the kernel stores 0 at stack_top - 8 and starts with rsp = stack_top - 8), rdi = arg,
     * the other registers 0, interrupts on; it must end with thread_exit, never return.
     * The scheduler is preemptive (round robin, HV_TIME_SLICE_MS per slice). The handle has
     * DUPLICATE, TRANSFER, READ and WRITE.
     * HV_ERR_INVALID_ARGS: options != 0; entry or stack_top not a canonical user address;
     * stack_top not 16-byte aligned or stack_top - 8 not mapped writable; bad out.
     * HV_ERR_NO_MEMORY; HV_ERR_NO_RESOURCES: HV_THREADS_MAX threads alive, or no handle slot. */
    HV_SYS_THREAD_CREATE = 22,

    /* hv_thread_exit(void): ends the calling thread; never returns. Its vCPUs stay (no other
     * thread may resume them: close their handles). When the root task's last thread ends,
     * the machine stops with status 1: a root task ends with system_shutdown. */
    HV_SYS_THREAD_EXIT = 23,

    HV_SYS_COUNT
};

/* port_wait deadline: never time out. */
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
};
#define HV_VMX_EPT_2M        (1u << 0)
#define HV_VMX_EPT_1G        (1u << 1)
#define HV_VMX_VPID          (1u << 2)
#define HV_VMX_UNRESTRICTED  (1u << 3)
#define HV_VMX_PREEMPT_TIMER (1u << 4)

#endif
