/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu_strtosz() as qemu-img shipped it, one function per generation.
 * Each follows qemu's control flow step by step (including where it moves
 * its end pointer) because users rely on the odd corners: "1.k" is 1024,
 * "0x1000B" is 65547, "-0" is a range error from 8.1 on, and so on. The
 * outputs were checked against the real binaries (baselines/units).
 */
#include "size.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

/* suffix_mul() with unit 1024; -1 for a character that is no suffix. */
static int64_t suffix_mul(char c)
{
    switch (toupper((unsigned char)c)) {
    case 'B': return 1;
    case 'K': return INT64_C(1) << 10;
    case 'M': return INT64_C(1) << 20;
    case 'G': return INT64_C(1) << 30;
    case 'T': return INT64_C(1) << 40;
    case 'P': return INT64_C(1) << 50;
    case 'E': return INT64_C(1) << 60;
    }
    return -1;
}

/* qemu_strtou64(): strtoull, with "no digits" as -EINVAL. */
static int qemu_strtou64(const char *nptr, const char **end, int base,
                         uint64_t *result)
{
    char *ep;
    errno = 0;
    *result = strtoull(nptr, &ep, base);
    int err = errno;
    if (err == ERANGE) {
        *result = UINT64_MAX;
    }
    *end = ep;
    if (err == 0 && ep == nptr) {
        return -EINVAL;
    }
    return -err;
}

/* qemu_strtod(): strtod, with "no digits" as -EINVAL. */
static int qemu_strtod(const char *nptr, const char **end, double *result)
{
    char *ep;
    errno = 0;
    *result = strtod(nptr, &ep);
    int err = errno;
    *end = ep;
    if (err == 0 && ep == nptr) {
        return -EINVAL;
    }
    return -err;
}

/* qemu_strtod_finite() up to 8.0: a range error keeps its value. */
static int strtod_finite_v5(const char *nptr, const char **end, double *result)
{
    double tmp;
    int ret = qemu_strtod(nptr, end, &tmp);
    if (ret == 0 && !isfinite(tmp)) {
        *end = nptr;
        ret = -EINVAL;
    }
    if (ret != -EINVAL) {
        *result = tmp;
    }
    return ret;
}

/* qemu_strtod_finite() from 8.1: non-finite is -EINVAL with result 0. */
static int strtod_finite_v8(const char *nptr, const char **end, double *result)
{
    const char *tmp;
    int ret = qemu_strtod(nptr, &tmp, result);
    if (!isfinite(*result)) {
        *end = nptr;
        *result = 0.0;
        return -EINVAL;
    }
    *end = tmp;
    return ret;
}

/*
 * 5.2: the whole string goes through strtod, so hex floats and exponents
 * work, precision is 53 bits, and "-0" is 0.
 */
static int strtosz_s0(const char *nptr, uint64_t *result)
{
    const char *endptr;
    double val;
    int retval = strtod_finite_v5(nptr, &endptr, &val);
    if (retval) {
        goto out;
    }
    double integral;
    bool mul_required = modf(val, &integral) != 0;
    double mul = (double)suffix_mul(*endptr);
    if (mul >= 0) {
        endptr++;
    } else {
        mul = 1;
    }
    if (mul == 1 && mul_required) {
        retval = -EINVAL;
        goto out;
    }
    /* The largest double below 2^64: values near it would round up. */
    if (val * mul > nextafter(0x1p64, 0) || val < 0) {
        retval = -ERANGE;
        goto out;
    }
    *result = (uint64_t)(val * mul);
out:
    if (*endptr) {
        retval = -EINVAL;
    }
    return retval;
}

/*
 * val * mul plus the 64.64 fixed-point fraction valf * mul, rounding the
 * fraction half up; -ERANGE if the result needs more than 64 bits.
 */
static int scale(uint64_t *val, uint64_t valf, int64_t mul)
{
    u128 whole = (u128)*val * (uint64_t)mul;
    u128 frac = (u128)valf * (uint64_t)mul;
    u128 sum = whole + (frac >> 64) + ((uint64_t)frac >> 63);
    if (sum >> 64) {
        return -ERANGE;
    }
    *val = (uint64_t)sum;
    return 0;
}

/*
 * qemu converts fraction * 2^64 to uint64_t. A fraction that strtod
 * rounded to 1.0 makes that 2^64, which the x86-64 builds turn into 0,
 * so ".9999999999999999999k" counts as 0 there (and 1.9999...k as 1024).
 */
static uint64_t fraction_to_fixed_v6(double fraction)
{
    if (fraction >= 1.0) {
        return 0;
    }
    return (uint64_t)(fraction * 0x1p64);
}

/*
 * 6.0 - 8.0: a 64-bit decimal integer part, hex without fraction, and a
 * decimal fraction that needs a suffix. S1 warns about hex with a suffix,
 * S2 rejects it.
 */
/*
 * The common end of qemu_strtosz in every version since 6.0: an optional
 * suffix at endptr scales val and the fraction valf; a fraction needs a
 * scaling suffix (not 'b'); nothing may follow. *suffixed tells whether a
 * suffix was used.
 */
static int finish_size(const char *nptr, const char *endptr, uint64_t val,
                       uint64_t valf, uint64_t *result, bool *suffixed)
{
    int retval = 0;
    int64_t mul = suffix_mul(*endptr);
    *suffixed = mul > 0;
    if (mul > 0) {
        endptr++;
    } else {
        mul = 1;
    }
    if (mul == 1 && valf != 0) {
        /* a fraction needs a suffix that scales it: "1.5" and "1.5b" fail */
        endptr = nptr;
        retval = -EINVAL;
    } else if (mul != 1) {
        retval = scale(&val, valf, mul);
    }
    if (*endptr) {
        retval = -EINVAL;
    }
    if (retval == 0) {
        *result = val;
    }
    return retval;
}

