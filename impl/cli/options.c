/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * img_map()'s option loop and the checks that follow it, per CLI profile.
 *
 * glibc's own getopt_long does the scanning, so argument permutation,
 * "--", POSIXLY_CORRECT, long-option prefixes, ambiguity and glibc's
 * message texts are those of qemu-img by construction. What differs
 * between profiles is data (struct cli_syntax) plus three choices: who
 * reports option errors, when --output is checked, when --object acts.
 */
#include "options.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "help.h"
#include "size.h"

enum {
    OPTION_OUTPUT = 256,
    OPTION_OBJECT = 258,
    OPTION_IMAGE_OPTS = 259,
};

struct cli_syntax {
    const char *optstring;
    const struct option *longopts;
    bool silent;          /* getopt quiet (leading ':'): qemu-img reports */
    bool output_deferred; /* --output checked after the file-name check */
    bool object_deferred; /* --object acted on after the --output check */
    const char *try_tail; /* after "Try '<...> --help' for more " */
};

/* Upstream up to 10.0 and Debian 7.2: qemu-img.c img_map(). */
static const struct option longopts_c1[] = {
    {"help", no_argument, 0, 'h'},
    {"format", required_argument, 0, 'f'},
    {"output", required_argument, 0, OPTION_OUTPUT},
    {"object", required_argument, 0, OPTION_OBJECT},
    {"image-opts", no_argument, 0, OPTION_IMAGE_OPTS},
    {"force-share", no_argument, 0, 'U'},
    {"start-offset", required_argument, 0, 's'},
    {"max-length", required_argument, 0, 'l'},
    {0, 0, 0, 0}
};

/* 10.1's "map: refresh options/--help" reordered the table. */
static const struct option longopts_c2[] = {
    {"help", no_argument, 0, 'h'},
    {"format", required_argument, 0, 'f'},
    {"image-opts", no_argument, 0, OPTION_IMAGE_OPTS},
    {"start-offset", required_argument, 0, 's'},
    {"max-length", required_argument, 0, 'l'},
    {"force-share", no_argument, 0, 'U'},
    {"output", required_argument, 0, OPTION_OUTPUT},
    {"object", required_argument, 0, OPTION_OBJECT},
    {0, 0, 0, 0}
};

static const struct cli_syntax syntax_c0 = {
    ":f:s:l:hU", longopts_c1, true, true, true, "information",
};
static const struct cli_syntax syntax_c1 = {
    ":f:s:l:hU", longopts_c1, true, true, false, "information",
};
/* Debian's patch kept the old table order (glibc lists it on ambiguity). */
static const struct cli_syntax syntax_c1_deb = {
    "f:s:l:hU", longopts_c1, false, false, false, "info",
};
static const struct cli_syntax syntax_c2 = {
    "hf:s:l:U", longopts_c2, false, false, false, "information",
};

static const struct cli_syntax *syntax_for(enum cli_profile cli)
{
    switch (cli) {
    case CLI_C0: return &syntax_c0;
    case CLI_C1: return &syntax_c1;
    case CLI_C1_DEB: return &syntax_c1_deb;
    case CLI_C2: return &syntax_c2;
    }
    return &syntax_c2;
}

struct parse_state {
    const struct cli_syntax *syn;
    const char *prog;  /* "<prog>: " prefix */
    const char *cmd;   /* argv[0] of the sub-command, as glibc sees it */
    FILE *err;
};

/*
 * The "Try ..." line. C0/C1 name the program ("qemu-img", here prog);
 * C1-Deb and C2 name the command as invoked ("<argv0> map").
 */
static int try_help(const struct parse_state *st)
{
    fprintf(st->err, "Try '%s --help' for more %s\n",
            st->syn->silent ? st->prog : st->cmd, st->syn->try_tail);
    return 1;
}

/* error_exit(): "<prog>: <message>" and the Try line. */
static int usage_error(const struct parse_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const struct parse_state *st, const char *fmt, ...)
{
    va_list ap;
    fprintf(st->err, "%s: ", st->prog);
    va_start(ap, fmt);
    vfprintf(st->err, fmt, ap);
    va_end(ap);
    fputc('\n', st->err);
    return try_help(st);
}

static int refuse(const struct parse_state *st, const char *option)
{
    fprintf(st->err, "%s: %s is not supported by instar\n", st->prog, option);
    return 1;
}

/* C1-Deb and C2 parse_output_format(): wording differs by one comma. */
static int parse_output(const struct parse_state *st, const struct qemu_profile *p,
                        const char *arg, bool *json)
{
    if (strcmp(arg, "json") == 0) {
        *json = true;
        return 0;
    }
    if (strcmp(arg, "human") == 0) {
        *json = false;
        return 0;
    }
    if (p->cli == CLI_C1_DEB) {
        return usage_error(st, "--output expects 'human' or 'json' not '%s'",
                           arg);
    }
    return usage_error(st, "--output expects 'human' or 'json', not '%s'", arg);
}

