#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Record what real qemu-img binaries print for the command-line cases
the CLI unit tests replay in-process (impl/cli/tests/test_options.c,
test_size.c, test_render.c).

Usage: baselines/generate-cli-units.py [OUT_DIR]   (default:
baselines/units next to this script). Needs the side-by-side builds from
qemu-matrix-setup (/opt/qemu-matrix/MANIFEST.tsv) and /usr/bin/qemu-img.

It writes OUT_DIR/versions.tsv (one line per binary: its label, the
first line of its `--version`, the binary) and OUT_DIR/cli.txt, in the
record format of the conformance baselines (docs/conformance.md, written
by instar_testing.records). A case's `argv0` and `env` lines say when it ran with
another argv[0] than qemu-img or with an environment variable set.

Each case runs in a scratch directory holding two images: empty.raw
(0 bytes) and sparse.raw (1 MiB, one hole). Successful runs therefore
print either the zero-length entry (which echoes --start-offset) or one
hole entry, so the parsed -s/-l values are visible in the output.

A few more images, made with /usr/bin/qemu-img and qemu-io (see
make_render_images), are mapped in both output formats; the renderer
tests rebuild the human and JSON bytes from the JSON entries.

Every binary gets the same argv[0] ("qemu-img" unless a case says
otherwise), set the way each build allows: exec with a chosen argv[0]
for host-library builds, `ld.so --argv0` for chroot builds, and a
symlink for bullseye's ld.so (glibc 2.31 has no --argv0; only the
basename of argv[0] matters to 5.2, which prints it as the prefix).
"""
import os
import subprocess
import sys
import tempfile

from instar_testing.harness import recording_env
from instar_testing.records import PROGRAM, format_label, output_type, record, \
    write_records, write_versions

MANIFEST = "/opt/qemu-matrix/MANIFEST.tsv"
SYSTEM_QEMU_IMG = "/usr/bin/qemu-img"
SYSTEM_QEMU_IO = "/usr/bin/qemu-io"

E = "empty.raw"
S = "sparse.raw"
J = "--output=json"

# Size strings for -s (echoed by the zero-length entry or the hole
# entry) and a shorter list for -l.
SIZES = [
    "0", "1", "512", "4096", "010", "08", "+5", " 4096", "\t7", "4096 ",
    "1b", "1B", "1k", "1K", "1m", "1M", "1g", "1G", "1t", "1T", "1p", "1P",
    "1e", "1E", "7E", "8E", "7.5E", "7.99999999999999999E", "8191P",
    "8192P", "1.5e", "1.5E",
    "-1", "-0", "-0.0", "-1k", "-", "+", "", " ", "--1", "- 1", "+-1",
    "0x10", "0X10", "0x1000B", "0x1k", "0x1K", "0x10M", "0x1p3", "0x1.8",
    "0x1.8k", "0x", "0xg", "0x.5", "00x1", "0x0x1", "0xffffffffffffffff",
    "0x7fffffffffffffff", "0x8000000000000000", "0x10000000000000000",
    "0xfffffffffffffk", "0x1kk", "-0x1", "0b101",
    ".5k", ".5", ".k", ".", "-.5k", "+.5k", " .5k", "1.5k", "1.k", "1.",
    "1.0", "1.5", "1.0k", "0.5", "0.5k", "1.5 k", "1 k", "1..5k", "1.5.k",
    "1.1b", "1.0b", "1.5B", "1.9999999999999999999k", ".99999999999999999999k",
    "0.000000000000000000001k", "1." + "0" * 400 + "1k", "1." + "0" * 400 + "1",
    "1.5e3", "1e3", "1e", "1e3k", "1.e", "1.5e3k", "1x", "abc", "inf",
    "nan", "infinity", "1.inf", "1.nan", "1.5E+3k",
    "9007199254740993", "9223372036854775807", "9223372036854775808",
    "9223372036854775807b", "18446744073709551615", "18446744073709551616",
    "99999999999999999999", "99999999999999999999x", "-99999999999999999999",
    "12345678901234567890k", "17179869183G", "8589934591.99999G",
    "1e999", "1e-999", "0.5e",
]
LENGTHS = ["0", "1", "512", "1M", "2M", "7E", "-1", "abc", "0x1k", ".5k",
           "9223372036854775807", "9223372036854775808", "1.5"]


RENDER_IMAGES = ["data.raw", "mixed.qcow2", "comp_first.qcow2",
                 "comp_later.qcow2", "big.qcow2", "corrupt.qcow2"]


def make_render_images(work):
    """Images whose maps exercise the renderers (run in `work`)."""
    def run(*argv):
        subprocess.run(argv, cwd=work, check=True, capture_output=True)

    def qemu_io(img, *cmds):
        argv = [SYSTEM_QEMU_IO, "-f", "qcow2"]
        for c in cmds:
            argv += ["-c", c]
        run(*argv, img)

    # raw: data at 0 (so "Mapped to" prints 0) and at 64k, holes between
    with open(os.path.join(work, "data.raw"), "wb") as f:
        f.truncate(1 << 20)
        f.write(b"\x11" * 4096)
        f.seek(65536)
        f.write(b"\x22" * 65536)
    # qcow2: data, a zero cluster, more data, unallocated ranges
    run(SYSTEM_QEMU_IMG, "create", "-f", "qcow2", "mixed.qcow2", "1M")
    qemu_io("mixed.qcow2", "write -P 0x11 0 64k", "write -z 128k 64k",
            "write -P 0x22 512k 128k")
    # compressed cluster first, then compressed after plain data
    run(SYSTEM_QEMU_IMG, "create", "-f", "qcow2", "comp_first.qcow2", "1M")
    qemu_io("comp_first.qcow2", "write -c -P 0x33 0 64k")
    run(SYSTEM_QEMU_IMG, "create", "-f", "qcow2", "comp_later.qcow2", "1M")
    qemu_io("comp_later.qcow2", "write -P 0x11 0 64k",
            "write -c -P 0x33 64k 64k")
    # above 2^52 the human columns run into each other
    run(SYSTEM_QEMU_IMG, "create", "-f", "qcow2", "-o", "cluster_size=2M",
        "big.qcow2", "8P")
    qemu_io("big.qcow2", "write -P 0x11 0 2M",
            "write -P 0x22 0x11300000000000 2M")
    # L1[1] pointing at an unaligned L2 table: the walk fails half-way
    run(SYSTEM_QEMU_IMG, "create", "-f", "qcow2", "corrupt.qcow2", "1G")
    qemu_io("corrupt.qcow2", "write -P 0x11 0 64k",
            "write -P 0x22 512M 64k")
    with open(os.path.join(work, "corrupt.qcow2"), "r+b") as f:
        f.seek(40)
        l1 = int.from_bytes(f.read(8), "big")
        f.seek(l1 + 8)
        f.write((0x8000000000060200).to_bytes(8, "big"))


def map_cases():
    """(args, env) pairs; args follow `map`."""
    c = []
    add = lambda *a, env=None: c.append((list(a), env))
    # file-name count and plain success
    add()
    add("a", "b")
    add(E)
    add(J, E)
    add("--output", "json", E)
    add("--output=human", E)
    add("--output=json", "--output=human", E)
    add("--output=foo", "--output=json", E)
    add("--output=json", S)
    add(S)
    add("-f", "raw", "--output=json", E)
    add("-fraw", "--output=json", E)
    add("--format=raw", "--output=json", E)
    add("--format", "raw", "--output=json", E)
    add("-f", "qcow2", "-f", "raw", "--output=json", E)
    add("-f", "raw", "-f", "qcow2", E)
    add("-U", "--output=json", E)
    add("--force-share", "--output=json", E)
    add("--force", "--output=json", E)
    add("-U", "-U", "-U", E)
    # permutation and --
    add(E, J)
    add(E, J, "-s", "512")
    add(S, "-l", "4k", J, "-s", "1k")
    add("--", E)
    add(J, "--", E)
    add("--", J, E)
    add(E, "--", "-U")
    add("--", "-x")
    add("-s", "--", E)
    add(J, E, "--")
    add("-", J)
    # --output values
    add("--output=foo")
    add("--output=foo", E)
    add("--output=foo", "a", "b")
    add("--output=", E)
    add("--output=JSON", E)
    add("--output=json ", E)
    add("--out=json", E)
    add("--outp", "json", E)
    add("--o=json", E)
    add("--output")
    add(E, "--output")
    add("--output=foo", "-x")
    add("-x", "--output=foo")
    # missing arguments
    for opt in ["-s", "-l", "-f", "--format", "--start-offset",
                "--max-length", "--object", "--start", "--max"]:
        add(opt)
        add(E, opt)
    add("-Us")
    add("-Uf")
    # unknown, ambiguous, argument-refusing options
    for args in [["-x"], ["-x", E], ["-xU"], ["-Ux"], ["-Ux", E], ["-Uxs", "1"],
                 ["--foo"], ["--foo=bar", E], ["--f"], ["--f", "raw", E],
                 ["--fo", E], ["--for=raw", J, E], ["--f=raw", E], ["--o", "x"],
                 ["--help=1"], ["--image-opts=1", E], ["--force-share=yes", E],
                 ["--he=1"], ["-W", "foo"], ["-:"], ["-?"], ["--"], ["---"],
                 ["--=x", E], ["-h-"], ["-Uh"], ["-hx"], ["-xh"], ["--st=1", J, E],
                 ["--s", "1", J, E], ["--m", "1", J, E], ["--i", E], ["--h"],
                 ["--start-offset=1", "--start-offset=2", J, E],
                 ["--max-length", "0", J, E]]:
        add(*args)
    # help
    for args in [["-h"], ["--help"], ["--he"], ["-h", "-x"], ["-x", "-h"],
                 [E, "-h"], ["-U", "-h"], ["-h", "--output=foo"],
                 ["--output=foo", "-h"], ["-s", "abc", "-h"], ["-h", "-s", "abc"],
                 ["a", "b", "-h"]]:
        add(*args)
    # processing order between errors
    for args in [["-s", "abc"], ["-s", "abc", "--output=foo"],
                 ["--output=foo", "-s", "abc"], ["-s", "abc", "-x"],
                 ["-x", "-s", "abc"], ["-s", "1k", "-s", "abc", E],
                 ["-s", "abc", "-s", "1k", E], ["-l", "abc", "-s", "-1", E],
                 ["-s", "0x1k"], ["-s", "0x1k", "-s", "0x2k", J, E],
                 ["-s", "0x1k", "-l", "0x1M", J, S], ["-s", "0x1kx", E],
                 ["-s", "0xfffffffffffffk", E], ["-s", "0x1k", "-x"],
                 ["-s", "0x1k", "--output=foo", E],
                 ["--object", "foo", E], ["--object", "help"],
                 ["--object", "foo", "-x"], ["-x", "--object", "foo"],
                 ["--object", "foo", "-s", "abc"], ["-s", "abc", "--object", "foo"],
                 ["--image-opts", E], ["--image-opts", "-f", "raw", E],
                 ["--image-opts"], ["--image-opts", "-x"],
                 ["--image-opts", "--output=foo", E],
                 ["--image-opts", "-s", "abc", E],
                 ["--image-opts", "a", "b"],
                 ["--image-opts", "-U", "driver=raw,file.filename=empty.raw"],
                 ["--image-opts", J, "driver=raw,file.filename=empty.raw"]]:
        add(*args)
    # start/length values
    for v in SIZES:
        add(J, "-s", v, S)
    for v in ["0x1k", "abc", "-1", "1M", "8E", "1.5"]:
        add("--start-offset", v, J, S)
        add("--start-offset=" + v, J, S)
    for v in LENGTHS:
        add(J, "-l", v, S)
        add("--max-length=" + v, J, S)
    add(J, "-s", "7E", "-l", "7E", S)
    add(J, "-s", "1M", S)
    add(J, "-s", "2M", S)
    add(J, "-s", "512k", "-l", "256k", S)
    add(J, "-s", "9223372036854775807", "-l", "1", S)
    add("-s", "512", S)
    # renderer material: both outputs of each image
    for img in RENDER_IMAGES:
        add(J, img)
        add(img)
    # POSIXLY_CORRECT: options stop at the first non-option
    add(E, "-U", env={"POSIXLY_CORRECT": "1"})
    add("-U", J, E, env={"POSIXLY_CORRECT": "1"})
    return c


# argv[0] variations: how the program name reaches each message.
ARGV0_CASES = [["-x"], ["--f"], [], ["--output=foo"], ["-s", "abc"],
               ["-s", "-1"], ["-h"], ["--help=1"], ["-xU"]]
ARGV0S = ["/opt/x/bin/instar", "./instar"]


def binaries():
    """(label, runner) where runner(argv0, args, env, cwd) -> argv list."""
    out = []
    with open(MANIFEST) as f:
        rows = [l.rstrip("\n").split("\t") for l in f][1:]
    rows.sort(key=lambda r: tuple(int(x) for x in r[0].split(".")))
    for version, _suite, _deb, kind, root in rows:
        exe = root + "/usr/bin/qemu-img"
        libs = f"{root}/usr/lib/x86_64-linux-gnu:{root}/lib/x86_64-linux-gnu"
        env = {"QEMU_MODULE_DIR": f"{root}/usr/lib/x86_64-linux-gnu/qemu"}
        if kind == "prefix":
            out.append((version, ("exec", exe, None), env))
        elif os.path.exists(f"{root}/usr/lib/x86_64-linux-gnu/ld-2.31.so"):
            out.append((version, ("symlink", exe,
                        [f"{root}/usr/lib/x86_64-linux-gnu/ld-2.31.so",
                         "--library-path", libs]), env))
        else:
            out.append((version, ("argv0", exe,
                        [f"{root}/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                         "--library-path", libs]), env))
    out.append(("system", ("exec", SYSTEM_QEMU_IMG, None), {}))
    return out


def command(runner, argv0, args, tmp):
    """(executable, argv) running `<binary> map ARGS` with argv[0] = argv0."""
    kind, exe, loader = runner
    if kind == "exec":
        return exe, [argv0, "map"] + args
    if kind == "argv0":
        return loader[0], loader[:1] + ["--argv0", argv0] + loader[1:] + \
            [exe, "map"] + args
    link = os.path.join(tmp, "bin", os.path.basename(argv0))
    os.makedirs(os.path.dirname(link), exist_ok=True)
    if not os.path.lexists(link):
        os.symlink(exe, link)
    return loader[0], loader + [link, "map"] + args


def version_line(runner, env, tmp):
    exe, argv = command(runner, "qemu-img", [], tmp)
    argv = [a for a in argv if a != "map"] + ["--version"]
    r = subprocess.run(argv, executable=exe, capture_output=True,
                       env=dict(recording_env(), **env))
    return r.stdout.decode().splitlines()[0]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "units")
    cases = [(args, env, PROGRAM) for args, env in map_cases()]
    cases += [(args, None, a0) for a0 in ARGV0S for args in ARGV0_CASES]
    files = dict.fromkeys([E, S, "data.raw"], "raw")
    files.update((img, "qcow2") for img in RENDER_IMAGES if img.endswith(".qcow2"))
    versions, results = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, "work")
        os.mkdir(work)
        open(os.path.join(work, E), "w").close()
        with open(os.path.join(work, S), "w") as f:
            f.truncate(1 << 20)
        make_render_images(work)
        for label, runner, benv in binaries():
            compat = version_line(runner, benv, tmp)
            versions.append((label, compat, runner[1]))
            for i, (args, env, argv0) in enumerate(cases):
                exe, argv = command(runner, argv0, args, tmp)
                full_env = dict(recording_env(), **benv, **(env or {}))
                r = subprocess.run(argv, executable=exe, cwd=work,
                                   capture_output=True, env=full_env)
                if r.returncode < 0:
                    sys.exit(f"{label} {args}: killed by signal {-r.returncode}")
                for stream in (r.stdout, r.stderr):
                    if tmp.encode() in stream:
                        sys.exit(f"{label} {args}: output shows the scratch directory")
                results[(label, i)] = (r.returncode, r.stdout, r.stderr)
    records = [record(f"unit/{i + 1:03d}", format_label(args, files),
                      output_type(args), args,
                      [(v[0], results[(v[0], i)]) for v in versions],
                      argv0=argv0, env=env)
               for i, (args, env, argv0) in enumerate(cases)]
    os.makedirs(out_dir, exist_ok=True)
    me = "baselines/generate-cli-units.py"
    write_records(os.path.join(out_dir, "cli.txt"), me,
                  "empty.raw (0 bytes), sparse.raw (1 MiB hole) and the images\n"
                  "# of make_render_images() in generate-cli-units.py", records)
    write_versions(os.path.join(out_dir, "versions.tsv"), me,
                   "run as `qemu-img map ARGS` with the case's argv[0] and env, "
                   "LC_ALL=C; chroot builds through their ld.so", versions)
    print(f"{len(cases)} cases x {len(versions)} binaries written to {out_dir}")


if __name__ == "__main__":
    main()
