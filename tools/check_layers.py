#!/usr/bin/env python3
"""The layering rule of docs/architecture.md, checked on the sources: a file
may include headers of its own folder or of a lower layer only.

  layer 0  kernels/  tokenizer/
  layer 1  nn/
  layer 2  weights/
  layer 3  image/  pipelines/  records/
  layer 4  apps/   (and the clients bench/, tests/, examples/)

Every #include "..." of kernels/ tokenizer/ nn/ weights/ image/ pipelines/ records/
apps/ is resolved as the compiler would (the file's folder, include/, the
source root, then apps/ and bench/) and given the layer of the folder the
header belongs to. A public header include/helix/X.h belongs to the layer of
the folders that define the functions it declares (found in the .c files),
and to at least the layer of every header it includes; one that declares
functions of folders on different layers is itself reported.

Also checked: <cJSON.h> only from weights/ and above, <jpeglib.h> only in
image/, <cblas.h> only in kernels/; examples/ include nothing but <helix.h>
(and the C library); bench/ (the `helix bench` commands, compiled into the
CLI) uses the library's public headers plus only the CLI plumbing it shares
with the other commands (apps/cli_util.h: options, timers, JSON strings), never apps/' other code.

usage: tools/check_layers.py [--table] [SOURCE_ROOT]
Prints each violation as FILE:LINE: ...; exit status 1 if there is any.
"""
import os
import re
import sys

LAYERS = {"kernels": 0, "tokenizer": 0, "nn": 1, "weights": 2, "image": 3, "pipelines": 3, "records": 3, "apps": 4}
BENCH_MAY_USE = {"cli_util.h"}
CLIENTS = {"bench": 4, "tests": 4, "examples": 4}
LIB_FOLDERS = ["kernels", "tokenizer", "nn", "weights", "image", "pipelines", "records"]
# System headers that belong to one part of helix: header -> (minimum layer, or the only folders).
EXTERNAL = {
    "cJSON.h": ("min", 2),
    "cjson/cJSON.h": ("min", 2),
    "jpeglib.h": ("only", {"image"}),
    "turbojpeg.h": ("only", {"image"}),
    "cblas.h": ("only", {"kernels"}),
}

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
# A function definition: at the start of a line, not static, a name hx_*,
# a parameter list, then a body.
DEF_RE = re.compile(r"^(?!static\b)[A-Za-z_][^\n;{}()=#]*?\b(hx_\w+)\s*\([^;{}]*?\)\s*\{", re.M)
# A declaration in a header: hx_name( after a type, not a macro or typedef.
DECL_RE = re.compile(r"\b(hx_\w+)\s*\(")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def sources(root, folder, exts=(".c", ".h")):
    base = os.path.join(root, folder)
    for dirpath, _, files in os.walk(base):
        for f in sorted(files):
            if f.endswith(exts):
                yield os.path.relpath(os.path.join(dirpath, f), root)


def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        return f.read()


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def folder_of(rel):
    return rel.split(os.sep, 1)[0]


