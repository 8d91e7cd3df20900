#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential check of the format library against real qemu-img: builds
# images with qemu-img / qemu-io, maps each with `qemu-img map
# --output=json` and with hostmap (a build of the same library over real
# files), and compares stdout, stderr and exit status byte for byte.
#
#   diff_qemu.sh HOSTMAP [QEMU_IMG] [QEMU_IO]
#
# Formats instar does not implement yet are only checked for "exit 1".
# Prints one line per mismatch and a summary; exits 1 on any mismatch.
set -u
HOSTMAP=$(readlink -f "$1")
QIMG=${2:-/usr/bin/qemu-img}
QIO=${3:-/usr/bin/qemu-io}
# hostmap behaves as the release of $QIMG: the profile table decides the
# JSON layout, merge keys, VHD size rule and driver rules.
COMPAT="--qemu-compat=$("$QIMG" --version | head -1)"
W=$(mktemp -d /tmp/instar-diff.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$W"' EXIT
cd "$W" || exit 2
pass=0 fail=0

# compare NAME [map args...]: full stdout/stderr/status comparison
compare() {
  local name=$1; shift
  "$QIMG" map --output=json "$@" >q.out 2>q.err; local qs=$?
  # qemu prints one warning line without its newline; instar's log lines
  # always end in one.
  if [ -s q.err ] && [ "$(tail -c 1 q.err | od -An -c | tr -d ' ')" != '\n' ]; then
    echo >> q.err
  fi
  "$HOSTMAP" "$COMPAT" "$@" >h.out 2>h.err; local hs=$?
  if [ $qs = $hs ] && cmp -s q.out h.out && cmp -s q.err h.err; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "MISMATCH $name: $* (qemu rc=$qs, hostmap rc=$hs)"
    diff q.out h.out | head -8
    diff q.err h.err | head -4
  fi
}

# refused NAME [args]: instar does not implement the format: exit 1 only
refused() {
  local name=$1; shift
  "$HOSTMAP" "$COMPAT" "$@" >h.out 2>h.err; local hs=$?
  if [ $hs = 1 ] && grep -q "not supported by instar yet" h.err; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "MISMATCH $name: expected a clear refusal"
    cat h.err
  fi
}

# windows IMG [-f FMT]: the image whole and through -s/-l windows
windows() {
  local img=$1; shift
  compare "$img" "$@" "$img"
  local w
  for w in "-s 1000 -l 5000" "-s 65536" "-s 65537 -l 131072" "-l 0" \
           "-s 4096 -l 1" "-s 99999999999" "-l 1" \
           "-s 8070450532247928832 -l 8070450532247928832" \
           "-s 9223372036854775807" "-s 511 -l 9223372036854775807" \
           "-s 300000 -l 700000"; do
    # shellcheck disable=SC2086
    compare "$img" "$@" $w "$img"
  done
}

qio() { "$QIO" "$@" >/dev/null; }
mk() { "$QIMG" create -q "$@"; }

# --- raw -----------------------------------------------------------------
truncate -s 1M sparse.raw
windows sparse.raw
head -c 1M /dev/urandom > full.raw; windows full.raw
printf hello > hello.raw; windows hello.raw; compare hello-f -f raw hello.raw
head -c 1000 /dev/urandom > odd.raw; windows odd.raw
truncate -s 1M zw.raw
qio -f raw -c 'write -P 0xaa 64k 64k' -c 'write -P 0 256k 4k' zw.raw
windows zw.raw -f raw
fallocate -l 128k falloc.raw 2>/dev/null && truncate -s 1M falloc.raw && windows falloc.raw
: > empty.raw; compare empty empty.raw; compare empty-s -s 4096 empty.raw
mk -f raw created.raw 3M; windows created.raw
truncate -s 10M holes.raw
qio -f raw -c 'write 0 4k' -c 'write 1M 1M' -c 'write 9M 4097' holes.raw
windows holes.raw; compare holes-file -f file holes.raw

# --- qcow2 -----------------------------------------------------------------
mixed() {  # the state mix of qemu-img-map.md §5.2
  qio -c 'write -P 1 0 64k' -c 'write -P 2 128k 64k' -c 'write -z 256k 64k' \
      -c 'write -P 3 384k 64k' -c 'write -z 384k 64k' -c 'write -P 4 512k 4k' \
      -c 'write -P 5 640k 64k' -c 'discard 640k 64k' -c 'write -P 6 1M 1M' "$1"
}
for compat in 1.1 0.10; do
  for cs in 512 4096 65536 2M; do
    img=q-$compat-$cs.qcow2
    mk -f qcow2 -o compat=$compat,cluster_size=$cs $img 4M
    mixed $img
    windows $img
  done
  img=zu-$compat.qcow2
  mk -f qcow2 -o compat=$compat $img 8M
  qio -c 'write 0 1M' -c 'write -z -u 128k 64k' -c 'write -z 512k 128k' \
      -c 'discard 768k 64k' -c 'write 3M 64k' -c 'write -z -u 3M 64k' $img
  windows $img
  img=empty-$compat.qcow2; mk -f qcow2 -o compat=$compat $img 1G; windows $img
  img=odd-$compat.qcow2; mk -f qcow2 -o compat=$compat $img 1000000
  qio -c 'write 999000 1000' $img 2>/dev/null; windows $img
  img=rawfmt-$compat.qcow2; cp q-$compat-65536.qcow2 $img
  compare rawfmt -f raw $img
done
for p in metadata falloc full; do
  img=pre-$p.qcow2
  mk -f qcow2 -o preallocation=$p $img 4M
  qio -c 'write 64k 64k' -c 'write 2M 4k' $img
  windows $img
done
mk -f qcow2 frag.qcow2 8M
qio -c 'write 2M 64k' -c 'write 0 64k' -c 'write 1M 128k' -c 'write 64k 64k' frag.qcow2
windows frag.qcow2
cp --sparse=always frag.qcow2 sparsecopy.qcow2; windows sparsecopy.qcow2
# metadata preallocation, then sparsified by cp
mk -f qcow2 -o preallocation=metadata pm.qcow2 2M
qio -c 'write 0 64k' pm.qcow2
cp --sparse=always pm.qcow2 pm-sparse.qcow2; windows pm-sparse.qcow2
# compressed clusters
head -c 2M /dev/urandom > rnd.raw; truncate -s 4M rnd.raw
qio -f raw -c 'write -P 7 3M 512k' rnd.raw
"$QIMG" convert -q -c -O qcow2 rnd.raw comp.qcow2; windows comp.qcow2
"$QIMG" convert -q -c -O qcow2 -o cluster_size=4096 rnd.raw comp4k.qcow2
windows comp4k.qcow2
"$QIMG" convert -q -O qcow2 rnd.raw conv.qcow2; windows conv.qcow2
# a big sparse image: many L1 entries, data far apart
mk -f qcow2 big.qcow2 2T
qio -c 'write 0 64k' -c 'write 1T 128k' -c 'write 2047G 64k' big.qcow2
compare big big.qcow2; compare big-s -s 1099511627776 -l 1000000 big.qcow2
mk -f qcow2 -o cluster_size=512 big512.qcow2 100G
qio -c 'write 0 4k' -c 'write 50G 64k' big512.qcow2; compare big512 big512.qcow2
# -f qcow2 on something else
compare notqcow2 -f qcow2 sparse.raw
compare notqcow2-empty -f qcow2 empty.raw

# --- hostile qcow2 headers: qemu's open errors ------------------------------
mk -f qcow2 base.qcow2 1M
qio -c 'write 0 64k' -c 'write 512k 64k' base.qcow2
poke() {  # poke NAME OFFSET STRUCTFMT VALUE
  cp base.qcow2 "$1"
  python3 -c "import struct,sys
f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); f.write(struct.pack(sys.argv[3],int(sys.argv[4],0)))" "$@"
  compare "$1" "$1"
}
poke h-magic.qcow2 0 '>I' 0x514649fc
cp base.qcow2 h-v1.qcow2; python3 -c "import struct
f=open('h-v1.qcow2','r+b'); f.seek(4); f.write(struct.pack('>I',1))"
refused h-v1-probe h-v1.qcow2; compare h-v1-f -f qcow2 h-v1.qcow2
poke h-v4.qcow2 4 '>I' 4
poke h-cb8.qcow2 20 '>I' 8
poke h-cb22.qcow2 20 '>I' 22
poke h-cb63.qcow2 20 '>I' 63
poke h-hl103.qcow2 100 '>I' 103
poke h-hlbig.qcow2 100 '>I' 70000
poke h-hl200.qcow2 100 '>I' 200
poke h-bfo.qcow2 8 '>Q' 65537
poke h-inc.qcow2 72 '>Q' 0x10000000020
poke h-inc-known.qcow2 72 '>Q' 0x3
poke h-ct5.qcow2 104 '>B' 5
poke h-ct1.qcow2 104 '>B' 1
poke h-ctbit.qcow2 72 '>Q' 0x8
poke h-rco7.qcow2 96 '>I' 7
poke h-rco0.qcow2 96 '>I' 0
poke h-rtc0.qcow2 56 '>I' 0
poke h-rtcbig.qcow2 56 '>I' 129
poke h-rtoff.qcow2 48 '>Q' 0x10001
poke h-rtoffmax.qcow2 48 '>Q' 0x7fffffffffff0000
poke h-snoff.qcow2 64 '>Q' 0x123
poke h-snbig.qcow2 60 '>I' 65537
poke h-l1big.qcow2 36 '>I' 0x20000001
poke h-l1off.qcow2 40 '>Q' 0x123
poke h-l1offwrap.qcow2 40 '>Q' 0xfffffffffff00000
poke h-l1small.qcow2 36 '>I' 0
poke h-size63.qcow2 24 '>Q' 0x8000000000000000
poke h-sizemax.qcow2 24 '>Q' 0xffffffffffffffff
poke h-sizeodd.qcow2 24 '>Q' 1000000
poke h-crypt3.qcow2 32 '>I' 3
poke h-crypt2.qcow2 32 '>I' 2
poke h-dirty.qcow2 72 '>Q' 0x1
poke h-corruptbit.qcow2 72 '>Q' 0x2
poke h-datafile.qcow2 72 '>Q' 0x4
poke h-dfraw.qcow2 88 '>Q' 0x2
poke h-bitmaps-ac.qcow2 88 '>Q' 0x1
poke h-bfsize.qcow2 16 '>I' 2000
poke h-l1e-unaligned.qcow2 $((0x30000 + 0)) '>Q' 0x80000000000a0200
poke h-l1e-pasteof.qcow2 $((0x30000 + 0)) '>Q' 0x8000000100000000
poke h-l2e-unaligned.qcow2 $((0x40000 + 0)) '>Q' 0x8000000000050200
poke h-l2e-v3zero.qcow2 $((0x40000 + 8)) '>Q' 0x1
poke h-rb-unaligned.qcow2 $((0x10000)) '>Q' 0x20200
poke h-rb-pasteof.qcow2 $((0x10000)) '>Q' 0x100000000
poke h-ext-big.qcow2 112 '>Q' 0x1234567800100000
poke h-ext-bf.qcow2 112 '>Q' 0xe2792aca00000010
poke h-ext-crypto.qcow2 112 '>Q' 0x0537be7700000010
poke h-ext-bitmaps.qcow2 112 '>Q' 0x2385287500000010
# zero flag in a v2 image, and corruption after the first data
mk -f qcow2 -o compat=0.10 v2.qcow2 1M; qio -c 'write 0 64k' -c 'write 128k 64k' v2.qcow2
cp v2.qcow2 v2-zero.qcow2
python3 - v2-zero.qcow2 <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); f.seek(48); rt=struct.unpack('>Q',f.read(8))[0]
f.seek(40); l1=struct.unpack('>Q',f.read(8))[0]
f.seek(l1); l2=struct.unpack('>Q',f.read(8))[0] & 0x00fffffffffffe00
f.seek(l2+16); e=struct.unpack('>Q',f.read(8))[0]; f.seek(l2+16); f.write(struct.pack('>Q',e|1))
PY
compare v2-zero v2-zero.qcow2
cp v2.qcow2 v2-zero2.qcow2
python3 - v2-zero2.qcow2 <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); f.seek(40); l1=struct.unpack('>Q',f.read(8))[0]
f.seek(l1); l2=struct.unpack('>Q',f.read(8))[0] & 0x00fffffffffffe00
f.seek(l2+8*5); f.write(struct.pack('>Q',1))
PY
compare v2-zero2 v2-zero2.qcow2
# > 256 GiB: qemu's L2 cache uses 4 KiB slices; messages index the slice
for sz in 300G 200G; do
  mk -f qcow2 -o compat=0.10 v2big-$sz.qcow2 $sz; qio -c 'write 0 64k' v2big-$sz.qcow2
  python3 - v2big-$sz.qcow2 <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); f.seek(40); l1=struct.unpack('>Q',f.read(8))[0]
