#!/usr/bin/python3
"""Times the conv2d + bias + max-pool kernels on this CPU against PyTorch.

  utils/benchmark.py [--build build] [--threads N] [--quick] [--dtypes f32,bf16]
                     [--markdown FILE]

Per shape (the CS149 ones: batch 1, 256 -> 256, 224x224, 3x3, pool 1 and 2;
batch 4, Cin, Cout in {128, 256}, 32x16) and element type, one process per
variant, all on the same inputs and thread count:
  naive    the seed's naive kernel (nki-import), nki-run
  taps     nki-optimize{conv-strategy=taps}, nki-run
  im2col   nki-optimize{conv-strategy=im2col}, nki-run
  taps-fma (bf16, on CPUs with AMX or AVX512_BF16) taps with
           --bf16-matmuls=fma: operands widened to f32 FMAs, what the bf16
           instructions buy
  linalg   the upstream linalg ops lowered to loops (nki-run --time-reference)
  pytorch  torch.nn.functional conv2d + max_pool2d (python3-torch)
nki-run checks every output against the linalg reference before timing it
(one untimed warm-up run first); PyTorch's output is checked against the
taps kernel's. Reported: median time, GFLOP/s of the useful conv FLOPs
(2 B Cout Cin FH FW OH OW, the same for every variant), throughput relative
to PyTorch, peak resident memory of the process, and the cold compile time
(lowering + LLVM + code generation, in that fresh process).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SHAPES = [  # batch, cin, cout, height, width, pool
    (1, 256, 256, 224, 224, 1),
    (1, 256, 256, 224, 224, 2),
    (4, 128, 128, 32, 16, 1),
    (4, 128, 256, 32, 16, 1),
    (4, 256, 128, 32, 16, 1),
    (4, 256, 256, 32, 16, 1),
    (4, 256, 256, 32, 16, 2),
]
QUICK_SHAPES = [(4, 128, 128, 32, 16, 1), (4, 256, 256, 32, 16, 2)]
# bf16 (where PyTorch has a CPU kernel for it; it has no fp16 conv there)
# on every shape.
BF16_SHAPES = SHAPES


def host_cpu():
    """This CPU's model name and the features the kernels care about."""
    model, flags = "unknown CPU", []
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name") and model == "unknown CPU":
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    flags = line.split(":", 1)[1].split()
    except OSError:
        pass
    wanted = ["avx2", "fma", "avx512f", "avx512_bf16", "avx512_fp16",
              "amx_bf16"]
    return model, [f for f in wanted if f in flags]


def host_bf16_kernel(features):
    """The bf16 matmul kernel nki-run picks here: amx, avx512-bf16 or fma."""
    return ("amx" if "amx_bf16" in features else
            "avx512-bf16" if "avx512_bf16" in features else "fma")


def run(cmd, **kwargs):
    """Runs `cmd`; returns (stdout, stderr, returncode)."""
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    return proc.stdout, proc.stderr, proc.returncode


def peak_rss_run(cmd, env=None):
    """Runs `cmd` through a tiny wrapper that reports the child's own peak
    resident memory (os.wait4), so each variant's peak is its own."""
    wrapper = ("import os, sys\n"
               "pid = os.fork()\n"
               "if pid == 0:\n"
               "    os.execvp(sys.argv[1], sys.argv[1:])\n"
               "_, status, usage = os.wait4(pid, 0)\n"
               "sys.stderr.write('\\nPEAK_RSS_KIB %d\\n' % usage.ru_maxrss)\n"
               "sys.exit(os.waitstatus_to_exitcode(status))\n")
    out, err, code = run([sys.executable, "-c", wrapper] + cmd, env=env)
    match = re.search(r"PEAK_RSS_KIB (\d+)", err)
    peak = int(match.group(1)) / 1024 if match else float("nan")
    return out, err, code, peak


def conv_flops(batch, cin, cout, height, width, _pool):
    return 2 * batch * cout * cin * 9 * (height - 2) * (width - 2)


