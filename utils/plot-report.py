#!/usr/bin/python3
"""Sweeps image sizes through nki-report and plots HBM traffic and modelled
trn2 latency of the naive and the nki-optimize'd conv kernel (both conv
strategies, taps and im2col) into docs/.

  utils/plot-report.py [--build build] [--sizes 32,64,...] [--out docs]

Needs Debian's python3-matplotlib (apt-get install python3-matplotlib).
Batch 1, 256 -> 256 channels, 3x3 filter, pool 1, f32, as the CS149
performance test; the image is SIZE x SIZE.
"""
import argparse
import json
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def report(build, size, variant):
    linalg = subprocess.run(
        [sys.executable, os.path.join(ROOT, "utils", "conv2d-linalg.py"),
         "--in-channels", "256", "--out-channels", "256",
         "--height", str(size), "--width", str(size)],
        check=True, capture_output=True, text=True).stdout
    nki_opt = os.path.join(build, "bin", "nki-opt")
    passes = ["--nki-import"]
    if variant != "naive":
        passes.append(f"--nki-optimize=conv-strategy={variant}")
    kernel = subprocess.run([nki_opt] + passes, input=linalg, check=True,
                            capture_output=True, text=True).stdout
    out = subprocess.run([nki_opt, "--nki-report=json=true", "-o", os.devnull,
                          "-mlir-print-op-on-diagnostic=false"],
                         input=kernel, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--sizes", default="32,64,96,128,160,192,224,256")
    p.add_argument("--out", default=os.path.join(ROOT, "docs"))
    a = p.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    rows = {"naive": [], "taps": [], "im2col": []}
    kept = []
    for size in sizes:
        try:
            pair = {name: report(a.build, size, name) for name in rows}
        except subprocess.CalledProcessError:
            # The naive kernel keeps a whole out_h x out_w plane in one SBUF
            # buffer; past ~230x230 fp32 no such buffer exists.
            print(f"{size:4d} skipped: a single buffer of the naive kernel exceeds SBUF")
            continue
        kept.append(size)
        for name, r in pair.items():
            rows[name].append(r)
        for name, r in pair.items():
            print(f"{size:4d} {name:6s} loads {r['hbm_to_sbuf']['bytes']:>14d} B "
                  f"compulsory {r['compulsory_load_bytes']:>11d} B "
                  f"modelled {r['modelled_us']:>10.1f} us fits {r['fits']}")
    sizes = kept

    def plot(key, ylabel, filename, extra=None):
        fig, ax = plt.subplots(figsize=(6.4, 4.2))
        for name, style in (("naive", "o-"), ("taps", "s-"), ("im2col", "^-")):
            ys = [key(r) for r in rows[name]]
            label = name if name == "naive" else f"optimized ({name})"
            ax.plot(sizes, ys, style, label=label)
            for x, y, r in zip(sizes, ys, rows[name]):
                if not r["fits"]:
                    ax.plot([x], [y], "rx", markersize=10)
        if extra:
            extra(ax)
        ax.set_xlabel("image size (H = W), batch 1, 256 -> 256, 3x3, fp32")
        ax.set_ylabel(ylabel)
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(title="red x: does not fit SBUF")
        fig.tight_layout()
        fig.savefig(os.path.join(a.out, filename), dpi=100)

    plot(lambda r: r["hbm_to_sbuf"]["bytes"], "HBM -> SBUF bytes",
         "report-traffic.png",
         lambda ax: ax.plot(sizes, [r["compulsory_load_bytes"] for r in rows["naive"]],
                            "k--", label="compulsory"))
    plot(lambda r: r["modelled_us"], "modelled trn2 latency (us)",
         "report-latency.png",
         lambda ax: ax.plot(sizes, [r["roofline_us"] for r in rows["naive"]],
                            "k--", label="Tensor-Engine roofline"))
    print("wrote", os.path.join(a.out, "report-traffic.png"), "and",
          os.path.join(a.out, "report-latency.png"))


if __name__ == "__main__":
    main()
