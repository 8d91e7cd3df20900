# SPDX-License-Identifier: GPL-2.0-or-later
"""Allocation of image files on the host filesystem: shared by the corpus
generator (make_corpus.py) and materialize.py.  Python 3 stdlib only.

What `qemu-img map` sees of a file besides its bytes:
  - the SEEK_DATA/SEEK_HOLE runs (raw maps, qcow2 RECURSE under the
    preallocation heuristic);
  - st_blocks (the qcow2 preallocation heuristic), which also counts
    allocated-but-unwritten extents (fallocate).

Page-cache caveat (Linux iomap, seen on ext4 with 6.x kernels): SEEK_DATA
reports an *unwritten* extent as data wherever the page cache holds an
up-to-date page for it, e.g. after anything read that range (a format
probe's read and its readahead is enough).  Holes are not affected.  So
every reader here drops the file's clean pages (POSIX_FADV_DONTNEED) before
looking at its runs and after reading it, and reads with readahead off.
"""

import ctypes
import errno
import fcntl
import hashlib
import gzip
import os
import struct

FS_IOC_FIEMAP = 0xC020660B          # _IOWR('f', 11, struct fiemap)
FIEMAP_FLAG_SYNC = 0x1
FIEMAP_EXTENT_LAST = 0x1
FIEMAP_EXTENT_UNKNOWN = 0x2
FIEMAP_EXTENT_DELALLOC = 0x4
FIEMAP_EXTENT_DATA_INLINE = 0x200
FIEMAP_EXTENT_UNWRITTEN = 0x800
FALLOC_FL_KEEP_SIZE = 0x1

_FIEMAP_HDR = struct.Struct("=QQIIII")          # struct fiemap, 32 bytes
_FIEMAP_EXT = struct.Struct("=QQQQQIIII")       # struct fiemap_extent, 56 bytes
_FIEMAP_BATCH = 256

# Up to this st_size the content hash is checked in full (holes fed as
# zeros); beyond it (the 1 TiB sparse raw image) hashing would take minutes,
# so the data runs are compared with the sidecar bytes instead.
FULL_HASH_LIMIT = 1 << 30

_ZEROS = bytes(1 << 20)
_ZEROS_MV = memoryview(_ZEROS)


def drop_cache(fd):
    """Drop the file's clean page-cache pages (see the module docstring)."""
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def data_ranges(fd, size):
    """[[offset, length], ...] of the SEEK_DATA/SEEK_HOLE data runs."""
    out = []
    pos = 0
    while pos < size:
        try:
            d = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError as e:
            if e.errno == errno.ENXIO:
                break
            raise
        h = os.lseek(fd, d, os.SEEK_HOLE)
        out.append([d, h - d])
        pos = h
    return out


def fiemap(fd):
    """All extents as (logical, length, flags), in logical order."""
    out = []
    start = 0
    while True:
        buf = bytearray(_FIEMAP_HDR.size + _FIEMAP_EXT.size * _FIEMAP_BATCH)
        _FIEMAP_HDR.pack_into(buf, 0, start, (1 << 64) - 1 - start,
                              FIEMAP_FLAG_SYNC, 0, _FIEMAP_BATCH, 0)
        fcntl.ioctl(fd, FS_IOC_FIEMAP, buf, True)
        mapped = _FIEMAP_HDR.unpack_from(buf, 0)[3]
        last = False
        for i in range(mapped):
            f = _FIEMAP_EXT.unpack_from(buf, _FIEMAP_HDR.size + _FIEMAP_EXT.size * i)
            logical, length, flags = f[0], f[2], f[5]
            out.append((logical, length, flags))
            start = logical + length
            last = bool(flags & FIEMAP_EXTENT_LAST)
        if mapped == 0 or last:
            return out


def merge_runs(runs):
    out = []
    for off, length in runs:
        if out and out[-1][0] + out[-1][1] == off:
            out[-1][1] += length
        else:
            out.append([off, length])
    return out


def unwritten_ranges(fd):
    """Allocated-but-unwritten extents, adjacent ones merged."""
    return merge_runs([off, length] for off, length, flags in fiemap(fd)
                      if flags & FIEMAP_EXTENT_UNWRITTEN)


def read_ranges(fd, ranges):
    """Yield the bytes of each range, in order (readahead off)."""
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
    for off, length in ranges:
        pos, end = off, off + length
        while pos < end:
            chunk = os.pread(fd, min(end - pos, 8 << 20), pos)
            if not chunk:
                raise OSError("short read at %d" % pos)
            yield chunk
            pos += len(chunk)


def content_sha256(fd, size, ranges):
    """sha256 of the whole content: the data runs read from the file, the
    holes between them fed as zeros (which is what reading them returns)."""
    h = hashlib.sha256()
    pos = 0

    def zeros(n):
        while n:
            k = min(n, len(_ZEROS))
            h.update(_ZEROS_MV[:k])
            n -= k

    for off, length in ranges:
        zeros(off - pos)
        for chunk in read_ranges(fd, [[off, length]]):
            h.update(chunk)
        pos = off + length
    zeros(size - pos)
    return h.hexdigest()


_libc = None


def fallocate_keep_size(fd, off, length):
    """fallocate(fd, FALLOC_FL_KEEP_SIZE, off, length): unwritten extents."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int,
                                    ctypes.c_longlong, ctypes.c_longlong]
        _libc.fallocate.restype = ctypes.c_int
    if _libc.fallocate(fd, FALLOC_FL_KEEP_SIZE, off, length) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "fallocate(KEEP_SIZE, %d, %d): %s"
                      % (off, length, os.strerror(e)))


def write_image(path, size, unwritten, ranges, data):
    """Create PATH (must not exist) the canonical way: a sparse file of SIZE,
    the unwritten extents fallocated (KEEP_SIZE, so ranges past EOF work
    too), the data runs written from DATA (their bytes, concatenated), in
    order, then fsync.  The generator records st_blocks of a file made this
    way, and materialize.py makes every file this way, so both agree on the
    extent-tree blocks ext4 counts in st_blocks (a file's creation history
    can leave one more, e.g. after punching holes)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.ftruncate(fd, size)
        for off, length in unwritten:
            fallocate_keep_size(fd, off, length)
        view = memoryview(data)
        pos = 0
        for off, length in ranges:
            done = 0
            while done < length:
                done += os.pwrite(fd, view[pos + done:pos + length], off + done)
            pos += length
        os.fsync(fd)
        drop_cache(fd)
    finally:
        os.close(fd)


# The packed data runs are stored gzip-compressed: qemu writes header and
# refcount clusters in full, so most of those bytes are zeros. mtime=0
# keeps the compressed file byte-identical from run to run.
def read_data(path):
    """The packed data-run bytes of a sidecar file."""
    with open(path, "rb") as f:
        return gzip.decompress(f.read())


def write_data(path, data):
    with open(path, "wb") as f:
        f.write(gzip.compress(data, compresslevel=9, mtime=0))