f.seek(l1); l2=struct.unpack('>Q',f.read(8))[0] & 0x00fffffffffffe00
f.seek(l2+8*1000); f.write(struct.pack('>Q',1))
PY
  compare v2big-$sz v2big-$sz.qcow2
done
# the L2-offset corruption example of qemu-img-map.md §3.3
mk -f qcow2 c.qcow2 1G; qio -c 'write 0 64k' -c 'write 600M 64k' c.qcow2
cp c.qcow2 c-l2.qcow2
python3 - c-l2.qcow2 <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); f.seek(40); l1=struct.unpack('>Q',f.read(8))[0]
f.seek(l1+8); e=struct.unpack('>Q',f.read(8))[0]; f.seek(l1+8); f.write(struct.pack('>Q',e+0x200))
PY
compare c-l2 c-l2.qcow2
# a corrupt refblock is reported first; later corruption then stays silent
cp c-l2.qcow2 c-rb.qcow2
python3 - c-rb.qcow2 <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); f.seek(48); rt=struct.unpack('>Q',f.read(8))[0]
f.seek(rt); e=struct.unpack('>Q',f.read(8))[0]; f.seek(rt); f.write(struct.pack('>Q',e+0x200))
PY
compare c-rb c-rb.qcow2
# snapshots: a valid one, too much extra data, a too big table
mk -f qcow2 snap.qcow2 1M; qio -c 'write 0 64k' snap.qcow2
"$QIMG" snapshot -c s1 snap.qcow2; qio -c 'write 64k 64k' snap.qcow2
windows snap.qcow2
cp snap.qcow2 snap-extra.qcow2
python3 - snap-extra.qcow2 <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); f.seek(64); so=struct.unpack('>Q',f.read(8))[0]
f.seek(so+36); f.write(struct.pack('>I',1025))
PY
compare snap-extra snap-extra.qcow2
cp snap.qcow2 snap-big.qcow2
python3 - snap-big.qcow2 <<'PY'
import struct,sys
# 600 entries with maximal id and name: past 64 MiB of table (sparse file)
f=open(sys.argv[1],'r+b'); f.seek(60); f.write(struct.pack('>I',600))
so=1<<30; f.seek(64); f.write(struct.pack('>Q',so))
off=so
for i in range(600):
    off=(off+7)&~7
    f.seek(off); f.write(struct.pack('>QIHHIIQII',0,0,65535,65535,0,0,0,0,0))
    off+=40+65535+65535
