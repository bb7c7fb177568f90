#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the default example
# (the seed's naive fused conv2d + bias + max-pool kernel) before and after
# `nki-opt --nki-optimize`, each JIT-compiled by nki-run, timed, counted
# (DMAs, bytes, matmuls, transposes) and checked against an independent
# linalg reference. FILE may also be linalg on tensors (a layer or a whole
# block, as torch-mlir emits it, e.g. examples/resnet_basic_block.mlir):
# it is imported (`--nki-import`) first and checked against its own
# upstream lowering.
#   scripts/run-example.sh [FILE.mlir [nki-run options...]]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${NKI_BUILD_DIR:-$root/build}"
example="${1:-$root/examples/conv2d_naive.mlir}"
shift $(( $# > 0 ? 1 : 0 ))

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" nki-opt nki-run

naive="$example"
optimized="$(mktemp --suffix=.mlir)"
imported="$(mktemp --suffix=.mlir)"
trap 'rm -f "$optimized" "$imported"' EXIT
reference=()
import=()
if ! grep -q 'nki\.' "$example"; then
  # linalg: import it, and check each kernel against the function itself.
  "$build/bin/nki-opt" "$example" --convert-linalg-to-nki=strict=true -o "$imported"
  naive="$imported"
  reference=(--reference "$example")
  import=(--convert-linalg-to-nki=strict=true)
fi
# Remarks name the rewrites a pass declined and why; keep them out of the way.
"$build/bin/nki-opt" "$example" "${import[@]}" --nki-optimize -o "$optimized"

echo "== before: $example${import:+ (imported)}"
"$build/bin/nki-run" "$naive" --count --repeat 3 "${reference[@]}" "$@"
echo "== after: nki-opt --nki-optimize"
"$build/bin/nki-run" "$optimized" --count --repeat 3 "${reference[@]}" "$@"
