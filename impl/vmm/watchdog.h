/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ends a guest that runs too long. A periodic SIGALRM interrupts KVM_RUN
 * (it returns EINTR); the run loop then asks watchdog_expired().
 */
#ifndef INSTAR_VMM_WATCHDOG_H
#define INSTAR_VMM_WATCHDOG_H

#include <stddef.h>

#include "vmm.h"

int watchdog_start(const struct vm_limits *limits);
void watchdog_stop(void);
/* Note that the guest made progress (a hypercall arrived). */
void watchdog_progress(void);
/* Nonzero, with a message, when a limit has passed. */
int watchdog_expired(char *err, size_t errlen);

#endif
