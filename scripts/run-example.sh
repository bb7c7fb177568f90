#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs nki-opt on the
# default example (or the .mlir file given), checking its buffers against the
# hardware rules and printing the canonicalized kernel.
#   scripts/run-example.sh [FILE.mlir]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${NKI_BUILD_DIR:-$root/build}"
example="${1:-$root/examples/matmul_tiled.mlir}"

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" nki-opt

echo "== nki-opt -nki-verify-buffers -canonicalize $example"
"$build/bin/nki-opt" "$example" -nki-verify-buffers -canonicalize
