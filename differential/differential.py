#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Differential testing: random images made by real qemu-img/qemu-io,
mapped by both `qemu-img map` and `instar map`, compared byte for byte.

Each iteration draws, from a seeded generator, one recipe:

  * a single-file image: raw, qcow2 v2/v3 (random cluster sizes, extended
    L2, preallocation, compressed rewrites), vmdk monolithicSparse (with
    and without zeroed grains), vpc dynamic and fixed, vhdx dynamic and
    fixed;
  * a multi-file image made by qemu-img: vmdk monolithicFlat,
    twoGbMaxExtentSparse and twoGbMaxExtentFlat (virtual sizes up to
    5 GiB, so several extent files), streamOptimized (converted from a
    random raw), qcow2 with an external data file (with and without
    data_file_raw=on);
  * a vmdk descriptor written by this script: several extents of mixed
    types (FLAT with and without an offset, VMFS, SPARSE from qemu-img
    create or streamOptimized, ZERO), RW,
    RDONLY and NOACCESS access, comment and blank lines, CRLF line ends,
    the descriptor and extents in subdirectories, invoked by a relative
    path with a directory part;

then a random sequence of writes, zero writes (with and without unmap),
discards and compressed rewrites, and a random invocation (unaligned
windows, past-EOF starts, -l 0, both outputs, with and without -f).
Both tools run in the scratch directory (qemu resolves a qcow2 data file
against the working directory and vmdk extents against the descriptor's
directory); every file stays inside it, as instar's path policy wants
(docs/security.md). stdout and exit status must be identical; stderr
must be identical after the program-name rule (docs/conformance.md).

A mismatch is saved as a reproducer directory under --out: commands.sh
(every file's creation, runnable from an empty directory, then the map
command), the files the script wrote itself, both outputs. Reproducible:
iteration N of seed S is the same on every run.

    scripts/py differential/differential.py [--instar P] [--qemu-img P]
        [--qemu-io P] [--iterations 100] [--seed 1] [--out DIR] [--scratch DIR]
