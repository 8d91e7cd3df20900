#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check the corpus end to end (a maintainer tool, not run by the build).

    scripts/py conformance/corpus/compare_maps.py [--qemu-img P] [--orig DIR]
        [--instar P] IMAGES_DIR MATERIALISED_DIR

For every image of IMAGES_DIR/manifest.json (but those qemu-img cannot map,
`no_baseline`), runs `qemu-img map` (JSON and
human, with `-f FORMAT` and probed) in MATERIALISED_DIR and
  - with --orig DIR (images kept by `make_corpus.py --keep-images DIR`):
    requires the same stdout, stderr and exit status there, i.e. the
    materialised allocation maps like the freshly made image;
  - with --instar P: requires `P --qemu-compat=<qemu-img --version line>
    map` to print the same (stderr after the program-name rule).
The page cache of the image is dropped before every run (corpus_fs.py).
Exit 1 on any difference, listing the exact commands.
"""

import argparse
import json
import os
import sys

from instar_testing import cli, corpus_fs, harness, kvm


def drop_cache(path):
    fd = os.open(path, os.O_RDONLY)
    corpus_fs.drop_cache(fd)
    os.close(fd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    cli.add_tool_args(ap)
    ap.add_argument("--orig", metavar="DIR", help="the images as make_corpus.py made them")
    ap.add_argument("--no-instar", action="store_true", help="only compare with --orig")
    ap.add_argument("images")
    ap.add_argument("mat")
    a = ap.parse_args()
    if not a.no_instar:
        kvm.require("the instar comparison of compare_maps.py (use --no-instar)")
    try:
        tools = harness.Tools(a.qemu_img, None if a.no_instar else a.instar, timeout=600)
    except harness.ToolError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    with open(os.path.join(a.images, "manifest.json")) as f:
        imgs = json.load(f)["images"]
    bad = n = 0
    for img in imgs:
        if img.get("no_baseline"):      # qemu-img hangs on it
            continue
        f = img["file"]
        for out in ([], ["--output=json"]):
            for fmt in (["-f", img["format"]], []):
                args = fmt + out + [f]
                checks = []
                if a.orig:
                    def run(d):
                        drop_cache(os.path.join(d, f))
                        return tools.qemu(["map"] + args, d)
                    c = harness.Comparison(run(a.mat), run(a.orig), rule=False,
                                           labels=("materialised", "original"))
                    checks.append(("orig", c.ok, c.report()))
                if not a.no_instar:
                    c = tools.map_both(args, a.mat,
                                       before=lambda: drop_cache(os.path.join(a.mat, f)))
                    checks.append(("instar", c.ok, c.report()))
                for what, ok, report in checks:
                    n += 1
                    if not ok:
                        bad += 1
                        print("MISMATCH (%s) %s:\n%s" % (what, img["id"], report))
    print("%d comparisons, %d mismatches" % (n, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
