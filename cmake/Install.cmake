# SPDX-License-Identifier: GPL-2.0-or-later
# What `cmake --install` puts under the prefix, and the CPack .deb built
# from the same rules: the instar executable (the guest is embedded in
# it), the man pages, the documentation and the bash completion.

include(GNUInstallDirs)

# Installing (and cpack, which runs the `preinstall` target) does not
# rebuild the tree first: build, then install. Otherwise every cpack run
# pays for an up-to-date check of the whole build, corpus included.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

find_program(INSTAR_GZIP gzip REQUIRED)

set(INSTAR_MAN_PAGES instar.1 instar-map.1)
set(INSTAR_MAN_GZ "")
foreach(page IN LISTS INSTAR_MAN_PAGES)
  set(src ${PROJECT_SOURCE_DIR}/man/${page})
  set(gz ${PROJECT_BINARY_DIR}/man/${page}.gz)
  # -n: no name or time stamp in the header, so the .deb is reproducible.
  add_custom_command(
    OUTPUT ${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND sh -c "'${INSTAR_GZIP}' -9nc '${src}' > '${gz}'"
    DEPENDS ${src}
    COMMENT "Compressing man page ${page}"
    VERBATIM)
  list(APPEND INSTAR_MAN_GZ ${gz})
endforeach()
add_custom_target(instar_man ALL DEPENDS ${INSTAR_MAN_GZ})

install(TARGETS instar RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${INSTAR_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES README.md CHANGELOG.md CONTRIBUTING.md LICENSE
              packaging/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
        FILES_MATCHING PATTERN "*.md")
install(FILES completions/instar.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME instar)

# --- CPack: one .deb ----------------------------------------------------------
set(INSTAR_PACKAGE_MAINTAINER "instar maintainers <maintainers@instar.invalid>"
    CACHE STRING "Maintainer field of the .deb")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME instar)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${INSTAR_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "sandboxed drop-in replacement for qemu-img map")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"sandboxed drop-in replacement for qemu-img map
instar map prints what qemu-img map prints for a disk image, byte for
byte, for a chosen qemu-img release (5.2 and later, including Debian's
10.0.x packages). The image is parsed inside a small KVM guest, never by
the host process, which is confined by seccomp before the guest runs.
.
Formats: raw, qcow2, vmdk, vpc (VHD) and vhdx. Needs /dev/kvm.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The runtime Depends (libc6, libseccomp2, libprotobuf-c1) come from
# dpkg-shlibdeps on the installed executable, so they follow what it links.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_INSTALL_DIRECTORY instar)
include(CPack)
