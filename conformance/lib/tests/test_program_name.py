#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The program-name rule is one rule: the conformance runner's C code
(conformance/runner/program_name.c, through program_name_filter) and the
Python package's (instar_testing.program_name) must turn the same inputs
into the same bytes, and both must give the expected bytes for the cases
below.

    test_program_name.py --filter build/conformance/program_name_filter
                         [--baselines baselines]

The inputs: the CASES table, and every baseline file (all of qemu-img's
recorded output, still escaped, which does not matter for the rule).
"""
import argparse
import glob
import os
import subprocess
import sys

from instar_testing import program_name

# (input, expected): qemu-img's own name, hints naming the tool, text
# from the image, line starts and mid-line, and edge cases.
CASES = [
    (b"qemu-img: Could not open 'x': No such file or directory\n",
     b"instar: Could not open 'x': No such file or directory\n"),
    (b"qemu-img map: invalid option -- 'x'\n", b"instar map: invalid option -- 'x'\n"),
    (b"Try 'qemu-img --help' for more information\n",
     b"Try 'instar --help' for more information\n"),
    (b"usage: qemu-img [standard options] command [command options]\n",
     b"usage: instar [standard options] command [command options]\n"),
    (b"qemu-img version 7.2.22 (Debian)\n", b"instar version 7.2.22 (Debian)\n"),
    (b"qemu-img map [--object objectdef] filename\n",
     b"instar map [--object objectdef] filename\n"),
    # hints that name the tool to run stay
    (b"You can force-remove this extra metadata with qemu-img check -r all\n",) * 2,
    (b"To replay the log, run:\nqemu-img check -r all 'img.vhdx'\n",) * 2,
    # names from the image stay unless they look like qemu-img naming itself
    (b"Could not open 'd\nqemu-img x': No such file or directory\n",) * 2,
    (b"Unknown protocol 'nonexistent\nqemu-img'\n",) * 2,
    (b"qemu-img: Could not open 'a\nqemu-img: fake'\n",
     b"instar: Could not open 'a\ninstar: fake'\n"),
    # mid-line, line starts, several per line, no newline
    (b"x qemu-img: y qemu-img: z", b"x instar: y instar: z"),
    (b"\nqemu-img x", b"\nqemu-img x"),
    (b"\nqemu-img:", b"\ninstar:"),
    (b"qemu-img:qemu-img map", b"instar:instar map"),
    (b"qemu-imgqemu-img:", b"qemu-imginstar:"),
    (b"qemu-img-11.1.3: error", b"qemu-img-11.1.3: error"),
    (b"/usr/bin/qemu-img: error", b"/usr/bin/instar: error"),
    (b"qemu-img mapx", b"instar mapx"),
    (b"qemu-img ma", b"qemu-img ma"),
    (b"qemu-img", b"qemu-img"),
    (b"qemu-img ", b"qemu-img "),
    (b"qemu-img -", b"qemu-img -"),
    (b"qemu-im:", b"qemu-im:"),
    (b"QEMU-IMG: x", b"QEMU-IMG: x"),
    (b"qemu-img\tmap", b"qemu-img\tmap"),
    (b"qemu-img convert: x", b"qemu-img convert: x"),
    (b"qemu-img\x00: x", b"qemu-img\x00: x"),
    (b"\xffqemu-img: \xfe", b"\xffinstar: \xfe"),
    (b"", b""),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--filter", required=True, help="the C rule (program_name_filter)")
    ap.add_argument("--baselines", help="baseline tree whose files are more inputs")
    a = ap.parse_args()
    inputs = [(c[0], c[1], "case %d" % i) for i, c in enumerate(CASES)]
    if a.baselines:
        files = sorted(glob.glob(os.path.join(a.baselines, "**", "*.txt"), recursive=True))
        if not files:
            print("FAIL: no baseline files in %s" % a.baselines)
            return 1
        for p in files:
            with open(p, "rb") as f:
                inputs.append((f.read(), None, os.path.relpath(p, a.baselines)))
    bad = 0
    for text, expected, what in inputs:
        c = subprocess.run([a.filter], input=text, capture_output=True, check=True).stdout
        py = program_name.apply(text)
        if c != py:
            bad += 1
            print("FAIL %s: C and Python differ\n  input  %r\n  C      %r\n  Python %r"
                  % (what, text[:300], c[:300], py[:300]))
        elif expected is not None and py != expected:
            bad += 1
            print("FAIL %s: both give %r, expected %r" % (what, py, expected))
    if program_name.apply(CASES[0][0].decode()) != CASES[0][1].decode():
        bad += 1
        print("FAIL: the rule on str differs from the rule on bytes")
    print("%d inputs, %d failures" % (len(inputs), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
