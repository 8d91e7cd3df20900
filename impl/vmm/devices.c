/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "devices.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int device_read(const struct device *d, uint64_t off, uint8_t *buf,
                uint64_t len)
{
    uint64_t done = 0;
    /* Short reads happen (signals, EOF); handle them once, here. */
    while (done < len && off + done < d->size) {
        ssize_t n = pread(d->fd, buf + done, len - done, (off_t)(off + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            break; /* the file shrank: the rest reads as zero */
        done += (uint64_t)n;
    }
    memset(buf + done, 0, len - done);
    return 0;
}

static int64_t seek(int fd, uint64_t pos, int whence)
{
    off_t r = lseek(fd, (off_t)pos, whence);
    return r < 0 ? -errno : (int64_t)r;
}

uint64_t device_data_runs(const struct device *d, uint64_t off,
                          struct instar_data_run *runs, uint64_t max)
{
    uint64_t n = 0;
    uint64_t pos = off;
    while (n < max) {
        struct instar_data_run r = { .pos = pos, .hole = 0 };
        r.data = seek(d->fd, pos, SEEK_DATA);
        if (r.data == (int64_t)pos)
            r.hole = seek(d->fd, pos, SEEK_HOLE);
        runs[n++] = r;
        /* Stop on errors and on answers that do not move forward: the
         * guest decides what they mean. */
        int64_t next = r.data == (int64_t)pos ? r.hole : r.data;
        if (r.data < 0 || next <= (int64_t)pos || (uint64_t)next >= d->size)
            break;
        pos = (uint64_t)next;
    }
    return n;
}
