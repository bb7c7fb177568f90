#!/usr/bin/env bash
# Installs what is missing, builds everything, and runs the whole test suite
# (ninja check-nki). Ends with "N passed, N failed"; exits non-zero on failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${NKI_BUILD_DIR:-$root/build}"

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

log="$build/check-nki.log"
status=0
"$root/scripts/build.sh" check-nki 2>&1 | tee "$log" || status=$?

# lit's summary: "  Passed: N (..%)", "  Failed: N (..%)", ...
passed=$(awk '/^ *Passed *:/ {n = $2} END {print n + 0}' "$log")
failed=$(awk '/^ *(Failed|Unresolved|Timed Out) *:/ {s += $(NF - 1)} END {print s + 0}' "$log")
echo "${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