PY
compare snap-big snap-big.qcow2

# feature names from the feature table; bitmaps
cp base.qcow2 feat.qcow2
python3 - feat.qcow2 <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); d=bytearray(f.read(65536)); off=112
while off < 65536:
    m,l=struct.unpack('>II',d[off:off+8])
    if m==0: break
    if m==0x6803f857:
        # rename the bits of the first two entries to unknown bits 5 and 9
        d[off+8+1]=5; d[off+8+48+1]=9
    off+=8+((l+7)&~7)
d[72:80]=struct.pack('>Q',(1<<5)|(1<<9)|(1<<40))
f.seek(0); f.write(d)
PY
compare feat feat.qcow2
mk -f qcow2 bm.qcow2 1M; "$QIMG" bitmap --add bm.qcow2 b0 2>/dev/null
"$QIMG" bitmap --add bm.qcow2 b1 2>/dev/null; windows bm.qcow2
# hostile bitmap directories and tables: bmpoke NAME PYTHON-EDIT
bmpoke() {
  cp bm.qcow2 "$1"
  python3 - "$1" "$2" <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); d=bytearray(f.read()); off=112
while True:
    m,l=struct.unpack('>II',d[off:off+8])
    if m==0x23852875: ext=off+8; break
    off+=8+((l+7)&~7)