/* C0/C1: the stored --output value, checked after the file name. */
static int check_deferred_output(const struct parse_state *st,
                                 const char *output, bool *json)
{
    if (!output || strcmp(output, "human") == 0) {
        return 0;
    }
    if (strcmp(output, "json") == 0) {
        *json = true;
        return 0;
    }
    fprintf(st->err, "%s: --output must be used with human or json as "
            "argument.\n", st->prog);
    return 1;
}

/* -s / -l; 1 after cvtnum's message. */
static int parse_size(const struct parse_state *st, const struct qemu_profile *p,
                      const char *name, const char *arg, int64_t *value)
{
    int64_t v = size_cvtnum(p, st->prog, name, arg, st->err);
    if (v < 0) {
        return 1;
    }
    *value = v;
    return 0;
}

/* The loop proper, over argv whose [0] is already the command name. */
static int parse_loop(int argc, char **argv, const struct parse_state *st,
                      const struct qemu_profile *p, struct map_options *o,
                      FILE *out)
{
    const struct cli_syntax *syn = st->syn;
    const char *output = NULL;
    bool image_opts = false, object = false;
    int status;

    optind = 0; /* full re-initialisation, as for a fresh process */
    opterr = 1;
    for (;;) {
        int c = getopt_long(argc, argv, syn->optstring, syn->longopts, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case ':': /* only with a silent optstring */
            return usage_error(st, "missing argument for option '%s'",
                               argv[optind - 1]);
        case '?':
            /* qemu-img quotes the whole argv element before optind. */
            if (syn->silent) {
                return usage_error(st, "unrecognized option '%s'",
                                   argv[optind - 1]);
            }
            return try_help(st);
        case 'h':
            help_map(out, st->prog, p->cli);
            return 0;
        case 'f':
            o->format = optarg;
            break;
        case 'U':
            o->force_share = true;
            break;
        case 's':
            status = parse_size(st, p, "start offset", optarg, &o->start);
            if (status) {
                return status;
            }
            break;
        case 'l':
            status = parse_size(st, p, "max length", optarg, &o->max_length);
            if (status) {
                return status;
            }
            break;
        case OPTION_OUTPUT:
            if (syn->output_deferred) {
                output = optarg;
            } else if (parse_output(st, p, optarg, &o->json)) {
                return 1;
            }
            break;
        case OPTION_OBJECT:
            /* From 6.0 qemu-img creates the object right here. */
            if (!syn->object_deferred) {
                return refuse(st, "--object");
            }
            object = true;
            break;
        case OPTION_IMAGE_OPTS:
            image_opts = true;
            break;
        }
    }
    if (optind != argc - 1) {
        return usage_error(st, "Expecting one image file name");
    }
    o->filename = argv[optind];
    if (syn->output_deferred && check_deferred_output(st, output, &o->json)) {
        return 1;
    }
    if (object) {
        return refuse(st, "--object");
    }
    /*
     * qemu-img acts on --image-opts when it opens the image, next; its
     * img_open() first rejects it together with -f.
     */
    if (image_opts && o->format) {
        fprintf(st->err, "%s: --image-opts and --format are mutually "
                "exclusive\n", st->prog);
        return 1;
    }
    if (image_opts) {
        return refuse(st, "--image-opts");
    }
    return -1;
}

int map_options_parse(int argc, char **argv, const char *prog,
                      const struct qemu_profile *p, struct map_options *o,
                      FILE *out, FILE *err)
{
    struct parse_state st = { syntax_for(p->cli), prog, NULL, err };
    char *cmd = NULL;

    memset(o, 0, sizeof(*o));
    o->max_length = -1;

    /*
     * qemu-img hands the command argv with [0] = "map" (C0/C1, visible in
     * "unrecognized option 'map'") or "<argv0> map" (C1-Deb, C2, visible
     * in glibc's messages). getopt permutes it, so it is a copy.
     */
    char **args = calloc((size_t)argc + 1, sizeof(*args));
    if (!args || (!st.syn->silent && asprintf(&cmd, "%s map", argv[0]) < 0)) {
        free(args);
        fprintf(err, "%s: out of memory\n", prog);
        return 1;
    }
    st.cmd = cmd ? cmd : "map";
    args[0] = (char *)st.cmd;
    for (int i = 1; i < argc; i++) {
        args[i] = argv[i];
    }

    int status = parse_loop(argc, args, &st, p, o, out);

    free(args);
    free(cmd);
    return status;
}
