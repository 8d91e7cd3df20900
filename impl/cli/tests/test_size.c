/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -s/-l parsing. The binaries' runs in baselines/units give S0 (5.2),
 * S1 (7.2), S3 (Debian 10.0.x) and S4 (11.1.3), each with its profile's
 * messages. Two combinations no binary here has are derived from those
 * runs by the one documented change between them:
 *  - S2 (8.0) is S1 with hex-plus-suffix rejected ("util: remove support
 *    for hex numbers with a scaling suffix"): no warning, the hint error;
 *  - upstream 8.1 - 10.0 is S3 parsing with C1's two-line hint message.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "record_reader.h"
#include "size.h"

static const char hint_fmt[] =
    "qemu-img: Invalid %s specified. You may use k, M, G, T, P or E suffixes for\n"
    "qemu-img: kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.\n";

struct outcome {
    bool ok;
    int64_t value;  /* -s: the start; -l: min(value, 1 MiB) */
    char err[512];
};

/* Runs size_cvtnum as map would for one -s/-l argument. */
static struct outcome convert(const char *compat, bool is_length,
                              const char *text)
{
    struct qemu_profile p;
    cr_assert_eq(profile_from_compat(compat, &p), 0);
    struct outcome o = { 0 };
    FILE *f = fmemopen(o.err, sizeof(o.err) - 1, "w");
    int64_t v = size_cvtnum(&p, "qemu-img", is_length ? "max length" :
                            "start offset", text, f);
    fclose(f);
    o.ok = v >= 0;
    o.value = is_length && v > (1 << 20) ? (1 << 20) : v;
    return o;
}

/* What the binary printed, in the same terms. */
static struct outcome observed(const struct record_run *r, bool is_length)
{
    struct outcome o = { r->o->status == 0, -1, { 0 } };
    snprintf(o.err, sizeof(o.err), "%s", r->o->err.data);
    if (o.ok) {
        const char *key = is_length ? "\"length\": " : "\"start\": ";
        o.value = strtoll(strstr(r->o->out.data, key) + strlen(key), NULL, 10);
    }
    return o;
}

static void expect_same(const struct outcome *got, const struct outcome *want,
                        const char *id, const char *compat, const char *text)
{
    cr_expect_eq(got->ok, want->ok, "case %s (%s) '%s': ok", id, compat, text);
    if (want->ok) {
        cr_expect_eq(got->value, want->value, "case %s (%s) '%s': %lld != %lld",
                     id, compat, text, (long long)got->value,
                     (long long)want->value);
    }
    cr_expect_str_eq(got->err, want->err, "case %s (%s) '%s': messages", id,
                     compat, text);
}

/* The -s/-l cases: map --output=json -s|-l VALUE sparse.raw */
static bool size_case(const struct record_case *c, bool *is_length)
{
    if (c->nargs != 4 || strcmp(c->args[0], "--output=json") != 0 ||
        strcmp(c->args[3], "sparse.raw") != 0 || c->env) {
        return false;
    }
    *is_length = strcmp(c->args[1], "-l") == 0;
    return *is_length || strcmp(c->args[1], "-s") == 0;
}

static void load(struct record_runs *rr)
{
    char err[512];
    cr_assert_eq(record_runs_load(CLI_UNITS_VERSIONS, CLI_UNITS, rr, err,
                                  sizeof(err)), 0, "%s", err);
}

Test(size, matches_real_qemu_img)
{
    struct record_runs rr;
    int n = 0;
    load(&rr);
    for (size_t i = 0; i < rr.count; i++) {
        const struct record_run *r = &rr.runs[i];
        const struct record_case *c = r->c;
        const char *compat = r->version->compat;
        bool len;
        if (!size_case(c, &len)) {
            continue;
        }
        struct outcome want = observed(r, len);
        struct outcome got = convert(compat, len, c->args[2]);
        expect_same(&got, &want, c->id, compat, c->args[2]);
        n++;
    }
    cr_expect_gt(n, 600);
    cr_log_info("%d size strings checked against qemu-img binaries", n);
    record_runs_free(&rr);
}

Test(size, s2_is_s1_without_hex_suffixes)
{
    struct record_runs rr;
    int n = 0;
    load(&rr);
    for (size_t i = 0; i < rr.count; i++) {
        const struct record_run *r = &rr.runs[i];
        const struct record_case *c = r->c;
        const char *compat = r->version->compat;
        bool len;
        if (!size_case(c, &len) || !strstr(compat, "version 7.2.22")) {
            continue;
        }
        struct outcome want = observed(r, len);
        if (strstr(want.err, "warning: Using a multiplier suffix")) {
            want.ok = false;
            snprintf(want.err, sizeof(want.err), hint_fmt,
                     len ? "max length" : "start offset");
        }
        struct outcome got = convert("8.0", len, c->args[2]);
        expect_same(&got, &want, c->id, "8.0 from 7.2", c->args[2]);
        n++;
    }
    cr_expect_gt(n, 100);
    record_runs_free(&rr);
}

Test(size, upstream_s3_uses_c1_messages)
{
    struct record_runs rr;
    int n = 0;
    load(&rr);
    for (size_t i = 0; i < rr.count; i++) {
        const struct record_run *r = &rr.runs[i];
        const struct record_case *c = r->c;
        const char *compat = r->version->compat;
        bool len;
        if (!size_case(c, &len) || !strstr(compat, "version 10.0.13")) {
            continue;
        }
        struct outcome want = observed(r, len);
        if (!want.ok && strstr(want.err, "specified: '")) {
            snprintf(want.err, sizeof(want.err), hint_fmt,
                     len ? "max length" : "start offset");
        }
        struct outcome got = convert("9.2", len, c->args[2]);
        expect_same(&got, &want, c->id, "9.2 from Debian 10.0.13", c->args[2]);
        n++;
    }
    cr_expect_gt(n, 100);
    record_runs_free(&rr);
}

/* The message writers on their own (texts as the binaries print them). */
Test(size, message_bytes)
{
    char buf[512];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    size_report_error(f, "instar", SIZE_MSG_QUOTED_PERIOD, "max length", "x y",
                      -EINVAL);
    size_report_error(f, "instar", SIZE_MSG_QUOTED, "start offset", "", -EINVAL);
    size_report_error(f, "instar", SIZE_MSG_SUFFIX_HINT, "start offset", "-1",
                      -ERANGE);
    size_report_hex_suffix_warning(f, "instar", "0x1k");
    fclose(f);
    cr_expect_str_eq(buf,
        "instar: Invalid max length specified: 'x y'.\n"
        "instar: Invalid start offset specified: ''\n"
        "instar: Invalid start offset specified. Must be between 0 and "
        "9223372036854775807.\n"
        "instar: warning: Using a multiplier suffix on hex numbers is "
        "deprecated: 0x1k\n");
}

Test(size, message_style_per_cli)
{
    cr_expect_eq(size_message_for(CLI_C0), SIZE_MSG_SUFFIX_HINT);
    cr_expect_eq(size_message_for(CLI_C1), SIZE_MSG_SUFFIX_HINT);
    cr_expect_eq(size_message_for(CLI_C1_DEB), SIZE_MSG_QUOTED_PERIOD);
    cr_expect_eq(size_message_for(CLI_C2), SIZE_MSG_QUOTED);
}

/*
 * Corners qemu reaches by reading past the string's end (S1 after a
 * fraction underflow): instar reports them invalid instead.
 */
Test(size, s1_underflow_at_end_is_invalid)
{
    char text[420] = "1.";
    memset(text + 2, '0', 400);
    strcpy(text + 402, "1");
    uint64_t v;
    bool warn;
    cr_expect_eq(size_strtosz(SIZE_S1, text, &v, &warn), -EINVAL);
}