nb,_,dsize,doff=struct.unpack('>IIQQ',d[ext:ext+24])
ents=[]; p=doff
for i in range(nb):
    ents.append(p); ns=struct.unpack('>H',d[p+18:p+20])[0]; p+=(24+ns+7)&~7
def put(o,fmt,v): d[o:o+struct.calcsize(fmt)]=struct.pack(fmt,v)
exec(sys.argv[2])
f.seek(0); f.write(d)
PY
  compare "$1" "$1"
}
bmpoke bm-dup.qcow2 "d[ents[1]+24:ents[1]+26]=b'b0'"
bmpoke bm-dup-inuse.qcow2 "d[ents[1]+24:ents[1]+26]=b'b0'; put(ents[1]+12,'>I',3)"
bmpoke bm-gran.qcow2 "d[ents[0]+17]=8"
bmpoke bm-type.qcow2 "d[ents[1]+16]=2"
bmpoke bm-flags.qcow2 "put(ents[0]+12,'>I',7)"
bmpoke bm-extra.qcow2 "put(ents[0]+20,'>I',8)"
bmpoke bm-less.qcow2 "put(ext,'>I',3)"
bmpoke bm-more.qcow2 "put(ext,'>I',1)"
bmpoke bm-broken.qcow2 "put(ext+8,'>Q',dsize+8)"
bmpoke bm-short.qcow2 "put(ext+8,'>Q',dsize-8)"
bmpoke bm-dsize0.qcow2 "put(ext+8,'>Q',0)"
bmpoke bm-tsize.qcow2 "put(ents[0]+8,'>I',2)"
bmpoke bm-tsize-inuse.qcow2 "put(ents[0]+8,'>I',2); put(ents[0]+12,'>I',3)"
bmpoke bm-toff.qcow2 "put(ents[0],'>Q',0x10200)"
bmpoke bm-tentry.qcow2 "t=struct.unpack('>Q',d[ents[1]:ents[1]+8])[0]; put(t,'>Q',2)"
bmpoke bm-tentry-ones.qcow2 "t=struct.unpack('>Q',d[ents[1]:ents[1]+8])[0]; put(t,'>Q',0x50001)"
bmpoke bm-tentry-unal.qcow2 "t=struct.unpack('>Q',d[ents[1]:ents[1]+8])[0]; put(t,'>Q',0x50200)"
bmpoke bm-tentry-ok.qcow2 "t=struct.unpack('>Q',d[ents[1]:ents[1]+8])[0]; put(t,'>Q',1)"
bmpoke bm-name.qcow2 "put(ents[0]+18,'>H',1100)"
cp bm.qcow2 bm-stale.qcow2
python3 -c "import struct
f=open('bm-stale.qcow2','r+b'); f.seek(88); f.write(struct.pack('>Q',0))"
compare bm-stale bm-stale.qcow2
mk -f qcow2 -o compat=0.10 bm2.qcow2 1M
python3 - bm2.qcow2 bm.qcow2 <<'PY'
import struct,sys
# graft a bitmaps extension header into a v2 image (directory not needed)
f=open(sys.argv[1],'r+b'); f.seek(72); f.write(struct.pack('>II',0x23852875,24)+b'\0'*24)
PY
compare bm-v2 bm2.qcow2

