#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The hostile tier of the conformance corpus: generators and recipes.

Three uses:

    hostile.py PATCH FILE [ARGS...]        patch (or create) FILE
    hostile.py --list                      print the recipe ids and tags
    hostile.py --check-instar [--only ID...] [--instar P] [--keep]
               [--qemu-img P] [--qemu-io P] [--scratch DIR]
                                           build every recipe, map it with
                                           the five qemu-img releases and
                                           with instar, compare (stderr
                                           after the program-name rule)

Patches (all integers accept 0x.., negative values are stored as two's
complement of the field width; TEXT arguments may start with "hex:" to give
raw bytes, e.g. a NUL):

  generic
    write-text FILE TEXT                   create FILE holding TEXT
    write-at FILE OFFSET HEX [COUNT]       write HEX*COUNT at OFFSET
    set-int FILE OFFSET WIDTH le|be VALUE  store an integer field
  qcow2
    qcow2-field FILE NAME VALUE            header field (see QCOW2_FIELDS)
    qcow2-backing FILE NAME                backing file name (stored after
                                           the header extensions)
    qcow2-ext FILE TYPE DATA|-             set (or with "-" delete) a header
                                           extension; TYPE a number or
                                           backing-fmt / data-file / features
                                           / bitmaps / crypto
    qcow2-l1 FILE INDEX VALUE              L1 entry
    qcow2-l2 FILE L1INDEX L2INDEX VALUE    entry of the L2 table L1[INDEX]
                                           points to
    qcow2-reftable FILE INDEX VALUE        refcount table entry
    qcow2-snapshot FILE OFFSET L1_OFFSET L1_SIZE ID NAME [EXTRA_SIZE]
                                           write one snapshot table entry at
                                           OFFSET (fixed dates), point the
                                           header at it, nb_snapshots := 1
  vpc
    vpc-footer-field FILE NAME VALUE       both footer copies, checksum fixed
    vpc-dyn-field FILE NAME VALUE          dynamic header, checksum fixed
    vpc-bat FILE INDEX VALUE               BAT entry
    vpc-norm FILE                          pin timestamp and uuid
  vhdx
    vhdx-header-field FILE 1|2|both NAME VALUE   CRC-32C fixed
    vhdx-region FILE bat|metadata|GUID FIELD VALUE
                                           entry of both region tables
                                           (FIELD offset|length|required),
                                           CRC-32C fixed; "add" appends an
                                           entry: FIELD=add VALUE=off:len:req
    vhdx-meta FILE ITEM VALUE              metadata item value (ITEM
                                           block-size, has-parent,
                                           leave-allocated, virtual-size,
                                           logical-sector-size,
                                           physical-sector-size)
    vhdx-meta-entry FILE ITEM FIELD VALUE  metadata table entry field
                                           (offset|length|flags); ITEM may be
                                           a GUID, "add:GUID" appends one
    vhdx-bat FILE INDEX VALUE              BAT entry (64-bit)
    vhdx-log FILE SEQ                      write one valid log entry (no
                                           descriptors) and set the log GUID
                                           of both headers: needs replay
    vhdx-norm FILE                         pin sequence numbers and GUIDs
  vmdk
    vmdk-sparse-field FILE NAME VALUE      hosted sparse (KDMV) header field
    vmdk-desc FILE TEXT                    replace the embedded descriptor
    vmdk-gd FILE INDEX VALUE               grain directory entry
    vmdk-gt FILE GD_INDEX INDEX VALUE      grain table entry
    vmdk-norm FILE                         pin the CID

Stdlib only; output is deterministic.
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import struct
import sys
import tempfile
import uuid

from instar_testing import ROOT, cli, harness, kvm
from instar_testing.corpus import EXT, Programs, recipe
from instar_testing.images import crc32c, create, qio, truncate


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def num(s):
    return int(s, 0)


def text_arg(s):
    if s.startswith("hex:"):
        return bytes.fromhex(s[4:])
    return s.encode("utf-8", "surrogateescape")


def pack_int(value, width, endian):
    value &= (1 << (8 * width)) - 1
    return value.to_bytes(width, "little" if endian == "le" else "big")


def read_all(path):
    with open(path, "rb") as f:
        return bytearray(f.read())


def pwrite(path, offset, data):
    mode = "r+b" if os.path.exists(path) else "w+b"
    with open(path, mode) as f:
        f.seek(offset)
        f.write(data)


def pread(path, offset, length):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length).ljust(length, b"\0")


# --- generic ---------------------------------------------------------------
def p_write_text(path, text):
    with open(path, "wb") as f:
        f.write(text_arg(text))


def p_write_at(path, offset, hexdata, count="1"):
    pwrite(path, num(offset), bytes.fromhex(hexdata) * int(count))


def p_set_int(path, offset, width, endian, value):
    pwrite(path, num(offset), pack_int(num(value), int(width), endian))


# --- qcow2 -----------------------------------------------------------------
QCOW2_FIELDS = {  # name: (offset, width)
    "magic": (0, 4), "version": (4, 4), "backing_file_offset": (8, 8),
    "backing_file_size": (16, 4), "cluster_bits": (20, 4), "size": (24, 8),
    "crypt_method": (32, 4), "l1_size": (36, 4), "l1_table_offset": (40, 8),
    "refcount_table_offset": (48, 8), "refcount_table_clusters": (56, 4),
    "nb_snapshots": (60, 4), "snapshots_offset": (64, 8),
    "incompatible_features": (72, 8), "compatible_features": (80, 8),
    "autoclear_features": (88, 8), "refcount_order": (96, 4),
    "header_length": (100, 4), "compression_type": (104, 1),
}
QCOW2_EXT = {"backing-fmt": 0xe2792aca, "features": 0x6803f857,
             "data-file": 0x44415441, "bitmaps": 0x23852875,
             "crypto": 0x0537be77}


def qcow2_get(path, name):
    off, width = QCOW2_FIELDS[name]
    return int.from_bytes(pread(path, off, width), "big")


def p_qcow2_field(path, name, value):
    off, width = QCOW2_FIELDS[name]
    pwrite(path, off, pack_int(num(value), width, "be"))


def qcow2_exts(path):
    """(start, [(type, data)], end) of the header extension area."""
    d = read_all(path)
    version = struct.unpack(">I", d[4:8])[0]
    start = struct.unpack(">I", d[100:104])[0] if version >= 3 else 72
    exts, o = [], start
    while o + 8 <= len(d):
        t, ln = struct.unpack(">II", d[o:o + 8])
        if t == 0:
            break
        exts.append((t, bytes(d[o + 8:o + 8 + ln])))
        o += 8 + ((ln + 7) & ~7)
    return start, exts


def qcow2_write_exts(path, start, exts):
    out = b""
    for t, data in exts:
        out += struct.pack(">II", t, len(data)) + data + bytes(-len(data) % 8)
    out += bytes(8)
    # keep a backing file name that follows the extensions
    bo, bs = qcow2_get(path, "backing_file_offset"), qcow2_get(path, "backing_file_size")
    name = pread(path, bo, bs) if bo else b""
    old_end = bo + bs if bo else start
    pwrite(path, start, out + bytes(max(0, old_end - start - len(out))))
    if bo:
        pwrite(path, start + len(out), name)
        p_qcow2_field(path, "backing_file_offset", str(start + len(out)))


def p_qcow2_ext(path, typ, data):
    t = QCOW2_EXT[typ] if typ in QCOW2_EXT else num(typ)
    start, exts = qcow2_exts(path)
    rest = [(et, ed) for et, ed in exts if et != t]
    if data != "-":
        rest.insert(0 if t == QCOW2_EXT["backing-fmt"] else len(rest),
                    (t, text_arg(data)))
    qcow2_write_exts(path, start, rest)


def p_qcow2_backing(path, name):
    start, exts = qcow2_exts(path)
    end = start + sum(8 + ((len(d) + 7) & ~7) for _, d in exts) + 8
    raw = text_arg(name)
    pwrite(path, end, raw)
    p_qcow2_field(path, "backing_file_offset", str(end))
    p_qcow2_field(path, "backing_file_size", str(len(raw)))


def p_qcow2_l1(path, index, value):
    l1 = qcow2_get(path, "l1_table_offset")
    pwrite(path, l1 + 8 * int(index), pack_int(num(value), 8, "be"))


def p_qcow2_l2(path, l1_index, l2_index, value):
    l1 = qcow2_get(path, "l1_table_offset")
    l2 = int.from_bytes(pread(path, l1 + 8 * int(l1_index), 8), "big") & 0x00fffffffffffe00
    assert l2, "L1 entry is not allocated"
    pwrite(path, l2 + 8 * int(l2_index), pack_int(num(value), 8, "be"))


def p_qcow2_reftable(path, index, value):
    rt = qcow2_get(path, "refcount_table_offset")
    pwrite(path, rt + 8 * int(index), pack_int(num(value), 8, "be"))


def p_qcow2_snapshot(path, offset, l1_offset, l1_size, sid, name, extra="16"):
    sid, name, extra = text_arg(sid), text_arg(name), int(extra)
    e = struct.pack(">QIHHIIQII", num(l1_offset), num(l1_size) & 0xffffffff,
                    len(sid), len(name), 1000000000, 0, 0, 0, extra)
    e += bytes(extra) + sid + name
    e += bytes(-len(e) % 8)
    pwrite(path, num(offset), e)
    p_qcow2_field(path, "snapshots_offset", offset)
    p_qcow2_field(path, "nb_snapshots", "1")


