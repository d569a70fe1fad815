#!/usr/bin/env python3
"""Generates tokenizer/unicode_tables.c from Debian's unicode-data (UCD 15.0,
/usr/share/unicode): the character classes the BERT tokenizer needs, at the
Unicode versions Hugging Face `tokenizers` uses (see
../shared/specs/tokenizer.md, section 11):

  - categories Cc/Cf/Co/Mn/P* as in the `unicode_categories` 0.1.1 crate
    (Unicode 8.0): UCD 15.0 categories restricted to Age <= 8.0, plus the
    exceptions listed below;
  - White_Space (stable);
  - canonical decompositions and combining classes of Unicode 9.0
    (`unicode-normalization-alignments` 0.1.12): UCD 15.0 restricted to
    Age <= 9.0 (Hangul syllables are decomposed algorithmically in C);
  - full lowercase mapping as Rust's char::to_lowercase (simple mapping plus
    the unconditional SpecialCasing entries) at UCD 15.0.

Usage: tools/gen_unicode_tables.py [UCD_DIR] > tokenizer/unicode_tables.c
"""
import sys
import os

UCD = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode"
MAXCP = 0x110000

# Code points whose Unicode-8.0 category (unicode_categories 0.1.1) differs
# from UCD 15.0's after the age filter (spec section 11, checked against the
# crate's tables).
MN_ADD = [0x1734]                               # Mn in 8.0, Mc in 15.0
MN_REMOVE = [0x111C9, 0x1885, 0x1886, 0xA9BD]   # Mn in 15.0 only
P_ADD = [0x111C9, 0x166D]                       # P* in 8.0, not in 15.0

# Flag bits (must match tokenizer/unicode_tables.h).
F_DELETE = 1    # removed by clean_text: Cc/Cf/Co except \t \n \r, plus U+0000, U+FFFD
F_SPACE = 2     # White_Space
F_PUNCT = 4     # ASCII punctuation or P* (8.0)
F_MN = 8        # Mn (8.0)
F_DECOMP = 16   # has a canonical decomposition (9.0), incl. Hangul syllables
F_CCC = 32      # canonical combining class != 0 (9.0)
F_LOWER = 64    # to_lowercase differs from the character
F_CHINESE = 128 # in the fast tokenizer's CJK ranges (note 2B920, not 2B820)

CJK = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
       (0x2B740, 0x2B81F), (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)]


