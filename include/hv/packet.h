/*
 * Packets: what vcpu_resume returns (synchronous traps and other exits) and
 * what port_wait delivers (bell traps, port_queue). Fixed size, 64 bytes.
 */
#ifndef HV_PACKET_H
#define HV_PACKET_H

#include <stdint.h>

enum hv_packet_type {
    HV_PKT_GUEST_BELL = 1,      /* port_wait: a guest wrote a bell-trap page */
    HV_PKT_GUEST_MEM = 2,       /* vcpu_resume: access to a MEM trap */
    HV_PKT_GUEST_IO = 3,        /* vcpu_resume: port I/O in an IO trap */
    HV_PKT_GUEST_VCPU = 4,      /* vcpu_resume: the vCPU halted or shut down */
    HV_PKT_VCPU_EXIT = 5,       /* vcpu_resume: any other exit the kernel did not finish */
    HV_PKT_USER = 6,            /* port_wait: queued by port_queue */
    HV_PKT_GUEST_EOI = 7,       /* vcpu_resume: the guest EOIed a level-triggered vector */
    HV_PKT_CONSOLE = 8,         /* port_wait: kernel console input (console_bind) */
};

/* HV_PKT_GUEST_VCPU kinds. */
#define HV_VCPU_HALT     1      /* HLT with no event pending (rip is past it): queue one
                                   with vcpu_interrupt and resume to wake the guest. A HLT
                                   with IF=1 and the guest's APIC timer armed never comes
                                   here: the kernel sleeps until the timer fires */
#define HV_VCPU_SHUTDOWN 2      /* triple fault */

struct hv_packet_guest_mem {
    uint64_t addr;              /* guest-physical address accessed */
    uint8_t inst_len;           /* length of the instruction, 1..15 */
    uint8_t inst_buf[15];       /* its bytes */
    uint8_t access_size;        /* decoded: 1, 2, 4, 8 */
    uint8_t write;              /* 1: store */
    uint8_t reg;                /* decoded GPR of the load or store (0 = rax ... 15 = r15) */
    uint8_t flags;              /* HV_MEM_* */
    uint32_t reserved;
    uint64_t data;              /* store: the value written */
};
#define HV_MEM_SIGN_EXTEND 1
#define HV_MEM_ZERO_EXTEND 2
#define HV_MEM_HIGH8       4    /* AH/CH/DH/BH */

/* An IN or OUT whose first port lies in an IO trap. String forms (INS/OUTS) are not
 * decoded: they come back as HV_PKT_VCPU_EXIT. */
struct hv_packet_guest_io {
    uint16_t port;
    uint8_t access_size;        /* 1, 2, 4 */
    uint8_t input;              /* 1: IN (complete with vcpu_write_state(HV_VCPU_IO)) */
    uint32_t data;              /* OUT: the value written, masked to access_size */
};

struct hv_packet_guest_bell {
    uint64_t addr;              /* guest-physical address written */
};

struct hv_packet_guest_vcpu {
    uint32_t kind;              /* HV_VCPU_HALT, HV_VCPU_SHUTDOWN */
    uint32_t reserved;
    uint64_t rip;
};

struct hv_packet_vcpu_exit {
    uint32_t reason;            /* basic VMX exit reason (bit 31: failed entry) */
    uint32_t reserved;
    uint64_t qualification;
    uint64_t rip;
    uint64_t gpa;               /* for EPT exits, else 0 */
};

/* The guest wrote EOI while the highest in-service vector was level-triggered (its TMR bit
 * was set, vcpu_interrupt with HV_IRQ_LEVEL): an I/O APIC model clears the pin's remote
 * IRR and redelivers if the line is still asserted (SDM Vol. 3A 10.8.5). The EOI itself
 * is done. */
struct hv_packet_guest_eoi {
    uint32_t vector;
    uint32_t reserved;
};

/* Bytes received on the kernel console's serial line. */
struct hv_packet_console {
    uint32_t len;               /* 1..HV_CONSOLE_CHUNK (40) */
    uint8_t data[40];
};

struct hv_packet {
    uint64_t key;               /* the trap's key (0 for VCPU packets) */
    uint32_t type;              /* enum hv_packet_type */
    int32_t status;             /* HV_OK; reserved for bell packets' delivery status */
    union {
        struct hv_packet_guest_mem guest_mem;
        struct hv_packet_guest_io guest_io;
        struct hv_packet_guest_bell guest_bell;
        struct hv_packet_guest_vcpu guest_vcpu;
        struct hv_packet_vcpu_exit vcpu_exit;
        struct hv_packet_guest_eoi guest_eoi;
        struct hv_packet_console console;
        uint8_t raw[48];        /* HV_PKT_USER: the sender's bytes */
    };
};

#endif
