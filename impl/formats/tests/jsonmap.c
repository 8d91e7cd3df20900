/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Map walks rendered by instar's renderer, and real qemu-img runs, for tests. */
#include "jsonmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "filedev.h"
#include "instar_abi.h"
#include "map_words.h"
#include "meta_cache.h"
#include "render.h"
#include "result_text.h"

/* The renderer's view of one merged extent of the format library. */
static struct map_entry_view entry_view(const struct map_extent *e)
{
    return (struct map_entry_view){
        .start = e->start,
        .length = e->length,
        .depth = e->depth,
        .present = e->present,
        .zero = e->zero,
        .data = e->data,
        .compressed = e->compressed,
        .has_offset = e->has_offset,
        .offset = e->offset,
    };
}

static int render_extent(void *ctx, const struct map_extent *e,
                         struct map_error *err)
{
    struct map_entry_view v = entry_view(e);

    (void)err;
    render_entry(ctx, &v); /* JSON output takes every entry */
    return 0;
}

/*
 * The release's behaviour in the format library's terms, through the
 * guest's own translation (guest/map_words.c): no second copy of what a
 * profile means.
 */
static void words_for(const struct qemu_profile *p, struct open_ctx *ctx,
                      struct map_request *rq)
{
    if (!words_vhd_size_rule_in(p->vhd_size_rule, &ctx->vhd_size_rule) ||
        !words_driver_rules_in(p->driver_rules, &ctx->driver_rules) ||
        !words_merge_keys_in(p->merge_keys, &rq->merge_keys))
        abort(); /* profile.c's table holds protocol values only */
}

/* Prints a failed run's line as instar's host does (result_text.c). */
static void print_error(FILE *errf, const char *path,
                        const struct map_error *err)
{
    struct result_text rt = {
        .prog = "qemu-img", .image = path, .path = path,
        .kind = words_result_out(err->kind), .errnum = err->errnum,
        .text = err->msg,
    };
    result_print(errf, &rt);
}

struct json_result instar_map_file(const char *path, enum image_format fmt,
                                   int64_t start, int64_t max_length,
                                   const struct qemu_profile *prof)
{
    struct json_result res = {NULL, NULL, 0, 0, 0, 0, 0};
    size_t out_len = 0, err_len = 0;
    FILE *out = open_memstream(&res.out, &out_len);
    FILE *errf = open_memstream(&res.err, &err_len);
    struct map_request rq = {start, max_length, 0};
    struct render_ctx r;
    size_t arena_size = GUEST_ARENA_SIZE;
    void *mem = aligned_alloc(16, arena_size);
    struct map_error err;
    struct open_ctx ctx;
    struct meta_cache cache;
    struct arena arena;
    struct filedev f;
    struct node *top;
    int rc;

    memset(&ctx, 0, sizeof(ctx));
    words_for(prof, &ctx, &rq);
    render_init(&r, out, errf, "qemu-img", prof, false);
    memset(&err, 0, sizeof(err));
    rc = filedev_open(&f, path);
    if (rc < 0) {
        map_fail(&err, MAP_ERR_OPEN_ERRNO, -rc, "%s", map_strerror(-rc));
        print_error(errf, path, &err);
        res.status = 1;
        goto done;
    }
    f.log = errf;
    arena_init(&arena, mem, arena_size);
    ctx.io = &f.io;
    ctx.arena = &arena;
    ctx.filename = path;
    memset(&cache, 0, sizeof(cache));
    ctx.cache = &cache;
    top = image_open(&ctx, 0, fmt, &err);
    if (!top) {
        /* qemu-img map prints its header before blk_getlength(). */
        if (err.kind == MAP_ERR_LENGTH)
            render_begin(&r);
        print_error(errf, path, &err);
        res.status = 1;
        filedev_close(&f);
        goto done;
    }
    render_begin(&r);
    rc = map_image(top, &rq, render_extent, &r, &err);
    if (rc < 0) {
        render_abort(&r);
        print_error(errf, path, &err);
        res.status = 1;
    } else {
        render_finish(&r);
    }
    res.reads = f.reads;
    res.seeks = f.seeks;
    res.bytes_read = f.bytes_read;
    res.arena_used = arena.used;
    filedev_close(&f);
done:
    fclose(out);
    fclose(errf);
    free(mem);
    return res;
}

static char *slurp(FILE *f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[4096];
    size_t n;

    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(m);
    return buf;
}

struct json_result qemu_map(const char *qemu_img, const char *args)
{
    struct json_result res = {NULL, NULL, 0, 0, 0, 0, 0};
    char errpath[] = "/tmp/instar-qemu-err.XXXXXX";
    int efd = mkstemp(errpath);
    char *cmd = NULL;
    FILE *p, *e;
    int st;

    if (asprintf(&cmd, "%s map --output=json %s 2>%s", qemu_img, args,
                 errpath) < 0)
        abort();
    p = popen(cmd, "r");
    res.out = slurp(p);
    st = pclose(p);
    res.status = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
    e = fdopen(efd, "r");
    res.err = slurp(e);
    fclose(e);
    unlink(errpath);
    free(cmd);
    return res;
}

void json_result_free(struct json_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

bool qemu_profile(const char *qemu_img, struct qemu_profile *out)
{
    char *cmd = NULL, *line = NULL;
    size_t cap = 0;
    bool ok = false;
    FILE *p;

    if (asprintf(&cmd, "%s --version", qemu_img) < 0)
        abort();
    p = popen(cmd, "r");
    if (p && getline(&line, &cap, p) > 0)
        ok = profile_from_compat(line, out) == 0;
    if (p)
        pclose(p);
    free(line);
    free(cmd);
    return ok;
}

bool have_program(const char *path)
{
    return access(path, X_OK) == 0;
}

static const char *format_arg(enum image_format fmt)
{
    switch (fmt) {
    case FMT_RAW:
        return "-f raw";
    case FMT_QCOW2:
        return "-f qcow2";
    case FMT_FILE:
        return "-f file";
    case FMT_VMDK:
        return "-f vmdk";
    case FMT_VPC:
        return "-f vpc";
    case FMT_VHDX:
        return "-f vhdx";
    default:
        return "";
    }
}

bool same_as_qemu(const char *qemu_img, const char *path,
                  enum image_format fmt, int64_t start, int64_t max_length)
{
    char args[1024], len[64] = "";
    struct qemu_profile prof;
    struct json_result q, m;
    bool same;

    if (max_length >= 0)
        snprintf(len, sizeof(len), "-l %lld", (long long)max_length);
    snprintf(args, sizeof(args), "%s -s %lld %s '%s'", format_arg(fmt),
             (long long)start, len, path);
    if (!qemu_profile(qemu_img, &prof)) {
        fprintf(stderr, "%s: cannot tell its release\n", qemu_img);
        return false;
    }
    q = qemu_map(qemu_img, args);
    m = instar_map_file(path, fmt, start, max_length, &prof);
    same = q.status == m.status && strcmp(q.out, m.out) == 0 &&
           strcmp(q.err, m.err) == 0;
    if (!same)
        fprintf(stderr, "map %s differs:\nqemu-img (%d):\n%s%s\n"
                "instar (%d):\n%s%s\n", args, q.status, q.out, q.err,
                m.status, m.out, m.err);
    json_result_free(&q);
    json_result_free(&m);
    return same;
}
