#!/usr/bin/env bash
# Installs what is missing, builds everything, and runs the whole test suite
# (ninja check-nki). Ends with "N passed, N failed, N skipped"; exits non-zero
# when the build or any test fails, or when no test passed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${NKI_BUILD_DIR:-$root/build}"

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

# The counts come from lit's xunit report, not from its summary's column
# layout (which lit pads differently when a test is unsupported).
results="$build/check-nki.xml"
rm -f "$results"
status=0
LIT_OPTS="${LIT_OPTS:-} --xunit-xml-output=$results" \
  "$root/scripts/build.sh" check-nki || status=$?

python3 "$root/utils/lit-summary.py" "$results" || status=1
exit "$status"
