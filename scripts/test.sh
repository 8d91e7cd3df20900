#!/bin/sh
# The README's second command: install what is needed, build, and run
# every test (unit, end-to-end against the installed qemu-img).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)"
ctest --preset default -j"$(nproc)" "$@"