"""
import argparse
import os
import random
import shlex
import shutil
import sys
import tempfile

from instar_testing import cli, harness, images, kvm
from instar_testing.corpus import Programs

K = 1024
M = 1024 * 1024
G = 1024 * M


class Case:
    """One image: the steps that make it, the name to map, its format."""

    def __init__(self, kind):
        self.kind = kind
        self.steps = []     # ("cmd", argv) | ("file", path, bytes)
        self.image = None   # path to map, relative to the scratch dir
        self.fmt = None     # driver for -f
        self.size = 0       # virtual size (roughly), for the windows
        self.f_prob = 0.5   # how often -f is passed

    def cmd(self, *argv, may_fail=False):
        self.steps.append(("cmd", list(argv), may_fail))

    def mkdir(self, path):
        if path and ("cmd", ["mkdir", "-p", path], False) not in self.steps:
            self.cmd("mkdir", "-p", path)

    def file(self, path, data):
        self.steps.append(("file", path, data))


def io_ops(rng, size, fmt, n_max=8, base=0):
    """Random qemu-io commands over [base, base + size)."""
    ops = []
    if size < 512:
        return ops
    for _ in range(rng.randint(0, n_max)):
        off = rng.randrange(0, size // 512) * 512
        length = min(rng.choice([512, 4 * K, 64 * K, 300 * K, 1 * M]),
                     size - off)
        if length <= 0:
            continue
        off += base
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
    return ops


def qemu_io(case, fmt, name, ops, may_fail=False):
    if ops:
        case.cmd(*images.qio(fmt, name, *ops), may_fail=may_fail)


def create(case, fmt, opts, name, size):
    case.cmd(*images.create(fmt, name, size, *opts))


def qcow2_cluster_opts(rng, opts):
    """A random qcow2 cluster size, sometimes with extended L2 entries."""
    bits = rng.randint(9, 21)
    if rng.random() < 0.25 and bits >= 14:
        opts.append("extended_l2=on")
    opts.append(f"cluster_size={1 << bits}")


def single(rng, case):
    """The original recipes: one file made by qemu-img create."""
    fmt = rng.choice(["raw", "qcow2", "qcow2", "qcow2", "vmdk", "vpc",
                      "vhdx"])
    opts = []
    size = rng.choice([1 * M, 3 * M + 512, 8 * M, 64 * M])
    compress = False
    if fmt == "qcow2":
        qcow2_cluster_opts(rng, opts)
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
    elif fmt == "vhdx":
        if rng.random() < 0.2:
            opts.append(f"block_size={rng.choice([1, 8, 32]) * M}")
        if rng.random() < 0.2:
            opts.append("block_state_zero=off")
    name = "img." + {"raw": "raw", "qcow2": "qcow2", "vmdk": "vmdk",
                     "vpc": "vhd", "vhdx": "vhdx"}[fmt]
    create(case, fmt, opts, name, size)
    qemu_io(case, fmt, name, io_ops(rng, size, fmt))
    if compress:
        case.cmd("qemu-img", "convert", "-c", "-O", "qcow2", name, "c-" + name)
        case.cmd("mv", "c-" + name, name)
    case.image, case.fmt, case.size = name, fmt, size


def fixed(rng, case):
    """vpc subformat=fixed (probed as raw without -f) and vhdx fixed."""
    fmt = rng.choice(["vpc", "vhdx"])
    opts = ["subformat=fixed"]
    if fmt == "vpc":
        size = rng.choice([1 * M, 5 * M, 9 * M, 20 * M + 512])
        if rng.random() < 0.3:
            opts.append("force_size=on")
        case.f_prob = 0.85
    else:
        size = rng.choice([1 * M, 3 * M + 512, 8 * M, 40 * M])
        if rng.random() < 0.3:
            opts.append(f"block_size={rng.choice([1, 2, 8, 32]) * M}")
        if rng.random() < 0.2:
            opts.append("block_state_zero=off")
    name = "img." + ("vhd" if fmt == "vpc" else "vhdx")
    create(case, fmt, opts, name, size)
    qemu_io(case, fmt, name, io_ops(rng, size, fmt))
    case.image, case.fmt, case.size = name, fmt, size


def vmdk_split(rng, case):
    """vmdk subformats made of a descriptor and extent files."""
    sub = rng.choice(["monolithicFlat", "twoGbMaxExtentSparse",
                      "twoGbMaxExtentFlat", "monolithicSparse"])
    sizes = [1 * M, 3 * M + 512, 8 * M, 64 * M]
    if sub != "monolithicSparse":
        sizes += [2 * G - 64 * K, 2 * G, 2 * G + 64 * K, 3 * G + 512,
                  5 * G, 4 * G + 3 * M]
    size = rng.choice(sizes)
    opts = [f"subformat={sub}"]
    if "Sparse" in sub and rng.random() < 0.3:
        opts.append("zeroed_grain=on")
    d = rng.choice(["", "", "d/", "d/e/"])
    case.mkdir(d.rstrip("/"))
    name = d + "img.vmdk"
    create(case, "vmdk", opts, name, size)
    ops = io_ops(rng, size, "vmdk")
    if size > 2 * G and rng.random() < 0.6:   # across an extent's end
        edge = rng.randrange(1, size // (2 * G) + 1) * 2 * G
        off = edge - rng.randrange(1, 2 * K) * 512
        ops.append(f"write -P {rng.randint(1, 255)} {off} "
                   f"{min(rng.choice([4 * K, 1 * M]), size - off)}")
    qemu_io(case, "vmdk", name, ops)
    case.image = rng.choice(["", "./"]) + name if d else name
    case.fmt, case.size = "vmdk", size


def vmdk_stream(rng, case):
    """streamOptimized, converted from a random raw."""
    size = rng.choice([64 * K, 1 * M, 3 * M + 512, 8 * M, 64 * M])
    create(case, "raw", [], "src.raw", size)
    qemu_io(case, "raw", "src.raw", io_ops(rng, size, "raw"))
    case.cmd("qemu-img", "convert", "-O", "vmdk", "-o",
             "subformat=streamOptimized", "src.raw", "img.vmdk")
    case.image, case.fmt, case.size = "img.vmdk", "vmdk", size


def qcow2_data_file(rng, case):
    """qcow2 with an external data file named relative to the cwd."""
    size = rng.choice([1 * M, 3 * M + 512, 8 * M, 64 * M])
    data = rng.choice(["img.data", "img data.raw", "data/img.data"])
    if "/" in data:
        case.mkdir("data")
    opts = [f"data_file={data}"]
    if rng.random() < 0.5:
        opts.append("data_file_raw=on")
    qcow2_cluster_opts(rng, opts)
    if rng.random() < 0.15:
        opts.append("preallocation=" + rng.choice(
            ["metadata", "falloc", "full"]))
    create(case, "qcow2", opts, "img.qcow2", size)
    qemu_io(case, "qcow2", "img.qcow2", io_ops(rng, size, "qcow2"))
    case.image, case.fmt, case.size = "img.qcow2", "qcow2", size


def vmdk_descriptor(rng, case):
    """A descriptor written here, over extent files made by qemu-img."""
    ddir = rng.choice(["", "d/", "d/", "d/e/"])
    case.mkdir(ddir.rstrip("/"))
    eol = "\r\n" if rng.random() < 0.3 else "\n"

    def sep():
        return rng.choice([" ", " ", " ", "  ", "\t"])

    lines, flats, total, rw_total = [], [], 0, 0
    for i in range(rng.randint(1, 5)):
        typ = rng.choice(["FLAT", "FLAT", "SPARSE", "SPARSE", "ZERO",
                          "VMFS"])
        access = rng.choice(["RW"] * 8 + ["RDONLY", "NOACCESS"])
        sectors = rng.choice([1, 128, 2048, 3000, 4096, 16384])
        where = rng.choice(["", "", "x/"] + (["../"] if ddir else []))
        base = rng.choice([f"ext{i}", f"ext {i}"])
        lead = rng.choice(["", "", "", " ", "\t"])
        if typ == "ZERO":
            lines.append(f"{lead}{access}{sep()}{sectors}{sep()}ZERO")
            total += sectors * 512
            continue
        if typ in ("FLAT", "VMFS"):
            offset = 0
            if typ == "FLAT" and rng.random() < 0.5:
                offset = rng.choice([1, 7, 128, 2048, rng.randrange(1, 5000)])
            if flats and rng.random() < 0.15:
                fname = rng.choice(flats)   # two extents in one file
            else:
                fname = where + base + ".raw"
                path = os.path.normpath(ddir + fname)
                case.mkdir(os.path.dirname(path))
                nbytes = (offset + sectors) * 512
                if rng.random() < 0.1:
                    nbytes = rng.randrange(0, nbytes // 512 + 1) * 512
                create(case, "raw", [], path, nbytes)
                qemu_io(case, "raw", path, io_ops(rng, nbytes, "raw", 3))
                flats.append(fname)
            line = f"{lead}{access}{sep()}{sectors}{sep()}{typ}{sep()}\"{fname}\""
            if typ == "FLAT":
                line += f"{sep()}{offset}"
        else:
            fname = where + base + ".vmdk"
            path = os.path.normpath(ddir + fname)
            case.mkdir(os.path.dirname(path))
            cap = sectors
            if rng.random() < 0.1:
                cap = rng.choice([128, 2048, 8192])
            if rng.random() < 0.2:   # streamOptimized: compressed grains
                src = path + ".src"
                create(case, "raw", [], src, cap * 512)
                qemu_io(case, "raw", src, io_ops(rng, cap * 512, "raw", 3))
                case.cmd("qemu-img", "convert", "-O", "vmdk", "-o",
                         "subformat=streamOptimized", src, path)
            else:
                opts = ["zeroed_grain=on"] if rng.random() < 0.3 else []
                create(case, "vmdk", opts, path, cap * 512)
                qemu_io(case, "vmdk", path,
                        io_ops(rng, cap * 512, "vmdk", 3))
            line = f"{lead}{access}{sep()}{sectors}{sep()}SPARSE{sep()}\"{fname}\""
        if rng.random() < 0.1:
            line += rng.choice([" ", "\t", " # trailing"])
        lines.append(line)
        total += sectors * 512
        if access == "RW":
            rw_total += sectors * 512
    ct = rng.choice(["monolithicFlat", "monolithicFlat",
                     "twoGbMaxExtentSparse", "twoGbMaxExtentFlat", "vmfs"])
    text = []
    if rng.random() < 0.2:   # probe: comments and spaces before version=
        text += rng.choice([["# comment"], ["   "], [""]])
    if rng.random() < 0.8:
        text.append("# Disk DescriptorFile")
    text += ["version=1", f"CID={rng.getrandbits(32):08x}",
             "parentCID=ffffffff", f'createType="{ct}"', "",
             "# Extent description"]
    for line in lines:
        while rng.random() < 0.15:
            text.append(rng.choice(["# a comment", "", "   ",
                                    "#RW 4 FLAT \"nothing\" 0"]))
        text.append(line)
    text += ["", "# The Disk Data Base", "#DDB", "",
             'ddb.virtualHWVersion = "4"',
             'ddb.geometry.cylinders = "16"', 'ddb.geometry.heads = "16"',
             'ddb.geometry.sectors = "63"', 'ddb.adapterType = "ide"']
    body = eol.join(text) + (eol if rng.random() < 0.8 else "")
    name = ddir + "desc.vmdk"
    case.file(name, body.encode())
    if rng.random() < 0.4:   # writes through the descriptor; may fail
        qemu_io(case, "vmdk", name, io_ops(rng, rw_total, "vmdk", 4),
                may_fail=True)
    case.image = rng.choice(["", "./"]) + name if ddir else name
    if ddir and rng.random() < 0.1:
        case.image = ddir.rstrip("/") + "//desc.vmdk"
    case.fmt, case.size = "vmdk", max(total, 512)
    case.f_prob = 0.7


RECIPES = [(single, 40), (fixed, 10), (vmdk_split, 16), (vmdk_stream, 6),
           (qcow2_data_file, 12), (vmdk_descriptor, 16)]


def recipe(rng):
    fn = rng.choices([r[0] for r in RECIPES], [r[1] for r in RECIPES])[0]
    case = Case(fn.__name__)
    fn(rng, case)
    return case


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


def printf(path, data):
    fmt = (data.decode().replace("\\", "\\\\").replace("%", "%%")
           .replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t"))
    return f"printf {shlex.quote(fmt)} > {shlex.quote(path)}"


def save(dest, seed, it, case, c, programs, inv, compat):
    """The reproducer of a mismatch (docs/differential.md)."""
    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    with open(os.path.join(dest, "commands.sh"), "w") as f:
        f.write(f"#!/bin/sh\n# seed {seed} iteration {it} "
                f"({case.kind}); {compat}\n"
                "# run in an empty directory\nset -e\n")
        for step in case.steps:
            if step[0] == "file":
                f.write(printf(step[1], step[2]) + "\n")
                saved = os.path.join(dest, "files", step[1])
                os.makedirs(os.path.dirname(saved), exist_ok=True)
                with open(saved, "wb") as g:
                    g.write(step[2])
            else:
                f.write(shlex.join(programs.argv(step[1]))
                        + (" || true\n" if step[2] else "\n"))
        f.write(shlex.join([programs.qemu_img, "map"] + inv) + "\n")
        f.write("# " + shlex.join([c.instar.program] + c.instar.argv[1:]) + "\n")
    for tname, res in (("qemu-img", c.qemu), ("instar", c.instar)):
        for part, data in (("stdout", res.stdout), ("stderr", res.stderr)):
            with open(os.path.join(dest, f"{tname}.{part}"), "wb") as f:
                f.write(data)
        with open(os.path.join(dest, f"{tname}.status"), "w") as f:
            f.write(f"{res.status_text()}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    cli.add_tool_args(ap, qemu_io=True,
                      scratch="where each iteration's scratch directory is made "
                              "(default: the system's temporary directory)")
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--first", type=int, default=0,
                    help="first iteration (to rerun one: --first N "
                         "--iterations 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="differential-mismatches",
                    help="where mismatches are saved (default: %(default)s)")
    ap.add_argument("--keep", action="store_true",
                    help="leave each mismatch's scratch directory in place")
    ap.add_argument("--verbose", action="store_true",
                    help="say why a recipe was refused")
    args = ap.parse_args()
    kvm.require("the differential test")
    try:
        tools = harness.Tools(args.qemu_img, args.instar)
        programs = Programs(tools.qemu_img, harness.find_program(args.qemu_io))
    except harness.ToolError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.scratch:
        os.makedirs(args.scratch, exist_ok=True)
    failed = skipped = 0
    kinds = {}
    for it in range(args.first, args.first + args.iterations):
        rng = random.Random(f"{args.seed}:{it}")
        case = recipe(rng)
        work = tempfile.mkdtemp(prefix="instar-diff-", dir=args.scratch)
        ok = True
        for step in case.steps:
            if step[0] == "file":
                with open(os.path.join(work, step[1]), "wb") as f:
                    f.write(step[2])
            else:
                res = programs.run(step[1], work)
                if res.returncode and not step[2]:
                    ok = False  # qemu refused this recipe: not a test case
                    if args.verbose:
                        print(f"skipped iteration {it} ({case.kind}): "
                              f"{shlex.join(step[1])}: "
                              f"{(res.stdout + res.stderr).decode(errors='replace').strip()}")
                    break
        if not ok:
            skipped += 1
            shutil.rmtree(work)
            continue
        kinds[case.kind] = kinds.get(case.kind, 0) + 1
        inv = invocation(rng, case.size)
        if rng.random() < case.f_prob:
            inv = ["-f", case.fmt] + inv
        inv.append(case.image)
        c = tools.map_both(inv, work)
        if not c.ok:
            failed += 1
            dest = os.path.join(args.out, f"seed{args.seed}-it{it}")
            save(dest, args.seed, it, case, c, programs, inv, tools.compat)
            if args.keep:   # not copied: its files can be 5 GiB sparse
                with open(os.path.join(dest, "scratch"), "w") as f:
                    f.write(work + "\n")
            print(f"MISMATCH iteration {it} ({case.kind}): "
                  f"{' '.join(inv)} -> {dest}", flush=True)
            if args.keep:
                continue
        shutil.rmtree(work)
    print(f"{args.iterations - failed - skipped} passed, {failed} failed, "
          f"{skipped} skipped; ran: "
          + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    if skipped > args.iterations // 2:
        print("too many recipes refused by qemu-img: the generator is broken")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
