#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the default example
# (the seed's naive fused conv2d + bias + max-pool kernel) before and after
# `nki-opt --nki-optimize`, each JIT-compiled by nki-run, timed, counted
# (DMAs, bytes, matmuls, transposes) and checked against an independent
# linalg reference.
#   scripts/run-example.sh [FILE.mlir [nki-run options...]]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${NKI_BUILD_DIR:-$root/build}"
example="${1:-$root/examples/conv2d_naive.mlir}"
shift $(( $# > 0 ? 1 : 0 ))

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" nki-opt nki-run

optimized="$(mktemp --suffix=.mlir)"
trap 'rm -f "$optimized"' EXIT
# Remarks name the rewrites a pass declined and why; keep them out of the way.
"$build/bin/nki-opt" "$example" --nki-optimize -o "$optimized"

echo "== before: $example"
"$build/bin/nki-run" "$example" --count --repeat 3 "$@"
echo "== after: nki-opt --nki-optimize"
"$build/bin/nki-run" "$optimized" --count --repeat 3 "$@"
