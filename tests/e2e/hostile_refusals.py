#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""instar on the hostile images that have no baseline.

Some hostile images make qemu-img itself hang (a backing chain that loops
until it runs out of descriptors, a FIFO it blocks on for ever), so no
baseline can be recorded (manifest field `no_baseline`). For each of them
and every release profile, `instar map` (human and JSON, probed and with
-f) must end within TIMEOUT seconds with exit status 1, nothing on stdout
and clear `instar: ...` lines on stderr (a file the path policy refuses
gets the refusal, then qemu's open error).

    scripts/py tests/e2e/hostile_refusals.py [--instar P]
        --manifest conformance/images/manifest.json
        --images DIR   (DIR: the materialised corpus)
        [--inproc]     (the binary is the test-only instar-inproc: no
                        /dev/kvm needed)
"""
import argparse
import json
import sys

from instar_testing import cli, harness, kvm

TIMEOUT = 10
COMPATS = ["5.2", "7.2", "10.0", "11.1"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    cli.add_tool_args(ap, qemu_img=False)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--images", required=True)
    ap.add_argument("--inproc", action="store_true")
    a = ap.parse_args()
    if not a.inproc:
        kvm.require("this test")
    instar = harness.find_program(a.instar)
    with open(a.manifest) as f:
        images = [i for i in json.load(f)["images"] if i.get("no_baseline")]
    if not images:
        print("FAIL: the manifest names no image without a baseline", file=sys.stderr)
        return 1
    bad = runs = 0
    for img in images:
        for compat in COMPATS:
            for fmt in ([], ["-f", img["format"]]):
                for out in ([], ["--output=json"]):
                    runs += 1
                    r = harness.run(instar, ["--qemu-compat=" + compat, "map"] + fmt + out
                                    + [img["file"]], argv0="instar", cwd=a.images,
                                    timeout=TIMEOUT)
                    if r.timed_out:
                        print("FAIL %s: no answer in %d s: %s" % (img["id"], TIMEOUT,
                                                                 r.command()))
                        bad += 1
                        continue
                    err = r.stderr.decode(errors="replace")
                    lines = err.splitlines()
                    if (r.status != 1 or r.stdout or not lines or not err.endswith("\n")
                            or not all(l.startswith("instar: ") for l in lines)):
                        print("FAIL %s: %s\n  exit %s, stdout %r, stderr %r"
                              % (img["id"], r.command(), r.status_text(), r.stdout[:200],
                                 err[:300]))
                        bad += 1
                    elif compat == COMPATS[-1] and not fmt and not out:
                        print("ok   %s (qemu-img: %s)\n     %s"
                              % (img["id"], img["no_baseline"], err.strip()))
    print("%d runs over %d images, %d failures" % (runs, len(images), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
