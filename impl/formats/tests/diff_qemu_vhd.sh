# SPDX-License-Identifier: GPL-2.0-or-later
# vpc (VHD) and vhdx cases of diff_qemu.sh (sourced: uses compare,
# windows, mk and qio). Hostile variants are patched with vhdpoke.py.
_here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
VHDPOKE="$_here/../../../scripts/py $_here/vhdpoke.py"
# vpoke NAME BASE EDIT...: copy BASE, apply edits, compare with and without -f
vpc_fmt() { case $1 in *.vhd) echo vpc ;; *) echo vhdx ;; esac; }
vpoke() {
  local name=$1 base=$2; shift 2
  cp "$base" "$name"; $VHDPOKE "$name" "$@" || echo "vhdpoke failed: $name"
  compare "$name" "$name"; compare "$name-f" -f "$(vpc_fmt "$name")" "$name"
}

# --- vpc -------------------------------------------------------------------
for sz in 1M 10M 1000000 8385024 130M; do
  mk -f vpc d-$sz.vhd $sz
  qio -f vpc -c 'write 0 4k' -c 'write 3M 64k' d-$sz.vhd 2>/dev/null
  windows d-$sz.vhd; compare d-$sz-f -f vpc d-$sz.vhd
  mk -f vpc -o subformat=fixed f-$sz.vhd $sz
  qio -f vpc -c 'write 512k 64k' f-$sz.vhd 2>/dev/null
  windows f-$sz.vhd -f vpc; compare f-$sz-probe f-$sz.vhd
done
mk -f vpc -o force_size=on fs.vhd 8385024; qio -f vpc -c 'write 1M 1M' fs.vhd
windows fs.vhd
mk -f vpc -o subformat=fixed,force_size=on ffs.vhd 8385024; windows ffs.vhd -f vpc
mk -f vpc empty.vhd 64M; windows empty.vhd
mk -f vpc full.vhd 6M; qio -f vpc -c 'write 0 6M' full.vhd; windows full.vhd
cp --sparse=always f-10M.vhd fsparse.vhd; windows fsparse.vhd -f vpc
for c in vbox 'win ' 'd2v ' 'tap\0' 'qem2' 'CTXS' 'vpc ' 'qemu' 'wa\0\0'; do
  n=$(printf '%s' "$c" | tr -c 'a-zA-Z0-9' _)
  vpoke cr-$n.vhd d-8385024.vhd "creator=$c"
  vpoke crf-$n.vhd f-8385024.vhd "creator=$c"
done
vpoke maxgeo.vhd d-10M.vhd "geometry=65535,16,255"
vpoke big.vhd d-10M.vhd "creator=win " "current=0x20000000000"
vpoke big2.vhd d-10M.vhd "creator=win " "current=0xffffffffffffffff"
vpoke cks.vhd d-10M.vhd "raw=64:>I:0x12345678"
vpoke dyn-magic.vhd d-10M.vhd "dyn=0:>Q:0x1234"
vpoke dyn-off.vhd d-10M.vhd "footer=16:>Q:0x100000"
vpoke dyn-offbig.vhd d-10M.vhd "footer=16:>Q:0x8000000000000000"
vpoke dyn-offmax.vhd d-10M.vhd "footer=16:>Q:0x7ffffffffffffe00"
for bs in 0 3 256 512 4096 0x80000000 0x100000; do
  vpoke bs-$bs.vhd d-10M.vhd "dyn=32:>I:$bs"
done
for mte in 0 4 5 0x80000000 0xffffffff 0x20000000 0x1fffffff 0x1fffff81; do
  vpoke mte-$mte.vhd d-10M.vhd "dyn=28:>I:$mte"
done
vpoke bat-off.vhd d-10M.vhd "dyn=16:>Q:0x10000000000"
vpoke bat-offmax.vhd d-10M.vhd "dyn=16:>Q:0x7ffffffffffff000"
vpoke bat-entry.vhd d-10M.vhd "bat=1:0x100000"
vpoke bat-entry2.vhd d-10M.vhd "bat=4:0x1"
vpoke bat-ok.vhd d-10M.vhd "bat=3:0x3"
vpoke type-diff.vhd d-10M.vhd "footer=60:>I:4"
vpoke type-fixed.vhd d-10M.vhd "footer=60:>I:2"
vpoke type-7.vhd d-10M.vhd "footer=60:>I:7"
vpoke ftype.vhd f-10M.vhd "footer=60:>I:3"
vpoke fnomagic.vhd f-10M.vhd "footer=0:>Q:0x1234"
head -c 100 /dev/urandom > tiny.vhd; compare tiny-f -f vpc tiny.vhd
: > zero.vhd; compare zero-f -f vpc zero.vhd
compare raw-as-vpc -f vpc sparse.raw

