/* State shared by vm.c (setup) and vcpu_loop.c (run loop, hypercalls). */
#ifndef INSTAR_VMM_VM_INTERNAL_H
#define INSTAR_VMM_VM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "devices.h"
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
};

#endif
