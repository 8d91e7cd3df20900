/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "path_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "instar_abi.h"

int policy_allow_dir(struct path_policy *p, const char *dir)
{
    if (p->count >= POLICY_MAX_DIRS)
        return -E2BIG;
    char *real = realpath(dir, NULL);
    if (!real)
        return -errno;
    p->dirs[p->count++] = real;
    return 0;
}

void policy_free(struct path_policy *p)
{
    for (size_t i = 0; i < p->count; i++)
        free(p->dirs[i]);
    p->count = 0;
}

int policy_check_name(const char *name, size_t len)
{
    if (len == 0 || len > INSTAR_PATH_MAX || memchr(name, 0, len))
        return -EINVAL;
    /* qemu's path_has_protocol(): a ':' before any '/' names a protocol. */
    size_t head = strcspn(name, ":/");
    if (head < len && name[head] == ':')
        return -EINVAL;
    return 0;
}

static int inside(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (strncmp(path, dir, n) != 0)
        return 0;
    return path[n] == '/' || path[n] == 0 || (n == 1 && dir[0] == '/');
}

int policy_open(const struct path_policy *p, const char *name, char *why,
                size_t whylen)
{
    int fd = open(name, POLICY_OPEN_FLAGS);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(why, whylen, "not a regular file (instar opens no FIFOs, "
                 "devices or directories an image names)");
        return -EACCES;
    }
    /* Where the descriptor really points, after every symlink. */
    char link[64], real[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, real, sizeof real - 1);
    if (n < 0) {
        int e = errno;
        close(fd);
        snprintf(why, whylen, "cannot tell where it leads");
        return e == ENOENT ? -EACCES : -e;
    }
    real[n] = 0;
    for (size_t i = 0; i < p->count; i++)
        if (inside(real, p->dirs[i]))
            return fd;
    close(fd);
    snprintf(why, whylen, "'%s' is outside the allowed directories (the "
             "image's directory, the working directory and --allow-path); "
             "--allow-path=DIR allows a directory", real);
    return -EACCES;
}
