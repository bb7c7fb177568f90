#!/usr/bin/env python3
"""Seeded random conv2d layers in the forms front ends emit, checked end to
end (the differential sweep of issue 13).

  random-layers.py generate SEED            print the layer's function
  random-layers.py check SEEDS --bin DIR    import each, run it naive and after
                                            nki-optimize with both strategies,
                                            and bufferized by upstream passes
                                            first (the memref form), against
                                            its own upstream lowering

SEEDS is a list of numbers and ranges (1 5 10-20), pooling seeds (p1,
p3-9: a standalone pooling layer each), conv + pooling seeds (c1, c3-9: a
conv layer followed by a pooling drawn like a standalone one, which is not
fused at eviction), or saved layer files (.mlir), checked the same way. Each seed draws a layout
(NCHW x FCHW, NHWC x HWCF, NHWC x FHWC; or a depthwise conv, NCHW x CHW or
NHWC x HWC), sizes, stride, dilation, padding per
side, a bias form (none, linalg.broadcast, linalg.generic, added after the
conv), a ReLU form, a max-pool (either layout), bf16 operands with an f32 result, and
the order of the function's arguments, and a caller-provided init that
the conv accumulates into.
"""
import argparse
import importlib.util
import os
import random
import subprocess
import sys
import tempfile

# The linalg text that utils/conv2d-linalg.py writes too.
_spec = importlib.util.spec_from_file_location(
    "conv2d_linalg", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                  "conv2d-linalg.py"))
conv2d_linalg = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(conv2d_linalg)

ID = "affine_map<(a, b, c, d) -> (a, b, c, d)>"
# Upstream one-shot bufferization to out-parameters: the memref form.
BUFFERIZE = ["--one-shot-bufferize=bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map",
             "--buffer-results-to-out-params=modify-public-functions", "--canonicalize"]
PAR = '["parallel", "parallel", "parallel", "parallel"]'


def shape(dims, elt):
    return "tensor<" + "x".join(str(d) for d in dims) + "x" + elt + ">"


def draw(seed):
    r = random.Random(seed)
    k = {}
    k["layout"] = r.choice(["nchw_fchw", "nhwc_hwcf", "nhwc_fhwc"])
    k["n"] = r.choice([1, 1, 2])
    k["ic"] = r.choice([1, 3, 8, 17, 130]) if r.random() < 0.3 else r.randint(1, 20)
    k["oc"] = r.choice([5, 16, 129]) if r.random() < 0.3 else r.randint(1, 20)
    k["fh"], k["fw"] = r.randint(1, 4), r.randint(1, 4)
    k["sh"], k["sw"] = r.choice([1, 1, 2, 3]), r.choice([1, 1, 2, 3])
    k["dh"], k["dw"] = r.choice([1, 1, 1, 2]), r.choice([1, 1, 1, 2])
    k["pad"] = [r.choice([0, 0, 1, 2, 3]) for _ in range(4)] if r.random() < 0.7 else [0] * 4
    k["h"], k["w"] = r.randint(2, 14), r.randint(2, 14)
    k["bias"] = r.choice(["none", "broadcast", "generic", "after"])
    k["relu"] = r.choice(["none", "maximumf", "select"])
    k["pool"] = r.choice([1, 1, 2]) if k["layout"] == "nchw_fchw" else 1
    k["bf16"] = r.random() < 0.2
    k["order"] = r.sample(["x", "w", "b"], 3)
    # Drawn last, so that earlier seeds keep their other knobs: a
    # caller-provided init the conv accumulates into (not with a bias
    # carried by the init).
    k["init"] = r.random() < 0.25 and k["bias"] in ("none", "after")
    position = r.randrange(4)
    if k["init"]:
        k["order"].insert(position, "i")
    # Also drawn late: a max-pool after an NHWC conv (pooling_nhwc_max),
    # kept only where the conv plane is big enough.
    nhwc_pool = r.random() < 0.3 and k["layout"] != "nchw_fchw"
    ch = (k["h"] + k["pad"][0] + k["pad"][1] - k["dh"] * (k["fh"] - 1) - 1) // k["sh"] + 1
    cw = (k["w"] + k["pad"][2] + k["pad"][3] - k["dw"] * (k["fw"] - 1) - 1) // k["sw"] + 1
    if ch < k["pool"] or cw < k["pool"] or ch < 1 or cw < 1:
        return draw(seed + 1000003)
    if nhwc_pool and ch >= 2 and cw >= 2:
        k["pool"] = 2
    k["ch"], k["cw"] = ch, cw
    # Drawn last: a depthwise conv (one filter per channel; NCHW x CHW or
    # NHWC x HWC), whose output channels are its input channels.
    k["depthwise"] = r.random() < 0.2
    if k["depthwise"]:
        k["oc"] = k["ic"]
    return k