def prepare(build, shape, dtype, workdir):
    batch, cin, cout, height, width, pool = shape
    linalg = subprocess.run(
        [sys.executable, os.path.join(ROOT, "utils", "conv2d-linalg.py"),
         "--batch", str(batch), "--in-channels", str(cin), "--out-channels",
         str(cout), "--height", str(height), "--width", str(width), "--pool",
         str(pool), "--dtype", dtype],
        check=True, capture_output=True, text=True).stdout
    nki_opt = os.path.join(build, "bin", "nki-opt")
    files = {}
    naive = os.path.join(workdir, "naive.mlir")
    subprocess.run([nki_opt, "--nki-import", "-o", naive],
                   input=linalg, check=True, capture_output=True, text=True)
    files["naive"] = naive
    for strategy in ("taps", "im2col"):
        files[strategy] = os.path.join(workdir, strategy + ".mlir")
        subprocess.run([nki_opt, naive, f"--nki-optimize=conv-strategy={strategy}",
                        "-o", files[strategy]], check=True, capture_output=True)
    rng = np.random.default_rng(0)
    inputs = []
    for name, dims in (("x", (batch, cin, height, width)),
                       ("w", (cout, cin, 3, 3)), ("b", (cout,))):
        path = os.path.join(workdir, name + ".npy")
        np.save(path, rng.random(dims, dtype=np.float32))
        inputs.append(path)
    return files, inputs


def time_nki(build, kernel, inputs, threads, repeat, tolerance, output=None,
             reference=False, extra=()):
    cmd = [os.path.join(build, "bin", "nki-run"), kernel, "--inputs",
           ",".join(inputs), "--repeat", str(repeat), "--num-threads",
           str(threads), "--rtol", str(tolerance), "--atol", str(tolerance)]
    cmd += list(extra)
    if output:
        cmd += ["--output", output]
    if reference:
        cmd.append("--time-reference")
    out, err, code, peak = peak_rss_run(cmd)
    label = "reference time" if reference else "time"
    timing = re.search(rf"^{label}: min [\d.]+ s, median ([\d.]+) s", out, re.M)
    compile_s = re.search(r"^compile: ([\d.]+) s", out, re.M)
    if code != 0 or "PASS" not in out or not timing:
        return {"error": (out + err).strip().splitlines()[-1:] or ["failed"]}
    return {"median": float(timing.group(1)), "peak": peak,
            "compile": None if reference else float(compile_s.group(1))}


PYTORCH = r"""
import statistics, sys, time
import numpy as np
import torch
import torch.nn.functional as F
threads, pool, dtype, repeat, x, w, b, expected, tol = sys.argv[1:]
torch.set_num_threads(int(threads))
kind = {"f32": torch.float32, "bf16": torch.bfloat16}[dtype]
x, w, b = (torch.from_numpy(np.load(p)).to(kind) for p in (x, w, b))
pool = int(pool)
def step():
    y = F.conv2d(x, w, b)
    return F.max_pool2d(y, pool) if pool > 1 else y
with torch.no_grad():
    try:
        y = step()
    except RuntimeError as error:
        print("UNSUPPORTED", str(error).splitlines()[0]); sys.exit(0)
    got = y.float().numpy()
    want = np.load(expected)
    tol = float(tol)
    if not np.allclose(got, want, rtol=tol, atol=tol):
        print("MISMATCH max abs error", float(np.abs(got - want).max())); sys.exit(1)
    step()
    times = []
    for _ in range(int(repeat)):
        start = time.perf_counter(); step(); times.append(time.perf_counter() - start)
print("median", statistics.median(times))
"""