class Checker:
    def __init__(self, root):
        self.root = root
        self.violations = []
        self.definers = {}  # hx_ function -> set of folders defining it
        for folder in LIB_FOLDERS + ["apps"]:
            for rel in sources(root, folder, (".c",)):
                for m in DEF_RE.finditer(strip_comments(read(root, rel))):
                    self.definers.setdefault(m.group(1), set()).add(folder)
        self.public_layer = {}  # include/... -> (layer, {folder: [functions]})

    def report(self, rel, line, msg):
        self.violations.append((rel, line, msg))

    def resolve(self, rel, inc):
        for base in (os.path.dirname(rel), "include", "", "apps", "bench"):
            cand = os.path.normpath(os.path.join(base, inc))
            if os.path.isfile(os.path.join(self.root, cand)):
                return cand
        return None

    def layer_of_header(self, hdr, stack=()):
        """(layer, owner description) of a resolved header path."""
        folder = folder_of(hdr)
        if folder != "include":
            return LAYERS.get(folder, CLIENTS.get(folder, 4)), folder + "/"
        if hdr in self.public_layer:
            return self.public_layer[hdr][0], self.owner(hdr)
        text = strip_comments(read(self.root, hdr))
        by_folder = {}
        for m in DECL_RE.finditer(text):
            for f in self.definers.get(m.group(1), ()):
                by_folder.setdefault(f, set()).add(m.group(1))
        layer = max((LAYERS[f] for f in by_folder), default=0)
        for m in INCLUDE_RE.finditer(text):
            if m.group(1) != '"':
                continue
            sub = self.resolve(hdr, m.group(2))
            if sub and sub not in stack and sub != hdr:
                layer = max(layer, self.layer_of_header(sub, stack + (hdr,))[0])
        self.public_layer[hdr] = (layer, by_folder)
        return layer, self.owner(hdr)

    def owner(self, hdr):
        layer, by_folder = self.public_layer[hdr]
        names = "+".join(sorted(by_folder, key=lambda f: LAYERS[f])) or "no functions of its own"
        own = max((LAYERS[f] for f in by_folder), default=0)
        return f"{names}, layer {layer}{' through its includes' if layer > own else ''}"

    def check_public_headers(self):
        for hdr in sources(self.root, "include", (".h",)):
            self.layer_of_header(hdr)
            by_folder = self.public_layer[hdr][1]
            if len({LAYERS[f] for f in by_folder}) > 1:
                parts = "; ".join(f"{f}/: {', '.join(sorted(fns)[:3])}{' ...' if len(fns) > 3 else ''}"
                                  for f, fns in sorted(by_folder.items(), key=lambda kv: LAYERS[kv[0]]))
                self.report(hdr, 1, f"declares functions of several layers ({parts})")

    def check_folder(self, folder):
        own = LAYERS.get(folder, CLIENTS.get(folder))
        for rel in sources(self.root, folder):
            text = strip_comments(read(self.root, rel))
            for m in INCLUDE_RE.finditer(text):
                kind, inc = m.groups()
                line = line_of(text, m.start())
                if folder == "examples":
                    if kind == '"' or inc.startswith("helix/"):
                        close = '"' if kind == '"' else ">"
                        self.report(rel, line, f"includes {kind}{inc}{close}: examples use only <helix.h>")
                    continue
                hdr = self.resolve(rel, inc) if kind == '"' else None
                if hdr is None and (kind == "<" or inc in EXTERNAL):
                    rule = EXTERNAL.get(inc)
                    if rule and folder in LAYERS:
                        if rule[0] == "min" and own < rule[1]:
                            self.report(rel, line, f"includes {inc}, which belongs to layer {rule[1]} and up "
                                                   f"({folder}/ is layer {own})")
                        elif rule[0] == "only" and folder not in rule[1]:
                            self.report(rel, line, f"includes {inc}, which only {'/, '.join(sorted(rule[1]))}/ may use")
                    continue
                if hdr is None:
                    self.report(rel, line, f'includes "{inc}", which is not in the tree')
                    continue
                hfolder = folder_of(hdr)
                if folder == "bench":
                    if hfolder == "apps" and os.path.basename(hdr) not in BENCH_MAY_USE:
                        self.report(rel, line, f'includes "{inc}" ({hdr}): bench/ uses the library, not apps/')
                    continue
                if hfolder == folder:
                    continue
                layer, owner = self.layer_of_header(hdr)
                if layer > own or (layer == own and hfolder != "include"):
                    self.report(rel, line, f'includes "{inc}" ({owner if hfolder == "include" else hfolder + "/, layer " + str(layer)}) '
                                           f"from {folder}/ (layer {own})")


def main():
    args = [a for a in sys.argv[1:] if a != "--table"]
    root = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), ".."))
    c = Checker(root)
    c.check_public_headers()
    for folder in list(LAYERS) + ["bench", "examples"]:
        if os.path.isdir(os.path.join(root, folder)):
            c.check_folder(folder)
    if "--table" in sys.argv:
        for hdr in sorted(c.public_layer):
            print(f"{hdr}: {c.owner(hdr)}")
    for rel, line, msg in c.violations:
        print(f"{rel}:{line}: {msg}")
    files = len({v[0] for v in c.violations})
    if c.violations:
        print(f"layering: {len(c.violations)} violations in {files} files")
        return 1
    print("layering: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
