/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The program-name rule of docs/conformance.md: in qemu-img's output,
 * `qemu-img` becomes `instar` where qemu-img names itself, i.e. where
 * ':' (its error prefix), " map" (glibc's messages, Try lines, usage),
 * " --help", " [" or " version" (help) follows. Not where qemu's text
 * names the tool to run ("qemu-img check -r all") or where the text
 * comes from the image (a file name holding "\nqemu-img x").
 *
 * The Python copy (conformance/lib/instar_testing/program_name.py) must
 * stay the same rule: the CTest program_name/c_vs_python compares them.
 */
#ifndef INSTAR_PROGRAM_NAME_H
#define INSTAR_PROGRAM_NAME_H

#include <stddef.h>

/* The LEN bytes at TEXT after the rule, in a new NUL-terminated buffer
 * (free() it) of *OUT_LEN bytes; NULL if out of memory. */
char *program_name_apply(const char *text, size_t len, size_t *out_len);

#endif
