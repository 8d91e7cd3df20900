#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Patch VHD / VHDX images for diff_qemu_vhd.sh's hostile cases.

scripts/py impl/formats/tests/vhdpoke.py FILE EDIT... ; edits are applied in order and checksums are
fixed afterwards unless the edit is raw= or "nocrc" is given.
VHD:  creator=STR current=N geometry=C,H,S footer=OFF:FMT:VAL
      raw=OFF:FMT:VAL dyn=OFF:FMT:VAL bat=IDX:VAL
VHDX: hdr=|hdr1=|hdr2=OFF:FMT:VAL hdrsame replay region=OFF:FMT:VAL
      meta=OFF:FMT:VAL param=OFF:FMT:VAL lss=N vds=N metaguid=K
      metadup=K metaflags=K:V bate=IDX:VAL|end nocrc
FMT is a struct format or "hex" (VAL then is the bytes in hex).
"""
import struct
import sys

from instar_testing.images import crc32c


def put(d, off, fmt, val):
    if fmt == 'hex':
        b = bytes.fromhex(val)
    else:
        b = struct.pack(fmt, int(val, 0))
    d[off:off + len(b)] = b


def vhd(d, edits):
    size = len(d)
    footers = [o for o in (0, size - 512) if d[o:o + 8] == b'conectix']
    dyn = struct.unpack('>Q', d[16:24])[0] if d[:8] == b'conectix' else None
    fix = set()
    for e in edits:
        k, _, v = e.partition('=')
        if k in ('creator', 'current', 'geometry', 'footer', 'raw'):
            for f in footers:
                if k == 'creator':
                    d[f + 28:f + 32] = v.encode().decode('unicode_escape').encode('latin1')
                elif k == 'current':
                    put(d, f + 48, '>Q', v)
                elif k == 'geometry':
                    c, h, s = (int(x) for x in v.split(','))
                    d[f + 56:f + 60] = struct.pack('>HBB', c, h, s)
                else:
                    off, fmt, val = v.split(':')
                    put(d, f + int(off), fmt, val)
                if k != 'raw':
                    fix.add(f)
        elif k == 'dyn':
            off, fmt, val = v.split(':')
            put(d, dyn + int(off), fmt, val)
        elif k == 'bat':
            idx, val = v.split(':')
            bat = struct.unpack('>Q', d[dyn + 16:dyn + 24])[0]
            put(d, bat + 4 * int(idx), '>I', val)
    for f in fix:
        d[f + 64:f + 68] = b'\0' * 4
        d[f + 64:f + 68] = struct.pack('>I', ~sum(d[f:f + 512]) & 0xffffffff)


def regions(d):
    out = {}
    for i in range(struct.unpack('<I', d[196608 + 8:196608 + 12])[0]):
        e = 196608 + 16 + 32 * i
        out[bytes(d[e:e + 16]).hex()] = struct.unpack('<QI', d[e + 16:e + 28])
    return out


BAT = '6677c22d23f600429d64115e9bfd4a08'
META = '06a27c8b90479a4bb8fe575f050f886e'
ITEMS = {'param': '3767a1ca36fa434db3b633f0aa44e76b',
         'vds': '2442a52f1bcd7648b2115dbed83bf4b8',
         'lss': '1dbf41816fa90947ba47f233a8faab5f'}


def item(d, guid):
    moff = regions(d)[META][0]
    n = struct.unpack('<H', d[moff + 10:moff + 12])[0]
    for i in range(n):
        e = moff + 32 + 32 * i
        if bytes(d[e:e + 16]).hex() == guid:
            return moff + struct.unpack('<I', d[e + 16:e + 20])[0]
    raise SystemExit('item not found')


def vhdx(d, edits):
    nocrc = 'nocrc' in edits
    h1, h2 = 65536, 131072
    seq = lambda h: struct.unpack('<Q', d[h + 8:h + 16])[0]
    for e in edits:
        k, _, v = e.partition('=')
        if k in ('hdr', 'hdr1', 'hdr2'):
            off, fmt, val = v.split(':')
            hs = {'hdr': (h1, h2), 'hdr1': (h1,), 'hdr2': (h2,)}[k]
            for h in hs:
                put(d, h + int(off), fmt, val)
        elif k == 'hdrsame':
            put(d, h2 + 8, '<Q', str(seq(h1)))
            d[h2 + 16] ^= 0xff
        elif k == 'replay':
            lo = struct.unpack('<Q', d[h1 + 72:h1 + 80])[0]
            d[h1 + 48:h1 + 64] = d[lo + 32:lo + 48]
            d[h2 + 48:h2 + 64] = d[lo + 32:lo + 48]
        elif k == 'region':
            off, fmt, val = v.split(':')
            put(d, 196608 + int(off), fmt, val)
        elif k == 'meta':
            off, fmt, val = v.split(':')
            put(d, regions(d)[META][0] + int(off), fmt, val)
        elif k == 'param':
            off, fmt, val = v.split(':')
            put(d, item(d, ITEMS['param']) + int(off), fmt, val)
        elif k == 'lss':
            put(d, item(d, ITEMS['lss']), '<I', v)
        elif k == 'vds':
            put(d, item(d, ITEMS['vds']), '<Q', v)
        elif k in ('metaguid', 'metadup', 'metaflags'):
            moff = regions(d)[META][0]
            i, _, val = v.partition(':')
            e = moff + 32 + 32 * int(i)
            if k == 'metaguid':
                d[e] ^= 0xff
            elif k == 'metadup':
                d[e:e + 16] = d[moff + 32:moff + 48]
            else:
                put(d, e + 24, '<I', val)
        elif k == 'bate':
            i, val = v.split(':')
            if val == 'end':
                val = str(((len(d) - 512) & ~0xfffff) | 6)
            put(d, regions(d)[BAT][0] + 8 * int(i), '<Q', val)
    if not nocrc:
        for h in (h1, h2):
            d[h + 4:h + 8] = b'\0' * 4
            d[h + 4:h + 8] = struct.pack('<I', crc32c(d[h:h + 4096]))
        r = 196608
        d[r + 4:r + 8] = b'\0' * 4
        d[r + 4:r + 8] = struct.pack('<I', crc32c(d[r:r + 65536]))


def main():
    path, edits = sys.argv[1], sys.argv[2:]
    with open(path, 'rb') as f:
        d = bytearray(f.read())
    if d[:8] == b'vhdxfile':
        vhdx(d, edits)
    else:
        vhd(d, edits)
    with open(path, 'r+b') as f:
        f.seek(0)
        f.write(d)


main()
