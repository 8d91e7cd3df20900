/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Confinement of the instar process for the run loop. The threat: the
 * guest runs code derived from a hostile image, and a bug in the host's
 * handling of its exits or messages must not give it anything the run
 * loop does not need. Entered after setup, before the first KVM_RUN.
 */
#ifndef INSTAR_VMM_SANDBOX_H
#define INSTAR_VMM_SANDBOX_H

#include <stddef.h>

struct sandbox_spec {
    int vcpu_fd;            /* the only fd KVM ioctls may use */
    const int *dev_fds;     /* image files: pread and lseek only */
    size_t dev_count;
    unsigned cpu_seconds;   /* RLIMIT_CPU; 0 for none */
};

/*
 * no_new_privs, close every descriptor but 0-2, the vCPU and the devices,
 * rlimits, then the seccomp allowlist. Returns 0, or -1 with err.
 */
int sandbox_enter(const struct sandbox_spec *spec, char *err, size_t errlen);

/* The seccomp filter alone (tests install it in a forked child). */
int sandbox_install_filter(const struct sandbox_spec *spec, char *err,
                           size_t errlen);

#endif
