/* io_ops over one real file: the host side of the guest's hypercalls. */
#include "filedev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fd_read(void *ctx, uint32_t dev, uint64_t off, void *buf,
                   uint64_t len)
{
    struct filedev *f = ctx;
    uint8_t *p = buf;

    if (dev != 0)
        return -EBADF;
    f->reads++;
    f->bytes_read += len;
    while (len > 0) {
        ssize_t n = pread(f->fd, p, len, (off_t)off);
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
    off_t r;

    if (dev != 0)
        return -EBADF;
    f->seeks++;
    r = lseek(f->fd, (off_t)off, SEEK_DATA);
    *data = r < 0 ? -errno : (int64_t)r;
    if (r >= 0 && (uint64_t)r == off) {
        r = lseek(f->fd, (off_t)off, SEEK_HOLE);
        *hole = r < 0 ? -errno : (int64_t)r;
    }
    return 0;
}

static int fd_info(void *ctx, uint32_t dev, struct device_info *out)
{
    struct filedev *f = ctx;
    struct stat st;

    if (dev != 0)
        return -EBADF;
    if (fstat(f->fd, &st) < 0)
        return -errno;
    out->size = (uint64_t)st.st_size;
    out->alloc_bytes = (uint64_t)st.st_blocks * 512;
    return 0;
}

static void fd_log(void *ctx, const char *line)
{
    struct filedev *f = ctx;

    fprintf(f->log, "%s\n", line);
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
    f->io.ctx = f;
    f->log = stderr;
    f->reads = f->seeks = 0;
    f->bytes_read = 0;
    return 0;
}

void filedev_close(struct filedev *f)
{
    close(f->fd);
}
