/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The misbehaving test guest (guest/selftest_main.c). */
    .section .rodata
    .balign 16
    .globl selftest_guest
    .globl selftest_guest_end
selftest_guest:
    .incbin SELFTEST_GUEST_BIN_PATH
selftest_guest_end:
    .section .note.GNU-stack, "", @progbits
