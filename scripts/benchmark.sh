#!/usr/bin/env bash
# The CPU benchmark: naive, optimized (taps, im2col), upstream linalg loops and
# PyTorch conv2d + max_pool2d on the CS149 shapes, same inputs and threads
# (utils/benchmark.py says what is measured). Installs the project's
# dependencies plus Debian's python3-torch (skipped with a message if it
# cannot be installed: the PyTorch column then says so), builds, runs.
#
#   scripts/benchmark.sh [--threads N] [--quick] [--dtypes f32,bf16]
#                        [--markdown docs/Benchmark.md]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch ||
    echo "benchmark: python3-torch could not be installed; PyTorch is skipped"
fi
scripts/build.sh
exec /usr/bin/python3 utils/benchmark.py "$@"
