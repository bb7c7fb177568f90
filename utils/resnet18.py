#!/usr/bin/python3
"""The conv layers of ResNet-18 (batch 1, f32) as torch-mlir emits them, each
imported, optimized, checked and measured.

  utils/resnet18.py [--build build] [--threads N] [--repeat N] [--processes N]
                    [--quick] [--strategy taps|im2col] [--markdown FILE]
  utils/resnet18.py --emit NAME      print one layer's function

torch-mlir's form: X zero-padded by tensor.pad, bias=False (a zero-filled
init), linalg.conv_2d_nchw_fchw with the stride, then the ReLU
(select(x > 0, x, 0)) where the network has one (not after the shortcuts).
Per distinct layer: nki-report's HBM traffic against compulsory and its
modelled trn2 latency against the Tensor-Engine roofline; nki-run's median
time (checked against the function's own upstream lowering first) and
PyTorch's (torch.nn.functional conv2d + relu, python3-torch, same inputs and
threads, checked against nki-run's output), each the best median of
--processes runs.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name, count in the network, cin, cout, size (input), kernel, stride, pad,
# relu
LAYERS = [
    ("stem 7x7/2", 1, 3, 64, 224, 7, 2, 3, True),
    ("3x3 64 @56", 4, 64, 64, 56, 3, 1, 1, True),
    ("3x3/2 64->128", 1, 64, 128, 56, 3, 2, 1, True),
    ("1x1/2 64->128", 1, 64, 128, 56, 1, 2, 0, False),
    ("3x3 128 @28", 3, 128, 128, 28, 3, 1, 1, True),
    ("3x3/2 128->256", 1, 128, 256, 28, 3, 2, 1, True),
    ("1x1/2 128->256", 1, 128, 256, 28, 1, 2, 0, False),
    ("3x3 256 @14", 3, 256, 256, 14, 3, 1, 1, True),
    ("3x3/2 256->512", 1, 256, 512, 14, 3, 2, 1, True),
    ("1x1/2 256->512", 1, 256, 512, 14, 1, 2, 0, False),
    ("3x3 512 @7", 3, 512, 512, 7, 3, 1, 1, True),
]
QUICK = {"3x3 64 @56", "1x1/2 64->128", "3x3 512 @7"}


def out_size(size, kernel, stride, pad):
    return (size + 2 * pad - kernel) // stride + 1


def emit(layer):
    _, _, cin, cout, size, k, stride, pad, relu = layer
    o = out_size(size, k, stride, pad)
    t = lambda *d: "tensor<" + "x".join(map(str, d)) + "xf32>"
    x, w, y = t(1, cin, size, size), t(cout, cin, k, k), t(1, cout, o, o)
    lines = [f"func.func @layer(%x: {x}, %w: {w}) -> {y} {{",
             "  %cst = arith.constant 0.000000e+00 : f32"]
    src = "%x"
    if pad:
        p = size + 2 * pad
        lines += [f"  %padded = tensor.pad %x low[0, 0, {pad}, {pad}] high[0, 0, {pad}, {pad}] {{",
                  "  ^bb0(%a: index, %b: index, %c: index, %d: index):",
                  "    tensor.yield %cst : f32",
                  f"  }} : {x} to {t(1, cin, p, p)}"]
        src, x = "%padded", t(1, cin, p, p)
    lines += [f"  %0 = tensor.empty() : {y}",
              f"  %1 = linalg.fill ins(%cst : f32) outs(%0 : {y}) -> {y}",
              f"  %2 = linalg.conv_2d_nchw_fchw {{dilations = dense<1> : vector<2xi64>, strides = dense<{stride}> : vector<2xi64>}} ins({src}, %w : {x}, {w}) outs(%1 : {y}) -> {y}"]
    result = "%2"
    if relu:
        idmap = "affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>"
        lines += [f"  %3 = linalg.generic {{indexing_maps = [{idmap}, {idmap}], iterator_types = [\"parallel\", \"parallel\", \"parallel\", \"parallel\"]}} ins(%2 : {y}) outs(%0 : {y}) {{",
                  "  ^bb0(%in: f32, %out: f32):",
                  "    %4 = arith.cmpf ugt, %in, %cst : f32",
                  "    %5 = arith.select %4, %in, %cst : f32",
                  "    linalg.yield %5 : f32",
                  f"  }} -> {y}"]
        result = "%3"
    lines += [f"  return {result} : {y}", "}"]
    return "\n".join(lines) + "\n"


PYTORCH = r"""
import statistics, sys, time
import numpy as np
import torch
import torch.nn.functional as F
threads, stride, pad, relu, repeat, x, w, expected = sys.argv[1:]
torch.set_num_threads(int(threads))
x, w = (torch.from_numpy(np.load(p)) for p in (x, w))
def step():
    y = F.conv2d(x, w, None, int(stride), int(pad))
    return F.relu(y) if relu == "1" else y
