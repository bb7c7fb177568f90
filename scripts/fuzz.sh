#!/usr/bin/env bash
# Differential and mutation fuzzing beyond the fixed slice in check-nki:
#   scripts/fuzz.sh N [FIRST_SEED]
# builds if needed, checks N random kernels from FIRST_SEED on (default: a
# seed from the clock) with utils/random-kernels.py, and feeds 20 x N mutated
# inputs to every pass and tool with utils/mutate-inputs.py. A failing random
# kernel is reduced and kept as a lit regression test under
# test/Fuzz/Regressions/ (it fails until the bug is fixed); crashing or hanging
# mutants are kept in fuzz-failures/. Exits non-zero when anything failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${NKI_BUILD_DIR:-$root/build}"
count="${1:?usage: scripts/fuzz.sh N [FIRST_SEED]}"
first="${2:-$(( $(date +%s) % 1000000 ))}"
last=$(( first + count - 1 ))

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" nki-opt nki-run

status=0
kept="$root/fuzz-failures"
/usr/bin/python3 "$root/utils/random-kernels.py" check "$first-$last" \
  --bin "$build/bin" --keep "$kept/kernels" | tee "$build/fuzz-random.log" || status=1
mkdir -p "$root/test/Fuzz/Regressions"
for failing in "$kept"/kernels/seed*.mlir; do
  [ -e "$failing" ] || continue
  seed="$(basename "$failing" .mlir)"; seed="${seed#seed}"
  test="$root/test/Fuzz/Regressions/seed-$seed.mlir"
  {
    echo "// A kernel scripts/fuzz.sh found (seed $seed), reduced."
    echo "// RUN: %python %nki_src_root/utils/random-kernels.py check-file %s --bin %nki_tools_dir"
    if ! /usr/bin/python3 "$root/utils/random-kernels.py" reduce "$seed" \
        --bin "$build/bin" -o /dev/stdout 2>/dev/null | grep -v '^reduce:'; then
      cat "$failing"
    fi
  } > "$test"
  echo "fuzz: kept $test"
done
/usr/bin/python3 "$root/utils/mutate-inputs.py" --seed "$first" \
  --count $(( 20 * count )) --bin "$build/bin" --keep "$kept/mutants" || status=1
exit "$status"
