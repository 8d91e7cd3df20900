/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * KVM setup: memory, one vCPU entered directly in 64-bit long mode with
 * identity-mapped page tables, and the guest binary copied to its load
 * address. Page 0 stays unmapped so a guest null dereference faults.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm_internal.h"

extern const uint8_t instar_guest_blob[];
extern const uint8_t instar_guest_blob_end[];

#define PTE_P  0x1ull
#define PTE_RW 0x2ull
#define PTE_US 0x4ull  /* the guest runs its work in ring 3 */
#define PTE_PS 0x80ull
#define PTE_RAM (PTE_P | PTE_RW | PTE_US)

#define CR0_PE 0x1ull
#define CR0_MP 0x2ull
#define CR0_ET 0x10ull
#define CR0_NE 0x20ull
#define CR0_WP 0x10000ull
#define CR0_PG 0x80000000ull
#define CR4_PAE 0x20ull
#define CR4_OSFXSR 0x200ull
#define CR4_OSXMMEXCPT 0x400ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

static int fail(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s: %s", what, strerror(errno));
    return -1;
}

/* Why /dev/kvm cannot be opened, and what the user can do about it. */
static void kvm_open_error(char *err, size_t errlen, int e)
{
    const char *fix;
    switch (e) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
        fix = "load the kvm_intel or kvm_amd module, enable hardware "
              "virtualisation (VT-x/AMD-V) in the firmware, or, inside a VM, "
              "enable nested virtualisation";
        break;
    case EACCES:
    case EPERM:
        fix = "add the user to the 'kvm' group (usermod -aG kvm USER, then "
              "log in again) or run instar with read-write access to /dev/kvm";
        break;
    default:
        fix = "instar runs the image parser in a KVM guest and needs "
              "read-write access to /dev/kvm";
        break;
    }
    snprintf(err, errlen, "cannot open /dev/kvm: %s: %s", strerror(e), fix);
}

static void build_page_tables(uint8_t *mem)
{
    uint64_t *pml4 = (uint64_t *)(mem + GUEST_PML4_ADDR);
    uint64_t *pdpt = (uint64_t *)(mem + GUEST_PDPT_ADDR);
    uint64_t *pd = (uint64_t *)(mem + GUEST_PD_ADDR);
    uint64_t *pt = (uint64_t *)(mem + GUEST_PT_ADDR);

    pml4[0] = GUEST_PDPT_ADDR | PTE_RAM;
    pdpt[0] = GUEST_PD_ADDR | PTE_RAM;
    /* First 2 MiB in 4 KiB pages so that page 0 can be left out. */
    pd[0] = GUEST_PT_ADDR | PTE_RAM;
    for (uint64_t i = 1; i < 512; i++)
        pt[i] = (i << 12) | PTE_RAM;
    /* The rest of RAM in 2 MiB pages. */
    for (uint64_t i = 1; i < GUEST_RAM_SIZE / INSTAR_MIB(2); i++)
        pd[i] = (i << 21) | PTE_RAM | PTE_PS;
    /* The doorbell: mapped, but no memory behind it, so stores exit. */
    pd[GUEST_DOORBELL_ADDR / INSTAR_MIB(2)] =
        GUEST_DOORBELL_ADDR | PTE_RAM | PTE_PS;
}

static void build_gdt(uint8_t *mem)
{
    uint64_t *gdt = (uint64_t *)(mem + GUEST_GDT_ADDR);
    gdt[0] = 0;
    gdt[GUEST_SEL_CODE >> 3] = 0x00af9a000000ffffull;  /* ring 0 code, L */
    gdt[GUEST_SEL_DATA >> 3] = 0x00cf92000000ffffull;  /* ring 0 data */
    gdt[GUEST_SEL_UDATA >> 3] = 0x00cff2000000ffffull; /* ring 3 data */
    gdt[GUEST_SEL_UCODE >> 3] = 0x00affa000000ffffull; /* ring 3 code, L */
    /* 64-bit busy TSS (type 11, as TR says), limit 0x67. */
    uint64_t base = GUEST_TSS_ADDR;
    gdt[GUEST_SEL_TSS >> 3] = 0x67 | (base & 0xffffff) << 16 |
                              0x8bull << 40 | (base >> 24 & 0xff) << 56;
    gdt[(GUEST_SEL_TSS >> 3) + 1] = base >> 32;

    /* TSS: RSP0 (offset 4) is where exceptions from ring 3 land; the I/O
     * bitmap offset (102) points past the limit, so no port is allowed. */
    uint8_t *tss = mem + GUEST_TSS_ADDR;
    uint64_t rsp0 = GUEST_EXC_STACK_TOP;
    uint16_t iomap = 0x68;
    memcpy(tss + 4, &rsp0, sizeof rsp0);
    memcpy(tss + 102, &iomap, sizeof iomap);
}

