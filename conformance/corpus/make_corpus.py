#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate the conformance image corpus: conformance/images/manifest.json
and one <id>.data.gz sidecar per image.

Every recipe below is a list of argv lists run in a fresh scratch directory
(on the same filesystem as the output directory).  After the last command
the image file is captured: fsync, page cache dropped, then st_size,
st_blocks, the SEEK_DATA/SEEK_HOLE data runs, the unwritten extents
(FS_IOC_FIEMAP), the bytes of the data runs (packed into <id>.data.gz) and the
sha256 of the whole content.  materialize.py recreates each image from that.

    scripts/py conformance/corpus/make_corpus.py [--qemu-img P] [--qemu-io P]
        [--out DIR] [--check] [--keep-images DIR] [--tier T] [--scratch DIR]

--check generates into a temporary directory and compares with DIR instead
of writing it (exit 1 on any difference): the determinism test.

Program names in the recipes are the literal `qemu-img`, `qemu-io`,
`python3`, `truncate`, `fallocate`, `cp`; the first three are replaced by
--qemu-img, --qemu-io and this Python when run.  Stdlib only.
"""

import argparse
import filecmp
import hashlib
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile

import hostile
from instar_testing import cli, corpus_fs
from instar_testing.harness import version_line
from instar_testing.corpus import EXT, TIERS, CommandFailed, Programs, recipe
from instar_testing.images import (  # noqa: F401 (the recipes' vocabulary)
    convert, create, or64, patch_l2, qio, set64, truncate, vhdx_norm, vmdk_desc_norm,
    vmdk_norm, vpc_norm, write_bytes, write_random, write_text)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "images"))

# ---------------------------------------------------------------------------
# Recipes: one dict per image (see recipe()).  file = id + EXT[format]
# (.raw .qcow2 .vhd .vhdx .vmdk) unless given.  Intermediate files are named
# after the id too.  Keep virtual sizes small: every data run of the final
# files is stored in the image's .data.gz sidecars.
# ---------------------------------------------------------------------------
def raw(id_, tags, *cmds, **kw):
    return recipe(id_, "raw", tags, cmds, **kw)


def q(id_, tags, *cmds, **kw):
    return recipe(id_, "qcow2", tags, cmds, **kw)


def vpc(id_, tags, *cmds, **kw):
    return recipe(id_, "vpc", tags, cmds, **kw)


def vhdx(id_, tags, *cmds, **kw):
    return recipe(id_, "vhdx", tags, cmds, **kw)


def vmdk(id_, tags, *cmds, **kw):
    return recipe(id_, "vmdk", tags, cmds, **kw)


T, P = 1 << 40, 0x11300000000000   # 1 TiB; ~4.8 PiB (offsets past 2^52)

RECIPES = [
    # --- raw ----------------------------------------------------------------
    raw("raw-sparse", ["sparse", "data"],
        truncate("raw-sparse.raw", "1M"),
        qio("raw", "raw-sparse.raw", "write -P 0xaa 64k 64k", "write -P 0x55 256k 4k",
            "write -P 0x66 819712 1536", "write -P 0x77 1020k 4k")),
    raw("raw-full", ["data", "full"],
        truncate("raw-full.raw", "256k"),
        qio("raw", "raw-full.raw", "write -P 0x5a 0 256k")),
    raw("raw-odd-1000", ["odd-size", "data"],
        write_bytes("raw-odd-1000.raw", b"\xa5", 1000)),
    raw("raw-odd-5", ["odd-size", "data"],
        write_bytes("raw-odd-5.raw", b"hello", 1)),
    raw("raw-odd-513", ["odd-size", "data"],
        write_bytes("raw-odd-513.raw", b"\x3c", 513)),
    raw("raw-odd-tail", ["odd-size", "sparse", "data"],        # 1M + 100, data in the last block
        truncate("raw-odd-tail.raw", 1048676),
        qio("raw", "raw-odd-tail.raw", "write -P 0x11 0 4k", "write -P 0x22 1048576 100")),
    raw("raw-zeros", ["written-zeros", "sparse"],              # written zeros are data
        truncate("raw-zeros.raw", "1M"),
        qio("raw", "raw-zeros.raw", "write -P 0 64k 128k", "write -P 0 512k 4k")),
    raw("raw-empty", ["empty", "zero-length"],
        write_bytes("raw-empty.raw", b"", 0)),
    raw("raw-created", ["created", "sparse"],                  # qemu-img writes the first 4k
        create("raw", "raw-created.raw", "1M")),
    raw("raw-created-small", ["created", "odd-size"],          # < 4k: first 512 bytes written
        create("raw", "raw-created-small.raw", 3000)),
    raw("raw-created-zero-length", ["created", "empty", "zero-length"],
        create("raw", "raw-created-zero-length.raw", 0)),
    # Unwritten (fallocated) extents read as holes.  In raw images they
    # start at 4 MiB or later: a format probe reads the first bytes (and the
    # kernel reads ahead), and cached pages over an unwritten extent turn
    # into SEEK_DATA data (corpus_fs.py), which would make the map depend on
    # what read the file before.
    raw("raw-falloc", ["falloc", "unwritten", "sparse"],
        truncate("raw-falloc.raw", "8M"),
        qio("raw", "raw-falloc.raw", "write -P 0x11 0 64k", "write -P 0x12 6M 4k"),
        ["fallocate", "-o", "4M", "-l", "1M", "raw-falloc.raw"]),
    raw("raw-falloc-past-eof", ["falloc", "unwritten", "sparse"],   # KEEP_SIZE past EOF: only st_blocks
        truncate("raw-falloc-past-eof.raw", "8M"),
        qio("raw", "raw-falloc-past-eof.raw", "write -P 0x22 0 4k"),
        ["fallocate", "-n", "-o", "6M", "-l", "4M", "raw-falloc-past-eof.raw"]),
    raw("raw-write-zeroes", ["zero", "unwritten", "data"],     # qemu-io write -z: FALLOC_FL_ZERO_RANGE
        truncate("raw-write-zeroes.raw", "8M"),
        qio("raw", "raw-write-zeroes.raw", "write -P 0x33 4M 256k", "write -z 4160k 64k",
            "write -z -u 4288k 32k")),
    raw("raw-discard", ["discard", "sparse"],                  # punched holes
        truncate("raw-discard.raw", "256k"),
        qio("raw", "raw-discard.raw", "write -P 0x44 0 256k", "discard 64k 64k",
            "discard 150k 50k")),
    raw("raw-many-runs", ["sparse", "data"],
        truncate("raw-many-runs.raw", "256k"),
        qio("raw", "raw-many-runs.raw",
            *["write -P %d %dk 4k" % (i + 1, 8 * i) for i in range(32)])),
    raw("raw-1t", ["large", "sparse", "data"],
        truncate("raw-1t.raw", "1T"),
        qio("raw", "raw-1t.raw", "write -P 1 0 64k", "write -P 2 512G 64k",
            "write -P 3 %d 4k" % (T - 4096))),

    # --- qcow2 v3, 64k clusters ---------------------------------------------
    q("qcow2-v3-empty", ["v3", "empty"],
      create("qcow2", "qcow2-v3-empty.qcow2", "4M")),
    q("qcow2-v3-zero-length", ["v3", "empty", "zero-length"],
      create("qcow2", "qcow2-v3-zero-length.qcow2", 0)),
    q("qcow2-v3-data", ["v3", "data"],
      create("qcow2", "qcow2-v3-data.qcow2", "4M"),
      qio("qcow2", "qcow2-v3-data.qcow2", "write -P 1 0 64k", "write -P 2 1M 128k",
          "write -P 3 3M 4k", "write -P 4 4032k 64k")),
    q("qcow2-v3-zero", ["v3", "zero", "zero-unmap"],
      create("qcow2", "qcow2-v3-zero.qcow2", "4M"),
      qio("qcow2", "qcow2-v3-zero.qcow2",
          "write -P 1 0 256k",
          "write -z 64k 64k",          # allocated -> ZERO_ALLOC (keeps offset)
          "write -z -u 128k 64k",      # allocated, unmap -> ZERO_PLAIN
          "write -z 1M 128k",          # unallocated -> ZERO_PLAIN
          "write -z -u 2M 64k",        # unallocated, unmap
          "write -P 2 3M 64k")),
    q("qcow2-v3-discard", ["v3", "discard"],
      create("qcow2", "qcow2-v3-discard.qcow2", "4M"),
      qio("qcow2", "qcow2-v3-discard.qcow2", "write -P 1 0 256k", "discard 64k 64k",
          "discard 192k 64k", "discard 2M 128k")),
    q("qcow2-v3-mix", ["v3", "data", "zero", "discard"],       # the spec's section 5.2 example
      create("qcow2", "qcow2-v3-mix.qcow2", "4M"),
      qio("qcow2", "qcow2-v3-mix.qcow2",
          "write -P 1 0 64k", "write -P 2 128k 64k", "write -z 256k 64k",
          "write -P 3 384k 64k", "write -z 384k 64k", "write -P 4 512k 4k",
          "write -P 5 640k 64k", "discard 640k 64k", "write -P 6 1M 1M")),
    q("qcow2-v3-reverse", ["v3", "out-of-order"],              # host order = reverse guest order
      create("qcow2", "qcow2-v3-reverse.qcow2", "4M"),
      qio("qcow2", "qcow2-v3-reverse.qcow2",
          "write -P 1 3M 64k", "write -P 2 2M 64k", "write -P 3 1M 128k",
          "write -P 4 192k 64k", "write -P 5 128k 64k", "write -P 6 0 64k")),
    q("qcow2-v3-reuse", ["v3", "out-of-order", "discard"],     # freed clusters reused elsewhere
      create("qcow2", "qcow2-v3-reuse.qcow2", "2M"),
      qio("qcow2", "qcow2-v3-reuse.qcow2", "write -P 1 0 256k", "discard 0 128k",
          "write -P 2 1M 64k", "write -P 3 1536k 64k", "write -P 4 64k 64k")),
    q("qcow2-v3-resized", ["v3", "out-of-order", "large"],     # L1 moved by a resize
      create("qcow2", "qcow2-v3-resized.qcow2", "1M"),
      qio("qcow2", "qcow2-v3-resized.qcow2", "write -P 1 0 64k"),
      ["qemu-img", "resize", "-q", "-f", "qcow2", "qcow2-v3-resized.qcow2", "8G"],
      qio("qcow2", "qcow2-v3-resized.qcow2", "write -P 2 4G 64k", "write -P 3 512k 64k")),
    q("qcow2-v3-multi-l2", ["v3", "data", "sparse"],           # several L2 tables, last partial
      create("qcow2", "qcow2-v3-multi-l2.qcow2", "1600M"),
      qio("qcow2", "qcow2-v3-multi-l2.qcow2", "write -P 1 %d 128k" % (512 * 1048576 - 65536), "write -P 2 1G 64k",
          "write -z 1100M 64k", "write -P 3 %d 64k" % (1600 * 1048576 - 65536))),
    q("qcow2-v3-converted", ["v3", "data"],                    # convert without -c
      truncate("qcow2-v3-converted-src.raw", "2M"),
      qio("raw", "qcow2-v3-converted-src.raw", "write -P 0x11 0 128k", "write -P 0x22 1M 64k"),
      convert("qcow2-v3-converted-src.raw", "qcow2-v3-converted.qcow2")),
    q("qcow2-v3-compressed", ["v3", "compressed"],
      truncate("qcow2-v3-compressed-src.raw", "4M"),
      qio("raw", "qcow2-v3-compressed-src.raw", "write -P 0x11 1M 1M", "write -P 0x22 3M 64k"),
      convert("qcow2-v3-compressed-src.raw", "qcow2-v3-compressed.qcow2", compress=True)),
    q("qcow2-v3-compressed-mix", ["v3", "compressed", "data"],  # compressed next to normal clusters
      truncate("qcow2-v3-compressed-mix-src.raw", "2M"),
      qio("raw", "qcow2-v3-compressed-mix-src.raw", "write -P 0x11 0 512k", "write -P 0x22 1M 256k"),
      write_random("qcow2-v3-compressed-mix-src.raw", 128 * 1024, 65536, 1),   # incompressible
      convert("qcow2-v3-compressed-mix-src.raw", "qcow2-v3-compressed-mix.qcow2", compress=True),
      qio("qcow2", "qcow2-v3-compressed-mix.qcow2", "write -P 0x33 256k 64k",
          "write -P 0x44 1536k 64k", "write -z 1088k 64k")),
    q("qcow2-v3-write-compressed", ["v3", "compressed"],       # qemu-io write -c
      create("qcow2", "qcow2-v3-write-compressed.qcow2", "1M"),
      qio("qcow2", "qcow2-v3-write-compressed.qcow2", "write -c -P 1 0 64k",
          "write -c -P 2 64k 64k", "write -P 3 128k 64k", "write -c -P 4 512k 64k")),
    q("qcow2-v3-odd-size", ["v3", "odd-size"],                 # 1000000 -> 1000448
      create("qcow2", "qcow2-v3-odd-size.qcow2", 1000000),
      qio("qcow2", "qcow2-v3-odd-size.qcow2", "write -P 1 0 4k", "write -P 2 983040 17408")),
    q("qcow2-v3-header-size-odd", ["v3", "odd-size", "header-patched"],   # header size 1000000
      create("qcow2", "qcow2-v3-header-size-odd.qcow2", 1000448),
      qio("qcow2", "qcow2-v3-header-size-odd.qcow2", "write -P 1 0 64k",
          "write -P 2 983040 17408"),
      set64("qcow2-v3-header-size-odd.qcow2", 24, 1000000)),
    q("qcow2-v3-header-size-tiny", ["v3", "odd-size", "header-patched", "zero-length"],  # 100 -> 0
      create("qcow2", "qcow2-v3-header-size-tiny.qcow2", "64k"),
      qio("qcow2", "qcow2-v3-header-size-tiny.qcow2", "write -P 1 0 4k"),
      set64("qcow2-v3-header-size-tiny.qcow2", 24, 100)),
    q("qcow2-v3-1t", ["v3", "large", "sparse"],
      create("qcow2", "qcow2-v3-1t.qcow2", "1T"),
      qio("qcow2", "qcow2-v3-1t.qcow2", "write -P 1 0 64k", "write -P 2 300G 128k",
          "write -z 600G 64k", "write -P 3 %d 64k" % (T - 65536))),
    q("qcow2-v3-dirty-bit", ["v3", "header-patched"],          # incompatible bit 0: dirty
      create("qcow2", "qcow2-v3-dirty-bit.qcow2", "1M", "lazy_refcounts=on"),
      qio("qcow2", "qcow2-v3-dirty-bit.qcow2", "write -P 1 0 64k"),
      or64("qcow2-v3-dirty-bit.qcow2", 72, 1)),
    q("qcow2-v3-corrupt-bit", ["v3", "header-patched", "corrupt"],   # incompatible bit 1: corrupt
      create("qcow2", "qcow2-v3-corrupt-bit.qcow2", "1M"),
      qio("qcow2", "qcow2-v3-corrupt-bit.qcow2", "write -P 1 0 64k", "write -z 128k 64k"),
      or64("qcow2-v3-corrupt-bit.qcow2", 72, 2)),

    # --- cluster sizes ------------------------------------------------------
    q("qcow2-c512", ["v3", "cluster-512"],
      create("qcow2", "qcow2-c512.qcow2", "1M", "cluster_size=512"),
      qio("qcow2", "qcow2-c512.qcow2", "write -P 1 0 4k", "write -P 2 65536 512",
          "write -P 3 66560 1024", "write -z 8k 1k", "write -P 4 1047552 1k")),
    q("qcow2-c4k", ["v3", "cluster-4k", "zero"],
      create("qcow2", "qcow2-c4k.qcow2", "4M", "cluster_size=4k"),
      qio("qcow2", "qcow2-c4k.qcow2", "write -P 1 0 16k", "write -P 2 2M 4k",
          "write -z 8k 4k", "write -P 3 2052k 8k", "write -P 4 1M 1k")),
    q("qcow2-c64k", ["v3", "cluster-64k", "data"],
      create("qcow2", "qcow2-c64k.qcow2", "2M", "cluster_size=64k"),
      qio("qcow2", "qcow2-c64k.qcow2", "write -P 1 4k 4k", "write -P 2 640k 64k")),
    # 1M clusters and offsets >= 2^52 (the human columns touch) in one
    # image: qemu writes the header and refcount clusters in full, so every
    # big-cluster image costs a few MiB of sidecar.  Only one L2 table.
    q("qcow2-c1m-4p", ["v3", "cluster-1m", "large", "sparse", "zero"],
      create("qcow2", "qcow2-c1m-4p.qcow2", P + 16 * 1048576, "cluster_size=1M"),
      qio("qcow2", "qcow2-c1m-4p.qcow2", "write -P 1 %#x 64k" % P,
          "write -P 2 %#x 4k" % (P + 5 * 1048576), "write -z %#x 1M" % (P + 8 * 1048576),
          "write -P 3 %#x 64k" % (P + 15 * 1048576 + 65536))),
    q("qcow2-c2m", ["v3", "cluster-2m", "zero"],
      create("qcow2", "qcow2-c2m.qcow2", "16M", "cluster_size=2M"),
      qio("qcow2", "qcow2-c2m.qcow2", "write -P 1 0 64k", "write -P 2 6M 4k",
          "write -z 10M 2M")),

    # --- qcow2 v2 (compat=0.10): no zero flag -------------------------------
    q("qcow2-v2-empty", ["v2", "empty"],
      create("qcow2", "qcow2-v2-empty.qcow2", "4M", "compat=0.10")),
    q("qcow2-v2-data", ["v2", "data", "out-of-order"],
      create("qcow2", "qcow2-v2-data.qcow2", "4M", "compat=0.10"),
      qio("qcow2", "qcow2-v2-data.qcow2", "write -P 1 2M 64k", "write -P 2 0 128k",
          "write -P 3 3M 4k")),
    q("qcow2-v2-zero", ["v2", "zero", "discard"],              # write -z / discard deallocate
      create("qcow2", "qcow2-v2-zero.qcow2", "4M", "compat=0.10"),
      qio("qcow2", "qcow2-v2-zero.qcow2", "write -P 1 0 256k", "write -z 64k 64k",
          "write -z 1M 64k", "discard 192k 64k", "write -P 2 2M 64k")),
    q("qcow2-v2-compressed", ["v2", "compressed"],
      truncate("qcow2-v2-compressed-src.raw", "2M"),
      qio("raw", "qcow2-v2-compressed-src.raw", "write -P 0x11 0 256k", "write -P 0x22 1M 64k"),
      write_random("qcow2-v2-compressed-src.raw", 65536, 65536, 2),
      convert("qcow2-v2-compressed-src.raw", "qcow2-v2-compressed.qcow2", "compat=0.10",
              compress=True)),
    q("qcow2-v2-c4k", ["v2", "cluster-4k"],
      create("qcow2", "qcow2-v2-c4k.qcow2", "1M", "compat=0.10", "cluster_size=4k"),
      qio("qcow2", "qcow2-v2-c4k.qcow2", "write -P 1 0 12k", "write -P 2 512k 4k")),
    q("qcow2-v2-zero-flag", ["v2", "corrupt"],                 # zero flag in a v2 L2 entry: EIO
      create("qcow2", "qcow2-v2-zero-flag.qcow2", "1M", "compat=0.10"),
      qio("qcow2", "qcow2-v2-zero-flag.qcow2", "write -P 1 0 64k", "write -P 2 128k 64k",
          "write -P 3 512k 64k"),
      patch_l2("qcow2-v2-zero-flag.qcow2", 0, 16, 1)),

    # --- preallocation and the st_blocks heuristic --------------------------
    q("qcow2-prealloc-metadata", ["v3", "prealloc-metadata", "prealloc-heuristic", "sparse"],
      create("qcow2", "qcow2-prealloc-metadata.qcow2", "4M", "preallocation=metadata"),
      qio("qcow2", "qcow2-prealloc-metadata.qcow2", "write -P 1 64k 64k", "write -P 2 1M 4k")),
    q("qcow2-prealloc-metadata-v2", ["v2", "prealloc-metadata", "prealloc-heuristic", "sparse"],
      create("qcow2", "qcow2-prealloc-metadata-v2.qcow2", "1M", "compat=0.10",
             "preallocation=metadata"),
      qio("qcow2", "qcow2-prealloc-metadata-v2.qcow2", "write -P 1 0 64k")),
    q("qcow2-prealloc-metadata-rc1", ["v3", "prealloc-metadata", "prealloc-heuristic",
                                      "cluster-4k", "sparse"],
      create("qcow2", "qcow2-prealloc-metadata-rc1.qcow2", "1M", "preallocation=metadata",
             "refcount_bits=1", "cluster_size=4k"),
      qio("qcow2", "qcow2-prealloc-metadata-rc1.qcow2", "write -P 1 8k 4k")),
    q("qcow2-prealloc-falloc", ["v3", "prealloc-falloc", "unwritten"],
      create("qcow2", "qcow2-prealloc-falloc.qcow2", "2M", "preallocation=falloc"),
      qio("qcow2", "qcow2-prealloc-falloc.qcow2", "write -P 1 128k 4k")),
    q("qcow2-prealloc-full", ["v3", "prealloc-full"],
      create("qcow2", "qcow2-prealloc-full.qcow2", "256k", "preallocation=full")),
    q("qcow2-cp-sparse", ["v3", "cp-sparse", "prealloc-heuristic", "sparse"],
      # Zero-filled data clusters become holes in the copy: st_blocks drops
      # below the allocated cluster count, the heuristic fires and those
      # clusters map as zero:true,data:true.
      create("qcow2", "qcow2-cp-sparse-src.qcow2", "1M"),
      qio("qcow2", "qcow2-cp-sparse-src.qcow2", "write -P 0 0 192k", "write -P 1 192k 64k",
          "write -P 0 512k 64k", "write -P 2 520k 4k"),
      ["cp", "--sparse=always", "qcow2-cp-sparse-src.qcow2", "qcow2-cp-sparse.qcow2"]),
    q("qcow2-cp-sparse-v2", ["v2", "cp-sparse", "prealloc-heuristic", "sparse"],
      create("qcow2", "qcow2-cp-sparse-v2-src.qcow2", "1M", "compat=0.10"),
      qio("qcow2", "qcow2-cp-sparse-v2-src.qcow2", "write -P 0 0 128k", "write -P 3 128k 4k"),
      ["cp", "--sparse=always", "qcow2-cp-sparse-v2-src.qcow2", "qcow2-cp-sparse-v2.qcow2"]),
    # A copy where the heuristic stays off: fewer than ~1/10 of the clusters
    # became holes.  (With 64k clusters that takes ~2 MiB of data: the L1
    # cluster is mostly unwritten, so one hole is already enough.)
    q("qcow2-cp-sparse-off", ["v3", "cp-sparse", "cluster-4k", "sparse"],
      create("qcow2", "qcow2-cp-sparse-off-src.qcow2", "1M", "cluster_size=4k"),
      qio("qcow2", "qcow2-cp-sparse-off-src.qcow2", "write -P 5 0 80k", "write -P 0 128k 4k"),
      ["cp", "--sparse=always", "qcow2-cp-sparse-off-src.qcow2", "qcow2-cp-sparse-off.qcow2"]),

    # --- extended L2 (subclusters) ------------------------------------------
    q("qcow2-extl2", ["v3", "extended-l2", "subcluster", "zero"],   # the spec's example
      create("qcow2", "qcow2-extl2.qcow2", "1M", "extended_l2=on"),
      qio("qcow2", "qcow2-extl2.qcow2", "write -P 1 0 4k", "write -P 2 8k 2k",
          "write -z 64k 8k", "write -P 3 128k 4k", "write -z 132k 4k")),
    q("qcow2-extl2-discard", ["v3", "extended-l2", "subcluster", "discard", "zero-unmap"],
      create("qcow2", "qcow2-extl2-discard.qcow2", "1M", "extended_l2=on"),
      qio("qcow2", "qcow2-extl2-discard.qcow2", "write -P 1 0 64k", "discard 16k 8k",
          "write -z -u 40k 4k", "write -P 2 256k 64k", "discard 256k 64k",
          "write -z -u 512k 64k", "write -P 3 770k 6k")),
    q("qcow2-extl2-c16k", ["v3", "extended-l2", "subcluster", "cluster-16k"],  # 512 B subclusters
      create("qcow2", "qcow2-extl2-c16k.qcow2", "1M", "extended_l2=on", "cluster_size=16k"),
      qio("qcow2", "qcow2-extl2-c16k.qcow2", "write -P 1 0 512", "write -P 2 1536 1k",
          "write -z 16k 4k", "write -P 3 33280 512", "write -z -u 33280 512",
          "write -P 4 64k 16k", "discard 70144 1k")),

    # --- corrupt metadata found mid-walk ------------------------------------
    q("qcow2-corrupt-l2-offset", ["v3", "corrupt"],            # L1[1] -> unaligned L2 table
      create("qcow2", "qcow2-corrupt-l2-offset.qcow2", "1G"),
      qio("qcow2", "qcow2-corrupt-l2-offset.qcow2", "write -P 1 0 64k", "write -P 2 600M 64k"),
      patch_l2("qcow2-corrupt-l2-offset.qcow2", 1, -1, 0x200)),
    q("qcow2-corrupt-extl2-bits", ["v3", "extended-l2", "corrupt"],  # alloc and zero bits both set
      create("qcow2", "qcow2-corrupt-extl2-bits.qcow2", "1M", "extended_l2=on"),
      qio("qcow2", "qcow2-corrupt-extl2-bits.qcow2", "write -P 1 4k 4k", "write -z 64k 8k",
          "write -P 2 200k 64k"),
      patch_l2("qcow2-corrupt-extl2-bits.qcow2", 0, 3 * 16 + 8, 0xffffffff << 32)),

    # --- vpc (VHD) ------------------------------------------------------------
    # Every image is normalised (vpc_norm/vhdx_norm/vmdk_norm) after qemu
    # last wrote it: timestamps and random ids made byte-identical.
    vpc("vpc-dynamic", ["vpc", "dynamic", "data"],             # 2 MiB blocks, CHS-sized
        create("vpc", "vpc-dynamic.vhd", "5M"),
        qio("vpc", "vpc-dynamic.vhd", "write -P 1 0 64k", "write -P 2 2044k 8k",
            "write -P 3 4M 4k"),
        vpc_norm("vpc-dynamic.vhd")),
    vpc("vpc-force-size", ["vpc", "dynamic", "force-size", "data"],
        create("vpc", "vpc-force-size.vhd", 8385024, "force_size=on"),
        qio("vpc", "vpc-force-size.vhd", "write -P 1 1M 64k", "write -P 2 8380928 4k"),
        vpc_norm("vpc-force-size.vhd")),
    vpc("vpc-fixed", ["vpc", "fixed", "data"],                 # probes as raw
        create("vpc", "vpc-fixed.vhd", "1M", "subformat=fixed"),
        qio("vpc", "vpc-fixed.vhd", "write -P 1 0 4k", "write -P 2 512k 64k"),
        vpc_norm("vpc-fixed.vhd")),
    # creator 'vbox' with current_size (8 MiB - 64k) below the CHS size
    # (8386560; geometry not the maximum): 7.2 maps the CHS size, 10.0+
    # the footer's current_size.
    vpc("vpc-creator-vbox", ["vpc", "dynamic", "creator-vbox", "data"],
        create("vpc", "vpc-creator-vbox.vhd", 8385024),
        qio("vpc", "vpc-creator-vbox.vhd", "write -P 1 0 64k", "write -P 2 8380416 4k"),
        vpc_norm("vpc-creator-vbox.vhd", "vbox", 8323072)),

    # --- vhdx ---------------------------------------------------------------
    vhdx("vhdx-dynamic", ["vhdx", "dynamic", "data", "zero"],
         create("vhdx", "vhdx-dynamic.vhdx", "8M"),
         qio("vhdx", "vhdx-dynamic.vhdx", "write -P 1 0 64k", "write -P 2 3M 4k",
             "write -z 5M 64k", "write -P 3 7M 16k"),
         vhdx_norm("vhdx-dynamic.vhdx")),
    vhdx("vhdx-fixed", ["vhdx", "fixed"],
         create("vhdx", "vhdx-fixed.vhdx", "1M", "subformat=fixed"),
         vhdx_norm("vhdx-fixed.vhdx")),

    # --- vmdk ---------------------------------------------------------------
    vmdk("vmdk-sparse", ["vmdk", "monolithicSparse", "data", "zero"],
         create("vmdk", "vmdk-sparse.vmdk", "2M"),
         qio("vmdk", "vmdk-sparse.vmdk", "write -P 1 0 64k", "write -z 256k 64k",
             "write -P 2 1M 4k", "write -P 3 1984k 64k"),
         vmdk_norm("vmdk-sparse.vmdk")),
    vmdk("vmdk-zeroed-grain", ["vmdk", "monolithicSparse", "zeroed-grain", "data", "zero"],
         create("vmdk", "vmdk-zeroed-grain.vmdk", "2M", "zeroed_grain=on"),
         qio("vmdk", "vmdk-zeroed-grain.vmdk", "write -P 1 0 64k", "write -z 64k 128k",
             "write -P 2 1M 64k", "write -z 1M 64k", "write -P 3 1536k 4k"),
         vmdk_norm("vmdk-zeroed-grain.vmdk")),
    vmdk("vmdk-stream", ["vmdk", "streamOptimized", "compressed", "data"],
         truncate("vmdk-stream-src.raw", "1M"),
         qio("raw", "vmdk-stream-src.raw", "write -P 0x11 0 64k", "write -P 0x22 512k 4k",
             "write -P 0x33 960k 64k"),
         convert("vmdk-stream-src.raw", "vmdk-stream.vmdk", "subformat=streamOptimized",
                 out_fmt="vmdk"),
         vmdk_norm("vmdk-stream.vmdk")),
    # --- images made of several files ------------------------------------
    # The image file is what qemu-img is given; extra_files are the files it
    # names.  vmdk extent names are relative to the descriptor's directory,
    # a qcow2 data file name to the working directory (the corpus directory
    # when the baselines are recorded).
    vmdk("vmdk-flat", ["vmdk", "monolithicFlat", "multi-file", "data", "sparse"],
         create("vmdk", "vmdk-flat.vmdk", "2M", "subformat=monolithicFlat"),
         qio("vmdk", "vmdk-flat.vmdk", "write -P 1 0 64k", "write -z 256k 64k",
             "write -P 2 1M 4k", "write -P 3 1984k 64k"),
         vmdk_desc_norm("vmdk-flat.vmdk"),
         extra_files=["vmdk-flat-flat.vmdk"]),
    vmdk("vmdk-2g-sparse", ["vmdk", "twoGbMaxExtentSparse", "multi-file", "data", "zero"],
         create("vmdk", "vmdk-2g-sparse.vmdk", "5G", "subformat=twoGbMaxExtentSparse"),
         qio("vmdk", "vmdk-2g-sparse.vmdk", "write -P 1 0 64k", "write -z 1M 64k",
             "write -P 2 2047M 2M", "write -P 3 5119M 64k"),
         vmdk_desc_norm("vmdk-2g-sparse.vmdk"),
         extra_files=["vmdk-2g-sparse-s001.vmdk", "vmdk-2g-sparse-s002.vmdk",
                      "vmdk-2g-sparse-s003.vmdk"]),
    vmdk("vmdk-2g-flat", ["vmdk", "twoGbMaxExtentFlat", "multi-file", "data", "sparse"],
         create("vmdk", "vmdk-2g-flat.vmdk", "3G", "subformat=twoGbMaxExtentFlat"),
         qio("vmdk", "vmdk-2g-flat.vmdk", "write -P 1 0 64k", "write -P 2 2047M 2M",
             "write -P 3 3071M 64k"),
         vmdk_desc_norm("vmdk-2g-flat.vmdk"),
         extra_files=["vmdk-2g-flat-f001.vmdk", "vmdk-2g-flat-f002.vmdk"]),
    # A descriptor written by hand in a subdirectory, CRLF line ends and
    # comments: FLAT with an offset, ZERO, a SPARSE extent, RDONLY and
    # NOACCESS extents (qemu skips every extent that is not RW), an extent
    # in the parent directory.
    vmdk("vmdk-desc-mixed", ["vmdk", "descriptor", "crlf", "comments", "subdir", "multi-file",
                             "flat", "sparse", "zero-extent", "rdonly", "noaccess"],
         ["mkdir", "vmdk-desc-mixed"],
         truncate("vmdk-desc-mixed/flat-a.raw", "2M"),
         qio("raw", "vmdk-desc-mixed/flat-a.raw", "write -P 1 0 64k", "write -P 2 1M 8k"),
         create("vmdk", "vmdk-desc-mixed/sparse-b.vmdk", "1M"),
         qio("vmdk", "vmdk-desc-mixed/sparse-b.vmdk", "write -P 3 64k 64k", "write -z 512k 64k"),
         vmdk_norm("vmdk-desc-mixed/sparse-b.vmdk"),
         truncate("vmdk-desc-mixed-shared.raw", "1M"),
         qio("raw", "vmdk-desc-mixed-shared.raw", "write -P 4 512k 4k"),
         write_text("vmdk-desc-mixed/disk.vmdk",
                    "# Disk DescriptorFile\r\n# written by hand\r\nversion=1\r\n"
                    "CID=12345678\r\nparentCID=ffffffff\r\ncreateType=\"custom\"\r\n\r\n"
                    "# Extent description\r\n"
                    "RW 2048 FLAT \"flat-a.raw\" 1024\r\n"
                    "RW 1024 ZERO\r\n"
                    "RDONLY 1024 FLAT \"flat-a.raw\" 0\r\n"
                    "RW 2048 SPARSE \"sparse-b.vmdk\"\r\n"
                    "NOACCESS 512 FLAT \"flat-a.raw\" 0\r\n"
                    "RW 2048 FLAT \"../vmdk-desc-mixed-shared.raw\" 0\r\n"
                    "\r\n# The Disk Data Base\r\n#DDB\r\n\r\n"
                    "ddb.virtualHWVersion = \"4\"\r\nddb.adapterType = \"ide\"\r\n"),
         file="vmdk-desc-mixed/disk.vmdk",
         extra_files=["vmdk-desc-mixed/flat-a.raw", "vmdk-desc-mixed/sparse-b.vmdk",
                      "vmdk-desc-mixed-shared.raw"]),
    # A blank line before `version=`: qemu's probe gives up at the first line
    # that is not a comment, so this descriptor probes as raw; -f vmdk maps it.
    vmdk("vmdk-desc-blank-first", ["vmdk", "descriptor", "probe-raw", "multi-file", "flat"],
         truncate("vmdk-desc-blank-first.raw", "1M"),
         qio("raw", "vmdk-desc-blank-first.raw", "write -P 5 4k 4k"),
         write_text("vmdk-desc-blank-first.vmdk",
                    "# Disk DescriptorFile\n\nversion=1\nCID=12345678\nparentCID=ffffffff\n"
                    "createType=\"monolithicFlat\"\n\n"
                    "RW 2048 FLAT \"vmdk-desc-blank-first.raw\" 0\n"),
         extra_files=["vmdk-desc-blank-first.raw"]),
    # An extent that does not exist, with a 400-character name: qemu's
    # message holds the whole composed path.
    vmdk("vmdk-desc-long-name", ["vmdk", "descriptor", "missing-extent", "long-name"],
         write_text("vmdk-desc-long-name.vmdk",
                    "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\n"
                    "createType=\"monolithicFlat\"\n\n"
                    "RW 2048 FLAT \"%s.raw\" 0\n" % ("missing-extent-" * 25)[:396])),
    # VMFSSPARSE ("COWD"): no qemu-img creates it, the corpus patcher does
    # (hostile.py vmdk-cowd). 4 KiB grains, four of them written, one past
    # the first grain table; then the same file as an extent of a
    # descriptor, after a FLAT extent.
    vmdk("vmdk-cowd", ["vmdk", "vmfsSparse", "cowd", "data"],
         ["hostile-gen", "vmdk-cowd", "vmdk-cowd.vmdk", "40960", "8",
          "0=0x11,1=0x12,5=0x13,4097=0x14"]),
    vmdk("vmdk-desc-vmfssparse", ["vmdk", "descriptor", "vmfsSparse", "cowd", "multi-file",
                                  "flat", "data"],
         ["hostile-gen", "vmdk-cowd", "vmdk-desc-vmfssparse-s.vmdk", "40960", "8",
          "2=0x21,4096=0x22"],
         truncate("vmdk-desc-vmfssparse-f.raw", "64k"),
         qio("raw", "vmdk-desc-vmfssparse-f.raw", "write -P 0x23 4k 4k"),
         write_text("vmdk-desc-vmfssparse.vmdk",
                    "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\n"
                    "createType=\"vmfsSparse\"\n\n"
                    "RW 128 FLAT \"vmdk-desc-vmfssparse-f.raw\" 0\n"
                    "RW 40960 VMFSSPARSE \"vmdk-desc-vmfssparse-s.vmdk\"\n"),
         extra_files=["vmdk-desc-vmfssparse-s.vmdk", "vmdk-desc-vmfssparse-f.raw"]),
    q("qcow2-data-file", ["v3", "data-file", "multi-file", "data", "zero", "discard"],
      create("qcow2", "qcow2-data-file.qcow2", "1M", "data_file=qcow2-data-file.data"),
      qio("qcow2", "qcow2-data-file.qcow2", "write -P 1 0 64k", "write -z 128k 64k",
          "write -P 2 256k 128k", "discard 320k 64k", "write -P 3 1008k 16k"),
      extra_files=["qcow2-data-file.data"]),
    q("qcow2-data-file-raw", ["v3", "data-file", "data-file-raw", "multi-file", "data", "zero"],
      create("qcow2", "qcow2-data-file-raw.qcow2", "1M",
             "data_file=qcow2-data-file-raw.data", "data_file_raw=on"),
      qio("qcow2", "qcow2-data-file-raw.qcow2", "write -P 1 0 64k", "write -z 128k 64k",
          "write -P 2 512k 4k"),
      extra_files=["qcow2-data-file-raw.data"]),
    # Image and data file in a subdirectory; the recorded name
    # (qcow2-data-file-sub/img.data) is relative to the working directory,
    # not to the image.
    q("qcow2-data-file-sub", ["v3", "data-file", "subdir", "multi-file", "data"],
      ["mkdir", "qcow2-data-file-sub"],
      create("qcow2", "qcow2-data-file-sub/img.qcow2", "1M",
             "data_file=qcow2-data-file-sub/img.data"),
      qio("qcow2", "qcow2-data-file-sub/img.qcow2", "write -P 1 64k 64k"),
      file="qcow2-data-file-sub/img.qcow2",
      extra_files=["qcow2-data-file-sub/img.data"]),

]


# ---------------------------------------------------------------------------
ID_RE = re.compile(r"^[a-z0-9-]+$")


FILE_RE = re.compile(r"^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*$")


def all_recipes():
    """The safe recipes above, then the hostile tier's (hostile.py)."""
    return RECIPES + hostile.RECIPES


