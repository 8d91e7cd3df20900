/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One conformance test: replay one baseline record of qemu-img map with
 * instar and compare.
 *
 *   conformance_runner --instar PATH --images DIR --baseline FILE
 *                      --case ID --version NAME --compat LINE
 *                      [--expect-divergence]
 *
 * It finds `case ID` in FILE (format: docs/conformance.md), takes the
 * outcome stored for version NAME, and runs
 *
 *   instar --qemu-compat=LINE map ARGS        (argv[0] = "instar")
 *
 * in DIR with LC_ALL=C, {IMAGES} in the arguments replaced by DIR. The
 * exit status and stdout must equal the baseline's byte for byte, and so
 * must stderr; in both expected streams `{IMAGES}` becomes DIR and then
 * `qemu-img` where it names itself becomes `instar` (the program-name
 * rule, see docs/conformance.md). On a difference it prints the command and a
 * unified diff of each stream and exits 1.
 *
 * --expect-divergence (cases listed in docs/quirks.md) inverts the
 * verdict: a difference passes, a match fails so that the registry entry
 * gets removed.
 *
 * With INSTAR_CONFORMANCE_BIN=PATH in the environment it runs PATH
 * instead of --instar and does not need /dev/kvm (for the test-only
 * instar-inproc; docs/conformance.md, "Without KVM").
 *
 * Exit status: 0 pass, 1 fail, 2 usage or baseline error, 77 skipped
 * (no usable /dev/kvm).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "program_name.h"
#include "record_reader.h"

#define SKIP_STATUS 77
#define RUN_TIMEOUT_SECONDS 120

