#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Shows that the sandbox is in force during a real `instar map` run.

instar maps an image with a million extents into a pipe that this script
does not read yet, so instar blocks in write() in the middle of its run
loop. While it is blocked, /proc/PID/status must show the seccomp filter
(Seccomp: 2) and no_new_privs, and /proc/PID/fd must hold only stdin,
stdout, stderr, the image and the vCPU. Then the pipe is drained and the
run must finish successfully.

    scripts/py tests/e2e/sandbox_active.py [--instar PATH]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

from instar_testing import cli, images, kvm


def status_fields(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    cli.add_tool_args(ap, qemu_img=False)
    args = ap.parse_args()
    kvm.require("this test")

    with tempfile.TemporaryDirectory() as d:
        image = os.path.join(d, "many.qcow2")
        images.synthetic_qcow2(image, 1000000)
        p = subprocess.Popen([args.instar, "map", "--output=json", image],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        seen = None
        while time.monotonic() < deadline and p.poll() is None:
            st = status_fields(p.pid)
            if st.get("Seccomp") == "2":
                seen = st
                fds = {}
                for fd in os.listdir(f"/proc/{p.pid}/fd"):
                    fds[int(fd)] = os.readlink(f"/proc/{p.pid}/fd/{fd}")
                break
            time.sleep(0.01)
        out, err = p.communicate()
        failures = []
        if seen is None:
            failures.append("never saw Seccomp: 2 while instar ran")
        else:
            if seen.get("NoNewPrivs") != "1":
                failures.append(f"NoNewPrivs is {seen.get('NoNewPrivs')}")
            extra = {fd: t for fd, t in fds.items()
                     if fd > 2 and t != image and t != "anon_inode:kvm-vcpu:0"}
            if extra:
                failures.append(f"unexpected open descriptors: {extra}")
            print(f"seccomp mode 2, no_new_privs 1, descriptors: {fds}")
        if p.returncode != 0:
            failures.append(f"instar exited {p.returncode}: {err.decode()}")
        elif out.count(b"\n") != 1000000:
            lines = out.count(b"\n")
            failures.append(f"expected 1000000 entries, got {lines}")
        # A reader slower than the watchdog: instar blocks in write() for
        # seconds while the watchdog ticks. No output may be lost to an
        # interrupted write, and host time is not guest idleness.
        env = dict(os.environ, INSTAR_IDLE_SECONDS="1")
        slow = subprocess.Popen([args.instar, "map", "--output=json", image],
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env)
        time.sleep(2.5)
        out2, err2 = slow.communicate()
        if slow.returncode != 0 or out2 != out:
            failures.append(f"slow reader: exit {slow.returncode}, "
                            f"{len(out2)} vs {len(out)} bytes, "
                            f"{err2.decode()[:200]}")
        # stdout on a character device makes stdio ask isatty() under the
        # filter; the run must still succeed.
        with open(os.devnull, "wb") as null:
            rc = subprocess.run([args.instar, "map", image], stdout=null,
                                stderr=subprocess.PIPE).returncode
        if rc != 0:
            failures.append(f"instar with stdout on /dev/null exited {rc}")
        for f in failures:
            print("FAIL:", f)
        print(f"{0 if failures else 1} passed, {len(failures) and 1} failed")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
