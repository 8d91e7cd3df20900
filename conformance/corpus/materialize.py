#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Recreate the conformance image corpus with its exact allocation.

    scripts/py conformance/corpus/materialize.py SRC_IMAGES_DIR DEST_DIR
    scripts/py conformance/corpus/materialize.py --drop-cache DEST_DIR

For every image in SRC_IMAGES_DIR/manifest.json: create DEST_DIR/<file> as
a sparse file of the recorded size, fallocate its unwritten ranges, write
its data ranges from <id>.data, fsync, then verify that st_size, the
SEEK_DATA/SEEK_HOLE data runs, st_blocks and the content sha256 equal the
manifest.  An image whose file already verifies is left alone.  Any
difference is printed, naming the image and what differs, and the exit
status is 1: a filesystem that cannot represent the recorded allocation
(no SEEK_HOLE, no unwritten extents, other block accounting) fails here
instead of making the conformance tests compare against the wrong image.

--drop-cache only drops the page cache of every image in DEST_DIR (see
instar_testing/corpus_fs.py: cached pages over unwritten extents read as SEEK_DATA data).

Python 3 stdlib only.
"""

import hashlib
import json
import os
import stat
import sys
import time

from instar_testing import corpus_fs


class Mismatch(Exception):
    pass


def fmt_runs(runs, limit=6):
    s = ", ".join("%d+%d" % (o, l) for o, l in runs[:limit])
    return "[" + s + (", ... (%d runs)" % len(runs) if len(runs) > limit else "") + "]"


# ext4 keeps up to four extents in the inode and needs a 4 KiB extent-tree
# block beyond that; whether a recreated file's extents merge depends on
# where the filesystem finds free space, so a file can come back one such
# block (8 sectors) heavier or lighter than the file the generator measured.
# build() rewrites the file a few times to get the recorded count; only then
# is that one block tolerated, with a note.
EXTENT_TREE_SLACK = 8
REWRITES = 4


def verify(path, img, data_path):
    """Raise Mismatch listing every way PATH differs from the manifest entry."""
    fd = os.open(path, os.O_RDONLY)
    try:
        corpus_fs.drop_cache(fd)
        st = os.fstat(fd)
        problems = []
        if st.st_size != img["size"]:
            problems.append("st_size %d, manifest %d" % (st.st_size, img["size"]))
        ranges = corpus_fs.data_ranges(fd, st.st_size)
        if ranges != img["data_ranges"]:
            problems.append("SEEK_DATA/SEEK_HOLE data runs %s, manifest %s"
                            % (fmt_runs(ranges), fmt_runs(img["data_ranges"])))
        if st.st_blocks != img["blocks"]:
            problems.append("st_blocks %d, manifest %d" % (st.st_blocks, img["blocks"]))
        if not problems:
            if img["size"] <= corpus_fs.FULL_HASH_LIMIT:
                sha = corpus_fs.content_sha256(fd, st.st_size, ranges)
                if sha != img["sha256"]:
                    problems.append("sha256 %s, manifest %s" % (sha, img["sha256"]))
            else:
                # Too big to hash in the time budget: the manifest holds
                # "runs:" + the sha256 of the data runs' bytes.  The runs
                # are already known to be the manifest's and holes read as
                # zeros, so that identifies the content.
                got = b"".join(corpus_fs.read_ranges(fd, ranges))
                sha = "runs:" + hashlib.sha256(got).hexdigest()
                if sha != img["sha256"]:
                    problems.append("sha256 %s, manifest %s" % (sha, img["sha256"]))
        corpus_fs.drop_cache(fd)
        if problems:
            raise Mismatch("; ".join(problems))
    finally:
        os.close(fd)


def build(path, img, data_path):
    tmp = os.path.join(os.path.dirname(path), ".tmp-" + os.path.basename(path))
    if os.path.lexists(tmp):
        os.unlink(tmp)
    want = sum(l for _, l in img["data_ranges"])
    data = b""
    if want:
        data = corpus_fs.read_data(data_path)
    if len(data) != want:
        raise Mismatch("%s holds %d bytes, the data ranges %d"
                       % (data_path, len(data), want))
    for attempt in range(REWRITES):
        if os.path.lexists(tmp):
            os.unlink(tmp)
        try:
            corpus_fs.write_image(tmp, img["size"], img["unwritten_ranges"],
                                  img["data_ranges"], data)
        except OSError as e:
            if os.path.lexists(tmp):
                os.unlink(tmp)
            raise Mismatch("cannot recreate the file: %s" % e)
        try:
            verify(tmp, img, data_path)
            break
        except Mismatch:
            if attempt + 1 < REWRITES:
                continue
            delta = extent_tree_block_only(tmp, img, data_path)
            if delta:
                print("materialize: note: %s came back %d sectors %s "
                      "(an ext4 extent-tree block); accepted"
                      % (img["id"], EXTENT_TREE_SLACK,
                         "heavier" if delta > 0 else "lighter"), file=sys.stderr)
                break
            os.unlink(tmp)
            raise
    os.replace(tmp, path)


def extent_tree_block_only(path, img, data_path):
    """+1 or -1 if path matches the manifest entry except for st_blocks
    being exactly one extent-tree block more or less; else 0."""
    for delta in (1, -1):
        relaxed = dict(img, blocks=img["blocks"] + delta * EXTENT_TREE_SLACK)
        try:
            verify(path, relaxed, data_path)
        except Mismatch:
            continue
        return delta
    return 0


def image_files(img):
    """The files of an image: the image file itself, then the files it names
    (extra_files), each a dict with the manifest's fields, plus the id."""
    yield img
    for x in img.get("extra_files", []):
        yield dict(x, id=img["id"])


