/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vmdk text descriptor as qemu reads it: not with a grammar but with
 * strstr() for a few keys and one sscanf() per line, whose quirks decide
 * what qemu accepts (whitespace skipping across line ends, field widths,
 * saturating numbers). These helpers reproduce glibc's behaviour for
 * exactly the conversions qemu uses.
 */
#include "vmdk.h"

#include "compat.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
           c == '\r';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_xdigit(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static const char *find_str(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay; hay++)
        if (memcmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

/* Scan results: a conversion matched, failed to match, or hit the end. */
#define SCAN_OK      1
#define SCAN_NOMATCH 0
#define SCAN_EOF     -1

/* "%Ns": skip white space, then 1..width non-space characters. */
static int scan_word(const char **s, char *out, size_t width)
{
    const char *p = *s;
    size_t n = 0;

    while (is_space(*p))
        p++;
    if (!*p)
        return SCAN_EOF;
    while (*p && !is_space(*p) && n < width)
        out[n++] = *p++;
    out[n] = '\0';
    *s = p;
    return SCAN_OK;
}

/* "%lld": white space, optional sign, digits; saturates like strtoll. */
static int scan_i64(const char **s, int64_t *out)
{
    const char *p = *s;
    bool neg = false, sat = false;
    uint64_t v = 0;

    while (is_space(*p))
        p++;
    if (!*p)
        return SCAN_EOF;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (!is_digit(*p))
        return SCAN_NOMATCH;
    while (is_digit(*p)) {
        uint64_t d = (uint64_t)(*p++ - '0');
        if (v > (UINT64_MAX - d) / 10)
            sat = true;
        else
            v = v * 10 + d;
    }
    if (neg) {
        if (sat || v > (uint64_t)INT64_MAX + 1)
            *out = INT64_MIN;
        else
            *out = (int64_t)(0 - v);
    } else {
        *out = sat || v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
    }
    *s = p;
    return SCAN_OK;
}

/* A literal format character: no white space skipping. */
static int scan_char(const char **s, char c)
{
    if (!**s)
        return SCAN_EOF;
    if (**s != c)
        return SCAN_NOMATCH;
    (*s)++;
    return SCAN_OK;
}

/* "%511[^\n\r\"]" */
static int scan_name(const char **s, char *out, size_t width)
{
    const char *p = *s;
    size_t n = 0;

    if (!*p)
        return SCAN_EOF;
    while (*p && *p != '\n' && *p != '\r' && *p != '"' && n < width)
        out[n++] = *p++;
    if (n == 0)
        return SCAN_NOMATCH;
    out[n] = '\0';
    *s = p;
    return SCAN_OK;
}

static void skip_space(const char **s)
{
    while (is_space(**s))
        (*s)++;
}

void vmdk_scan_extent_line(const char *p, struct vmdk_extent_line *out)
{
    int rc;

    memset(out, 0, sizeof(*out));
    out->flat_offset = -1;
    /* sscanf returns EOF only when input ends before the first match. */
    if ((rc = scan_word(&p, out->access, 10)) != SCAN_OK) {
        out->matches = rc == SCAN_EOF ? -1 : 0;
        return;
    }
    out->matches = 1;
    skip_space(&p);
    if (scan_i64(&p, &out->sectors) != SCAN_OK)
        return;
    out->matches = 2;
    skip_space(&p);
    if (scan_word(&p, out->type, 10) != SCAN_OK)
        return;
    out->matches = 3;
    skip_space(&p);
    if (scan_char(&p, '"') != SCAN_OK)
        return;
    if (scan_name(&p, out->fname, 511) != SCAN_OK)
        return;
    out->matches = 4;
    if (scan_char(&p, '"') != SCAN_OK)
        return;
    skip_space(&p);
    if (scan_i64(&p, &out->flat_offset) != SCAN_OK)
        return;
    out->matches = 5;
}

int vmdk_create_type(const char *desc, char *out, size_t out_size)
{
    const char *end = desc + strlen(desc);
    const char *pos = find_str(desc, "createType"), *e;

    if (!pos)
        return -1;
    pos += strlen("createType") + 2;   /* the '="' is skipped unchecked */
    if (pos >= end)
        return -1;
    for (e = pos; e < end && *e != '"'; e++)
        ;
    if (e == end || out_size < (size_t)(e - pos) + 1)
        return -1;
    memcpy(out, pos, (size_t)(e - pos));
    out[e - pos] = '\0';
    return 0;
}

int vmdk_parent_hint(const char *buf, const char **name, size_t *len)
{
    const char *p = find_str(buf, "parentFileNameHint"), *e;
    const char *limit = buf + VMDK_DESC_SIZE;   /* buf[VMDK_DESC_SIZE] == 0 */

    if (!p)
        return 0;
    p += strlen("parentFileNameHint") + 2;
    if (p > limit)
        p = limit;
    for (e = p; *e && *e != '"'; e++)
        ;
    if (*e != '"')
        return -1;
    if ((size_t)(e - p) > 4096 - 1)   /* sizeof(bs->auto_backing_file) */
        return -1;
    *name = p;
    *len = (size_t)(e - p);
    return 1;
}

int vmdk_read_cid(char *buf, bool parent, uint32_t *cid)
{
    const char *key = parent ? "parentCID" : "CID";
    const char *p, *limit = buf + VMDK_DESC_SIZE - 1;
    uint32_t v = 0;

    buf[VMDK_DESC_SIZE - 1] = '\0';
    p = find_str(buf, key);
    if (!p)
        return -1;
    p += strlen(key) + 1;
    if (p > limit)
        p = limit;
    /* sscanf("%x"): white space, a sign, an optional 0x, hex digits. */
    while (is_space(*p))
        p++;
    if (*p == '+' || *p == '-')
        p++;
    if (*p == '0') {
        p++;
        if (*p == 'x' || *p == 'X')
            p++;
    } else if (!is_xdigit(*p)) {
        return -1;
    }
    while (is_xdigit(*p)) {
        char c = *p++;
        v = v << 4 | (uint32_t)(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    *cid = v;
    return 0;
}

size_t vmdk_dirname_len(const char *filename)
{
    size_t i, n = 0;

    for (i = 0; filename[i]; i++)
        if (filename[i] == '/')
            n = i + 1;
    return n;
}
