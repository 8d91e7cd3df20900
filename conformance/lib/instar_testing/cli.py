# SPDX-License-Identifier: GPL-2.0-or-later
"""The command-line flags every script that runs the tools shares:

    --instar PATH     the instar under test (default: build/instar of this tree)
    --qemu-img PATH   the qemu-img to compare with or build with (default:
                      qemu-img on PATH)
    --qemu-io PATH    qemu-io, for scripts that write images (default: on PATH)
    --scratch DIR     where scratch directories go (each script says what it
                      keeps there)
"""
import os

from . import ROOT

DEFAULT_INSTAR = os.path.join(ROOT, "build", "instar")


def add_tool_args(ap, instar=True, qemu_img=True, qemu_io=False, scratch=None):
    """Add the common flags to the argparse parser AP. SCRATCH, if given,
    is the help text of --scratch (its default is None: the script picks)."""
    if instar:
        ap.add_argument("--instar", metavar="PATH", default=DEFAULT_INSTAR,
                        help="instar binary (default: build/instar)")
    if qemu_img:
        ap.add_argument("--qemu-img", metavar="PATH", default="qemu-img",
                        help="qemu-img binary (default: qemu-img on PATH)")
    if qemu_io:
        ap.add_argument("--qemu-io", metavar="PATH", default="qemu-io",
                        help="qemu-io binary (default: qemu-io on PATH)")
    if scratch:
        ap.add_argument("--scratch", metavar="DIR", help=scratch)
