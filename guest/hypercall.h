/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hypercall wrappers: fill the mailbox, one OUT, read the result. */
#ifndef INSTAR_GUEST_HYPERCALL_H
#define INSTAR_GUEST_HYPERCALL_H

#include <stdint.h>

#include "instar_abi.h"

int64_t hc_read(uint32_t dev, uint64_t off, void *buf, uint64_t len);
int64_t hc_data_status(uint32_t dev, uint64_t off, struct instar_data_run *runs,
                       uint64_t max_runs);
int64_t hc_emit(const void *buf, uint64_t len);
int64_t hc_open(const char *path, uint64_t len);
__attribute__((noreturn)) void hc_exit(uint64_t status);
__attribute__((noreturn)) void hc_fault(uint64_t vector, uint64_t error,
                                        uint64_t rip, uint64_t cr2);
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#endif
