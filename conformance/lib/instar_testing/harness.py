# SPDX-License-Identifier: GPL-2.0-or-later
"""Running qemu-img and instar the same way, and comparing them.

Every run is the way docs/conformance.md records baselines: argv[0] is the
tool's own name (`qemu-img`, `instar`: it is what they print as their
name), LC_ALL=C, no POSIXLY_CORRECT, stdin from /dev/null, in a given
working directory, with a timeout. instar runs as

    instar --qemu-compat=<first line of `qemu-img --version`> map ARGS

and must give qemu-img's exit status and stdout byte for byte, and its
stderr after the program-name rule (program_name.py).

    tools = Tools(qemu_img, instar)              # versions from qemu-img
    c = tools.map_both(["--output=json", "img.qcow2"], cwd=scratch)
    if not c.ok:
        print(c.report())
"""
import difflib
import os
import shlex
import shutil
import subprocess

from . import program_name

DEFAULT_TIMEOUT = 120  # seconds, per process


class ToolError(Exception):
    """A program that cannot be found or run (a harness error, not a
    mismatch)."""


def find_program(program):
    """PROGRAM as an absolute path: a path (with a `/`) made absolute, a
    bare name looked up on PATH. Raises ToolError if it is not an
    executable file."""
    path = os.path.abspath(program) if os.sep in program else shutil.which(program)
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise ToolError("program not found or not executable: %s" % program)
    return path


def tool_env(env=None):
    """The environment of every run: ENV (default: ours) with LC_ALL=C and
    without POSIXLY_CORRECT (it changes glibc's option parsing)."""
    env = dict(os.environ if env is None else env)
    env.pop("POSIXLY_CORRECT", None)
    env["LC_ALL"] = "C"
    return env


def recording_env(env=None):
    """The environment baselines are recorded in: tool_env() without
    anything that could reach into qemu-img's run (LD_PRELOAD,
    LD_LIBRARY_PATH), instar's own settings (INSTAR_*) or the locale
    (LC_*, LANG, LANGUAGE). The generators in baselines/ use it."""
    env = tool_env(env)
    for k in list(env):
        if (k in ("LD_PRELOAD", "LD_LIBRARY_PATH", "LANG", "LANGUAGE") or
                k.startswith("INSTAR_") or k.startswith("LC_")):
            del env[k]
    env["LC_ALL"] = "C"
    return env


class Result:
    """One run: status is the exit status, -N for signal N, None if it
    timed out (stdout and stderr are then empty)."""

    def __init__(self, argv, program, cwd, status, stdout, stderr):
        self.argv, self.program, self.cwd = argv, program, cwd
        self.status, self.stdout, self.stderr = status, stdout, stderr

    @property
    def timed_out(self):
        return self.status is None

    @property
    def crashed(self):
        """Killed by a signal or timed out: a loud failure whatever the
        other tool did."""
        return self.status is None or self.status < 0

    def status_text(self):
        if self.status is None:
            return "timeout"
        if self.status < 0:
            return "signal %d" % -self.status
        return str(self.status)

    def command(self):
        """The command as a shell line (the program's path, run in cwd)."""
        line = shlex.join([self.program] + self.argv[1:])
        return "(cd %s && %s)" % (shlex.quote(self.cwd), line) if self.cwd else line


