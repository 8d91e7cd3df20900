/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "map_words.h"

#include "instar_map.h"
#include "map.h"

_Static_assert(MAP_ERR_MSG_MAX <= INSTAR_TEXT_MAX,
               "the protocol carries every error text whole");

/* The two sides number formats alike only by accident: name each pair. */
static const struct {
    uint32_t wire;
    enum image_format fmt;
} formats[] = {
    { INSTAR_FORMAT_PROBE, FMT_PROBE }, { INSTAR_FORMAT_RAW, FMT_RAW },
    { INSTAR_FORMAT_QCOW2, FMT_QCOW2 }, { INSTAR_FORMAT_VMDK, FMT_VMDK },
    { INSTAR_FORMAT_VPC, FMT_VPC },     { INSTAR_FORMAT_VHDX, FMT_VHDX },
    { INSTAR_FORMAT_FILE, FMT_FILE },
};
#define NFORMATS (sizeof formats / sizeof formats[0])
_Static_assert(NFORMATS == INSTAR_FORMAT_COUNT,
               "every protocol format has a format-library twin");

bool words_format_in(uint32_t wire, enum image_format *out)
{
    for (unsigned i = 0; i < NFORMATS; i++) {
        if (formats[i].wire == wire) {
            *out = formats[i].fmt;
            return true;
        }
    }
    return false;
}

bool words_merge_keys_in(uint32_t wire, uint32_t *out)
{
    if (wire & ~INSTAR_MERGE_ALL)
        return false;
    *out = ((wire & INSTAR_MERGE_PRESENT) ? MERGE_PRESENT : 0) |
           ((wire & INSTAR_MERGE_COMPRESSED) ? MERGE_COMPRESSED : 0);
    return true;
}

bool words_driver_rules_in(uint32_t wire, uint32_t *out)
{
    if (wire & ~INSTAR_RULES_ALL)
        return false;
    *out = ((wire & INSTAR_RULE_LENGTH_AT_OPEN) ? NODE_RULE_LENGTH_AT_OPEN
                                                : 0) |
           ((wire & INSTAR_RULE_PREAD_RETURNS_0) ? NODE_RULE_PREAD_RETURNS_0
                                                 : 0);
    return true;
}

bool words_vhd_size_rule_in(uint32_t wire, uint32_t *out)
{
    switch (wire) {
    case INSTAR_VHD_SIZE_CHS:
        *out = VHD_SIZE_CHS;
        return true;
    case INSTAR_VHD_SIZE_CURRENT:
        *out = VHD_SIZE_CURRENT;
        return true;
    }
    return false;
}

uint32_t words_result_out(int kind)
{
    switch (kind) {
    case MAP_ERR_NONE: return INSTAR_RESULT_OK;
    case MAP_ERR_OPEN: return INSTAR_RESULT_OPEN;
    case MAP_ERR_METADATA: return INSTAR_RESULT_METADATA;
    case MAP_ERR_LENGTH: return INSTAR_RESULT_LENGTH;
    case MAP_ERR_OPEN_ERRNO: return INSTAR_RESULT_OPEN_ERRNO;
    default: return INSTAR_RESULT_INTERNAL;
    }
}

uint32_t words_log_kind_out(enum log_kind kind)
{
    return kind == LOG_PLAIN ? INSTAR_LOG_PLAIN : INSTAR_LOG_MESSAGE;
}
