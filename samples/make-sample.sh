#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerates sample.qcow2, the small image the README's first command maps.
# 16 MiB virtual, 4 KiB clusters so the file stays tiny: two data runs out
# of virtual order, a zeroed range and a discarded one.
set -eu
cd "$(dirname "$0")"
rm -f sample.qcow2
qemu-img create -q -f qcow2 -o cluster_size=4096 sample.qcow2 16M
qemu-io -f qcow2 \
    -c 'write -P 0x11 8M 16k' \
    -c 'write -P 0x22 0 32k' \
    -c 'write -z 8k 8k' \
    -c 'write -P 0x33 4M 4k' \
    -c 'discard 4M 4k' \
    -c 'write -P 0x44 12M 8k' \
    sample.qcow2 >/dev/null
