/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The version table: every row boundary and every accepted form. */
#include <criterion/criterion.h>
#include <string.h>

#include "profile.h"

struct row {
    const char *text;
    enum json_profile json;
    enum cli_profile cli;
    enum size_profile size;
    uint32_t vhd;
    const char *name;
};

static const struct row rows[] = {
    /* the binaries' own --version lines (behaviour checked in
     * test_options/test_size against these very binaries) */
    {"qemu-img version 5.2.0 (Debian 1:5.2+dfsg-11+deb11u3)",
     JSON_J1, CLI_C0, SIZE_S0, INSTAR_VHD_SIZE_CHS, "5.2.0 (Debian)"},
    {"qemu-img version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)",
     JSON_J2, CLI_C1, SIZE_S1, INSTAR_VHD_SIZE_CHS, "7.2.22 (Debian)"},
    {"qemu-img version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)",
     JSON_J3, CLI_C1_DEB, SIZE_S3, INSTAR_VHD_SIZE_CURRENT, "10.0.2 (Debian)"},
    {"qemu-img version 10.0.13 (Debian 1:10.0.13+ds-0+deb13u1)",
     JSON_J3, CLI_C1_DEB, SIZE_S3, INSTAR_VHD_SIZE_CURRENT, "10.0.13 (Debian)"},
    {"qemu-img version 11.1.3 (Debian 1:11.1.3+ds-1)",
     JSON_J3, CLI_C2, SIZE_S4, INSTAR_VHD_SIZE_CURRENT, "11.1.3 (Debian)"},
    /* upstream builds and plain versions: the table's boundaries */
    {"qemu-img version 10.0.2", JSON_J3, CLI_C1, SIZE_S3, INSTAR_VHD_SIZE_CURRENT,
     "10.0.2"},
    {"qemu-img version 8.2.2 (qemu-8.2.2-1.fc40)", JSON_J3, CLI_C1, SIZE_S3,
     INSTAR_VHD_SIZE_CHS, "8.2.2"},
    {"5.2", JSON_J1, CLI_C0, SIZE_S0, INSTAR_VHD_SIZE_CHS, "5.2"},
    {"5.2.9", JSON_J1, CLI_C0, SIZE_S0, INSTAR_VHD_SIZE_CHS, "5.2.9"},
    {"6.0", JSON_J1, CLI_C1, SIZE_S1, INSTAR_VHD_SIZE_CHS, "6.0"},
    {"6.0.1", JSON_J1, CLI_C1, SIZE_S1, INSTAR_VHD_SIZE_CHS, "6.0.1"},
    {"6.1", JSON_J2, CLI_C1, SIZE_S1, INSTAR_VHD_SIZE_CHS, "6.1"},
    {"7.2", JSON_J2, CLI_C1, SIZE_S1, INSTAR_VHD_SIZE_CHS, "7.2"},
    {"8.0", JSON_J2, CLI_C1, SIZE_S2, INSTAR_VHD_SIZE_CHS, "8.0"},
    {"8.0.5", JSON_J2, CLI_C1, SIZE_S2, INSTAR_VHD_SIZE_CHS, "8.0.5"},
    {"8.1", JSON_J2, CLI_C1, SIZE_S3, INSTAR_VHD_SIZE_CHS, "8.1"},
    {"8.2", JSON_J3, CLI_C1, SIZE_S3, INSTAR_VHD_SIZE_CHS, "8.2"},
    {"9.2.4", JSON_J3, CLI_C1, SIZE_S3, INSTAR_VHD_SIZE_CHS, "9.2.4"},
    {"10.0", JSON_J3, CLI_C1, SIZE_S3, INSTAR_VHD_SIZE_CURRENT, "10.0"},
    {"10.1", JSON_J3, CLI_C2, SIZE_S4, INSTAR_VHD_SIZE_CURRENT, "10.1"},
    {"11.1", JSON_J3, CLI_C2, SIZE_S4, INSTAR_VHD_SIZE_CURRENT, "11.1"},
    {"12.0", JSON_J3, CLI_C2, SIZE_S4, INSTAR_VHD_SIZE_CURRENT, "12.0"},
    /* release candidates X.Y.9x behave like the release they lead to */
    {"5.1.90", JSON_J1, CLI_C0, SIZE_S0, INSTAR_VHD_SIZE_CHS, "5.1.90"},
    {"7.2.90", JSON_J2, CLI_C1, SIZE_S2, INSTAR_VHD_SIZE_CHS, "7.2.90"},
    {"10.0.93", JSON_J3, CLI_C2, SIZE_S4, INSTAR_VHD_SIZE_CURRENT, "10.0.93"},
    {"10.0.50", JSON_J3, CLI_C1, SIZE_S3, INSTAR_VHD_SIZE_CURRENT, "10.0.50"},
    /* `$(qemu-img --version)` keeps the copyright line */
    {"qemu-img version 10.0.13 (Debian 1:10.0.13+ds-0+deb13u1)\n"
     "Copyright (c) 2003-2025 Fabrice Bellard and the QEMU Project developers",
     JSON_J3, CLI_C1_DEB, SIZE_S3, INSTAR_VHD_SIZE_CURRENT, "10.0.13 (Debian)"},
};

Test(profile, table)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct qemu_profile p;
        const struct row *r = &rows[i];
        cr_assert_eq(profile_from_compat(r->text, &p), 0, "%s", r->text);
        cr_expect_eq(p.json, r->json, "%s: json", r->text);
        cr_expect_eq(p.cli, r->cli, "%s: cli", r->text);
        cr_expect_eq(p.size, r->size, "%s: size", r->text);
        cr_expect_eq(p.vhd_size_rule, r->vhd, "%s: vhd", r->text);
        cr_expect_str_eq(p.name, r->name, "%s: name", r->text);
    }
}