# extended L2 with too small subclusters; LUKS; backing name length
mk -f qcow2 -o extended_l2=on el.qcow2 1M
cp el.qcow2 el-cb13.qcow2
python3 -c "import struct
f=open('el-cb13.qcow2','r+b'); f.seek(20); f.write(struct.pack('>I',13))"
compare el-cb13 el-cb13.qcow2
"$QIMG" create -q --object secret,id=s0,data=x -f qcow2 \
  -o encrypt.format=luks,encrypt.key-secret=s0 luks.qcow2 1M
cp luks.qcow2 luks-nohdr.qcow2
python3 - luks-nohdr.qcow2 <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); d=bytearray(f.read(65536)); off=112
while off < 65536:
    m,l=struct.unpack('>II',d[off:off+8])
    if m==0: break
    if m==0x0537be77: d[off:off+4]=b'\x12\x34\x56\x78'
    if m==0x0537be77+1: pass
    off+=8+((l+7)&~7)
f.seek(0); f.write(d)
PY
compare luks-nohdr luks-nohdr.qcow2
cp luks.qcow2 luks-hdroff.qcow2
python3 - luks-hdroff.qcow2 <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); d=bytearray(f.read(65536)); off=112
while off < 65536:
    m,l=struct.unpack('>II',d[off:off+8])
    if m==0: break
    if m==0x0537be77: d[off+8:off+16]=struct.pack('>Q',0x10200)
    off+=8+((l+7)&~7)
f.seek(0); f.write(d)
PY
compare luks-hdroff luks-hdroff.qcow2
cp luks.qcow2 luks-plain.qcow2
python3 -c "import struct
f=open('luks-plain.qcow2','r+b'); f.seek(32); f.write(struct.pack('>I',0))"
compare luks-plain luks-plain.qcow2
mk -f qcow2 -b base.qcow2 -F qcow2 ovl.qcow2
cp ovl.qcow2 ovl-long.qcow2
python3 -c "import struct
f=open('ovl-long.qcow2','r+b'); f.seek(16); f.write(struct.pack('>I',1024))"
compare ovl-long ovl-long.qcow2

# --- qcow2 extended L2: subcluster states, invalid bitmaps -----------------
mk -f qcow2 -o extended_l2=on el2.qcow2 1M
qio -c 'write 4k 4k' -c 'write 8k 2k' -c 'write -z 64k 8k' -c 'write 128k 4k' \
    -c 'write -z 132k 4k' -c 'write 200k 64k' -c 'discard 210k 4k' \
    -c 'write -z -u 400k 16k' -c 'write 600k 100k' el2.qcow2
windows el2.qcow2
mk -f qcow2 -o extended_l2=on,cluster_size=2M el2big.qcow2 8M
qio -c 'write 0 100k' -c 'write -z 1M 64k' -c 'write 3M 1M' el2big.qcow2
windows el2big.qcow2
# a bitmap that marks a subcluster both allocated and zero is invalid
cp el2.qcow2 el2-bad.qcow2
python3 - el2-bad.qcow2 <<'PY'
import struct, sys
f = open(sys.argv[1], 'r+b')
hdr = f.read(72)
l1_off = struct.unpack('>Q', hdr[40:48])[0]
f.seek(l1_off); l2 = struct.unpack('>Q', f.read(8))[0] & 0x00fffffffffffe00
# cluster 3 (192k..256k) holds data: set zero bits over its alloc bits
f.seek(l2 + 3 * 16 + 8); bm = struct.unpack('>Q', f.read(8))[0]
f.seek(l2 + 3 * 16 + 8); f.write(struct.pack('>Q', bm | (bm << 32)))
PY
windows el2-bad.qcow2

# --- vpc and vhdx ----------------------------------------------------------
# shellcheck source=diff_qemu_vhd.sh
. "$(dirname "$(readlink -f "$0")")/diff_qemu_vhd.sh"

