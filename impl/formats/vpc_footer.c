/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VHD footer: checksum and the virtual-size rule of vpc_open(). */
#include "vpc.h"

#include "compat.h"
#include "endian.h"

bool vpc_footer_checksum_ok(const uint8_t *footer)
{
    uint32_t sum = 0;
    unsigned i;

    for (i = 0; i < VPC_FOOTER_SIZE; i++)
        if (i < VPC_F_CHECKSUM || i >= VPC_F_CHECKSUM + 4)
            sum += footer[i];
    return (uint32_t)~sum == load_be32(footer + VPC_F_CHECKSUM);
}

/*
 * Which creators are sized by their CHS geometry. Up to 9.2 every creator
 * but Hyper-V, qemu's force_size mode, disk2vhd, XenConverter and
 * XenServer; from 10.0 only Virtual PC and qemu itself.
 */
static bool creator_uses_chs(const uint8_t *app, uint32_t rule)
{
    if (rule == VHD_SIZE_CHS)
        return memcmp(app, "win ", 4) != 0 && memcmp(app, "qem2", 4) != 0 &&
               memcmp(app, "d2v ", 4) != 0 && memcmp(app, "CTXS", 4) != 0 &&
               memcmp(app, "tap\0", 4) != 0;
    return memcmp(app, "vpc ", 4) == 0 || memcmp(app, "qemu", 4) == 0;
}

uint64_t vpc_total_sectors(const uint8_t *footer, uint32_t rule)
{
    uint64_t chs = (uint64_t)load_be16(footer + VPC_F_CYLS) *
                   footer[VPC_F_HEADS] * footer[VPC_F_SECS];

    if (!creator_uses_chs(footer + VPC_F_CREATOR_APP, rule) ||
        chs == VPC_MAX_GEOMETRY)
        return load_be64(footer + VPC_F_CURRENT) / 512;
    return chs;
}
