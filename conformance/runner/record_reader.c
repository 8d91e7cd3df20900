/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reader of the record format of docs/conformance.md (see record_reader.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "record_reader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
    const char *path;
    int line;
    char *err;
    size_t errlen;
};

static int fail(struct reader *r, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(r->err, r->errlen, "%s:%d: ", r->path, r->line);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < r->errlen) {
        vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
    }
    va_end(ap);
    return -1;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("record_reader: out of memory\n", stderr);
        abort();
    }
    return p;
}

static char *xstrdup(const char *s)
{
    return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

static void bytes_add(struct record_bytes *b, const char *s, size_t n)
{
    b->data = xrealloc(b->data, b->len + n + 1);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* Appends the bytes of TEXT: \\ \t \n \xNN undone. */
static int unescape(struct reader *r, struct record_bytes *b, const char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (c == '\\') {
            c = *++s;
            if (c == '\\' || c == 't' || c == 'n') {
                c = c == 't' ? '\t' : c == 'n' ? '\n' : '\\';
            } else if (c == 'x' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
                c = (char)(hexval(s[1]) * 16 + hexval(s[2]));
                s += 2;
            } else {
                return fail(r, "bad escape");
            }
        }
        bytes_add(b, &c, 1);
    }
    if (!b->data) {
        bytes_add(b, "", 0);
    }
    return 0;
}

/* `TAG TEXT` or `TAG` (empty TEXT): the text after the tag, or NULL when
 * line is not that tag. */
static const char *payload(const char *line, const char *tag)
{
    size_t n = strlen(tag);
    if (strncmp(line, tag, n) != 0) {
        return NULL;
    }
    if (line[n] == '\0') {
        return line + n;
    }
    return line[n] == ' ' ? line + n + 1 : NULL;
}

static char **split_words(const char *s, size_t *count)
{
    char **w = NULL;
    *count = 0;
    while (*s) {
        size_t n = strcspn(s, " ");
        if (n) {
            w = xrealloc(w, (*count + 2) * sizeof(*w));
            w[(*count)++] = strndup(s, n);
            w[*count] = NULL;
        }
        s += n;
        s += *s == ' ';
    }
    return w;
}

static void free_words(char **w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(w[i]);
    }
    free(w);
}

static void case_free(struct record_case *c)
{
    free(c->id);
    free(c->format);
    free(c->output);
    free(c->tier);
    free(c->argv0);
    free(c->env);
    free_words(c->args, c->nargs);
    for (size_t i = 0; i < c->noutcomes; i++) {
        struct record_outcome *o = &c->outcomes[i];
        free_words(o->versions, o->nversions);
        free(o->out.data);
        free(o->err.data);
    }
    free(c->outcomes);
}

/* `case ID FORMAT OUTPUT [TIER]` */
static int case_begin(struct reader *r, struct record_case *c, const char *s)
{
    size_t n;
    char **w = split_words(s, &n);
    memset(c, 0, sizeof(*c));
    if (n < 3 || n > 4) {
        free_words(w, n);
        return fail(r, "case line needs ID FORMAT OUTPUT [TIER]");
    }
    c->id = w[0];
    c->format = w[1];
    c->output = w[2];
    c->tier = n == 4 ? w[3] : NULL;
    free(w);
    return 0;
}

