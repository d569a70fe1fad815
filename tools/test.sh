#!/usr/bin/env bash
# Installs what the tests need (Debian 12, as root), builds and runs every test:
#   1. Release build, all Criterion tests (CTest);
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the kernels and their tests (and the forest walkers test) cross-built for aarch64 (NEON),
#      run under qemu-aarch64;
#   4. a short libFuzzer smoke of every fuzz target (HX_FUZZ_SECONDS each, default 20);
# after 1, the install test (tests/install/test_install.sh: the Release tree installed
# into a temporary prefix, examples/ built with pkg-config against it and run, exports
# checked), and the layering check (tools/check_layers.py).
#   5. a real one-node Slurm cluster running the dist/slurm/ job array (tools/test_slurm.sh, < 2 min).
# Prints one closing line "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh --test || exit 1

jobs=$(nproc)
fuzz_seconds=${HX_FUZZ_SECONDS:-20}
passed=0
failed=0
failures=()

# Runs ctest in a build dir and adds its counts to the totals.
run_ctest() {
  local label=$1 dir=$2
  echo "== $label" >&2
  local log
  log=$(mktemp)
  ctest --test-dir "$dir" --output-on-failure 2>&1 | tee "$log"
  local line
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then
    failed=$((failed + 1)); failures+=("$label: ctest ran nothing")
  else
    local total nfail
    nfail=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
    total=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/')
    passed=$((passed + total - nfail)); failed=$((failed + nfail))
    [ "$nfail" -eq 0 ] || failures+=("$label: $nfail failed")
  fi
  rm -f "$log"
}

# build LABEL DIR [cmake options...] [-- targets...]
build() {
  local label=$1 dir=$2; shift 2
  local opts=() targets=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  targets=("$@")
  local tflag=()
  [ ${#targets[@]} -gt 0 ] && tflag=(--target "${targets[@]}")
  echo "== build $label" >&2
  if ! { cmake -S . -B "$dir" "${opts[@]}" >/dev/null && cmake --build "$dir" -j"$jobs" "${tflag[@]}" >/dev/null; }; then
    cmake --build "$dir" -j1 "${tflag[@]}" 2>&1 | grep -E 'error|Error' | head -40
    failed=$((failed + 1)); failures+=("$label: build failed")
    return 1
  fi
}

if build release build-test -DCMAKE_BUILD_TYPE=Release; then
  run_ctest "release" build-test
  # The Release tree installed into a temporary prefix; examples/ built
  # against it with pkg-config only, run; exports checked. Each check counts.
  echo "== install" >&2
  log=$(mktemp)
  bash tests/install/test_install.sh build-test 2>&1 | tee "$log"
  line=$(grep -E '^install: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -z "$line" ]; then
    failed=$((failed + 1)); failures+=("install: test_install.sh gave no result")
  else
    n=$(echo "$line" | sed -E 's/^install: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')
    passed=$((passed + ${n% *})); failed=$((failed + ${n#* }))
    [ "${n#* }" -eq 0 ] || failures+=("install: ${n#* } failed")
  fi
  rm -f "$log"
fi

# No file includes a header of a higher layer (docs/architecture.md).
echo "== layering" >&2
if python3 tools/check_layers.py; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); failures+=("layering: includes across layers (tools/check_layers.py)")
fi

if build asan build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHELIX_SANITIZE=ON; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    run_ctest "asan+ubsan" build-asan
fi

if build aarch64 build-arm -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
     -DHELIX_KERNELS_ONLY=ON -DHELIX_OPENBLAS=OFF; then
  run_ctest "aarch64 (qemu)" build-arm
fi

fuzz_targets=()
for src in tests/fuzz/fuzz_*.c; do [ -e "$src" ] && fuzz_targets+=("$(basename "$src" .c)"); done
if [ ${#fuzz_targets[@]} -gt 0 ]; then
  if build fuzz build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DHELIX_FUZZ=ON \
       -DHELIX_TESTS=OFF -DHELIX_OPENBLAS=OFF -- "${fuzz_targets[@]}"; then
    for src in tests/fuzz/fuzz_*.c; do
      name=$(basename "$src" .c)
      target=${name#fuzz_}
      echo "== fuzz $target (${fuzz_seconds}s)" >&2
      corpus=$(mktemp -d)
      seeds=tests/fuzz/seeds/$target
      [ -d "$seeds" ] || seeds=""
      if build-fuzz/tests/fuzz/"$name" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
           -print_final_stats=0 "$corpus" $seeds >"$corpus.log" 2>&1; then
        passed=$((passed + 1))
      else
        tail -40 "$corpus.log"
        failed=$((failed + 1)); failures+=("fuzz $target: crash or leak found")
      fi
      rm -rf "$corpus" "$corpus.log"
    done
  fi
fi

# Slurm: one counted stage (it needs the Release binary from stage 1).
echo "== slurm (tools/test_slurm.sh)" >&2
if slurm_line=$(bash tools/test_slurm.sh build-test/helix | tail -1) && [[ $slurm_line == "slurm: PASS"* ]]; then
  echo "$slurm_line" >&2
  passed=$((passed + 1))
else
  echo "$slurm_line" >&2
  failed=$((failed + 1)); failures+=("slurm: ${slurm_line#slurm: }")
fi

for f in "${failures[@]+"${failures[@]}"}"; do echo "FAILED: $f" >&2; done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