with torch.no_grad():
    got = step().numpy()
    if not np.allclose(got, np.load(expected), rtol=1e-4, atol=1e-4):
        print("MISMATCH"); sys.exit(1)
    step()
    times = []
    for _ in range(int(repeat)):
        start = time.perf_counter(); step(); times.append(time.perf_counter() - start)
print("median", statistics.median(times))
"""


def measure(build, layer, threads, repeat, processes, strategy, tmp):
    opt, nrun = (os.path.join(build, "bin", t) for t in ("nki-opt", "nki-run"))
    src = os.path.join(tmp, "layer.mlir")
    with open(src, "w") as f:
        f.write(emit(layer))
    kernel = os.path.join(tmp, "kernel.mlir")
    subprocess.run([opt, src, "--nki-import", f"--nki-optimize=conv-strategy={strategy}",
                    "-o", kernel], check=True, capture_output=True)
    p = subprocess.run([opt, kernel, "--nki-report", "-o", "/dev/null"],
                       capture_output=True, text=True)
    report = p.stdout + p.stderr
    r = {}
    m = re.search(r"compulsory: load \d+ bytes \(actual ([\d.]+)x\), store \d+ bytes \(actual ([\d.]+)x\)", report)
    r["load"], r["store"] = (float(m.group(1)), float(m.group(2))) if m else (None, None)
    m = re.search(r"modelled trn2 latency: ([\d.]+) us.*roofline ([\d.]+) us", report)
    r["latency"], r["roofline"] = (float(m.group(1)), float(m.group(2))) if m else (None, None)
    _, _, cin, cout, size, k, stride, pad, relu = layer
    rng = np.random.default_rng(0)
    inputs = []
    for name, dims in (("x", (1, cin, size, size)), ("w", (cout, cin, k, k))):
        path = os.path.join(tmp, name + ".npy")
        np.save(path, rng.random(dims, dtype=np.float32) - 0.5)
        inputs.append(path)
    out = os.path.join(tmp, "out.npy")
    # Each side's time is the best of `processes` runs' medians: on a shared
    # VM a whole process can run 3-5x slower (seen with PyTorch on the
    # 2-core development machine), and one such run should not set a ratio.
    nki_times, torch_times = [], []
    r["check"], r["torch_note"] = "PASS", ""
    for _ in range(processes):
        p = subprocess.run([nrun, kernel, "--reference", src, "--inputs", ",".join(inputs),
                            "--repeat", str(repeat), "--num-threads", str(threads),
                            "--rtol", "1e-4", "--atol", "1e-4", "--output", out],
                           capture_output=True, text=True)
        m = re.search(r"^time: min [\d.]+ s, median ([\d.]+) s", p.stdout, re.M)
        if not re.search(r"^PASS", p.stdout, re.M):
            r["check"] = "FAIL"
        if m:
            nki_times.append(float(m.group(1)))
        p = subprocess.run(["/usr/bin/python3", "-c", PYTORCH, str(threads), str(stride),
                            str(pad), "1" if relu else "0", str(repeat)] + inputs + [out],
                           capture_output=True, text=True)
        m = re.search(r"median ([\d.eE-]+)", p.stdout)
        if m:
            torch_times.append(float(m.group(1)))
        else:
            r["torch_note"] = ("no python3-torch" if "No module named" in p.stderr
                               else (p.stdout + p.stderr).strip()[-60:])
    r["nki"] = min(nki_times, default=None)
    r["torch"] = min(torch_times, default=None)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--processes", type=int, default=3,
                    help="time each side in this many processes, keep the best median")
    ap.add_argument("--strategy", default="taps", choices=["taps", "im2col"])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--markdown")
    ap.add_argument("--emit")
    a = ap.parse_args()
    if a.emit:
        sys.stdout.write(emit(next(l for l in LAYERS if l[0] == a.emit)))
        return 0
    rows = ["| layer | x in net | HBM load / compulsory | store / compulsory | trn2 model (us) | TE roofline (us) | check | nki-run (ms) | PyTorch (ms) | vs PyTorch |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    failed = False
    for layer in LAYERS:
        if a.quick and layer[0] not in QUICK:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            r = measure(a.build, layer, a.threads, a.repeat, a.processes, a.strategy, tmp)
        failed |= r["check"] != "PASS"
        fmt = lambda v, f: f.format(v) if v is not None else "-"
        ratio = (f"{r['torch'] / r['nki']:.2f}x" if r["nki"] and r["torch"]
                 else r["torch_note"] or "-")
        row = (f"| {layer[0]} | {layer[1]} | {fmt(r['load'], '{:.2f}x')} | {fmt(r['store'], '{:.2f}x')} | "
               f"{fmt(r['latency'], '{:.1f}')} | {fmt(r['roofline'], '{:.1f}')} | {r['check']} | "
               f"{fmt(r['nki'] and r['nki'] * 1e3, '{:.2f}')} | {fmt(r['torch'] and r['torch'] * 1e3, '{:.2f}')} | {ratio} |")
        rows.append(row)
        print(row, flush=True)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write("\n".join(rows) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