/* One line inside a case; *done at `end`. */
static int case_line(struct reader *r, struct record_case *c, const char *line,
                     bool *done)
{
    struct record_outcome *o = c->noutcomes ? &c->outcomes[c->noutcomes - 1]
                                            : NULL;
    const char *s;
    bool ends = strcmp(line, "end") == 0;
    if ((ends || payload(line, "versions")) && o && o->status < 0) {
        return fail(r, "an outcome of case %s has no status", c->id);
    }
    if (ends) {
        if (!c->noutcomes) {
            return fail(r, "case %s has no outcome", c->id);
        }
        *done = true;
        return 0;
    }
    if (line[0] == '$') {
        return 0; /* the command, for people */
    }
    if ((s = payload(line, "versions"))) {
        c->outcomes = xrealloc(c->outcomes,
                               (c->noutcomes + 1) * sizeof(*c->outcomes));
        o = &c->outcomes[c->noutcomes++];
        memset(o, 0, sizeof(*o));
        o->versions = split_words(s, &o->nversions);
        o->status = -1;
        bytes_add(&o->out, "", 0);
        bytes_add(&o->err, "", 0);
        return o->nversions ? 0 : fail(r, "versions without a version");
    }
    if (o) {
        if ((s = payload(line, "status"))) {
            char *end;
            long v = strtol(s, &end, 10);
            if (!*s || *end || v < 0 || v > 255) {
                return fail(r, "bad status");
            }
            o->status = (int)v;
            return 0;
        }
        struct record_bytes *b = strncmp(line, "out", 3) == 0 ? &o->out
                               : strncmp(line, "err", 3) == 0 ? &o->err : NULL;
        if (b && (line[3] == '|' || line[3] == '/')) {
            char tag[5] = { line[0], line[1], line[2], line[3], 0 };
            if (!(s = payload(line, tag))) {
                return fail(r, "bad stream line");
            }
            if (unescape(r, b, s) < 0) {
                return -1;
            }
            if (line[3] == '|') {
                bytes_add(b, "\n", 1);
            }
            return 0;
        }
        return fail(r, "unknown line in an outcome");
    }
    struct record_bytes v = { NULL, 0 };
    if ((s = payload(line, "arg"))) {
        if (unescape(r, &v, s) < 0) {
            return -1;
        }
        c->args = xrealloc(c->args, (c->nargs + 2) * sizeof(*c->args));
        c->args[c->nargs++] = v.data;
        c->args[c->nargs] = NULL;
        return 0;
    }
    char **field = payload(line, "argv0") ? &c->argv0
                 : payload(line, "env") ? &c->env : NULL;
    if (!field) {
        return fail(r, "unknown line in a case");
    }
    if (*field) {
        return fail(r, "repeated line");
    }
    if (unescape(r, &v, strchr(line, ' ') ? strchr(line, ' ') + 1 : "") < 0) {
        return -1;
    }
    *field = v.data;
    return 0;
}

/* Calls fn for each line of r->path (without its LF), r->line counting,
 * until fn fails; then end(ctx) if it got through. */
