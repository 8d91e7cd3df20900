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
    switch (errnum) {
    case 1:
        return "Operation not permitted";
    case 2:
        return "No such file or directory";
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
    case 22:
        return "Invalid argument";
    case 27:
        return "File too large";
    case 95:
        return "Operation not supported";
    default:
        return "Unknown error";
    }
}