def knobs(k):
    return ", ".join(f"{key}={k[key]}" for key in
                     ["layout", "n", "ic", "oc", "h", "w", "fh", "fw", "sh", "sw",
                      "dh", "dw", "pad", "bias", "relu", "pool", "bf16", "order", "init",
                      "depthwise"])


def generate(seed, pooling=None):
    """A conv layer; with `pooling` (a random.Random), followed by a pooling
    of its own, drawn like a standalone one (the c seeds)."""
    k = draw(seed)
    if pooling:
        k["pool"], k["init"] = 1, False
        k["order"] = [a for a in k["order"] if a != "i"]
    last = k["layout"] != "nchw_fchw"
    op = "bf16" if k["bf16"] else "f32"
    xs = [k["n"], k["h"], k["w"], k["ic"]] if last else [k["n"], k["ic"], k["h"], k["w"]]
    ws = {"nchw_fchw": [k["oc"], k["ic"], k["fh"], k["fw"]],
          "nhwc_hwcf": [k["fh"], k["fw"], k["ic"], k["oc"]],
          "nhwc_fhwc": [k["oc"], k["fh"], k["fw"], k["ic"]]}[k["layout"]]
    conv = f"conv_2d_{k['layout']}"
    if k["depthwise"]:
        ws = [k["fh"], k["fw"], k["ic"]] if last else [k["ic"], k["fh"], k["fw"]]
        conv = "depthwise_conv_2d_nhwc_hwc" if last else "depthwise_conv_2d_nchw_chw"
    cs = [k["n"], k["ch"], k["cw"], k["oc"]] if last else [k["n"], k["oc"], k["ch"], k["cw"]]
    cdim = "d" if last else "b"
    chan = f"affine_map<(a, b, c, d) -> ({cdim})>"
    hdim, wdim = (1, 2) if last else (2, 3)
    args = {"x": f"%x: {shape(xs, op)}", "w": f"%w: {shape(ws, op)}",
            "b": f"%b: tensor<{k['oc']}xf32>"}
    use_bias = k["bias"] != "none"
    args["i"] = f"%i: {shape(cs, 'f32')}"
    order = [a for a in k["order"] if use_bias or a != "b"]
    pooled = [k["ch"] // k["pool"], k["cw"] // k["pool"]]
    ps = (cs if k["pool"] == 1 else [k["n"]] + pooled + [k["oc"]] if last
          else [k["n"], k["oc"]] + pooled)
    if pooling:
        comment, pool_lines, ps = draw_pooling(pooling, k["n"], k["oc"], k["ch"], k["cw"], last)
    L = [f"// random-layers seed {seed}: {knobs(k)}",
         f"func.func @layer({', '.join(args[a] for a in order)}) -> {shape(ps, 'f32')} {{",
         "  %zero = arith.constant 0.0 : f32",
         f"  %zop = arith.constant 0.0 : {op}",
         f"  %e = tensor.empty() : {shape(cs, 'f32')}"]
    x = "%x"
    if any(k["pad"]):
        low = [0, 0, 0, 0]
        high = [0, 0, 0, 0]
        low[hdim], high[hdim], low[wdim], high[wdim] = k["pad"]
        pxs = list(xs)
        pxs[hdim] += k["pad"][0] + k["pad"][1]
        pxs[wdim] += k["pad"][2] + k["pad"][3]
        L += [f"  %xp = tensor.pad %x low{low} high{high} {{",
              "  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):",
              f"    tensor.yield %zop : {op}",
              f"  }} : {shape(xs, op)} to {shape(pxs, op)}"]
        x, xs = "%xp", pxs
    if k["bias"] == "broadcast":
        dims = [0, 1, 2] if last else [0, 2, 3]
        L.append(f"  %init = linalg.broadcast ins(%b : tensor<{k['oc']}xf32>) outs(%e : {shape(cs, 'f32')}) dimensions = {dims}")
    elif k["bias"] == "generic":
        L += [f"  %init = linalg.generic {{indexing_maps = [{chan}, {ID}], iterator_types = {PAR}}} ins(%b : tensor<{k['oc']}xf32>) outs(%e : {shape(cs, 'f32')}) {{",
              "  ^bb0(%in: f32, %o: f32):", "    linalg.yield %in : f32",
              f"  }} -> {shape(cs, 'f32')}"]
    elif not k["init"]:
        L.append(f"  %init = linalg.fill ins(%zero : f32) outs(%e : {shape(cs, 'f32')}) -> {shape(cs, 'f32')}")
    L += [f"  %c = linalg.{conv} {{dilations = dense<[{k['dh']}, {k['dw']}]> : vector<2xi64>, strides = dense<[{k['sh']}, {k['sw']}]> : vector<2xi64>}}",
          f"      ins({x}, %w : {shape(xs, op)}, {shape(ws, op)}) outs({'%i' if k['init'] else '%init'} : {shape(cs, 'f32')}) -> {shape(cs, 'f32')}"]
    v = "%c"
    if k["bias"] == "after":
        L += [f"  %ba = linalg.generic {{indexing_maps = [{ID}, {chan}, {ID}], iterator_types = {PAR}}} ins({v}, %b : {shape(cs, 'f32')}, tensor<{k['oc']}xf32>) outs(%e : {shape(cs, 'f32')}) {{",
              "  ^bb0(%in: f32, %bb: f32, %o: f32):", "    %s = arith.addf %in, %bb : f32",
              "    linalg.yield %s : f32", f"  }} -> {shape(cs, 'f32')}"]
        v = "%ba"
    if k["relu"] != "none":
        body = ("    %r = arith.maximumf %in, %zero : f32" if k["relu"] == "maximumf" else
                "    %p = arith.cmpf ugt, %in, %zero : f32\n    %r = arith.select %p, %in, %zero : f32")
        L += [f"  %rl = linalg.generic {{indexing_maps = [{ID}, {ID}], iterator_types = {PAR}}} ins({v} : {shape(cs, 'f32')}) outs(%e : {shape(cs, 'f32')}) {{",
              "  ^bb0(%in: f32, %o: f32):", body, "    linalg.yield %r : f32",
              f"  }} -> {shape(cs, 'f32')}"]
        v = "%rl"
    if k["pool"] > 1:
        L += conv2d_linalg.tensor_max_pool(v, shape(cs, "f32"), shape(ps, "f32"),
                                           k["pool"], "f32", "nhwc" if last else "nchw")
        v = "%pool"
    if pooling:
        L.insert(0, comment)
        lines, v = pool_lines(v)
        L += lines
    L += [f"  return {v} : {shape(ps, 'f32')}", "}"]
    return "\n".join(L) + "\n"


def generate_conv_pool(seed):
    """A conv layer (c seeds) followed by a pooling that is not fused at
    eviction: a standalone pooling's knobs applied to the conv's result."""
    return generate(seed, random.Random(f"convpool{seed}"))


def draw_pooling(r, n, c, h, w, last, kind=None):
    """Knobs of a pooling of an [n, c, h, w] (or NHWC) f32 value: a comment,
    a function emitting its lines from the value's name (returning them and
    the result's name), and the result's shape."""
    kind = kind or r.choice(["max", "sum"])
    kh, kw = r.randint(1, 3), r.randint(1, 3)
    sh, sw = r.randint(1, 3), r.randint(1, 3)
    dh, dw = r.choice([1, 1, 2]), r.choice([1, 1, 2])
    pad = [r.randint(0, kh - 1), r.randint(0, kh - 1), r.randint(0, kw - 1), r.randint(0, kw - 1)]
    ph, pw = h + pad[0] + pad[1], w + pad[2] + pad[3]
    oh, ow = (ph - dh * (kh - 1) - 1) // sh + 1, (pw - dw * (kw - 1) - 1) // sw + 1
    if oh < 1 or ow < 1:
        kh = kw = dh = dw = 1
        oh, ow = (ph - 1) // sh + 1, (pw - 1) // sw + 1
    identity = "0xFF800000" if kind == "max" else "0.0"
    pad_value = identity if r.random() < 0.8 else "0.25"
    init = identity if r.random() < 0.8 else "0.5"
    scaled = kind == "sum" and r.random() < 0.6
    dims = (lambda rows, cols: [n, rows, cols, c]) if last else (lambda rows, cols: [n, c, rows, cols])
    x, p, o = shape(dims(h, w), "f32"), shape(dims(ph, pw), "f32"), shape(dims(oh, ow), "f32")
    comment = (f"// pool: kind={kind}, nhwc={last}, c={c}, window={kh}x{kw}, stride={sh}x{sw}, "
               f"dilation={dh}x{dw}, pad={pad}, pad_value={pad_value}, init={init}, scaled={scaled}")

    def lines(v):
        L = [f"  %pv = arith.constant {pad_value} : f32", f"  %iv = arith.constant {init} : f32"]
        if any(pad):
            lo, hi = ([0, pad[0], pad[2], 0], [0, pad[1], pad[3], 0]) if last else ([0, 0, pad[0], pad[2]], [0, 0, pad[1], pad[3]])
            L += [f"  %xp2 = tensor.pad {v} low{lo} high{hi} {{",
                  "  ^bb0(%a: index, %b2: index, %c2: index, %d: index):",
                  "    tensor.yield %pv : f32", f"  }} : {x} to {p}"]
            v = "%xp2"
        L += [f"  %pe = tensor.empty() : {o}",
              f"  %pinit = linalg.fill ins(%iv : f32) outs(%pe : {o}) -> {o}",
              f"  %win = tensor.empty() : tensor<{kh}x{kw}xf32>",
              f"  %pr = linalg.pooling_{'nhwc' if last else 'nchw'}_{kind} {{dilations = dense<[{dh}, {dw}]> : vector<2xi64>, "
              f"strides = dense<[{sh}, {sw}]> : vector<2xi64>}} ins({v}, %win : {p}, tensor<{kh}x{kw}xf32>) outs(%pinit : {o}) -> {o}"]
        v = "%pr"
        if scaled:
            L += [f"  %k = arith.constant {kh * kw}.0 : f32", f"  %e2 = tensor.empty() : {o}",
                  f"  %avg = linalg.generic {{indexing_maps = [{ID}, {ID}], iterator_types = {PAR}}} ins(%pr : {o}) outs(%e2 : {o}) {{",
                  "  ^bb0(%in: f32, %out: f32):", "    %q = arith.divf %in, %k : f32", "    linalg.yield %q : f32",
                  f"  }} -> {o}"]
            v = "%avg"
        return L, v

    return comment, lines, dims(oh, ow)


def generate_pool(seed):
    """A standalone pooling layer as torch-mlir / TOSA paths emit it: max or
    sum (maybe divided by the window size), NCHW or NHWC, any window, stride,
    dilation, padding per side, pad and init values (mostly the identity)."""
    r = random.Random(f"pool{seed}")
    kind, last = r.choice(["max", "sum"]), r.random() < 0.3
    n, c = r.choice([1, 2]), r.choice([1, 3, 64, 128, 130, 257])
    h, w = r.randint(3, 12), r.randint(3, 12)
    x = shape([n, h, w, c] if last else [n, c, h, w], "f32")
    comment, lines, o = draw_pooling(r, n, c, h, w, last, kind)
    body, v = lines("%x")
    return "\n".join([comment, f"func.func @pool(%x: {x}) -> {shape(o, 'f32')} {{"] + body +
                     [f"  return {v} : {shape(o, 'f32')}", "}"]) + "\n"


def check(seeds, bindir, keep):
    opt, run = os.path.join(bindir, "nki-opt"), os.path.join(bindir, "nki-run")
    failures, runs = 0, 0
    for seed in seeds:
        # A seed, or a saved layer (a seed's layer from before its knobs
        # changed, kept as the regression it found).
        if isinstance(seed, str) and seed.startswith("p"):
            text = generate_pool(int(seed[1:]))
        elif isinstance(seed, str) and seed.startswith("c"):
            text = generate_conv_pool(int(seed[1:]))
        else:
            text = open(seed).read() if isinstance(seed, str) else generate(seed)
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "layer.mlir")
            with open(src, "w") as f:
                f.write(text)
            tol = ["--rtol", "1e-2", "--atol", "1e-2"] if "bf16=True" in text else ["--rtol", "1e-4", "--atol", "1e-5"]
            # memref: the layer bufferized by upstream passes first, as an
            # embedding compiler on memrefs hands it over.
            variants = [("naive", None)] + [(s, s) for s in ("taps", "im2col")]
            if "linalg.conv" in text or "linalg.depthwise" in text:
                variants.append(("memref", "taps"))
            # windows: a tiny SBUF budget, so that padded images are loaded
            # in windows of rows and the caches stay small.
            if "tensor.pad" in text:
                variants.append(("windows", "taps sbuf-budget=256"))
            for label, strategy in variants:
                runs += 1
                if strategy:
                    kernel = os.path.join(tmp, f"{label}.mlir")
                    bufferize = BUFFERIZE if label == "memref" else []
                    p = subprocess.run([opt, src] + bufferize + ["--nki-import", f"--nki-optimize=conv-strategy={strategy}", "-o", kernel],
                                       capture_output=True, text=True)
                    cmd = [run, kernel, "--reference", src] + tol
                    if p.returncode != 0:
                        print(f"seed {seed} {label}: nki-opt failed: {p.stderr.strip()[:300]}")
                        failures += 1
                        continue
                else:
                    cmd = [run, src] + tol
                p = subprocess.run(cmd, capture_output=True, text=True)
                if p.returncode != 0 or "PASS:" not in p.stdout:
                    failures += 1
                    print(f"seed {seed} {label}: FAILED: {(p.stdout + p.stderr).strip().splitlines()[-1:]}")
                    if keep:
                        os.makedirs(keep, exist_ok=True)
                        with open(os.path.join(keep, f"layer{os.path.basename(str(seed))}.mlir"), "w") as f:
                            f.write(text)
    print(f"random-layers: {len(seeds)} layers, {runs} runs, {failures} failures")
    return failures


def parse_seeds(items):
    seeds = []
    for item in items:
        if item.endswith(".mlir"):
            seeds.append(item)
            continue
        if item[0] in "pc":
            lo, _, hi = item[1:].partition("-")
            seeds += [f"{item[0]}{s}" for s in range(int(lo), int(hi or lo) + 1)]
            continue
        lo, _, hi = item.partition("-")
        seeds += range(int(lo), int(hi or lo) + 1)
    return seeds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["generate", "check"])
    ap.add_argument("seeds", nargs="+")
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--keep", help="directory for the layers that fail")
    a = ap.parse_args()
    seeds = parse_seeds(a.seeds)
    if a.command == "generate":
        for s in seeds:
            s = str(s)
            sys.stdout.write(generate_pool(int(s[1:])) if s[0] == "p" else
                             generate_conv_pool(int(s[1:])) if s[0] == "c" else generate(int(s)))
        return 0
    return 1 if check(seeds, a.bin, a.keep) else 0


if __name__ == "__main__":
    sys.exit(main())
