/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VMM against tiny fixture guests (a few hand-assembled instructions,
 * in kvmtool's style): every way a guest can misbehave must end the run
 * with one clear message, never a hang or a crash.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vm_internal.h"
#include "vmm.h"

/* x86-64 machine code for the fixtures. */
#define HLT 0xf4
#define OUT_HC(nr) 0xb8, (nr), 0, 0, 0, /* mov eax, nr */ \
                   0x89, 0x04, 0x25, 0, 0, 0, 0x04 /* mov [0x4000000], eax */

static const uint8_t guest_hlt[] = { HLT };
static const uint8_t guest_spin[] = { 0xeb, 0xfe };               /* jmp . */
static const uint8_t guest_null[] = { 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0 };
static const uint8_t guest_bad_port[] = { 0x66, 0xba, 0x34, 0x12, 0xee };
/* mov eax, [0x4000000]: reading the doorbell is not a hypercall */
static const uint8_t guest_doorbell_read[] = { 0x8b, 0x04, 0x25, 0, 0, 0, 0x04 };
/* mov [0x5000000], eax: beyond RAM and the doorbell */
static const uint8_t guest_wild_store[] = { 0x89, 0x04, 0x25, 0, 0, 0, 0x05 };
static const uint8_t guest_read[] = { OUT_HC(1), HLT };
static const uint8_t guest_emit[] = { OUT_HC(3), HLT };
static const uint8_t guest_exit[] = { OUT_HC(4), HLT };
static const uint8_t guest_unknown[] = { OUT_HC(99), HLT };
static const uint8_t guest_read_then_exit[] = { OUT_HC(1), OUT_HC(4), HLT };

static const struct vm_limits quick = { .total_seconds = 5,
                                        .idle_seconds = 1 };

static struct vm *boot(const uint8_t *code, size_t len)
{
    char err[256];
    struct vm *vm = vm_create_with_guest(code, len, err, sizeof err);
    cr_assert_not_null(vm, "vm_create: %s", err);
    return vm;
}

static struct instar_mailbox *mailbox(struct vm *vm)
{
    return (struct instar_mailbox *)(vm->mem + GUEST_MAILBOX_ADDR);
}

static int no_emit(void *ctx, const uint8_t *b, size_t n)
{
    (void)ctx; (void)b; (void)n;
    return 0;
}

static enum vm_outcome run(struct vm *vm, char *err, size_t errlen,
                           uint64_t *status)
{
    return vm_run(vm, &quick, no_emit, NULL, status, err, errlen);
}

#define EXPECT_FAILURE(code, fragment)                                       \
    do {                                                                     \
        struct vm *vm = boot(code, sizeof code);                             \
        char err[256] = "";                                                  \
        uint64_t st;                                                         \
        cr_assert_eq(run(vm, err, sizeof err, &st), VM_FAILED);              \
        cr_assert(strstr(err, fragment), "message was: %s", err);            \
        vm_destroy(vm);                                                      \
    } while (0)

Test(vmm, halt_without_result_is_an_error)
{
    EXPECT_FAILURE(guest_hlt, "halted without reporting a result");
}

Test(vmm, null_dereference_before_idt_is_reported)
{
    /* Page 0 is unmapped; with no IDT yet the CPU shuts down. */
    EXPECT_FAILURE(guest_null, "triple-faulted");
}

Test(vmm, unknown_port_is_an_error)
{
    EXPECT_FAILURE(guest_bad_port, "I/O port 0x1234");
}

Test(vmm, doorbell_read_is_an_error)
{
    EXPECT_FAILURE(guest_doorbell_read, "unmapped memory at 0x4000000 (read");
}

Test(vmm, store_outside_ram_is_an_error)
{
    /* Not mapped in the page tables: the CPU faults, no IDT, shutdown. */
    EXPECT_FAILURE(guest_wild_store, "triple-faulted");
}

Test(vmm, unknown_hypercall_is_an_error)
{
    EXPECT_FAILURE(guest_unknown, "unknown hypercall 99");
}

Test(vmm, watchdog_ends_a_spinning_guest)
{
    EXPECT_FAILURE(guest_spin, "no progress");
}

Test(vmm, exit_reports_status)
{
    struct vm *vm = boot(guest_exit, sizeof guest_exit);
    mailbox(vm)->offset = 3;
    char err[256];
    uint64_t st = 0;
    cr_assert_eq(run(vm, err, sizeof err, &st), VM_EXITED);
    cr_assert_eq(st, 3);
    vm_destroy(vm);
}

static struct vm *boot_with_file(const uint8_t *code, size_t len,
                                 const char *content, size_t clen)
{
    struct vm *vm = boot(code, len);
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(content, 1, clen, f), clen);
    fflush(f);
    char err[256];
    cr_assert_eq(vm_add_image(vm, dup(fileno(f)), "img", err, sizeof err), 0,
                 "%s", err);
    fclose(f);
    return vm;
}

Test(vmm, read_copies_bytes_and_zero_fills_past_eof)
{
    struct vm *vm = boot_with_file(guest_read_then_exit,
                                   sizeof guest_read_then_exit, "hello", 5);
    struct instar_mailbox *mb = mailbox(vm);
    mb->dev = 0;
    mb->offset = 1;
    mb->length = 8;
    mb->buf = GUEST_ARENA_ADDR;
    memset(vm->mem + GUEST_ARENA_ADDR, 0xee, 16);
    char err[256];
    uint64_t st;
    cr_assert_eq(run(vm, err, sizeof err, &st), VM_EXITED, "%s", err);
    cr_assert_eq(mb->ret, 0);
    cr_assert(memcmp(vm->mem + GUEST_ARENA_ADDR, "ello\0\0\0\0\xee", 9) == 0);
    cr_assert_eq(vm_config(vm)->devices[0].size, 5);
    vm_destroy(vm);
}

