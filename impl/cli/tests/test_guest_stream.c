/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's checks on the guest's message stream. The guest is
 * untrusted: any message that does not continue the requested range
 * exactly, or comes out of order, must end the run with an error and
 * never reach stdout as if it were valid.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "instar_abi.h"
#include "guest_stream.h"
#include "profile.h"

struct harness {
    char *out, *err;
    size_t out_len, err_len;
    FILE *outf, *errf;
    struct render_ctx r;
    struct guest_stream s;
};

static const char *name_of(void *ctx, uint32_t file)
{
    (void)ctx;
    return file == 0 ? "img.qcow2" : NULL;
}

static void setup(struct harness *h, bool human, int64_t start, int64_t max)
{
    memset(h, 0, sizeof *h);
    h->outf = open_memstream(&h->out, &h->out_len);
    h->errf = open_memstream(&h->err, &h->err_len);
    struct qemu_profile p;
    cr_assert_eq(profile_from_compat("7.2", &p), 0);
    render_init(&h->r, h->outf, h->errf, "instar", &p, human);
    guest_stream_init(&h->s, &h->r, h->errf, "instar", "img.qcow2", name_of,
                      NULL, start, max);
}

static void finish(struct harness *h)
{
    fclose(h->outf);
    fclose(h->errf);
}

static void teardown(struct harness *h)
{
    free(h->out);
    free(h->err);
}

static int send_opened(struct harness *h, uint64_t size)
{
    Instar__MapOpened o = INSTAR__MAP_OPENED__INIT;
    o.virtual_size = size;
    Instar__GuestMessage m = INSTAR__GUEST_MESSAGE__INIT;
    m.body_case = INSTAR__GUEST_MESSAGE__BODY_OPENED;
    m.opened = &o;
    return guest_stream_message(&h->s, &m);
}

static int send_extent(struct harness *h, uint64_t start, uint64_t len,
                       bool data, bool has_offset, uint64_t off, uint32_t file)
{
    Instar__MapExtent e = INSTAR__MAP_EXTENT__INIT;
    e.start = start;
    e.length = len;
    e.present = true;
    e.data = data;
    e.zero = !data;
    e.has_offset = has_offset;
    e.offset = off;
    e.file = file;
    Instar__GuestMessage m = INSTAR__GUEST_MESSAGE__INIT;
    m.body_case = INSTAR__GUEST_MESSAGE__BODY_EXTENT;
    m.extent = &e;
    return guest_stream_message(&h->s, &m);
}

static int send_result(struct harness *h, uint32_t kind, int32_t errnum,
                       char *text, uint64_t count)
{
    Instar__MapResult r = INSTAR__MAP_RESULT__INIT;
    r.error_kind = kind;
    r.errnum = errnum;
    r.message = text;
    r.extent_count = count;
    Instar__GuestMessage m = INSTAR__GUEST_MESSAGE__INIT;
    m.body_case = INSTAR__GUEST_MESSAGE__BODY_RESULT;
    m.result = &r;
    return guest_stream_message(&h->s, &m);
}

static int send_log(struct harness *h, uint32_t kind, char *text)
{
    Instar__Log l = INSTAR__LOG__INIT;
    l.text = text;
    l.kind = kind;
    Instar__GuestMessage m = INSTAR__GUEST_MESSAGE__INIT;
    m.body_case = INSTAR__GUEST_MESSAGE__BODY_LOG;
    m.log = &l;
    return guest_stream_message(&h->s, &m);
}

Test(guest_stream, a_valid_walk_renders_and_succeeds)
{
    struct harness h;
    setup(&h, false, 0, -1);
    cr_assert_eq(send_opened(&h, 131072), 0);
    cr_assert_eq(send_extent(&h, 0, 65536, true, true, 327680, 0), 0);
    cr_assert_eq(send_extent(&h, 65536, 65536, false, false, 0, 0), 0);
    cr_assert_eq(send_result(&h, INSTAR_RESULT_OK, 0, "", 2), 1);
    finish(&h);
    cr_assert_eq(h.s.exit_status, 0);
    cr_assert_str_eq(h.out,
        "[{ \"start\": 0, \"length\": 65536, \"depth\": 0, \"present\": true, "
        "\"zero\": false, \"data\": true, \"offset\": 327680},\n"
        "{ \"start\": 65536, \"length\": 65536, \"depth\": 0, \"present\": "
        "true, \"zero\": true, \"data\": false}]\n");
    cr_assert_str_eq(h.err, "");
    teardown(&h);
}

