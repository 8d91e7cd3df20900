# SPDX-License-Identifier: GPL-2.0-or-later
# Flags for code that runs on the host (the instar executable, host-side
# libraries and tests). The guest sets its own flags in guest/CMakeLists.txt,
# which is why sanitizers are applied per target and not via CMAKE_C_FLAGS.

set(INSTAR_WARNINGS -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wformat=2 -Wno-unused-parameter)

set(INSTAR_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)

# instar_host_target(<target>): warnings, and sanitizers in the asan preset.
function(instar_host_target target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:C>:${INSTAR_WARNINGS}>)
  target_compile_definitions(${target} PRIVATE _GNU_SOURCE)
  if(INSTAR_SANITIZE)
    target_compile_options(${target} PRIVATE ${INSTAR_SANITIZER_FLAGS})
    target_link_options(${target} PRIVATE ${INSTAR_SANITIZER_FLAGS})
  endif()
endfunction()

# instar_unit_test(<name> SOURCES ... LIBS ...): a Criterion test binary.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CRITERION REQUIRED IMPORTED_TARGET criterion)
function(instar_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  instar_host_target(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CRITERION)
  add_test(NAME ${name} COMMAND ${name} --jobs=1)
  set_tests_properties(${name} PROPERTIES LABELS "unit")
endfunction()