# --- vmdk ------------------------------------------------------------------
vpoke() {  # vpoke FILE OFFSET STRUCTFMT VALUE: patch a copy in place
  python3 -c "import struct,sys
f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2],0)); f.write(struct.pack(sys.argv[3],int(sys.argv[4],0)))" "$@"
}
vmix() {  # data, zeroes, holes across grains and extents
  qio -f vmdk -c 'write -P 1 0 64k' -c 'write -P 2 200k 4k' -c 'write -z 512k 64k' \
      -c 'write -P 3 1M 1M' "$@"
}
mk -f vmdk vs.vmdk 4M; vmix vs.vmdk; windows vs.vmdk; compare vs-f -f vmdk vs.vmdk
mk -f vmdk -o zeroed_grain=on vz.vmdk 4M; vmix vz.vmdk
qio -f vmdk -c 'write -z 3M 128k' vz.vmdk; windows vz.vmdk
mk -f vmdk ve.vmdk 1G; windows ve.vmdk
mk -f vmdk vodd.vmdk 1000000; qio -f vmdk -c 'write 999000 1000' vodd.vmdk
windows vodd.vmdk
mk -f vmdk -o compat6=on v6.vmdk 4M; vmix v6.vmdk; windows v6.vmdk
# GTE=1 without the zeroed-grain flag is data at host sector 1
cp vs.vmdk vgte1.vmdk
python3 - vgte1.vmdk <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); h=f.read(80)
gd=struct.unpack('<Q',h[56:64])[0]; f.seek(gd*512); gt=struct.unpack('<I',f.read(4))[0]
f.seek(gt*512+4*5); f.write(struct.pack('<I',1))
PY
windows vgte1.vmdk
cp vz.vmdk vz-gte1.vmdk
python3 - vz-gte1.vmdk <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); h=f.read(80)
gd=struct.unpack('<Q',h[56:64])[0]; f.seek(gd*512); gt=struct.unpack('<I',f.read(4))[0]
f.seek(gt*512+4*40); f.write(struct.pack('<I',1))
PY
windows vz-gte1.vmdk
# streamOptimized: compressed grains have no offset
head -c 1M /dev/urandom > vrnd.raw; truncate -s 3M vrnd.raw
qio -f raw -c 'write -P 9 2M 64k' vrnd.raw
"$QIMG" convert -q -O vmdk -o subformat=streamOptimized vrnd.raw vso.vmdk
windows vso.vmdk
# monolithicFlat, twoGbMaxExtent*, windows across extent boundaries
mk -f vmdk -o subformat=monolithicFlat vf.vmdk 3M; vmix vf.vmdk; windows vf.vmdk
mk -f vmdk -o subformat=monolithicFlat vf0.vmdk 1M; windows vf0.vmdk
mk -f vmdk -o subformat=twoGbMaxExtentFlat vtf.vmdk 5G
qio -f vmdk -c 'write 0 64k' -c 'write 2047M 2M' -c 'write 4G 4k' vtf.vmdk
compare vtf vtf.vmdk; compare vtf-s -s 2146435072 -l 4194304 vtf.vmdk
mk -f vmdk -o subformat=twoGbMaxExtentSparse vts.vmdk 5G
qio -f vmdk -c 'write 0 64k' -c 'write 2047M 2M' -c 'write -z 4G 64k' vts.vmdk
compare vts vts.vmdk; compare vts-s -s 2146435072 -l 4194304 vts.vmdk
compare vts-f -f vmdk vts.vmdk
# hand-written descriptors: relative names in a subdirectory, mixed types
mkdir -p vd/sub
truncate -s 1M vd/a.img vd/b.img; printf 'AAAA' > vd/a.img; truncate -s 1M vd/a.img
mk -f vmdk vd/sp.vmdk 2M; qio -f vmdk -c 'write 64k 64k' vd/sp.vmdk
mk -f vmdk -o zeroed_grain=on vd/spz.vmdk 1M
qio -f vmdk -c 'write -z 0 64k' -c 'write 128k 4k' vd/spz.vmdk
truncate -s 2M vd/sub/c.img; qio -f raw -c 'write 1M 4k' vd/sub/c.img
cat > vd/mix.vmdk <<'D'
# Disk DescriptorFile
version=1
CID=12345678
parentCID=ffffffff
createType="monolithicFlat"