def time_pytorch(shape, dtype, inputs, expected, threads, repeat, tolerance):
    out, err, code, peak = peak_rss_run(
        ["/usr/bin/python3", "-c", PYTORCH, str(threads), str(shape[5]), dtype,
         str(repeat)] + inputs + [expected, str(tolerance)])
    if "No module named 'torch'" in err:
        return {"error": ["python3-torch is not installed"]}
    if "UNSUPPORTED" in out:
        return {"error": ["PyTorch: " + out.split("UNSUPPORTED", 1)[1].strip()]}
    match = re.search(r"median ([\d.eE-]+)", out)
    if code != 0 or not match:
        return {"error": (out + err).strip().splitlines()[-1:] or ["failed"]}
    return {"median": float(match.group(1)), "peak": peak, "compile": None}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--quick", action="store_true",
                        help="two small shapes, f32 only (a smoke test)")
    parser.add_argument("--dtypes", default="f32,bf16",
                        help="element types to run (default: f32,bf16)")
    parser.add_argument("--markdown", help="also write the table to FILE")
    args = parser.parse_args()
    dtypes = args.dtypes.split(",")
    shapes = QUICK_SHAPES if args.quick else SHAPES
    jobs = [(s, "f32") for s in shapes] if "f32" in dtypes else []
    if not args.quick and "bf16" in dtypes:
        jobs += [(s, "bf16") for s in BF16_SHAPES]
    model, features = host_cpu()
    bf16_kernel = host_bf16_kernel(features)
    machine = (f"{model} ({os.cpu_count()} CPUs; {' '.join(features)}), "
               f"{args.threads} threads, bf16 matmuls on {bf16_kernel}")
    print(f"benchmark: {len(jobs)} shapes on {machine}; each line is one "
          "process", flush=True)
    rows = []
    for shape, dtype in jobs:
        batch, cin, cout, height, width, pool = shape
        name = f"{batch}x{cin}x{height}x{width} -> {cout}, pool {pool}, {dtype}"
        big = height * width > 10000
        tolerance = 1e-2 if dtype == "bf16" else 1e-4
        flops = conv_flops(*shape)
        with tempfile.TemporaryDirectory() as workdir:
            files, inputs = prepare(args.build, shape, dtype, workdir)
            expected = os.path.join(workdir, "taps-out.npy")
            results = {}
            variants = ["taps", "im2col", "naive", "linalg", "pytorch"]
            if dtype == "bf16" and bf16_kernel != "fma":
                variants.insert(2, "taps-fma")
            for variant in variants:
                slow = variant in ("naive", "linalg") and big
                # Millisecond kernels get more runs: their medians wander.
                repeat = 1 if slow else 5 if big else 20
                print(f"  {name}: {variant} ...", end="", flush=True)
                if variant == "pytorch":
                    r = time_pytorch(shape, dtype, inputs, expected, args.threads,
                                     repeat, tolerance)
                elif variant == "linalg":
                    r = time_nki(args.build, files["taps"], inputs, args.threads,
                                 repeat, tolerance, reference=True)
                elif variant == "taps-fma":
                    r = time_nki(args.build, files["taps"], inputs, args.threads,
                                 repeat, tolerance, extra=["--bf16-matmuls=fma"])
                else:
                    r = time_nki(args.build, files[variant], inputs, args.threads,
                                 repeat, tolerance,
                                 output=expected if variant == "taps" else None)
                r["repeat"] = repeat
                results[variant] = r
                if "error" in r:
                    print(" skipped:", r["error"][0], flush=True)
                else:
                    print(f" {r['median'] * 1e3:.3f} ms, {flops / r['median'] * 1e-9:.1f} "
                          f"GFLOP/s", flush=True)
            torch_time = results["pytorch"].get("median")
            for variant, r in results.items():
                rows.append((name, variant, r, flops, torch_time))

    header = ("| shape | variant | median ms | GFLOP/s | vs PyTorch | peak MiB "
              "| compile s |\n| --- | --- | --- | --- | --- | --- | --- |")
    lines = [header]
    for name, variant, r, flops, torch_time in rows:
        if "error" in r:
            lines.append(f"| {name} | {variant} | skipped: {r['error'][0]} "
                         "| | | | |")
            continue
        ratio = f"{torch_time / r['median']:.2f}x" if torch_time else "n/a"
        compile_s = f"{r['compile']:.3f}" if r["compile"] is not None else ""
        lines.append(f"| {name} | {variant} | {r['median'] * 1e3:.3f} "
                     f"(of {r['repeat']}) | {flops / r['median'] * 1e-9:.1f} | "
                     f"{ratio} | {r['peak']:.0f} | {compile_s} |")
    table = f"Ran on {machine}.\n\n" + "\n".join(lines)
    print()
    print(table)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
