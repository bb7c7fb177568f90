#!/usr/bin/python3
"""Whole network blocks (batch 1, f32) as torch-mlir emits them, each
imported as one NKI kernel, optimized, checked and measured.

  utils/blocks.py [--build build] [--threads N] [--repeat N] [--processes N]
                  [--strategy taps|im2col] [--markdown FILE] [--only NAME]
  utils/blocks.py --emit NAME         print one block's function

Blocks: ResNet-18's basic block at 56x56x64 (conv3x3 -> bias -> ReLU ->
conv3x3 -> bias -> + x -> ReLU) and MobileNet-v2's inverted residual block
at 56x56 (24 -> 144 -> 24: 1x1 expand -> ReLU6 -> depthwise 3x3 -> ReLU6 ->
1x1 project -> + x). Batch-norm is folded into each conv's bias, as
inference exports do; the bias is broadcast into the init (linalg.broadcast),
the ReLU is select(x > 0, x, 0), the ReLU6 torch-mlir's clamp (two
compare-and-selects), the depthwise weight PyTorch's [C, 1, 3, 3] collapsed
by tensor.collapse_shape. examples/ holds the emitted blocks.

Per block: nki-report's HBM traffic against compulsory (each argument loaded
once, the output stored once) and against compulsory plus each HBM
intermediate written and read once; nki-run's median time (checked against
the function's own upstream lowering first) and PyTorch's (the same block in
torch.nn.functional, python3-torch, same inputs and threads, checked against
nki-run's output), each the best median of --processes runs.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HEADER = """#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
"""


def t(shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


class Emitter:
    """Writes one function's body in torch-mlir's idioms."""

    def __init__(self):
        self.lines = []
        self.count = 0

    def fresh(self, stem):
        self.count += 1
        return f"%{stem}{self.count}"

    def pad(self, x, shape):
        n, c, h, w = shape
        out = self.fresh("padded")
        self.lines += [
            f"  {out} = tensor.pad {x} low[0, 0, 1, 1] high[0, 0, 1, 1] {{",
            "  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):",
            "    tensor.yield %zero : f32",
            f"  }} : {t(shape)} to {t((n, c, h + 2, w + 2))}"]
        return out, (n, c, h + 2, w + 2)

    def conv(self, x, xshape, w, wshape, b, oshape, op="linalg.conv_2d_nchw_fchw"):
        empty, bias, out = self.fresh("empty"), self.fresh("bias"), self.fresh("conv")
        self.lines += [
            f"  {empty} = tensor.empty() : {t(oshape)}",
            f"  {bias} = linalg.broadcast ins({b} : {t(oshape[1:2])}) outs({empty} : {t(oshape)}) dimensions = [0, 2, 3]",
            f"  {out} = {op} {{dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}} "
            f"ins({x}, {w} : {t(xshape)}, {t(wshape)}) outs({bias} : {t(oshape)}) -> {t(oshape)}"]
        return out

    def elementwise(self, inputs, shape, body):
        empty, out = self.fresh("empty"), self.fresh("value")
        args = ", ".join(f"%in{i}: f32" for i in range(len(inputs)))
        self.lines += [
            f"  {empty} = tensor.empty() : {t(shape)}",
            f"  {out} = linalg.generic {{indexing_maps = [{', '.join(['#id'] * (len(inputs) + 1))}], "
            f"iterator_types = [\"parallel\", \"parallel\", \"parallel\", \"parallel\"]}} "
            f"ins({', '.join(inputs)} : {', '.join([t(shape)] * len(inputs))}) outs({empty} : {t(shape)}) {{",
            f"  ^bb0({args}, %out: f32):"] + ["    " + l for l in body] + [
            f"  }} -> {t(shape)}"]
        return out

    def relu(self, x, shape):
        return self.elementwise([x], shape, [
            "%p = arith.cmpf ugt, %in0, %zero : f32",
            "%s = arith.select %p, %in0, %zero : f32",
            "linalg.yield %s : f32"])

    def relu6(self, x, shape):
        return self.elementwise([x], shape, [
            "%lo = arith.cmpf ult, %in0, %zero : f32",
            "%a = arith.select %lo, %zero, %in0 : f32",
            "%hi = arith.cmpf ugt, %a, %six : f32",
            "%b = arith.select %hi, %six, %a : f32",
            "linalg.yield %b : f32"])

    def add(self, a, b, shape):
        return self.elementwise([a, b], shape, [
            "%s = arith.addf %in0, %in1 : f32",
            "linalg.yield %s : f32"])


def resnet_basic_block(c=64, size=56):
    x = (1, c, size, size)
    args = [("x", x), ("w1", (c, c, 3, 3)), ("b1", (c,)), ("w2", (c, c, 3, 3)), ("b2", (c,))]
    e = Emitter()
    p, ps = e.pad("%x", x)
    r = e.relu(e.conv(p, ps, "%w1", args[1][1], "%b1", x), x)
    p, ps = e.pad(r, x)
    s = e.add(e.conv(p, ps, "%w2", args[3][1], "%b2", x), "%x", x)
    return "resnet_basic_block", args, x, e, e.relu(s, x)


def mobilenet_v2_block(c=24, expand=6, size=56):
    x = (1, c, size, size)
    h = (1, c * expand, size, size)
    args = [("x", x), ("we", (c * expand, c, 1, 1)), ("be", (c * expand,)),
            ("wd", (c * expand, 1, 3, 3)), ("bd", (c * expand,)),
            ("wp", (c, c * expand, 1, 1)), ("bp", (c,))]
    e = Emitter()
    r = e.relu6(e.conv("%x", x, "%we", args[1][1], "%be", h), h)
    p, ps = e.pad(r, h)
    e.lines.append(f"  %wd_chw = tensor.collapse_shape %wd [[0, 1], [2], [3]] : "
                   f"{t(args[3][1])} into {t((c * expand, 3, 3))}")
    d = e.conv(p, ps, "%wd_chw", (c * expand, 3, 3), "%bd", h,
               op="linalg.depthwise_conv_2d_nchw_chw")
    r = e.relu6(d, h)
    s = e.add("%x", e.conv(r, h, "%wp", args[5][1], "%bp", x), x)
    return "mobilenet_v2_block", args, x, e, s


BLOCKS = {"resnet_basic_block": resnet_basic_block,
          "mobilenet_v2_block": mobilenet_v2_block}


def emit(name):
    name, args, out, e, result = BLOCKS[name]()
    params = ", ".join(f"%{n}: {t(s)}" for n, s in args)
    return (HEADER + f"func.func @{name}({params}) -> {t(out)} {{\n"
            "  %zero = arith.constant 0.000000e+00 : f32\n"
            "  %six = arith.constant 6.000000e+00 : f32\n"
            + "\n".join(e.lines) + f"\n  return {result} : {t(out)}\n}}\n")


PYTORCH = r"""
import statistics, sys, time
import numpy as np
import torch
import torch.nn.functional as F
threads, name, repeat = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
expected = sys.argv[-1]
torch.set_num_threads(threads)
a = [torch.from_numpy(np.load(p)) for p in sys.argv[4:-1]]
def step():
    if name == "resnet_basic_block":
        x, w1, b1, w2, b2 = a
        y = F.relu(F.conv2d(x, w1, b1, padding=1))
        return F.relu(F.conv2d(y, w2, b2, padding=1) + x)
    x, we, be, wd, bd, wp, bp = a
    y = F.relu6(F.conv2d(x, we, be))
    y = F.relu6(F.conv2d(y, wd, bd, padding=1, groups=wd.shape[0]))
    return x + F.conv2d(y, wp, bp)
