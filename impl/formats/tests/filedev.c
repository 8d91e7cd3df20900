/* SPDX-License-Identifier: GPL-2.0-or-later */
/* io_ops over one real file: the host side of the guest's hypercalls. */
#include "filedev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The fd of device dev, or -1. */
static int dev_fd(const struct filedev *f, uint32_t dev)
{
    if (dev == 0)
        return f->fd;
    if (dev - 1 < (uint32_t)f->nfds)
        return f->fds[dev - 1];
    return -1;
}

static int fd_read(void *ctx, uint32_t dev, uint64_t off, void *buf,
                   uint64_t len)
{
    struct filedev *f = ctx;
    uint8_t *p = buf;
    int fd = dev_fd(f, dev);

    if (fd < 0)
        return -EBADF;
    f->reads++;
    f->bytes_read += len;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0) {
            memset(p, 0, len);   /* past EOF reads as zero */
            break;
        }
        p += n;
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return 0;
}

static int fd_data_status(void *ctx, uint32_t dev, uint64_t off,
                          int64_t *data, int64_t *hole)
{
    struct filedev *f = ctx;
    int fd = dev_fd(f, dev);
    off_t r;

    if (fd < 0)
        return -EBADF;
    f->seeks++;
    r = lseek(fd, (off_t)off, SEEK_DATA);
    *data = r < 0 ? -errno : (int64_t)r;
    if (r >= 0 && (uint64_t)r == off) {
        r = lseek(fd, (off_t)off, SEEK_HOLE);
        *hole = r < 0 ? -errno : (int64_t)r;
    }
    return 0;
}

static int fd_info(void *ctx, uint32_t dev, struct device_info *out)
{
    struct filedev *f = ctx;
    int fd = dev_fd(f, dev);
    struct stat st;

    if (fd < 0)
        return -EBADF;
    if (fstat(fd, &st) < 0)
        return -errno;
    out->size = (uint64_t)st.st_size;
    out->alloc_bytes = (uint64_t)st.st_blocks * 512;
    return 0;
}

/* Printed as qemu-img prints them, for comparison with its stderr. */
static void fd_log(void *ctx, enum log_kind kind, const char *line)
{
    struct filedev *f = ctx;

    fprintf(f->log, "%s%s\n", kind == LOG_MESSAGE ? "qemu-img: " : "", line);
}

/* io.open: plain open(2) relative to the cwd, no policy (a dev tool). */
static int fd_open(void *ctx, const char *path, uint32_t *dev)
{
    struct filedev *f = ctx;
    int fd;

    if (f->nfds >= FILEDEV_MAX_FILES)
        return -EMFILE;
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return -errno;
    f->fds[f->nfds++] = fd;
    f->opens++;
    *dev = (uint32_t)f->nfds;
    return 0;
}

int filedev_open(struct filedev *f, const char *path)
{
    f->fd = open(path, O_RDONLY);
    if (f->fd < 0)
        return -errno;
    f->io.read = fd_read;
    f->io.data_status = fd_data_status;
    f->io.info = fd_info;
    f->io.log = fd_log;
    f->io.open = fd_open;
    f->nfds = 0;
    f->opens = 0;
    f->io.ctx = f;
    f->log = stderr;
    f->reads = f->seeks = 0;
    f->bytes_read = 0;
    return 0;
}

void filedev_close(struct filedev *f)
{
    int i;

    for (i = 0; i < f->nfds; i++)
        close(f->fds[i]);
    f->nfds = 0;
    close(f->fd);
}
