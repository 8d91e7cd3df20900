/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "capture.h"

#include <stdlib.h>
#include <unistd.h>

static char *slurp(FILE *f, size_t *len)
{
    fflush(f);
    long n = ftell(f);
    char *buf = malloc((size_t)n + 1);
    rewind(f);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    return buf;
}

int capture_run(capture_fn fn, void *ctx, struct capture *c)
{
    FILE *out = open_memstream(&c->out, &c->out_len);
    FILE *tmp = tmpfile();
    if (!out || !tmp) {
        abort();
    }
    fflush(stderr);
    int saved = dup(2);
    if (saved < 0 || dup2(fileno(tmp), 2) < 0) {
        abort();
    }
    int ret = fn(ctx, out, stderr);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(out);
    fseek(tmp, 0, SEEK_END);
    c->err = slurp(tmp, &c->err_len);
    fclose(tmp);
    return ret;
}

void capture_free(struct capture *c)
{
    free(c->out);
    free(c->err);
}
