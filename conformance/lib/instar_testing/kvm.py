# SPDX-License-Identifier: GPL-2.0-or-later
"""/dev/kvm: instar boots a guest, so without a usable /dev/kvm nothing
that runs instar can pass or fail. The project's rule: say so loudly and
skip (exit status 77, which CTest reports as skipped), never pass."""
import os
import sys

SKIP_STATUS = 77


def usable():
    """True if /dev/kvm exists and this process may open it read-write."""
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def require(what):
    """Exit 77 with `SKIPPED: ...` on stderr unless /dev/kvm is usable.
    WHAT names what did not run (e.g. "the differential test")."""
    if not usable():
        print("SKIPPED: /dev/kvm not available — instar cannot boot its guest; "
              "%s did NOT run" % what, file=sys.stderr, flush=True)
        sys.exit(SKIP_STATUS)
