/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int stdio_reopen_closed(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        /* open() returns the lowest free descriptor: this one. */
        int got = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (got < 0)
            return -1;
        if (got != fd) {
            close(got);
            errno = EBADF;
            return -1;
        }
    }
    return 0;
}

bool output_failed(FILE *f)
{
    return ferror(f) != 0;
}

int output_finish(FILE *f, FILE *err, const char *prog)
{
    errno = 0;
    /* A stream that already failed: flushing again gives the errno. */
    if (fflush(f) == 0 && !ferror(f))
        return 0;
    int e = errno ? errno : EIO;
    if (e != EPIPE)
        fprintf(err, "%s: error writing output: %s\n", prog, strerror(e));
    return -1;
}
