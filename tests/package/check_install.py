#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What users install works: `cmake --install` into a scratch prefix, and
the CPack .deb unpacked with `dpkg -x` into a scratch root.

  check_install.py cmake --build DIR --source DIR --work DIR --version V
  check_install.py deb   --build DIR --source DIR --work DIR --version V
  check_install.py map   --build DIR --source DIR --root DIR [--root DIR]

`cmake` and `deb` check the installed tree: the file list (executable, man
pages, every docs/*.md, README, licence, changelog, bash completion),
`instar --version` and `--help` run from it, and `man -l` renders both
man pages without warnings. `deb` also checks the control fields: the
runtime Depends must name the Debian package of every shared library the
executable loads, each must be a package this Debian installs, and
`apt-get -s install` must accept the package (a simulation).
`map` maps samples/sample.qcow2 with each installed instar and compares
with qemu-img (or the build tree's instar); without a usable /dev/kvm it
prints SKIPPED and exits 77.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)
    return cond


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("stdin", subprocess.DEVNULL)
    kw.setdefault("timeout", 300)
    return subprocess.run(cmd, **kw)


def expected_files(source):
    files = ["bin/instar",
             "share/man/man1/instar.1.gz",
             "share/man/man1/instar-map.1.gz",
             "share/bash-completion/completions/instar"]
    for doc in ("README.md", "CHANGELOG.md", "CONTRIBUTING.md", "LICENSE",
                "copyright"):
        files.append("share/doc/instar/" + doc)
    for md in sorted(glob.glob(os.path.join(source, "docs", "*.md"))):
        files.append("share/doc/instar/docs/" + os.path.basename(md))
    return files


def check_tree(prefix, source, version):
    """prefix: the directory holding bin/ and share/."""
    for f in expected_files(source):
        check(os.path.isfile(os.path.join(prefix, f)), "missing %s" % f)
    instar = os.path.join(prefix, "bin", "instar")
    if not check(os.access(instar, os.X_OK), "%s is not executable" % instar):
        return
    env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80")
    env.pop("INSTAR_QEMU_COMPAT", None)
    p = run([instar, "--version"], env=env)
    check(p.returncode == 0 and
          p.stdout.decode().startswith("instar %s\n" % version),
          "instar --version: %d %r %r" % (p.returncode, p.stdout, p.stderr))
    p = run([instar, "--help"], env=env)
    check(p.returncode == 0 and b"--allow-path" in p.stdout,
          "instar --help: %d %r" % (p.returncode, p.stderr))
    for page in ("instar.1.gz", "instar-map.1.gz"):
        path = os.path.join(prefix, "share", "man", "man1", page)
        p = run(["man", "--warnings", "-l", path], env=env)
        check(p.returncode == 0 and p.stderr == b"" and
              b"SYNOPSIS" in p.stdout and b"EXIT STATUS" in p.stdout,
              "man -l %s: %d %r" % (page, p.returncode, p.stderr))
    comp = os.path.join(prefix, "share", "bash-completion", "completions",
                        "instar")
    p = run(["bash", "-c", 'source "$1" && complete -p instar', "-", comp])
    check(p.returncode == 0 and b"_instar" in p.stdout,
          "bash completion: %d %r" % (p.returncode, p.stderr))


def cmd_cmake(a):
    prefix = os.path.join(a.work, "prefix")
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    p = run(["cmake", "--install", a.build, "--prefix", prefix])
    if not check(p.returncode == 0, "cmake --install: %r" % p.stderr):
        return
    check_tree(prefix, a.source, a.version)


def package_of(path):
    """The Debian package that ships a library, trying /usr-merged twins."""
    candidates = [path, os.path.realpath(path)]
    for c in list(candidates):
        if c.startswith("/usr/"):
            candidates.append(c[4:])
        else:
            candidates.append("/usr" + c)
    for c in candidates:
        p = run(["dpkg", "-S", c])
        if p.returncode == 0:
            return p.stdout.decode().split(":")[0].strip()
    return None


def cmd_deb(a):
    shutil.rmtree(a.work, ignore_errors=True)
    out = os.path.join(a.work, "out")
    root = os.path.join(a.work, "root")
    os.makedirs(out)
    t0 = time.monotonic()
    p = run(["cpack", "-G", "DEB", "-B", out,
             "--config", os.path.join(a.build, "CPackConfig.cmake")],
            cwd=a.build)
    print("cpack: %.1f s" % (time.monotonic() - t0))
    if not check(p.returncode == 0, "cpack failed:\n%s%s" % (
            p.stdout.decode(errors="replace"),
            p.stderr.decode(errors="replace"))):
        return
    debs = glob.glob(os.path.join(out, "*.deb"))
    if not check(len(debs) == 1, "expected one .deb, got %r" % debs):
        return
    deb = debs[0]
    print("package: %s" % os.path.basename(deb))
    fields = {}
    for name in ("Package", "Version", "Architecture", "Maintainer",
                 "Depends", "Section", "Description"):
        p = run(["dpkg-deb", "-f", deb, name])
        fields[name] = p.stdout.decode().strip()
    print("Depends: %s" % fields["Depends"])
    check(fields["Package"] == "instar", "Package: %r" % fields["Package"])
    check(fields["Version"].startswith(a.version + "-"),
          "Version %r is not %s-N" % (fields["Version"], a.version))
    arch = run(["dpkg", "--print-architecture"]).stdout.decode().strip()
    check(fields["Architecture"] == arch,
          "Architecture %r, expected %r" % (fields["Architecture"], arch))
    check(fields["Maintainer"] != "" and fields["Description"] != "",
          "Maintainer or Description empty")
    depends = {re.split(r"[\s(]", d.strip())[0]
               for alt in fields["Depends"].split(",")
               for d in alt.split("|") if d.strip()}

    # apt would install it here, dependencies satisfied (a simulation:
    # nothing is installed, no root needed).
    if shutil.which("apt-get"):
        p = run(["apt-get", "-s", "-q", "install", os.path.abspath(deb)],
                env=dict(os.environ, LC_ALL="C"))
        check(p.returncode == 0 and b"Inst instar " in p.stdout,
              "apt-get -s install: %d %r %r" % (p.returncode, p.stdout[-500:],
                                                p.stderr[-500:]))
    p = run(["dpkg", "-x", deb, root])
    if not check(p.returncode == 0, "dpkg -x: %r" % p.stderr):
        return
    instar = os.path.join(root, "usr", "bin", "instar")
    # Every shared library the executable loads is in Depends.
    p = run(["ldd", instar])
    libs = re.findall(r"=>\s*(/\S+)", p.stdout.decode())
    check(libs != [], "ldd found no libraries: %r" % p.stdout)
    needed = set()
    for lib in libs:
        pkg = package_of(lib)
        if check(pkg is not None, "no package ships %s" % lib):
            needed.add(pkg.split(":")[0])
    for pkg in sorted(needed):
        check(pkg in depends, "Depends lacks %s (for the executable's "
              "libraries); Depends: %s" % (pkg, fields["Depends"]))
    for must in ("libc6", "libseccomp2", "libprotobuf-c1"):
        check(must in depends, "Depends lacks %s" % must)
    # Each dependency is a real Debian package (this system is Debian 12).
    for pkg in sorted(depends):
        p = run(["dpkg-query", "-W", "-f=${Status}", pkg])
        check(b"install ok installed" in p.stdout,
              "Depends names %s, which is not an installed package" % pkg)
    check_tree(os.path.join(root, "usr"), a.source, a.version)


def qemu_compat_line():
    qemu = shutil.which("qemu-img")
    if not qemu:
        return None, None
    p = run([qemu, "--version"])
    if p.returncode != 0:
        return None, None
    return qemu, p.stdout.decode().splitlines()[0]


def cmd_map(a):
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIPPED: /dev/kvm is not usable here: the installed instar "
              "cannot boot its guest, so mapping the sample was NOT tested")
        return 77
    sample = os.path.join(a.source, "samples", "sample.qcow2")
    env = dict(os.environ, LC_ALL="C")
    env.pop("INSTAR_QEMU_COMPAT", None)
    qemu, line = qemu_compat_line()
    for output in ("human", "json"):
        if qemu:
            want = run([qemu, "map", "--output=" + output, sample], env=env)
            compat = ["--qemu-compat=" + line]
            what = "qemu-img"
        else:
            want = run([os.path.join(a.build, "instar"), "map",
                        "--output=" + output, sample], env=env)
            compat = []
            what = "the build tree's instar"
        for root in a.root:
            got = run([os.path.join(root, "bin", "instar")] + compat +
                      ["map", "--output=" + output, sample], env=env)
            check(got.returncode == 0 and got.stdout and
                  got.stdout == want.stdout and got.returncode ==
                  want.returncode,
                  "%s map --output=%s differs from %s:\n%r\n%r\n%r" % (
                      root, output, what, got.stdout, want.stdout,
                      got.stderr))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("cmake", "deb", "map"))
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work")
    ap.add_argument("--version")
    ap.add_argument("--root", action="append", default=[])
    a = ap.parse_args()
    if a.mode == "map":
        rc = cmd_map(a)
        if rc:
            return rc
    elif a.mode == "cmake":
        cmd_cmake(a)
    else:
        cmd_deb(a)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
