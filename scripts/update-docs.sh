#!/usr/bin/env bash
# Regenerates the ODS references (dialect, ops, attributes, passes) into docs/.
# test/docs-up-to-date.test fails when they are stale.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${NKI_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh" mlir-doc
cp "$build/docs/NKI/NKIDialect.md" "$build/docs/NKI/NKIPasses.md" \
   "$build/docs/NKI/NKIConversionPasses.md" "$root/docs/"
echo "updated docs/NKIDialect.md docs/NKIPasses.md docs/NKIConversionPasses.md"
