/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vCPU run loop: one switch on the exit reason. Hypercalls (stores to
 * the doorbell page) are the only expected exit; anything else is a loud
 * failure, never ignored.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hypercall.h"
#include "sandbox.h"
#include "vm_internal.h"
#include "watchdog.h"

/* A 32-bit store to the doorbell is a hypercall; any other MMIO is not. */
static enum hc_outcome handle_mmio(struct vm *vm, vm_emit_fn emit, void *ctx,
                                   uint64_t *status, char *err, size_t errlen)
{
    struct kvm_run *run = vm->run;
    if (run->mmio.phys_addr != GUEST_DOORBELL_ADDR || !run->mmio.is_write ||
        run->mmio.len != 4) {
        snprintf(err, errlen, "guest accessed unmapped memory at 0x%llx "
                 "(%s, %u bytes)", (unsigned long long)run->mmio.phys_addr,
                 run->mmio.is_write ? "write" : "read", run->mmio.len);
        return HC_FAIL;
    }
    uint32_t nr;
    memcpy(&nr, run->mmio.data, sizeof nr);
    watchdog_progress();
    enum hc_outcome o = hypercall_dispatch(vm, nr, emit, ctx, status, err,
                                           errlen);
    /* Time the host spent (e.g. blocked writing output to a slow reader)
     * is not the guest idling. */
    watchdog_progress();
    return o;
}

/* The guest's RIP, for messages about exits that should not happen. */
static unsigned long long guest_rip(struct vm *vm)
{
    struct kvm_regs r;
    if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &r) < 0)
        return 0;
    return r.rip;
}

static enum vm_outcome run_loop(struct vm *vm, vm_emit_fn emit, void *ctx,
                                uint64_t *status, char *err, size_t errlen)
{
    struct kvm_run *run = vm->run;
    for (;;) {
        if (watchdog_expired(err, errlen))
            return VM_FAILED;
        if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            snprintf(err, errlen, "KVM_RUN: %s", strerror(errno));
            return VM_FAILED;
        }
        switch (run->exit_reason) {
        case KVM_EXIT_MMIO: {
            enum hc_outcome o = handle_mmio(vm, emit, ctx, status, err,
                                            errlen);
            if (o == HC_CONTINUE)
                continue;
            return hc_run_outcome(o);
        }
        case KVM_EXIT_INTR:
            continue; /* the watchdog tick */
        case KVM_EXIT_HLT:
            snprintf(err, errlen, "guest halted without reporting a result "
                     "(rip 0x%llx)", guest_rip(vm));
            return VM_FAILED;
        case KVM_EXIT_SHUTDOWN:
            snprintf(err, errlen, "guest triple-faulted (rip 0x%llx)",
                     guest_rip(vm));
            return VM_FAILED;
        case KVM_EXIT_IO:
            snprintf(err, errlen, "guest accessed I/O port 0x%x (%s, size "
                     "%u)", run->io.port,
                     run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
                     run->io.size);
            return VM_FAILED;
        case KVM_EXIT_FAIL_ENTRY:
            snprintf(err, errlen, "KVM entry failed (hardware reason 0x%llx)",
                     (unsigned long long)
                         run->fail_entry.hardware_entry_failure_reason);
            return VM_FAILED;
        case KVM_EXIT_INTERNAL_ERROR:
            snprintf(err, errlen, "KVM internal error (suberror %u) at rip "
                     "0x%llx", run->internal.suberror, guest_rip(vm));
            return VM_FAILED;
        default:
            snprintf(err, errlen, "unexpected KVM exit reason %u",
                     run->exit_reason);
            return VM_FAILED;
        }
    }
}

enum vm_outcome vm_run(struct vm *vm, const struct vm_limits *limits,
                       vm_emit_fn emit, void *ctx, uint64_t *status,
                       char *err, size_t errlen)
{
    /* The watchdog's handler is installed before the filter forbids
     * rt_sigaction. */
    if (watchdog_start(limits) < 0) {
        snprintf(err, errlen, "cannot start the watchdog: %s",
                 strerror(errno));
        return VM_FAILED;
    }
    if (limits->sandbox) {
        int fds[INSTAR_MAX_DEVICES];
        for (unsigned i = 0; i < vm->device_count; i++)
            fds[i] = vm->devices[i].fd;
        /* Setup is over: nothing below needs /dev/kvm or the VM fd. */
        close(vm->kvm_fd);
        close(vm->vm_fd);
        vm->kvm_fd = vm->vm_fd = -1;
        struct sandbox_spec spec = {
            .vcpu_fd = vm->vcpu_fd, .dev_fds = fds,
            .dev_count = vm->device_count,
            .cpu_seconds = limits->total_seconds ? limits->total_seconds + 5
                                                 : 0,
        };
        if (sandbox_enter(&spec, err, errlen) < 0) {
            watchdog_stop();
            return VM_FAILED;
        }
    }
    vm->limits = limits;
    enum vm_outcome o = run_loop(vm, emit, ctx, status, err, errlen);
    vm->limits = NULL;
    watchdog_stop();
    return o;
}
