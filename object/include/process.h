/*
 * Processes: an address space, a handle table, anonymous memory and a
 * thread count. One process so far: the root task. Its threads
 * (kernel/include/thread.h) are what vCPUs bind to.
 */
#ifndef PROCESS_H
#define PROCESS_H

#include <stdint.h>
#include "boot_info.h"
#include "handle_table.h"
#include "hv/hv.h"
#include "object.h"
#include "thread.h"
#include "vspace.h"

#define PROCESS_HANDLES 1024

/* Anonymous memory from mem_map. */
struct mem_region {
    uint64_t va, len;
    uint32_t rights;            /* VS_R | VS_W */
    uint32_t guest_refs;        /* guest mappings of it: unmap refused while > 0 */
    struct mem_region *next;
};

struct process {
    struct vspace vs;
    struct handle_table handles;
    struct ht_entry *handle_slots;
    struct mem_region *regions;
    uint64_t mmap_next;         /* mem_map hands out fresh addresses upward from here */
    uint32_t nthreads;          /* alive */
};

#define MMAP_BASE    0x0000100000000000ull
#define MMAP_TOP     0x0000300000000000ull
#define MODULES_BASE 0x0000400000000000ull
#define STARTUP_VA   0x00003fffffff0000ull
#define USER_STACK_TOP   0x00007ffffff00000ull
#define USER_STACK_PAGES 16

/* HV_OK or HV_ERR_NO_MEMORY. */
hv_status_t process_init(struct process *p);
/* The process the current thread belongs to. */
static inline struct process *current_process(void)
{
    return current_thread()->proc;
}
/* Map fresh zeroed frames at va (page aligned): HV_OK, or vspace_map_page's error
 * with nothing left mapped. */
hv_status_t process_map_anon(struct process *p, uint64_t va, uint64_t len, uint32_t rights);
/* The same for a 2 MiB-aligned va: physically contiguous 2 MiB blocks where the
 * allocator has them (so guests get 2 MiB EPT leaves), single frames otherwise. */
hv_status_t process_map_anon_2m(struct process *p, uint64_t va, uint64_t len, uint32_t rights);

/* object/process_ops.c: the hypercalls of include/hv/syscall.h on the process itself,
 * after their pointers were checked; errors as documented there. */
hv_status_t process_mem_map(struct process *p, uint64_t len, uint32_t flags, uint64_t *va_out);
hv_status_t process_mem_unmap(struct process *p, uint64_t va, uint64_t len);
/* A thread entering ring 3 at entry with rsp = stack_top - 8 (where 0 is stored) and
 * rdi = arg; its handle goes to user address user_out (checked writable). */
hv_status_t process_thread_create(struct process *p, uint64_t entry, uint64_t stack_top,
                                  uint64_t arg, uint64_t user_out);
/* The calling thread of p ends; p's last one stops the machine. */
__attribute__((noreturn)) void process_thread_exit(struct process *p);

/* Load the root task (boot module "root") and make its first thread ready to run. */
void root_task_start(const struct boot_info *bi);

#endif
