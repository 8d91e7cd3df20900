/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Checked arithmetic for every size or offset derived from image bytes. */
#ifndef INSTAR_FORMATS_CHECKED_H
#define INSTAR_FORMATS_CHECKED_H

#include <stdbool.h>
#include <stdint.h>

/* Each returns true when the result overflowed (and *r is not to be used). */
static inline bool add_overflow_u64(uint64_t a, uint64_t b, uint64_t *r)
{
    return __builtin_add_overflow(a, b, r);
}

static inline bool mul_overflow_u64(uint64_t a, uint64_t b, uint64_t *r)
{
    return __builtin_mul_overflow(a, b, r);
}

#endif