with torch.no_grad():
    if not np.allclose(step().numpy(), np.load(expected), rtol=1e-4, atol=1e-4):
        print("MISMATCH"); sys.exit(1)
    step()
    times = []
    for _ in range(repeat):
        start = time.perf_counter(); step(); times.append(time.perf_counter() - start)
print("median", statistics.median(times))
"""


def measure(build, name, threads, repeat, processes, strategy, tmp):
    import numpy as np  # only to measure: --emit needs none
    opt, nrun = (os.path.join(build, "bin", t) for t in ("nki-opt", "nki-run"))
    src = os.path.join(tmp, name + ".mlir")
    with open(src, "w") as f:
        f.write(emit(name))
    kernel = os.path.join(tmp, "kernel.mlir")
    subprocess.run([opt, src, "--nki-import", f"--nki-optimize=conv-strategy={strategy}",
                    "-o", kernel], check=True, capture_output=True)
    p = subprocess.run([opt, kernel, "--nki-report", "-o", "/dev/null"],
                       capture_output=True, text=True)
    report = p.stdout + p.stderr
    r = {}
    loaded = re.search(r"^count: dma HBM->SBUF \d+ \((\d+) bytes\)", report, re.M)
    stored = re.search(r"dma SBUF->HBM \d+ \((\d+) bytes\)", report)
    compulsory = re.search(r"compulsory: load (\d+) bytes .*, store (\d+) bytes", report)
    scratch = re.search(r"^loaded per argument: .*; HBM scratch (\d+)", report, re.M)
    scratch_stored = re.search(r"^stored per argument: .*; HBM scratch (\d+)", report, re.M)
    if loaded and stored and compulsory and scratch and scratch_stored:
        load, store = int(loaded.group(1)), int(stored.group(1))
        c_load, c_store = int(compulsory.group(1)), int(compulsory.group(2))
        # Each intermediate in HBM written once and read once.
        spill = int(scratch_stored.group(1))
        r["traffic"] = (load + store) / (c_load + c_store)
        r["traffic_spill"] = (load + store) / (c_load + c_store + 2 * spill)
        r["spill"] = spill
    m = re.search(r"modelled trn2 latency: ([\d.]+) us.*roofline ([\d.]+) us", report)
    r["latency"] = float(m.group(1)) if m else None
    _, args, _, _, _ = BLOCKS[name]()
    rng = np.random.default_rng(0)
    inputs = []
    for arg, dims in args:
        path = os.path.join(tmp, arg + ".npy")
        np.save(path, rng.random(dims, dtype=np.float32) - 0.5)
        inputs.append(path)
    out = os.path.join(tmp, "out.npy")
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
        p = subprocess.run(["/usr/bin/python3", "-c", PYTORCH, str(threads), name, str(repeat)]
                           + inputs + [out], capture_output=True, text=True)
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
    ap.add_argument("--markdown")
    ap.add_argument("--only", choices=sorted(BLOCKS))
    ap.add_argument("--emit", choices=sorted(BLOCKS))
    a = ap.parse_args()
    if a.emit:
        sys.stdout.write(emit(a.emit))
        return 0
    rows = ["| block | HBM traffic / compulsory | with intermediates spilled once | HBM scratch (bytes) | trn2 model (us) | check | nki-run (ms) | PyTorch (ms) | vs PyTorch |",
            "|---|---|---|---|---|---|---|---|---|"]
    failed = False
    for name in BLOCKS:
        if a.only and name != a.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            r = measure(a.build, name, a.threads, a.repeat, a.processes, a.strategy, tmp)
        failed |= r["check"] != "PASS"
        fmt = lambda v, f: f.format(v) if v is not None else "-"
        ratio = (f"{r['torch'] / r['nki']:.2f}x" if r["nki"] and r["torch"]
                 else r["torch_note"] or "-")
        row = (f"| {name} | {fmt(r.get('traffic'), '{:.2f}x')} | {fmt(r.get('traffic_spill'), '{:.2f}x')} | "
               f"{fmt(r.get('spill'), '{}')} | {fmt(r['latency'], '{:.1f}')} | {r['check']} | "
               f"{fmt(r['nki'] and r['nki'] * 1e3, '{:.2f}')} | {fmt(r['torch'] and r['torch'] * 1e3, '{:.2f}')} | {ratio} |")
        rows.append(row)
        print(row, flush=True)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write("\n".join(rows) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
