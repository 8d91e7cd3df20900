#!/usr/bin/env python3
"""Side-by-side benchmark of `instar map` and `qemu-img map`.

Builds a few images (the bundled sample, a synthetic qcow2 whose clusters
are allocated in reverse so that every cluster is its own extent, and a
raw file with many data/hole runs), runs both tools on each in the same
run, checks that their outputs are identical, and reports wall time and
peak RSS of each with the instar/qemu-img ratio.

    bench/map_bench.py --instar build/instar [--qemu-img qemu-img]
                       [--extents 1000000] [--runs 3]
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def synthetic_qcow2(path, clusters, cluster_bits=16):
    """A v3 qcow2 with `clusters` allocated clusters, host order reversed.

    Only metadata is written; data clusters lie past EOF (map does not read
    them). Refcounts are left empty, which map never checks beyond the
    preallocation heuristic (it then stays off).
    """
    cs = 1 << cluster_bits
    l2_entries = cs // 8
    l2_tables = (clusters + l2_entries - 1) // l2_entries
    l1_off = 3 * cs
    l1_size = l2_tables
    l1_bytes = (l1_size * 8 + cs - 1) // cs * cs
    l2_base = l1_off + l1_bytes
    data_base = l2_base + l2_tables * cs
    with open(path, "wb") as f:
        hdr = struct.pack(">4sIQIIQIIQQIIQQQQII", b"QFI\xfb", 3, 0, 0,
                          cluster_bits, clusters * cs, 0, l1_size, l1_off,
                          cs, 1, 0, 0, 0, 0, 0, 4, 104)
        f.write(hdr.ljust(cs, b"\0"))
        f.write(b"\0" * cs)                       # refcount table (empty)
        f.write(b"\0" * cs)                       # spare cluster
        l1 = b"".join(struct.pack(">Q", (l2_base + i * cs) | 1 << 63)
                      for i in range(l2_tables))
        f.write(l1.ljust(l1_bytes, b"\0"))
        for t in range(l2_tables):
            entries = []
            for j in range(l2_entries):
                c = t * l2_entries + j
                if c >= clusters:
                    entries.append(b"\0" * 8)
                    continue
                host = data_base + (clusters - 1 - c) * cs
                entries.append(struct.pack(">Q", host | 1 << 63))
            f.write(b"".join(entries))


def sparse_raw(path, runs, block=4096):
    """A raw file with `runs` data blocks separated by holes."""
    with open(path, "wb") as f:
        f.truncate(2 * runs * block)
        payload = b"\xa5" * block
        for i in range(runs):
            f.seek(2 * i * block)
            f.write(payload)


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
    ap.add_argument("--instar", required=True)
    ap.add_argument("--qemu-img", default="qemu-img")
    ap.add_argument("--extents", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    version = subprocess.run([args.qemu_img, "--version"], check=True,
                             stdout=subprocess.PIPE).stdout.decode()
    compat = "--qemu-compat=" + version.splitlines()[0]
    with tempfile.TemporaryDirectory() as d:
        qcow = os.path.join(d, "many.qcow2")
        raw = os.path.join(d, "runs.raw")
        synthetic_qcow2(qcow, args.extents)
        sparse_raw(raw, max(1, args.extents // 10))
        cases = [("sample.qcow2", os.path.join(HERE, "..", "samples",
                                               "sample.qcow2")),
                 (f"qcow2, {args.extents} extents", qcow),
                 (f"raw, {2 * max(1, args.extents // 10)} extents", raw)]
        print(f"qemu-img: {version.splitlines()[0]}")
        print(f"{'image':32} {'output':6} {'qemu-img s':>10} {'instar s':>9}"
              f" {'ratio':>6} {'qemu RSS':>9} {'instar RSS':>10}")
        for name, path in cases:
            for out in ("json", "human"):
                q = [args.qemu_img, "map", "--output=" + out, path]
                i = [args.instar, "map", compat, "--output=" + out, path]
                tq = min(run(q)[0] for _ in range(args.runs))
                ti = min(run(i)[0] for _ in range(args.runs))
                oq, oi = run(q)[1], run(i)[1]
                if oq != oi:
                    for tool, o in (("qemu-img", oq), ("instar", oi)):
                        with open(f"/tmp/bench-{tool}.out", "wb") as f:
                            f.write(o)
                    sys.exit(f"outputs differ for {name} ({out}); see "
                             "/tmp/bench-*.out")
                rq, ri = peak_rss(q), peak_rss(i)
                print(f"{name:32} {out:6} {tq:10.3f} {ti:9.3f} "
                      f"{ti / tq:6.2f} {rq:8d}K {ri:9d}K")


if __name__ == "__main__":
    main()
