#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the default example
# (the seed's naive fused conv2d + bias + max-pool kernel) through nki-run:
# JIT-compiled, timed, and checked against an independent linalg reference.
#   scripts/run-example.sh [FILE.mlir [nki-run options...]]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${NKI_BUILD_DIR:-$root/build}"
example="${1:-$root/examples/conv2d_naive.mlir}"
shift $(( $# > 0 ? 1 : 0 ))

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" nki-opt nki-run

echo "== nki-run $example --repeat 3 $*"
"$build/bin/nki-run" "$example" --repeat 3 "$@"
