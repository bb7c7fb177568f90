#!/usr/bin/env bash
# Checks that our C and C++ sources are formatted as .clang-format (LLVM
# style) says, with Debian's clang-format-22. With --fix, formats them.
# test/code-format.test runs the check, so scripts/test.sh and CI do too.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mapfile -t files < <(git ls-files '*.h' '*.c' '*.cpp')
if [ "${1:-}" = "--fix" ]; then
  clang-format-22 -i "${files[@]}"
else
  clang-format-22 --dry-run -Werror "${files[@]}"
fi
