/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest's whole C library: memory and string helpers the compiler and
 * the format code need, and a small vsnprintf for error messages. There
 * is no allocator; see impl/formats/arena.h.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0)
        return dst;
    if (d < s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

/* Output sink for vsnprintf: counts everything, stores what fits. */
struct out {
    char *buf;
    size_t size;
    size_t len;
};

static void out_char(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        out_char(o, c);
}

struct spec {
    bool left, zero, alt;
    int width;
    int precision; /* -1: none */
};

static void out_str(struct out *o, const struct spec *sp, const char *s,
                    size_t n)
{
    int pad = sp->width > (int)n ? sp->width - (int)n : 0;
    if (!sp->left)
        out_pad(o, ' ', pad);
    for (size_t i = 0; i < n; i++)
        out_char(o, s[i]);
    if (sp->left)
        out_pad(o, ' ', pad);
}

static void out_num(struct out *o, const struct spec *sp, uint64_t v,
                    bool negative, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    const char *prefix = negative ? "-" : "";
    /* Like C: '#' adds 0x only to nonzero values. */
    if (sp->alt && base == 16 && !(n == 1 && tmp[0] == '0'))
        prefix = upper ? "0X" : "0x";
    int plen = (int)strlen(prefix);
    int pad = sp->width > n + plen ? sp->width - n - plen : 0;
    if (!sp->left && !sp->zero)
        out_pad(o, ' ', pad);
    for (int i = 0; i < plen; i++)
        out_char(o, prefix[i]);
    if (!sp->left && sp->zero)
        out_pad(o, '0', pad);
    while (n)
        out_char(o, tmp[--n]);
    if (sp->left)
        out_pad(o, ' ', pad);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            out_char(&o, *p);
            continue;
        }
        struct spec sp = { .precision = -1 };
        for (p++;; p++) {
            if (*p == '-')
                sp.left = true;
            else if (*p == '0')
                sp.zero = true;
            else if (*p == '#')
                sp.alt = true;
            else
                break;
        }
        if (*p == '*') {
            sp.width = va_arg(ap, int);
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                sp.width = sp.width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            p++;
            sp.precision = 0;
            if (*p == '*') {
                sp.precision = va_arg(ap, int);
                p++;
            } else {
                while (*p >= '0' && *p <= '9')
                    sp.precision = sp.precision * 10 + (*p++ - '0');
            }
        }
        int lng = 0; /* 0 int, 1 long, 2 long long / size_t / intmax */
        while (*p == 'l' || *p == 'z' || *p == 'j' || *p == 't' ||
               *p == 'h') {
            if (*p != 'h')
                lng = (*p == 'l' && lng == 0) ? 1 : 2;
            p++;
        }
        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = lng == 0 ? va_arg(ap, int)
                      : lng == 1 ? va_arg(ap, long) : va_arg(ap, long long);
            uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
            out_num(&o, &sp, mag, v < 0, 10, false);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = lng == 0 ? va_arg(ap, unsigned)
                       : lng == 1 ? va_arg(ap, unsigned long)
                                  : va_arg(ap, unsigned long long);
            out_num(&o, &sp, v, false, *p == 'u' ? 10 : 16, *p == 'X');
            break;
        }
        case 'p': {
            sp.alt = true;
            out_num(&o, &sp, (uint64_t)(uintptr_t)va_arg(ap, void *), false,
                    16, false);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            out_str(&o, &sp, &c, 1);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t n = 0;
            while (s[n] && (sp.precision < 0 || n < (size_t)sp.precision))
                n++;
            out_str(&o, &sp, s, n);
            break;
        }
        case '%':
            out_char(&o, '%');
            break;
        default: /* unknown conversion: print it, never read an argument */
            out_char(&o, '%');
            if (!*p)
                p--;
            else
                out_char(&o, *p);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
