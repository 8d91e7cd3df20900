/* SPDX-License-Identifier: GPL-2.0-or-later */
/* State shared by vm.c (setup), vm_state.c (devices, configuration page)
 * and vcpu_loop.c (run loop, hypercalls). */
#ifndef INSTAR_VMM_VM_INTERNAL_H
#define INSTAR_VMM_VM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "devices.h"
#include "path_policy.h"
#include "vmm.h"

struct kvm_run;

struct vm {
    int kvm_fd;
    int vm_fd;
    int vcpu_fd;
    uint8_t *mem;           /* GUEST_RAM_SIZE bytes of guest RAM */
    struct kvm_run *run;
    size_t run_size;
    struct device devices[INSTAR_MAX_DEVICES];
    unsigned device_count;
    struct path_policy policy;  /* for files the image names (OPEN) */
    const struct vm_limits *limits; /* of the vm_run in progress */
};

/* vm_state.c: what does not depend on KVM. */

/* Registers an open fd as the next device; 0 or -1 with err. */
int vm_register_device(struct vm *vm, int fd, const char *name, char *err,
                       size_t errlen);
/* Header of the configuration page (vm->mem must be mapped). */
void vm_init_config(struct vm *vm);
/* Closes and frees every device and the path policy. */
void vm_release_devices(struct vm *vm);

#endif