Test(profile, version_numbers)
{
    struct qemu_profile p;
    cr_assert_eq(profile_from_compat("qemu-img version 7.2.22 (Debian x)", &p), 0);
    cr_expect_eq(p.major, 7);
    cr_expect_eq(p.minor, 2);
    cr_expect_eq(p.micro, 22);
    cr_assert_eq(profile_from_compat("8.1", &p), 0);
    cr_expect_eq(p.micro, 0);
}

Test(profile, rejects)
{
    static const char *const bad[] = {
        "", "7", "7.", ".2", "7.2.", "7.2.2.2", "a.b", "7.2x", " 7.2", "7.2 ",
        "7..2", "+7.2", "1000.0", "7.2000", "5.1", "5.1.9", "4.2.1", "0.0",
        "qemu-img version", "qemu-img version ",
        "qemu-img version 7.2.22 (Debian", "qemu-img version 7.2.22 junk",
        "qemu-img version 7.2.22 ()x", "qemu-img version 5.1.0 (Debian 1:5.1)",
        "qemu-img  version 7.2.22", "QEMU-img version 7.2.22", "v7.2",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct qemu_profile p;
        cr_expect_eq(profile_from_compat(bad[i], &p), -1, "'%s'", bad[i]);
    }
}

Test(profile, default_is_newest)
{
    struct qemu_profile p, q;
    profile_default(&p);
    cr_expect_str_eq(p.name, "11.1");
    cr_assert_eq(profile_from_compat("11.1", &q), 0);
    cr_expect_eq(p.json, JSON_J3);
    cr_expect_eq(p.cli, CLI_C2);
    cr_expect_eq(p.size, SIZE_S4);
    cr_expect_eq(p.vhd_size_rule, INSTAR_VHD_SIZE_CURRENT);
    cr_expect(p.json == q.json && p.cli == q.cli && p.size == q.size &&
              p.vhd_size_rule == q.vhd_size_rule &&
              p.merge_keys == q.merge_keys &&
              p.driver_rules == q.driver_rules);
}

/* bdrv_open_driver()'s length check came in 6.0, bdrv_pread() returning
 * 0 in 7.1. */
Test(profile, driver_rows)
{
    const uint32_t d0 = 0, d1 = INSTAR_RULE_LENGTH_AT_OPEN,
                   d2 = d1 | INSTAR_RULE_PREAD_RETURNS_0;
    const struct {
        const char *v;
        uint32_t rules;
        const char *label;
    } c[] = {{"5.2", d0, "D0"},    {"5.2.0", d0, "D0"},  {"6.0", d1, "D1"},
             {"7.0.5", d1, "D1"},  {"7.0.90", d2, "D2"}, {"7.1", d2, "D2"},
             {"7.2.22", d2, "D2"}, {"11.1", d2, "D2"}};
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct qemu_profile p;
        cr_assert_eq(profile_from_compat(c[i].v, &p), 0, "%s", c[i].v);
        cr_expect_eq(p.driver_rules, c[i].rules, "%s", c[i].v);
        cr_expect_str_eq(profile_driver_label(p.driver_rules), c[i].label,
                         "%s", c[i].v);
    }
}

/* qemu-img merges two entries only when every field its JSON output
 * prints is equal: the guest's merge keys are the JSON layout's fields. */
Test(profile, merge_keys_are_the_printed_fields)
{
    static const char *const versions[] = {"5.2", "6.0", "6.1", "8.1", "8.2",
                                           "10.0", "11.1"};
    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        struct qemu_profile p;
        cr_assert_eq(profile_from_compat(versions[i], &p), 0);
        bool present = p.json != JSON_J1, compressed = p.json == JSON_J3;
        cr_expect_eq(!!(p.merge_keys & INSTAR_MERGE_PRESENT), present,
                     "%s", versions[i]);
        cr_expect_eq(!!(p.merge_keys & INSTAR_MERGE_COMPRESSED), compressed,
                     "%s", versions[i]);
        cr_expect_eq(p.merge_keys & ~INSTAR_MERGE_ALL, 0u);
    }
}

/* The driver names of each release's --help (Debian's builds). */
Test(profile, known_drivers_follow_the_release)
{
    struct qemu_profile p52, p72, p100, p111;
    cr_assert_eq(profile_from_compat("5.2.0", &p52), 0);
    cr_assert_eq(profile_from_compat("7.2.22", &p72), 0);
    cr_assert_eq(profile_from_compat("10.0.13", &p100), 0);
    cr_assert_eq(profile_from_compat("11.1.3", &p111), 0);
    cr_expect(profile_knows_driver(&p52, "vdi"));
    cr_expect(!profile_knows_driver(&p52, "parallels"));
    cr_expect(profile_knows_driver(&p72, "parallels"));
    cr_expect(!profile_knows_driver(&p72, "io_uring"));
    cr_expect(profile_knows_driver(&p100, "io_uring"));
    cr_expect(profile_knows_driver(&p100, "gluster"));
    cr_expect(!profile_knows_driver(&p111, "gluster"));
    cr_expect(!profile_knows_driver(&p111, "bogus"));
    cr_expect(!profile_knows_driver(&p111, "qcow2x"));
}

Test(profile, labels)
{
    cr_expect_str_eq(profile_cli_label(CLI_C1_DEB), "C1-Deb");
    cr_expect_str_eq(profile_json_label(JSON_J2), "J2");
    cr_expect_str_eq(profile_size_label(SIZE_S0), "S0");
    cr_expect_str_eq(profile_vhd_label(INSTAR_VHD_SIZE_CURRENT), "current_size");
}
