/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hypercall dispatch. Every field the guest supplies is checked here:
 * device index, guest address ranges (with overflow), length caps.
 */
#ifndef INSTAR_VMM_HYPERCALL_H
#define INSTAR_VMM_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>

#include "vm_internal.h"

enum hc_outcome {
    HC_CONTINUE,  /* resume the guest */
    HC_EXIT,      /* EXIT: *status holds the guest's status */
    HC_STOP,      /* the emit callback asked to stop */
    HC_FAIL,      /* error: message in err */
};

enum hc_outcome hypercall_dispatch(struct vm *vm, uint32_t nr, vm_emit_fn emit,
                                   void *ctx, uint64_t *status, char *err,
                                   size_t errlen);

/* Host pointer for guest range [gpa, gpa+len), or NULL if not in RAM. */
uint8_t *guest_range(struct vm *vm, uint64_t gpa, uint64_t len);

#endif
