#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The hostile-corpus table of docs/security.md, made from the manifest.

    hostile_table.py MANIFEST DOC            print the table
    hostile_table.py MANIFEST DOC --check    exit 1 if DOC's table differs
    hostile_table.py MANIFEST DOC --write    rewrite DOC's table

The table sits between the lines `<!-- hostile-table:begin -->` and
`<!-- hostile-table:end -->` of DOC: one row per attack class (the tags of
conformance/corpus/hostile.py) and format, naming the images that cover
it. --check is a test: an image added, removed or retagged without the
document following fails it. Stdlib only.
"""
import json
import sys

CLASSES = [
    ("div-zero", "divide by zero from a size field"),
    ("overflow", "integer overflow (count x entry size, offset + length)"),
    ("offsets", "offsets and sizes not checked against the file"),
    ("alloc", "allocation sized by the image"),
    ("failure-path", "failure paths (valid up to a late field)"),
    ("signedness", "signedness (bit 63 set, negative sizes)"),
    ("loops", "unbounded loops"),
    ("exhaustion", "resource exhaustion (huge virtual sizes and tables)"),
    ("paths", "image-controlled paths"),
    ("pseudo-protocol", "pseudo-protocols in names"),
    ("chain-loop", "chain loops"),
    ("fuzz-sample", "fuzz-found samples"),
]
FORMATS = ["raw", "qcow2", "vpc", "vhdx", "vmdk"]
BEGIN, END = "<!-- hostile-table:begin -->", "<!-- hostile-table:end -->"


def table(manifest):
    images = [i for i in manifest["images"] if i.get("tier") == "hostile"]
    known = {c for c, _ in CLASSES}
    for i in images:
        bad = [t for t in i["tags"] if t not in known]
        if bad or not i["tags"]:
            raise SystemExit("hostile_table: %s: tags %r name no class of %s"
                             % (i["id"], i["tags"], sorted(known)))
    rows = ["| class | format | images |", "|---|---|---|"]
    for c, title in CLASSES:
        for f in FORMATS:
            ids = [i["id"] for i in images if c in i["tags"] and i["format"] == f]
            if ids:
                rows.append("| %s (`%s`) | %s | %s |" % (
                    title, c, f, " ".join("`%s`" % x for x in ids)))
    rows.append("")
    rows.append("%d hostile images; %d of %d classes covered."
                % (len(images), len({t for i in images for t in i["tags"]}), len(CLASSES)))
    return "\n".join(rows) + "\n"


def main(argv):
    if len(argv) not in (3, 4) or (len(argv) == 4 and argv[3] not in ("--check", "--write")):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        t = table(json.load(f))
    if len(argv) == 3:
        sys.stdout.write(t)
        return 0
    with open(argv[2]) as f:
        doc = f.read()
    if doc.count(BEGIN) != 1 or doc.count(END) != 1:
        print("hostile_table: %s has no single %s ... %s section" % (argv[2], BEGIN, END),
              file=sys.stderr)
        return 1
    head, rest = doc.split(BEGIN)
    _, tail = rest.split(END)
    new = head + BEGIN + "\n" + t + END + tail
    if argv[3] == "--write":
        with open(argv[2], "w") as f:
            f.write(new)
        return 0
    if new != doc:
        print("hostile_table: the hostile-corpus table in %s is out of date; run\n"
              "  conformance/corpus/hostile_table.py conformance/images/manifest.json %s --write"
              % (argv[2], argv[2]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
