#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerates the seed corpora in fuzz/corpus/ from small images made with
# qemu-img/qemu-io. A fuzz_map input is 16 parameter bytes, then an image.
set -eu
cd "$(dirname "$0")"
out=corpus/fuzz_map
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
params() { printf '\001\002\003\000%b\003\000\020\000\000\000\040\000\000\000\000' "$1"; }
seed() { # seed NAME FORMAT-PARAM FILE
    { params "$2"; cat "$3"; } > "$out/$1"
}
qemu-img create -q -f qcow2 -o cluster_size=512 "$tmp/q.qcow2" 64k
qemu-io -f qcow2 -c 'write -P 1 0 1k' -c 'write -z 4k 1k' -c 'write -P 2 9k 512' "$tmp/q.qcow2" >/dev/null
seed qcow2-512 '\002' "$tmp/q.qcow2"
qemu-img create -q -f qcow2 -o cluster_size=512,compat=0.10 "$tmp/q2.qcow2" 32k
qemu-io -f qcow2 -c 'write -P 1 1k 1k' "$tmp/q2.qcow2" >/dev/null
seed qcow2-v2 '\000' "$tmp/q2.qcow2"
qemu-img create -q -f vpc "$tmp/v.vhd" 64k
seed vpc-dynamic '\000' "$tmp/v.vhd"
qemu-img create -q -f vmdk -o subformat=monolithicSparse "$tmp/s.vmdk" 64k
head -c 20000 "$tmp/s.vmdk" > "$tmp/s-head.vmdk"
seed vmdk-sparse-head '\003' "$tmp/s-head.vmdk"
printf '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\n# Extent description\nRW 128 FLAT "fuzz.img" 0\n\nddb.virtualHWVersion = "4"\n' > "$tmp/d.vmdk"
seed vmdk-descriptor '\000' "$tmp/d.vmdk"
printf 'hello raw' > "$tmp/r.raw"
seed raw '\001' "$tmp/r.raw"

# The hostile tier of the conformance corpus (conformance/corpus/hostile.py),
# materialised, as seeds probed and with their format: each image file's
# first 16 KiB (a seed's size slows every execution of the target).
../scripts/py ../conformance/corpus/materialize.py ../conformance/images "$tmp/hostile" >/dev/null
python3 - "$tmp/hostile" <<'PY'
import json, os, sys
root = os.path.dirname(os.path.abspath("."))
images = sys.argv[1]
fmt = {"raw": 1, "qcow2": 2, "vmdk": 3, "vpc": 4, "vhdx": 5}
params = bytes([1, 2, 3, 6, 0, 3, 0, 16, 0, 0, 0, 32, 0, 0, 0, 0])  # D2 rules
for img in json.load(open(os.path.join(root, "conformance/images/manifest.json")))["images"]:
    if img["tier"] != "hostile":
        continue
    with open(os.path.join(images, img["file"]), "rb") as f:
        data = f.read(16384)
    p = bytearray(params)
    p[4] = fmt[img["format"]]
    with open("corpus/fuzz_map/hostile-" + img["id"], "wb") as f:
        f.write(bytes(p) + data)
PY