# --- vpc -------------------------------------------------------------------
VPC_FOOTER = {  # name: (offset, width)
    "features": (8, 4), "version": (12, 4), "data_offset": (16, 8),
    "timestamp": (24, 4), "creator_app": (28, 4), "creator_ver": (32, 4),
    "creator_os": (36, 4), "orig_size": (40, 8), "current_size": (48, 8),
    "cyls": (56, 2), "heads": (58, 1), "secs_per_cyl": (59, 1),
    "type": (60, 4), "checksum": (64, 4),
}
VPC_DYN = {
    "cookie": (0, 8), "data_offset": (8, 8), "table_offset": (16, 8),
    "version": (24, 4), "max_table_entries": (28, 4), "block_size": (32, 4),
    "checksum": (36, 4),
}


def vpc_footers(d):
    fs = [o for o in (0, len(d) - 512) if o >= 0 and d[o:o + 8] == b"conectix"]
    assert fs, "no vpc footer"
    return sorted(set(fs))


def vpc_fix(d, o, length, cks_off):
    d[o + cks_off:o + cks_off + 4] = bytes(4)
    d[o + cks_off:o + cks_off + 4] = struct.pack(">I", ~sum(d[o:o + length]) & 0xffffffff)


def vpc_val(value, width):
    if value.startswith("str:"):
        return value[4:].encode().ljust(width, b"\0")[:width]
    return pack_int(num(value), width, "be")


def p_vpc_footer_field(path, name, value, _fix=True):
    d = read_all(path)
    fs = vpc_footers(d)
    off, width = VPC_FOOTER[name]
    with open(path, "r+b") as f:
        for o in fs:
            d[o + off:o + off + width] = vpc_val(value, width)
            if name != "checksum":
                vpc_fix(d, o, 512, 64)
            f.seek(o)
            f.write(d[o:o + 512])


def vpc_dyn_offset(d):
    return struct.unpack(">Q", d[16:24])[0] if d[:8] == b"conectix" else 512


def p_vpc_dyn_field(path, name, value):
    d = read_all(path)
    o = vpc_dyn_offset(d)
    off, width = VPC_DYN[name]
    d[o + off:o + off + width] = vpc_val(value, width)
    if name != "checksum":
        vpc_fix(d, o, 1024, 36)
    pwrite(path, o, bytes(d[o:o + 1024]))


def p_vpc_bat(path, index, value):
    d = read_all(path)
    o = vpc_dyn_offset(d)
    bat = struct.unpack(">Q", d[o + 16:o + 24])[0]
    pwrite(path, bat + 4 * int(index), pack_int(num(value), 4, "be"))


def p_vpc_norm(path):
    d = read_all(path)
    with open(path, "r+b") as f:
        for o in vpc_footers(d):
            d[o + 24:o + 28] = bytes(4)
            d[o + 68:o + 84] = b"\x11" * 16
            vpc_fix(d, o, 512, 64)
            f.seek(o)
            f.write(d[o:o + 512])


# --- vhdx ------------------------------------------------------------------
VHDX_HDRS = (65536, 131072)
VHDX_RTS = (196608, 262144)
VHDX_HEADER = {"sequence_number": (8, 8), "file_write_guid": (16, 16),
               "data_write_guid": (32, 16), "log_guid": (48, 16),
               "log_version": (64, 2), "version": (66, 2),
               "log_length": (68, 4), "log_offset": (72, 8)}
VHDX_REGIONS = {"bat": "2DC27766-F623-4200-9D64-115E9BFD4A08",
                "metadata": "8B7CA206-4790-4B9A-B8FE-575F050F886E"}
VHDX_META = {  # name: (guid, byte offset in the item, width, mask)
    "block-size": ("CAA16737-FA36-4D43-B3B6-33F0AA44E76B", 0, 4, None),
    "leave-allocated": ("CAA16737-FA36-4D43-B3B6-33F0AA44E76B", 4, 4, 1),
    "has-parent": ("CAA16737-FA36-4D43-B3B6-33F0AA44E76B", 4, 4, 2),
    "virtual-size": ("2FA54224-CD1B-4876-B211-5DBED83BF4B8", 0, 8, None),
    "page83": ("BECA12AB-B2E6-4523-93EF-C309E000C746", 0, 16, None),
    "logical-sector-size": ("8141BF1D-A96F-4709-BA47-F233A8FAAB5F", 0, 4, None),
    "physical-sector-size": ("CDA348C7-445D-4471-9CC9-E9885251C556", 0, 4, None),
}


def guid(s):
    return uuid.UUID(VHDX_REGIONS.get(s, s)).bytes_le


def vhdx_fix_header(d, h):
    d[h + 4:h + 8] = bytes(4)
    d[h + 4:h + 8] = struct.pack("<I", crc32c(d[h:h + 4096]))


def vhdx_fix_rt(d, r):
    d[r + 4:r + 8] = bytes(4)
    d[r + 4:r + 8] = struct.pack("<I", crc32c(d[r:r + 65536]))


def p_vhdx_header_field(path, which, name, value):
    d = read_all(path)
    off, width = VHDX_HEADER[name]
    hs = VHDX_HDRS if which == "both" else (VHDX_HDRS[int(which) - 1],)
    for h in hs:
        if width == 16:
            d[h + off:h + off + 16] = uuid.UUID(value).bytes_le
        else:
            d[h + off:h + off + width] = pack_int(num(value), width, "le")
        vhdx_fix_header(d, h)
        pwrite(path, h, bytes(d[h:h + 4096]))


def vhdx_region_entries(d, r):
    n = struct.unpack("<I", d[r + 8:r + 12])[0]
    return [r + 16 + 32 * i for i in range(min(n, 2047))]


def p_vhdx_region(path, region, field, value):
    d = read_all(path)
    for r in VHDX_RTS:
        if field == "add":
            off, ln, req = (num(x) for x in value.split(":"))
            n = struct.unpack("<I", d[r + 8:r + 12])[0]
            e = r + 16 + 32 * n
            d[e:e + 32] = guid(region) + struct.pack("<QII", off, ln, req)
            d[r + 8:r + 12] = struct.pack("<I", n + 1)
        else:
            g = guid(region)
            hit = [e for e in vhdx_region_entries(d, r) if d[e:e + 16] == g]
            assert hit, "no such region"
            for e in hit:
                fo, w = {"offset": (16, 8), "length": (24, 4), "required": (28, 4)}[field]
                d[e + fo:e + fo + w] = pack_int(num(value), w, "le")
        vhdx_fix_rt(d, r)
        pwrite(path, r, bytes(d[r:r + 65536]))


def vhdx_region_offset(d, region):
    g = guid(region)
    r = VHDX_RTS[0]
    for e in vhdx_region_entries(d, r):
        if d[e:e + 16] == g:
            return struct.unpack("<Q", d[e + 16:e + 24])[0]
    raise SystemExit("no %s region" % region)


def vhdx_meta_entry(d, item_guid):
    mo = vhdx_region_offset(d, "metadata")
    n = struct.unpack("<H", d[mo + 10:mo + 12])[0]
    g = uuid.UUID(item_guid).bytes_le
    for e in range(mo + 32, mo + 32 + 32 * n, 32):
        if d[e:e + 16] == g:
            return mo, e
    raise SystemExit("no metadata item %s" % item_guid)


def p_vhdx_meta(path, item, value):
    d = read_all(path)
    g, off, width, mask = VHDX_META[item]
    mo, e = vhdx_meta_entry(d, g)
    io = mo + struct.unpack("<I", d[e + 16:e + 20])[0] + off
    v = num(value)
    if mask is not None:
        cur = struct.unpack("<I", d[io:io + 4])[0]
        v = (cur | mask) if v else (cur & ~mask)
    pwrite(path, io, pack_int(v, width, "le"))


def p_vhdx_meta_entry(path, item, field, value):
    d = read_all(path)
    if item.startswith("add:"):
        mo = vhdx_region_offset(d, "metadata")
        n = struct.unpack("<H", d[mo + 10:mo + 12])[0]
        e = mo + 32 + 32 * n
        pwrite(path, e, uuid.UUID(item[4:]).bytes_le + bytes(16))
        pwrite(path, mo + 10, struct.pack("<H", n + 1))
        d = read_all(path)
        item = item[4:]
    g = VHDX_META[item][0] if item in VHDX_META else item
    _, e = vhdx_meta_entry(d, g)
    fo = {"offset": 16, "length": 20, "flags": 24}[field]
    pwrite(path, e + fo, pack_int(num(value), 4, "le"))


def p_vhdx_bat(path, index, value):
    d = read_all(path)
    bat = vhdx_region_offset(d, "bat")
    pwrite(path, bat + 8 * int(index), pack_int(num(value), 8, "le"))


def p_vhdx_log(path, seq):
    d = read_all(path)
    lg = uuid.UUID("55555555-5555-5555-5555-555555555555").bytes_le
    h = VHDX_HDRS[0]
    log_len, log_off = struct.unpack("<IQ", d[h + 68:h + 80])
    e = bytearray(4096)
    e[0:4] = b"loge"
    struct.pack_into("<IIQII", e, 8, 4096, 0, int(seq), 0, 0)
    e[32:48] = lg
    struct.pack_into("<QQ", e, 48, len(d), len(d))
    e[4:8] = struct.pack("<I", crc32c(e))
    pwrite(path, log_off, bytes(e))
    for h in VHDX_HDRS:
        d[h + 48:h + 64] = lg
        vhdx_fix_header(d, h)
        pwrite(path, h, bytes(d[h:h + 4096]))


