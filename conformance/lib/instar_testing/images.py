# SPDX-License-Identifier: GPL-2.0-or-later
"""Building test images: argv builders, patchers, synthetic images.

The builders return plain argv lists naming their programs `qemu-img`,
`qemu-io`, `python3`, `truncate`, ... (the corpus manifest records them as
they are); corpus.Programs maps those names to the binaries in use and
runs them. The `python3 -c` snippets are part of the corpus manifest:
changing one changes every image command that uses it.
"""
import struct

# ---------------------------------------------------------------------------
# Command builders.  Everything returns a plain argv list.
# ---------------------------------------------------------------------------
_WRITE_BYTES = ("import sys; open(sys.argv[1], 'wb')"
                ".write(bytes.fromhex(sys.argv[2]) * int(sys.argv[3]))")
_WRITE_RANDOM = ("import random, sys; f = open(sys.argv[1], 'r+b'); "
                 "f.seek(int(sys.argv[2])); "
                 "f.write(random.Random(int(sys.argv[4])).randbytes(int(sys.argv[3])))")
# Store VALUE (mode set) or OR it (mode or) into the big-endian 64-bit word
# at byte OFFSET: header patches.
_PATCH64 = ("import struct, sys; p, mode, o, v = sys.argv[1], sys.argv[2], "
            "int(sys.argv[3], 0), int(sys.argv[4], 0); f = open(p, 'r+b'); "
            "f.seek(o); w = struct.unpack('>Q', f.read(8))[0]; f.seek(o); "
            "f.write(struct.pack('>Q', v if mode == 'set' else w | v))")
# OR VALUE into the L1 entry L1_INDEX (DELTA < 0) or into the 64-bit word at
# byte DELTA of the L2 table that entry points to.
_PATCH_L2 = ("import struct, sys; p, i, d, v = sys.argv[1], *map(int, sys.argv[2:5]); "
             "f = open(p, 'r+b'); l1 = struct.unpack('>Q', f.read(48)[40:48])[0]; "
             "w = l1 + 8 * i; f.seek(w); "
             "w = w if d < 0 else (struct.unpack('>Q', f.read(8))[0] & 0x00fffffffffffe00) + d; "
             "f.seek(w); x = struct.unpack('>Q', f.read(8))[0]; f.seek(w); "
             "f.write(struct.pack('>Q', x | v))")


def create(fmt, path, size, *opts):
    """qemu-img create -q -f FMT [-o OPT]... PATH SIZE"""
    argv = ["qemu-img", "create", "-q", "-f", fmt]
    for o in opts:
        argv += ["-o", o]
    return argv + [path, str(size)]


def qio(fmt, path, *cmds):
    """qemu-io -f FMT -c CMD... PATH"""
    argv = ["qemu-io", "-f", fmt]
    for c in cmds:
        argv += ["-c", c]
    return argv + [path]


def truncate(path, size):
    """truncate -s SIZE PATH"""
    return ["truncate", "-s", str(size), path]


def write_bytes(path, pattern, count):
    """Create PATH holding PATTERN (bytes) repeated COUNT times."""
    return ["python3", "-c", _WRITE_BYTES, path, pattern.hex(), str(count)]


def write_random(path, offset, length, seed):
    """Overwrite LENGTH seeded pseudo-random bytes at OFFSET."""
    return ["python3", "-c", _WRITE_RANDOM, path, str(offset), str(length), str(seed)]


def set64(path, offset, value):
    """Store VALUE into the big-endian 64-bit word at byte OFFSET."""
    return ["python3", "-c", _PATCH64, path, "set", str(offset), str(value)]


def or64(path, offset, value):
    """OR VALUE into the big-endian 64-bit word at byte OFFSET."""
    return ["python3", "-c", _PATCH64, path, "or", str(offset), hex(value)]


def patch_l2(path, l1_index, delta, value):
    """qcow2: OR VALUE into the L1 entry L1_INDEX (DELTA < 0) or into the
    64-bit word at byte DELTA of the L2 table that entry points to."""
    return ["python3", "-c", _PATCH_L2, path, str(l1_index), str(delta), str(value)]


def convert(src, dst, *opts, compress=False, out_fmt="qcow2"):
    """qemu-img convert [-c] -f raw -O OUT_FMT [-o OPT]... SRC DST"""
    argv = ["qemu-img", "convert"] + (["-c"] if compress else [])
    argv += ["-f", "raw", "-O", out_fmt]
    for o in opts:
        argv += ["-o", o]
    return argv + [src, dst]


