/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `instar map` after option parsing: open the image read-only, boot the
 * guest with the map configuration, and stream its messages through
 * guest_stream into the renderer. The host only opens, fstats, copies
 * bytes and asks about holes; the guest does all the parsing.
 */
#include "run_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_decode.h"
#include "guest_stream.h"
#include "instar_map.h"
#include "output.h"
#include "render.h"
#include "result_text.h"
#include "vmm.h"

#define DEFAULT_TOTAL_SECONDS 3600
#define DEFAULT_IDLE_SECONDS 30

/* The -f values instar maps, as protocol words for the guest. */
static const struct {
    const char *name;
    enum instar_format fmt;
} formats[] = {
    { "raw", INSTAR_FORMAT_RAW },   { "qcow2", INSTAR_FORMAT_QCOW2 },
    { "vmdk", INSTAR_FORMAT_VMDK }, { "vpc", INSTAR_FORMAT_VPC },
    { "vhdx", INSTAR_FORMAT_VHDX }, { "file", INSTAR_FORMAT_FILE },
};

/* -1: unknown to the release; -2: known to it, not a format instar maps. */
static int format_from_name(const struct qemu_profile *p, const char *name,
                            enum instar_format *out)
{
    if (!name) {
        *out = INSTAR_FORMAT_PROBE;
        return 0;
    }
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (!strcmp(name, formats[i].name)) {
            *out = formats[i].fmt;
            return 0;
        }
    }
    return profile_knows_driver(p, name) ? -2 : -1;
}

#define MAX_ENV_SECONDS 86400

/* instar's time limits from the environment; 1 after a message if invalid. */
static int env_limits(unsigned *total, unsigned *idle, const char *prog)
{
    return instar_env_seconds("INSTAR_TIMEOUT_SECONDS",
                              getenv("INSTAR_TIMEOUT_SECONDS"),
                              DEFAULT_TOTAL_SECONDS, MAX_ENV_SECONDS, total,
                              prog, stderr) ||
           instar_env_seconds("INSTAR_IDLE_SECONDS",
                              getenv("INSTAR_IDLE_SECONDS"),
                              DEFAULT_IDLE_SECONDS, MAX_ENV_SECONDS, idle,
                              prog, stderr);
}

/* "<prog>: Could not open '<image>': <what>", the host's own open errors. */
static void __attribute__((format(printf, 3, 4)))
open_error(const char *prog, const char *shown, const char *fmt, ...)
{
    /* Whole, however long the name the user gave: no fixed buffer. */
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (text) {
        va_start(ap, fmt);
        vsnprintf(text, (size_t)len + 1, fmt, ap);
        va_end(ap);
    }
    struct result_text rt = { .prog = prog, .image = shown,
                              .kind = INSTAR_RESULT_OPEN,
                              .text = text ? text : "out of memory" };
    result_print(stderr, &rt);
    free(text);
}

/* Opens the image like file-posix: read-only, regular files only. */
static int open_image(const char *path, const char *shown, const char *prog)
{
    /* O_NONBLOCK: a FIFO must not block us before we can refuse it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        struct result_text rt = { .prog = prog, .image = shown, .path = path,
                                  .kind = INSTAR_RESULT_OPEN_ERRNO,
                                  .errnum = errno };
        result_print(stderr, &rt);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        open_error(prog, shown, "'file' driver requires '%s' to be a regular "
                   "file", path);
        close(fd);
        return -1;
    }
    return fd;
}

static int on_batch(void *ctx, const uint8_t *batch, size_t len)
{
    struct guest_stream *s = ctx;
    char why[256];
    int rc = guest_batch_decode(batch, len, guest_stream_message, s, why,
                                sizeof why);
    if (rc < 0) {
        char what[300];
        snprintf(what, sizeof what, "guest protocol error: %s", why);
        guest_stream_fail(s, what);
        return 1;
    }
    /* Output that cannot be written (a full disk, a reader that went
     * away): stop mapping now; main() reports it. */
    if (output_failed(stdout)) {
        s->output_lost = true;
        return 1;
    }
    return rc;
}

static void on_notice(void *ctx, const char *text)
{
    guest_stream_notice(ctx, text);
}

static const char *device_name(void *ctx, uint32_t idx)
{
    return vm_device_name(ctx, idx);
}

/*
 * The directories the image may name files in: its own (textually, as
 * qemu resolves relative names against it), the working directory, and
 * every --allow-path.
 */
static int allow_dirs(struct vm *vm, const char *path,
                      const struct instar_options *io, char *err,
                      size_t errlen)
{
    char dir[INSTAR_PATH_MAX + 2];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (vm_allow_dir(vm, dir, err, errlen) < 0 ||
        vm_allow_dir(vm, ".", err, errlen) < 0)
        return -1;
    for (size_t i = 0; i < io->allow_count; i++)
        if (vm_allow_dir(vm, io->allow_paths[i], err, errlen) < 0)
            return -1;
    return 0;
}

int run_map(const struct map_options *o, const struct instar_options *io,
            const struct qemu_profile *p, const char *prog)
{
    const char *shown = o->filename;
    unsigned total_seconds, idle_seconds;
    if (env_limits(&total_seconds, &idle_seconds, prog))
        return 1;
    /* qemu strips a "file:" protocol prefix from the name it opens. */
    const char *path = strncmp(shown, "file:", 5) ? shown : shown + 5;

    enum instar_format fmt;
    int known = format_from_name(p, o->format, &fmt);
    if (known == -1) {
        open_error(prog, shown, "Unknown driver '%s'", o->format);
        return 1;
    }
    if (known == -2) {
        open_error(prog, shown, "the '%s' driver is not supported by instar",
                   o->format);
        return 1;
    }

    int fd = open_image(path, shown, prog);
    if (fd < 0)
        return 1;

    char err[512];
    struct vm *vm = vm_create(err, sizeof err);
    if (!vm) {
        close(fd);
        fprintf(stderr, "%s: %s\n", prog, err);
        return 1;
    }
    if (vm_add_image(vm, fd, path, err, sizeof err) < 0 ||
        allow_dirs(vm, path, io, err, sizeof err) < 0) {
        if (vm_device_name(vm, 0) == NULL)
            close(fd);
        vm_destroy(vm);
        fprintf(stderr, "%s: %s\n", prog, err);
        return 1;
    }
    struct instar_map_config *cfg = vm_config(vm);
    cfg->start_offset = o->start;
    cfg->max_length = o->max_length;
    cfg->format = (uint32_t)fmt;
    cfg->merge_keys = p->merge_keys;
    cfg->vhd_size_rule = p->vhd_size_rule;
    cfg->driver_rules = p->driver_rules;

    struct render_ctx r;
    render_init(&r, stdout, stderr, prog, p, !o->json);
    struct guest_stream s;
    guest_stream_init(&s, &r, stderr, prog, shown, device_name, vm, o->start,
                      o->max_length);

    struct vm_limits limits = {
        .total_seconds = total_seconds,
        .idle_seconds = idle_seconds,
        .sandbox = true,
        .notice = on_notice,
        .notice_ctx = &s,
    };
    uint64_t status = 1;
    enum vm_outcome out = vm_run(vm, &limits, on_batch, &s, &status, err,
                                 sizeof err);
    /* Device names are printed until the last message: destroy after. */

    if (s.output_lost) {
        vm_destroy(vm);
        return 1; /* main() prints the write error */
    }
    if (out == VM_FAILED) {
        guest_stream_fail(&s, err);
    } else if (s.state != STREAM_DONE) {
        guest_stream_fail(&s, "guest exited without a result");
    }
    vm_destroy(vm);
    return s.exit_status;
}
