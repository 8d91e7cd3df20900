#!/usr/bin/env python3
"""Check the corpus end to end (a maintainer tool, not run by the build).

    compare_maps.py [--qemu-img P] [--orig DIR] [--instar BIN] IMAGES_DIR MATERIALISED_DIR

For every image of IMAGES_DIR/manifest.json, runs `qemu-img map` (JSON and
human, with `-f FORMAT` and probed) in MATERIALISED_DIR and
  - with --orig DIR (images kept by `make_corpus.py --keep-images DIR`):
    requires the same stdout, stderr and exit status there, i.e. the
    materialised allocation maps like the freshly made image;
  - with --instar BIN: requires `BIN map --qemu-compat=<qemu-img --version
    line>` to print the same (stderr after qemu-img -> instar).
The page cache of the image is dropped before every run (corpus_fs.py).
Exit 1 on any difference, listing the exact commands.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys

sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_fs  # noqa: E402


def run(argv, cwd, image):
    fd = os.open(os.path.join(cwd, image), os.O_RDONLY)
    corpus_fs.drop_cache(fd)
    os.close(fd)
    r = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=600)
    return r.returncode, r.stdout, r.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu-img", default="/usr/bin/qemu-img")
    ap.add_argument("--orig")
    ap.add_argument("--instar")
    ap.add_argument("images")
    ap.add_argument("mat")
    a = ap.parse_args()
    imgs = json.load(open(os.path.join(a.images, "manifest.json")))["images"]
    compat = subprocess.run([a.qemu_img, "--version"], capture_output=True,
                            text=True).stdout.split("\n")[0]
    instar = os.path.abspath(a.instar) if a.instar else None
    bad = n = 0
    for img in imgs:
        f = img["file"]
        for out in ([], ["--output=json"]):
            for fmt in (["-f", img["format"]], []):
                args = ["map"] + fmt + out + [f]
                q = run([a.qemu_img] + args, a.mat, f)
                checks = []
                if a.orig:
                    checks.append(("orig", [a.qemu_img] + args, a.orig,
                                   run([a.qemu_img] + args, a.orig, f), q))
                if instar:
                    argv = [instar, "map", "--qemu-compat=" + compat] + args[1:]
                    exp = (q[0], q[1], re.sub(rb"\bqemu-img\b", b"instar", q[2]))
                    checks.append(("instar", argv, a.mat, run(argv, a.mat, f), exp))
                for what, argv, cwd, got, exp in checks:
                    n += 1
                    if got != exp:
                        bad += 1
                        print("MISMATCH (%s) %s: (cd %s && %s)\n  expected rc=%d %r %r\n"
                              "  got      rc=%d %r %r" % (
                                  what, img["id"], cwd, shlex.join(argv), exp[0],
                                  exp[1][:600], exp[2][:300], got[0], got[1][:600],
                                  got[2][:300]))
    print("%d comparisons, %d mismatches" % (n, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