# Extent description
RW 2048 FLAT "a.img" 0
RW 2048 FLAT "b.img" 0
RDONLY 100 FLAT "a.img" 0
RW 100 ZERO "a.img"
NOACCESS 100 FLAT "nope.img" 0
RW 4096 SPARSE "sp.vmdk"
RW 1024 FLAT "sub/c.img" 1024
RW 2048 VMFS "b.img"
RW 2048 SPARSE "spz.vmdk"
RW 1024 FLAT "a.img" 1024
RW 1024 FLAT "a.img" 0
D
windows vd/mix.vmdk; compare mix-f -f vmdk vd/mix.vmdk
(cd vd && compare mix-cwd mix.vmdk)
compare mix-dot ./vd/mix.vmdk; compare mix-dslash vd//mix.vmdk
compare mix-abs "$W/vd/mix.vmdk"
# CRLF, comments, blank lines with spaces, an absolute extent name
printf '# Disk DescriptorFile\r\n   \r\n#c\r\nversion=1\r\nCID=1\r\nparentCID=ffffffff\r\ncreateType="twoGbMaxExtentFlat"\r\nRW 2048 FLAT "a.img" 0\r\nRW 2048 FLAT "%s/vd/b.img" 0\r\n' "$W" > vd/crlf.vmdk
windows vd/crlf.vmdk
# the same file twice, contiguous: one entry, as qemu merges by name
printf 'version=1\nCID=1\ncreateType="monolithicFlat"\nRW 1024 FLAT "a.img" 0\nRW 1024 FLAT "a.img" 1024\n' > vd/same.vmdk
compare same vd/same.vmdk
# a descriptor that names itself
printf 'version=1\nCID=1\ncreateType="monolithicFlat"\nRW 8 FLAT "self.vmdk" 0\n' > vd/self.vmdk
truncate -s 8192 vd/self.vmdk; compare self vd/self.vmdk
# descriptor errors
dsc() {  # dsc NAME BODY: a descriptor in vd/, mapped with probe and -f
  printf "$2" > "vd/$1"; compare "$1" "vd/$1"; compare "$1-f" -f vmdk "vd/$1"
}
dsc nocid.vmdk 'version=1\ncreateType="monolithicFlat"\nRW 2048 FLAT "a.img" 0\n'
dsc noct.vmdk 'version=1\nCID=1\nRW 2048 FLAT "a.img" 0\n'
dsc badct.vmdk 'version=1\nCID=1\ncreateType="monolithicSparse"\n'
dsc ctnoq.vmdk 'version=1\nCID=1\ncreateType="monolithicFlat\n'
dsc inv1.vmdk 'version=1\nCID=1\ncreateType="monolithicFlat"\nRW 100 FLAT "a.img"\n'
dsc inv2.vmdk 'version=1\nCID=1\ncreateType="monolithicFlat"\nRW 100 FLAT "a.img" -1\r\n'
dsc inv3.vmdk 'version=1\nCID=1\ncreateType="monolithicFlat"\nRW 100 SPARSE "sp.vmdk" 7\n'
dsc inv4.vmdk 'version=1\nCID=1\ncreateType="monolithicFlat"\nRW 100 VMFS "a.img" 0\n'
dsc inv5.vmdk 'version=1\nCID=1\ncreateType="monolithicFlat"\nRW 100 ZERO "a.img" 0\n'
dsc wrap.vmdk 'version=1\nCID=1\ncreateType="monolithicFlat"\nRW\n100\nFLAT\n"a.img"\n0\n'
dsc zero-sec.vmdk 'version=1\nCID=1\ncreateType="monolithicFlat"\nRW 0 FLAT "a.img" 0\nRW -5 FLAT "a.img" 0\nRW 8 FLAT "a.img" 0\n'
dsc noext.vmdk 'version=1\nCID=1\ncreateType="vmfs"\n'
dsc missing.vmdk 'version=1\nCID=1\ncreateType="monolithicFlat"\nRW 100 FLAT "none.img" 0\n'
dsc notvmdk.vmdk 'version=1\nCID=1\ncreateType="vmfsSparse"\nRW 100 SPARSE "a.img"\n'
dsc small.vmdk 'version=1\nCID=1\ncreateType="vmfsSparse"\nRW 100 VMFSSPARSE "empty.img"\n'
: > vd/empty.img
printf 'version=1\nCID=1\nparentCID=ffffffff\nparentFileNameHint="x\ncreateType="monolithicFlat"\nRW 8 FLAT "a.img" 0\n' > vd/parent.vmdk
refused parent vd/parent.vmdk  # qemu opens a backing file "vd/x\ncreateType="
dsc parentq.vmdk 'version=1\nCID=1\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 8 FLAT "a.img" 0\nparentFileNameHint="x\n'
dsc parent0.vmdk 'version=1\nCID=1\nparentCID=ffffffff\nparentFileNameHint=""\ncreateType="monolithicFlat"\nRW 8 FLAT "a.img" 0\n'
dsc badcid.vmdk 'version=1\nCID=zz\ncreateType="monolithicFlat"\nRW 8 FLAT "a.img" 0\n'
dsc bigflat.vmdk 'version=1\nCID=1\ncreateType="monolithicFlat"\nRW 8 FLAT "a.img" 99999999\n'
# (instar's error messages hold 240 bytes: longer names are cut there)
dsc longname.vmdk "version=1\nCID=1\ncreateType=\"monolithicFlat\"\nRW 8 FLAT \"$(printf 'x%.0s' $(seq 150))\" 0\n"
: > vd/zero.vmdk; compare vzero -f vmdk vd/zero.vmdk
printf '# Disk DescriptorFile\n  \nversion=1\n' > vd/d.vmdk; truncate -s 4096 vd/d.vmdk
compare vd-probe vd/d.vmdk
# an absolute name outside the image's directory: qemu just opens it
# (instar's host policy must refuse it; hostmap has no policy)
dsc shadow.vmdk 'version=1\nCID=1\nparentCID=1\ncreateType="monolithicFlat"\nRW 16 FLAT "/etc/shadow" 0\n'
printf 'abc' > vd/three.vmdk; compare vthree -f vmdk vd/three.vmdk
compare notvmdk-raw -f vmdk sparse.raw
# hostile sparse headers (offsets into the VMDK4 header after the magic)
hs() {  # hs NAME OFFSET FMT VALUE
  cp vs.vmdk "$1"; vpoke "$1" "$2" "$3" "$4"; compare "$1" "$1"
}
hs vh-ver4.vmdk 4 '<I' 4
hs vh-ver3.vmdk 4 '<I' 3
hs vh-gtes.vmdk 44 '<I' 513
hs vh-gtes0.vmdk 44 '<I' 0
hs vh-gran.vmdk 20 '<Q' 0x400000
hs vh-granwrap.vmdk 20 '<Q' 0x800000
hs vh-cap.vmdk 12 '<Q' 0x7fffffffffffff
hs vh-cap2.vmdk 12 '<Q' 0x200000
hs vh-l1big.vmdk 12 '<Q' 0x100000000000
hs vh-gdoff.vmdk 56 '<Q' 0x7fffffffffffff
hs vh-gdpast.vmdk 56 '<Q' 0x100000
hs vh-grainoff.vmdk 64 '<Q' 0x100000
hs vh-rgd.vmdk 8 '<I' 3
hs vh-rgdbad.vmdk 48 '<Q' 0x7fffffffffffff
hs vh-desc0.vmdk 12 '<Q' 0
hs vh-gtpast.vmdk 0x10000 '<I' 0x7fffffff
hs vh-zgflag.vmdk 8 '<I' 5
hs vh-compress.vmdk 77 '<H' 1
hs vh-gdend.vmdk 56 '<Q' 0xffffffffffffffff
cp vs.vmdk vh-nocid.vmdk; python3 -c "
f=open('vh-nocid.vmdk','r+b'); f.seek(0x200); d=f.read(1024).replace(b'CID',b'XID'); f.seek(0x200); f.write(d)"
compare vh-nocid vh-nocid.vmdk
cp vs.vmdk vh-parent.vmdk; python3 -c "
f=open('vh-parent.vmdk','r+b'); f.seek(0x200); d=f.read(1024).replace(b'parentCID=ffffffff',b'parentFileNameHint=\"b.vmdk\"\nparentCID=ffffffff'); f.seek(0x200); f.write(d)"
refused vh-parent vh-parent.vmdk
cp vso.vmdk vh-footer.vmdk; python3 -c "
import os; f=open('vh-footer.vmdk','r+b'); f.seek(os.path.getsize('vh-footer.vmdk')-512+12); f.write(b'\\x07')"
compare vh-footer vh-footer.vmdk

