#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Side-by-side benchmark of `instar map` and `qemu-img map`.

Builds a few images (the bundled sample, a synthetic qcow2 whose clusters
are allocated in reverse so that every cluster is its own extent, and a
raw file with many data/hole runs), runs both tools on each in the same
run, checks that their outputs are identical, and reports wall time and
peak RSS of each with the instar/qemu-img ratio.

    scripts/py bench/map_bench.py [--instar P] [--qemu-img P]
        [--extents 1000000] [--runs 3] [--scratch DIR]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

from instar_testing import ROOT, cli, harness, kvm
from instar_testing.images import sparse_raw, synthetic_qcow2


def run(argv):
    """Wall time and stdout of one run."""
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t1 = time.perf_counter()
    if p.returncode != 0:
        sys.exit(f"{argv[0]} failed ({p.returncode}): {p.stderr.decode()}")
    return t1 - t0, p.stdout


def peak_rss(argv):
    """Peak RSS (KiB) of one run, from GNU time (Debian package `time`).

    Measured by a fresh process because a child forked from this
    interpreter inherits its high-water mark across exec."""
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return int(p.stderr.decode().strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    cli.add_tool_args(ap, scratch="where the images are made (default: the system's "
                                  "temporary directory)")
    ap.add_argument("--extents", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    kvm.require("the benchmark")
    try:
        tools = harness.Tools(args.qemu_img, args.instar, timeout=3600)
    except harness.ToolError as e:
        sys.exit(f"error: {e}")
    compat = "--qemu-compat=" + tools.compat
    with tempfile.TemporaryDirectory(dir=args.scratch) as d:
        qcow = os.path.join(d, "many.qcow2")
        raw = os.path.join(d, "runs.raw")
        synthetic_qcow2(qcow, args.extents)
        sparse_raw(raw, max(1, args.extents // 10))
        cases = [("sample.qcow2", os.path.join(ROOT, "samples", "sample.qcow2")),
                 (f"qcow2, {args.extents} extents", qcow),
                 (f"raw, {2 * max(1, args.extents // 10)} extents", raw)]
        print(f"qemu-img: {tools.compat}")
        print(f"{'image':32} {'output':6} {'qemu-img s':>10} {'instar s':>9}"
              f" {'ratio':>6} {'qemu RSS':>9} {'instar RSS':>10}")
        for name, path in cases:
            for out in ("json", "human"):
                q = [tools.qemu_img, "map", "--output=" + out, path]
                i = [tools.instar, compat, "map", "--output=" + out, path]
                tq = min(run(q)[0] for _ in range(args.runs))
                ti = min(run(i)[0] for _ in range(args.runs))
                c = tools.map_both(["--output=" + out, path])
                if not c.ok:
                    sys.exit(f"the tools differ on {name} ({out}):\n{c.report()}")
                rq, ri = peak_rss(q), peak_rss(i)
                print(f"{name:32} {out:6} {tq:10.3f} {ti:9.3f} "
                      f"{ti / tq:6.2f} {rq:8d}K {ri:9d}K")


if __name__ == "__main__":
    main()
