#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Record what real qemu-img binaries print for `qemu-img map`.

Usage:
    baselines/generate-baselines.py [options] QEMU_IMG_OR_DIR...

Each argument is a qemu-img binary, or a directory whose `qemu-img*`
entries are taken (symlinks to the same file count once). Every binary
runs every case of conformance/invocations.json over the image corpus
(conformance/images, recreated with conformance/corpus/materialize.py
into a scratch directory); the results replace the baseline tree:

    baselines/versions.tsv      one line per version: name, the first line
                                of `qemu-img --version`, the binary
    baselines/cli.txt           the command-line cases
    baselines/images/<id>.txt   the cases of one corpus image

and then baselines/detect-profiles.py writes baselines/profiles.tsv.
The record format is described in docs/conformance.md. The output
depends only on the binaries, the corpus and the invocation list:
running it again with the same binaries rewrites the same bytes.
"""

import argparse
import ast
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from instar_testing.harness import recording_env
from instar_testing.records import escape, format_label, output_type, record, \
    write_records, write_versions

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PLACEHOLDER = "{IMAGES}"
RUN_TIMEOUT = 120  # seconds per qemu-img run
VERSION_RE = re.compile(r"^qemu-img version (\d+)\.(\d+)\.(\d+)( \(.*\))?$")


def die(msg):
    print(f"generate-baselines: {msg}", file=sys.stderr)
    sys.exit(1)


# --- binaries ---------------------------------------------------------------

def run_binary(path, args, cwd):
    """Run `qemu-img ARGS` with argv[0] = "qemu-img"."""
    r = subprocess.run(["qemu-img"] + args, executable=path, cwd=cwd,
                       capture_output=True, env=recording_env(),
                       timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr


def discover(paths):
    """[(name, version line, binary path)], sorted by version."""
    candidates = []
    for p in paths:
        if os.path.isdir(p):
            for e in sorted(os.listdir(p)):
                full = os.path.join(p, e)
                if e.startswith("qemu-img") and os.path.isfile(full) \
                        and os.access(full, os.X_OK):
                    candidates.append(os.path.realpath(full))
        elif os.path.isfile(p) and os.access(p, os.X_OK):
            candidates.append(os.path.abspath(p))
        else:
            die(f"not an executable or a directory: {p}")
    seen_paths, by_line, out = set(), {}, []
    for path in candidates:
        real = os.path.realpath(path)
        if real in seen_paths:
            continue
        seen_paths.add(real)
        status, stdout, _ = run_binary(path, ["--version"], "/")
        line = stdout.decode("utf-8", "replace").split("\n")[0]
        m = VERSION_RE.match(line)
        if status != 0 or not m:
            die(f"{path}: unexpected `--version` output: {line!r}")
        if line in by_line:
            print(f"generate-baselines: {path} is the same release as "
                  f"{by_line[line]} ({line}); skipped", file=sys.stderr)
            continue
        by_line[line] = path
        name = "%s.%s.%s" % m.group(1, 2, 3)
        if any(n == name for n, _, _ in out):
            die(f"two different builds of {name}; give only one of them")
        out.append((name, line, path))
    if not out:
        die("no qemu-img binary found")
    out.sort(key=lambda v: tuple(int(x) for x in v[0].split(".")))
    return out


# --- images -----------------------------------------------------------------

def image_facts(path, fmt):
    """SIZE (bytes qemu maps) and CLUSTER of one image."""
    if fmt == "qcow2":
        with open(path, "rb") as f:
            hdr = f.read(32)
        if len(hdr) < 32 or hdr[:4] != b"QFI\xfb":
            die(f"{path}: not a qcow2 image")
        cluster = 1 << int.from_bytes(hdr[20:24], "big")
        size = int.from_bytes(hdr[24:32], "big") // 512 * 512
        return size, cluster
    if fmt == "raw":
        size = os.path.getsize(path)
        return (size + 511) // 512 * 512, 65536
    if fmt == "vpc":
        # footer: a copy at offset 0 (dynamic), always the last 512 bytes
        with open(path, "rb") as f:
            d = f.read()
        foot = d[:512] if d[:8] == b"conectix" else d[-512:]
        if foot[:8] != b"conectix":
            die(f"{path}: not a vpc image")
        size = int.from_bytes(foot[48:56], "big") // 512 * 512
        cluster = 65536                      # fixed: no blocks
        if int.from_bytes(foot[60:64], "big") == 3:
            dyn = int.from_bytes(foot[16:24], "big")
            cluster = int.from_bytes(d[dyn + 32:dyn + 36], "big")
        return size, cluster
    if fmt == "vhdx":
        # region table at 192 KiB -> metadata region -> file parameters
        # (block size) and virtual disk size items
        import struct
        import uuid
        with open(path, "rb") as f:
            d = f.read()
        meta = uuid.UUID("8B7CA206-4790-4B9A-B8FE-575F050F886E").bytes_le
        params = uuid.UUID("CAA16737-FA36-4D43-B3B6-33F0AA44E76B").bytes_le
        vds = uuid.UUID("2FA54224-CD1B-4876-B211-5DBED83BF4B8").bytes_le
        r = 196608
        if d[r:r + 4] != b"regi":
            die(f"{path}: not a vhdx image")
        mo = None
        for i in range(struct.unpack("<I", d[r + 8:r + 12])[0]):
            e = r + 16 + 32 * i
            if d[e:e + 16] == meta:
                mo = struct.unpack("<Q", d[e + 16:e + 24])[0]
        items = {}
        for i in range(struct.unpack("<H", d[mo + 10:mo + 12])[0]):
            e = mo + 32 + 32 * i
            items[d[e:e + 16]] = mo + struct.unpack("<I", d[e + 16:e + 20])[0]
        cluster = struct.unpack("<I", d[items[params]:items[params] + 4])[0]
        size = struct.unpack("<Q", d[items[vds]:items[vds] + 8])[0] // 512 * 512
        return size, cluster
    if fmt == "vmdk":
        # monolithicSparse / streamOptimized: the sparse extent header
        with open(path, "rb") as f:
            hdr = f.read(28)
        if hdr[:4] == b"COWD":             # VMFSSPARSE: 32-bit sectors
            return (int.from_bytes(hdr[12:16], "little") * 512,
                    int.from_bytes(hdr[16:20], "little") * 512)
        if hdr[:4] != b"KDMV":
            return vmdk_descriptor_facts(path)
        size = int.from_bytes(hdr[12:20], "little") * 512
        cluster = int.from_bytes(hdr[20:28], "little") * 512
        return size, cluster
    die(f"{path}: format {fmt!r} has no window rule")


def vmdk_descriptor_facts(path):
    """SIZE of a vmdk descriptor file: the sectors of the extents qemu
    uses (access RW, a type it reads); CLUSTER 64 KiB (flat extents have
    no grain)."""
    with open(path, "rb") as f:
        text = f.read(1 << 20).decode("latin-1")
    sectors = 0
    for line in text.splitlines():
        m = re.match(r'\s*(\S+)\s+(\d+)\s+(\S+)', line)
        if m and m.group(1) == "RW" and m.group(3) in (
                "FLAT", "SPARSE", "VMFS", "VMFSSPARSE", "SESPARSE"):
            sectors += int(m.group(2))
    if not sectors:
        die(f"{path}: not a vmdk descriptor with extents")
    return sectors * 512, 65536


_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub,
            ast.Mult, ast.FloorDiv, ast.USub, ast.Constant, ast.Name,
            ast.Load)


def evaluate(expr, ints):
    tree = ast.parse(expr, mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            die(f"invocations: not allowed in {{{expr}}}: {type(node).__name__}")
        if isinstance(node, ast.Name) and node.id not in ints:
            die(f"invocations: unknown variable {node.id} in {{{expr}}}")
    return eval(compile(tree, "<expr>", "eval"), {"__builtins__": {}}, ints)


def expand(arg, texts, ints):
    def sub(m):
        body = m.group(1)
        if body == "IMAGES":
            return m.group(0)
        if body in texts:
            return texts[body]
        return str(evaluate(body, ints))
    return re.sub(r"\{([^{}]*)\}", sub, arg)


def build_cases(inv, manifest, images_dir, only=None):
    """[(group, case id, format label, output label, args, tier)] in file order."""
    cases = []
    ic = inv["image_cases"]
    window_names = [w["name"] for w in ic["windows"]]
    windows = {w["name"]: w["args"] for w in ic["windows"]}
    for img in sorted(manifest["images"], key=lambda i: i["id"]):
        if only is not None and img["id"] not in only:
            continue
        if img.get("no_baseline"):
            continue            # qemu-img cannot map it (see the manifest)
        iid, fmt, fname = img["id"], img["format"], img["file"]
        if not re.fullmatch(r"[A-Za-z0-9._+-]+", iid):
            die(f"image id {iid!r}: use letters, digits and ._+- only")
        tier = img.get("tier", "safe")
        if tier == "safe":
            size, cluster = image_facts(os.path.join(images_dir, fname), fmt)
            matrix = ic["matrix"]
        else:
            # A hostile image's fields are wrong on purpose: windows come
            # from the file size, and a smaller matrix runs on it.
            size = (os.path.getsize(os.path.join(images_dir, fname)) + 511) // 512 * 512
            cluster = 65536
            matrix = ic["hostile_matrix"]
        ints = {"SIZE": size, "CLUSTER": cluster,
                "BOUNDARY": (size // 2) // cluster * cluster}
        texts = {"FILE": fname, "FORMAT": fmt}
        seen = set()
        for row in matrix:
            wins = window_names if row["windows"] == "*" else row["windows"]
            for out in row["outputs"]:
                for w in wins:
                    for f in row["formats"]:
                        for p in row["paths"]:
                            cid = f"{iid}/{out}/{w}"
                            if f != "probe":
                                cid += f"/{f}"
                            if p != "rel":
                                cid += f"/{p}"
                            if cid in seen:
                                die(f"duplicate case {cid}")
                            seen.add(cid)
                            args = ic["formats"][f] + ic["outputs"][out] + \
                                windows[w] + [ic["paths"][p]]
                            args = [expand(a, texts, ints) for a in args]
                            cases.append((iid, cid, fmt, out, args, tier))
    if only is not None:
        return cases
    # command-line cases, on one raw image of the corpus
    by_id = {i["id"]: i for i in manifest["images"]}
    raw = by_id.get(inv["cli_image"])
    if raw is None:
        die(f"cli_image {inv['cli_image']!r} is not in the manifest")
    texts = {"RAW": raw["file"]}
    cli = [(c["name"], c["args"]) for c in inv["cli_cases"]]
    sc = inv["size_cases"]
    size_img = by_id.get(sc["image"])
    if size_img is None:
        die(f"size_cases image {sc['image']!r} is not in the manifest")
    for opt in sc["options"]:
        for v in sc["values"]:
            label = escape(v.encode()).replace("\\x20", " ").replace(" ", "_") or "empty"
            cli.append((f"size-{opt['name']}/{label}",
                        ["--output=json"] + [a.replace("{VALUE}", v) for a in opt["args"]]
                        + [size_img["file"]]))
    cli += [(c["name"], c["args"]) for c in inv["extra_cases"]]
    seen = set()
    for name, args in cli:
        cid = f"cli/{name}"
        if cid in seen:
            die(f"duplicate case {cid}")
        seen.add(cid)
        files = {i["file"]: i["format"] for i in manifest["images"]}
        args = [a.replace("{RAW}", texts["RAW"]) for a in args]
        cases.append(("cli", cid, format_label(args, files), output_type(args),
                      args, "safe"))
    return cases


# --- running ------------------------------------------------------------------

def run_all(versions, cases, images_dir, jobs):
    """results[(version, case id)] = (status, stdout, stderr), placeholders in."""
    def one(v, case):
        name, _, path = v
        _, cid, _, _, args, _ = case
        argv = [a.replace(PLACEHOLDER, images_dir) for a in args]
        status, out, err = run_binary(path, ["map"] + argv, images_dir)
        if status < 0:
            die(f"{name} {cid}: killed by signal {-status}")
        out = out.replace(images_dir.encode(), PLACEHOLDER.encode())
        err = err.replace(images_dir.encode(), PLACEHOLDER.encode())
        return (name, cid), (status, out, err)

    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = [pool.submit(one, v, c) for v in versions for c in cases]
        for i, fut in enumerate(concurrent.futures.as_completed(futs), 1):
            k, r = fut.result()
            results[k] = r
            if i % 500 == 0:
                print(f"generate-baselines: {i}/{len(futs)} runs",
                      file=sys.stderr)
    return results


def check_result(group, cid, version, result, scratch):
    status, out, err = result
    if group != "cli" and b"qemu-img" in out:
        die(f"{version} {cid}: stdout names qemu-img; the program-name "
            "substitution would touch map output")
    for stream in (out, err):
        if scratch.encode() in stream:
            die(f"{version} {cid}: output shows the scratch directory")


# --- writing ------------------------------------------------------------------

def write_tree(out_dir, versions, cases, results, partial=False):
    names = [v[0] for v in versions]
    files = {}
    for group, cid, fmt, outlabel, args, tier in cases:
        files.setdefault(group, []).append(
            record(cid, fmt, outlabel, args,
                   [(n, results[(n, cid)]) for n in names], tier))
    img_dir = os.path.join(out_dir, "images")
    os.makedirs(img_dir, exist_ok=True)
    written = set()
    for group, records in files.items():
        path = os.path.join(out_dir, "cli.txt") if group == "cli" \
            else os.path.join(img_dir, group + ".txt")
        written.add(os.path.realpath(path))
        write_records(path, "baselines/generate-baselines.py",
                      "the materialised corpus, shown as {IMAGES}", records)
    if partial:
        return                  # --only: the rest of the tree stays as it is
    for e in os.listdir(img_dir):
        p = os.path.realpath(os.path.join(img_dir, e))
        if e.endswith(".txt") and p not in written:
            os.unlink(p)
    write_versions(os.path.join(out_dir, "versions.tsv"),
                   "baselines/generate-baselines.py",
                   "run as `qemu-img map ARGS`, argv[0] = qemu-img, LC_ALL=C",
                   versions)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binaries", nargs="+", metavar="QEMU_IMG_OR_DIR")
    ap.add_argument("--images", default=os.path.join(ROOT, "conformance", "images"),
                    help="corpus directory holding manifest.json")
    ap.add_argument("--materialize",
                    default=os.path.join(ROOT, "conformance", "corpus", "materialize.py"))
    ap.add_argument("--invocations",
                    default=os.path.join(ROOT, "conformance", "invocations.json"))
    ap.add_argument("--out", default=HERE, help="baseline tree to rewrite")
    ap.add_argument("--instar", default=os.path.join(ROOT, "build", "instar"),
                    help="instar binary for detect-profiles.py")
    ap.add_argument("--scratch", default=None,
                    help="where to materialise the corpus (default: a "
                         "temporary directory next to --out's build tree)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only", action="append", metavar="IMAGE_ID",
                    help="record only this corpus image's cases (repeatable) and "
                         "leave the rest of the tree alone; the binaries must be "
                         "the ones of versions.tsv")
    opts = ap.parse_args()

    with open(opts.invocations) as f:
        inv = json.load(f)
    with open(os.path.join(opts.images, "manifest.json")) as f:
        manifest = json.load(f)
    versions = discover(opts.binaries)
    for n, line, path in versions:
        print(f"generate-baselines: {n}: {line} ({path})", file=sys.stderr)

    # Scratch on a real disk filesystem (tmpfs reports holes differently).
    parent = opts.scratch or os.path.join(ROOT, "build")
    os.makedirs(parent, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="baselines.", dir=parent)
    try:
        images_dir = os.path.join(scratch, "images")
        r = subprocess.run([sys.executable, opts.materialize, opts.images,
                            images_dir])
        if r.returncode != 0:
            die("materialize.py failed")
        if opts.only:
            known = {i["id"] for i in manifest["images"]}
            for iid in opts.only:
                if iid not in known:
                    die(f"--only {iid}: not in the manifest")
            with open(os.path.join(opts.out, "versions.tsv")) as f:
                recorded = [l.split("\t")[1] for l in f if l.strip() and not l.startswith("#")]
            if recorded != [line for _, line, _ in versions]:
                die("--only needs exactly the binaries of versions.tsv")
        cases = build_cases(inv, manifest, images_dir,
                            set(opts.only) if opts.only else None)
        results = run_all(versions, cases, images_dir, opts.jobs)
        for group, cid, _, _, _, _ in cases:
            for n, _, _ in versions:
                check_result(group, cid, n, results[(n, cid)], scratch)
        write_tree(opts.out, versions, cases, results, partial=bool(opts.only))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"generate-baselines: {len(cases)} cases x {len(versions)} versions",
          file=sys.stderr)

    r = subprocess.run([sys.executable, os.path.join(HERE, "detect-profiles.py"),
                        "--baselines", opts.out, "--instar", opts.instar])
    sys.exit(r.returncode)


if __name__ == "__main__":
    main()
