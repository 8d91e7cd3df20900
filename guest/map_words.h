/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Translation between the protocol's words (impl/abi/instar_map.h) and
 * the format library's (impl/formats): the one place where the two
 * vocabularies meet. The host speaks only the first, the format library
 * only the second. Host-side tools that drive the format library with a
 * release's profile (hostmap) translate through here too.
 */
#ifndef INSTAR_GUEST_MAP_WORDS_H
#define INSTAR_GUEST_MAP_WORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "io.h"
#include "node.h"

/* Protocol -> format library. False for a value the protocol does not
 * define (the caller names the field in its error). */
bool words_format_in(uint32_t instar_format, enum image_format *out);
bool words_merge_keys_in(uint32_t instar_merge, uint32_t *out);
bool words_driver_rules_in(uint32_t instar_rules, uint32_t *out);
bool words_vhd_size_rule_in(uint32_t instar_vhd_rule, uint32_t *out);

/* Format library -> protocol. */
uint32_t words_result_out(int map_err_kind);
uint32_t words_log_kind_out(enum log_kind kind);

#endif