def tier_recipes(tier):
    """The recipes of TIER ("all" for every tier)."""
    if tier == "safe":
        return list(RECIPES)
    return [r for r in all_recipes() if tier == "all" or r["tier"] == tier]


def check_recipes(recipes):
    seen, files = set(), set()
    for r in recipes:
        id_ = r["id"]
        if not ID_RE.match(id_) or id_ in seen:
            raise SystemExit("bad or duplicate id: %r" % id_)
        seen.add(id_)
        if r["format"] not in EXT:
            raise SystemExit("%s: unknown format %r" % (id_, r["format"]))
        if r["tier"] not in TIERS:
            raise SystemExit("%s: unknown tier %r" % (id_, r["tier"]))
        for f in [r["file"]] + [x for x in r["extra_files"]]:
            name = f["file"] if isinstance(f, dict) else f
            if not FILE_RE.match(name) or ".." in name.split("/") or name in files:
                raise SystemExit("%s: bad or duplicate file name %r" % (id_, name))
            files.add(name)


def capture(path):
    """Measure the finished image.  Returns (entry fields, packed data)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        corpus_fs.drop_cache(fd)
        st = os.fstat(fd)
        size = st.st_size
        ranges = corpus_fs.data_ranges(fd, size)
        extents = corpus_fs.fiemap(fd)
        unwritten = corpus_fs.unwritten_ranges(fd)
        for off, length, flags in extents:
            if flags & (corpus_fs.FIEMAP_EXTENT_DELALLOC | corpus_fs.FIEMAP_EXTENT_UNKNOWN
                        | corpus_fs.FIEMAP_EXTENT_DATA_INLINE):
                raise SystemExit("%s: extent %d+%d has flags %#x the corpus cannot record"
                                 % (path, off, length, flags))
        for uo, ul in unwritten:          # data runs and unwritten extents are disjoint
            for do, dl in ranges:
                if uo < do + dl and do < uo + ul:
                    raise SystemExit("%s: unwritten extent %d+%d overlaps data run %d+%d"
                                     % (path, uo, ul, do, dl))
        data = b"".join(corpus_fs.read_ranges(fd, ranges))
        if size > corpus_fs.FULL_HASH_LIMIT:
            # Hashing the holes of a 1 TiB (or 15 TiB) file as zeros takes
            # minutes to hours; the data runs and their bytes say the same.
            sha = "runs:" + hashlib.sha256(data).hexdigest()
        else:
            sha = corpus_fs.content_sha256(fd, size, ranges)
        corpus_fs.drop_cache(fd)
        # Nothing above may have changed the allocation.
        st2 = os.fstat(fd)
        if (st2.st_blocks != st.st_blocks or corpus_fs.data_ranges(fd, size) != ranges
                or corpus_fs.unwritten_ranges(fd) != unwritten):
            raise SystemExit("%s: allocation changed while it was captured" % path)
    finally:
        os.close(fd)

    # st_blocks is recorded from a canonical recreation (corpus_fs.write_image),
    # which must have the same data runs and unwritten extents.
    # Whether ext4 needs an extent-tree block depends on where it finds free
    # space, so the lowest count of a few recreations is recorded
    # (materialize.py tolerates one block more, never fewer).
    canon = path + ".canonical"
    blocks = None
    for _ in range(3):
        corpus_fs.write_image(canon, size, unwritten, ranges, data)
        fd = os.open(canon, os.O_RDONLY)
        try:
            b = os.fstat(fd).st_blocks
            if (corpus_fs.data_ranges(fd, size) != ranges
                    or corpus_fs.unwritten_ranges(fd) != unwritten):
                raise SystemExit("%s: the recreated file has a different allocation" % path)
        finally:
            os.close(fd)
            os.unlink(canon)
        blocks = b if blocks is None else min(blocks, b)
    if blocks != st.st_blocks:
        print("  note: %s: st_blocks %d as made, %d recreated (ext4 extent-tree blocks)"
              % (os.path.basename(path), st.st_blocks, blocks))
    return {"size": size, "sha256": sha, "data_ranges": ranges,
            "unwritten_ranges": unwritten, "blocks": blocks}, data


def dump_manifest(images):
    """Stable, diff-friendly JSON: one key per line, values compact."""
    def val(v):
        return json.dumps(v, separators=(", ", ": "))
    out = ['{ "version": 1,', '  "images": [']
    for i, img in enumerate(images):
        lines = ['    "%s": %s' % (k, val(v)) for k, v in img.items()]
        out.append("   {\n" + ",\n".join(lines) + "\n   }" + ("," if i + 1 < len(images) else ""))
    out.append("  ]")
    out.append("}")
    return "\n".join(out) + "\n"


def sidecar_name(id_, name, main):
    """<id>.data.gz for the image file, <id>+<file with / as +>.data.gz for
    the others."""
    return id_ + ("" if main else "+" + name.replace("/", "+")) + ".data.gz"


def capture_file(out_dir, workdir, id_, name, main):
    """Measure one file of an image; write its sidecar.  Returns the
    manifest fields of the file and the number of data bytes."""
    path = os.path.join(workdir, name)
    st = os.lstat(path)
    if stat.S_ISFIFO(st.st_mode):
        return {"type": "fifo"}, 0
    if not stat.S_ISREG(st.st_mode):
        raise SystemExit("%s: %s is neither a regular file nor a FIFO" % (id_, name))
    m, data = capture(path)
    entry = {"size": m["size"], "sha256": m["sha256"]}
    if m["data_ranges"]:
        entry["data"] = sidecar_name(id_, name, main)
        corpus_fs.write_data(os.path.join(out_dir, entry["data"]), data)
    entry["data_ranges"] = m["data_ranges"]
    entry["unwritten_ranges"] = m["unwritten_ranges"]
    entry["blocks"] = m["blocks"]
    return entry, len(data)


def generate(args, out_dir, scratch_root, old, recipes):
    """Make RECIPES; entries of OLD in tiers that are not being made are
    kept as they are (with their sidecars)."""
    made_tiers = {r["tier"] for r in recipes} if args.tier != "all" else set(TIERS)
    images = []
    for e in old.get("images", []):
        if e["tier"] not in made_tiers:
            images.append(e)
            if out_dir != args.out:
                for x in [e] + e.get("extra_files", []):
                    if x.get("data"):
                        shutil.copy(os.path.join(args.out, x["data"]), out_dir)
    for r in recipes:
        id_, fmt, file_ = r["id"], r["format"], r["file"]
        workdir = os.path.join(scratch_root, id_)
        os.mkdir(workdir)
        try:
            Programs(args.qemu_img, args.qemu_io).run_all(id_, r["commands"], workdir)
        except CommandFailed as e:
            raise SystemExit(str(e))
        m, nbytes = capture_file(out_dir, workdir, id_, file_, True)
        if m.get("type"):
            raise SystemExit("%s: the image file itself must be a regular file" % id_)
        entry = {"id": id_, "file": file_, "format": fmt, "tier": r["tier"],
                 "tags": r["tags"], "size": m["size"], "sha256": m["sha256"],
                 "commands": r["commands"]}
        entry.update((k, v) for k, v in m.items() if k not in ("size", "sha256"))
        if r.get("no_baseline"):
            # qemu-img cannot map it (it hangs): no baseline, instar's
            # refusal is checked by tests/e2e/hostile_refusals.py
            entry["no_baseline"] = r["no_baseline"]
        extras = []
        for name in r["extra_files"]:
            x, n = capture_file(out_dir, workdir, id_, name, False)
            extras.append(dict({"file": name}, **x))
            nbytes += n
        if extras:
            entry["extra_files"] = extras
        images.append(entry)
        print("  %-32s %-5s size %-15d data %9d B in %3d runs, unwritten %d, blocks %d%s"
              % (id_, fmt, m["size"], nbytes, len(m["data_ranges"]),
                 sum(l for _, l in m["unwritten_ranges"]), m["blocks"],
                 ", +%d files" % len(extras) if extras else ""), flush=True)
        if args.keep_images:             # rename keeps the allocation
            for name in [file_] + r["extra_files"]:
                dst = os.path.join(args.keep_images, name)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                os.replace(os.path.join(workdir, name), dst)
        shutil.rmtree(workdir)
    images.sort(key=lambda e: TIERS.index(e["tier"]))     # stable: recipe order within a tier
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        f.write(dump_manifest(images))
    return images


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    cli.add_tool_args(ap, instar=False, qemu_io=True,
                      scratch="where the scratch directory goes: on the filesystem of --out "
                              "(default: the directory holding --out)")
    ap.add_argument("--out", default=DEFAULT_OUT, help="images directory (default: %(default)s)")
    ap.add_argument("--keep-images", metavar="DIR",
                    help="move the generated images into DIR (same filesystem) to compare "
                         "them with materialised ones")
    ap.add_argument("--tier", choices=("all",) + TIERS, default="all",
                    help="make only this tier's images; the manifest keeps the others' "
                         "entries as they are (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="generate into a temporary directory and compare with --out")
    args = ap.parse_args()
    check_recipes(tier_recipes("all") if args.tier != "safe" else RECIPES)
    recipes = tier_recipes(args.tier)
    args.out = os.path.abspath(args.out)
    if args.keep_images:
        args.keep_images = os.path.abspath(args.keep_images)
        os.makedirs(args.keep_images, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    for p in (args.qemu_img, args.qemu_io):
        if shutil.which(p) is None:
            raise SystemExit("not found: %s" % p)
    print("qemu-img: %s" % version_line(args.qemu_img))
    try:
        with open(os.path.join(args.out, "manifest.json")) as f:
            old = json.load(f)
    except FileNotFoundError:
        old = {}

    # Scratch on the same filesystem as the output: allocation is per filesystem.
    scratch = tempfile.mkdtemp(prefix=".corpus-scratch-",
                               dir=args.scratch or os.path.dirname(args.out))
    try:
        if args.check:
            gen_dir = os.path.join(scratch, "out")
            os.mkdir(gen_dir)
            generate(args, gen_dir, scratch, old, recipes)
            names = sorted(set(os.listdir(gen_dir)) | set(
                n for n in os.listdir(args.out) if n.endswith(".data.gz") or n == "manifest.json"))
            bad = [n for n in names
                   if not (os.path.exists(os.path.join(gen_dir, n))
                           and os.path.exists(os.path.join(args.out, n))
                           and filecmp.cmp(os.path.join(gen_dir, n), os.path.join(args.out, n),
                                           shallow=False))]
            if bad:
                print("DIFFERENT from %s: %s" % (args.out, " ".join(bad)), file=sys.stderr)
                if "manifest.json" in bad:
                    import difflib
                    sys.stderr.writelines(difflib.unified_diff(
                        open(os.path.join(args.out, "manifest.json")).readlines(),
                        open(os.path.join(gen_dir, "manifest.json")).readlines(),
                        "manifest.json", "regenerated", n=1))
                return 1
            print("identical: %d files" % len(names))
            return 0
        generate(args, args.out, scratch, old, recipes)
        keep = set()
        for e in json.load(open(os.path.join(args.out, "manifest.json")))["images"]:
            keep |= {x.get("data") for x in [e] + e.get("extra_files", [])}
        for n in os.listdir(args.out):           # sidecars of removed recipes
            if n.endswith(".data.gz") and n not in keep:
                os.unlink(os.path.join(args.out, n))
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