static void expect_rejected(struct harness *h, const char *fragment)
{
    finish(h);
    cr_assert_eq(h->s.exit_status, 1);
    cr_assert(h->s.failed);
    cr_assert(strstr(h->err, fragment), "stderr was: %s", h->err);
    teardown(h);
}

Test(guest_stream, extent_before_open_is_rejected)
{
    struct harness h;
    setup(&h, false, 0, -1);
    cr_assert_eq(send_extent(&h, 0, 512, true, true, 0, 0), 1);
    expect_rejected(&h, "extent outside a walk");
}

Test(guest_stream, gap_overlap_and_overrun_are_rejected)
{
    uint64_t bad[][2] = { { 512, 512 },       /* gap at 0 */
                          { 0, 0 },           /* zero length */
                          { 0, 2048 },        /* past the end */
                          { 0, UINT64_MAX } };/* overflow */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct harness h;
        setup(&h, false, 0, -1);
        cr_assert_eq(send_opened(&h, 1024), 0);
        cr_assert_eq(send_extent(&h, bad[i][0], bad[i][1], true, false, 0, 0),
                     1, "case %zu", i);
        expect_rejected(&h, "does not continue the requested range");
    }
}

Test(guest_stream, unknown_file_is_rejected)
{
    struct harness h;
    setup(&h, false, 0, -1);
    cr_assert_eq(send_opened(&h, 1024), 0);
    cr_assert_eq(send_extent(&h, 0, 512, true, true, 0, 1), 1);
    expect_rejected(&h, "does not continue");
}

/* qemu-img prints wrapped int64 offsets as they are (hostile vmdk flat
 * extent at sector 9223372036854775000: "offset": -413696). */
Test(guest_stream, wrapped_offset_is_printed_signed)
{
    struct harness h;
    setup(&h, false, 0, -1);
    cr_assert_eq(send_opened(&h, 1024), 0);
    cr_assert_eq(send_extent(&h, 0, 1024, true, true, (uint64_t)-413696, 0), 0);
    finish(&h);
    cr_assert_str_eq(h.out, "[{ \"start\": 0, \"length\": 1024, \"depth\": 0, "
                     "\"present\": true, \"zero\": false, \"data\": true, "
                     "\"offset\": -413696}");
    teardown(&h);
}

Test(guest_stream, window_is_enforced)
{
    struct harness h;
    setup(&h, false, 1000, 5000);
    cr_assert_eq(send_opened(&h, 1048576), 0);
    cr_assert_eq(send_extent(&h, 1000, 3096, true, true, 1000, 0), 0);
    /* one byte too far: the window ends at 6000 */
    cr_assert_eq(send_extent(&h, 4096, 1905, true, true, 4096, 0), 1);
    expect_rejected(&h, "does not continue");
}

Test(guest_stream, early_success_and_wrong_count_are_rejected)
{
    struct harness h;
    setup(&h, false, 0, -1);
    cr_assert_eq(send_opened(&h, 1024), 0);
    cr_assert_eq(send_extent(&h, 0, 512, true, true, 0, 0), 0);
    cr_assert_eq(send_result(&h, INSTAR_RESULT_OK, 0, "", 1), 1);
    expect_rejected(&h, "walk ended early");

    setup(&h, false, 0, -1);
    cr_assert_eq(send_opened(&h, 512), 0);
    cr_assert_eq(send_extent(&h, 0, 512, true, true, 0, 0), 0);
    cr_assert_eq(send_result(&h, INSTAR_RESULT_OK, 0, "", 7), 1);
    expect_rejected(&h, "walk ended early");
}

Test(guest_stream, nothing_is_accepted_after_the_result)
{
    struct harness h;
    setup(&h, false, 0, -1);
    cr_assert_eq(send_opened(&h, 512), 0);
    cr_assert_eq(send_extent(&h, 0, 512, true, true, 0, 0), 0);
    cr_assert_eq(send_result(&h, INSTAR_RESULT_OK, 0, "", 1), 1);
    cr_assert_eq(send_log(&h, INSTAR_LOG_MESSAGE, "late"), 1);
    expect_rejected(&h, "message after the result");
}