/* Each bad READ must be refused before any byte is copied. */
static void expect_bad_read(uint32_t dev, uint64_t off, uint64_t len,
                            uint64_t buf)
{
    struct vm *vm = boot_with_file(guest_read, sizeof guest_read, "x", 1);
    struct instar_mailbox *mb = mailbox(vm);
    mb->dev = dev;
    mb->offset = off;
    mb->length = len;
    mb->buf = buf;
    char err[256] = "";
    uint64_t st;
    cr_assert_eq(run(vm, err, sizeof err, &st), VM_FAILED);
    cr_assert(strstr(err, "invalid READ"), "message was: %s", err);
    vm_destroy(vm);
}

Test(vmm, bad_reads_are_refused)
{
    expect_bad_read(1, 0, 16, GUEST_ARENA_ADDR);                 /* no dev */
    expect_bad_read(0, 0, 16, GUEST_RAM_SIZE - 8);               /* past RAM */
    expect_bad_read(0, 0, 16, UINT64_MAX - 4);                   /* wraps */
    expect_bad_read(0, 0, INSTAR_READ_MAX + 1, GUEST_ARENA_ADDR); /* too big */
    expect_bad_read(0, UINT64_MAX - 8, 16, GUEST_ARENA_ADDR);    /* offset */
}

struct emitted {
    uint8_t bytes[16];
    size_t len;
};

static int keep_emit(void *ctx, const uint8_t *b, size_t n)
{
    struct emitted *e = ctx;
    e->len = n;
    memcpy(e->bytes, b, n < sizeof e->bytes ? n : sizeof e->bytes);
    return 1; /* stop */
}

Test(vmm, emit_hands_over_the_batch_and_can_stop)
{
    struct vm *vm = boot(guest_emit, sizeof guest_emit);
    struct instar_mailbox *mb = mailbox(vm);
    mb->buf = GUEST_EMIT_ADDR;
    mb->length = 5;
    memcpy(vm->mem + GUEST_EMIT_ADDR, "abcde", 5);
    struct emitted e = { .len = 0 };
    char err[256];
    uint64_t st;
    cr_assert_eq(vm_run(vm, &quick, keep_emit, &e, &st, err, sizeof err),
                 VM_STOPPED);
    cr_assert_eq(e.len, 5);
    cr_assert(memcmp(e.bytes, "abcde", 5) == 0);
    vm_destroy(vm);
}

Test(vmm, oversized_emit_is_refused)
{
    struct vm *vm = boot(guest_emit, sizeof guest_emit);
    struct instar_mailbox *mb = mailbox(vm);
    mb->buf = GUEST_EMIT_ADDR;
    mb->length = GUEST_EMIT_SIZE + 1;
    char err[256] = "";
    uint64_t st;
    cr_assert_eq(run(vm, err, sizeof err, &st), VM_FAILED);
    cr_assert(strstr(err, "invalid EMIT"), "message was: %s", err);
    vm_destroy(vm);
}

/* The real guest runtime (entry, IDT, ring 3, hypercalls) misbehaving. */
extern const uint8_t selftest_guest[], selftest_guest_end[];

static void selftest(int64_t which, enum vm_outcome want, const char *fragment)
{
    struct vm *vm = boot(selftest_guest,
                         (size_t)(selftest_guest_end - selftest_guest));
    vm_config(vm)->start_offset = which;
    char err[256] = "";
    uint64_t st = 1234;
    enum vm_outcome o = run(vm, err, sizeof err, &st);
    cr_assert_eq(o, want, "selftest %lld: outcome %d, message: %s",
                 (long long)which, o, err);
    if (fragment)
        cr_assert(strstr(err, fragment), "selftest %lld: message was: %s",
                  (long long)which, err);
    else
        cr_assert_eq(st, 0);
    vm_destroy(vm);
}

Test(guest_runtime, reaches_ring3_and_exits)
{
    selftest(0, VM_EXITED, NULL);
}

Test(guest_runtime, ring3_exceptions_are_reported_with_vector_and_rip)
{
    selftest(1, VM_FAILED, "page fault (vector 14");
    selftest(1, VM_FAILED, "cr2 0x0");
    selftest(2, VM_FAILED, "divide error (vector 0");
    selftest(4, VM_FAILED, "invalid opcode (vector 6");
    selftest(5, VM_FAILED, "general protection (vector 13");
    selftest(7, VM_FAILED, "page fault (vector 14");
}

Test(guest_runtime, panic_text_is_sanitised)
{
    selftest(3, VM_FAILED, "guest panic: selftest panic 42?with a newline");
}

Test(guest_runtime, watchdog_ends_a_spinning_ring3_guest)
{
    selftest(6, VM_FAILED, "no progress");
}

/* Without /dev/kvm nothing here can run: say so and let CTest skip. */
int main(int argc, char *argv[])
{
    if (access("/dev/kvm", R_OK | W_OK) != 0) {
        fprintf(stderr, "SKIPPED: /dev/kvm is not available; the VMM tests "
                        "did NOT run\n");
        return 77;
    }
    struct criterion_test_set *tests = criterion_initialize();
    int result = 0;
    if (criterion_handle_args(argc, argv, true))
        result = !criterion_run_all_tests(tests);
    criterion_finalize(tests);
    return result;
}
