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

/* How a run ends after a hypercall that does not continue it: the one
 * mapping both run loops (vcpu_loop.c, the test-only tests/inproc) use. */
static inline enum vm_outcome hc_run_outcome(enum hc_outcome o)
{
    switch (o) {
    case HC_EXIT: return VM_EXITED;
    case HC_STOP: return VM_STOPPED;
    case HC_CONTINUE: /* not an end: the caller resumes the guest */
    case HC_FAIL: break;
    }
    return VM_FAILED;
}

enum hc_outcome hypercall_dispatch(struct vm *vm, uint32_t nr, vm_emit_fn emit,
                                   void *ctx, uint64_t *status, char *err,
                                   size_t errlen);

/* Host pointer for guest range [gpa, gpa+len), or NULL if not in RAM. */
uint8_t *guest_range(struct vm *vm, uint64_t gpa, uint64_t len);

#endif
