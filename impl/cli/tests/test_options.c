/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * map_options_parse() against real qemu-img: every run recorded in
 * baselines/units (each case, for each binary) is replayed with the
 * profile of the binary that produced it (its --version line), and the
 * bytes must match.
 *
 * A case either stopped inside qemu-img's option handling (help, or a
 * usage/size/--output error), and then status, stdout and stderr must be
 * identical; or qemu-img went on to open the image, and then instar must
 * go on too (status -1), having written only what qemu-img wrote before
 * (the 7.2 hex warning), or refuse --object/--image-opts at that point.
 * When the image is empty.raw or sparse.raw the map itself is simple
 * enough to rebuild with the renderer, which checks the parsed values.
 *
 * Name substitution: C0/C1 print a literal "qemu-img" in the Try line and
 * help texts print "qemu-img map"; instar prints its own name there.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "help.h"
#include "options.h"
#include "profile.h"
#include "record_reader.h"
#include "render.h"

struct parse_run {
    int argc;
    char **argv;
    const char *prog;
    const struct qemu_profile *p;
    struct map_options o;
};

static int do_parse(void *ctx, FILE *out, FILE *err)
{
    struct parse_run *r = ctx;
    return map_options_parse(r->argc, r->argv, r->prog, r->p, &r->o, out, err);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* s with every `from` replaced by `to` (malloc'd). */
static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), n = 0;
    for (const char *p = strstr(s, from); p; p = strstr(p + fl, from)) {
        n++;
    }
    char *res = malloc(strlen(s) + n * (tl + 1) + 1), *w = res;
    const char *p;
    while ((p = strstr(s, from))) {
        memcpy(w, s, (size_t)(p - s));
        w += p - s;
        memcpy(w, to, tl);
        w += tl;
        s = p + fl;
    }
    strcpy(w, s);
    return res;
}

/* The expected bytes with instar's program name where qemu-img's is fixed. */
static char *with_prog(const char *text, const char *prog)
{
    char try_from[] = "Try 'qemu-img --help'";
    char try_to[256], help_to[256];
    snprintf(try_to, sizeof(try_to), "Try '%s --help'", prog);
    snprintf(help_to, sizeof(help_to), "  %s map ", prog);
    char *a = replace_all(text, try_from, try_to);
    char *b = replace_all(a, "  qemu-img map ", help_to);
    free(a);
    return b;
}

static char *args_text(const struct record_case *c)
{
    size_t len = 1;
    for (size_t i = 0; i < c->nargs; i++) {
        len += strlen(c->args[i]) + 3;
    }
    char *s = calloc(1, len);
    for (size_t i = 0; i < c->nargs; i++) {
        strcat(s, "'");
        strcat(s, c->args[i]);
        strcat(s, "' ");
    }
    return s;
}

static bool qemu_stopped_in_parsing(const struct record_outcome *o)
{
    if (o->status == 0) {
        return starts_with(o->out.data, "qemu-img version") ||
               starts_with(o->out.data, "Usage:");
    }
    return strstr(o->err.data, "Try '") ||
           strstr(o->err.data, "Invalid start offset") ||
           strstr(o->err.data, "Invalid max length") ||
           strstr(o->err.data, "--output must be used") ||
           strstr(o->err.data, "--image-opts and --format are mutually");
}

static char *render_help_instar(const char *prog)
{
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    help_instar(f, prog);
    fclose(f);
    return buf;
}

/*
 * What qemu-img prints for empty.raw (0 bytes) or sparse.raw (1 MiB, all
 * hole): one hole entry from --start-offset to the end (clipped by
 * --max-length, with qemu's wrapping int64 sum), or the zero-length entry.
 */
static char *simulate_map(const struct map_options *o,
                          const struct qemu_profile *p)
{
    int64_t end = strcmp(o->filename, "sparse.raw") == 0 ? 1 << 20 : 0;
    if (o->max_length != -1) {
        int64_t lim = (int64_t)((uint64_t)o->start + (uint64_t)o->max_length);
        if (lim < end) {
            end = lim;
        }
    }
    struct map_entry_view e = { .start = (uint64_t)o->start };
    if (o->start < end) {
        e.length = (uint64_t)(end - o->start);
        e.present = e.zero = e.has_offset = true;
        e.offset = (uint64_t)o->start;
    }
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    struct render_ctx r;
    render_init(&r, f, stderr, "qemu-img", p, !o->json);
    render_begin(&r);
    render_entry(&r, &e);
    render_finish(&r);
    fclose(f);
    return buf;
}

