# SPDX-License-Identifier: GPL-2.0-or-later
"""Every source file of the tree names its license in an SPDX line.

    spdx.py ROOT            check: list files without the line, exit 1
    spdx.py --add ROOT      add the line where it is missing

Source files are the ones git tracks with a source suffix (C, headers,
assembler, Python, shell, CMake, protobuf, linker scripts, Markdown, man
pages); data (baselines, corpus images, fuzz seeds) carries no header.
The line goes first, or after a `#!` line, in the file's comment syntax.
"""
import os
import subprocess
import sys

LINE = "SPDX-License-Identifier: GPL-2.0-or-later"

# suffix or exact name -> (comment start, comment end)
STYLES = {
    ".c": ("/* ", " */"), ".h": ("/* ", " */"), ".S": ("/* ", " */"),
    ".proto": ("// ", ""), ".py": ("# ", ""), ".sh": ("# ", ""),
    ".cmake": ("# ", ""), "CMakeLists.txt": ("# ", ""),
    ".md": ("<!-- ", " -->"), ".1": ('.\\" ', ""), ".bash": ("# ", ""),
    "scripts/py": ("# ", ""), ".ci/run": ("# ", ""),
}
SKIP_DIRS = ("baselines/", "conformance/images/", "fuzz/corpus/")


def style(path):
    base = os.path.basename(path)
    if path in STYLES:
        return STYLES[path]
    if base in STYLES:
        return STYLES[base]
    return STYLES.get(os.path.splitext(base)[1])


def sources(root):
    files = subprocess.run(["git", "-C", root, "ls-files"], check=True,
                           capture_output=True, text=True).stdout.split()
    for f in files:
        if f.startswith(SKIP_DIRS) and not f.endswith((".py", ".md")):
            continue
        if style(f):
            yield f


def has_line(text):
    return LINE in "\n".join(text.splitlines()[:5])


def add(path, text):
    start, end = style(path)
    header = f"{start}{LINE}{end}\n"
    if text.startswith("#!"):
        first, _, rest = text.partition("\n")
        return first + "\n" + header + rest
    return header + text


def main(argv):
    fix = "--add" in argv
    args = [a for a in argv if a != "--add"]
    root = args[0] if args else "."
    missing = []
    for f in sources(root):
        path = os.path.join(root, f)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        if has_line(text):
            continue
        if fix:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(add(f, text))
        else:
            missing.append(f)
    for f in missing:
        print(f"no SPDX line: {f}")
    print(f"spdx: {len(missing)} source files without the license line")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
