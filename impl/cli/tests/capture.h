/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runs a function with its output captured: `out` is a memory stream and
 * the process's stderr (fd 2) goes to a temporary file, because glibc's
 * getopt writes its messages to stderr itself.
 */
#ifndef INSTAR_CLI_TESTS_CAPTURE_H
#define INSTAR_CLI_TESTS_CAPTURE_H

#include <stddef.h>
#include <stdio.h>

struct capture {
    char *out;
    size_t out_len;
    char *err;
    size_t err_len;
};

typedef int (*capture_fn)(void *ctx, FILE *out, FILE *err);

/* Returns fn's result; c holds NUL-terminated copies of both streams. */
int capture_run(capture_fn fn, void *ctx, struct capture *c);
void capture_free(struct capture *c);

#endif
