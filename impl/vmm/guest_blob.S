/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest binary, embedded so that instar is a single file. */
    .section .rodata
    .balign 16
    .globl instar_guest_blob
    .globl instar_guest_blob_end
instar_guest_blob:
    .incbin INSTAR_GUEST_BIN_PATH
instar_guest_blob_end:
    .section .note.GNU-stack, "", @progbits