# --- qcow2 external data file and encryption ---------------------------------
mkdir -p dfd
( cd dfd || exit 2
  mk -f qcow2 -o data_file=dd.data dd.qcow2 4M
  qio -c 'write -P 1 0 64k' -c 'write -P 2 1M 64k' -c 'write -z 2M 64k' \
      -c 'write -P 3 3M 128k' -c 'discard 3M 64k' dd.qcow2
  mk -f qcow2 -o data_file=dr.data,data_file_raw=on dr.qcow2 4M
  qio -c 'write -P 1 64k 64k' -c 'write -z 2M 64k' dr.qcow2
  mk -f qcow2 -o data_file=de.data,extended_l2=on de.qcow2 1M
  qio -c 'write -P 1 0 4k' -c 'write -z 64k 8k' de.qcow2
  mk -f qcow2 -o data_file=dm.data dm.qcow2 1M
  rm dm.data )
cd dfd || exit 2
for f in dd dr de; do windows $f.qcow2; done
compare dm-missing dm.qcow2
cd .. || exit 2
# run from the parent: the data file name is relative to the cwd
compare dd-parent dfd/dd.qcow2
compare dr-parent dfd/dr.qcow2
cp dfd/dd.data dd.data
compare dd-parent-cwd dfd/dd.qcow2
# data file cluster at the wrong host offset: corruption
cp dfd/dd.qcow2 dfd/dd-bad.qcow2
python3 - dfd/dd-bad.qcow2 <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); h=f.read(112)
l1=struct.unpack('>Q',h[40:48])[0]; f.seek(l1); l2=struct.unpack('>Q',f.read(8))[0]&0x00fffffffffffe00
f.seek(l2+16*8); e=struct.unpack('>Q',f.read(8))[0]
f.seek(l2+16*8); f.write(struct.pack('>Q',e+65536))
PY
compare dd-bad dfd/dd-bad.qcow2
# COPIED cleared on the offset-0 cluster: unallocated
cp dfd/dd.qcow2 dfd/dd-nocopied.qcow2
python3 - dfd/dd-nocopied.qcow2 <<'PY'
import struct,sys
f=open(sys.argv[1],'r+b'); h=f.read(112)
l1=struct.unpack('>Q',h[40:48])[0]; f.seek(l1); l2=struct.unpack('>Q',f.read(8))[0]&0x00fffffffffffe00
f.seek(l2); f.write(struct.pack('>Q',0))
PY
compare dd-nocopied dfd/dd-nocopied.qcow2
for c in aes luks; do
  "$QIMG" create -q --object secret,id=s0,data=x -f qcow2 \
    -o encrypt.format=$c,encrypt.key-secret=s0 enc-$c.qcow2 1M 2>/dev/null &&
    compare enc-$c enc-$c.qcow2
done

# --- formats instar refuses for now ---------------------------------------
mk -f qcow q1.qcow 1M; refused qcow q1.qcow
mk -f vdi v.vdi 1M; refused vdi v.vdi
mk -f qed v.qed 1M; refused qed v.qed
mk -f parallels v.parallels 1M 2>/dev/null && refused parallels v.parallels
mk -f qcow2 -b base.qcow2 -F qcow2 ov.qcow2; refused backing ov.qcow2
truncate -s 1M x.dmg; refused dmg x.dmg

echo "diff_qemu: $pass matching, $fail mismatching ($QIMG)"
[ $fail = 0 ]
