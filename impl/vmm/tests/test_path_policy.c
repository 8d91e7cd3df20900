/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The policy for files an image names: text checks and where opens land. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "instar_abi.h"
#include "path_policy.h"

static char root[] = "/tmp/instar-policy-XXXXXX";
static char allowed[PATH_MAX], outside[PATH_MAX];
static struct path_policy pol;

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs("x", f);
    fclose(f);
}

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    snprintf(allowed, sizeof allowed, "%s/allowed", root);
    snprintf(outside, sizeof outside, "%s/outside", root);
    cr_assert_eq(mkdir(allowed, 0700), 0);
    cr_assert_eq(mkdir(outside, 0700), 0);
    memset(&pol, 0, sizeof pol);
    cr_assert_eq(policy_allow_dir(&pol, allowed), 0);
}

static void teardown(void)
{
    policy_free(&pol);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(path_policy, .init = setup, .fini = teardown);

static int check(const char *name)
{
    return policy_check_name(name, strlen(name));
}

Test(path_policy, names_are_plain_local_paths)
{
    cr_expect_eq(check("x-flat.vmdk"), 0);
    cr_expect_eq(check("../vm/x.vmdk"), 0);
    cr_expect_eq(check("/abs/x.raw"), 0);
    cr_expect_eq(check("./a:b"), 0);            /* ':' after a '/' */
    cr_expect_eq(check(""), -EINVAL);
    cr_expect_eq(check("json:{\"file\":\"/etc/shadow\"}"), -EINVAL);
    cr_expect_eq(check("nbd:localhost:10809"), -EINVAL);
    cr_expect_eq(check("file:x.raw"), -EINVAL);
    cr_expect_eq(policy_check_name("a\0b", 3), -EINVAL);
    static char longname[INSTAR_PATH_MAX + 2];
    memset(longname, 'a', INSTAR_PATH_MAX + 1);
    cr_expect_eq(check(longname), -EINVAL);
    longname[INSTAR_PATH_MAX] = 0;
    cr_expect_eq(check(longname), 0);
}

static int try_open(const char *path)
{
    char why[PATH_MAX + 128] = "";
    int fd = policy_open(&pol, path, why, sizeof why);
    if (fd >= 0)
        close(fd);
    return fd >= 0 ? 0 : fd;
}

Test(path_policy, opens_regular_files_inside_allowed_dirs)
{
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/a.raw", allowed);
    touch(p);
    cr_expect_eq(try_open(p), 0);
    snprintf(p, sizeof p, "%s/../allowed/a.raw", allowed);
    cr_expect_eq(try_open(p), 0);
}

Test(path_policy, refuses_outside_symlinks_out_fifos_and_dirs)
{
    char in[PATH_MAX + 32], out[PATH_MAX + 32];
    snprintf(out, sizeof out, "%s/secret", outside);
    touch(out);
    cr_expect_eq(try_open(out), -EACCES);
    snprintf(in, sizeof in, "%s/../outside/secret", allowed);
    cr_expect_eq(try_open(in), -EACCES);
    snprintf(in, sizeof in, "%s/link", allowed);
    cr_assert_eq(symlink(out, in), 0);
    cr_expect_eq(try_open(in), -EACCES);
    snprintf(in, sizeof in, "%s/fifo", allowed);
    cr_assert_eq(mkfifo(in, 0600), 0);
    cr_expect_eq(try_open(in), -EACCES);       /* and it did not block */
    cr_expect_eq(try_open(allowed), -EACCES);
    cr_expect_eq(try_open("/dev/null"), -EACCES);
    snprintf(in, sizeof in, "%s/missing", allowed);
    cr_expect_eq(try_open(in), -ENOENT);
}

Test(path_policy, a_prefix_is_not_a_parent)
{
    char sib[PATH_MAX + 32];
    snprintf(sib, sizeof sib, "%s2", allowed);  /* ".../allowed2" */
    cr_assert_eq(mkdir(sib, 0700), 0);
    strcat(sib, "/f");
    touch(sib);
    cr_expect_eq(try_open(sib), -EACCES);
}
