#!/usr/bin/env bash
# Installs the Debian 12 packages helix needs to build and test (run as root).
# Only missing packages are installed, so a second run costs nothing.
set -euo pipefail

pkgs=(build-essential cmake pkg-config xz-utils
      libopenblas-dev libjpeg62-turbo-dev libcjson-dev libcriterion-dev)
if [ "${1:-}" = "--test" ]; then
  # Tests also cross-build the kernels for aarch64 (run under qemu) and fuzz with clang;
  # the install test and the layering check use python3.
  pkgs+=(clang libclang-rt-14-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user python3)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "helix: missing Debian packages: ${missing[*]} (run this script as root)" >&2
    exit 1
  fi
  echo "helix: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