# --- vhdx ------------------------------------------------------------------
for bsz in 1M 8M 32M 256M; do
  mk -f vhdx -o block_size=$bsz x-$bsz.vhdx 100M
  qio -f vhdx -c 'write 0 4k' -c 'write 50M 1M' x-$bsz.vhdx
  windows x-$bsz.vhdx
done
mk -f vhdx -o subformat=fixed xf.vhdx 10M; windows xf.vhdx; compare xf-f -f vhdx xf.vhdx
mk -f vhdx -o log_size=4M xl.vhdx 1G; windows xl.vhdx
mk -f vhdx xo.vhdx 1000000; windows xo.vhdx
mk -f vhdx xe.vhdx 0; compare xe xe.vhdx
mk -f vhdx xb.vhdx 100G; qio -f vhdx -c 'write 99G 4k' xb.vhdx; compare xb xb.vhdx
X=x-1M.vhdx
vpoke xh1.vhdx $X "hdr1=8:<Q:99"
vpoke xh1b.vhdx $X "hdr1=8:<Q:99" "nocrc"
vpoke xhboth.vhdx $X "hdr1=0:<I:1" "hdr2=0:<I:1"
vpoke xhver.vhdx $X "hdr1=66:<H:2" "hdr2=66:<H:2"
vpoke xhseq.vhdx $X "hdr2=8:<Q:0" "hdr1=8:<Q:0" "hdr1=16:<Q:5"
vpoke xhsame.vhdx $X "hdrsame"
vpoke xlogver.vhdx $X "hdr=64:<H:1"
vpoke xlogoff.vhdx $X "hdr=72:<Q:0x180000"
vpoke xlogoff0.vhdx $X "hdr=72:<Q:0"
vpoke xloglen.vhdx $X "hdr=48:<Q:1" "hdr=68:<I:0x180000"
vpoke xlogguid.vhdx $X "hdr=48:<Q:1"
vpoke xreplay.vhdx $X "replay"
vpoke xrcks.vhdx $X "region=0:<I:0x12345678" "nocrc"
vpoke xrsig.vhdx $X "region=0:<I:0x12345678"
vpoke xrcount.vhdx $X "region=8:<I:2048"
vpoke xrcount0.vhdx $X "region=8:<I:0"
vpoke xrreq.vhdx $X "region=16:<Q:0x1234" "region=44:<I:1"
vpoke xrunk.vhdx $X "region=16:<Q:0x1234" "region=44:<I:0"
vpoke xrdup.vhdx $X "region=16:hex:6677c22d23f600429d64115e9bfd4a08" "region=48:hex:6677c22d23f600429d64115e9bfd4a08"
vpoke xrover.vhdx $X "region=32:<Q:0x100000"
vpoke xrover2.vhdx $X "region=32:<Q:0x300000"
vpoke xrbatlen.vhdx $X "region=40:<I:8"
vpoke xrbatbig.vhdx $X "region=40:<I:0x80000000"
for b in 0x300000 0x10000000 0x20000000 0x80000 0; do
  vpoke xbs-$b.vhdx $X "param=0:<I:$b"
done
vpoke xlss.vhdx $X "lss=4096"
vpoke xlss0.vhdx $X "lss=0"
vpoke xparent.vhdx $X "param=4:<I:2"
vpoke xvds.vhdx $X "vds=1000000"
vpoke xvdsbig.vhdx $X "vds=0x40000000000"
vpoke xvdshuge.vhdx $X "vds=0xfffffffffffffe00"
vpoke xmsig.vhdx $X "meta=0:<Q:1"
vpoke xmcount.vhdx $X "meta=10:<H:2047"
vpoke xmmissing.vhdx $X "metaguid=2"
vpoke xmdup.vhdx $X "metadup=1"
vpoke xmreq.vhdx $X "metaguid=2" "metaflags=2:4"
vpoke xbat.vhdx $X "bate=0:0x100000006"
vpoke xbatend.vhdx $X "bate=0:end"
vpoke xbatov.vhdx $X "bate=0:0x7ffffffffff00006"
vpoke xbatlog.vhdx $X "bate=2:0x100006"
vpoke xbatmeta.vhdx $X "bate=2:0x200006"
vpoke xbatok.vhdx $X "bate=2:0x000002"
vpoke xsig.vhdx $X "raw=0:<Q:0"