static bool simulatable(const struct record_outcome *q,
                        const struct map_options *o)
{
    return q->status == 0 &&
           (strcmp(o->filename, "empty.raw") == 0 ||
            strcmp(o->filename, "sparse.raw") == 0) &&
           (!o->format || strcmp(o->format, "raw") == 0);
}

struct tally {
    int exact, help, proceeded, simulated, refused;
};

static void check_case(const struct record_run *r, struct tally *t)
{
    const struct record_case *c = r->c;
    const struct record_outcome *q = r->o;
    struct qemu_profile p;
    cr_assert_eq(profile_from_compat(r->version->compat, &p), 0,
                 "case %s: compat %s", c->id, r->version->compat);

    const char *prog = base_name(c->argv0);
    char **argv = calloc((size_t)c->nargs + 2, sizeof(char *));
    argv[0] = c->argv0;
    for (size_t i = 0; i < c->nargs; i++) {
        argv[i + 1] = c->args[i];
    }
    struct parse_run run = { (int)c->nargs + 1, argv, prog, &p, { 0 } };
    char *env_name = NULL;
    if (c->env) {
        env_name = strndup(c->env, strcspn(c->env, "="));
        setenv(env_name, strchr(c->env, '=') + 1, 1);
    }
    struct capture got = { 0 };
    int status = capture_run(do_parse, &run, &got);
    if (env_name) {
        unsetenv(env_name);
        free(env_name);
    }

    char *what = args_text(c);
    char *want_out = with_prog(q->out.data, prog);
    char *want_err = with_prog(q->err.data, prog);

    if (qemu_stopped_in_parsing(q)) {
        cr_expect_eq(status, q->status, "case %s (%s, %s): status %d, want %d",
                     c->id, p.name, what, status, q->status);
        cr_expect_str_eq(got.err, want_err, "case %s (%s, %s): stderr",
                         c->id, p.name, what);
        if (starts_with(q->out.data, "qemu-img version")) {
            /* C0/C1 print qemu-img's global help; instar prints its own. */
            char *help = render_help_instar(prog);
            cr_expect_str_eq(got.out, help, "case %s: instar help", c->id);
            free(help);
            t->help++;
        } else {
            cr_expect_str_eq(got.out, want_out, "case %s (%s, %s): stdout",
                             c->id, p.name, what);
            t->exact++;
        }
    } else if (status == 1 && ends_with(got.err, "is not supported by instar\n")) {
        /* refused where qemu-img would act on --object / --image-opts */
        const char *line = strrchr(got.err, '\n');
        while (line > got.err && line[-1] != '\n') {
            line--;
        }
        cr_expect(strstr(line, "--object") || strstr(line, "--image-opts"),
                  "case %s: refusal names the option", c->id);
        cr_expect(strncmp(got.err, want_err, (size_t)(line - got.err)) == 0,
                  "case %s (%s, %s): output before the refusal", c->id,
                  p.name, what);
        cr_expect_eq(got.out_len, 0, "case %s: stdout", c->id);
        t->refused++;
    } else {
        cr_expect_eq(status, -1, "case %s (%s, %s): status %d, qemu-img "
                     "went on to open the image", c->id, p.name, what, status);
        cr_expect_eq(got.out_len, 0, "case %s: stdout", c->id);
        cr_expect(starts_with(want_err, got.err),
                  "case %s (%s, %s): stderr '%s' not a prefix of '%s'", c->id,
                  p.name, what, got.err, want_err);
        if (status == -1 && simulatable(q, &run.o)) {
            char *map = simulate_map(&run.o, &p);
            cr_expect_str_eq(map, want_out, "case %s (%s, %s): map output",
                             c->id, p.name, what);
            cr_expect_str_eq(got.err, want_err, "case %s: stderr", c->id);
            free(map);
            t->simulated++;
        }
        t->proceeded++;
    }
    free(what);
    free(want_out);
    free(want_err);
    capture_free(&got);
    free(argv);
}