struct buf {
    char *p;
    size_t len, cap;
};

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("conformance_runner: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        b->p = realloc(b->p, cap);
        if (!b->p) {
            die("out of memory");
        }
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_addc(struct buf *b, char c)
{
    buf_add(b, &c, 1);
}

/* Replace every `from` in b by `to`. */
/* Replace every `from` with `to`. */
static void buf_replace(struct buf *b, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    struct buf out = {0};
    size_t i = 0;
    if (!b->p) {
        return;
    }
    while (i < b->len) {
        if (i + fl <= b->len && memcmp(b->p + i, from, fl) == 0) {
            buf_add(&out, to, tl);
            i += fl;
        } else {
            buf_addc(&out, b->p[i++]);
        }
    }
    free(b->p);
    *b = out;
    if (!b->p) {
        buf_add(b, "", 0);
    }
}

/* The program-name rule (docs/conformance.md, program_name.c). */
static void replace_program_name(struct buf *b)
{
    size_t len;
    char *p = program_name_apply(b->p ? b->p : "", b->len, &len);
    if (!p) {
        die("out of memory");
    }
    free(b->p);
    b->p = p;
    b->len = len;
    b->cap = len + 1;
}

/* What instar must do: the recorded outcome of one (case, version). */
struct expected {
    char **args;
    size_t nargs;
    int status;
    struct buf out, err;
};

/* --- running instar ------------------------------------------------------ */

static int run_instar(const char *instar, const char *dir, char **argv,
                      struct buf *out, struct buf *err, bool *timed_out)
{
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
        die("pipe: %s", strerror(errno));
    }
    pid_t pid = fork();
    if (pid < 0) {
        die("fork: %s", strerror(errno));
    }
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, 0);
        }
        if (chdir(dir) != 0) {
            fprintf(stderr, "conformance_runner: chdir %s: %s\n", dir,
                    strerror(errno));
            _exit(127);
        }
        unsetenv("INSTAR_QEMU_COMPAT");
        unsetenv("POSIXLY_CORRECT");
        unsetenv("LANG");
        unsetenv("LANGUAGE");
        setenv("LC_ALL", "C", 1);
        execv(instar, argv);
        fprintf(stderr, "conformance_runner: exec %s: %s\n", instar,
                strerror(errno));
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);

    struct pollfd fds[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
    struct buf *bufs[2] = { out, err };
    int open_fds = 2;
    time_t deadline = time(NULL) + RUN_TIMEOUT_SECONDS;
    *timed_out = false;
    while (open_fds > 0) {
        int left = (int)(deadline - time(NULL));
        if (left <= 0) {
            kill(pid, SIGKILL);
            *timed_out = true;
            break;
        }
        int r = poll(fds, 2, left * 1000);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            die("poll: %s", strerror(errno));
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            char chunk[65536];
            ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
            if (n > 0) {
                buf_add(bufs[i], chunk, (size_t)n);
            } else if (n == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
    int ws;
    while (waitpid(pid, &ws, 0) < 0) {
        if (errno != EINTR) {
            die("waitpid: %s", strerror(errno));
        }
    }
    for (int i = 0; i < 2; i++) {
        if (fds[i].fd >= 0) {
            close(fds[i].fd);
        }
        if (!bufs[i]->p) {
            buf_add(bufs[i], "", 0);
        }
    }
    if (WIFEXITED(ws)) {
        return WEXITSTATUS(ws);
    }
    return 128 + WTERMSIG(ws);
}

/* --- diff ------------------------------------------------------------------ */

struct lines {
    const char **s;
    size_t *n;
    size_t count;
    bool last_partial; /* the text does not end with LF */
};

static void split_lines(const struct buf *b, struct lines *l)
{
    memset(l, 0, sizeof(*l));
    size_t cap = 16;
    l->s = malloc(cap * sizeof(char *));
    l->n = malloc(cap * sizeof(size_t));
    size_t i = 0;
    while (i < b->len) {
        const char *nl = memchr(b->p + i, '\n', b->len - i);
        size_t n = nl ? (size_t)(nl - (b->p + i)) : b->len - i;
        if (l->count == cap) {
            cap *= 2;
            l->s = realloc(l->s, cap * sizeof(char *));
            l->n = realloc(l->n, cap * sizeof(size_t));
        }
        l->s[l->count] = b->p + i;
        l->n[l->count] = n;
        l->count++;
        if (!nl) {
            l->last_partial = true;
        }
        i += n + 1;
    }
}

static bool line_eq(const struct lines *a, size_t i, const struct lines *b,
                    size_t j)
{
    bool pa = a->last_partial && i == a->count - 1;
    bool pb = b->last_partial && j == b->count - 1;
    return pa == pb && a->n[i] == b->n[j] &&
           memcmp(a->s[i], b->s[j], a->n[i]) == 0;
}

static void print_line(char mark, const struct lines *l, size_t i)
{
    printf("%c", mark);
    fwrite(l->s[i], 1, l->n[i], stdout);
    printf("\n");
    if (l->last_partial && i == l->count - 1) {
        printf("\\ No newline at end of output\n");
    }
}

#define CONTEXT 3
#define LCS_LIMIT (4u << 20)

/*
 * Unified diff of expected (a) and actual (b). Common prefix and suffix
 * are trimmed, the rest is aligned with an LCS table when it is small
 * enough, otherwise shown as one replaced block.
 */
static void diff(const char *name, const struct buf *exp, const struct buf *act)
{
    struct lines a, b;
    split_lines(exp, &a);
    split_lines(act, &b);
    printf("--- expected %s (qemu-img)\n+++ actual %s (instar)\n", name, name);

    size_t pre = 0;
    while (pre < a.count && pre < b.count && line_eq(&a, pre, &b, pre)) {
        pre++;
    }
    size_t suf = 0;
    while (suf < a.count - pre && suf < b.count - pre &&
           line_eq(&a, a.count - 1 - suf, &b, b.count - 1 - suf)) {
        suf++;
    }
    size_t na = a.count - pre - suf, nb = b.count - pre - suf;

    /* ops: 0 = same, 1 = delete (a), 2 = insert (b); in order */
    size_t nops = 0;
    unsigned char *ops = malloc(na + nb + 1);
    if ((na + 1) * (nb + 1) <= LCS_LIMIT) {
        unsigned *t = calloc((na + 1) * (nb + 1), sizeof(unsigned));
        for (size_t i = na; i-- > 0;) {
            for (size_t j = nb; j-- > 0;) {
                t[i * (nb + 1) + j] =
                    line_eq(&a, pre + i, &b, pre + j)
                        ? t[(i + 1) * (nb + 1) + j + 1] + 1
                        : (t[(i + 1) * (nb + 1) + j] > t[i * (nb + 1) + j + 1]
                               ? t[(i + 1) * (nb + 1) + j]
                               : t[i * (nb + 1) + j + 1]);
            }
        }
        size_t i = 0, j = 0;
        while (i < na || j < nb) {
            if (i < na && j < nb && line_eq(&a, pre + i, &b, pre + j)) {
                ops[nops++] = 0;
                i++;
                j++;
            } else if (i < na && (j == nb || t[(i + 1) * (nb + 1) + j] >=
                                                 t[i * (nb + 1) + j + 1])) {
                ops[nops++] = 1; /* deletions first, as diff -u does */
                i++;
            } else {
                ops[nops++] = 2;
                j++;
            }
        }
        free(t);
    } else {
        for (size_t i = 0; i < na; i++) {
            ops[nops++] = 1;
        }
        for (size_t j = 0; j < nb; j++) {
            ops[nops++] = 2;
        }
    }

    /* One hunk with up to CONTEXT lines of context around the middle. */
    size_t ctx_before = pre < CONTEXT ? pre : CONTEXT;
    size_t ctx_after = suf < CONTEXT ? suf : CONTEXT;
    size_t a_len = ctx_before + na + ctx_after, b_len = ctx_before + nb + ctx_after;
    printf("@@ -%zu,%zu +%zu,%zu @@\n", pre - ctx_before + 1, a_len,
           pre - ctx_before + 1, b_len);
    for (size_t k = pre - ctx_before; k < pre; k++) {
        print_line(' ', &a, k);
    }
    size_t i = pre, j = pre;
    for (size_t k = 0; k < nops; k++) {
        if (ops[k] == 0) {
            print_line(' ', &a, i++);
            j++;
        } else if (ops[k] == 1) {
            print_line('-', &a, i++);
        } else {
            print_line('+', &b, j++);
        }
    }
    for (size_t k = 0; k < ctx_after; k++) {
        print_line(' ', &a, a.count - suf + k);
    }
    free(ops);
    free(a.s);
    free(a.n);
    free(b.s);
    free(b.n);
}

static void print_quoted(const char *s)
{
    bool plain = *s != '\0';
    for (const char *c = s; *c; c++) {
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789@%_-+=:,./", *c)) {
            plain = false;
        }
    }
    if (plain) {
        fputs(s, stdout);
        return;
    }
    putchar('\'');
    for (const char *c = s; *c; c++) {
        if (*c == '\'') {
            fputs("'\\''", stdout);
        } else {
            putchar(*c);
        }
    }
    putchar('\'');
}

int main(int argc, char **argv)
{
    const char *instar = NULL, *images = NULL, *baseline = NULL;
    const char *case_id = NULL, *version = NULL, *compat = NULL;
    bool expect_divergence = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--instar")) {
            slot = &instar;
        } else if (!strcmp(a, "--images")) {
            slot = &images;
        } else if (!strcmp(a, "--baseline")) {
            slot = &baseline;
        } else if (!strcmp(a, "--case")) {
            slot = &case_id;
        } else if (!strcmp(a, "--version")) {
            slot = &version;
        } else if (!strcmp(a, "--compat")) {
            slot = &compat;
        } else if (!strcmp(a, "--expect-divergence")) {
            expect_divergence = true;
            continue;
        } else {
            die("unknown argument %s", a);
        }
        if (++i >= argc) {
            die("%s needs a value", a);
        }
        *slot = argv[i];
    }
    if (!instar || !images || !baseline || !case_id || !version || !compat) {
        die("usage: conformance_runner --instar PATH --images DIR --baseline "
            "FILE --case ID --version NAME --compat LINE [--expect-divergence]");
    }

    char rerr[512];
    struct record_file records;
    if (record_file_load(baseline, &records, rerr, sizeof rerr) < 0) {
        die("%s", rerr);
    }
    const struct record_case *c = record_find(&records, case_id);
    if (!c) {
        die("case %s not found", case_id);
    }
    const struct record_outcome *o = record_outcome_of(c, version);
    if (!o) {
        die("case %s has no outcome for version %s", case_id, version);
    }
    if (c->env || strcmp(c->argv0, "qemu-img") != 0) {
        die("case %s: runs with another argv[0] or environment are not "
            "replayed here", case_id);
    }
    struct expected e = { c->args, c->nargs, o->status, {0}, {0} };
    buf_add(&e.out, o->out.data, o->out.len);
    buf_add(&e.err, o->err.data, o->err.len);

    /* The record is checked even where the test cannot run. */
    /* INSTAR_CONFORMANCE_BIN: run that binary instead of --instar, and do
     * not require /dev/kvm for it. Meant for the test-only instar-inproc
     * (docs/conformance.md, "Without KVM"). */
    const char *bin = getenv("INSTAR_CONFORMANCE_BIN");
    if (bin && *bin) {
        instar = bin;
    } else {
        int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (kvm < 0) {
            printf("SKIPPED: /dev/kvm is not usable (%s): instar cannot boot "
                   "its guest, so %s [%s] was not run\n", strerror(errno),
                   case_id, version);
            return SKIP_STATUS;
        }
        close(kvm);
    }

    /* argv: instar --qemu-compat=LINE map ARGS */
    char **run_argv = calloc(e.nargs + 4, sizeof(char *));
    struct buf compat_arg = {0};
    buf_add(&compat_arg, "--qemu-compat=", strlen("--qemu-compat="));
    buf_add(&compat_arg, compat, strlen(compat));
    run_argv[0] = "instar";
    run_argv[1] = compat_arg.p;
    run_argv[2] = "map";
    for (size_t i = 0; i < e.nargs; i++) {
        struct buf a = {0};
        buf_add(&a, e.args[i], strlen(e.args[i]));
        buf_replace(&a, "{IMAGES}", images);
        run_argv[3 + i] = a.p;
    }

    /* The expected bytes as instar must print them here. */
    replace_program_name(&e.out);
    replace_program_name(&e.err);
    buf_replace(&e.out, "{IMAGES}", images);
    buf_replace(&e.err, "{IMAGES}", images);

    struct buf out = {0}, err = {0};
    bool timed_out;
    int status = run_instar(instar, images, run_argv, &out, &err, &timed_out);

    bool same_status = status == e.status;
    bool same_out = out.len == e.out.len && !memcmp(out.p, e.out.p, out.len);
    bool same_err = err.len == e.err.len && !memcmp(err.p, e.err.p, err.len);
    bool match = same_status && same_out && same_err && !timed_out;

    if (match && !expect_divergence) {
        printf("PASS %s [%s]\n", case_id, version);
        return 0;
    }
    if (match) {
        printf("FAIL %s [%s]: listed in docs/quirks.md as a divergence, but "
               "instar now matches qemu-img %s; remove the entry\n",
               case_id, version, version);
        return 1;
    }

    printf("%s %s [%s]\n$ cd ", expect_divergence ? "KNOWN DIVERGENCE" : "FAIL",
           case_id, version);
    print_quoted(images);
    printf(" && ");
    print_quoted(instar);
    for (size_t i = 1; run_argv[i]; i++) {
        putchar(' ');
        print_quoted(run_argv[i]);
    }
    printf("\n");
    if (timed_out) {
        printf("instar did not finish within %d s and was killed\n",
               RUN_TIMEOUT_SECONDS);
    }
    if (!same_status) {
        printf("exit status: expected %d, got %d\n", e.status, status);
    }
    if (!same_out) {
        diff("stdout", &e.out, &out);
    }
    if (!same_err) {
        diff("stderr", &e.err, &err);
    }
    if (expect_divergence) {
        printf("(expected: docs/quirks.md lists this case)\n");
        return 0;
    }
    return 1;
}