# qemu stamps vpc/vhdx/vmdk images with the time and random ids; these
# snippets pin them so that regeneration is byte-identical.
# vpc: footer timestamp := 0, uuid := 0x11.., creator := CREATOR unless "-";
# both footer copies (offset 0 of a dynamic image, and the last 512 bytes),
# checksum fixed; current_size := CURRENT unless 0.
_VPC_NORM = ("import struct, sys; p, cr, cs = sys.argv[1], sys.argv[2], int(sys.argv[3]); d = bytearray(open(p, 'rb').read()); "
             "fs = [o for o in (0, len(d) - 512) if d[o:o + 8] == b'conectix']; assert fs\n"
             "for o in fs:\n"
             " d[o + 24:o + 28] = bytes(4); d[o + 68:o + 84] = b'\\x11' * 16\n"
             " if cr != '-': d[o + 28:o + 32] = cr.encode()\n"
             " if cs: d[o + 48:o + 56] = struct.pack('>Q', cs)\n"
             " d[o + 64:o + 68] = bytes(4); d[o + 64:o + 68] = struct.pack('>I', ~sum(d[o:o + 512]) & 0xffffffff)\n"
             "f = open(p, 'r+b')\n"
             "for o in fs: f.seek(o); f.write(d[o:o + 512])")
# vhdx: both headers' random sequence numbers := 1000 + (seq - lower seq),
# file/data write GUIDs := fixed (log GUID must be
# zero: clean close), header CRC-32C fixed; the page-83 disk id := fixed;
# the (inactive) log region zeroed.
_VHDX_NORM = (
    "import struct, sys, uuid; p = sys.argv[1]; f = open(p, 'r+b'); d = bytearray(f.read())\n"
    "def crc(b):\n"
    " c = 0xffffffff\n"
    " for x in b:\n"
    "  c ^= x\n"
    "  for _ in range(8): c = (c >> 1) ^ (0x82f63b78 if c & 1 else 0)\n"
    " return c ^ 0xffffffff\n"
    "sq = [struct.unpack('<Q', d[h + 8:h + 16])[0] for h in (65536, 131072)]\n"
    "for h, s in zip((65536, 131072), sq):\n"
    " assert d[h:h + 4] == b'head' and d[h + 48:h + 64] == bytes(16)\n"
    " d[h + 8:h + 16] = struct.pack('<Q', 1000 + s - min(sq)); d[h + 16:h + 48] = b'\\x22' * 16 + b'\\x33' * 16; d[h + 4:h + 8] = bytes(4)\n"
    " d[h + 4:h + 8] = struct.pack('<I', crc(d[h:h + 4096]))\n"
    " f.seek(h); f.write(d[h:h + 4096]); ll, lo = struct.unpack('<IQ', d[h + 68:h + 80])\n"
    " for o in range(lo, lo + ll, 4096):\n"
    "  if any(d[o:o + 4096]): f.seek(o); f.write(bytes(4096))\n"
    "r = 196608; mg = uuid.UUID('8B7CA206-4790-4B9A-B8FE-575F050F886E').bytes_le\n"
    "mo = [struct.unpack('<Q', d[e + 16:e + 24])[0] for e in range(r + 16, r + 16 + 32 * struct.unpack('<I', d[r + 8:r + 12])[0], 32) if d[e:e + 16] == mg][0]\n"
    "pg = uuid.UUID('BECA12AB-B2E6-4523-93EF-C309E000C746').bytes_le\n"
    "for e in range(mo + 32, mo + 32 + 32 * struct.unpack('<H', d[mo + 10:mo + 12])[0], 32):\n"
    " if d[e:e + 16] == pg: o = mo + struct.unpack('<I', d[e + 16:e + 20])[0]; f.seek(o); f.write(b'\\x44' * 16)")
# vmdk: the descriptor's random CID := 12345678 (NUL padding keeps its size);
# every descriptor copy in the file.
_VMDK_NORM = ("import re, sys; p = sys.argv[1]; d = open(p, 'rb').read(); ms = list(re.finditer(rb'\\nCID=[0-9a-f]+\\n', d)); assert ms\n"
              "for m in reversed(ms):\n"
              " z = d.index(b'\\0', m.end()); e = len(d[z:]) - len(d[z:].lstrip(b'\\0')) + z\n"
              " t = d[m.start():z].replace(m.group(0), b'\\nCID=12345678\\n'); assert len(t) <= e - m.start()\n"
              " f = open(p, 'r+b'); f.seek(m.start()); f.write(t.ljust(z - m.start(), b'\\0')); f.close()")


