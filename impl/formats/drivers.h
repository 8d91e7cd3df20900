/* The driver tables image_open() chooses from. */
#ifndef INSTAR_FORMATS_DRIVERS_H
#define INSTAR_FORMATS_DRIVERS_H

#include "node.h"

/* The protocol driver over a host device (qemu's file-posix "file"). */
extern const struct format_driver file_driver;
/* raw format: every query passes through to the file node. */
extern const struct format_driver raw_driver;
/* qcow2 v2/v3. */
extern const struct format_driver qcow2_driver;

#endif
