/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hypercall.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"

uint8_t *guest_range(struct vm *vm, uint64_t gpa, uint64_t len)
{
    if (gpa > GUEST_RAM_SIZE || len > GUEST_RAM_SIZE - gpa)
        return NULL;
    return vm->mem + gpa;
}

static const char *exception_name(uint64_t v)
{
    static const char *names[] = {
        "divide error", "debug", "NMI", "breakpoint", "overflow",
        "bound range", "invalid opcode", "device not available",
        "double fault", "coprocessor overrun", "invalid TSS",
        "segment not present", "stack fault", "general protection",
        "page fault", "reserved", "x87 error", "alignment check",
        "machine check", "SIMD error", "virtualization", "control protection",
    };
    return v < sizeof names / sizeof names[0] ? names[v] : "exception";
}

static struct device *get_device(struct vm *vm, uint32_t dev)
{
    return dev < vm->device_count ? &vm->devices[dev] : NULL;
}

static enum hc_outcome bad(char *err, size_t errlen, const char *what,
                           const struct instar_mailbox *mb)
{
    snprintf(err, errlen, "guest made an invalid %s hypercall (dev %u, "
             "offset 0x%llx, length 0x%llx, buffer 0x%llx)", what, mb->dev,
             (unsigned long long)mb->offset, (unsigned long long)mb->length,
             (unsigned long long)mb->buf);
    return HC_FAIL;
}

static enum hc_outcome do_read(struct vm *vm, struct instar_mailbox *mb,
                               char *err, size_t errlen)
{
    struct device *d = get_device(vm, mb->dev);
    uint8_t *buf = guest_range(vm, mb->buf, mb->length);
    if (!d || !buf || mb->length > INSTAR_READ_MAX ||
        mb->offset > (uint64_t)INT64_MAX - mb->length)
        return bad(err, errlen, "READ", mb);
    mb->ret = device_read(d, mb->offset, buf, mb->length);
    return HC_CONTINUE;
}

static enum hc_outcome do_data_status(struct vm *vm, struct instar_mailbox *mb,
                                      char *err, size_t errlen)
{
    struct device *d = get_device(vm, mb->dev);
    uint8_t *buf = guest_range(vm, mb->buf, mb->length);
    uint64_t max = mb->length / sizeof(struct instar_data_run);
    if (!d || !buf || max == 0 || mb->length > GUEST_RUNS_SIZE ||
        mb->offset > (uint64_t)INT64_MAX || (mb->buf & 7))
        return bad(err, errlen, "DATA_STATUS", mb);
    mb->ret = (int64_t)device_data_runs(d, mb->offset,
                                        (struct instar_data_run *)buf, max);
    return HC_CONTINUE;
}

static enum hc_outcome do_emit(struct vm *vm, struct instar_mailbox *mb,
                               vm_emit_fn emit, void *ctx, char *err,
                               size_t errlen)
{
    uint8_t *buf = guest_range(vm, mb->buf, mb->length);
    if (!buf || mb->length == 0 || mb->length > GUEST_EMIT_SIZE)
        return bad(err, errlen, "EMIT", mb);
    if (emit(ctx, buf, (size_t)mb->length))
        return HC_STOP;
    mb->ret = 0;
    return HC_CONTINUE;
}

/*
 * OPEN: a file the image names. The name is untrusted text from the
 * guest; the policy decides, and a refusal is explained on stderr so the
 * user learns which option would allow it.
 */
static enum hc_outcome do_open(struct vm *vm, struct instar_mailbox *mb,
                               char *err, size_t errlen)
{
    uint8_t *buf = guest_range(vm, mb->buf, mb->length);
    if (!buf || mb->length > INSTAR_PATH_MAX)
        return bad(err, errlen, "OPEN", mb);
    char name[INSTAR_PATH_MAX + 1];
    memcpy(name, buf, (size_t)mb->length);
    name[mb->length] = 0;
    if (policy_check_name(name, (size_t)mb->length) < 0) {
        mb->ret = -EINVAL;
        return HC_CONTINUE;
    }
    if (vm->device_count >= INSTAR_MAX_DEVICES) {
        mb->ret = -EMFILE;
        return HC_CONTINUE;
    }
    char why[PATH_MAX + 128] = "";
    int fd = policy_open(&vm->policy, name, why, sizeof why);
    const struct vm_limits *l = vm->limits;
    if (fd == -EACCES && why[0] && l && l->notice) {
        char line[sizeof name + sizeof why + 64];
        snprintf(line, sizeof line, "refusing to open '%s', named by the "
                 "image: %s", name, why);
        l->notice(l->notice_ctx, line);
    }
    if (fd < 0) {
        mb->ret = fd;
        return HC_CONTINUE;
    }
    if (vm_register_device(vm, fd, name, err, errlen) < 0) {
        close(fd);
        return HC_FAIL;
    }
    mb->ret = (int64_t)(vm->device_count - 1);
    return HC_CONTINUE;
}

static enum hc_outcome do_panic(struct vm *vm, struct instar_mailbox *mb,
                                char *err, size_t errlen)
{
    uint8_t *buf = guest_range(vm, mb->buf, mb->length);
    if (!buf || mb->length > INSTAR_PANIC_MAX)
        return bad(err, errlen, "PANIC", mb);
    char text[INSTAR_PANIC_MAX + 1];
    size_t n = (size_t)mb->length;
    /* Untrusted text: printable ASCII only. */
    for (size_t i = 0; i < n; i++)
        text[i] = (buf[i] >= 0x20 && buf[i] < 0x7f) ? (char)buf[i] : '?';
    text[n] = 0;
    snprintf(err, errlen, "guest panic: %s", text);
    return HC_FAIL;
}

enum hc_outcome hypercall_dispatch(struct vm *vm, uint32_t nr, vm_emit_fn emit,
                                   void *ctx, uint64_t *status, char *err,
                                   size_t errlen)
{
    /* The vCPU is stopped: the mailbox cannot change under us. */
    struct instar_mailbox *mb =
        (struct instar_mailbox *)(vm->mem + GUEST_MAILBOX_ADDR);
    mb->ret = 0;
    switch (nr) {
    case INSTAR_HC_READ:
        return do_read(vm, mb, err, errlen);
    case INSTAR_HC_DATA_STATUS:
        return do_data_status(vm, mb, err, errlen);
    case INSTAR_HC_EMIT:
        return do_emit(vm, mb, emit, ctx, err, errlen);
    case INSTAR_HC_EXIT:
        *status = mb->offset;
        return HC_EXIT;
    case INSTAR_HC_FAULT:
        snprintf(err, errlen, "guest CPU exception: %s (vector %llu, error "
                 "code 0x%llx) at rip 0x%llx, cr2 0x%llx",
                 exception_name(mb->arg[0]), (unsigned long long)mb->arg[0],
                 (unsigned long long)mb->arg[1], (unsigned long long)mb->arg[2],
                 (unsigned long long)mb->arg[3]);
        return HC_FAIL;
    case INSTAR_HC_PANIC:
        return do_panic(vm, mb, err, errlen);
    case INSTAR_HC_OPEN:
        return do_open(vm, mb, err, errlen);
    default:
        snprintf(err, errlen, "guest made unknown hypercall %u", nr);
        return HC_FAIL;
    }
}
