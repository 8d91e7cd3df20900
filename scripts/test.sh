#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's second command: install what is needed, build, and run
# every test: unit, end-to-end and conformance against qemu-img (default
# preset), then a short smoke run of every libFuzzer target (fuzz preset).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)"
ctest --preset default -j"$(nproc)" "$@"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)"
ctest --preset fuzz -j"$(nproc)"
