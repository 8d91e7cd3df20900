# SPDX-License-Identifier: GPL-2.0-or-later
# The Python test scripts import the package conformance/lib/instar_testing
# (conformance/lib/instar_testing/README.md). This is the one place that
# makes it importable for CMake and CTest: run them as
#
#   COMMAND ${INSTAR_PYTHON} path/to/script.py ARGS...
#
# By hand, scripts/py does the same: scripts/py path/to/script.py ARGS...

find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(INSTAR_PYTHONPATH "${PROJECT_SOURCE_DIR}/conformance/lib")
# No __pycache__ in the source tree.
set(INSTAR_PYTHON "${CMAKE_COMMAND}" -E env "PYTHONPATH=${INSTAR_PYTHONPATH}"
    PYTHONDONTWRITEBYTECODE=1 "${Python3_EXECUTABLE}")
