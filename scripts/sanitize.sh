#!/usr/bin/env bash
# Builds nki-mlir with AddressSanitizer + UndefinedBehaviorSanitizer (and
# assertions) in build-sanitize/ and runs the whole lit suite on it, the way
# scripts/test.sh does. Ends with "N passed, N failed, N skipped".
# Debian's libMLIR.so is not instrumented: the sanitizers see our code and
# the heap, not MLIR's internals.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

"$root/scripts/install-deps.sh" libclang-rt-22-dev

# LLVM's JIT and libomp allocate outside ASan's view; leaks at exit are not
# what this run looks for (nki-run's JIT'd code is not instrumented).
# LLVM's header-only allocators poison slabs in our instrumented code and
# hand them out in the uninstrumented libMLIR.so, which never unpoisons:
# false reports, so manual poisoning is off.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allow_user_poisoning=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
NKI_BUILD_DIR="${NKI_SANITIZE_BUILD_DIR:-$root/build-sanitize}" \
  NKI_CMAKE_ARGS="-DNKI_SANITIZERS=address,undefined" \
  exec "$root/scripts/test.sh"
