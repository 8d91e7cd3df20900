#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""instar and its standard streams: closed descriptors, lost output.

    scripts/py tests/e2e/output_streams.py [--instar P] [--inproc]

- A standard descriptor the caller closed (`<&-`, `>&-`, `2>&-`) is
  reopened on /dev/null: the map still succeeds, with the same output on
  the streams that are open (qemu-img maps in all three cases). Before,
  the image landed on descriptor 0-2, which the sandbox does not let the
  guest read, and the process died of SIGSYS.
- Output that cannot be written is an error: `>/dev/full` exits 1 with
  one line naming the error; a reader that goes away (`| head -c 100`)
  ends the run at once with status 1 and no message, instead of mapping
  to the end. (qemu-img exits 0 in both: docs/quirks.md.)

With --inproc the binary is the test-only instar-inproc (no /dev/kvm
needed); without it the test needs /dev/kvm and skips loudly (77).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

from instar_testing import cli, harness, kvm

RUNS = 12800            # data/hole runs of the test image: ~1 MiB of JSON
RUN = 8192


def make_image(path):
    """A raw file of RUNS 4 KiB data runs, each followed by a hole."""
    with open(path, "wb") as f:
        f.truncate(RUNS * RUN)
        for i in range(RUNS):
            f.seek(i * RUN)
            f.write(b"x" * 4096)


def run(instar, args, cwd, close=(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, timeout=60):
    """instar ARGS with argv[0] "instar" and the descriptors in CLOSE
    closed in the child."""
    def closer():
        for fd in close:
            os.close(fd)
    return subprocess.run(["instar"] + args, executable=instar, cwd=cwd,
                          env=harness.tool_env(), stdin=subprocess.DEVNULL,
                          stdout=stdout, stderr=stderr, timeout=timeout,
                          preexec_fn=closer)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    cli.add_tool_args(ap, qemu_img=False)
    ap.add_argument("--inproc", action="store_true")
    a = ap.parse_args()
    if not a.inproc:
        kvm.require("this test")
    instar = harness.find_program(a.instar)
    failures = []

    def check(what, ok, detail=""):
        print("%s %s%s" % ("ok  " if ok else "FAIL", what,
                            "" if ok else ": " + detail))
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="instar-streams.") as d:
        make_image(os.path.join(d, "runs.raw"))
        args = ["map", "--output=json", "runs.raw"]
        ref = run(instar, args, d)
        check("reference map", ref.returncode == 0 and ref.stdout.count(b"\n")
              == 2 * RUNS, "status %d, stderr %r" % (ref.returncode,
                                                     ref.stderr[:200]))

        r = run(instar, args, d, close=(0,))
        check("stdin closed", r.returncode == 0 and r.stdout == ref.stdout,
              "status %d, stderr %r" % (r.returncode, r.stderr[:200]))
        r = run(instar, args, d, close=(1,), stdout=None)
        check("stdout closed", r.returncode == 0 and r.stderr == b"",
              "status %d, stderr %r" % (r.returncode, r.stderr[:200]))
        r = run(instar, args, d, close=(2,), stderr=None)
        check("stderr closed", r.returncode == 0 and r.stdout == ref.stdout,
              "status %d" % r.returncode)

        with open("/dev/full", "wb") as full:
            r = run(instar, args, d, stdout=full)
        want = b"instar: error writing output: No space left on device\n"
        check("stdout is /dev/full", r.returncode == 1 and r.stderr == want,
              "status %d, stderr %r" % (r.returncode, r.stderr[:200]))

        # A reader that stops after 100 bytes: instar must stop too.
        start = time.monotonic()
        p = subprocess.Popen(["instar"] + args, executable=instar, cwd=d,
                             env=harness.tool_env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdout.read(100)
        p.stdout.close()
        err = p.stderr.read()
        status = p.wait(timeout=60)
        took = time.monotonic() - start
        check("reader went away", status == 1 and err == b"",
              "status %d, stderr %r, %.1f s" % (status, err[:200], took))

    print("%d passed, %d failed" % (6 - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
