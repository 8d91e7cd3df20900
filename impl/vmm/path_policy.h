/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which files an image may make instar open (VMDK extents, qcow2 data
 * files). qemu-img opens whatever an image names; instar opens only
 * regular files, read-only, inside directories the user allowed (by
 * default the image's own directory and the working directory; more with
 * --allow-path=DIR), and at most INSTAR_MAX_DEVICES of them. This is
 * instar's one deliberate difference from qemu-img (docs/security.md).
 */
#ifndef INSTAR_VMM_PATH_POLICY_H
#define INSTAR_VMM_PATH_POLICY_H

#include <stddef.h>

#define POLICY_MAX_DIRS 32

struct path_policy {
    char *dirs[POLICY_MAX_DIRS];   /* canonical (realpath) directories */
    size_t count;
};

/* Adds a directory (resolved now, before the sandbox). 0 or -errno. */
int policy_allow_dir(struct path_policy *p, const char *dir);
void policy_free(struct path_policy *p);

/*
 * Checks the untrusted text of a requested name: not empty, at most
 * INSTAR_PATH_MAX bytes, no NUL inside, and no "proto:" prefix (qemu would
 * read "json:{...}" or "nbd:..." as a protocol, never as a local file).
 * Returns 0 or -EINVAL.
 */
int policy_check_name(const char *name, size_t len);

/*
 * Opens name read-only if, once opened, it is a regular file whose real
 * path lies inside an allowed directory (checked on the open descriptor,
 * so a symlink swapped in between cannot redirect it). Returns the fd, or
 * -errno (-EACCES when the policy refuses, with a reason in why).
 */
int policy_open(const struct path_policy *p, const char *name, char *why,
                size_t whylen);

/* The flags policy_open uses; the seccomp filter allows exactly these. */
#define POLICY_OPEN_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

#endif
