/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The little of the C library that format code may use. The same sources
 * are built into the freestanding guest (guest/libc.c provides these) and
 * into host tests and fuzzers (the real libc does).
 */
#ifndef INSTAR_FORMATS_COMPAT_H
#define INSTAR_FORMATS_COMPAT_H

#include <stdarg.h>
#include <stddef.h>

#ifdef INSTAR_GUEST
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#else
#include <stdio.h>
#include <string.h>
#endif

#endif
