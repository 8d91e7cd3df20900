#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""End-to-end test: `instar map` must behave exactly like `qemu-img map`.

For every image recipe in IMAGES and every invocation in WINDOWS x OUTPUTS x
FORMAT_MODES (plus the few fixed EXTRA_CASES) both tools are run with the same
arguments after the sub-command, in the work directory, with relative file
names (instar_testing.harness: argv[0] the tool's name, LC_ALL=C, stdin
/dev/null):

    qemu-img map ARGS
    instar --qemu-compat=<first line of `qemu-img --version`> map ARGS

stdout must be byte-identical and the exit status equal.  stderr must be equal
too after the program-name rule of docs/conformance.md (disable with
--no-stderr).

    scripts/py tests/e2e/map_e2e.py [--instar P] [--qemu-img P] [--qemu-io P]
        [--scratch DIR] [--filter S] [-j N] [--no-stderr] [-v]

With --inproc the program under test is the test-only instar-inproc
(tests/inproc/): it needs no /dev/kvm and runs as argv[0] "instar", so
that its messages name the program as instar's do.

Exit status: 0 all passed, 1 some failed, 2 harness error,
77 skipped (no usable /dev/kvm: instar cannot boot its guest).
Stdlib only; no shell is involved anywhere.
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import sys
import tempfile
import time

from instar_testing import cli, harness, kvm
from instar_testing.corpus import CommandFailed, Programs
from instar_testing.images import create, patch_l2, qio, truncate, write_bytes, write_random


