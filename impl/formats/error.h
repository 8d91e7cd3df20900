/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Errors a map run can end with. The text is what qemu-img prints after
 * its fixed prefix, so the host can compose the exact line:
 *   MAP_ERR_OPEN      "qemu-img: Could not open '<file>': <msg>"
 *   MAP_ERR_METADATA  "qemu-img: Could not read file metadata: <strerror(errnum)>"
 *   MAP_ERR_LENGTH    "qemu-img: Failed to get size for '<file>'"
 *   MAP_ERR_INTERNAL  an instar limit or bug, "<msg>" as is
 *   MAP_ERR_OPEN_ERRNO a driver failed without a message (qemu's
 *                     bdrv_open_driver() fallback):
 *                     "qemu-img: Could not open '<file>': Could not open
 *                      '<path>': <strerror(errnum)>" (path: <file> without
 *                     a "file:" prefix); msg is informative only
 * A MAP_ERR_OPEN message may hold a '\n' followed by qemu's hint line
 * (e.g. "... snapshot table entry 0\nYou can force-remove ..."); qemu
 * prints the hint on its own line after the error, so printing msg as is,
 * then '\n', reproduces it.
 */
#ifndef INSTAR_FORMATS_ERROR_H
#define INSTAR_FORMATS_ERROR_H

#define MAP_ERR_NONE     0
#define MAP_ERR_OPEN     1
#define MAP_ERR_METADATA 2
#define MAP_ERR_LENGTH   3
#define MAP_ERR_INTERNAL 4
#define MAP_ERR_OPEN_ERRNO 5

/*
 * Room for qemu's longest messages: two file names of up to PATH_MAX
 * ("Could not open '<extent>': ..." inside a vmdk descriptor's error),
 * or qcow2's list of every unknown feature name. Truncating them would
 * print a different line than qemu-img. The guest checks that the
 * protocol carries it whole (INSTAR_TEXT_MAX).
 */
#define MAP_ERR_MSG_MAX 10240

struct map_error {
    int kind;    /* MAP_ERR_* */
    int errnum;  /* positive errno for MAP_ERR_METADATA */
    char msg[MAP_ERR_MSG_MAX];
};

/*
 * glibc's strerror() text for the errnos instar reports (the guest has no
 * libc to ask); "Unknown error N" style fallback for the rest.
 */
const char *map_strerror(int errnum);

/* Record an error; printf-style message. Returns -1 for `return fail(...)`. */
int map_fail(struct map_error *e, int kind, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
