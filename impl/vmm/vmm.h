/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VMM: one KVM virtual machine with one vCPU in long mode, running the
 * embedded guest binary. It knows hypercalls and guest memory, nothing
 * about images or output formats.
 */
#ifndef INSTAR_VMM_VMM_H
#define INSTAR_VMM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "instar_abi.h"

struct vm;

/* Receives each EMIT batch (guest memory, valid only during the call).
 * Return 0 to let the guest go on, nonzero to stop the run. */
typedef int (*vm_emit_fn)(void *ctx, const uint8_t *batch, size_t len);

/* A line for the user (no program name, no newline): the VMM prints
 * nothing itself, so that one rule names the program on every line. */
typedef void (*vm_notice_fn)(void *ctx, const char *text);

struct vm_limits {
    unsigned total_seconds; /* wall-clock cap for the whole run */
    unsigned idle_seconds;  /* cap on time without any hypercall */
    bool sandbox;           /* confine the process before the first run
                               (impl/vmm/sandbox.h); tests turn it off */
    vm_notice_fn notice;    /* e.g. why a file the image names is refused;
                               NULL drops notices */
    void *notice_ctx;
};

/* How a run ended. */
enum vm_outcome {
    VM_EXITED,   /* the guest called EXIT; status in *status */
    VM_STOPPED,  /* the emit callback asked to stop */
    VM_FAILED,   /* fault, panic, timeout, bad hypercall: message in err */
};

/* Creates the VM with the guest loaded; NULL with a message in err. */
struct vm *vm_create(char *err, size_t errlen);
/* The same with another guest binary (tests boot tiny fixture guests). */
struct vm *vm_create_with_guest(const uint8_t *guest, size_t guest_len,
                                char *err, size_t errlen);
void vm_destroy(struct vm *vm);

/* The configuration page, to fill before vm_run. */
struct instar_map_config *vm_config(struct vm *vm);

/*
 * Registers the image: an open, read-only host file, as device 0, with
 * the name qemu-img would show for it. Its name goes to the guest too
 * (relative names inside the image are resolved against it). Returns 0
 * or -1.
 */
int vm_add_image(struct vm *vm, int fd, const char *name, char *err,
                 size_t errlen);

/* Lets the image name files in dir (see path_policy.h). 0 or -1. */
int vm_allow_dir(struct vm *vm, const char *dir, char *err, size_t errlen);

/* The name of device idx, or NULL. */
const char *vm_device_name(const struct vm *vm, uint32_t idx);

enum vm_outcome vm_run(struct vm *vm, const struct vm_limits *limits,
                       vm_emit_fn emit, void *ctx, uint64_t *status,
                       char *err, size_t errlen);

#endif