# ---------------------------------------------------------------------------
# Image recipes: (file name, format, [argv, ...][, window names]).  The argv
# lists run in order with cwd = workdir.  The optional fourth element restricts
# the image to the named windows (default: every window in WINDOWS).
# ---------------------------------------------------------------------------
IMAGES = [
    # --- raw -------------------------------------------------------------
    ("raw_sparse.raw", "raw", [
        truncate("raw_sparse.raw", "1M"),
        qio("raw", "raw_sparse.raw",
            "write -P 0xaa 64k 64k", "write -P 0x55 256k 4k",
            "write -P 0x66 819712 1536", "write -P 0x77 1020k 4k")]),
    ("raw_full.raw", "raw", [
        truncate("raw_full.raw", "1M"),
        qio("raw", "raw_full.raw", "write -P 0x5a 0 1M")]),
    ("raw_odd1000.raw", "raw", [
        write_bytes("raw_odd1000.raw", b"\xa5", 1000)]),
    ("raw_odd5.raw", "raw", [
        write_bytes("raw_odd5.raw", b"hello", 1)]),
    ("raw_zeros.raw", "raw", [           # explicitly written zeros are data
        truncate("raw_zeros.raw", "1M"),
        qio("raw", "raw_zeros.raw", "write -P 0 64k 128k", "write -P 0 512k 4k")]),
    ("raw_empty.raw", "raw", [
        write_bytes("raw_empty.raw", b"", 0)]),
    ("raw_created.raw", "raw", [         # qemu-img writes the first 4k
        create("raw", "raw_created.raw", "1M")]),
    ("raw_created_small.raw", "raw", [   # < 4k: first 512 bytes written
        create("raw", "raw_created_small.raw", "3000")]),

    # --- qcow2 v3, 64k clusters -----------------------------------------
    ("q_empty.qcow2", "qcow2", [
        create("qcow2", "q_empty.qcow2", "4M")]),
    ("q_data.qcow2", "qcow2", [
        create("qcow2", "q_data.qcow2", "4M"),
        qio("qcow2", "q_data.qcow2",
            "write -P 1 0 64k", "write -P 2 1M 128k", "write -P 3 3M 4k",
            "write -P 4 4032k 64k")]),
    ("q_zero.qcow2", "qcow2", [
        create("qcow2", "q_zero.qcow2", "4M"),
        qio("qcow2", "q_zero.qcow2",
            "write -P 1 0 256k",
            "write -z 64k 64k",          # allocated -> ZERO_ALLOC (keeps offset)
            "write -z -u 128k 64k",      # allocated, unmap -> ZERO_PLAIN
            "write -z 1M 128k",          # unallocated -> ZERO_PLAIN
            "write -z -u 2M 64k",        # unallocated, unmap
            "write -P 2 3M 64k")]),
    ("q_discard.qcow2", "qcow2", [
        create("qcow2", "q_discard.qcow2", "4M"),
        qio("qcow2", "q_discard.qcow2",
            "write -P 1 0 256k", "discard 64k 64k", "discard 192k 64k",
            "discard 2M 128k")]),
    ("q_mix.qcow2", "qcow2", [           # the example of the spec, section 5.2
        create("qcow2", "q_mix.qcow2", "4M"),
        qio("qcow2", "q_mix.qcow2",
            "write -P 1 0 64k", "write -P 2 128k 64k", "write -z 256k 64k",
            "write -P 3 384k 64k", "write -z 384k 64k", "write -P 4 512k 4k",
            "write -P 5 640k 64k", "discard 640k 64k", "write -P 6 1M 1M")]),
    ("q_reverse.qcow2", "qcow2", [       # host order != guest order
        create("qcow2", "q_reverse.qcow2", "4M"),
        qio("qcow2", "q_reverse.qcow2",
            "write -P 1 3M 64k", "write -P 2 2M 64k", "write -P 3 1M 128k",
            "write -P 4 192k 64k", "write -P 5 128k 64k", "write -P 6 0 64k")]),
    ("q_compressed.qcow2", "qcow2", [
        truncate("q_compsrc.raw", "4M"),
        qio("raw", "q_compsrc.raw",
            "write -P 0x11 1M 1M", "write -P 0x22 3M 64k"),
        write_random("q_compsrc.raw", 2 * 1048576 + 65536, 65536, 1),  # stays uncompressed
        ["qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2",
         "q_compsrc.raw", "q_compressed.qcow2"]]),
    ("q_v2.qcow2", "qcow2", [            # no zero flag: write -z deallocates
        create("qcow2", "q_v2.qcow2", "4M", "compat=0.10"),
        qio("qcow2", "q_v2.qcow2",
            "write -P 1 0 192k", "write -z 64k 64k", "write -z 1M 64k",
            "write -P 2 2M 64k")]),
    ("q_c512.qcow2", "qcow2", [
        create("qcow2", "q_c512.qcow2", "1M", "cluster_size=512"),
        qio("qcow2", "q_c512.qcow2",
            "write -P 1 0 4k", "write -P 2 65536 512", "write -P 3 66560 1024",
            "write -z 8k 1k", "write -P 4 1047552 1k")]),
    ("q_c2m.qcow2", "qcow2", [
        create("qcow2", "q_c2m.qcow2", "16M", "cluster_size=2M"),
        qio("qcow2", "q_c2m.qcow2",
            "write -P 1 0 64k", "write -P 2 6M 2M", "write -P 3 4M 4k",
            "write -z 10M 2M")]),
    ("q_extl2.qcow2", "qcow2", [         # subclusters (spec 5.2 example)
        create("qcow2", "q_extl2.qcow2", "1M", "extended_l2=on"),
        qio("qcow2", "q_extl2.qcow2",
            "write -P 1 0 4k", "write -P 2 8k 2k", "write -z 64k 8k",
            "write -P 3 128k 4k", "write -z 132k 4k")]),
    # Corruption found mid-walk: the entries before it, then qemu's two
    # error lines, exit 1, and no closing bracket.
    ("q_bad_l2_offset.qcow2", "qcow2", [   # L1[1] -> unaligned L2 table
        create("qcow2", "q_bad_l2_offset.qcow2", "1G"),
        qio("qcow2", "q_bad_l2_offset.qcow2",
            "write -P 1 0 64k", "write -P 2 600M 64k"),
        patch_l2("q_bad_l2_offset.qcow2", 1, -1, 0x200)]),
    ("q_extl2_bad.qcow2", "qcow2", [       # alloc and zero bits both set
        create("qcow2", "q_extl2_bad.qcow2", "1M", "extended_l2=on"),
        qio("qcow2", "q_extl2_bad.qcow2",
            "write -P 1 4k 4k", "write -z 64k 8k", "write -P 2 200k 64k"),
        patch_l2("q_extl2_bad.qcow2", 0, 3 * 16 + 8, 0xffffffff << 32)]),
    ("q_1t.qcow2", "qcow2", [
        create("qcow2", "q_1t.qcow2", "1T"),
        qio("qcow2", "q_1t.qcow2",
            "write -P 1 0 64k", "write -P 2 300G 128k", "write -z 600G 64k",
            "write -P 3 1099511562240 64k")]),   # the last cluster
    # Offsets >= 2^52: the human columns touch.  A full walk of ~4.3 PiB takes
    # qemu-img about 1 s, so only windows starting near the data are run.
    ("q_4p.qcow2", "qcow2", [
        create("qcow2", "q_4p.qcow2", str(0x11300000000000 + 8 * 1048576),
               "cluster_size=2M"),
        qio("qcow2", "q_4p.qcow2",
            "write -P 7 0x11300000000000 2M", "write -P 1 0 64k")],
     ["s2p52", "s_hex", "s_end", "s_past", "l0", "s1000_l4096", "s1000_l5000",
      "s1000_lmax", "long_opts"]),
    ("q_prealloc_meta.qcow2", "qcow2", [  # RECURSE heuristic fires
        create("qcow2", "q_prealloc_meta.qcow2", "4M", "preallocation=metadata"),
        qio("qcow2", "q_prealloc_meta.qcow2", "write -P 1 64k 64k")]),
    ("q_prealloc_falloc.qcow2", "qcow2", [
        create("qcow2", "q_prealloc_falloc.qcow2", "4M", "preallocation=falloc")]),
    ("q_prealloc_full.qcow2", "qcow2", [
        create("qcow2", "q_prealloc_full.qcow2", "4M", "preallocation=full")]),
]

