#!/usr/bin/env bash
# Installs the Debian packages nki-mlir needs (LLVM/MLIR 22 from bookworm-security,
# ninja, cmake, the OpenMP runtime nki-run's parallel loops call, and Debian's
# python3 with numpy for the cross-checking tests and nki-py, and tqdm, which
# NKI kernels written for the Neuron SDK's Python environment import).
# Idempotent: packages already present are skipped. Extra package names given
# as arguments are installed too (scripts/sanitize.sh: the sanitizer runtimes).
set -euo pipefail

PACKAGES=(
  cmake ninja-build
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  clang-22 lld-22 libomp-22-dev clang-format-22
  python3 python3-numpy python3-tqdm
  "$@"
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
