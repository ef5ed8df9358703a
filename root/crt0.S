/*
 * Root task entry. The kernel enters _start in ring 3 with rdi = the
 * start-up message (struct hv_startup) and rsp at the top of the stack.
 *   int main(const struct hv_startup *);  then  hv_system_shutdown(ret & 0xff)
 * Should shutdown ever return, spin on hv_null.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    xorl %ebp, %ebp             /* the end of frame-pointer chains */
    andq $-16, %rsp             /* SysV: 16-byte aligned at the call */
    call main                   /* rdi is the start-up message already */
    movl %eax, %ebx             /* callee-saved across the calls below */
    call stdout_flush           /* the last partial line of printf output */
    movl %ebx, %edi
    andl $0xff, %edi
    call hv_system_shutdown
1:  call hv_null
    jmp 1b
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
