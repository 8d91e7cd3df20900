/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process's standard streams: descriptors a caller left closed, and
 * output that did not reach its destination.
 */
#ifndef INSTAR_CLI_OUTPUT_H
#define INSTAR_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Opens /dev/null onto each of descriptors 0-2 that is closed, so that
 * the image and the files it names never land on them (the sandbox lets
 * the guest read only descriptors above stderr) and so that a write to a
 * closed stream goes nowhere, as qemu-img's does. 0, or -1 with errno.
 */
int stdio_reopen_closed(void);

/* Has a write to f failed (the run should stop producing output)? */
bool output_failed(FILE *f);

/*
 * Flushes f and reports whether everything written to it arrived. On a
 * write error it prints one line to err ("<prog>: error writing output:
 * <strerror>") and returns -1; on EPIPE (the reader went away, as with
 * `| head -1`) it returns -1 without a line, like a process that SIGPIPE
 * ended, but with exit status 1. 0 when all is well.
 */
int output_finish(FILE *f, FILE *err, const char *prog);

#endif
