/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pieces of the guest runtime that the map operation wires together. */
#ifndef INSTAR_GUEST_GUEST_H
#define INSTAR_GUEST_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "status.h"

struct instar_map_config;

void idt_install(void);

/* io_ops backed by hypercalls; device facts come from the config page. */
void guest_io_init(struct io_ops *ops, const struct instar_map_config *cfg);

/*
 * The EMIT batch: messages accumulate and go out when the buffer fills.
 * Values are the protocol's (impl/abi/instar_map.h): enum instar_format,
 * instar_log_kind, instar_result.
 */
void emit_opened(uint64_t virtual_size, uint32_t format);
void emit_extent(const struct map_extent *e);
void emit_log(uint32_t kind, const char *text);
void emit_result(uint32_t kind, int32_t errnum, const char *message,
                 uint64_t extent_count);
void emit_flush(void);

#endif
