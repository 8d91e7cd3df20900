/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Recording the one error a map run ends with. */
#include "error.h"

#include <stdarg.h>

#include "compat.h"

int map_fail(struct map_error *e, int kind, int errnum, const char *fmt, ...)
{
    va_list ap;

    e->kind = kind;
    e->errnum = errnum;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return -1;
}

const char *map_strerror(int errnum)
{
    static char unknown[32];

    switch (errnum) {
    case 1:
        return "Operation not permitted";
    case 2:
        return "No such file or directory";
    case 4:
        return "Interrupted system call";
    case 5:
        return "Input/output error";
    case 6:
        return "No such device or address";
    case 12:
        return "Cannot allocate memory";
    case 13:
        return "Permission denied";
    case 16:
        return "Device or resource busy";
    case 19:
        return "No such device";
    case 20:
        return "Not a directory";
    case 21:
        return "Is a directory";
    case 22:
        return "Invalid argument";
    case 23:
        return "Too many open files in system";
    case 24:
        return "Too many open files";
    case 26:
        return "Text file busy";
    case 27:
        return "File too large";
    case 30:
        return "Read-only file system";
    case 36:
        return "File name too long";
    case 40:
        return "Too many levels of symbolic links";
    case 75:
        return "Value too large for defined data type";
    case 95:
        return "Operation not supported";
    default:
        /* glibc's text for an errno it has no name for. */
        snprintf(unknown, sizeof(unknown), "Unknown error %d", errnum);
        return unknown;
    }
}
