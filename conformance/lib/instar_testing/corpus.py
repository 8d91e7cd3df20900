# SPDX-License-Identifier: GPL-2.0-or-later
"""The image corpus's recipes (conformance/corpus/make_corpus.py for the
safe tier, hostile.py for the hostile tier) and how their commands run.

A recipe is a dict: id, format, tier, tags, commands (argv lists run in
order in an empty directory, see docs/corpus.md), file (the image, relative
to that directory), extra_files (the other files it names), and further
manifest fields (no_baseline).
"""
import os
import shlex
import subprocess
import sys

from . import LIB, ROOT

EXT = {"raw": ".raw", "qcow2": ".qcow2", "vpc": ".vhd", "vhdx": ".vhdx", "vmdk": ".vmdk"}
TIERS = ("safe", "hostile")
# The patcher of the hostile tier (and of the safe tier's COWD extents).
HOSTILE_GEN = os.path.join(ROOT, "conformance", "corpus", "hostile.py")


def recipe(id_, fmt, tags, cmds, file=None, extra_files=(), tier="safe", **extra):
    """An image: FILE (what qemu-img is given, may sit in a subdirectory of
    the corpus) and EXTRA_FILES, the other files it names (vmdk extents,
    qcow2 data files), relative to the corpus directory. EXTRA holds
    further manifest fields (no_baseline)."""
    return dict({"id": id_, "format": fmt, "tier": tier, "tags": list(tags),
                 "commands": [list(c) for c in cmds], "file": file or id_ + EXT[fmt],
                 "extra_files": list(extra_files)}, **extra)


class CommandFailed(Exception):
    pass


class Programs:
    """What the program names of recipe commands stand for: `qemu-img`,
    `qemu-io` the binaries given, `python3` this Python, `hostile-gen`
    hostile.py; any other name is looked up on PATH."""

    def __init__(self, qemu_img="qemu-img", qemu_io="qemu-io"):
        self.qemu_img, self.qemu_io = qemu_img, qemu_io
        self.names = {"qemu-img": [qemu_img], "qemu-io": [qemu_io],
                      "python3": [sys.executable],
                      "hostile-gen": [sys.executable, HOSTILE_GEN]}

    def argv(self, cmd):
        """CMD with its program name replaced."""
        return self.names.get(cmd[0], [cmd[0]]) + list(cmd[1:])

    @staticmethod
    def env():
        """LC_ALL=C and TZ=UTC (qemu stamps some formats with the time),
        this package importable (hostile-gen), no __pycache__."""
        path = os.environ.get("PYTHONPATH")
        return dict(os.environ, LC_ALL="C", TZ="UTC", PYTHONDONTWRITEBYTECODE="1",
                    PYTHONPATH=LIB + (os.pathsep + path if path else ""))

    def run(self, cmd, cwd, timeout=600):
        """Run one command in CWD, stdin /dev/null; a CompletedProcess
        with stdout and stderr captured."""
        return subprocess.run(self.argv(cmd), cwd=cwd, stdin=subprocess.DEVNULL,
                              capture_output=True, env=self.env(), timeout=timeout)

    def run_all(self, what, cmds, cwd, timeout=600):
        """Run CMDS in order in CWD; CommandFailed (naming WHAT) at the
        first that fails."""
        for cmd in cmds:
            r = self.run(cmd, cwd, timeout)
            if r.returncode != 0:
                raise CommandFailed("%s: `%s` exited %d\n%s%s" % (
                    what, shlex.join(self.argv(cmd)), r.returncode,
                    r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")))
