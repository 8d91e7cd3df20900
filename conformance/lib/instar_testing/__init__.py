# SPDX-License-Identifier: GPL-2.0-or-later
"""instar's test tooling: what the Python scripts of the project share.

    program_name   the program-name rule of docs/conformance.md
    harness        running qemu-img and instar the same way, comparing them
    kvm            the /dev/kvm check (skip loudly with 77, never pass)
    cli            the common command-line flags (--instar, --qemu-img, ...)
    images         argv builders and patchers for test images
    corpus         the corpus recipes' shape and how their commands run
    corpus_fs      file allocation: SEEK_DATA runs, FIEMAP, fallocate

Importable with conformance/lib on PYTHONPATH: CMake sets it
(cmake/InstarPython.cmake), by hand use scripts/py. See README.md.
Python 3 standard library only.
"""
import os

# The source tree (this file is conformance/lib/instar_testing/__init__.py).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
# The directory that must be on PYTHONPATH to import this package.
LIB = os.path.join(ROOT, "conformance", "lib")