Test(guest_stream, empty_walk_takes_exactly_the_zero_length_entry)
{
    struct harness h;
    setup(&h, false, 1048576, -1);
    cr_assert_eq(send_opened(&h, 1048576), 0);
    Instar__MapExtent e = INSTAR__MAP_EXTENT__INIT;
    e.start = 1048576;
    Instar__GuestMessage m = INSTAR__GUEST_MESSAGE__INIT;
    m.body_case = INSTAR__GUEST_MESSAGE__BODY_EXTENT;
    m.extent = &e;
    cr_assert_eq(guest_stream_message(&h.s, &m), 0);
    cr_assert_eq(send_result(&h, INSTAR_RESULT_OK, 0, "", 1), 1);
    finish(&h);
    cr_assert_eq(h.s.exit_status, 0);
    cr_assert_str_eq(h.out, "[{ \"start\": 1048576, \"length\": 0, \"depth\": "
                            "0, \"present\": false, \"zero\": false, "
                            "\"data\": false}]\n");
    teardown(&h);

    /* a zero-length entry that claims data is not qemu's record */
    setup(&h, false, 1048576, -1);
    cr_assert_eq(send_opened(&h, 1048576), 0);
    e.data = true;
    cr_assert_eq(guest_stream_message(&h.s, &m), 1);
    expect_rejected(&h, "does not continue");
}

Test(guest_stream, open_and_metadata_errors_use_qemu_wording)
{
    struct harness h;
    setup(&h, false, 0, -1);
    cr_assert_eq(send_result(&h, INSTAR_RESULT_OPEN, 0,
                             "Image is not in qcow2 format", 0), 1);
    finish(&h);
    cr_assert_str_eq(h.err, "instar: Could not open 'img.qcow2': Image is "
                            "not in qcow2 format\n");
    cr_assert_eq(h.s.exit_status, 1);
    teardown(&h);

    setup(&h, false, 0, -1);
    cr_assert_eq(send_opened(&h, 131072), 0);
    cr_assert_eq(send_extent(&h, 0, 65536, true, true, 327680, 0), 0);
    cr_assert_eq(send_log(&h, INSTAR_LOG_PLAIN, "qcow2: Image is corrupt: x"), 0);
    cr_assert_eq(send_result(&h, INSTAR_RESULT_METADATA, 5, "", 1), 1);
    finish(&h);
    /* JSON keeps the separator qemu printed with the entry, no "]". */
    cr_assert(strstr(h.out, "\"offset\": 327680},\n"));
    cr_assert_eq(h.out[h.out_len - 1], '\n');
    /* qemu prints the corruption line without its name */
    cr_assert_str_eq(h.err, "qcow2: Image is corrupt: x\n"
                            "instar: Could not read file metadata: "
                            "Input/output error\n");
    teardown(&h);
}

Test(guest_stream, guest_text_is_sanitised_and_bounded)
{
    struct harness h;
    setup(&h, false, 0, -1);
    /* qemu prints long lines whole (a vmdk extent name can be PATH_MAX
     * long): up to the protocol's bound, nothing is cut. */
    static char text[INSTAR_TEXT_MAX + 100];
    memset(text, 'a', 2000);
    text[2000] = 0;
    text[3] = '\n';
    text[4] = '\x1b';
    cr_assert_eq(send_log(&h, INSTAR_LOG_PLAIN, text), 0);
    finish(&h);
    cr_assert(strncmp(h.err, "aaa??a", 6) == 0, "%s", h.err);
    cr_assert_eq(h.err_len, 2001);
    teardown(&h);

    setup(&h, false, 0, -1);
    memset(text, 'b', sizeof text - 1);
    text[sizeof text - 1] = 0;
    cr_assert_eq(send_log(&h, INSTAR_LOG_PLAIN, text), 0);
    finish(&h);
    cr_assert_eq(h.err_len, INSTAR_TEXT_MAX + 1);
    teardown(&h);
}

Test(guest_stream, only_the_host_prefixes_its_name)
{
    struct harness h;
    setup(&h, false, 0, -1);
    cr_assert_eq(send_log(&h, INSTAR_LOG_MESSAGE, "warning: careful"), 0);
    cr_assert_eq(send_log(&h, INSTAR_LOG_PLAIN, "a hint"), 0);
    cr_assert_eq(send_result(&h, INSTAR_RESULT_INTERNAL, 12,
                             "out of guest memory for the vpc state", 0), 1);
    finish(&h);
    /* One prefix per line, never two ("instar: instar: ..."). */
    cr_assert_str_eq(h.err, "instar: warning: careful\n"
                            "a hint\n"
                            "instar: out of guest memory for the vpc state\n");
    teardown(&h);
}

Test(guest_stream, a_flood_of_diagnostics_is_refused)
{
    struct harness h;
    setup(&h, false, 0, -1);
    int rc = 0;
    for (int i = 0; i < 1000 && rc == 0; i++)
        rc = send_log(&h, INSTAR_LOG_MESSAGE, "spam");
    cr_assert_eq(rc, 1);
    expect_rejected(&h, "too many diagnostics");
}