def materialize_file(src, dest, id_, entry):
    """Make DEST/<file> as ENTRY records it, unless it already is.
    Returns 1 if the file was (re)written."""
    path = os.path.join(dest, entry["file"])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if entry.get("type") == "fifo":
        if os.path.lexists(path) and stat.S_ISFIFO(os.lstat(path).st_mode):
            return 0
        if os.path.lexists(path):
            os.unlink(path)
        os.mkfifo(path, 0o600)
        return 1
    data_path = os.path.join(src, entry["data"]) if entry.get("data") else None
    if os.path.lexists(path):
        try:
            verify(path, entry, data_path)
            return 0
        except Mismatch:
            os.unlink(path)
    build(path, entry, data_path)
    return 1


def load(src):
    with open(os.path.join(src, "manifest.json")) as f:
        m = json.load(f)
    if m.get("version") != 1:
        raise SystemExit("materialize: %s/manifest.json: unsupported version %r"
                         % (src, m.get("version")))
    return m["images"]


def main(argv):
    if len(argv) == 3 and argv[1] == "--drop-cache":
        for name in os.listdir(argv[2]):
            p = os.path.join(argv[2], name)
            if os.path.isdir(p):
                main([argv[0], "--drop-cache", p])
            elif os.path.isfile(p):
                fd = os.open(p, os.O_RDONLY)
                corpus_fs.drop_cache(fd)
                os.close(fd)
        return 0
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    src, dest = argv[1], argv[2]
    t0 = time.monotonic()
    images = load(src)
    os.makedirs(dest, exist_ok=True)
    failed, made, nfiles = [], 0, 0
    for img in images:
        try:
            for entry in image_files(img):
                nfiles += 1
                made += materialize_file(src, dest, img["id"], entry)
        except (Mismatch, OSError) as e:
            failed.append(img["id"])
            print("materialize: ERROR: image %s (%s): %s"
                  % (img["id"], entry["file"], e), file=sys.stderr)
    if failed:
        print("materialize: ERROR: %d of %d images could not be recreated with the "
              "recorded allocation in %s: %s\nmaterialize: the filesystem must support "
              "SEEK_HOLE and unwritten extents and account blocks like the one the corpus "
              "was made on (ext4, 4 KiB blocks); see docs/corpus.md."
              % (len(failed), len(images), dest, " ".join(failed)), file=sys.stderr)
        return 1
    print("materialize: %d images, %d files in %s (%d written, %d already correct) in %.2fs"
          % (len(images), nfiles, dest, made, nfiles - made, time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