static int setup_long_mode(struct vm *vm, char *err, size_t errlen)
{
    struct kvm_sregs s;
    if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
        return fail(err, errlen, "KVM_GET_SREGS");

    struct kvm_segment code = {
        .base = 0, .limit = 0xffffffff, .selector = GUEST_SEL_CODE,
        .type = 11, .present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
    };
    struct kvm_segment data = code;
    data.selector = GUEST_SEL_DATA;
    data.type = 3;
    data.l = 0;
    data.db = 1;
    s.cs = code;
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    /* TR must hold a busy 64-bit TSS: it gives ring 3 exceptions their
     * ring 0 stack. */
    struct kvm_segment tr = {
        .base = GUEST_TSS_ADDR, .limit = 0x67, .selector = GUEST_SEL_TSS,
        .type = 11, .present = 1, .s = 0,
    };
    s.tr = tr;
    s.ldt.unusable = 1;
    s.ldt.present = 0;
    s.gdt.base = GUEST_GDT_ADDR;
    s.gdt.limit = GUEST_GDT_ENTRIES * 8 - 1;
    s.cr3 = GUEST_PML4_ADDR;
    s.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    s.efer = EFER_LME | EFER_LMA;
    if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s) < 0)
        return fail(err, errlen, "KVM_SET_SREGS");

    struct kvm_regs r = { 0 };
    r.rip = GUEST_IMAGE_ADDR;
    r.rsp = GUEST_EXC_STACK_TOP;
    r.rflags = 0x2; /* reserved bit; interrupts stay off */
    if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &r) < 0)
        return fail(err, errlen, "KVM_SET_REGS");
    return 0;
}

/*
 * Guest memory must be write-back cacheable. At reset the MTRRs are off,
 * which makes all of memory uncacheable wherever the hypervisor honours
 * guest MTRRs (nested KVM does): the guest then runs ~50x slower.
 */
static int setup_msrs(struct vm *vm, char *err, size_t errlen)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry entries[1];
    } m;
    memset(&m, 0, sizeof m);
    m.hdr.nmsrs = 1;
    m.entries[0].index = 0x2ff;  /* IA32_MTRR_DEF_TYPE */
    m.entries[0].data = 0x806;   /* MTRRs enabled, default type WB */
    if (ioctl(vm->vcpu_fd, KVM_SET_MSRS, &m) != 1)
        return fail(err, errlen, "KVM_SET_MSRS");
    return 0;
}

static int setup_cpuid(struct vm *vm, char *err, size_t errlen)
{
    /* Give the guest the host's supported CPUID so SSE state is sane. */
    size_t n = 128;
    struct kvm_cpuid2 *c = calloc(1, sizeof *c + n * sizeof c->entries[0]);
    if (!c)
        return fail(err, errlen, "calloc");
    c->nent = (uint32_t)n;
    int rc = ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c);
    if (rc == 0)
        rc = ioctl(vm->vcpu_fd, KVM_SET_CPUID2, c);
    free(c);
    if (rc < 0)
        return fail(err, errlen, "KVM_SET_CPUID2");
    return 0;
}

struct vm *vm_create(char *err, size_t errlen)
{
    return vm_create_with_guest(instar_guest_blob,
                                (size_t)(instar_guest_blob_end -
                                         instar_guest_blob),
                                err, errlen);
}

struct vm *vm_create_with_guest(const uint8_t *guest, size_t guest_len,
                                char *err, size_t errlen)
{
    struct vm *vm = calloc(1, sizeof *vm);
    if (!vm) {
        fail(err, errlen, "calloc");
        return NULL;
    }
    vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = -1;
    vm->mem = MAP_FAILED;
    vm->run = MAP_FAILED;

    vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0) {
        kvm_open_error(err, errlen, errno);
        goto out;
    }
    if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        snprintf(err, errlen, "unsupported KVM API version");
        goto out;
    }
    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0) {
        fail(err, errlen, "KVM_CREATE_VM");
        goto out;
    }
    vm->mem = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (vm->mem == MAP_FAILED) {
        fail(err, errlen, "mmap guest memory");
        goto out;
    }
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = GUEST_RAM_SIZE,
        .userspace_addr = (uint64_t)(uintptr_t)vm->mem,
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
        fail(err, errlen, "KVM_SET_USER_MEMORY_REGION");
        goto out;
    }
    vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
    if (vm->vcpu_fd < 0) {
        fail(err, errlen, "KVM_CREATE_VCPU");
        goto out;
    }
    int run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < (int)sizeof(struct kvm_run)) {
        fail(err, errlen, "KVM_GET_VCPU_MMAP_SIZE");
        goto out;
    }
    vm->run_size = (size_t)run_size;
    vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                   vm->vcpu_fd, 0);
    if (vm->run == MAP_FAILED) {
        fail(err, errlen, "mmap kvm_run");
        goto out;
    }
    if (setup_cpuid(vm, err, errlen) < 0 || setup_msrs(vm, err, errlen) < 0 ||
        setup_long_mode(vm, err, errlen) < 0)
        goto out;

    if (guest_len > GUEST_IMAGE_MAX) {
        snprintf(err, errlen, "guest binary is %zu bytes, over the limit",
                 guest_len);
        goto out;
    }
    memcpy(vm->mem + GUEST_IMAGE_ADDR, guest, guest_len);
    build_page_tables(vm->mem);
    build_gdt(vm->mem);

    vm_init_config(vm);
    return vm;
out:
    vm_destroy(vm);
    return NULL;
}

void vm_destroy(struct vm *vm)
{
    if (!vm)
        return;
    vm_release_devices(vm);
    if (vm->run != MAP_FAILED)
        munmap(vm->run, vm->run_size);
    if (vm->mem != MAP_FAILED)
        munmap(vm->mem, GUEST_RAM_SIZE);
    if (vm->vcpu_fd >= 0)
        close(vm->vcpu_fd);
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
    free(vm);
}
