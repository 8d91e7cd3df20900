/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest is one flat binary loaded at GUEST_IMAGE_ADDR. Everything,
 * .bss included, must end below the stack region: the image limit is
 * checked here at link time, not only on the flattened file. The build
 * runs this file through the C preprocessor so that both numbers come
 * from instar_abi.h; __image_max carries the limit to the build's own
 * size check (cmake/CheckGuestSize.cmake).
 */
#include "instar_abi.h"

ENTRY(_start)

SECTIONS
{
    . = GUEST_IMAGE_ADDR;
    __image_start = .;
    .text : {
        KEEP(*(.text.entry))
        *(.text .text.*)
    }
    .rodata : { *(.rodata .rodata.*) }
    .data : { *(.data .data.*) }
    __file_end = .;
    .bss (NOLOAD) : {
        __bss_start = .;
        *(.bss .bss.* COMMON)
        __bss_end = .;
    }
    __image_end = .;
    /DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) }
}

__image_max = GUEST_IMAGE_MAX;
ASSERT(__image_end - __image_start <= GUEST_IMAGE_MAX,
       "guest image (text+data+bss) exceeds GUEST_IMAGE_MAX")
