/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sandbox.h"

#include "path_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "instar_abi.h"

/* Descriptors close_others() keeps: the vCPU and every device. */
#define KEEP_MAX (INSTAR_MAX_DEVICES + 1)

/* The allowlist. Everything else kills the process (SIGSYS). */
static int add_rules(scmp_filter_ctx ctx, const struct sandbox_spec *spec)
{
    int rc = 0;
#define ALLOW(call, ...) \
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(call), __VA_ARGS__)

    /* KVM_RUN drives the guest; KVM_GET_REGS only names the guest RIP in
     * error messages. Only on the vCPU descriptor: no new VMs, vCPUs or
     * memory slots, no register writes. */
    ALLOW(ioctl, 2, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)spec->vcpu_fd),
          SCMP_A1(SCMP_CMP_EQ, KVM_RUN));
    ALLOW(ioctl, 2, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)spec->vcpu_fd),
          SCMP_A1(SCMP_CMP_EQ, KVM_GET_REGS));

    /* Image descriptors: the image and the files it names, which OPEN
     * may add during the run, so by number: every descriptor above
     * stderr is a device or the vCPU (all others are closed, and RLIMIT
     * NOFILE bounds new ones). READ copies image bytes into the guest;
     * DATA_STATUS asks where data and holes are, nothing else. */
    ALLOW(pread64, 1, SCMP_A0(SCMP_CMP_GE, 3));
    ALLOW(lseek, 2, SCMP_A0(SCMP_CMP_GE, 3), SCMP_A2(SCMP_CMP_EQ, SEEK_DATA));
    ALLOW(lseek, 2, SCMP_A0(SCMP_CMP_GE, 3), SCMP_A2(SCMP_CMP_EQ, SEEK_HOLE));
    /* OPEN: read-only with exactly the policy's flags (never write,
     * create or truncate); path_policy.c decides which names, checking
     * the opened descriptor's real path through /proc/self/fd and fstat. */
    ALLOW(openat, 1, SCMP_A2(SCMP_CMP_EQ, POLICY_OPEN_FLAGS));
    ALLOW(readlink, 0);
    ALLOW(newfstatat, 1, SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH));

    /* stdio's first write to stdout asks whether it is a terminal (to
     * choose line buffering) when it is a character device. */
    ALLOW(ioctl, 2, SCMP_A0(SCMP_CMP_EQ, 1), SCMP_A1(SCMP_CMP_EQ, TCGETS));

    /* The map output and error messages. */
    ALLOW(write, 1, SCMP_A0(SCMP_CMP_EQ, 1));
    ALLOW(write, 1, SCMP_A0(SCMP_CMP_EQ, 2));
    /* stdio asks once what stdout is, to choose its buffering (and
     * OPEN's fstat above, both as newfstatat(fd, "", AT_EMPTY_PATH)). */
    ALLOW(fstat, 0);

    /* The decoder and stdio allocate; memory may never become
     * executable. */
    ALLOW(brk, 0);
    ALLOW(mmap, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    ALLOW(mprotect, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    ALLOW(munmap, 0);
    ALLOW(madvise, 0);

    /* The watchdog: its SIGALRM returns through rt_sigreturn, it reads
     * the clock (vDSO, with the syscall as fallback) and disarms the
     * timer when the run ends. */
    ALLOW(rt_sigreturn, 0);
    ALLOW(clock_gettime, 0);
    ALLOW(setitimer, 0);

    /* Teardown after the run: closing descriptors, and leaving. */
    ALLOW(close, 0);
    ALLOW(exit_group, 0);
    ALLOW(exit, 0);
#undef ALLOW
    return rc;
}

int sandbox_install_filter(const struct sandbox_spec *spec, char *err,
                           size_t errlen)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (!ctx) {
        snprintf(err, errlen, "seccomp_init failed");
        return -1;
    }
    int rc = add_rules(ctx, spec);
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc != 0) {
        snprintf(err, errlen, "cannot install the seccomp filter: %s",
                 strerror(-rc));
        return -1;
    }
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Close every descriptor except stdin/out/err and the ones listed. */
static int close_others(const struct sandbox_spec *spec, char *err,
                        size_t errlen)
{
    int keep[KEEP_MAX];
    size_t n = 0;
    if (spec->dev_count > INSTAR_MAX_DEVICES) {
        snprintf(err, errlen, "too many devices to keep (%zu, limit %u)",
                 (size_t)spec->dev_count, INSTAR_MAX_DEVICES);
        return -1;
    }
    keep[n++] = spec->vcpu_fd;
    for (size_t i = 0; i < spec->dev_count; i++)
        keep[n++] = spec->dev_fds[i];
    qsort(keep, n, sizeof keep[0], cmp_int);
    unsigned lo = 3;
    for (size_t i = 0; i <= n; i++) {
        unsigned hi = i < n ? (unsigned)keep[i] : ~0u;
        if (hi > lo && syscall(SYS_close_range, lo, hi - 1, 0) < 0) {
            snprintf(err, errlen, "close_range: %s", strerror(errno));
            return -1;
        }
        if (i < n && (unsigned)keep[i] + 1 > lo)
            lo = (unsigned)keep[i] + 1;
    }
    return 0;
}

static int limit(int resource, rlim_t value, char *err, size_t errlen)
{
    struct rlimit rl = { value, value };
    if (setrlimit(resource, &rl) < 0) {
        snprintf(err, errlen, "setrlimit(%d): %s", resource, strerror(errno));
        return -1;
    }
    return 0;
}

/* ASan reserves terabytes of address space and LeakSanitizer ptraces
 * the process at exit: under sanitizers the address-space limit and the
 * filter would kill the tool for the sanitizer's own doing. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

int sandbox_enter(const struct sandbox_spec *spec, char *err, size_t errlen)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
        return -1;
    }
    if (close_others(spec, err, errlen) < 0)
        return -1;
    int max_fd = spec->vcpu_fd;
    for (size_t i = 0; i < spec->dev_count; i++)
        if (spec->dev_fds[i] > max_fd)
            max_fd = spec->dev_fds[i];
    /* No new descriptors, no core dumps, bounded address space (guest
     * RAM is 64 MiB; decoder and stdio need little) and CPU time. */
    if (limit(RLIMIT_NOFILE, (rlim_t)max_fd + 1 + INSTAR_MAX_DEVICES, err,
              errlen) < 0 ||
        limit(RLIMIT_CORE, 0, err, errlen) < 0 ||
        (!SANITIZED && limit(RLIMIT_AS, (rlim_t)1 << 30, err, errlen) < 0) ||
        (spec->cpu_seconds &&
         limit(RLIMIT_CPU, spec->cpu_seconds, err, errlen) < 0))
        return -1;
    if (SANITIZED)
        return 0;
    return sandbox_install_filter(spec, err, errlen);
}
