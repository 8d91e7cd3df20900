#!/usr/bin/env python3
"""Differential testing: random images made by real qemu-img/qemu-io,
mapped by both `qemu-img map` and `instar map`, compared byte for byte.

Each iteration draws, from a seeded generator, a format and subformat
(raw, qcow2 v2/v3 with random cluster sizes and extended L2, vmdk sparse,
vpc dynamic, vhdx), preallocation, a random sequence of writes, zero
writes (with and without unmap), discards and compressed rewrites, and a
random invocation (unaligned windows, past-EOF starts, -l 0, both
outputs, with and without -f). stdout and exit status must be identical;
stderr must be identical after qemu-img's name becomes instar's.

A mismatch is saved as a reproducer directory (the commands, both
outputs) under --out. Reproducible: iteration N of seed S is the same on
every run.

    differential.py --instar build/instar [--qemu-img P --qemu-io P]
                    [--iterations 100] [--seed 1] [--out DIR]
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

K = 1024
M = 1024 * 1024


def recipe(rng):
    """(format, create options, size, qemu-io commands, convert -c?)"""
    fmt = rng.choice(["raw", "qcow2", "qcow2", "qcow2", "vmdk", "vpc",
                      "vhdx"])
    opts = []
    size = rng.choice([1 * M, 3 * M + 512, 8 * M, 64 * M])
    compress = False
    if fmt == "qcow2":
        bits = rng.randint(9, 21)
        if rng.random() < 0.25 and bits >= 14:
            opts.append("extended_l2=on")
        opts.append(f"cluster_size={1 << bits}")
        if rng.random() < 0.2 and "extended_l2=on" not in opts:
            opts.append("compat=0.10")
        if rng.random() < 0.15:
            opts.append("preallocation=" + rng.choice(
                ["metadata", "falloc", "full"]))
        compress = rng.random() < 0.15
    elif fmt == "vmdk":
        if rng.random() < 0.3:
            opts.append("zeroed_grain=on")
    elif fmt == "vpc":
        size = rng.choice([1 * M, 5 * M, 9 * M])
    ops = []
    for _ in range(rng.randint(0, 8)):
        off = rng.randrange(0, size // 512) * 512
        length = min(rng.choice([512, 4 * K, 64 * K, 300 * K, 1 * M]),
                     size - off)
        if length <= 0:
            continue
        kind = rng.random()
        if kind < 0.55 or fmt == "raw" and kind < 0.8:
            ops.append(f"write -P {rng.randint(1, 255)} {off} {length}")
        elif kind < 0.7:
            ops.append(f"write -P 0 {off} {length}")
        elif kind < 0.85 and fmt != "raw":
            ops.append(f"write -z {'-u ' if rng.random() < .5 else ''}"
                       f"{off} {length}")
        elif fmt != "raw":
            ops.append(f"discard {off} {length}")
    return fmt, opts, size, ops, compress


def invocation(rng, size):
    args = []
    if rng.random() < 0.5:
        args.append("--output=json")
    r = rng.random()
    if r < 0.3:
        args += ["-s", str(rng.randrange(0, size + 2 * M))]
    elif r < 0.4:
        args += ["-s", str(size)]
    if rng.random() < 0.3:
        args += ["-l", str(rng.choice([0, 1, 511, 4096, rng.randrange(0, 2 * size)]))]
    return args


def run(argv, cwd):
    p = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--instar", required=True)
    ap.add_argument("--qemu-img", default="qemu-img")
    ap.add_argument("--qemu-io", default="qemu-io")
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="differential-mismatches")
    args = ap.parse_args()
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIPPED: /dev/kvm not available; the differential test did "
              "NOT run", file=sys.stderr)
        return 77
    instar = os.path.abspath(args.instar)
    version = run([args.qemu_img, "--version"], None)[1].decode()
    compat = "--qemu-compat=" + version.splitlines()[0]
    failed = skipped = 0
    for it in range(args.iterations):
        rng = random.Random(f"{args.seed}:{it}")
        fmt, opts, size, ops, compress = recipe(rng)
        work = tempfile.mkdtemp(prefix="instar-diff-")
        name = "img." + {"raw": "raw", "qcow2": "qcow2", "vmdk": "vmdk",
                         "vpc": "vhd", "vhdx": "vhdx"}[fmt]
        cmds = [[args.qemu_img, "create", "-q", "-f", fmt]
                + sum((["-o", o] for o in opts), []) + [name, str(size)]]
        if ops:
            cmds.append([args.qemu_io, "-f", fmt]
                        + sum((["-c", c] for c in ops), []) + [name])
        if compress:
            cmds.append([args.qemu_img, "convert", "-c", "-O", "qcow2",
                         name, "c-" + name])
            cmds.append(["mv", "c-" + name, name])
        ok = True
        for c in cmds:
            if run(c, work)[0] != 0:
                ok = False  # qemu refused this recipe: not a test case
                break
        if not ok:
            skipped += 1
            shutil.rmtree(work)
            continue
        inv = invocation(rng, size)
        if rng.random() < 0.5:
            inv = ["-f", fmt] + inv
        inv.append(name)
        q = run([args.qemu_img, "map"] + inv, work)
        i = run([instar, "map", compat] + inv, work)
        q_err = re.sub(rb"\bqemu-img\b", b"instar", q[2])
        if (q[0], q[1], q_err) != (i[0], i[1], i[2]):
            failed += 1
            dest = os.path.join(args.out, f"seed{args.seed}-it{it}")
            os.makedirs(dest, exist_ok=True)
            with open(os.path.join(dest, "commands.txt"), "w") as f:
                for c in cmds:
                    f.write(" ".join(c) + "\n")
                f.write(" ".join(["qemu-img", "map"] + inv) + "\n")
            for tool, res in (("qemu-img", q), ("instar", i)):
                for part, data in (("stdout", res[1]), ("stderr", res[2])):
                    with open(os.path.join(dest, f"{tool}.{part}"), "wb") as f:
                        f.write(data)
                with open(os.path.join(dest, f"{tool}.status"), "w") as f:
                    f.write(f"{res[0]}\n")
            print(f"MISMATCH iteration {it}: {' '.join(inv)} -> {dest}")
        shutil.rmtree(work)
    print(f"{args.iterations - failed - skipped} passed, {failed} failed, "
          f"{skipped} skipped")
    if skipped > args.iterations // 2:
        print("too many recipes refused by qemu-img: the generator is broken")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
