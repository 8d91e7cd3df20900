/* The version table: every row boundary and every accepted form. */
#include <criterion/criterion.h>
#include <string.h>

#include "profile.h"

struct row {
    const char *text;
    enum json_profile json;
    enum cli_profile cli;
    enum size_profile size;
    enum vhd_rule vhd;
    const char *name;
};

static const struct row rows[] = {
    /* the binaries' own --version lines (behaviour checked in
     * test_options/test_size against these very binaries) */
    {"qemu-img version 5.2.0 (Debian 1:5.2+dfsg-11+deb11u3)",
     JSON_J1, CLI_C0, SIZE_S0, VHD_LEGACY_CHS, "5.2.0 (Debian)"},
    {"qemu-img version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)",
     JSON_J2, CLI_C1, SIZE_S1, VHD_LEGACY_CHS, "7.2.22 (Debian)"},
    {"qemu-img version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)",
     JSON_J3, CLI_C1_DEB, SIZE_S3, VHD_CURRENT_SIZE, "10.0.2 (Debian)"},
    {"qemu-img version 10.0.13 (Debian 1:10.0.13+ds-0+deb13u1)",
     JSON_J3, CLI_C1_DEB, SIZE_S3, VHD_CURRENT_SIZE, "10.0.13 (Debian)"},
    {"qemu-img version 11.1.3 (Debian 1:11.1.3+ds-1)",
     JSON_J3, CLI_C2, SIZE_S4, VHD_CURRENT_SIZE, "11.1.3 (Debian)"},
    /* upstream builds and plain versions: the table's boundaries */
    {"qemu-img version 10.0.2", JSON_J3, CLI_C1, SIZE_S3, VHD_CURRENT_SIZE,
     "10.0.2"},
    {"qemu-img version 8.2.2 (qemu-8.2.2-1.fc40)", JSON_J3, CLI_C1, SIZE_S3,
     VHD_LEGACY_CHS, "8.2.2"},
    {"5.2", JSON_J1, CLI_C0, SIZE_S0, VHD_LEGACY_CHS, "5.2"},
    {"5.2.9", JSON_J1, CLI_C0, SIZE_S0, VHD_LEGACY_CHS, "5.2.9"},
    {"6.0", JSON_J1, CLI_C1, SIZE_S1, VHD_LEGACY_CHS, "6.0"},
    {"6.0.1", JSON_J1, CLI_C1, SIZE_S1, VHD_LEGACY_CHS, "6.0.1"},
    {"6.1", JSON_J2, CLI_C1, SIZE_S1, VHD_LEGACY_CHS, "6.1"},
    {"7.2", JSON_J2, CLI_C1, SIZE_S1, VHD_LEGACY_CHS, "7.2"},
    {"8.0", JSON_J2, CLI_C1, SIZE_S2, VHD_LEGACY_CHS, "8.0"},
    {"8.0.5", JSON_J2, CLI_C1, SIZE_S2, VHD_LEGACY_CHS, "8.0.5"},
    {"8.1", JSON_J2, CLI_C1, SIZE_S3, VHD_LEGACY_CHS, "8.1"},
    {"8.2", JSON_J3, CLI_C1, SIZE_S3, VHD_LEGACY_CHS, "8.2"},
    {"9.2.4", JSON_J3, CLI_C1, SIZE_S3, VHD_LEGACY_CHS, "9.2.4"},
    {"10.0", JSON_J3, CLI_C1, SIZE_S3, VHD_CURRENT_SIZE, "10.0"},
    {"10.1", JSON_J3, CLI_C2, SIZE_S4, VHD_CURRENT_SIZE, "10.1"},
    {"11.1", JSON_J3, CLI_C2, SIZE_S4, VHD_CURRENT_SIZE, "11.1"},
    {"12.0", JSON_J3, CLI_C2, SIZE_S4, VHD_CURRENT_SIZE, "12.0"},
    /* release candidates X.Y.9x behave like the release they lead to */
    {"5.1.90", JSON_J1, CLI_C0, SIZE_S0, VHD_LEGACY_CHS, "5.1.90"},
    {"7.2.90", JSON_J2, CLI_C1, SIZE_S2, VHD_LEGACY_CHS, "7.2.90"},
    {"10.0.93", JSON_J3, CLI_C2, SIZE_S4, VHD_CURRENT_SIZE, "10.0.93"},
    {"10.0.50", JSON_J3, CLI_C1, SIZE_S3, VHD_CURRENT_SIZE, "10.0.50"},
    /* `$(qemu-img --version)` keeps the copyright line */
    {"qemu-img version 10.0.13 (Debian 1:10.0.13+ds-0+deb13u1)\n"
     "Copyright (c) 2003-2025 Fabrice Bellard and the QEMU Project developers",
     JSON_J3, CLI_C1_DEB, SIZE_S3, VHD_CURRENT_SIZE, "10.0.13 (Debian)"},
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
        cr_expect_eq(p.vhd, r->vhd, "%s: vhd", r->text);
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
    cr_expect_eq(p.vhd, VHD_CURRENT_SIZE);
    cr_expect(p.json == q.json && p.cli == q.cli && p.size == q.size &&
              p.vhd == q.vhd);
}

/* bdrv_open_driver()'s length check came in 6.0, bdrv_pread() returning
 * 0 in 7.1. */
Test(profile, driver_rows)
{
    static const struct {
        const char *v;
        enum driver_profile d;
    } c[] = {{"5.2", DRIVER_D0}, {"5.2.0", DRIVER_D0}, {"6.0", DRIVER_D1},
             {"7.0.5", DRIVER_D1}, {"7.0.90", DRIVER_D2}, {"7.1", DRIVER_D2},
             {"7.2.22", DRIVER_D2}, {"11.1", DRIVER_D2}};
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct qemu_profile p;
        cr_assert_eq(profile_from_compat(c[i].v, &p), 0, "%s", c[i].v);
        cr_expect_eq(p.driver, c[i].d, "%s", c[i].v);
    }
    cr_expect_str_eq(profile_driver_label(DRIVER_D1), "D1");
}

Test(profile, labels)
{
    cr_expect_str_eq(profile_cli_label(CLI_C1_DEB), "C1-Deb");
    cr_expect_str_eq(profile_json_label(JSON_J2), "J2");
    cr_expect_str_eq(profile_size_label(SIZE_S0), "S0");
    cr_expect_str_eq(profile_vhd_label(VHD_CURRENT_SIZE), "current_size");
}
