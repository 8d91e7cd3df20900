#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of instar_testing's harness, kvm, corpus and cli modules
(no qemu-img, no instar, no /dev/kvm needed).

    scripts/py conformance/lib/tests/test_harness.py
"""
import argparse
import os
import sys
import tempfile
import unittest
from unittest import mock

from instar_testing import cli, corpus, harness, kvm

SH = "/bin/sh"


class Run(unittest.TestCase):
    def test_argv0_locale_stdin_cwd(self):
        with tempfile.TemporaryDirectory() as d:
            with mock.patch.dict(os.environ, {"POSIXLY_CORRECT": "1", "LC_ALL": "de_DE"}):
                r = harness.run(SH, ["-c", 'echo "$0|$LC_ALL|${POSIXLY_CORRECT-unset}|$(pwd)"; '
                                           'cat; echo err >&2; exit 3'],
                                argv0="qemu-img", cwd=d)
            self.assertEqual(r.stdout, ("qemu-img|C|unset|%s\n" % os.path.realpath(d)).encode())
            self.assertEqual(r.stderr, b"err\n")
            self.assertEqual(r.status, 3)
            self.assertFalse(r.crashed)
            self.assertIn("cd %s &&" % d, r.command())

    def test_timeout_and_signal(self):
        r = harness.run(SH, ["-c", "sleep 5"], timeout=0.2)
        self.assertTrue(r.timed_out and r.crashed)
        self.assertEqual(r.status_text(), "timeout")
        r = harness.run(SH, ["-c", "kill -9 $$"])
        self.assertEqual((r.status, r.status_text(), r.crashed), (-9, "signal 9", True))

    def test_find_program(self):
        self.assertTrue(os.path.isabs(harness.find_program("sh")))
        with self.assertRaises(harness.ToolError):
            harness.find_program("./no-such-program")


def result(status=0, out=b"", err=b""):
    return harness.Result(["x"], "/x", None, status, out, err)


class Compare(unittest.TestCase):
    def test_program_name_rule_on_stderr_only(self):
        q = result(1, b"qemu-img: out\n", b"qemu-img: Could not open\nqemu-img check -r all\n")
        i = result(1, b"qemu-img: out\n", b"instar: Could not open\nqemu-img check -r all\n")
        self.assertTrue(harness.Comparison(q, i).ok)
        i2 = result(1, b"instar: out\n", i.stderr)
        self.assertEqual(harness.Comparison(q, i2).differences, ["stdout"])
        i3 = result(1, q.stdout, b"instar: Could not open\ninstar check -r all\n")
        c = harness.Comparison(q, i3)
        self.assertEqual(c.differences, ["stderr"])
        self.assertIn("+instar check -r all", c.report())
        self.assertTrue(harness.Comparison(q, i3, compare_stderr=False).ok)

    def test_status_and_crashes(self):
        self.assertEqual(harness.Comparison(result(0), result(1)).differences, ["status"])
        self.assertEqual(harness.Comparison(result(None), result(None)).differences, ["status"])
        self.assertEqual(harness.Comparison(result(-11), result(-11)).differences, ["status"])

    def test_same_program(self):
        a = result(1, b"", b"qemu-img: x\n")
        self.assertFalse(harness.Comparison(a, a).ok)         # the rule applies
        self.assertTrue(harness.Comparison(a, a, rule=False).ok)


class Tools(unittest.TestCase):
    def test_instar_argv(self):
        with tempfile.TemporaryDirectory() as d:
            fake = os.path.join(d, "fake")
            with open(fake, "w") as f:
                f.write('#!/bin/sh\nprintf "%s|" "$0" "$@"\n')
            os.chmod(fake, 0o755)
            t = harness.Tools(fake, fake, compat="qemu-img version 9.9.9")
            self.assertEqual(t.instar_map(["-f", "raw", "a b"]).stdout,
                             b"%s|--qemu-compat=qemu-img version 9.9.9|map|-f|raw|a b|"
                             % fake.encode())
            c = t.map_both(["x"], cwd=d)
            self.assertEqual(c.qemu.argv, ["qemu-img", "map", "x"])
            self.assertEqual(c.instar.argv[0], "instar")


class Kvm(unittest.TestCase):
    def test_require_skips_loudly(self):
        with mock.patch.object(kvm, "usable", return_value=False), \
                mock.patch("sys.stderr") as err:
            with self.assertRaises(SystemExit) as e:
                kvm.require("this test")
        self.assertEqual(e.exception.code, 77)
        self.assertIn("SKIPPED", "".join(c.args[0] for c in err.write.call_args_list))


class Corpus(unittest.TestCase):
    def test_programs(self):
        p = corpus.Programs("/q/qemu-img", "/q/qemu-io")
        self.assertEqual(p.argv(["qemu-img", "map", "x"]), ["/q/qemu-img", "map", "x"])
        self.assertEqual(p.argv(["python3", "-c", "1"]), [sys.executable, "-c", "1"])
        self.assertEqual(p.argv(["hostile-gen", "x"])[1:], [corpus.HOSTILE_GEN, "x"])
        self.assertEqual(p.argv(["truncate", "-s", "1"]), ["truncate", "-s", "1"])
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaises(corpus.CommandFailed):
                p.run_all("t", [["true"], ["false"]], d)


class Cli(unittest.TestCase):
    def test_flags(self):
        ap = argparse.ArgumentParser()
        cli.add_tool_args(ap, qemu_io=True, scratch="s")
        a = ap.parse_args([])
        self.assertEqual((a.instar, a.qemu_img, a.qemu_io, a.scratch),
                         (cli.DEFAULT_INSTAR, "qemu-img", "qemu-io", None))


if __name__ == "__main__":
    unittest.main()
