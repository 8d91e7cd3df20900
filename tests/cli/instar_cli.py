#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""instar's own command line, without booting a guest: option and command
errors, the environment variables, the /dev/kvm error, and that every
instar-only option and environment variable is in `instar --help` and in
both man pages.

The option and variable names are read from the sources (the option names
in impl/cli/instar_args.c, every getenv("INSTAR_...") under impl/), so one
added later without documentation fails this test.

Usage: instar_cli.py --instar PATH --source DIR
"""
import argparse
import os
import re
import subprocess
import sys

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def run(instar, args, env=None, cwd=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith("INSTAR_")}
    e["LC_ALL"] = "C"
    e.update(env or {})
    p = subprocess.run([instar] + args, env=e, cwd=cwd, capture_output=True,
                       stdin=subprocess.DEVNULL, timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def instar_options(src):
    text = open(os.path.join(src, "impl/cli/instar_args.c")).read()
    return sorted(set(re.findall(r'"(--[a-z][a-z-]+)"', text)))


def instar_variables(src):
    found = set()
    for root, _, files in os.walk(os.path.join(src, "impl")):
        for f in files:
            if f.endswith((".c", ".h")):
                text = open(os.path.join(root, f), errors="replace").read()
                found |= set(re.findall(r'getenv\(\s*"(INSTAR_[A-Z0-9_]+)"',
                                        text))
    return sorted(found)


def man_text(src, page):
    """The page with roff's escaped hyphens made plain."""
    text = open(os.path.join(src, "man", page)).read()
    return text.replace("\\-", "-")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--instar", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    instar, src = a.instar, a.source
    sample = os.path.join(src, "samples", "sample.qcow2")

    # Unknown options and commands.
    rc, out, err = run(instar, ["--bogus"])
    check(rc == 1 and out == "" and err ==
          "instar: unknown option '--bogus'\n"
          "Try 'instar --help' for more information\n",
          "instar --bogus: %d %r %r" % (rc, out, err))
    rc, out, err = run(instar, ["bogus"])
    check(rc == 1 and err.startswith("instar: unknown command 'bogus'\n"),
          "instar bogus: %d %r" % (rc, err))

    # Every instar-only option and variable is documented.
    opts = instar_options(src)
    variables = instar_variables(src)
    check("--qemu-compat" in opts and "--allow-path" in opts,
          "option names not found in instar_args.c: %r" % opts)
    check(set(variables) >= {"INSTAR_QEMU_COMPAT", "INSTAR_TIMEOUT_SECONDS",
                             "INSTAR_IDLE_SECONDS"},
          "variable names not found in impl/: %r" % variables)
    rc, help_out, err = run(instar, ["--help"])
    check(rc == 0 and err == "", "instar --help: %d %r" % (rc, err))
    pages = {p: man_text(src, p) for p in ("instar.1", "instar-map.1")}
    for name in opts + variables:
        check(name in help_out, "%s is not in instar --help" % name)
        for page, text in pages.items():
            check(name in text, "%s is not in man/%s" % (name, page))

    # Invalid values of instar's variables are errors before anything runs.
    for var in ("INSTAR_TIMEOUT_SECONDS", "INSTAR_IDLE_SECONDS"):
        for value in ("abc", "0", "-1", "86401", "10s", " 5"):
            rc, out, err = run(instar, ["map", sample], {var: value})
            want = ("instar: invalid %s value '%s': expected a whole number "
                    "of seconds from 1 to 86400\n" % (var, value))
            check(rc == 1 and out == "" and err == want,
                  "%s=%r: %d %r %r" % (var, value, rc, out, err))
    rc, out, err = run(instar, ["map", sample],
                       {"INSTAR_QEMU_COMPAT": "bogus"})
    check(rc == 1 and err.startswith(
        "instar: unsupported INSTAR_QEMU_COMPAT value 'bogus'\n"),
        "INSTAR_QEMU_COMPAT=bogus: %d %r" % (rc, err))

    # Without /dev/kvm the error says how to fix it.
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        for env in ({}, {"INSTAR_TIMEOUT_SECONDS": "",
                         "INSTAR_IDLE_SECONDS": "60"}):
            rc, out, err = run(instar, ["map", sample], env)
            lines = err.splitlines()
            check(rc == 1 and out == "" and len(lines) == 1 and
                  lines[0].startswith("instar: cannot open /dev/kvm: ") and
                  ("kvm_intel" in err or "'kvm' group" in err),
                  "map without /dev/kvm (%r): %d %r" % (env, rc, err))
    else:
        print("note: /dev/kvm is usable here; the /dev/kvm error text is "
              "not checked")

    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("ok: %d options, %d variables documented; errors as expected"
          % (len(opts), len(variables)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