static int strtosz_s1_s2(const char *nptr, bool reject_hex_suffix,
                         uint64_t *result, bool *hex_suffix_warning)
{
    const char *endptr;
    uint64_t val, valf = 0;
    bool hex = false;
    int retval = qemu_strtou64(nptr, &endptr, 10, &val);
    if (retval) {
        goto out;
    }
    if (memchr(nptr, '-', (size_t)(endptr - nptr)) != NULL) {
        endptr = nptr;
        retval = -EINVAL;
        goto out;
    }
    if (val == 0 && (*endptr == 'x' || *endptr == 'X')) {
        retval = qemu_strtou64(nptr, &endptr, 16, &val);
        if (retval) {
            goto out;
        }
        if (*endptr == '.' ||
            (reject_hex_suffix && suffix_mul(*endptr) > 0)) {
            endptr = nptr;
            retval = -EINVAL;
            goto out;
        }
        hex = true;
    } else if (*endptr == '.') {
        const char *f = endptr;
        double fraction;
        if (strtod_finite_v5(f, &endptr, &fraction) != 0) {
            /*
             * qemu steps one character on: over the lone '.', or after an
             * underflow past the first character behind the digits. At
             * the end of the string that step reads past the terminator
             * (the next argv string); instar calls that invalid.
             */
            if (*endptr == '\0') {
                endptr = nptr;
                retval = -EINVAL;
                goto out;
            }
            endptr++;
        } else if (memchr(f, 'e', (size_t)(endptr - f)) ||
                   memchr(f, 'E', (size_t)(endptr - f))) {
            endptr = nptr;
            retval = -EINVAL;
            goto out;
        } else {
            valf = fraction_to_fixed_v6(fraction);
        }
    }
    bool suffixed;
    retval = finish_size(nptr, endptr, val, valf, result, &suffixed);
    if (hex && suffixed) {
        *hex_suffix_warning = true;
    }
    return retval;
out:
    if (*endptr) {
        retval = -EINVAL;
    }
    return retval;
}

/* parse_uint() from 8.1: a leading '-' (after spaces) is -ERANGE. */
static int parse_uint(const char *s, const char **end, uint64_t *value)
{
    char *endp;
    errno = 0;
    unsigned long long val = strtoull(s, &endp, 10);
    int r = 0;
    if (errno) {
        r = -errno;
    } else if (endp == s) {
        r = -EINVAL;
    } else {
        while (isspace((unsigned char)*s)) {
            s++;
        }
        if (*s == '-') {
            val = 0;
            r = -ERANGE;
        }
    }
    *value = val;
    *end = endp;
    return r;
}

/*
 * The fraction part from 8.1: 'e'/'E' end it (they are suffixes, not
 * exponents), rounding up to 1.0 carries into the integer, and a fraction
 * too small for a double still counts as "more than zero".
 */
static int fraction_v8(const char **endptr, int retval, uint64_t *val,
                       uint64_t *valf)
{
    double fraction = 0.0;
    const char *p = *endptr;

    if (retval == 0 && *p == '.' && !isdigit((unsigned char)p[1])) {
        *endptr = p + 1;
    } else {
        size_t len = strcspn(p, "eE");
        char *copy = strndup(p, len);
        const char *tail;
        if (!copy) {
            abort(); /* as qemu's g_strdup() does */
        }
        retval = strtod_finite_v8(copy, &tail, &fraction);
        *endptr = p + (tail - copy);
        free(copy);
        if (signbit(fraction)) {
            return -ERANGE;
        }
    }
    if (fraction == 1.0) {
        if (*val == UINT64_MAX) {
            return -ERANGE;
        }
        (*val)++;
    } else if (retval == -ERANGE) {
        *valf = 1;
        retval = 0;
    } else {
        /* fraction < 1 here (">= 1" only arises by rounding to 1.0) */
        *valf = fraction < 1.0 ? (uint64_t)(fraction * 0x1p64) : UINT64_MAX;
        if (*valf == 0 && fraction > 0.0) {
            *valf = 1;
        }
    }
    return retval;
}

/* 8.1 and later. */
static int strtosz_s3(const char *nptr, uint64_t *result)
{
    const char *endptr;
    uint64_t val = 0, valf = 0;
    int retval = parse_uint(nptr, &endptr, &val);
    if (retval == -ERANGE) {
        goto out;
    }
    if (retval == 0 && val == 0 && (*endptr == 'x' || *endptr == 'X')) {
        retval = qemu_strtou64(nptr, &endptr, 16, &val);
        if (retval) {
            goto out;
        }
        if (*endptr == '.' || suffix_mul(*endptr) > 0) {
            endptr = nptr;
            retval = -EINVAL;
            goto out;
        }
    } else if (*endptr == '.' || (endptr == nptr && strchr(nptr, '.'))) {
        retval = fraction_v8(&endptr, retval, &val, &valf);
    }
    if (retval) {
        goto out;
    }
    bool suffixed;
    return finish_size(nptr, endptr, val, valf, result, &suffixed);
out:
    if (*endptr) {
        retval = -EINVAL;
    }
    return retval;
}

int size_strtosz(enum size_profile prof, const char *text, uint64_t *value,
                 bool *hex_suffix_warning)
{
    *hex_suffix_warning = false;
    switch (prof) {
    case SIZE_S0:
        return strtosz_s0(text, value);
    case SIZE_S1:
        return strtosz_s1_s2(text, false, value, hex_suffix_warning);
    case SIZE_S2:
        return strtosz_s1_s2(text, true, value, hex_suffix_warning);
    case SIZE_S3:
    case SIZE_S4:
        return strtosz_s3(text, value);
    }
    return -EINVAL;
}