Test(options, matches_real_qemu_img)
{
    struct record_runs rr;
    struct tally t = { 0 };
    char err[512];
    cr_assert_eq(record_runs_load(CLI_UNITS_VERSIONS, CLI_UNITS, &rr, err,
                                  sizeof(err)), 0, "%s", err);
    cr_assert_gt(rr.count, 1000);
    for (size_t i = 0; i < rr.count; i++) {
        check_case(&rr.runs[i], &t);
    }
    cr_log_info("%zu qemu-img runs: %d byte-exact parse results, %d C0/C1 "
                "help, %d proceeded (%d maps rebuilt), %d refusals",
                rr.count, t.exact, t.help, t.proceeded, t.simulated, t.refused);
    record_runs_free(&rr);
}

/* Parses map ARGS... under the given compat; returns the status. */
static int parse(const char *compat, struct map_options *o, struct capture *c,
                 int argc, const char **args)
{
    struct qemu_profile p;
    cr_assert_eq(profile_from_compat(compat, &p), 0);
    char **argv = calloc((size_t)argc + 2, sizeof(char *));
    argv[0] = (char *)"/usr/bin/instar";
    for (int i = 0; i < argc; i++) {
        argv[i + 1] = (char *)args[i];
    }
    struct parse_run run = { argc + 1, argv, "instar", &p, { 0 } };
    int status = capture_run(do_parse, &run, c);
    *o = run.o;
    free(argv);
    return status;
}

#define PARSE(compat, o, c, ...)                                         \
    parse(compat, o, c, sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *), \
          (const char *[]){__VA_ARGS__})

static const char *const every_profile[] = {
    "5.2", "7.2", "8.0", "9.2",
    "qemu-img version 10.0.13 (Debian 1:10.0.13+ds-0+deb13u1)", "11.1",
};

Test(options, values_after_permutation_and_repeats)
{
    for (size_t i = 0; i < sizeof(every_profile) / sizeof(*every_profile); i++) {
        struct map_options o;
        struct capture c = { 0 };
        int st = PARSE(every_profile[i], &o, &c, "img", "-f", "qcow2", "-l",
                       "4k", "-U", "--output=json", "-s", "1k", "-f", "raw");
        cr_expect_eq(st, -1, "%s", every_profile[i]);
        cr_expect_str_eq(o.filename, "img");
        cr_expect_str_eq(o.format, "raw");
        cr_expect(o.json && o.force_share);
        cr_expect_eq(o.start, 1024);
        cr_expect_eq(o.max_length, 4096);
        capture_free(&c);
    }
}

Test(options, defaults)
{
    struct map_options o;
    struct capture c = { 0 };
    cr_expect_eq(PARSE("11.1", &o, &c, "--", "-img"), -1);
    cr_expect_str_eq(o.filename, "-img");
    cr_expect_null(o.format);
    cr_expect(!o.json && !o.force_share);
    cr_expect_eq(o.start, 0);
    cr_expect_eq(o.max_length, -1);
    capture_free(&c);
}

/* instar's own refusals (no qemu-img counterpart to compare with). */
Test(options, refusals)
{
    struct map_options o;
    struct capture c = { 0 };
    cr_expect_eq(PARSE("11.1", &o, &c, "--image-opts",
                       "driver=raw,file.filename=x"), 1);
    cr_expect_str_eq(c.err, "instar: --image-opts is not supported by instar\n");
    capture_free(&c);
    cr_expect_eq(PARSE("7.2", &o, &c, "--object", "help"), 1);
    cr_expect_str_eq(c.err, "instar: --object is not supported by instar\n");
    capture_free(&c);
    /* 5.2 acts on --object after the file-name check */
    cr_expect_eq(PARSE("5.2", &o, &c, "--object", "help"), 1);
    cr_expect_str_eq(c.err, "instar: Expecting one image file name\n"
                     "Try 'instar --help' for more information\n");
    capture_free(&c);
    cr_expect_eq(PARSE("5.2", &o, &c, "--object", "x", "img"), 1);
    cr_expect_str_eq(c.err, "instar: --object is not supported by instar\n");
    capture_free(&c);
}

Test(options, help_goes_to_out)
{
    struct map_options o;
    struct capture c = { 0 };
    cr_expect_eq(PARSE("11.1", &o, &c, "--help"), 0);
    cr_expect(starts_with(c.out, "Usage:\n  instar map [-f FMT | --image-opts]\n"));
    cr_expect(ends_with(c.out, "     with --image-opts, to operate on\n\n"));
    cr_expect_eq(c.err_len, 0);
    capture_free(&c);
}
