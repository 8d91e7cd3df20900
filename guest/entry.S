/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest entry and CPU exception stubs. The VMM enters _start in 64-bit
 * long mode, ring 0, with paging on, interrupts off and segments loaded,
 * on the exception stack. Ring 0 only installs the IDT; the map operation
 * runs in ring 3 (see instar_abi.h for why).
 */
#include "instar_abi.h"

    .section .text.entry, "ax"
    .code64
    .globl _start
_start:
    call idt_install
    /* iretq to ring 3: SS, RSP, RFLAGS (IF and IOPL clear), CS, RIP. */
    pushq $GUEST_SEL_UDATA
    pushq $GUEST_STACK_TOP
    pushq $0x2
    pushq $GUEST_SEL_UCODE
    lea user_start(%rip), %rax
    pushq %rax
    iretq

user_start:
    xor %rbp, %rbp
    call guest_main
    /* guest_main ends with an EXIT hypercall; reaching here is a bug. */
    ud2

/*
 * One stub per exception vector 0..31. Vectors that push no error code
 * push a zero, so guest_exception() always sees the same frame:
 * [vector, error code, rip, cs, rflags, rsp, ss].
 */
.macro EXC_NOERR vec
    .globl exc_stub_\vec
exc_stub_\vec:
    pushq $0
    pushq $\vec
    jmp exc_common
.endm

.macro EXC_ERR vec
    .globl exc_stub_\vec
exc_stub_\vec:
    pushq $\vec
    jmp exc_common
.endm

    .text
/* Runs in ring 0 on the TSS's RSP0 stack. */
exc_common:
    mov %rsp, %rdi          /* frame pointer for the C handler */
    and $-16, %rsp
    call guest_exception    /* does not return */
2:  hlt
    jmp 2b

EXC_NOERR 0
EXC_NOERR 1
EXC_NOERR 2
EXC_NOERR 3
EXC_NOERR 4
EXC_NOERR 5
EXC_NOERR 6
EXC_NOERR 7
EXC_ERR   8
EXC_NOERR 9
EXC_ERR   10
EXC_ERR   11
EXC_ERR   12
EXC_ERR   13
EXC_ERR   14
EXC_NOERR 15
EXC_NOERR 16
EXC_ERR   17
EXC_NOERR 18
EXC_NOERR 19
EXC_NOERR 20
EXC_ERR   21
EXC_NOERR 22
EXC_NOERR 23
EXC_NOERR 24
EXC_NOERR 25
EXC_NOERR 26
EXC_NOERR 27
EXC_NOERR 28
EXC_ERR   29
EXC_ERR   30
EXC_NOERR 31

    .section .rodata
    .balign 8
    .globl exc_stub_table
exc_stub_table:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad exc_stub_\n
    .endr

    .section .note.GNU-stack, "", @progbits
