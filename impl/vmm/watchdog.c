/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "watchdog.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define TICK_USEC 200000 /* how often KVM_RUN is interrupted to check */

static struct vm_limits limits;
static struct timespec started, last_progress;

static void on_alarm(int sig)
{
    (void)sig; /* its only job is to make KVM_RUN return EINTR */
}

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) +
           (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

int watchdog_start(const struct vm_limits *l)
{
    limits = *l;
    clock_gettime(CLOCK_MONOTONIC, &started);
    last_progress = started;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    /* SA_RESTART: KVM_RUN returns EINTR whatever the flag (KVM does not
     * restart it), but a write() of the map output that the tick
     * interrupts must be restarted, not fail: stdio would drop the data. */
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) < 0)
        return -1;
    struct itimerval it = {
        .it_interval = { 0, TICK_USEC },
        .it_value = { 0, TICK_USEC },
    };
    return setitimer(ITIMER_REAL, &it, NULL);
}

void watchdog_stop(void)
{
    struct itimerval off;
    memset(&off, 0, sizeof off);
    setitimer(ITIMER_REAL, &off, NULL);
}

void watchdog_progress(void)
{
    clock_gettime(CLOCK_MONOTONIC, &last_progress);
}

int watchdog_expired(char *err, size_t errlen)
{
    if (limits.total_seconds && seconds_since(&started) > limits.total_seconds) {
        snprintf(err, errlen, "guest timed out after %u seconds",
                 limits.total_seconds);
        return 1;
    }
    if (limits.idle_seconds &&
        seconds_since(&last_progress) > limits.idle_seconds) {
        snprintf(err, errlen, "guest made no progress for %u seconds",
                 limits.idle_seconds);
        return 1;
    }
    return 0;
}
