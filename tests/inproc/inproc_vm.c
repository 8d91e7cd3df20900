/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TEST-ONLY: the VMM API of impl/vmm/vmm.h without KVM, for machines with
 * no /dev/kvm. Never part of instar: it runs the image parser in the
 * host's own process, which the product must never do (docs/security.md).
 * It exists so that the real guest code and the real host code can be
 * checked against the baselines without KVM (docs/conformance.md,
 * "Without KVM").
 *
 * What is real: the guest's code (guest/map_main.c, emit.c, guest_io.c,
 * map_words.c, hypercall.c, the format library and the encoder, compiled
 * for the host with -DINSTAR_GUEST_INPROC, see guest/guest_mem.h), and on
 * the host side vm_state.c, devices.c, path_policy.c and hypercall.c's
 * hypercall_dispatch() with all its validation, unchanged.
 *
 * What is not: there is no CPU virtualisation. Guest RAM is an anonymous
 * mapping of GUEST_RAM_SIZE bytes (inproc_ram); the guest code addresses
 * it through GUEST_PTR()/GUEST_ADDR(). The guest runs as a coroutine on
 * its own stack, the stack region of that RAM (GUEST_STACK_BOTTOM..TOP),
 * so pointers to its locals are guest addresses as in the real guest; its
 * statics are the process's. A hypercall is a switch back to vm_run()
 * (the "VM exit"), which calls hypercall_dispatch() on the host stack and
 * switches back to resume the guest, exactly like the KVM_RUN loop of
 * vcpu_loop.c. EXIT, FAULT, PANIC, a failed check and a stop request of
 * the emit callback end the run: vm_run() returns the same outcome,
 * status and error text as vcpu_loop.c would, and the guest is never
 * resumed.
 *
 * Not here, on purpose: no seccomp or other confinement (vm_limits.sandbox
 * is ignored), no watchdog (total_seconds and idle_seconds are ignored:
 * a test harness has its own timeout), no ring 3, no page tables, no IDT
 * (a guest CPU exception is a crash of this process, not a FAULT call).
 * The guest's code and statics are this process's, so a process runs one
 * guest once: a second vm_create() or vm_run() fails.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "hypercall.h"   /* impl/vmm's: hypercall_dispatch() */
#include "vm_internal.h"
/* The guest's side of the two hooks below (INSTAR_GUEST_INPROC is set
 * for this file too). Not on the include path: guest/hypercall.h would
 * shadow impl/vmm/hypercall.h. */
#include "../../guest/guest_mem.h"

/* Base of guest RAM for the guest code (guest/guest_mem.h). */
uint8_t *inproc_ram;

/* The map guest's entry point (guest/map_main.c). */
__attribute__((noreturn)) void guest_main(void);

static ucontext_t host_ctx;  /* vm_run, waiting for the next exit */
static ucontext_t guest_ctx; /* the guest, stopped at its doorbell */
static uint32_t doorbell_nr; /* the call number of that exit */
static bool vm_created, guest_ran;

void inproc_doorbell(uint32_t nr)
{
    doorbell_nr = nr;
    /* The VM exit: back into vm_run's loop, which resumes us (by
     * switching back here) only when the call lets the guest go on. */
    if (swapcontext(&guest_ctx, &host_ctx) < 0)
        abort();
}

static void guest_entry(void)
{
    guest_main();
}

struct vm *vm_create(char *err, size_t errlen)
{
    if (vm_created) {
        snprintf(err, errlen, "the in-process VMM runs one guest per "
                 "process");
        return NULL;
    }
    struct vm *vm = calloc(1, sizeof *vm);
    if (!vm) {
        snprintf(err, errlen, "calloc: %s", strerror(errno));
        return NULL;
    }
    vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = -1;
    vm->run = NULL;
    /* The same mapping as vm.c's guest RAM. */
    vm->mem = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (vm->mem == MAP_FAILED) {
        snprintf(err, errlen, "mmap guest memory: %s", strerror(errno));
        free(vm);
        return NULL;
    }
    vm_created = true;
    inproc_ram = vm->mem;
    vm_init_config(vm);
    return vm;
}

struct vm *vm_create_with_guest(const uint8_t *guest, size_t guest_len,
                                char *err, size_t errlen)
{
    (void)guest;
    (void)guest_len;
    snprintf(err, errlen, "the in-process VMM runs only the map guest "
             "compiled into it");
    return NULL;
}

void vm_destroy(struct vm *vm)
{
    if (!vm)
        return;
    vm_release_devices(vm);
    /* The guest's context is abandoned with its stack: it never runs
     * again (one guest per process). */
    munmap(vm->mem, GUEST_RAM_SIZE);
    inproc_ram = NULL;
    free(vm);
}

enum vm_outcome vm_run(struct vm *vm, const struct vm_limits *limits,
                       vm_emit_fn emit, void *ctx, uint64_t *status,
                       char *err, size_t errlen)
{
    /* limits->sandbox, total_seconds and idle_seconds: see the top. */
    if (guest_ran) {
        snprintf(err, errlen, "the in-process VMM runs one guest per "
                 "process");
        return VM_FAILED;
    }
    guest_ran = true;
    if (getcontext(&guest_ctx) < 0) {
        snprintf(err, errlen, "getcontext: %s", strerror(errno));
        return VM_FAILED;
    }
    guest_ctx.uc_stack.ss_sp = vm->mem + GUEST_STACK_BOTTOM;
    guest_ctx.uc_stack.ss_size = GUEST_STACK_TOP - GUEST_STACK_BOTTOM;
    guest_ctx.uc_link = NULL; /* guest_main never returns */
    makecontext(&guest_ctx, guest_entry, 0);

    vm->limits = limits;
    enum vm_outcome o = VM_FAILED;
    for (;;) {
        /* KVM_RUN: the guest runs until its next doorbell. */
        if (swapcontext(&host_ctx, &guest_ctx) < 0) {
            snprintf(err, errlen, "swapcontext: %s", strerror(errno));
            break;
        }
        enum hc_outcome h = hypercall_dispatch(vm, doorbell_nr, emit, ctx,
                                               status, err, errlen);
        if (h == HC_CONTINUE)
            continue;
        o = hc_run_outcome(h);
        break;
    }
    vm->limits = NULL;
    return o;
}