def p_vhdx_norm(path):
    d = read_all(path)
    sq = [struct.unpack("<Q", d[h + 8:h + 16])[0] for h in VHDX_HDRS]
    for h, s in zip(VHDX_HDRS, sq):
        d[h + 8:h + 16] = struct.pack("<Q", 1000 + s - min(sq))
        d[h + 16:h + 48] = b"\x22" * 16 + b"\x33" * 16
        vhdx_fix_header(d, h)
        pwrite(path, h, bytes(d[h:h + 4096]))
        ll, lo = struct.unpack("<IQ", d[h + 68:h + 80])
        for o in range(lo, lo + ll, 4096):
            if any(d[o:o + 4096]):
                pwrite(path, o, bytes(4096))
    g = VHDX_META["page83"][0]
    mo, e = vhdx_meta_entry(d, g)
    pwrite(path, mo + struct.unpack("<I", d[e + 16:e + 20])[0], b"\x44" * 16)


# --- vmdk ------------------------------------------------------------------
VMDK_SPARSE = {  # name: (offset, width), little-endian
    "magic": (0, 4), "version": (4, 4), "flags": (8, 4), "capacity": (12, 8),
    "granularity": (20, 8), "desc_offset": (28, 8), "desc_size": (36, 8),
    "num_gtes_per_gt": (44, 4), "rgd_offset": (48, 8), "gd_offset": (56, 8),
    "grain_offset": (64, 8), "compress_algorithm": (77, 2),
}


def vmdk_get(d, name):
    off, width = VMDK_SPARSE[name]
    return int.from_bytes(d[off:off + width], "little")


def p_vmdk_sparse_field(path, name, value):
    off, width = VMDK_SPARSE[name]
    pwrite(path, off, pack_int(num(value), width, "le"))


def p_vmdk_desc(path, text):
    d = read_all(path)
    do, ds = vmdk_get(d, "desc_offset") * 512, vmdk_get(d, "desc_size") * 512
    t = text_arg(text)
    assert do and len(t) <= ds, "descriptor does not fit"
    pwrite(path, do, t.ljust(ds, b"\0"))


def vmdk_gd(d):
    gd = vmdk_get(d, "rgd_offset") or vmdk_get(d, "gd_offset")
    if vmdk_get(d, "flags") & 2:   # redundant GD in use: patch the primary
        gd = vmdk_get(d, "gd_offset")
    return gd * 512


def p_vmdk_gd(path, index, value):
    d = read_all(path)
    for gdo in {vmdk_get(d, "gd_offset") * 512, vmdk_get(d, "rgd_offset") * 512} - {0}:
        pwrite(path, gdo + 4 * int(index), pack_int(num(value), 4, "le"))


def p_vmdk_gt(path, gd_index, index, value):
    d = read_all(path)
    for gdo in {vmdk_get(d, "gd_offset") * 512, vmdk_get(d, "rgd_offset") * 512} - {0}:
        gt = struct.unpack("<I", d[gdo + 4 * int(gd_index):gdo + 4 * int(gd_index) + 4])[0]
        if gt:
            pwrite(path, gt * 512 + 4 * int(index), pack_int(num(value), 4, "le"))


def p_vmdk_norm(path):
    d = bytes(read_all(path))
    ms = list(re.finditer(rb"\nCID=[0-9a-f]+\n", d))
    assert ms, "no CID"
    for m in reversed(ms):
        z = d.index(b"\0", m.end()) if b"\0" in d[m.end():] else len(d)
        t = d[m.start():z].replace(m.group(0), b"\nCID=12345678\n")
        pwrite(path, m.start(), t.ljust(z - m.start(), b"\0"))