# A descriptor file (text): CID := 12345678.  qemu rewrites the CID (printed
# with %x, so 1-8 digits) into a NUL-padded buffer: the file's length
# depends on the random CID, so the NUL padding is redone to a multiple of 512.
_VMDK_DESC_NORM = ("import re, sys; p = sys.argv[1]; d = open(p, 'rb').read(); pad = b'\\0' in d; d = d.split(b'\\0')[0]; "
                   "d, n = re.subn(rb'\\nCID=[0-9a-f]+(\\r?\\n)', rb'\\nCID=12345678\\1', d); assert n == 1; "
                   "d = d.ljust(-(-len(d) // 512) * 512, b'\\0') if pad else d; open(p, 'wb').write(d)")
# Create a file holding TEXT (no NUL: it travels in argv).
_WRITE_TEXT = "import sys; open(sys.argv[1], 'wb').write(sys.argv[2].encode())"


def vmdk_desc_norm(path):
    return ["python3", "-c", _VMDK_DESC_NORM, path]


def write_text(path, text):
    return ["python3", "-c", _WRITE_TEXT, path, text]


def vpc_norm(path, creator="-", current_size=0):
    return ["python3", "-c", _VPC_NORM, path, creator, str(current_size)]


def vhdx_norm(path):
    return ["python3", "-c", _VHDX_NORM, path]


def vmdk_norm(path):
    return ["python3", "-c", _VMDK_NORM, path]


# ---------------------------------------------------------------------------
# Images written directly (no qemu-img)
# ---------------------------------------------------------------------------
def synthetic_qcow2(path, clusters, cluster_bits=16):
    """A v3 qcow2 with `clusters` allocated clusters, host order reversed.

    Only metadata is written; data clusters lie past EOF (map does not read
    them). Refcounts are left empty, which map never checks beyond the
    preallocation heuristic (it then stays off).
    """
    cs = 1 << cluster_bits
    l2_entries = cs // 8
    l2_tables = (clusters + l2_entries - 1) // l2_entries
    l1_off = 3 * cs
    l1_size = l2_tables
    l1_bytes = (l1_size * 8 + cs - 1) // cs * cs
    l2_base = l1_off + l1_bytes
    data_base = l2_base + l2_tables * cs
    with open(path, "wb") as f:
        hdr = struct.pack(">4sIQIIQIIQQIIQQQQII", b"QFI\xfb", 3, 0, 0,
                          cluster_bits, clusters * cs, 0, l1_size, l1_off,
                          cs, 1, 0, 0, 0, 0, 0, 4, 104)
        f.write(hdr.ljust(cs, b"\0"))
        f.write(b"\0" * cs)                       # refcount table (empty)
        f.write(b"\0" * cs)                       # spare cluster
        l1 = b"".join(struct.pack(">Q", (l2_base + i * cs) | 1 << 63)
                      for i in range(l2_tables))
        f.write(l1.ljust(l1_bytes, b"\0"))
        for t in range(l2_tables):
            entries = []
            for j in range(l2_entries):
                c = t * l2_entries + j
                if c >= clusters:
                    entries.append(b"\0" * 8)
                    continue
                host = data_base + (clusters - 1 - c) * cs
                entries.append(struct.pack(">Q", host | 1 << 63))
            f.write(b"".join(entries))


def sparse_raw(path, runs, block=4096):
    """A raw file with `runs` data blocks separated by holes."""
    with open(path, "wb") as f:
        f.truncate(2 * runs * block)
        payload = b"\xa5" * block
        for i in range(runs):
            f.seek(2 * i * block)
            f.write(payload)


def crc32c(data):
    """CRC-32C (Castagnoli), as VHDX headers, region and metadata tables use."""
    table = _CRC32C_TABLE
    if not table:
        for k in range(256):
            c = k
            for _ in range(8):
                c = (c >> 1) ^ (0x82f63b78 if c & 1 else 0)
            table.append(c)
    c = 0xffffffff
    for x in data:
        c = table[(c ^ x) & 0xff] ^ (c >> 8)
    return c ^ 0xffffffff


_CRC32C_TABLE = []