# ---------------------------------------------------------------------------
# Invocations per image.  {end} = virtual size from `qemu-img info`,
# {past} = end + 1M, {big} = end + 1M used as a length.
# ---------------------------------------------------------------------------
WINDOWS = [
    ("all",         []),
    ("s1000",       ["-s", "1000"]),                  # mid-cluster, unaligned
    ("s66048",      ["-s", "66048"]),                 # 64k+512: mid-cluster
    ("s65536",      ["-s", "65536"]),                 # cluster boundary
    ("s_end",       ["-s", "{end}"]),                 # exactly at the end
    ("s_past",      ["-s", "{past}"]),                # beyond EOF
    ("l0",          ["-l", "0"]),
    ("s1000_l4096", ["-s", "1000", "-l", "4096"]),    # shorter than a cluster
    ("l_big",       ["-l", "{big}"]),                 # longer than the image
    ("s1000_l5000", ["-s", "1000", "-l", "5000"]),
    # start+len wraps negative -> one zero-length entry (6.0+); 5.2 instead
    # rejects INT64_MAX as out of range (its size parser goes through double).
    ("s1000_lmax",  ["-s", "1000", "-l", "9223372036854775807"]),
    ("long_opts",   ["--start-offset=1000", "--max-length=5000"]),
]
# Only for images that name them.
EXTRA_WINDOWS = [
    ("s2p52",       ["-s", str(1 << 52)]),
    ("s_hex",       ["-s", "0x112fffffff0000"]),   # hex size argument
]
OUTPUTS = [("human", []), ("json", ["--output=json"])]
FORMAT_MODES = ["fmt", "probe"]   # with `-f <format>` / without -f

# Fixed cases (args after `map`), mostly error paths.
EXTRA_CASES = [
    ("err:nonexistent:human",      ["nonexistent.img"]),
    ("err:nonexistent:json",       ["--output=json", "nonexistent.img"]),
    ("err:wrong_fmt_qcow2_on_raw", ["-f", "qcow2", "raw_sparse.raw"]),
    ("err:wrong_fmt_json",         ["--output=json", "-f", "qcow2", "raw_zeros.raw"]),
    ("misc:qcow2_as_raw:json",     ["--output=json", "-f", "raw", "q_mix.qcow2"]),
    ("misc:qcow2_as_raw:human",    ["-f", "raw", "q_mix.qcow2"]),
]


