#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The man pages render without a single warning and carry the project's
version: `groff -ww -t -man -z` and `man --warnings -l` print nothing on
stderr for each page, and its .TH line names "instar VERSION".

Usage: check_man.py --source DIR --version X.Y.Z
"""
import argparse
import os
import subprocess
import sys

PAGES = ("instar.1", "instar-map.1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--version", required=True)
    a = ap.parse_args()
    env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80")
    bad = 0
    for page in PAGES:
        path = os.path.join(a.source, "man", page)
        text = open(path).read()
        th = [l for l in text.splitlines() if l.startswith(".TH ")]
        if len(th) != 1 or '"instar %s"' % a.version not in th[0]:
            print("%s: .TH must name \"instar %s\": %r" % (page, a.version, th))
            bad += 1
        for cmd in (["groff", "-ww", "-t", "-man", "-z", path],
                    ["man", "--warnings", "-l", path]):
            p = subprocess.run(cmd, env=env, capture_output=True,
                               stdin=subprocess.DEVNULL, timeout=60)
            if p.returncode != 0 or p.stderr:
                print("%s: `%s` exit %d:\n%s" % (page, " ".join(cmd),
                      p.returncode, p.stderr.decode(errors="replace")))
                bad += 1
            if cmd[0] == "man" and b"SYNOPSIS" not in p.stdout:
                print("%s: man -l rendered no SYNOPSIS" % page)
                bad += 1
    if bad:
        return 1
    print("ok: %s render without warnings" % ", ".join(PAGES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