static int read_lines(struct reader *r,
                      int (*fn)(struct reader *, const char *, void *),
                      int (*end)(struct reader *, void *), void *ctx)
{
    FILE *in = fopen(r->path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int rc = 0;

    if (!in) {
        return fail(r, "%s", strerror(errno));
    }
    while (rc == 0 && (got = getline(&line, &cap, in)) >= 0) {
        r->line++;
        if (got > 0 && line[got - 1] == '\n') {
            line[--got] = '\0';
        }
        rc = fn(r, line, ctx);
    }
    free(line);
    fclose(in);
    return rc == 0 && end ? end(r, ctx) : rc;
}

struct file_state {
    struct record_file *f;
    struct record_case *c; /* the case being read, not yet counted */
    size_t alloc;
};

static int file_line(struct reader *r, const char *line, void *ctx)
{
    struct file_state *st = ctx;
    struct record_file *f = st->f;
    if (st->c) {
        bool done = false;
        if (case_line(r, st->c, line, &done) < 0) {
            return -1;
        }
        if (done) {
            if (!st->c->argv0) {
                st->c->argv0 = xstrdup("qemu-img");
            }
            f->count++;
            st->c = NULL;
        }
        return 0;
    }
    if (payload(line, "case")) {
        if (f->count == st->alloc) {
            st->alloc = st->alloc ? st->alloc * 2 : 64;
            f->cases = xrealloc(f->cases, st->alloc * sizeof(*f->cases));
        }
        st->c = &f->cases[f->count];
        if (case_begin(r, st->c, payload(line, "case")) < 0) {
            st->c = NULL;
            return -1;
        }
        return 0;
    }
    if (line[0] != '#' && line[0] != '\0') {
        return fail(r, "line outside a case");
    }
    return 0;
}

static int file_end(struct reader *r, void *ctx)
{
    struct file_state *st = ctx;
    return st->c ? fail(r, "case %s has no end", st->c->id) : 0;
}

int record_file_load(const char *path, struct record_file *f, char *err,
                     size_t errlen)
{
    struct reader r = { path, 0, err, errlen };
    struct file_state st = { f, NULL, 0 };

    memset(f, 0, sizeof(*f));
    if (read_lines(&r, file_line, file_end, &st) < 0) {
        if (st.c) {
            case_free(st.c);
        }
        record_file_free(f);
        return -1;
    }
    return 0;
}

void record_file_free(struct record_file *f)
{
    for (size_t i = 0; i < f->count; i++) {
        case_free(&f->cases[i]);
    }
    free(f->cases);
    memset(f, 0, sizeof(*f));
}

const struct record_case *record_find(const struct record_file *f,
                                      const char *id)
{
    for (size_t i = 0; i < f->count; i++) {
        if (strcmp(f->cases[i].id, id) == 0) {
            return &f->cases[i];
        }
    }
    return NULL;
}

const struct record_outcome *record_outcome_of(const struct record_case *c,
                                               const char *version)
{
    for (size_t i = 0; i < c->noutcomes; i++) {
        for (size_t j = 0; j < c->outcomes[i].nversions; j++) {
            if (strcmp(c->outcomes[i].versions[j], version) == 0) {
                return &c->outcomes[i];
            }
        }
    }
    return NULL;
}

static int versions_line(struct reader *r, const char *line, void *ctx)
{
    struct record_versions *vs = ctx;
    if (line[0] == '#' || line[0] == '\0') {
        return 0;
    }
    const char *t1 = strchr(line, '\t');
    const char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (!t2 || strchr(t2 + 1, '\t')) {
        return fail(r, "want NAME<TAB>VERSION LINE<TAB>BINARY");
    }
    vs->v = xrealloc(vs->v, (vs->count + 1) * sizeof(*vs->v));
    struct record_version *v = &vs->v[vs->count++];
    v->name = strndup(line, (size_t)(t1 - line));
    v->compat = strndup(t1 + 1, (size_t)(t2 - t1 - 1));
    v->binary = xstrdup(t2 + 1);
    return 0;
}

int record_versions_load(const char *path, struct record_versions *vs,
                         char *err, size_t errlen)
{
    struct reader r = { path, 0, err, errlen };

    memset(vs, 0, sizeof(*vs));
    if (read_lines(&r, versions_line, NULL, vs) < 0) {
        record_versions_free(vs);
        return -1;
    }
    return 0;
}

void record_versions_free(struct record_versions *vs)
{
    for (size_t i = 0; i < vs->count; i++) {
        free(vs->v[i].name);
        free(vs->v[i].compat);
        free(vs->v[i].binary);
    }
    free(vs->v);
    memset(vs, 0, sizeof(*vs));
}

int record_runs_load(const char *versions_tsv, const char *records,
                     struct record_runs *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    if (record_versions_load(versions_tsv, &r->versions, err, errlen) < 0) {
        return -1;
    }
    if (record_file_load(records, &r->file, err, errlen) < 0) {
        record_versions_free(&r->versions);
        return -1;
    }
    r->runs = xrealloc(NULL, r->versions.count * r->file.count *
                                 sizeof(*r->runs));
    for (size_t i = 0; i < r->versions.count; i++) {
        for (size_t k = 0; k < r->file.count; k++) {
            const struct record_case *c = &r->file.cases[k];
            const struct record_outcome *o =
                record_outcome_of(c, r->versions.v[i].name);
            if (!o) {
                snprintf(err, errlen, "%s: case %s has no outcome for %s",
                         records, c->id, r->versions.v[i].name);
                record_runs_free(r);
                return -1;
            }
            r->runs[r->count++] = (struct record_run){ &r->versions.v[i], c, o };
        }
    }
    return 0;
}

void record_runs_free(struct record_runs *r)
{
    free(r->runs);
    record_file_free(&r->file);
    record_versions_free(&r->versions);
    memset(r, 0, sizeof(*r));
}
