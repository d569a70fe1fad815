#!/usr/bin/env bash
# helix as an embedder gets it: installs a built tree into a temporary prefix
# and checks what is there, using the prefix only (no source-tree include
# path, no build-tree library):
#   - the files (static and shared library, SONAME, headers, helix.pc, CMake package);
#   - every installed header compiles on its own, and helix.h includes them all;
#   - libhelix.so exports nothing outside hx_, and every function a header declares;
#   - examples/*.c built with `pkg-config --cflags --libs helix` (shared) and
#     `pkg-config --static` (libhelix.a), run on the bundled models; their
#     output is well-formed and agrees with the helix CLI of the same build
#     (tests/install/run_example.py);
#   - a find_package(helix) project (helix::helix and helix::helix_static).
# Every check prints "ok NAME" or "FAIL NAME: why"; an example whose API is not
# in this tree yet prints "skip NAME". Closing line:
#   install: N passed, N failed, N skipped
#
# usage: tests/install/test_install.sh BUILD_DIR   (a configured and built tree)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:?usage: test_install.sh BUILD_DIR}
build=$(cd "$build" && pwd)
cc=${CC:-cc}

passed=0
failed=0
skipped=0
ok() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "skip $1: $2"; skipped=$((skipped + 1)); }
# check NAME COMMAND...: one check, passed when COMMAND succeeds (its output
# is shown only on failure).
check() {
    local name=$1; shift
    local out
    if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$(echo "$out" | tail -5)"; fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

if ! out=$(cmake --install "$build" --prefix "$prefix" 2>&1); then
    fail install "$(echo "$out" | tail -5)"
    echo "install: $passed passed, $failed failed, $skipped skipped"
    exit 1
fi
ok install

libdir=$prefix/lib
export PKG_CONFIG_PATH=$libdir/pkgconfig
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR

# ---- the installed tree ----
files_present() {
    local f
    for f in lib/libhelix.a lib/libhelix.so include/helix.h include/helix/export.h \
             lib/pkgconfig/helix.pc lib/cmake/helix/helixConfig.cmake \
             lib/cmake/helix/helixConfigVersion.cmake lib/cmake/helix/helixTargets.cmake; do
        [ -e "$prefix/$f" ] || { echo "missing $f"; return 1; }
    done
}
check files files_present

soname_ok() {
    local soname
    soname=$(readelf -d "$libdir/libhelix.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    [ -n "$soname" ] || { echo "no SONAME"; return 1; }
    [ -e "$libdir/$soname" ] || { echo "SONAME $soname not installed"; return 1; }
    echo "$soname"
}
check soname soname_ok

# The headers need nothing but each other: each compiles alone with
# pkg-config's flags, and helix.h names every one.
headers_alone() {
    local h bad=0
    for h in "$prefix"/include/helix.h "$prefix"/include/helix/*.h; do
        local rel=${h#"$prefix"/include/}
        printf '#include <%s>\n#include <%s>\nint main(void) { return 0; }\n' "$rel" "$rel" >"$work/h.c"
        if ! $cc -std=c11 -pedantic -Wall -Wextra -Werror $(pkg-config --cflags helix) -c "$work/h.c" \
               -o "$work/h.o" 2>"$work/h.log"; then
            echo "$rel:"; head -5 "$work/h.log"; bad=1
        fi
    done
    return $bad
}
check headers-self-contained headers_alone

umbrella_complete() {
    local h bad=0
    for h in "$prefix"/include/helix/*.h; do
        local rel=${h#"$prefix"/include/}
        [ "$rel" = helix/export.h ] && continue # included by every header
        grep -q "^#include \"$rel\"" "$prefix/include/helix.h" || { echo "helix.h lacks $rel"; bad=1; }
    done
    return $bad
}
check helix.h-includes-all umbrella_complete

# Hidden visibility: only hx_ symbols (plus the linker's own) are exported.
exports_ok() {
    local syms bad
    syms=$(nm -D --defined-only "$libdir/libhelix.so" | awk '{print $NF}')
    [ -n "$(echo "$syms" | grep -x hx_version)" ] || { echo "hx_version not exported"; return 1; }
    bad=$(echo "$syms" | grep -v '^hx_' | grep -v -x -E '_init|_fini|_edata|_end|__bss_start')
    [ -z "$bad" ] || { echo "exported outside hx_:"; echo "$bad" | head -20; return 1; }
    echo "$(echo "$syms" | grep -c '^hx_') hx_ symbols"
}
check exports-hx-only exports_ok

# The other way round: every function a public header declares is in the .so
# (a declaration left behind by a move, or an internal helper's prototype in a
# public header without a definition, fails here).
declared_exported() {
    nm -D --defined-only "$libdir/libhelix.so" | awk '{print $NF}' >"$work/exported.txt"
    python3 - "$prefix/include" "$work/exported.txt" <<'PY'
import glob, re, sys
inc, exported = sys.argv[1], set(open(sys.argv[2]).read().split())
missing = []
for h in sorted(glob.glob(inc + "/helix.h") + glob.glob(inc + "/helix/*.h")):
    text = re.sub(r"/\*.*?\*/", "", open(h).read(), flags=re.S)
    inline = set(re.findall(r"static\s+inline[^;{]*?\b(hx_\w+)\s*\(", text))
    for name in re.findall(r"\b(hx_\w+)\s*\((?!\s*\*)", text):  # not a function-pointer type
        if name not in inline and name not in exported:
            missing.append(f"{h[len(inc) + 1:]}: {name}")
print("\n".join(sorted(set(missing))[:20]))
sys.exit(1 if missing else 0)
PY
}
check declared-are-exported declared_exported

# ---- programs built against the prefix ----
cflags=$(pkg-config --cflags helix)
libs_shared=$(pkg-config --libs helix)
# pkg-config --static adds Libs.private; -l:libhelix.a picks the archive
# although libhelix.so sits beside it (as README.md shows).
libs_static=$(pkg-config --static --libs helix | sed 's/-lhelix\b/-l:libhelix.a/')

# build NAME SOURCE KIND(shared|static) -> $work/bin/NAME-KIND. The source is
# copied first, so nothing beside it in the source tree can be included.
build_prog() {
    local name=$1 source=$2 kind=$3 libs
    mkdir -p "$work/bin" "$work/src"
    cp "$source" "$work/src/$name.c"
    if [ "$kind" = shared ]; then libs="$libs_shared -Wl,-rpath,$libdir"; else libs=$libs_static; fi
    # shellcheck disable=SC2086
    $cc -std=c11 -O2 -Wall -Wextra -Werror $cflags "$work/src/$name.c" $libs -o "$work/bin/$name-$kind" || return 1
    local needed
    needed=$(readelf -d "$work/bin/$name-$kind" | grep NEEDED | grep -c libhelix)
    if [ "$kind" = shared ] && [ "$needed" -ne 1 ]; then echo "not linked to libhelix.so"; return 1; fi
    if [ "$kind" = static ] && [ "$needed" -ne 0 ]; then echo "linked to libhelix.so"; return 1; fi
}

for kind in shared static; do
    if build_prog smoke "$here/smoke.c" $kind; then
        check "pkg-config-$kind-smoke" "$work/bin/smoke-$kind" "$src/models/udp/male.hlx"
    else
        fail "pkg-config-$kind-smoke" "does not build"
    fi
done

# Example NAME, the public header its API comes from (skip while absent).
examples=(classify_text:helix/bert_file.h classify_image:helix/seresnet_file.h
          forest_predict:helix/forest_file.h triage:helix/triage.h)
# The helix CLI of the same build, to compare the examples' numbers with.
cli=$build/helix
[ -x "$cli" ] || cli=""

for entry in "${examples[@]}"; do
    name=${entry%%:*}
    header=${entry#*:}
    for kind in shared static; do
        if [ ! -e "$prefix/include/$header" ]; then
            skip "example-$name-$kind" "$header is not in this tree yet"
            continue
        fi
        if ! log=$(build_prog "$name" "$src/examples/$name.c" $kind 2>&1); then
            fail "example-$name-$kind" "does not build: $(echo "$log" | grep -m3 -E 'error|not linked')"
            continue
        fi
        check "example-$name-$kind" python3 "$here/run_example.py" "$name" "$work/bin/$name-$kind" "$src" "$cli"
    done
done

# ---- find_package(helix) ----
find_package_smoke() {
    cmake -S "$here/find_package" -B "$work/fp" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
        >"$work/fp.log" 2>&1 && cmake --build "$work/fp" >>"$work/fp.log" 2>&1 ||
        { tail -20 "$work/fp.log"; return 1; }
    readelf -d "$work/fp/smoke_shared" | grep NEEDED | grep -q libhelix || { echo "smoke_shared: no libhelix.so"; return 1; }
    ! readelf -d "$work/fp/smoke_static" | grep NEEDED | grep -q libhelix || { echo "smoke_static: libhelix.so"; return 1; }
    "$work/fp/smoke_shared" "$src/models/udp/male.hlx" && "$work/fp/smoke_static" "$src/models/udp/male.hlx"
}
check find_package find_package_smoke

echo "install: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
