/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Linux errno values, spelled out because the guest has no <errno.h>.
 * The io_ops report negative errnos from the host's syscalls, and map
 * errors carry the errno qemu-img would print with strerror().
 */
#ifndef INSTAR_FORMATS_ERRNOS_H
#define INSTAR_FORMATS_ERRNOS_H

#define LINUX_EIO     5
#define LINUX_ENXIO   6
#define LINUX_ENOMEM  12
#define LINUX_EBUSY   16
#define LINUX_EINVAL  22
#define LINUX_EFBIG   27
#define LINUX_ENOTSUP 95

#endif
