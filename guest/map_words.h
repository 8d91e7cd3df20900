/*
 * Translation between the protocol's words (impl/abi/instar_map.h) and
 * the format library's (impl/formats): the one place where the two
 * vocabularies meet. The host speaks only the first, the format library
 * only the second.
 */
#ifndef INSTAR_GUEST_MAP_WORDS_H
#define INSTAR_GUEST_MAP_WORDS_H

#include <stdint.h>

#include "io.h"
#include "node.h"

/* Configuration page -> format library. A value the host never sends is
 * a broken VMM: these panic with the field's name. */
enum image_format words_format_in(uint32_t instar_format);
uint32_t words_merge_keys_in(uint32_t instar_merge);
uint32_t words_driver_rules_in(uint32_t instar_rules);
uint32_t words_vhd_size_rule_in(uint32_t instar_vhd_rule);

/* Format library -> messages. */
uint32_t words_result_out(int map_err_kind);
uint32_t words_log_kind_out(enum log_kind kind);

#endif
