/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `instar` entry point: instar's own options, the command word, then
 * `map` parsed and run as the selected qemu-img release would.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "help.h"
#include "instar_args.h"
#include "options.h"
#include "output.h"
#include "profile.h"
#include "run_map.h"

#ifndef INSTAR_VERSION
#error "INSTAR_VERSION must be defined by the build"
#endif

/* qemu's error_report() prefix is the basename of argv[0]. */
static const char *basename_of(const char *argv0)
{
    if (!argv0 || !argv0[0]) {
        return "instar";
    }
    const char *slash = strrchr(argv0, '/');
    return slash ? slash + 1 : argv0;
}

static void print_version(const struct qemu_profile *p)
{
    printf("instar %s\n", INSTAR_VERSION);
    printf("qemu-img compatibility: %s [JSON %s, CLI %s, sizes %s, VHD %s, "
           "drivers %s]\n",
           p->name, profile_json_label(p->json), profile_cli_label(p->cli),
           profile_size_label(p->size), profile_vhd_label(p->vhd_size_rule),
           profile_driver_label(p->driver_rules));
}

static int command_error(const char *prog, const char *what, const char *cmd)
{
    if (cmd) {
        fprintf(stderr, "%s: %s '%s'\n", prog, what, cmd);
    } else {
        fprintf(stderr, "%s: %s\n", prog, what);
    }
    fprintf(stderr, "Try '%s --help' for more information\n", prog);
    return 1;
}

static int run(int argc, char **argv, const char *prog)
{
    struct instar_options iopts = { .compat = NULL };
    struct qemu_profile profile;

    if (argc < 1) {
        return command_error(prog, "Not enough arguments", NULL);
    }
    if (instar_args_take(&argc, argv, &iopts, prog, stderr)) {
        return 1;
    }
    if (argc < 2) {
        return command_error(prog, "Not enough arguments", NULL);
    }

    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        help_instar(stdout, prog);
        return 0;
    }
    if (instar_args_profile(iopts.compat, getenv("INSTAR_QEMU_COMPAT"), &profile,
                            prog, stderr)) {
        return 1;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        print_version(&profile);
        return 0;
    }
    if (strcmp(cmd, "map") != 0) {
        /* Before the command word only instar's own options are valid. */
        return command_error(prog, cmd[0] == '-' ? "unknown option"
                                                 : "unknown command", cmd);
    }

    /* map's argv: the program as invoked, then map's own arguments. */
    argv[1] = argv[0];
    struct map_options opts;
    int status = map_options_parse(argc - 1, argv + 1, prog, &profile, &opts,
                                   stdout, stderr);
    if (status >= 0) {
        return status;
    }
    return run_map(&opts, &iopts, &profile, prog);
}

int main(int argc, char **argv)
{
    const char *prog = basename_of(argc > 0 ? argv[0] : NULL);

    /* A closed pipe is a write error we report, not a signal death. */
    signal(SIGPIPE, SIG_IGN);
    if (stdio_reopen_closed() < 0) {
        /* Nothing may be printable: the status is all we can say. */
        return 1;
    }
    int status = run(argc, argv, prog);
    /* Output that did not arrive is a failure, whatever came before
     * (qemu-img exits 0 here: docs/quirks.md). */
    if (output_finish(stdout, stderr, prog) < 0) {
        return 1;
    }
    return status;
}