def p_vmdk_cowd(path, disk_sectors, granularity, grains=""):
    """Create PATH as a VMFSSPARSE ("COWD") extent, which no qemu-img can
    create but qemu reads: header, grain directory at sector 4, every grain
    table (4096 entries of 4 bytes) after it, the CID lines qemu wants at
    0x200 when the file is opened directly, then the grains listed in
    GRAINS ("INDEX=BYTE,..." : grain INDEX filled with BYTE), in order."""
    disk_sectors, gran = int(disk_sectors), int(granularity)
    per_gt = 4096 * gran
    gd_size = -(-disk_sectors // per_gt)
    gd_sector = 4
    gt_sector = gd_sector + -(-gd_size * 4 // 512)
    next_sector = gt_sector + gd_size * 32
    d = bytearray(next_sector * 512)
    d[0:4] = b"COWD"
    struct.pack_into("<10I", d, 4, 1, 3, disk_sectors, gran, gd_sector, gd_size,
                     0, 0, 0, 0)
    # qemu reads the CIDs of a COWD image opened directly from 0x200
    d[512:512 + 32] = b"CID=12345678\nparentCID=ffffffff\n"
    for i in range(gd_size):
        struct.pack_into("<I", d, gd_sector * 512 + 4 * i, gt_sector + 32 * i)
    for item in filter(None, grains.split(",")):
        index, byte = (int(x, 0) for x in item.split("="))
        gt, entry = divmod(index, 4096)
        struct.pack_into("<I", d, (gt_sector + 32 * gt) * 512 + 4 * entry, next_sector)
        d += bytes([byte]) * (gran * 512)
        next_sector += gran
    struct.pack_into("<I", d, 4 + 24, next_sector)          # file_sectors
    with open(path, "wb") as f:
        f.write(d)


PATCHES = {
    "vmdk-cowd": p_vmdk_cowd,
    "write-text": p_write_text, "write-at": p_write_at, "set-int": p_set_int,
    "qcow2-field": p_qcow2_field, "qcow2-backing": p_qcow2_backing,
    "qcow2-ext": p_qcow2_ext, "qcow2-l1": p_qcow2_l1, "qcow2-l2": p_qcow2_l2,
    "qcow2-reftable": p_qcow2_reftable, "qcow2-snapshot": p_qcow2_snapshot,
    "vpc-footer-field": p_vpc_footer_field, "vpc-dyn-field": p_vpc_dyn_field,
    "vpc-bat": p_vpc_bat, "vpc-norm": p_vpc_norm,
    "vhdx-header-field": p_vhdx_header_field, "vhdx-region": p_vhdx_region,
    "vhdx-meta": p_vhdx_meta, "vhdx-meta-entry": p_vhdx_meta_entry,
    "vhdx-bat": p_vhdx_bat, "vhdx-log": p_vhdx_log, "vhdx-norm": p_vhdx_norm,
    "vmdk-sparse-field": p_vmdk_sparse_field, "vmdk-desc": p_vmdk_desc,
    "vmdk-gd": p_vmdk_gd, "vmdk-gt": p_vmdk_gt, "vmdk-norm": p_vmdk_norm,
}


# ---------------------------------------------------------------------------
# Recipe builders
# ---------------------------------------------------------------------------
def gen(*args):
    return ["hostile-gen"] + [str(a) for a in args]


def R(id_, fmt, tags, *cmds, **kw):
    return recipe(id_, fmt, tags, cmds, tier="hostile", **kw)


def qbase(name, size="1M", *opts, data=True):
    """A small v3 qcow2 image with two written clusters."""
    cmds = [create("qcow2", name, size, *opts)]
    if data:
        cmds.append(qio("qcow2", name, "write -P 0x11 0 64k", "write -P 0x22 512k 4k"))
    return cmds


def qdata(name, target):
    """A qcow2 image with a real external data file, then renamed to TARGET."""
    data = name[:-len(".qcow2")] + "-data.raw"
    return [create("qcow2", name, "1M", "data_file=" + data),
            qio("qcow2", name, "write -P 0x11 0 64k", "write -P 0x22 512k 4k"),
            gen("qcow2-ext", name, "data-file", target)]


def qf(name, field, value):
    return gen("qcow2-field", name, field, value)


def vpcbase(name, size="4M"):
    return [create("vpc", name, size), qio("vpc", name, "write -P 0x33 0 4k",
                                          "write -P 0x44 2M 4k"),
            gen("vpc-norm", name)]


def vhdxbase(name, size="8M", *opts):
    return [create("vhdx", name, size, *opts),
            qio("vhdx", name, "write -P 0x55 0 4k"), gen("vhdx-norm", name)]


def vmdkbase(name, size="1M", *opts):
    return [create("vmdk", name, size, *opts),
            qio("vmdk", name, "write -P 0x66 0 4k", "write -P 0x67 512k 64k"),
            gen("vmdk-norm", name)]


def flat_desc(*extents, create_type="monolithicFlat"):
    lines = ["# Disk DescriptorFile", "version=1", "CID=12345678",
             "parentCID=ffffffff", 'createType="%s"' % create_type, "",
             "# Extent description"]
    lines += list(extents)
    lines += ["", "# The Disk Data Base", "#DDB", "",
              'ddb.virtualHWVersion = "4"', 'ddb.geometry.cylinders = "2"',
              'ddb.geometry.heads = "16"', 'ddb.geometry.sectors = "63"',
              'ddb.adapterType = "ide"', ""]
    return "\n".join(lines)


def vmdk_desc_recipe(id_, tags, *extents, pre=(), file=None, extra=(), create_type="monolithicFlat"):
    f = file or id_ + ".vmdk"
    kw = {"file": f} if file else {}
    if extra:
        kw["extra_files"] = list(extra)
    return R(id_, "vmdk", tags, *pre,
             gen("write-text", f, flat_desc(*extents, create_type=create_type)), **kw)


Q = "qcow2"


def QF(id_, tags, field, value):
    """A small qcow2 image (qbase) with one header field set to VALUE."""
    return R(id_, Q, tags, *qbase(id_ + ".qcow2"), qf(id_ + ".qcow2", field, value))
JSON_NULL = 'json:{"driver":"raw","file":{"driver":"file","filename":"/dev/null"}}'

RECIPES = [
    # --- raw ----------------------------------------------------------------
    # only "QFI\xfb" + version 3 in 8 bytes: too short for a qcow2 header, probes as raw; qemu maps 8 bytes of data
    R("raw-h-short-qcow2-magic", "raw", ["failure-path"],
      gen("write-at", "raw-h-short-qcow2-magic.raw", 0, "514649fb00000003")),
    # a truncated vmdk descriptor magic: probes as vmdk?  qemu: raw unless the descriptor parses
    R("raw-h-desc-magic-only", "raw", ["failure-path"],
      gen("write-text", "raw-h-desc-magic-only.raw", "# Disk DescriptorFile\n")),
    # 15 TiB + 1 byte sparse raw file, odd size: qemu maps one hole of the whole size
    R("raw-h-15t-odd", "raw", ["exhaustion", "offsets"],
      truncate("raw-h-15t-odd.raw", 15 * 2**40 + 1),
      qio("raw", "raw-h-15t-odd.raw", "write -P 0x77 8T 4k")),

    # --- qcow2: div-zero ----------------------------------------------------
    # cluster_bits 0, 8, 22, 63: qemu refuses "Unsupported cluster size: 2^N"
    *[R("qcow2-h-cluster-bits-%d" % b, Q, ["div-zero"],
        *qbase("qcow2-h-cluster-bits-%d.qcow2" % b),
        qf("qcow2-h-cluster-bits-%d.qcow2" % b, "cluster_bits", b)) for b in (0, 8, 22, 63)],
    # refcount_order 7 (128-bit refcounts): qemu "Refcount width must be a power of two and may not exceed 64 bits"
    QF("qcow2-h-refcount-order-7", ["div-zero", "overflow"], "refcount_order", 7),

    # --- qcow2: overflow ----------------------------------------------------
    # l1_size 0x20000001 (x8 overflows 32 bits): qemu "Active L1 table too large"
    QF("qcow2-h-l1-size-overflow", ["overflow"], "l1_size", 0x20000001),
    # l1_table_offset + l1_size*8 wraps past 2^64: qemu "Active L1 table offset invalid"
    QF("qcow2-h-l1-offset-wrap", ["overflow", "offsets"], "l1_table_offset", 0xffffffffffff0000),
    # size 2^63 - 512 with l1_size 1: qemu "Image is too big" / L1 too small
    QF("qcow2-h-size-2p63", ["overflow", "signedness"], "size", 0x7ffffffffffffe00),
    # size 2^64 - 1 (negative as int64): qemu refuses (Image is too big)
    QF("qcow2-h-size-negative", ["signedness", "overflow"], "size", -1),
    # refcount_table_clusters 0xffffffff: qemu "Reference count table too large"
    QF("qcow2-h-reftable-clusters-huge", ["overflow", "alloc"], "refcount_table_clusters", 0xffffffff),
    # nb_snapshots 0xffffffff: qemu "Too many snapshots"
    QF("qcow2-h-nb-snapshots-huge", ["overflow", "alloc"], "nb_snapshots", 0xffffffff),
    # header_length 0xfffffff8: qemu "qcow2 header exceeds cluster size"
    QF("qcow2-h-header-length-huge", ["overflow", "offsets"], "header_length", 0xfffffff8),

    # --- qcow2: offsets -----------------------------------------------------
    # L1 table 1 TiB past EOF: qemu reads zeros (short read padded) and maps everything unallocated
    QF("qcow2-h-l1-past-eof", ["offsets"], "l1_table_offset", 1 << 40),
    # L1 table offset not cluster aligned: qemu "Active L1 table offset invalid"
    QF("qcow2-h-l1-unaligned", ["offsets"], "l1_table_offset", 0x30200),
    # L1 table at offset 0 (inside the header): qemu "Active L1 table offset invalid"? (0 is aligned)
    QF("qcow2-h-l1-in-header", ["offsets", "loops"], "l1_table_offset", 0),
    # L1 table = refcount table (overlap): opens read-only; map reads refcount entries as L2 pointers
    QF("qcow2-h-l1-overlaps-reftable", ["offsets", "loops"], "l1_table_offset", 0x10000),
    # refcount table past EOF: read-only open does not read it; maps normally
    QF("qcow2-h-reftable-past-eof", ["offsets"], "refcount_table_offset", 1 << 44),
    # refcount table unaligned: qemu "Reference count table offset invalid"
    QF("qcow2-h-reftable-unaligned", ["offsets"], "refcount_table_offset", 0x10008),
    # refcount table at offset 0 (afl sample: refcount block at offset 0): header read as refcounts
    QF("qcow2-h-reftable-at-0", ["fuzz-sample", "offsets"], "refcount_table_offset", 0),
    # first refcount block at offset 0 (iotests: refcount block in the header cluster)
    R("qcow2-h-refblock-at-0", Q, ["fuzz-sample", "offsets"],
      *qbase("qcow2-h-refblock-at-0.qcow2"),
      gen("qcow2-reftable", "qcow2-h-refblock-at-0.qcow2", 0, 0)),
    # snapshot table past EOF with 1 snapshot: qemu reads zeros -> snapshot with an empty id?
    R("qcow2-h-snapshots-past-eof", Q, ["offsets"],
      *qbase("qcow2-h-snapshots-past-eof.qcow2"),
      qf("qcow2-h-snapshots-past-eof.qcow2", "nb_snapshots", 1),
      qf("qcow2-h-snapshots-past-eof.qcow2", "snapshots_offset", 1 << 40)),
    # snapshot table unaligned: qemu "Snapshot table offset invalid"
    R("qcow2-h-snapshots-unaligned", Q, ["offsets"],
      *qbase("qcow2-h-snapshots-unaligned.qcow2"),
      qf("qcow2-h-snapshots-unaligned.qcow2", "nb_snapshots", 1),
      qf("qcow2-h-snapshots-unaligned.qcow2", "snapshots_offset", 0x10010)),
    # header_length 0x20000 > 64 KiB cluster: qemu "qcow2 header exceeds cluster size"
    QF("qcow2-h-header-length-gt-cluster", ["offsets"], "header_length", 0x20000),
    # backing_file_offset beyond the first cluster: qemu "Invalid backing file offset"
    R("qcow2-h-backing-offset-past-cluster", Q, ["offsets", "paths"],
      *qbase("qcow2-h-backing-offset-past-cluster.qcow2"),
      qf("qcow2-h-backing-offset-past-cluster.qcow2", "backing_file_offset", 0x20000),
      qf("qcow2-h-backing-offset-past-cluster.qcow2", "backing_file_size", 8)),
    # L1 entry (L2 table) unaligned: qemu reports corruption while mapping
    R("qcow2-h-l2-unaligned", Q, ["offsets"],
      *qbase("qcow2-h-l2-unaligned.qcow2"),
      gen("qcow2-l1", "qcow2-h-l2-unaligned.qcow2", 0, 0x8000000000050200)),
    # L2 table 1 TiB past EOF: reads as zeros, everything unallocated
    R("qcow2-h-l2-past-eof", Q, ["offsets"],
      *qbase("qcow2-h-l2-past-eof.qcow2"),
      gen("qcow2-l1", "qcow2-h-l2-past-eof.qcow2", 0, 0x8000010000000000)),
    # data cluster mapped 1 PiB past EOF: qemu maps it (offset shown), no read
    R("qcow2-h-data-past-eof", Q, ["offsets"],
      *qbase("qcow2-h-data-past-eof.qcow2"),
      gen("qcow2-l2", "qcow2-h-data-past-eof.qcow2", 0, 0, 0x8004000000000000)),
    # header extension whose length runs past the cluster: qemu "ERROR: ext_... len=... too large"
    R("qcow2-h-ext-len-huge", Q, ["offsets", "overflow"],
      *qbase("qcow2-h-ext-len-huge.qcow2"),
      gen("set-int", "qcow2-h-ext-len-huge.qcow2", 0x6c, 4, "be", 0xfffffff0)),

    # --- qcow2: alloc -------------------------------------------------------
    # 1 PiB image, L1 table of the maximal 4M entries (32 MiB) in a hole: qemu reads it, maps one hole
    R("qcow2-h-1p-max-l1", Q, ["alloc", "exhaustion"],
      *qbase("qcow2-h-1p-max-l1.qcow2", "1M", data=False),
      truncate("qcow2-h-1p-max-l1.qcow2", 0x3000000 + 0x2000000),
      qf("qcow2-h-1p-max-l1.qcow2", "size", 1 << 50),
      qf("qcow2-h-1p-max-l1.qcow2", "l1_size", 0x400000),
      qf("qcow2-h-1p-max-l1.qcow2", "l1_table_offset", 0x3000000),
      qf("qcow2-h-1p-max-l1.qcow2", "refcount_table_clusters", 128)),
    # a snapshot whose L1 claims 0x400001 entries: qemu "Snapshot L1 table too large"
    R("qcow2-h-snapshot-l1-huge", Q, ["alloc", "overflow"],
      *qbase("qcow2-h-snapshot-l1-huge.qcow2"),
      gen("qcow2-snapshot", "qcow2-h-snapshot-l1-huge.qcow2", 0x70000, 0x30000, 0x400001, "1", "s")),
    # a snapshot with a huge extra_data_size: qemu refuses it
    R("qcow2-h-snapshot-extra-huge", Q, ["alloc", "offsets"],
      *qbase("qcow2-h-snapshot-extra-huge.qcow2"),
      gen("qcow2-snapshot", "qcow2-h-snapshot-extra-huge.qcow2", 0x70000, 0x30000, 1, "1", "s", 0x4000),
      gen("set-int", "qcow2-h-snapshot-extra-huge.qcow2", 0x70000 + 36, 4, "be", 0xffffff00)),
    # 65536 snapshots (the limit) in a hole: all-zero entries; qemu reads them and maps normally
    R("qcow2-h-snapshots-65536", Q, ["alloc", "exhaustion"],
      *qbase("qcow2-h-snapshots-65536.qcow2"),
      truncate("qcow2-h-snapshots-65536.qcow2", "64M"),
      qf("qcow2-h-snapshots-65536.qcow2", "nb_snapshots", 65536),
      qf("qcow2-h-snapshots-65536.qcow2", "snapshots_offset", 0x1000000)),

    # --- qcow2: failure paths -------------------------------------------------
    # unknown incompatible feature bit 50: qemu "Unsupported IMGFMT feature(s): Unknown incompatible feature: 4000000000000"
    QF("qcow2-h-incompat-unknown", ["failure-path"], "incompatible_features", 1 << 50),
    # compression_type 7 with the compression bit: qemu "Unknown compression type 7"
    R("qcow2-h-compression-type-7", Q, ["failure-path"],
      *qbase("qcow2-h-compression-type-7.qcow2"),
      qf("qcow2-h-compression-type-7.qcow2", "incompatible_features", 8),
      qf("qcow2-h-compression-type-7.qcow2", "compression_type", 7)),
    # crypt_method 2 (LUKS) without a crypto header extension: qemu fails late in open
    QF("qcow2-h-luks-no-ext", ["failure-path"], "crypt_method", 2),
    # crypt_method 3 (unknown): qemu "Unsupported encryption method: 3"
    QF("qcow2-h-crypt-method-3", ["failure-path"], "crypt_method", 3),
    # external data file bit without the data-file extension: qemu "Could not open 'h': ..." late
    QF("qcow2-h-data-file-bit-no-name", ["failure-path", "paths"], "incompatible_features", 4),
    # version 4: qemu "Unsupported qcow2 version 4"
    QF("qcow2-h-version-4", ["failure-path"], "version", 4),

    # --- qcow2: signedness ----------------------------------------------------
    # l1_table_offset with bit 63: qemu "Active L1 table offset invalid"
    QF("qcow2-h-l1-offset-bit63", ["signedness"], "l1_table_offset", 0x8000000000030000),
    # refcount_table_offset with bit 63: qemu "Reference count table offset invalid"
    QF("qcow2-h-reftable-offset-bit63", ["signedness"], "refcount_table_offset", 0x8000000000010000),
    # L1 entry with all reserved bits (56-62) set: qemu masks them and maps
    R("qcow2-h-l1-reserved-bits", Q, ["signedness"],
      *qbase("qcow2-h-l1-reserved-bits.qcow2"),
      gen("qcow2-l1", "qcow2-h-l1-reserved-bits.qcow2", 0, 0xff00000000050000)),
    # L2 entry with every offset bit set: qemu maps it to 0xfffffffffff0000 (or reports corruption)
    R("qcow2-h-l2-all-ones", Q, ["signedness", "offsets"],
      *qbase("qcow2-h-l2-all-ones.qcow2"),
      gen("qcow2-l2", "qcow2-h-l2-all-ones.qcow2", 0, 0, 0xbffffffffffffe00)),

    # --- qcow2: loops ---------------------------------------------------------
    # L1 entry pointing at the L1 table itself: L1 read as L2; qemu maps L1 entries as data clusters
    R("qcow2-h-l2-is-l1", Q, ["loops"],
      *qbase("qcow2-h-l2-is-l1.qcow2"),
      gen("qcow2-l1", "qcow2-h-l2-is-l1.qcow2", 0, 0x8000000000030000)),
    # L2 entries pointing at the header and at the L2 table itself
    R("qcow2-h-l2-into-metadata", Q, ["loops", "offsets"],
      *qbase("qcow2-h-l2-into-metadata.qcow2"),
      gen("qcow2-l2", "qcow2-h-l2-into-metadata.qcow2", 0, 0, 0x8000000000000000),
      gen("qcow2-l2", "qcow2-h-l2-into-metadata.qcow2", 0, 1, 0x8000000000050000),
      gen("qcow2-l2", "qcow2-h-l2-into-metadata.qcow2", 0, 2, 0x8000000000030000)),
    # compressed L2 entry covering a huge sector count and offset
    R("qcow2-h-compressed-huge", Q, ["loops", "overflow"],
      *qbase("qcow2-h-compressed-huge.qcow2"),
      gen("qcow2-l2", "qcow2-h-compressed-huge.qcow2", 0, 0, 0x7fffffffffffffff)),

    # --- qcow2: exhaustion ----------------------------------------------------
    # 1 PiB image made by qemu-img with 2 MiB clusters, one cluster written at the end
    R("qcow2-h-1p", Q, ["exhaustion"],
      create("qcow2", "qcow2-h-1p.qcow2", "1P", "cluster_size=2M"),
      qio("qcow2", "qcow2-h-1p.qcow2", "write -P 0x99 1125899906838528 4k")),

    # --- qcow2: paths, pseudo-protocols, chain loops -----------------------------
    # backing file that does not exist: qemu "Could not open backing file"; instar refuses backing files
    R("qcow2-h-backing-nonexistent", Q, ["paths"],
      *qbase("qcow2-h-backing-nonexistent.qcow2"),
      gen("qcow2-backing", "qcow2-h-backing-nonexistent.qcow2", "/nonexistent/instar-hostile")),
    # backing file ../../x: relative escape
    R("qcow2-h-backing-dotdot", Q, ["paths"],
      *qbase("qcow2-h-backing-dotdot.qcow2"),
      gen("qcow2-backing", "qcow2-h-backing-dotdot.qcow2", "../../../../../instar-hostile-x")),
    # backing file /dev/null: qemu opens it (0 bytes) and maps the top image
    R("qcow2-h-backing-dev-null", Q, ["paths"],
      *qbase("qcow2-h-backing-dev-null.qcow2"),
      gen("qcow2-backing", "qcow2-h-backing-dev-null.qcow2", "/dev/null")),
    # backing name with a newline
    R("qcow2-h-backing-newline", Q, ["paths"],
      *qbase("qcow2-h-backing-newline.qcow2"),
      gen("qcow2-backing", "qcow2-h-backing-newline.qcow2", "nonexistent\nqemu-img: fake")),
    # backing name with a NUL in the middle
    R("qcow2-h-backing-nul", Q, ["paths"],
      *qbase("qcow2-h-backing-nul.qcow2"),
      gen("qcow2-backing", "qcow2-h-backing-nul.qcow2", "hex:2f6e6f6e00657869737465")),
    # json: backing name reaching /dev/null
    R("qcow2-h-backing-json", Q, ["pseudo-protocol"],
      *qbase("qcow2-h-backing-json.qcow2"),
      gen("qcow2-backing", "qcow2-h-backing-json.qcow2", JSON_NULL)),
    # null-co:// protocol backing
    R("qcow2-h-backing-null-co", Q, ["pseudo-protocol"],
      *qbase("qcow2-h-backing-null-co.qcow2"),
      gen("qcow2-backing", "qcow2-h-backing-null-co.qcow2", "null-co://")),
    # backing file = itself
    R("qcow2-h-backing-self", Q, ["chain-loop"],
      *qbase("qcow2-h-backing-self.qcow2"),
      gen("qcow2-backing", "qcow2-h-backing-self.qcow2", "qcow2-h-backing-self.qcow2"),
      gen("qcow2-ext", "qcow2-h-backing-self.qcow2", "backing-fmt", "qcow2"),
      no_baseline="qemu-img reopens the backing chain until it runs out of file descriptors (over 20 s, machine-dependent)"),
    # a -> b -> a
    R("qcow2-h-backing-cycle", Q, ["chain-loop"],
      *qbase("qcow2-h-backing-cycle.qcow2"),
      *qbase("qcow2-h-backing-cycle-b.qcow2"),
      gen("qcow2-backing", "qcow2-h-backing-cycle.qcow2", "qcow2-h-backing-cycle-b.qcow2"),
      gen("qcow2-backing", "qcow2-h-backing-cycle-b.qcow2", "qcow2-h-backing-cycle.qcow2"),
      extra_files=["qcow2-h-backing-cycle-b.qcow2"],
      no_baseline="qemu-img reopens the backing chain until it runs out of file descriptors (over 20 s, machine-dependent)"),
    # data file /dev/null: qemu opens it and maps into it
    R("qcow2-h-data-file-dev-null", Q, ["paths"],
      *qdata("qcow2-h-data-file-dev-null.qcow2", "/dev/null")),
    # data file outside the directory (does not exist)
    R("qcow2-h-data-file-outside", Q, ["paths"],
      *qdata("qcow2-h-data-file-outside.qcow2", "../../../../instar-hostile.raw")),
    # data file name with a newline
    R("qcow2-h-data-file-newline", Q, ["paths"],
      *qdata("qcow2-h-data-file-newline.qcow2", "d\nqemu-img x")),
    # data file that is a FIFO made by the recipe
    R("qcow2-h-data-file-fifo", Q, ["paths"],
      ["mkfifo", "qcow2-h-data-file-fifo.fifo"],
      *qdata("qcow2-h-data-file-fifo.qcow2", "qcow2-h-data-file-fifo.fifo"),
      extra_files=["qcow2-h-data-file-fifo.fifo"],
      no_baseline="qemu-img blocks for ever opening the FIFO"),
    # data file json:
    R("qcow2-h-data-file-json", Q, ["pseudo-protocol"],
      *qdata("qcow2-h-data-file-json.qcow2", JSON_NULL)),

    # --- vpc ----------------------------------------------------------------
    # block_size 0: qemu "Invalid block size 0"
    R("vpc-h-block-size-0", "vpc", ["div-zero"], *vpcbase("vpc-h-block-size-0.vhd"),
      gen("vpc-dyn-field", "vpc-h-block-size-0.vhd", "block_size", 0)),
    # block_size 3000 (not a power of two)
    R("vpc-h-block-size-3000", "vpc", ["div-zero", "loops"], *vpcbase("vpc-h-block-size-3000.vhd"),
      gen("vpc-dyn-field", "vpc-h-block-size-3000.vhd", "block_size", 3000)),
    # max_table_entries 0xffffffff: qemu "Too many blocks"
    R("vpc-h-max-table-entries-huge", "vpc", ["overflow", "alloc"], *vpcbase("vpc-h-max-table-entries-huge.vhd"),
      gen("vpc-dyn-field", "vpc-h-max-table-entries-huge.vhd", "max_table_entries", 0xffffffff)),
    # afl5-like: max_table_entries 0x40000000 with 2 MiB blocks: qemu "Max Table Entries too large (1073741824)"
    R("vpc-h-afl5", "vpc", ["fuzz-sample", "overflow"], *vpcbase("vpc-h-afl5.vhd"),
      gen("vpc-dyn-field", "vpc-h-afl5.vhd", "max_table_entries", 0x40000000)),
    # current_size 2^64-512: qemu clamps/refuses the size
    R("vpc-h-current-size-huge", "vpc", ["overflow", "signedness"], *vpcbase("vpc-h-current-size-huge.vhd"),
      gen("vpc-footer-field", "vpc-h-current-size-huge.vhd", "current_size", 0xfffffffffffffe00)),
    # BAT 1 TiB past EOF: reads zeros?  qemu: all unallocated / read error
    R("vpc-h-bat-past-eof", "vpc", ["offsets"], *vpcbase("vpc-h-bat-past-eof.vhd"),
      gen("vpc-dyn-field", "vpc-h-bat-past-eof.vhd", "table_offset", 1 << 40)),
    # BAT at offset 0 (inside the footer copy)
    R("vpc-h-bat-at-0", "vpc", ["offsets", "loops"], *vpcbase("vpc-h-bat-at-0.vhd"),
      gen("vpc-dyn-field", "vpc-h-bat-at-0.vhd", "table_offset", 0)),
    # dynamic header offset past EOF
    R("vpc-h-dyn-past-eof", "vpc", ["offsets"], *vpcbase("vpc-h-dyn-past-eof.vhd"),
      gen("vpc-footer-field", "vpc-h-dyn-past-eof.vhd", "data_offset", 1 << 40)),
    # BAT entry 1 TiB past EOF and one pointing at the footer copy
    R("vpc-h-block-past-eof", "vpc", ["offsets", "loops"], *vpcbase("vpc-h-block-past-eof.vhd"),
      gen("vpc-bat", "vpc-h-block-past-eof.vhd", 0, 0x80000000),
      gen("vpc-bat", "vpc-h-block-past-eof.vhd", 1, 0)),
    # BAT 64 MiB (16M entries, 4 KiB blocks) in a hole: qemu reads it all
    R("vpc-h-bat-64m", "vpc", ["alloc", "exhaustion"], *vpcbase("vpc-h-bat-64m.vhd"),
      gen("vpc-dyn-field", "vpc-h-bat-64m.vhd", "block_size", 4096),
      gen("vpc-dyn-field", "vpc-h-bat-64m.vhd", "max_table_entries", 0x1000000),
      gen("vpc-dyn-field", "vpc-h-bat-64m.vhd", "table_offset", 0x1000000),
      truncate("vpc-h-bat-64m.vhd", "96M"),
      gen("vpc-norm", "vpc-h-bat-64m.vhd")),
    # dynamic header cookie wrong: qemu "... dynamic header ..."
    R("vpc-h-bad-dyn-cookie", "vpc", ["failure-path"], *vpcbase("vpc-h-bad-dyn-cookie.vhd"),
      gen("vpc-dyn-field", "vpc-h-bad-dyn-cookie.vhd", "cookie", "str:cxspars!")),
    # footer checksum wrong
    R("vpc-h-bad-checksum", "vpc", ["failure-path"], *vpcbase("vpc-h-bad-checksum.vhd"),
      gen("vpc-footer-field", "vpc-h-bad-checksum.vhd", "checksum", 0x12345678)),
    # disk type 4 (differencing): no parent support
    R("vpc-h-type-differencing", "vpc", ["failure-path", "paths"], *vpcbase("vpc-h-type-differencing.vhd"),
      gen("vpc-footer-field", "vpc-h-type-differencing.vhd", "type", 4)),
    # disk type 7 (unknown)
    R("vpc-h-type-7", "vpc", ["failure-path"], *vpcbase("vpc-h-type-7.vhd"),
      gen("vpc-footer-field", "vpc-h-type-7.vhd", "type", 7)),
    # dynamic header offset and BAT offset with bit 63
    R("vpc-h-offsets-bit63", "vpc", ["signedness"], *vpcbase("vpc-h-offsets-bit63.vhd"),
      gen("vpc-dyn-field", "vpc-h-offsets-bit63.vhd", "table_offset", 0x8000000000000600)),
    R("vpc-h-dyn-offset-bit63", "vpc", ["signedness"], *vpcbase("vpc-h-dyn-offset-bit63.vhd"),
      gen("vpc-footer-field", "vpc-h-dyn-offset-bit63.vhd", "data_offset", 0x8000000000000200)),
    # BAT entry 0xfffffffe (looks like -2)
    R("vpc-h-bat-entry-negative", "vpc", ["signedness"], *vpcbase("vpc-h-bat-entry-negative.vhd"),
      gen("vpc-bat", "vpc-h-bat-entry-negative.vhd", 0, 0xfffffffe)),
    # maximal-size dynamic vpc (2040 GiB) made by qemu-img, BAT 4 MiB
    R("vpc-h-max-size", "vpc", ["exhaustion"],
      create("vpc", "vpc-h-max-size.vhd", "2040G"),
      qio("vpc", "vpc-h-max-size.vhd", "write -P 0x35 2000G 4k"),
      gen("vpc-norm", "vpc-h-max-size.vhd")),

    # --- vhdx ---------------------------------------------------------------
    # block size 0: qemu "Invalid argument" at open
    R("vhdx-h-block-size-0", "vhdx", ["div-zero"], *vhdxbase("vhdx-h-block-size-0.vhdx"),
      gen("vhdx-meta", "vhdx-h-block-size-0.vhdx", "block-size", 0)),
    # block size 3 MiB (not a power of two)
    R("vhdx-h-block-size-3m", "vhdx", ["loops", "div-zero"], *vhdxbase("vhdx-h-block-size-3m.vhdx"),
      gen("vhdx-meta", "vhdx-h-block-size-3m.vhdx", "block-size", 3 << 20)),
    # block size 512 MiB (> 256 MiB)
    R("vhdx-h-block-size-512m", "vhdx", ["loops"], *vhdxbase("vhdx-h-block-size-512m.vhdx"),
      gen("vhdx-meta", "vhdx-h-block-size-512m.vhdx", "block-size", 512 << 20)),
    # logical sector size 1024
    R("vhdx-h-logical-sector-1024", "vhdx", ["loops", "div-zero"], *vhdxbase("vhdx-h-logical-sector-1024.vhdx"),
      gen("vhdx-meta", "vhdx-h-logical-sector-1024.vhdx", "logical-sector-size", 1024)),
    # logical sector size 0
    R("vhdx-h-logical-sector-0", "vhdx", ["div-zero"], *vhdxbase("vhdx-h-logical-sector-0.vhdx"),
      gen("vhdx-meta", "vhdx-h-logical-sector-0.vhdx", "logical-sector-size", 0)),
    # virtual size 2^64 - 4096
    R("vhdx-h-virtual-size-huge", "vhdx", ["overflow", "signedness"], *vhdxbase("vhdx-h-virtual-size-huge.vhdx"),
      gen("vhdx-meta", "vhdx-h-virtual-size-huge.vhdx", "virtual-size", 0xfffffffffffff000)),
    # BAT region 1 TiB past EOF
    R("vhdx-h-bat-past-eof", "vhdx", ["offsets"], *vhdxbase("vhdx-h-bat-past-eof.vhdx"),
      gen("vhdx-region", "vhdx-h-bat-past-eof.vhdx", "bat", "offset", 1 << 40)),
    # BAT region = metadata region (overlap)
    R("vhdx-h-regions-overlap", "vhdx", ["offsets"], *vhdxbase("vhdx-h-regions-overlap.vhdx"),
      gen("vhdx-region", "vhdx-h-regions-overlap.vhdx", "bat", "offset", 0x200000)),
    # metadata region past EOF
    R("vhdx-h-metadata-past-eof", "vhdx", ["offsets"], *vhdxbase("vhdx-h-metadata-past-eof.vhdx"),
      gen("vhdx-region", "vhdx-h-metadata-past-eof.vhdx", "metadata", "offset", 1 << 40)),
    # metadata item offset past its region
    R("vhdx-h-meta-item-past-region", "vhdx", ["offsets"], *vhdxbase("vhdx-h-meta-item-past-region.vhdx"),
      gen("vhdx-meta-entry", "vhdx-h-meta-item-past-region.vhdx", "virtual-size", "offset", 0xfffffff0)),
    # BAT region offset with bit 63
    R("vhdx-h-bat-offset-bit63", "vhdx", ["signedness"], *vhdxbase("vhdx-h-bat-offset-bit63.vhdx"),
      gen("vhdx-region", "vhdx-h-bat-offset-bit63.vhdx", "bat", "offset", 0x8000000000300000)),
    # BAT entry: fully present block at 1 PiB-ish offset (all offset bits set)
    R("vhdx-h-bat-entry-huge", "vhdx", ["signedness", "offsets"], *vhdxbase("vhdx-h-bat-entry-huge.vhdx"),
      gen("vhdx-bat", "vhdx-h-bat-entry-huge.vhdx", 0, 0xfffffffffff00006)),
    # BAT region length 4 GiB - 1 MiB: allocation sized by the image; qemu "VHDX region ... overlaps with region ..."
    R("vhdx-h-bat-length-huge", "vhdx", ["alloc", "exhaustion"], *vhdxbase("vhdx-h-bat-length-huge.vhdx"),
      gen("vhdx-region", "vhdx-h-bat-length-huge.vhdx", "bat", "length", 0xfff00000)),
    # log needing replay: qemu "... opened read-only, but contains a log that needs to be replayed" + hint
    R("vhdx-h-log-replay", "vhdx", ["failure-path"], *vhdxbase("vhdx-h-log-replay.vhdx"),
      gen("vhdx-log", "vhdx-h-log-replay.vhdx", 7)),
    # has_parent (differencing) flag
    R("vhdx-h-has-parent", "vhdx", ["failure-path", "paths"], *vhdxbase("vhdx-h-has-parent.vhdx"),
      gen("vhdx-meta", "vhdx-h-has-parent.vhdx", "has-parent", 1)),
    # unknown required metadata item
    R("vhdx-h-meta-unknown-required", "vhdx", ["failure-path"], *vhdxbase("vhdx-h-meta-unknown-required.vhdx"),
      gen("vhdx-meta-entry", "vhdx-h-meta-unknown-required.vhdx", "add:01234567-89ab-cdef-0123-456789abcdef", "flags", 4),
      gen("vhdx-meta-entry", "vhdx-h-meta-unknown-required.vhdx", "01234567-89ab-cdef-0123-456789abcdef", "offset", 0x10000)),
    # unknown required region
    R("vhdx-h-region-unknown-required", "vhdx", ["failure-path"], *vhdxbase("vhdx-h-region-unknown-required.vhdx"),
      gen("vhdx-region", "vhdx-h-region-unknown-required.vhdx", "01234567-89ab-cdef-0123-456789abcdef", "add", "0x400000:0x100000:1")),
    # both headers with a bad checksum
    R("vhdx-h-headers-bad-crc", "vhdx", ["failure-path"], *vhdxbase("vhdx-h-headers-bad-crc.vhdx"),
      gen("set-int", "vhdx-h-headers-bad-crc.vhdx", 65536 + 4, 4, "le", 1),
      gen("set-int", "vhdx-h-headers-bad-crc.vhdx", 131072 + 4, 4, "le", 1)),
    # 64 TiB with 1 MiB blocks (maximal size, 512 MiB BAT claimed)
    R("vhdx-h-64t", "vhdx", ["exhaustion", "alloc"],
      create("vhdx", "vhdx-h-64t.vhdx", "64T", "block_size=256M"),
      qio("vhdx", "vhdx-h-64t.vhdx", "write -P 0x57 0 4k"),
      gen("vhdx-norm", "vhdx-h-64t.vhdx"),
      gen("vhdx-meta", "vhdx-h-64t.vhdx", "block-size", 1 << 20)),

    # --- vmdk: sparse -------------------------------------------------------
    # grain size 0: qemu "L1 entry size is invalid"
    R("vmdk-h-grain-0", "vmdk", ["div-zero"], *vmdkbase("vmdk-h-grain-0.vmdk"),
      gen("vmdk-sparse-field", "vmdk-h-grain-0.vmdk", "granularity", 0)),
    # grain size 2^40 sectors
    R("vmdk-h-grain-huge", "vmdk", ["overflow", "div-zero"], *vmdkbase("vmdk-h-grain-huge.vmdk"),
      gen("vmdk-sparse-field", "vmdk-h-grain-huge.vmdk", "granularity", 1 << 40)),
    # num_gtes_per_gt 0xffffffff: qemu "L2 table size too big"
    R("vmdk-h-gtes-huge", "vmdk", ["overflow", "alloc"], *vmdkbase("vmdk-h-gtes-huge.vmdk"),
      gen("vmdk-sparse-field", "vmdk-h-gtes-huge.vmdk", "num_gtes_per_gt", 0xffffffff)),
    # num_gtes_per_gt 0
    R("vmdk-h-gtes-0", "vmdk", ["div-zero"], *vmdkbase("vmdk-h-gtes-0.vmdk"),
      gen("vmdk-sparse-field", "vmdk-h-gtes-0.vmdk", "num_gtes_per_gt", 0)),
    # afl9-like: capacity so large that the grain directory is too big: qemu "L1 size too big"
    R("vmdk-h-afl9-l1-too-big", "vmdk", ["fuzz-sample", "alloc"], *vmdkbase("vmdk-h-afl9-l1-too-big.vmdk"),
      gen("vmdk-sparse-field", "vmdk-h-afl9-l1-too-big.vmdk", "capacity", 0x80000000000)),
    # capacity 2^64 - 1 sectors
    R("vmdk-h-capacity-negative", "vmdk", ["signedness", "overflow"], *vmdkbase("vmdk-h-capacity-negative.vmdk"),
      gen("vmdk-sparse-field", "vmdk-h-capacity-negative.vmdk", "capacity", -1)),
    # grain directory past EOF
    R("vmdk-h-gd-past-eof", "vmdk", ["offsets"], *vmdkbase("vmdk-h-gd-past-eof.vmdk"),
      gen("vmdk-sparse-field", "vmdk-h-gd-past-eof.vmdk", "gd_offset", 1 << 31),
      gen("vmdk-sparse-field", "vmdk-h-gd-past-eof.vmdk", "rgd_offset", 1 << 31)),
    # grain table past EOF
    R("vmdk-h-gt-past-eof", "vmdk", ["offsets"], *vmdkbase("vmdk-h-gt-past-eof.vmdk"),
      gen("vmdk-gd", "vmdk-h-gt-past-eof.vmdk", 0, 0xfffffff0)),
    # grain pointing into the header and past EOF
    R("vmdk-h-grain-into-header", "vmdk", ["loops", "offsets"], *vmdkbase("vmdk-h-grain-into-header.vmdk"),
      gen("vmdk-gt", "vmdk-h-grain-into-header.vmdk", 0, 0, 1),
      gen("vmdk-gt", "vmdk-h-grain-into-header.vmdk", 0, 1, 0xfffffff0)),
    # descriptor offset past EOF
    R("vmdk-h-desc-past-eof", "vmdk", ["offsets", "failure-path"], *vmdkbase("vmdk-h-desc-past-eof.vmdk"),
      gen("vmdk-sparse-field", "vmdk-h-desc-past-eof.vmdk", "desc_offset", 0xffffffff)),
    # version 4
    R("vmdk-h-version-4", "vmdk", ["failure-path"], *vmdkbase("vmdk-h-version-4.vmdk"),
      gen("vmdk-sparse-field", "vmdk-h-version-4.vmdk", "version", 4)),
    # compressed grains flag with an unknown algorithm
    R("vmdk-h-compress-unknown", "vmdk", ["failure-path"], *vmdkbase("vmdk-h-compress-unknown.vmdk"),
      gen("vmdk-sparse-field", "vmdk-h-compress-unknown.vmdk", "flags", 0x30003),
      gen("vmdk-sparse-field", "vmdk-h-compress-unknown.vmdk", "compress_algorithm", 9)),
    # gd_offset with bit 63
    R("vmdk-h-gd-bit63", "vmdk", ["signedness"], *vmdkbase("vmdk-h-gd-bit63.vmdk"),
      gen("vmdk-sparse-field", "vmdk-h-gd-bit63.vmdk", "gd_offset", 0x8000000000000015),
      gen("vmdk-sparse-field", "vmdk-h-gd-bit63.vmdk", "rgd_offset", 0x8000000000000015)),
    # 2 TiB sparse vmdk made by qemu-img, one grain at the end
    R("vmdk-h-2t", "vmdk", ["exhaustion"],
      create("vmdk", "vmdk-h-2t.vmdk", "2T"),
      qio("vmdk", "vmdk-h-2t.vmdk", "write -P 0x68 2199023190016 4k"),
      gen("vmdk-norm", "vmdk-h-2t.vmdk")),

    # --- vmdk: descriptors ----------------------------------------------------
    # flat extent /dev/null
    vmdk_desc_recipe("vmdk-h-extent-dev-null", ["paths"], 'RW 2048 FLAT "/dev/null" 0'),
    # flat extent /dev/zero
    vmdk_desc_recipe("vmdk-h-extent-dev-zero", ["paths"], 'RW 2048 FLAT "/dev/zero" 0'),
    # flat extent that does not exist (stands for /etc/shadow)
    vmdk_desc_recipe("vmdk-h-extent-abs-missing", ["paths"], 'RW 2048 FLAT "/nonexistent/shadow" 0'),
    # ../ escape out of the scratch dir
    vmdk_desc_recipe("vmdk-h-extent-dotdot", ["paths"], 'RW 2048 FLAT "../../../../../instar-hostile-flat" 0'),
    # ../ from a subdirectory back into the image's parent (the working dir)
    vmdk_desc_recipe("vmdk-h-extent-dotdot-cwd", ["paths"], 'RW 2048 FLAT "../vmdk-h-extent-dotdot-cwd-flat.raw" 0',
                     pre=[["mkdir", "sub"], truncate("vmdk-h-extent-dotdot-cwd-flat.raw", "1M")],
                     file="sub/vmdk-h-extent-dotdot-cwd.vmdk",
                     extra=["vmdk-h-extent-dotdot-cwd-flat.raw"]),
    # FIFO extent
    dict(vmdk_desc_recipe("vmdk-h-extent-fifo", ["paths"], 'RW 2048 FLAT "vmdk-h-extent-fifo.fifo" 0',
                          pre=[["mkfifo", "vmdk-h-extent-fifo.fifo"]], extra=["vmdk-h-extent-fifo.fifo"]),
         no_baseline="qemu-img blocks for ever opening the FIFO"),
    # null-co:// extent
    vmdk_desc_recipe("vmdk-h-extent-null-co", ["pseudo-protocol"], 'RW 2048 FLAT "null-co://" 0'),
    # json: extent name
    vmdk_desc_recipe("vmdk-h-extent-json", ["pseudo-protocol"], 'RW 2048 FLAT "json:{}" 0'),
    # extent that is the descriptor itself (sparse)
    vmdk_desc_recipe("vmdk-h-extent-self", ["chain-loop"], 'RW 2048 SPARSE "vmdk-h-extent-self.vmdk"',
                     create_type="monolithicSparse"),
    # two descriptors naming each other as extents
    vmdk_desc_recipe("vmdk-h-desc-cycle", ["chain-loop"], 'RW 2048 VMFS "vmdk-h-desc-cycle-b.vmdk"',
                     pre=[gen("write-text", "vmdk-h-desc-cycle-b.vmdk",
                              flat_desc('RW 2048 VMFS "vmdk-h-desc-cycle.vmdk"', create_type="vmfs"))],
                     create_type="vmfs", extra=["vmdk-h-desc-cycle-b.vmdk"]),
    # flat extent with 2^62 sectors
    vmdk_desc_recipe("vmdk-h-extent-sectors-huge", ["overflow", "exhaustion"],
                     'RW 4611686018427387904 FLAT "vmdk-h-extent-sectors-huge-flat.raw" 0',
                     pre=[truncate("vmdk-h-extent-sectors-huge-flat.raw", "1M")],
                     extra=["vmdk-h-extent-sectors-huge-flat.raw"]),
    # flat extent with an offset near 2^63 sectors
    vmdk_desc_recipe("vmdk-h-extent-offset-huge", ["overflow", "signedness"],
                     'RW 2048 FLAT "vmdk-h-extent-offset-huge-flat.raw" 9223372036854775000',
                     pre=[truncate("vmdk-h-extent-offset-huge-flat.raw", "1M")],
                     extra=["vmdk-h-extent-offset-huge-flat.raw"]),
    # 0 sectors and an unknown extent type
    vmdk_desc_recipe("vmdk-h-extent-bad-type", ["failure-path"], 'RW 2048 BOGUS "x" 0'),
]


# ---------------------------------------------------------------------------
# Building and checking
# ---------------------------------------------------------------------------
MATRIX = "/opt/qemu-matrix/bin"
RELEASES = ["5.2.0", "7.2.22", "10.0.2", "10.0.13", "11.1.3"]


def recipe_file(r):
    return r.get("file", r["id"] + EXT[r["format"]])


def build(r, scratch, qemu_img="qemu-img", qemu_io="qemu-io"):
    Programs(qemu_img, qemu_io).run_all(r["id"], r["commands"], scratch, timeout=120)


OPTSETS = [[], ["--output=json"], ["-f", "FMT"], ["-f", "FMT", "--output=json"]]
OPTSETS += [o + ["-s", "512", "-l", "65536"] for o in OPTSETS[:4]]


def check_one(r, scratch, tools):
    """Map R's image with every release in TOOLS and its instar: the
    problems found."""
    fname = recipe_file(r)
    problems = []
    qemu_hung = None
    for rel, t in tools.items():
        for opts in OPTSETS:
            o = [r["format"] if x == "FMT" else x for x in opts] + [fname]
            what = "%s %s" % (rel, " ".join(opts).replace("FMT", r["format"]) or "(none)")
            if qemu_hung:
                # qemu-img hung once on this image: do not wait 60 s for
                # each of the other runs, only check that instar ends.
                i = t.instar_map(o, scratch)
                if i.crashed:
                    problems.append("%s: instar LOUD FAILURE: %s" % (what, i.status_text()))
                continue
            q = t.qemu(["map"] + o, scratch)
            if q.timed_out:
                qemu_hung = what
                problems.append("%s: qemu-img LOUD FAILURE: timeout; later qemu-img runs on "
                                "this image skipped" % qemu_hung)
            i = t.instar_map(o, scratch)
            for name, res in (("qemu-img", q), ("instar", i)):
                if res.crashed:
                    problems.append("%s: %s LOUD FAILURE: %s" % (what, name, res.status_text()))
            c = harness.Comparison(q, i)
            if not c.ok:
                problems.append("%s: exit %s/%s\n  qemu  : %r %r\n  instar: %r %r" % (
                    what, q.status_text(), i.status_text(), q.stdout[:300],
                    c.expected_stderr[:300], i.stdout[:300], i.stderr[:300]))
    return problems


def check_instar(args):
    kvm.require("hostile.py --check-instar")
    tools = {rel: harness.Tools(os.path.join(MATRIX, "qemu-img-" + rel), args.instar,
                                timeout=60)
             for rel in RELEASES}
    recipes = [r for r in RECIPES if not args.only or r["id"] in args.only]
    ids = [r["id"] for r in RECIPES]
    assert len(ids) == len(set(ids)), "duplicate ids"
    if args.scratch:
        os.makedirs(args.scratch, exist_ok=True)
    top = tempfile.mkdtemp(prefix="hostile-", dir=args.scratch or os.path.join(ROOT, "build"))
    results = {}

    def one(r):
        scratch = os.path.join(top, r["id"])
        os.mkdir(scratch)
        try:
            build(r, scratch, args.qemu_img, args.qemu_io)
        except Exception as e:  # noqa: BLE001
            return ["BUILD FAILED: %s" % e]
        for f in [recipe_file(r)] + r.get("extra_files", []):
            if not os.path.lexists(os.path.join(scratch, f)):
                return ["BUILD FAILED: %s missing" % f]
        return check_one(r, scratch, tools)

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        for r, probs in zip(recipes, ex.map(one, recipes)):
            results[r["id"]] = probs
            print("%-40s %s" % (r["id"], "match" if not probs else
                                "MISMATCH (%d)" % len(probs)), flush=True)
            for p in probs[:args.show]:
                print("    " + p.replace("\n", "\n    "))
    bad = [k for k, v in results.items() if v]
    print("\n%d images, %d match under all releases, %d mismatch" % (
        len(results), len(results) - len(bad), len(bad)))
    if args.keep:
        print("images kept in", top)
    else:
        shutil.rmtree(top, ignore_errors=True)
    return 1 if bad else 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] in PATCHES:
        PATCHES[sys.argv[1]](*sys.argv[2:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check-instar", action="store_true")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--only", nargs="*")
    cli.add_tool_args(ap, qemu_io=True,
                      scratch="where the images are built (default: build/ of this tree; "
                              "the qemu-img releases come from %s)" % MATRIX)
    ap.add_argument("--keep", action="store_true", help="keep the scratch dirs")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--show", type=int, default=3, help="mismatches shown per image")
    args = ap.parse_args()
    if args.list:
        for r in RECIPES:
            print(r["id"], ",".join(r["tags"]))
        return 0
    if args.check_instar:
        return check_instar(args)
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