def run(program, args, *, argv0=None, cwd=None, env=None,
        timeout=DEFAULT_TIMEOUT):
    """Run PROGRAM (a path, or a name on PATH) with ARGS, argv[0] = ARGV0
    (default: PROGRAM's base name), stdin /dev/null, environment
    tool_env(ENV), in CWD. Returns a Result."""
    argv = [argv0 or os.path.basename(program)] + list(args)
    try:
        p = subprocess.run(argv, executable=program, cwd=cwd, env=tool_env(env),
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return Result(argv, program, cwd, None, b"", b"")
    return Result(argv, program, cwd, p.returncode, p.stdout, p.stderr)


def version_line(qemu_img):
    """The first line of `qemu-img --version`: instar's --qemu-compat."""
    r = run(qemu_img, ["--version"], argv0="qemu-img", timeout=60)
    line = r.stdout.decode(errors="replace").split("\n")[0]
    if r.status != 0 or not line:
        raise ToolError("`%s --version` failed (%s)" % (qemu_img, r.status_text()))
    return line


def udiff(expected, got, label_expected, label_got):
    """A unified diff of two byte strings, line by line."""
    def lines(data):
        ls = data.decode("utf-8", errors="backslashreplace").splitlines(True)
        if ls and not ls[-1].endswith("\n"):
            ls[-1] += "\n\\ No newline at end of file\n"
        return ls
    return "".join(difflib.unified_diff(lines(expected), lines(got),
                                        label_expected, label_got))


class Comparison:
    """qemu-img's Result against instar's: exit status and stdout equal,
    stderr equal after the program-name rule (unless compare_stderr is
    off). A timeout or a signal on either side is always a difference.
    With rule=False (two runs of the same program) stderr is compared
    unchanged; LABELS name the two sides in the report."""

    def __init__(self, qemu, instar, compare_stderr=True, rule=True,
                 labels=("qemu-img", "instar")):
        self.qemu, self.instar, self.labels = qemu, instar, labels
        self.expected_stderr = program_name.apply(qemu.stderr) if rule else qemu.stderr
        self.rule = rule
        self.differences = []
        if qemu.crashed or instar.crashed or qemu.status != instar.status:
            self.differences.append("status")
        if qemu.stdout != instar.stdout:
            self.differences.append("stdout")
        if compare_stderr and self.expected_stderr != instar.stderr:
            self.differences.append("stderr")

    @property
    def ok(self):
        return not self.differences

    def report(self, commands=True):
        """The commands, then what differs: statuses and unified diffs
        (`-` qemu-img, `+` instar)."""
        a, b = self.labels
        out = []
        if commands:
            out.append("  $ %s\n  $ %s\n" % (self.qemu.command(), self.instar.command()))
        if "status" in self.differences:
            out.append("exit status: %s %s, %s %s\n"
                       % (a, self.qemu.status_text(), b, self.instar.status_text()))
        if "stdout" in self.differences:
            out.append(udiff(self.qemu.stdout, self.instar.stdout,
                             a + " stdout", b + " stdout"))
        if "stderr" in self.differences:
            out.append(udiff(self.expected_stderr, self.instar.stderr,
                             a + " stderr" + (" (program-name rule)" if self.rule else ""),
                             b + " stderr"))
        return "".join(out)


class Tools:
    """A qemu-img release and the instar that must behave like it."""

    def __init__(self, qemu_img, instar, compat=None, timeout=DEFAULT_TIMEOUT):
        self.qemu_img = find_program(qemu_img)
        self.instar = find_program(instar) if instar else None
        self.compat = compat or version_line(self.qemu_img)
        self.timeout = timeout

    def qemu(self, args, cwd=None, timeout=None):
        """`qemu-img ARGS`."""
        return run(self.qemu_img, args, argv0="qemu-img", cwd=cwd,
                   timeout=timeout or self.timeout)

    def instar_map(self, args, cwd=None, timeout=None):
        """`instar --qemu-compat=LINE map ARGS`."""
        return run(self.instar, ["--qemu-compat=" + self.compat, "map"] + list(args),
                   argv0="instar", cwd=cwd, timeout=timeout or self.timeout)

    def map_both(self, args, cwd=None, before=None, compare_stderr=True):
        """Map with both tools (ARGS after `map`) in CWD and compare. BEFORE,
        if given, is called before each run (e.g. to drop a page cache)."""
        if before:
            before()
        q = self.qemu(["map"] + list(args), cwd)
        if before:
            before()
        i = self.instar_map(args, cwd)
        return Comparison(q, i, compare_stderr)