# ---------------------------------------------------------------------------
class Harness:
    def __init__(self, args, tools):
        self.args = args
        self.tools = tools
        self.programs = Programs(tools.qemu_img, args.qemu_io)
        self.workdir = None

    def log(self, msg):
        if self.args.verbose:
            print(msg, file=sys.stderr, flush=True)

    # -- setup ------------------------------------------------------------
    def make_image(self, recipe):
        """Build one image; return its virtual size or raise RuntimeError."""
        name, fmt, cmds = recipe[:3]
        path = os.path.join(self.workdir, name)
        if os.path.lexists(path):       # a reused --scratch
            os.unlink(path)
        try:
            self.programs.run_all(name, cmds, self.workdir, timeout=harness.DEFAULT_TIMEOUT)
        except CommandFailed as e:
            raise RuntimeError(str(e))
        r = self.tools.qemu(["info", "--output=json", "-f", fmt, name], self.workdir)
        if r.status != 0:
            raise RuntimeError("%s: qemu-img info failed: %s"
                               % (name, r.stderr.decode(errors="replace")))
        return json.loads(r.stdout)["virtual-size"]

    # -- cases ------------------------------------------------------------
    def cases(self, sizes):
        out = []
        all_windows = dict(WINDOWS + EXTRA_WINDOWS)
        for name, fmt, _, *only in IMAGES:
            if name not in sizes:
                continue
            end = sizes[name]
            vals = {"end": str(end), "past": str(end + 1048576),
                    "big": str(end + 1048576)}
            wnames = only[0] if only else [w for w, _ in WINDOWS]
            for wname in wnames:
                wargs = all_windows[wname]
                wargs = [a.format(**vals) for a in wargs]
                for oname, oargs in OUTPUTS:
                    for mode in FORMAT_MODES:
                        fargs = ["-f", fmt] if mode == "fmt" else []
                        cname = "%s:%s:%s:%s" % (name, oname, wname, mode)
                        out.append((cname, fargs + oargs + wargs + [name]))
        out += EXTRA_CASES
        f = self.args.filter
        return [c for c in out if not f or f in c[0]]

    def run_case(self, case):
        cname, margs = case
        c = self.tools.map_both(margs, self.workdir, compare_stderr=not self.args.no_stderr)
        return cname, c.ok, c.report() if not c.ok or self.args.verbose else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    cli.add_tool_args(ap, qemu_io=True,
                      scratch="work directory, kept (default: a temporary directory, "
                              "removed on success)")
    ap.add_argument("--filter", help="run only cases whose name contains this substring")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="parallel workers (default 2)")
    ap.add_argument("--no-stderr", action="store_true", help="do not compare stderr")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--inproc", action="store_true",
                    help="--instar is the test-only instar-inproc: no /dev/kvm "
                         "needed, run as argv[0] 'instar'")
    args = ap.parse_args()

    if not args.inproc:
        kvm.require("this test")
    try:
        tools = harness.Tools(args.qemu_img, args.instar)
        args.qemu_io = harness.find_program(args.qemu_io)
    except harness.ToolError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    h = Harness(args, tools)
    h.log("profile: --qemu-compat=%s" % tools.compat)

    if args.scratch:
        os.makedirs(args.scratch, exist_ok=True)
        h.workdir = os.path.abspath(args.scratch)
    else:
        h.workdir = tempfile.mkdtemp(prefix="instar-map-e2e-")
    h.log("workdir: %s" % h.workdir)

    t0 = time.monotonic()
    passed = failed = 0
    sizes = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futs = {pool.submit(h.make_image, rec): rec[0] for rec in IMAGES}
        for fut, name in futs.items():
            try:
                sizes[name] = fut.result()
            except Exception as e:  # noqa: BLE001 - report any setup problem
                print("FAIL setup:%s\n%s" % (name, e), flush=True)
                failed += 1
        h.log("images ready in %.1fs" % (time.monotonic() - t0))
        for cname, ok, report in pool.map(h.run_case, h.cases(sizes)):
            print("%s %s" % ("ok" if ok else "FAIL", cname), flush=True)
            if report:
                sys.stdout.write(report)
            if ok:
                passed += 1
            else:
                failed += 1

    h.log("wall time %.1fs" % (time.monotonic() - t0))
    if failed:
        print("workdir kept: %s" % h.workdir, file=sys.stderr)
    elif not args.scratch:
        shutil.rmtree(h.workdir, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
