#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every reference to a file in the documentation and the sources points
at a file in the repository (no network, no git needed).

Checked:
- Markdown links `[text](target)` in every .md file: the target (without
  #fragment) must exist relative to the page; http(s)/mailto links are
  not fetched.
- Backticked paths in .md files and the man pages that start with a
  top-level directory of the repository and name a file (with an
  extension: `impl/cli/help.c`) or a directory (trailing slash:
  `impl/formats/`), or that end in `.md`: must exist relative to the
  repository root, the page's directory, or docs/. (Other spans such as
  CTest names, `docs/links`, are not paths.)
- Any Markdown file name mentioned in a source or text file (comments,
  scripts, baselines): must resolve the same way.
- Section references: `qemu-img-map.md §2.7` needs a heading numbered 2.7
  in that page; a bare `§N` in a Markdown page refers to the page itself.

Usage: check_links.py --source DIR
"""
import argparse
import os
import re
import sys

SKIP_DIRS = {".git", "node_modules", "__pycache__"}
TEXT_EXT = (".md", ".c", ".h", ".py", ".sh", ".txt", ".cmake", ".proto",
            ".S", ".tsv", ".1", ".bash", ".json", ".in")
MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
BACKTICK = re.compile(r"`([^`\n]+)`")
MD_NAME = re.compile(r"(?<![\w/.-])((?:\.{0,2}/)?[\w][\w./-]*\.md)\b")
SECTION = re.compile(r"(?P<md>(?<![\w/.-])[\w][\w./-]*\.md)\b|§\s*(?P<sec>\d+(?:\.\d+)*)")
HEADING = re.compile(r"^#+\s+(\d+(?:\.\d+)*)\.?\s", re.M)


def walk(src):
    for root, dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and
                         not (rel == "." and d.startswith("build")))
        for f in sorted(files):
            if f.endswith(TEXT_EXT) or f == "CMakeLists.txt":
                yield os.path.join(root, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    src = os.path.abspath(ap.parse_args().source)
    top = {e for e in os.listdir(src)
           if not e.startswith("build") and e not in SKIP_DIRS}
    errors = []
    headings = {}

    def resolve(name, here):
        name = name.rstrip("/")
        if name.startswith("/") and not os.path.exists(name):
            name = name.lstrip("/")  # "${PROJECT_SOURCE_DIR}/docs/..." in CMake
        for base in (here, src, os.path.join(src, "docs")):
            p = os.path.normpath(os.path.join(base, name))
            if os.path.exists(p):
                return p
        return None

    def sections_of(path):
        if path not in headings:
            with open(path, errors="replace") as f:
                headings[path] = set(HEADING.findall(f.read()))
        return headings[path]

    def err(path, lineno, what):
        errors.append("%s:%d: %s" % (os.path.relpath(path, src), lineno, what))

    for path in walk(src):
        here = os.path.dirname(path)
        is_md = path.endswith(".md")
        is_man = path.endswith(".1")
        try:
            with open(path, errors="replace") as f:
                lines = f.read().splitlines()
        except OSError as e:
            err(path, 0, str(e))
            continue
        for n, line in enumerate(lines, 1):
            if is_md:
                for target in MD_LINK.findall(line):
                    if re.match(r"^(https?|mailto):|^#", target):
                        continue
                    t = target.split("#")[0]
                    if t and not os.path.exists(os.path.join(here, t)):
                        err(path, n, "link to missing file '%s'" % target)
            if is_md or is_man:
                text = line.replace("\\-", "-")
                for span in BACKTICK.findall(text):
                    span = span.strip()
                    if re.search(r"[\s*<>{}$|,;:=()\[\]]", span):
                        continue
                    first = span.lstrip("./").split("/")[0]
                    last = span.rstrip("/").split("/")[-1]
                    names_file = "." in last or span.endswith("/")
                    looks_like_path = ("/" in span and first in top and
                                       names_file) or span.endswith(".md")
                    if looks_like_path and not resolve(span, here):
                        err(path, n, "reference to missing file '%s'" % span)
            else:
                for name in MD_NAME.findall(line):
                    if "://" in line and re.search(r"https?://\S*" +
                                                   re.escape(name), line):
                        continue
                    if not resolve(name, here):
                        err(path, n, "mention of missing file '%s'" % name)
            # Section references: a § belongs to the page named just before
            # it (only blanks, quotes, commas, brackets and other §s
            # between), else, in a Markdown page, to the page itself.
            current, end = None, 0
            for m in SECTION.finditer(line):
                if m.group("md"):
                    current, end = resolve(m.group("md"), here), m.end()
                    continue
                if current is not None and not re.fullmatch(
                        r"[\s`,()§\d.]*", line[end:m.start()]):
                    current = None
                end = m.end()
                target = current if current is not None else (
                    path if is_md else None)
                if target and target.endswith(".md"):
                    sec = m.group("sec")
                    if sec not in sections_of(target):
                        err(path, n, "%s has no section %s" % (
                            os.path.relpath(target, src), sec))
    for e in errors:
        print(e)
    if errors:
        print("%d broken reference(s)" % len(errors))
        return 1
    print("ok: every reference resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
