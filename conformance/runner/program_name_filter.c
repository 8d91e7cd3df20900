/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * program_name_filter: the conformance runner's program-name rule
 * (program_name.c) as a filter, stdin to stdout, for the CTest that
 * checks the Python copy against it (program_name/c_vs_python).
 */
#include "program_name.h"

#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    size_t len = 0, cap = 65536, n;
    char *in = malloc(cap);
    while (in && (n = fread(in + len, 1, cap - len, stdin)) > 0) {
        len += n;
        if (len == cap) {
            char *bigger = realloc(in, cap *= 2);
            if (!bigger) {
                free(in);
            }
            in = bigger;
        }
    }
    if (!in || ferror(stdin)) {
        fputs("program_name_filter: cannot read stdin\n", stderr);
        return 2;
    }
    size_t out_len;
    char *out = program_name_apply(in, len, &out_len);
    if (!out || fwrite(out, 1, out_len, stdout) != out_len || fflush(stdout)) {
        fputs("program_name_filter: cannot write stdout\n", stderr);
        return 2;
    }
    free(out);
    free(in);
    return 0;
}
