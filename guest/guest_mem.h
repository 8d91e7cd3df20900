/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest memory as the guest code sees it. The guest runs identity mapped,
 * so a guest physical address is a pointer: GUEST_PTR(GUEST_MAILBOX_ADDR)
 * is the mailbox and GUEST_ADDR(p) is what goes into the mailbox for p.
 *
 * The test-only in-process build (-DINSTAR_GUEST_INPROC, tests/inproc/)
 * runs the same code in an ordinary process whose guest RAM is a buffer
 * at inproc_ram: the two macros add and subtract its base. Every use of a
 * fixed guest address goes through them. There the guest's stack is in
 * that RAM too, but its statics are not: nothing may hand a static to a
 * hypercall (panic's text is on the stack in that build). In the real
 * guest the macros are plain casts and the binary is unchanged.
 */
#ifndef INSTAR_GUEST_GUEST_MEM_H
#define INSTAR_GUEST_GUEST_MEM_H

#include <stdint.h>

#ifdef INSTAR_GUEST_INPROC
extern uint8_t *inproc_ram;
#define GUEST_PTR(addr) ((void *)(inproc_ram + (addr)))
#define GUEST_ADDR(ptr) \
    ((uint64_t)((uintptr_t)(ptr) - (uintptr_t)inproc_ram))
/* The doorbell: the VMM handles call nr, then returns to the guest (or
 * never returns, when the call ends the run). */
void inproc_doorbell(uint32_t nr);
#else
#define GUEST_PTR(addr) ((void *)(uintptr_t)(addr))
#define GUEST_ADDR(ptr) ((uint64_t)(uintptr_t)(ptr))
#endif

#endif
