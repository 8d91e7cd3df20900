#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Replay baseline tests through the test-only instar-inproc, without KVM.

conformance/CMakeLists.txt writes every INSTAR_INPROC_STRIDE-th baseline
test (name, baseline file, case, version, compat line, extra flag) to a
TSV file; this script runs conformance_runner on each of them with
INSTAR_CONFORMANCE_BIN set to instar-inproc, in parallel, and reports
every failure with the runner's diff. One CTest for many cases, because
per-test CTest overhead would be most of the time.

It proves what docs/conformance.md ("Without KVM") says: the real guest
code and the real host code agree with the baselines. It does not run
the product: no KVM, no sandbox, no watchdog.

Exit status: 0 all passed, 1 some failed, 2 harness error.
"""

import argparse
import concurrent.futures
import os
import subprocess
import sys
import time

RUN_TIMEOUT = 300  # seconds per case, as the per-case CTests


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runner", required=True, help="conformance_runner")
    ap.add_argument("--bin", required=True, help="instar-inproc")
    ap.add_argument("--images", required=True, help="materialised corpus")
    ap.add_argument("--cases", required=True, help="TSV written by CMake")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--results", help="write 'name<TAB>PASS|FAIL' lines here")
    args = ap.parse_args()
    # The runner runs in the corpus directory.
    args.runner, args.bin, args.images = (
        os.path.abspath(p) for p in (args.runner, args.bin, args.images))

    for p in (args.runner, args.bin):
        if not os.access(p, os.X_OK):
            print("error: not executable: %s" % p, file=sys.stderr)
            return 2
    cases = []
    with open(args.cases, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                cases.append(line.split("\t"))
    if not cases:
        print("error: no cases in %s" % args.cases, file=sys.stderr)
        return 2

    env = dict(os.environ, INSTAR_CONFORMANCE_BIN=args.bin)

    def run(row):
        name, baseline, case, version, compat = row[:5]
        argv = [args.runner, "--instar", args.bin, "--images", args.images,
                "--baseline", baseline, "--case", case, "--version", version,
                "--compat", compat] + [a for a in row[5:] if a]
        try:
            r = subprocess.run(argv, cwd=args.images, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            return name, 1, "runner timed out after %d s\n" % RUN_TIMEOUT
        out = r.stdout.decode(errors="backslashreplace")
        out += r.stderr.decode(errors="backslashreplace")
        return name, r.returncode, out

    t0 = time.monotonic()
    failed = []
    verdicts = []
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for name, rc, out in pool.map(run, cases):
            # 77 cannot happen with INSTAR_CONFORMANCE_BIN set: a skip
            # here is a failure of this harness, not a pass.
            ok = rc == 0
            verdicts.append("%s\t%s\n" % (name, "PASS" if ok else
                                          "FAIL(%d)" % rc))
            if not ok:
                failed.append(name)
                sys.stdout.write("FAIL %s (runner exit %d)\n%s" %
                                 (name, rc, out))
    if args.results:
        with open(args.results, "w", encoding="utf-8") as f:
            f.writelines(verdicts)
    print("%d passed, %d failed of %d baseline tests through %s in %.1f s"
          % (len(cases) - len(failed), len(failed), len(cases),
             os.path.basename(args.bin), time.monotonic() - t0))
    for name in failed:
        print("failed: %s" % name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
