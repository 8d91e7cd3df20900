/*
 * Reader for expectations.txt: what real qemu-img binaries printed for
 * `qemu-img map ARGS` (written by gen_expectations.py, which documents
 * the format and how each binary was run).
 */
#ifndef INSTAR_CLI_TESTS_EXPECTATIONS_H
#define INSTAR_CLI_TESTS_EXPECTATIONS_H

#include <stddef.h>

struct bytes {
    char *data; /* NUL-terminated as well */
    size_t len;
};

struct expect_case {
    int id;
    char *compat;     /* first line of that binary's --version */
    char *argv0;      /* argv[0] the binary ran with */
    char *env;        /* "NAME=value" set for the run, or NULL */
    int nargs;
    char **args;      /* map's arguments */
    int status;
    struct bytes out, err;
};

struct expectations {
    struct expect_case *cases;
    size_t count;
};

/* Loads path; aborts with a message on a malformed file. */
void expectations_load(const char *path, struct expectations *e);
void expectations_free(struct expectations *e);

#endif
