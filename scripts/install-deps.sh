#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what instar needs to build and test on Debian 12, as root.
# Idempotent: when every package is already present it does nothing and
# returns in well under a second (no apt-get update).
set -eu

# groff-base and man-db lint the man pages; dpkg-dev (dpkg-shlibdeps) and
# file let cpack build the .deb with its runtime Depends.
PACKAGES="cmake make gcc clang pkg-config libcriterion-dev libprotobuf-c-dev \
protobuf-c-compiler libcjson-dev libseccomp-dev python3 qemu-utils time \
libclang-rt-14-dev groff-base man-db dpkg-dev file"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run this script as root to install them" >&2
    exit 1
fi

echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
