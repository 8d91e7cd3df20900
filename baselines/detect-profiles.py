#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Group qemu-img versions whose baselines are identical into profiles.

Usage:
    baselines/detect-profiles.py [--baselines DIR] [--instar PATH] [--check]

Two versions share a profile when every case of the baseline tree
(cli.txt, images/*.txt) stores one outcome for both. Each profile is
named after the instar profile (`instar --qemu-compat=LINE --version`)
of its versions, and the version -> profile map is written to
profiles.tsv; the conformance tests label each test with it.

It fails (exit 1) when a version lands in a profile instar does not
implement:
  - instar refuses the version's `qemu-img --version` line, or
  - versions that behave differently get the same instar profile, so
    instar cannot reproduce both.
With --check it writes nothing and fails when profiles.tsv differs from
what it would write.
"""

import argparse
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
COMPAT_RE = re.compile(r"^qemu-img compatibility: .* \[JSON (\S+), CLI (\S+), "
                       r"sizes (\S+), VHD (.+), drivers (\S+)\]$")


def die(msg):
    print(f"detect-profiles: {msg}", file=sys.stderr)
    sys.exit(1)


def read_versions(base):
    out = []
    with open(os.path.join(base, "versions.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, vline, binary = line.rstrip("\n").split("\t")
            out.append((name, vline, binary))
    return out


def read_partitions(base):
    """{case id: [set of versions sharing one outcome, ...]}"""
    parts = {}
    files = [os.path.join(base, "cli.txt")] + \
        sorted(glob.glob(os.path.join(base, "images", "*.txt")))
    for path in files:
        case = None
        with open(path) as f:
            for line in f:
                if line.startswith("case "):
                    case = line.split(" ")[1]
                    parts[case] = []
                elif line.startswith("versions "):
                    parts[case].append(frozenset(line.split()[1:]))
    return parts


def instar_profile(instar, vline):
    env = {k: v for k, v in os.environ.items() if k != "INSTAR_QEMU_COMPAT"}
    r = subprocess.run([instar, f"--qemu-compat={vline}", "--version"],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        return None
    for line in r.stdout.splitlines():
        m = COMPAT_RE.match(line)
        if m:
            j, c, s, v, d = m.groups()
            vhd = {"legacy CHS": "VHD-chs",
                   "current_size": "VHD-current"}.get(v, v.replace(" ", "-"))
            return f"{j}_{c}_{s}_{vhd}_{d}"
    die(f"cannot read the profile from `{instar} --version`:\n{r.stdout}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--baselines", default=HERE)
    ap.add_argument("--instar", default=os.path.join(os.path.dirname(HERE),
                                                     "build", "instar"))
    ap.add_argument("--check", action="store_true")
    opts = ap.parse_args()
    if not os.access(opts.instar, os.X_OK):
        die(f"no instar binary at {opts.instar} (build it, or pass --instar)")

    versions = read_versions(opts.baselines)
    names = [v[0] for v in versions]
    parts = read_partitions(opts.baselines)

    # Refine {all versions} by every case's partition.
    groups = [frozenset(names)]
    witness = {}  # frozenset(v1, v2) -> a case telling them apart
    for case, blocks in parts.items():
        if set().union(*blocks) != set(names):
            die(f"{case}: outcomes do not cover exactly the versions of "
                "versions.tsv")
        new = []
        for g in groups:
            for b in blocks:
                if g & b:
                    new.append(g & b)
        for g in groups:
            for a in g:
                for b in g:
                    if a < b and not any(a in x and b in x for x in new):
                        witness.setdefault(frozenset((a, b)), case)
        groups = new
    order = {n: i for i, n in enumerate(names)}
    groups.sort(key=lambda g: min(order[n] for n in g))

    prof = {}
    for name, vline, _ in versions:
        p = instar_profile(opts.instar, vline)
        if p is None:
            die(f"{name}: instar has no profile for `{vline}`")
        prof[name] = p

    failed = False
    group_name = {}
    by_profile = {}
    for g in groups:
        members = sorted(g, key=order.get)
        pname = prof[members[0]]
        others = {prof[n] for n in members} - {pname}
        if others:
            print(f"detect-profiles: note: {', '.join(members)} behave the same "
                  f"on every case but instar gives them {pname} and "
                  f"{', '.join(sorted(others))}", file=sys.stderr)
        for n in members:
            q = prof[n]
            if q in by_profile and by_profile[q] is not g:
                other = sorted(by_profile[q], key=order.get)[0]
                case = witness.get(frozenset((n, other)), "?")
                print(f"detect-profiles: {n} and {other} behave differently "
                      f"(e.g. case {case}) but instar maps both to {q}: "
                      f"{n} lands in a profile instar does not implement",
                      file=sys.stderr)
                failed = True
            by_profile.setdefault(q, g)
        for n in members:
            group_name[n] = pname
    if failed:
        sys.exit(1)

    text = ["# Generated by baselines/detect-profiles.py; do not edit.",
            "# version\tprofile (versions with identical baselines; named "
            "after instar's profile)\tinstar's profile for this version"]
    for name in names:
        text.append(f"{name}\t{group_name[name]}\t{prof[name]}")
    text = "\n".join(text) + "\n"
    path = os.path.join(opts.baselines, "profiles.tsv")
    if opts.check:
        try:
            with open(path) as f:
                old = f.read()
        except FileNotFoundError:
            old = None
        if old != text:
            print(f"detect-profiles: {path} is out of date; expected:\n{text}",
                  file=sys.stderr)
            sys.exit(1)
        print(f"detect-profiles: {len(groups)} profiles over {len(names)} "
              "versions, all implemented by instar")
        return
    with open(path, "w") as f:
        f.write(text)
    for g in groups:
        members = sorted(g, key=order.get)
        print(f"detect-profiles: {group_name[members[0]]}: "
              f"{' '.join(members)}", file=sys.stderr)


if __name__ == "__main__":
    main()
