#!/usr/bin/env bash
# Configures (first time only) and builds nki-mlir with ninja.
#   scripts/build.sh [ninja targets...]     build dir: $NKI_BUILD_DIR or ./build
# Our own code is compiled with assertions; $NKI_CMAKE_ARGS adds options to
# the first configure (scripts/sanitize.sh sets the sanitizers there).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${NKI_BUILD_DIR:-$root/build}"

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DNKI_ENABLE_ASSERTIONS=ON ${NKI_CMAKE_ARGS:-}
fi
ninja -C "$build" "$@"
