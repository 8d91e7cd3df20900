# SPDX-License-Identifier: GPL-2.0-or-later
"""The program-name rule of docs/conformance.md, as the conformance runner
applies it (conformance/runner/program_name.c; the CTest
`program_name/c_vs_python` runs both over the same inputs).

qemu-img's output names qemu-img in two ways: as itself (its `qemu-img: `
error prefix, glibc's `qemu-img map: invalid option`, the Try and usage
lines, the help texts) and as a tool for the user to run (`... with
qemu-img check -r all`), besides text that comes from the image (a file
name holding `\\nqemu-img x`). instar prints its own name in the first
case only, so in qemu-img's output `qemu-img` becomes `instar` exactly
where one of SELF follows it: `:`, ` map`, ` --help`, ` [`, ` version`.

    python3 -m instar_testing.program_name < QEMU_OUTPUT   the rule as a filter
"""
import re
import sys

# What follows `qemu-img` where qemu-img names itself.
SELF = (":", " map", " --help", " [", " version")

_RULE = re.compile(b"qemu-img(?=" + b"|".join(re.escape(s.encode()) for s in SELF) + b")")


def apply(text):
    """TEXT (bytes or str) as instar prints it: `qemu-img` naming itself
    becomes `instar`, everything else stays."""
    if isinstance(text, str):
        return apply(text.encode("utf-8", "surrogateescape")).decode(
            "utf-8", "surrogateescape")
    return _RULE.sub(b"instar", text)


def main():
    sys.stdout.buffer.write(apply(sys.stdin.buffer.read()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