def ranges_file(name, parse):
    with open(os.path.join(UCD, name), encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = [x.strip() for x in line.split(";")]
            if ".." in fields[0]:
                a, b = fields[0].split("..")
                lo, hi = int(a, 16), int(b, 16)
            else:
                lo = hi = int(fields[0], 16)
            parse(lo, hi, fields[1:])


def main():
    age = [99.0] * MAXCP

    def set_age(lo, hi, f):
        v = float(f[0])
        for c in range(lo, hi + 1):
            age[c] = v
    ranges_file("DerivedAge.txt", set_age)

    cat = ["Cn"] * MAXCP
    decomp = {}
    ccc = [0] * MAXCP
    lower = {}
    first = None
    with open(os.path.join(UCD, "UnicodeData.txt"), encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split(";")
            c = int(p[0], 16)
            if p[1].endswith(", First>"):
                first = c
                continue
            lo = first if p[1].endswith(", Last>") else c
            first = None
            for x in range(lo, c + 1):
                cat[x] = p[2]
                ccc[x] = int(p[3])
            if p[5] and not p[5].startswith("<"):
                decomp[c] = [int(x, 16) for x in p[5].split()]
            if p[13]:
                lower[c] = [int(p[13], 16)]
    # Unconditional SpecialCasing lowercase entries (only U+0130 has one).
    with open(os.path.join(UCD, "SpecialCasing.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            p = [x.strip() for x in line.split(";")]
            if len(p) >= 5 and p[4]:
                continue  # conditional (Final_Sigma, tr, lt, ...)
            c = int(p[0], 16)
            lo = [int(x, 16) for x in p[1].split()]
            if lo != [c]:
                lower[c] = lo

    space = set()
    ranges_file("PropList.txt",
                lambda lo, hi, f: space.update(range(lo, hi + 1)) if f[0] == "White_Space" else None)

    def full_decomp(c):
        if c not in decomp or age[c] > 9.0:
            return [c]
        out = []
        for d in decomp[c]:
            out.extend(full_decomp(d))
        return out

    flags = bytearray(MAXCP)
    for c in range(MAXCP):
        v = 0
        cat8 = cat[c] if age[c] <= 8.0 else "Cn"
        if cat8 in ("Cc", "Cf", "Co") and c not in (9, 10, 13):
            v |= F_DELETE
        if c in (0, 0xFFFD):
            v |= F_DELETE
        if c in space:
            v |= F_SPACE
        if cat8.startswith("P") or (c < 128 and chr(c) in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"):
            v |= F_PUNCT
        if cat8 == "Mn":
            v |= F_MN
        if age[c] <= 9.0:
            if c in decomp or 0xAC00 <= c <= 0xD7A3:
                v |= F_DECOMP
            if ccc[c]:
                v |= F_CCC
        if c in lower and lower[c] != [c]:
            v |= F_LOWER
        if any(lo <= c <= hi for lo, hi in CJK):
            v |= F_CHINESE
        flags[c] = v
    for c in MN_ADD:
        flags[c] |= F_MN
    for c in MN_REMOVE:
        flags[c] &= ~F_MN & 0xFF
    for c in P_ADD:
        flags[c] |= F_PUNCT

    # Two-stage table: 256-entry blocks, deduplicated.
    blocks, index = {}, []
    for b in range(MAXCP // 256):
        blk = bytes(flags[b * 256:(b + 1) * 256])
        if blk not in blocks:
            blocks[blk] = len(blocks)
        index.append(blocks[blk])

    dkeys = sorted(c for c in decomp if age[c] <= 9.0 and full_decomp(c) != [c])
    ddata, dref = [], []
    for c in dkeys:
        d = full_decomp(c)
        assert len(d) <= 4
        dref.append((len(ddata) << 3) | len(d))
        ddata.extend(d)
    ckeys = [c for c in range(MAXCP) if ccc[c] and age[c] <= 9.0]
    lkeys = sorted(c for c in lower if lower[c] != [c])
    multi = [c for c in lkeys if len(lower[c]) > 1]
    assert multi == [0x130], multi

    o = sys.stdout
    o.write("/* GENERATED by tools/gen_unicode_tables.py from Debian unicode-data (UCD %s);\n"
            " * do not edit. Character classes at the Unicode versions Hugging Face\n"
            " * tokenizers uses: categories 8.0, NFD 9.0, lowercase 15.0. */\n" % ucd_version())
    o.write('#include "tokenizer/unicode_tables.h"\n\n')
    o.write("const uint16_t hx_uc_stage1[%d] = {\n" % len(index))
    write_ints(o, index)
    o.write("};\n\nconst uint8_t hx_uc_stage2[%d][256] = {\n" % len(blocks))
    for blk in sorted(blocks, key=blocks.get):
        o.write("{")
        write_ints(o, list(blk), indent="")
        o.write("},\n")
    o.write("};\n\n")
    o.write("const size_t hx_uc_decomp_count = %d;\n" % len(dkeys))
    o.write("const uint32_t hx_uc_decomp_keys[%d] = {\n" % len(dkeys))
    write_ints(o, dkeys, hexa=True)
    o.write("};\n/* offset into hx_uc_decomp_data << 3 | length */\n")
    o.write("const uint16_t hx_uc_decomp_ref[%d] = {\n" % len(dref))
    write_ints(o, dref)
    o.write("};\nconst uint32_t hx_uc_decomp_data[%d] = {\n" % len(ddata))
    write_ints(o, ddata, hexa=True)
    o.write("};\n\n")
    o.write("const size_t hx_uc_ccc_count = %d;\n" % len(ckeys))
    o.write("const uint32_t hx_uc_ccc_keys[%d] = {\n" % len(ckeys))
    write_ints(o, ckeys, hexa=True)
    o.write("};\nconst uint8_t hx_uc_ccc_vals[%d] = {\n" % len(ckeys))
    write_ints(o, [ccc[c] for c in ckeys])
    o.write("};\n\n")
    o.write("/* Simple lowercase mappings; U+0130 (-> U+0069 U+0307) is handled in C. */\n")
    o.write("const size_t hx_uc_lower_count = %d;\n" % len(lkeys))
    o.write("const uint32_t hx_uc_lower_keys[%d] = {\n" % len(lkeys))
    write_ints(o, lkeys, hexa=True)
    o.write("};\nconst uint32_t hx_uc_lower_vals[%d] = {\n" % len(lkeys))
    write_ints(o, [lower[c][0] for c in lkeys], hexa=True)
    o.write("};\n")


def ucd_version():
    with open(os.path.join(UCD, "DerivedAge.txt"), encoding="utf-8") as f:
        return f.readline().strip("# \n").replace("DerivedAge-", "").replace(".txt", "")


def write_ints(o, vals, hexa=False, indent="    "):
    fmt = "0x%X," if hexa else "%d,"
    line = indent
    for v in vals:
        s = fmt % v
        if len(line) + len(s) > 96:
            o.write(line.rstrip() + "\n")
            line = indent
        line += s
    if line.strip():
        o.write(line + ("\n" if indent else ""))


if __name__ == "__main__":
    main()
