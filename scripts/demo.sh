#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's first command: install what is needed, build, and map the
# bundled sample image with instar.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)" >/dev/null
echo "\$ instar map samples/sample.qcow2" >&2
./build/instar map samples/sample.qcow2
echo "\$ instar map --output=json samples/sample.qcow2" >&2
./build/instar map --output=json samples/sample.qcow2
