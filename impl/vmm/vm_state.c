/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parts of a VM that do not depend on KVM: its devices (the image and
 * the files it names), the path policy and the map configuration page.
 * Shared by the KVM VMM (vm.c) and the test-only in-process one
 * (tests/inproc/), so that both run the same host code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm_internal.h"

static int fail(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s: %s", what, strerror(errno));
    return -1;
}

void vm_init_config(struct vm *vm)
{
    struct instar_map_config *cfg = vm_config(vm);
    cfg->magic = INSTAR_CONFIG_MAGIC;
    cfg->version = INSTAR_ABI_VERSION;
    cfg->size = sizeof *cfg;
}

void vm_release_devices(struct vm *vm)
{
    for (unsigned i = 0; i < vm->device_count; i++) {
        close(vm->devices[i].fd);
        free(vm->devices[i].name);
    }
    vm->device_count = 0;
    policy_free(&vm->policy);
}

struct instar_map_config *vm_config(struct vm *vm)
{
    return (struct instar_map_config *)(vm->mem + GUEST_CONFIG_ADDR);
}

int vm_register_device(struct vm *vm, int fd, const char *name, char *err,
                       size_t errlen)
{
    if (vm->device_count >= INSTAR_MAX_DEVICES) {
        snprintf(err, errlen, "too many files (limit %u)", INSTAR_MAX_DEVICES);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        return fail(err, errlen, "fstat");
    char *copy = strdup(name);
    if (!copy)
        return fail(err, errlen, "strdup");
    struct device *d = &vm->devices[vm->device_count];
    d->fd = fd;
    d->size = (uint64_t)st.st_size;
    d->name = copy;
    struct instar_map_config *cfg = vm_config(vm);
    cfg->devices[vm->device_count].size = (uint64_t)st.st_size;
    cfg->devices[vm->device_count].alloc_bytes = (uint64_t)st.st_blocks * 512;
    vm->device_count++;
    cfg->device_count = vm->device_count;
    return 0;
}

int vm_add_image(struct vm *vm, int fd, const char *name, char *err,
                 size_t errlen)
{
    size_t n = strlen(name);
    if (vm->device_count != 0 || n > INSTAR_PATH_MAX) {
        snprintf(err, errlen, "image name too long (limit %u bytes)",
                 INSTAR_PATH_MAX);
        return -1;
    }
    memcpy(vm->mem + GUEST_NAME_ADDR, name, n + 1);
    return vm_register_device(vm, fd, name, err, errlen);
}

int vm_allow_dir(struct vm *vm, const char *dir, char *err, size_t errlen)
{
    int rc = policy_allow_dir(&vm->policy, dir);
    if (rc < 0) {
        snprintf(err, errlen, "cannot allow '%s': %s", dir, strerror(-rc));
        return -1;
    }
    return 0;
}

const char *vm_device_name(const struct vm *vm, uint32_t idx)
{
    return idx < vm->device_count ? vm->devices[idx].name : NULL;
}
