#!/usr/bin/env bash
# Installs the Debian packages helix needs and builds it (Release) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DHELIX_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target helix_cli >/dev/null
echo "helix: built build/helix" >&2
