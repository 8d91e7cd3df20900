/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seccomp filter, tested from both sides in Firecracker's style: each
 * allowed call with allowed arguments works, and the same call with a
 * wrong argument, or a call not on the list, kills the process with
 * SIGSYS. Each case runs in a forked child that installs the filter.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "path_policy.h"
#include "sandbox.h"

static int dev_fd, vcpu_fd, other_fd;

static void setup(void)
{
    char path[] = "/tmp/instar-sandbox-XXXXXX";
    dev_fd = mkstemp(path);
    cr_assert_geq(dev_fd, 0);
    unlink(path);
    cr_assert_eq(write(dev_fd, "data", 4), 4);
    /* Stand-ins: the filter looks at descriptor numbers, not at what
     * they are, so any open file proves the rule. */
    vcpu_fd = open("/dev/null", O_RDONLY);
    other_fd = open("/dev/null", O_RDONLY);
    cr_assert_geq(vcpu_fd, 0);
    cr_assert_geq(other_fd, 0);
}

static void teardown(void)
{
    close(dev_fd);
    close(vcpu_fd);
    close(other_fd);
}

TestSuite(sandbox, .init = setup, .fini = teardown);

typedef void (*probe_fn)(void);

/* Runs probe in a sandboxed child; returns the signal that ended it, or
 * 0 when it exited normally (with status 0). */
static int run_sandboxed(probe_fn probe)
{
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);   /* allowed writes go nowhere */
        int fds[1] = { dev_fd };
        struct sandbox_spec spec = { .vcpu_fd = vcpu_fd, .dev_fds = fds,
                                     .dev_count = 1 };
        char err[256];
        if (sandbox_install_filter(&spec, err, sizeof err) < 0)
            _exit(99);
        probe();
        syscall(SYS_exit_group, 0);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        return WTERMSIG(status);
    cr_assert_eq(WEXITSTATUS(status), 0, "child exited %d",
                 WEXITSTATUS(status));
    return 0;
}

#define ALLOWED(probe) cr_assert_eq(run_sandboxed(probe), 0, #probe)
#define KILLED(probe) cr_assert_eq(run_sandboxed(probe), SIGSYS, #probe)

static char buf[16];

static void pread_dev(void) { syscall(SYS_pread64, dev_fd, buf, 4, 0); }
static void pread_stdin(void) { syscall(SYS_pread64, 0, buf, 4, 0); }
static void seek_data(void) { syscall(SYS_lseek, dev_fd, 0, SEEK_DATA); }
static void seek_hole(void) { syscall(SYS_lseek, dev_fd, 0, SEEK_HOLE); }
static void seek_set(void) { syscall(SYS_lseek, dev_fd, 0, SEEK_SET); }
static void seek_stdout(void) { syscall(SYS_lseek, 1, 0, SEEK_DATA); }
static void read_dev(void) { syscall(SYS_read, dev_fd, buf, 4); }
static void write_stdout(void) { syscall(SYS_write, 1, "x", 1); }
static struct termios tio;
static void tcgets_stdout(void) { syscall(SYS_ioctl, 1, TCGETS, &tio); }
static void tcsets_stdout(void) { syscall(SYS_ioctl, 1, TCSETS, &tio); }
static void tiocsti_stdout(void) { syscall(SYS_ioctl, 1, TIOCSTI, "x"); }
static void write_dev(void) { syscall(SYS_write, dev_fd, "x", 1); }
static void kvm_run(void) { syscall(SYS_ioctl, vcpu_fd, KVM_RUN, 0); }
static void kvm_run_other(void) { syscall(SYS_ioctl, other_fd, KVM_RUN, 0); }
static void kvm_set_regs(void) { syscall(SYS_ioctl, vcpu_fd, KVM_SET_REGS, 0); }
static void kvm_create_vm(void)
{
    syscall(SYS_ioctl, vcpu_fd, KVM_CREATE_VM, 0);
}
static void map_rw(void)
{
    syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}
static void map_exec(void)
{
    syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC,
            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}
static void protect_exec(void)
{
    syscall(SYS_mprotect, buf, 4096, PROT_READ | PROT_EXEC);
}
static void open_policy(void)
{
    syscall(SYS_openat, AT_FDCWD, "/dev/null", POLICY_OPEN_FLAGS);
}
static void open_plain(void) { syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY); }
static void open_write(void)
{
    syscall(SYS_openat, AT_FDCWD, "/dev/null", POLICY_OPEN_FLAGS | O_RDWR);
}
static void open_create(void)
{
    syscall(SYS_openat, AT_FDCWD, "/tmp/x", POLICY_OPEN_FLAGS | O_CREAT, 0600);
}
static void stat_path(void)
{
    struct stat st;
    syscall(SYS_newfstatat, AT_FDCWD, "/etc/passwd", &st, 0);
}
static void make_socket(void) { syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0); }
static void do_fork(void) { syscall(SYS_fork); }
static void do_execve(void)
{
    char *argv[] = { "/bin/true", NULL };
    syscall(SYS_execve, "/bin/true", argv, NULL);
}
static void do_ptrace(void) { syscall(SYS_ptrace, 0, 0, 0, 0); }

Test(sandbox, image_reads_are_allowed_on_devices_only)
{
    ALLOWED(pread_dev);
    KILLED(pread_stdin);
    KILLED(read_dev);
}

Test(sandbox, only_seek_data_and_hole_on_devices)
{
    ALLOWED(seek_data);
    ALLOWED(seek_hole);
    KILLED(seek_set);
    KILLED(seek_stdout);
}

Test(sandbox, writes_only_to_stdout_and_stderr)
{
    ALLOWED(write_stdout);
    KILLED(write_dev);
    /* stdio's isatty() on stdout, and nothing else on the terminal */
    ALLOWED(tcgets_stdout);
    KILLED(tcsets_stdout);
    KILLED(tiocsti_stdout);
}

Test(sandbox, kvm_ioctls_only_run_on_the_vcpu)
{
    ALLOWED(kvm_run);
    KILLED(kvm_run_other);
    KILLED(kvm_set_regs);
    KILLED(kvm_create_vm);
}

Test(sandbox, memory_never_becomes_executable)
{
    ALLOWED(map_rw);
    KILLED(map_exec);
    KILLED(protect_exec);
}

Test(sandbox, files_open_read_only_with_the_policy_flags_only)
{
    ALLOWED(open_policy);
    KILLED(open_plain);
    KILLED(open_write);
    KILLED(open_create);
    KILLED(stat_path);
}

Test(sandbox, no_sockets_processes_or_tracing)
{
    KILLED(make_socket);
    KILLED(do_fork);
    KILLED(do_execve);
    KILLED(do_ptrace);
}
