/* SPDX-License-Identifier: GPL-2.0-or-later */
/* instar's own options: extraction from argv and profile selection. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "instar_args.h"

static struct instar_options last;

static int take(int argc, char **argv, const char **compat, char *err,
                size_t errlen)
{
    FILE *f = fmemopen(err, errlen, "w");
    memset(&last, 0, sizeof last);
    last.compat = *compat;
    int rc = instar_args_take(&argc, argv, &last, "instar", f);
    fclose(f);
    *compat = last.compat;
    return rc ? -1 : argc;
}

Test(instar_args, removes_compat_before_double_dash)
{
    char *argv[] = { "instar", "--qemu-compat=7.2", "map", "-s", "1k",
                     "--qemu-compat", "10.0", "img", "--",
                     "--qemu-compat=5.2", NULL };
    const char *compat = NULL;
    char err[128] = "";
    int argc = take(10, argv, &compat, err, sizeof(err));
    cr_assert_eq(argc, 7);
    cr_expect_str_eq(compat, "10.0");
    const char *want[] = { "instar", "map", "-s", "1k", "img", "--",
                           "--qemu-compat=5.2" };
    for (int i = 0; i < 7; i++) {
        cr_expect_str_eq(argv[i], want[i]);
    }
    cr_expect_null(argv[7]);
    cr_expect_str_eq(err, "");
}

Test(instar_args, leaves_other_options_alone)
{
    char *argv[] = { "instar", "map", "--qemu-compatx", "--qemu", "img", NULL };
    const char *compat = "keep";
    char err[128] = "";
    cr_expect_eq(take(5, argv, &compat, err, sizeof(err)), 5);
    cr_expect_str_eq(compat, "keep");
}

Test(instar_args, missing_value)
{
    char *argv[] = { "instar", "map", "img", "--qemu-compat", NULL };
    const char *compat = NULL;
    char err[128] = "";
    cr_expect_eq(take(4, argv, &compat, err, sizeof(err)), -1);
    cr_expect_str_eq(err, "instar: option '--qemu-compat' requires a value\n");
}

static int profile(const char *compat, const char *env, struct qemu_profile *p,
                   char *err, size_t errlen)
{
    FILE *f = fmemopen(err, errlen, "w");
    int rc = instar_args_profile(compat, env, p, "instar", f);
    fclose(f);
    return rc;
}

Test(instar_args, profile_sources)
{
    struct qemu_profile p;
    char err[512] = "";
    cr_expect_eq(profile(NULL, NULL, &p, err, sizeof(err)), 0);
    cr_expect_str_eq(p.name, "11.1");
    cr_expect_eq(profile(NULL, "", &p, err, sizeof(err)), 0);
    cr_expect_str_eq(p.name, "11.1");
    cr_expect_eq(profile(NULL, "7.2", &p, err, sizeof(err)), 0);
    cr_expect_str_eq(p.name, "7.2");
    cr_expect_eq(profile("10.0.2", "7.2", &p, err, sizeof(err)), 0);
    cr_expect_str_eq(p.name, "10.0.2");
    cr_expect_str_eq(err, "");
}

Test(instar_args, profile_errors_name_source_and_forms)
{
    struct qemu_profile p;
    char err[512] = "";
    cr_expect_eq(profile(NULL, "4.2", &p, err, sizeof(err)), 1);
    cr_expect(strncmp(err, "instar: unsupported INSTAR_QEMU_COMPAT value '4.2'\n"
                      "instar: expected X.Y or X.Y.Z", 76) == 0, "%s", err);
    memset(err, 0, sizeof(err));
    cr_expect_eq(profile("x", NULL, &p, err, sizeof(err)), 1);
    cr_expect(strncmp(err, "instar: unsupported --qemu-compat value 'x'\n",
                      44) == 0, "%s", err);
    cr_expect(strstr(err, "qemu-img --version") != NULL);
}

Test(instar_args, allow_path_accumulates_in_both_forms)
{
    char *argv[] = { "instar", "map", "--allow-path=/a", "img",
                     "--allow-path", "/b", "--", "--allow-path=/c", NULL };
    const char *compat = NULL;
    char err[128] = "";
    int argc = take(8, argv, &compat, err, sizeof(err));
    cr_assert_eq(argc, 5);
    cr_assert_eq(last.allow_count, 2);
    cr_expect_str_eq(last.allow_paths[0], "/a");
    cr_expect_str_eq(last.allow_paths[1], "/b");
    cr_expect_str_eq(argv[4], "--allow-path=/c");
}

Test(instar_args, allow_path_needs_a_value)
{
    char *argv[] = { "instar", "map", "img", "--allow-path", NULL };
    const char *compat = NULL;
    char err[128] = "";
    cr_assert_eq(take(4, argv, &compat, err, sizeof(err)), -1);
    cr_expect(strstr(err, "'--allow-path' requires a value"), "%s", err);
}

static int env_seconds(const char *value, unsigned *out, char *err,
                       size_t errlen)
{
    FILE *f = fmemopen(err, errlen, "w");
    int rc = instar_env_seconds("INSTAR_TIMEOUT_SECONDS", value, 3600, 86400,
                                out, "instar", f);
    fclose(f);
    return rc;
}

Test(instar_args, env_seconds_unset_or_empty_is_the_default)
{
    unsigned out = 0;
    char err[256] = "";
    cr_expect_eq(env_seconds(NULL, &out, err, sizeof err), 0);
    cr_expect_eq(out, 3600);
    cr_expect_eq(env_seconds("", &out, err, sizeof err), 0);
    cr_expect_eq(out, 3600);
    cr_expect_eq(env_seconds("1", &out, err, sizeof err), 0);
    cr_expect_eq(out, 1);
    cr_expect_eq(env_seconds("86400", &out, err, sizeof err), 0);
    cr_expect_eq(out, 86400);
    cr_expect_str_eq(err, "");
}

Test(instar_args, env_seconds_invalid_values_are_errors)
{
    const char *bad[] = { "abc", "0", "-1", "+5", " 5", "5s", "1.5",
                          "86401", "99999999999999999999999" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned out = 7;
        char err[256] = "";
        char want[256];
        snprintf(want, sizeof want, "instar: invalid INSTAR_TIMEOUT_SECONDS "
                 "value '%s': expected a whole number of seconds from 1 to "
                 "86400\n", bad[i]);
        cr_expect_eq(env_seconds(bad[i], &out, err, sizeof err), 1, "%s",
                     bad[i]);
        cr_expect_eq(out, 7);
        cr_expect_str_eq(err, want);
    }
}
