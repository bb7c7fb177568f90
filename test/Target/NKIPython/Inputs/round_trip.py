"""Round trip of the example kernels through NKI Python: trace the kernel,
optimize it (nki-optimize), write it back as NKI Python (nki-translate
--nki-to-python), and check that the written kernel computes what the
original does, and that tracing it and writing it again gives the same
file (export . trace is the identity on exported kernels)."""

import glob
import importlib.util
import os
import subprocess
import sys
import tempfile

import numpy as np

import neuronxcc.nki as nki
from nki_mlir import kernel as km

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..",
                        "examples", "nki-python")


def load(path, name):
    spec = importlib.util.spec_from_file_location(
        "k" + str(abs(hash(path))), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def run(*command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")


def export(mlir, py):
    run(km.tool("nki-translate"), "--nki-to-python", mlir, "-o", py)


def trace(py, args, mlir):
    func = load(py, "fused_conv2d_maxpool")
    with open(mlir, "w") as f:
        f.write(km.trace_kernel(getattr(func, "func", func), args, {})[0])


rng = np.random.default_rng(11)
X = rng.random((1, 256, 8, 16), dtype=np.float32)
W = rng.random((256, 256, 3, 3), dtype=np.float32) - 0.5
bias = rng.random(256, dtype=np.float32)
# Every example kernel (or those named on the command line).
kernels = sys.argv[1:] or sorted(
    os.path.relpath(p, EXAMPLES) for p in
    glob.glob(os.path.join(EXAMPLES, "conv2d*.py")) +
    glob.glob(os.path.join(EXAMPLES, "styles", "conv2d_*.py")))
with tempfile.TemporaryDirectory() as tmp:
    for name in kernels:
        path = os.path.join(EXAMPLES, name)
        original = load(path, "fused_conv2d_maxpool")
        func = getattr(original, "func", original)
        traced = os.path.join(tmp, "traced.mlir")
        with open(traced, "w") as f:
            f.write(km.trace_kernel(func, (X, W, bias), {"pool_size": 2})[0])
        run(km.tool("nki-opt"), "--nki-optimize", traced, "-o",
            traced + ".opt")
        first = os.path.join(tmp, "first.py")
        export(traced + ".opt", first)
        want = nki.simulate_kernel(original, X, W, bias, pool_size=2)
        got = nki.simulate_kernel(load(first, "fused_conv2d_maxpool"),
                                  X, W, bias)
        # Again: exported kernels are a fixed point of trace + export.
        second, third = (os.path.join(tmp, n) for n in ("2.py", "3.py"))
        trace(first, (X, W, bias), os.path.join(tmp, "2.mlir"))
        export(os.path.join(tmp, "2.mlir"), second)
        trace(second, (X, W, bias), os.path.join(tmp, "3.mlir"))
        export(os.path.join(tmp, "3.mlir"), third)
        same = open(second).read() == open(third).read()
        print(f"{name}: result {'SAME' if np.array_equal(got, want) else 'DIFF'}"
              f", export {'FIXED' if same else 'CHANGED'}")
