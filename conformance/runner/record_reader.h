/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reader of recorded qemu-img outcomes: the record files and versions.tsv
 * that baselines/records.py writes (format: docs/conformance.md). The one
 * reader of that format, shared by conformance_runner (one case, one
 * version per test) and the CLI unit tests (every case of
 * baselines/units, in-process).
 *
 * Loaders return 0, or -1 with a message "PATH:LINE: what" in err.
 */
#ifndef INSTAR_RECORD_READER_H
#define INSTAR_RECORD_READER_H

#include <stddef.h>

struct record_bytes {
    char *data; /* NUL-terminated as well */
    size_t len;
};

/* One distinct outcome and the versions that produced it. */
struct record_outcome {
    char **versions;
    size_t nversions;
    int status;
    struct record_bytes out, err;
};

struct record_case {
    char *id, *format, *output;
    char *tier;     /* NULL for the default tier ("safe") */
    char *argv0;    /* argv[0] of the run: "qemu-img" unless recorded */
    char *env;      /* "NAME=value" set for the run, or NULL */
    char **args;    /* map's arguments, NULL-terminated */
    size_t nargs;
    struct record_outcome *outcomes;
    size_t noutcomes;
};

struct record_file {
    struct record_case *cases;
    size_t count;
};

int record_file_load(const char *path, struct record_file *f, char *err,
                     size_t errlen);
void record_file_free(struct record_file *f);

/* The case with this id, or NULL. */
const struct record_case *record_find(const struct record_file *f,
                                      const char *id);

/* The outcome stored for version, or NULL. */
const struct record_outcome *record_outcome_of(const struct record_case *c,
                                               const char *version);

/* versions.tsv: one row per version. */
struct record_version {
    char *name;
    char *compat; /* first line of that binary's `qemu-img --version` */
    char *binary;
};

struct record_versions {
    struct record_version *v;
    size_t count;
};

int record_versions_load(const char *path, struct record_versions *vs,
                         char *err, size_t errlen);
void record_versions_free(struct record_versions *vs);

/* One (version, case) run: what that version printed for that case. */
struct record_run {
    const struct record_version *version;
    const struct record_case *c;
    const struct record_outcome *o;
};

/* A record file with its versions.tsv, expanded into runs: version by
 * version in versions.tsv order, each in file order. */
struct record_runs {
    struct record_versions versions;
    struct record_file file;
    struct record_run *runs;
    size_t count;
};

/* Fails also when a case has no outcome for one of the versions. */
int record_runs_load(const char *versions_tsv, const char *records,
                     struct record_runs *r, char *err, size_t errlen);
void record_runs_free(struct record_runs *r);

#endif
