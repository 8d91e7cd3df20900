# SPDX-License-Identifier: GPL-2.0-or-later
# Fails the build when the guest image, .bss included, exceeds its limit.
# The limit is GUEST_IMAGE_MAX of instar_abi.h, which the linker script
# exports as the absolute symbol __image_max (and asserts itself); this
# check prints the numbers and covers the flattened file too.
execute_process(COMMAND ${NM} ${ELF} OUTPUT_VARIABLE syms)
foreach(sym __image_start __image_end __image_max)
  string(REGEX MATCH "([0-9a-f]+) [A-Za-z] ${sym}\n" _ "${syms}")
  if(NOT CMAKE_MATCH_1)
    message(FATAL_ERROR "guest: ${sym} not found in ${ELF}")
  endif()
  set(${sym} "${CMAKE_MATCH_1}")
endforeach()
math(EXPR total "0x${__image_end} - 0x${__image_start}")
math(EXPR limit "0x${__image_max}")
file(SIZE ${BIN} flat)
if(total GREATER limit OR flat GREATER limit)
  message(FATAL_ERROR "guest image is ${total} bytes with .bss (file ${flat}); limit ${limit}")
endif()
message(STATUS "guest image: ${flat} bytes in file, ${total} bytes with .bss (limit ${limit})")
