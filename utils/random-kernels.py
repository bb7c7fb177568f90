#!/usr/bin/env python3
"""Random program tester for the NKI passes (in the spirit of Csmith).

Generates seeded, legal NKI kernels (naive conv2d + bias [+ max-pool] kernels
written in the dialect with random shapes, channel tiles, partition sizes,
filter-loop orders, guards, and extra in-place writes and reads through
views; and random linalg convs through the importer), then checks each:

  * every pass of nki-optimize alone on the kernel, every pass on the output
    of the passes before it, and both nki-optimize strategies: the output
    verifies (nki-opt exits 0, no crash) and, where the IR changed, runs to
    the same output as the kernel (nki-run, same inputs);
  * kernels that record nki.conv2d also match the upstream linalg reference;
  * the kernel and its nki-optimize output, written as NKI Python
    (nki-translate --nki-to-python) and traced back (nki-py --trace), run
    to the same output (kernels with an scf.if guard are not expressible
    and are skipped).

  utils/random-kernels.py generate SEED           print one kernel
  utils/random-kernels.py check SEED [SEED...]    test kernels, print figures
  utils/random-kernels.py check-file FILE.mlir    test one kernel file
  utils/random-kernels.py reduce SEED -o FILE     shrink a failing kernel

Options: --bin DIR (nki-opt, nki-run, nki-translate, nki-py; default build/bin), --keep DIR (write
each failing kernel there). Exit status 1 when any check failed.
"""
import argparse
import copy
import os
import random
import re
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# nki-optimize's passes in pipeline order (taps strategy), and the two
# pipelines.
PASSES = [
    "nki-fold-copy-loops", "nki-batch-writeback", "nki-align-partitions",
    "nki-load-slices", "nki-share-tap-loads", "nki-hoist-transposes",
    "canonicalize", "nki-hoist-loads", "nki-group-row-blocks",
    "nki-fold-loop-constants", "canonicalize", "nki-forward-copies",
    "nki-pack-contraction", "nki-fuse-eviction", "nki-fuse-scratch-consumers",
    "nki-drop-unread-columns",
]
IM2COL_TAIL = ["nki-forward-copies{into-matmul=false}", "nki-im2col"]
PIPELINES = ["nki-optimize", "nki-optimize{conv-strategy=im2col}"]

RTOL, ATOL = 1e-4, 1e-3
CONV_ATTR = re.compile(r" attributes \{nki\.conv2d = #nki\.conv2d<pool = \d+>\}")


# --------------------------------------------------------------------------
# Kernel generation


class Conv:
    """Parameters of one naive conv kernel; every field is a knob."""

    def __init__(self, rng):
        self.ct = rng.choice([32, 64, 128])               # channel tile
        self.batch = rng.choice([1, 2])
        self.cin = self.ct * rng.choice([1, 2])
        self.cout = self.ct * rng.choice([1, 2])
        self.fh, self.fw = rng.choice([1, 2, 3]), rng.choice([1, 2, 3])
        self.pool = rng.choice([1, 1, 2])
        oh = rng.randint(1, 6) * self.pool
        ow = rng.randint(1, 8) * self.pool
        self.h, self.w = oh + self.fh - 1, ow + self.fw - 1
        self.p = rng.choice([64, 128, 256, 512])          # partition size
        self.order = rng.sample(["ic", "fh", "fw"], 3)    # filter-loop nest
        n = oh * ow
        # Partitions that tile the positions exactly (guards may go), whether
        # or not they hold whole rows.
        exact = [n // k for k in (1, 2, 3, 4)
                 if n % k == 0 and ow <= n // k <= 512]
        if exact and rng.random() < 0.4:
            self.p = rng.choice(exact)
        # Guards may go only where every partition is full.
        self.guard_copy = n % self.p != 0 or rng.random() < 0.5
        self.guard_store = n % self.p != 0 or rng.random() < 0.5
        self.signed_div = rng.random() < 0.3              # divsi/remsi
        # Extra ops, each legal; the passes must see them.
        self.scale_plane = rng.random() < 0.2             # in-place update
        self.zero_row = rng.random() < 0.15               # memset one row
        self.read_view = rng.random() < 0.2               # tile read twice

    @property
    def oh(self):
        return self.h - self.fh + 1

    @property
    def ow(self):
        return self.w - self.fw + 1

    def describe(self):
        return ", ".join(f"{k}={v}" for k, v in vars(self).items())

    def mutated(self):
        return self.scale_plane or self.zero_row or self.read_view


def conv_kernel(c):
    """The naive kernel, as examples/conv2d_naive.mlir writes it."""
    oh, ow, n, p, ct = c.oh, c.ow, c.oh * c.ow, c.p, c.ct
    ohp, owp = oh // c.pool, ow // c.pool
    nsp = -(-n // p)
    f = "f32"
    X = f"memref<{c.batch}x{c.cin}x{c.h}x{c.w}x{f}>"
    W = f"memref<{c.cout}x{c.cin}x{c.fh}x{c.fw}x{f}>"
    OUT = f"memref<{c.batch}x{c.cout}x{ohp}x{owp}x{f}>"
    PLANE = f"memref<{c.batch}x{c.cout}x{oh}x{ow}x{f}>"
    SB = "#nki.mem<sbuf>"
    PS = "#nki.mem<psum>"
    tile = f"memref<{ct}x{p}x{f}, {SB}>"
    col = f"memref<{ct}x1x{f}, strided<[{p}, 1], offset: ?>, {SB}>"
    attr = "" if c.mutated() else \
        f" attributes {{nki.conv2d = #nki.conv2d<pool = {c.pool}>}}"
    L = [f"// {c.describe()}",
         f"func.func @kernel(%X: {X}, %W: {W}, %bias: memref<{c.cout}x{f}>, "
         f"%out: {OUT}){attr} {{"]
    consts = sorted({0, 1, c.batch, c.cout // ct, c.cin // ct, c.fh, c.fw,
                     ct, n, p, nsp, ow, ohp, c.pool})
    L += [f"  %c{v} = arith.constant {v} : index" for v in consts]
    L.append("  %half = arith.constant 0.5 : f32")
    plane = "%plane" if c.pool > 1 else "%out"
    if c.pool > 1:
        L.append(f"  %plane = memref.alloc() : {PLANE}")
    L.append(f"  scf.for %b = %c0 to %c{c.batch} step %c1 {{")
    L.append(f"    scf.for %oc = %c0 to %c{c.cout // ct} step %c1 {{")
    L.append(f"      %oc0 = arith.muli %oc, %c{ct} : index")
    L.append(f"      scf.for %sp = %c0 to %c{nsp} step %c1 {{")
    L.append(f"        %start = arith.muli %sp, %c{p} : index")
    L.append(f"        %rest = arith.subi %c{n}, %start : index")
    L.append(f"        %size = arith.minsi %rest, %c{p} : index")
    L.append(f"        %acc = memref.alloc() : memref<{ct}x{p}x{f}, {PS}>")
    L.append(f"        nki.memset %acc, 0.0 : memref<{ct}x{p}x{f}, {PS}>")
    ind = "        "
    trips = {"ic": c.cin // ct, "fh": c.fh, "fw": c.fw}
    for loop in c.order:
        L.append(f"{ind}scf.for %{loop} = %c0 to %c{trips[loop]} step %c1 {{")
        ind += "  "
    wt = f"memref<{ct}x{ct}x{f}, {SB}>"
    wsrc = (f"memref<{ct}x{ct}x{f}, strided<[{c.cin * c.fh * c.fw}, "
            f"{c.fh * c.fw}], offset: ?>>")
    xp = f"memref<{ct}x{oh}x{ow}x{f}, {SB}>"
    xsrc = f"memref<{ct}x{oh}x{ow}x{f}, strided<[{c.h * c.w}, {c.w}, 1], offset: ?>>"
    L += [f"{ind}%ic0 = arith.muli %ic, %c{ct} : index",
          f"{ind}%w_tile = memref.alloc() : {wt}",
          f"{ind}%w_src = memref.subview %W[%oc0, %ic0, %fh, %fw] [{ct}, {ct}, 1, 1] [1, 1, 1, 1] : {W} to {wsrc}",
          f"{ind}nki.dma_copy %w_src to %w_tile : {wsrc} to {wt}",
          f"{ind}%x_plane = memref.alloc() : {xp}",
          f"{ind}%x_src = memref.subview %X[%b, %ic0, %fh, %fw] [1, {ct}, {oh}, {ow}] [1, 1, 1, 1] : {X} to {xsrc}",
          f"{ind}nki.dma_copy %x_src to %x_plane : {xsrc} to {xp}"]
    if c.scale_plane:
        L.append(f"{ind}nki.tensor_scalar multiply %x_plane, %half to %x_plane : {xp}, f32 to {xp}")
    if c.zero_row:
        rowt = f"memref<{ct}x{ow}x{f}, strided<[{oh * ow}, 1], offset: {(oh - 1) * ow}>, {SB}>"
        L += [f"{ind}%x_row = memref.subview %x_plane[0, {oh - 1}, 0] [{ct}, 1, {ow}] [1, 1, 1] : {xp} to {rowt}",
              f"{ind}nki.memset %x_row, 0.0 : {rowt}"]
    flat = f"memref<{ct}x{n}x{f}, {SB}>"
    fcol = f"memref<{ct}x1x{f}, strided<[{n}, 1], offset: ?>, {SB}>"
    L += [f"{ind}%x_flat = memref.collapse_shape %x_plane [[0], [1, 2]] : {xp} into {flat}",
          f"{ind}%x_tile = memref.alloc() : {tile}",
          f"{ind}scf.for %i = %c0 to %c{p} step %c1 {{"]
    body = [f"%pos = arith.addi %start, %i : index",
            f"%src = memref.subview %x_flat[0, %pos] [{ct}, 1] [1, 1] : {flat} to {fcol}",
            f"%dst = memref.subview %x_tile[0, %i] [{ct}, 1] [1, 1] : {tile} to {col}",
            f"nki.tensor_copy %src to %dst : {fcol} to {col}"]
    L += guarded(body, c.guard_copy, ind + "  ")
    L.append(f"{ind}}} {{nki.affine_range}}")
    wp = f"memref<{ct}x{ct}x{f}, {PS}>"
    L += [f"{ind}%w_psum = memref.alloc() : {wp}",
          f"{ind}nki.transpose %w_tile into %w_psum : {wt} into {wp}",
          f"{ind}%w_t = memref.alloc() : {wt}",
          f"{ind}nki.tensor_copy %w_psum to %w_t : {wp} to {wt}",
          f"{ind}nki.matmul accumulate %w_t, %x_tile into %acc : {wt}, {tile} into memref<{ct}x{p}x{f}, {PS}>"]
    for _ in c.order:
        ind = ind[:-2]
        L.append(f"{ind}}} {{nki.affine_range}}")
    bt = f"memref<{ct}x1x{f}, {SB}>"
    bsrc = f"memref<{ct}x1x{f}, strided<[1, 1], offset: ?>>"
    L += [f"{ind}%res = memref.alloc() : {tile}",
          f"{ind}nki.tensor_copy %acc to %res : memref<{ct}x{p}x{f}, {PS}> to {tile}"]
    if c.read_view:
        first = f"memref<{ct}x1x{f}, strided<[{p}, 1]>, {SB}>"
        L += [f"{ind}%first = memref.subview %res[0, 0] [{ct}, 1] [1, 1] : {tile} to {first}",
              f"{ind}nki.tensor_scalar add %res, %first to %res : {tile}, {first} to {tile}"]
    L += [f"{ind}%bias_tile = memref.alloc() : {bt}",
          f"{ind}%bias2d = memref.expand_shape %bias [[0, 1]] output_shape [{c.cout}, 1] : memref<{c.cout}x{f}> into memref<{c.cout}x1x{f}>",
          f"{ind}%bias_src = memref.subview %bias2d[%oc0, 0] [{ct}, 1] [1, 1] : memref<{c.cout}x1x{f}> to {bsrc}",
          f"{ind}nki.dma_copy %bias_src to %bias_tile : {bsrc} to {bt}",
          f"{ind}nki.tensor_scalar add %res, %bias_tile to %res : {tile}, {bt} to {tile}"]
    div, rem = ("divsi", "remsi") if c.signed_div else ("divui", "remui")
    pt = PLANE if c.pool > 1 else OUT
    pcol = f"memref<{ct}x1x{f}, strided<[{oh * ow}, 1], offset: ?>>"
    L.append(f"{ind}scf.for %i = %c0 to %c{p} step %c1 {{")
    body = [f"%pos = arith.addi %start, %i : index",
            f"%oh = arith.{div} %pos, %c{ow} : index",
            f"%ow = arith.{rem} %pos, %c{ow} : index",
            f"%src = memref.subview %res[0, %i] [{ct}, 1] [1, 1] : {tile} to {col}",
            f"%dst = memref.subview {plane}[%b, %oc0, %oh, %ow] [1, {ct}, 1, 1] [1, 1, 1, 1] : {pt} to {pcol}",
            f"nki.dma_copy %src to %dst : {col} to {pcol}"]
    L += guarded(body, c.guard_store, ind + "  ")
    L.append(f"{ind}}} {{nki.affine_range}}")
    L += ["      } {nki.affine_range}", "    } {nki.affine_range}",
          "  } {nki.affine_range}"]
    if c.pool > 1:
        q = c.pool
        rows = f"memref<{ct}x{q}x{ow}x{f}, {SB}>"
        rsrc = f"memref<{ct}x{q}x{ow}x{f}, strided<[{oh * ow}, {ow}, 1], offset: ?>>"
        win = f"memref<{ct}x{q}x{owp}x{q}x{f}, {SB}>"
        pooled = f"memref<{ct}x{owp}x{f}, {SB}>"
        dst = f"memref<{ct}x{owp}x{f}, strided<[{ohp * owp}, 1], offset: ?>>"
        L += [f"  scf.for %b = %c0 to %c{c.batch} step %c1 {{",
              f"    scf.for %oc = %c0 to %c{c.cout // ct} step %c1 {{",
              f"      %oc0 = arith.muli %oc, %c{ct} : index",
              f"      scf.for %ph = %c0 to %c{ohp} step %c1 {{",
              f"        %row0 = arith.muli %ph, %c{q} : index",
              f"        %rows = memref.alloc() : {rows}",
              f"        %rows_src = memref.subview %plane[%b, %oc0, %row0, 0] [1, {ct}, {q}, {ow}] [1, 1, 1, 1] : {PLANE} to {rsrc}",
              f"        nki.dma_copy %rows_src to %rows : {rsrc} to {rows}",
              f"        %windows = memref.expand_shape %rows [[0], [1], [2, 3]] output_shape [{ct}, {q}, {owp}, {q}] : {rows} into {win}",
              f"        %pooled = memref.alloc() : {pooled}",
              f"        nki.tensor_reduce max %windows to %pooled axes = [1, 3] : {win} to {pooled}",
              f"        %dst = memref.subview %out[%b, %oc0, %ph, 0] [1, {ct}, 1, {owp}] [1, 1, 1, 1] : {OUT} to {dst}",
              f"        nki.dma_copy %pooled to %dst : {pooled} to {dst}",
              "      } {nki.affine_range}", "    } {nki.affine_range}",
              "  } {nki.affine_range}"]
    L += ["  return", "}"]
    return "\n".join(L) + "\n"


def guarded(body, guard, ind):
    if not guard:
        return [ind + line for line in body]
    return ([f"{ind}%in_range = arith.cmpi ult, %i, %size : index",
             f"{ind}scf.if %in_range {{"] +
            [ind + "  " + line for line in body] + [f"{ind}}}"])


def imported_conv(rng, tmp, tools):
    """A random linalg conv (utils/conv2d-linalg.py) through the importer."""
    shape = dict(batch=rng.choice([1, 2]), cin=rng.choice([3, 64, 128, 130]),
                 cout=rng.choice([16, 128, 200]), fh=rng.choice([1, 3]),
                 pool=rng.choice([1, 2]))
    shape["h"] = rng.randint(shape["fh"], 12) + shape["pool"]
    shape["w"] = rng.randint(shape["fh"], 12) + shape["pool"]
    linalg = os.path.join(tmp, "linalg.mlir")
    with open(linalg, "w") as out:
        subprocess.run(
            [sys.executable, os.path.join(ROOT, "utils", "conv2d-linalg.py"),
             "--batch", str(shape["batch"]), "--in-channels", str(shape["cin"]),
             "--out-channels", str(shape["cout"]), "--height", str(shape["h"]),
             "--width", str(shape["w"]), "--filter", str(shape["fh"]),
             "--pool", str(shape["pool"])], stdout=out, check=True)
    result = run([tools.opt, linalg, "--nki-import"])
    if result.returncode != 0:
        raise RuntimeError("the importer failed on " + str(shape) + ":\n" +
                           result.stderr)
    return f"// imported: {shape}\n" + result.stdout


def generate(seed, tmp=None, tools=None):
    rng = random.Random(seed)
    if tools is not None and rng.random() < 0.25:
        return imported_conv(rng, tmp, tools)
    return conv_kernel(Conv(rng))


# --------------------------------------------------------------------------
# Differential checking


class Tools:
    def __init__(self, bin_dir):
        self.opt = os.path.join(bin_dir, "nki-opt")
        self.run = os.path.join(bin_dir, "nki-run")
        self.translate = os.path.join(bin_dir, "nki-translate")
        self.py = os.path.join(bin_dir, "nki-py")


SIGNATURE = re.compile(r"func\.func @\w+\(([^)]*)\)")
MEMREF_ARG = re.compile(r"memref<((?:\d+x)+)(f32|bf16|f16)>")
PY_DEF = re.compile(r"def (\w+)\(([^)]*)\):")


def run(command, timeout=60):
    try:
        return subprocess.run(command, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, -999, "", "TIMEOUT")


class Checker:
    def __init__(self, tools, tmp):
        self.tools, self.tmp = tools, tmp
        self.failures = []
        self.stats = {}  # pass -> [runs, changed, compared]

    def stat(self, name, index):
        self.stats.setdefault(name, [0, 0, 0])[index] += 1

    def execute(self, path, tag, against_linalg=False):
        """Runs the kernel; its output array, or a failure message. Only the
        input kernel is checked against the linalg reference (compiling the
        reference for every variant would double the time)."""
        npy = os.path.join(self.tmp, tag + ".npy")
        if os.path.exists(npy):
            os.remove(npy)
        if not against_linalg:
            with open(path) as f:
                text = CONV_ATTR.sub("", f.read())
            path = os.path.join(self.tmp, tag + ".unchecked.mlir")
            with open(path, "w") as f:
                f.write(text)
        result = run([self.tools.run, path, "--output", npy])
        if not os.path.exists(npy):
            return None, "nki-run failed:\n" + result.stdout + result.stderr
        if "FAIL" in result.stdout:
            return None, "differs from the linalg reference:\n" + result.stdout
        return np.load(npy), None

    def optimize(self, source, passes, tag):
        """nki-opt with `passes`; the output path, or a failure message."""
        out = os.path.join(self.tmp, tag + ".mlir")
        pipeline = "builtin.module(func.func(" + ",".join(
            p for p in passes if not p.startswith("nki-optimize")) + "))"
        if passes[0].startswith("nki-optimize"):
            pipeline = "builtin.module(" + passes[0] + ")"
        result = run([self.tools.opt, source, "--pass-pipeline=" + pipeline,
                      "-o", out])
        if result.returncode != 0:
            kind = "CRASH" if (result.returncode < 0 or "Stack dump" in
                               result.stderr) else \
                "HANG" if result.returncode == -999 else "ERROR"
            errors = [l for l in result.stderr.splitlines()
                      if "remark" not in l]
            return None, f"{kind} in {pipeline}:\n" + "\n".join(errors[:20])
        return out, None

    def check(self, name, path):
        """Checks one kernel file; appends failures."""
        before = len(self.failures)
        canonical = os.path.join(self.tmp, "input.mlir")
        result = run([self.tools.opt, path, "-o", canonical])
        if result.returncode != 0:
            self.failures.append((name, "input", "does not parse:\n" +
                                  result.stderr))
            return False
        expected, error = self.execute(canonical, "expected",
                                       against_linalg=True)
        if error:
            self.failures.append((name, "input", error))
            return False

        def compare(label, source, passes):
            self.stat(label, 0)
            out, error = self.optimize(source, passes, "out")
            if error:
                self.failures.append((name, label, error))
                return None
            with open(out) as f:
                text = f.read()
            with open(source) as f:
                if text == f.read():
                    return out
            self.stat(label, 1)
            if text in self.seen:  # the same IR as another label's: known
                return out if self.seen[text] else None
            actual, error = self.execute(out, "actual")
            self.seen[text] = False
            if error:
                self.failures.append((name, label, error))
                return None
            self.stat(label, 2)
            if actual.shape != expected.shape or not np.allclose(
                    actual, expected, rtol=RTOL, atol=ATOL, equal_nan=False):
                diff = np.nanmax(np.abs(actual - expected)) \
                    if actual.shape == expected.shape else "shape"
                self.failures.append((name, label,
                                      f"MISMATCH: max abs difference {diff}"))
                return None
            self.seen[text] = True
            return out

        self.seen = {}  # IR text -> whether it ran correctly
        for p in dict.fromkeys(PASSES + IM2COL_TAIL):
            compare(p + " alone", canonical, [p])
        for strategy, chain in (("taps", PASSES),
                                ("im2col", PASSES[:-5] + IM2COL_TAIL +
                                 PASSES[-4:])):
            current = canonical
            for i, p in enumerate(chain):
                out = compare(f"{p} after the passes before it ({strategy})",
                              current, [p])
                if out is None:
                    break
                step = os.path.join(self.tmp, f"chain{i}.mlir")
                os.replace(out, step)
                current = step
        for p in PIPELINES:
            out = compare(p, canonical, [p])
            if p == PIPELINES[0] and out is not None:
                self.python_round_trip(name, out, expected)
        self.python_round_trip(name, canonical, expected)
        return len(self.failures) == before

    def python_round_trip(self, name, source, expected):
        """Written as NKI Python (nki-translate --nki-to-python) and traced
        back (nki-py --trace), the kernel computes what it computed. A
        kernel NKI Python cannot express (a guard is an scf.if) is skipped;
        a crash is a failure."""
        label = "nki-to-python"
        self.stat(label, 0)
        py = os.path.join(self.tmp, "exported.py")
        result = run([self.tools.translate, "--nki-to-python", source,
                      "-o", py])
        if result.returncode != 0:
            if result.returncode < 0 or "Stack dump" in result.stderr:
                self.failures.append((name, label, "CRASH:\n" +
                                      result.stderr[-2000:]))
            return
        self.stat(label, 1)
        with open(source) as f:
            arg_types = MEMREF_ARG.findall(SIGNATURE.search(f.read())
                                           .group(1))
        with open(py) as f:
            func, params = PY_DEF.search(f.read()).groups()
        command = [self.tools.py, "--trace", f"{py}:{func}"]
        for param in (p.strip() for p in params.split(",") if p.strip()):
            dims, etype = arg_types[int(param[len("arg"):])]
            command += ["--arg", f"{param}={dims}{etype}"]
        back = os.path.join(self.tmp, "traced_back.mlir")
        result = run(command + ["-o", back])
        if result.returncode != 0:
            self.failures.append((name, label, "the exported kernel does "
                                  "not trace:\n" + result.stderr[-2000:]))
            return
        actual, error = self.execute(back, "python")
        if error:
            self.failures.append((name, label, error))
            return
        self.stat(label, 2)
        if actual.shape != expected.shape or not np.allclose(
                actual, expected, rtol=RTOL, atol=ATOL):
            self.failures.append((name, label, "MISMATCH after the round "
                                  "trip through NKI Python"))


def check_seeds(args, tools):
    ok = True
    generated = 0
    with tempfile.TemporaryDirectory() as tmp:
        checker = Checker(tools, tmp)
        for seed in args.seeds:
            path = os.path.join(tmp, f"seed{seed}.mlir")
            with open(path, "w") as f:
                f.write(generate(seed, tmp, tools))
            generated += 1
            if not checker.check(f"seed {seed}", path):
                ok = False
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                    keep = os.path.join(args.keep, f"seed{seed}.mlir")
                    with open(path) as src, open(keep, "w") as dst:
                        dst.write(src.read())
        report(checker, generated)
    return ok


def report(checker, generated):
    runs = sum(s[0] for s in checker.stats.values())
    compared = sum(s[2] for s in checker.stats.values())
    by_pass = {}
    for label, (ran, changed, checked) in checker.stats.items():
        totals = by_pass.setdefault(label.split()[0], [0, 0, 0])
        for i, n in enumerate((ran, changed, checked)):
            totals[i] += n
    for name, (ran, changed, checked) in sorted(by_pass.items()):
        print(f"  {name}: {ran} runs, {changed} changed the IR, "
              f"{checked} outputs compared")
    print(f"random-kernels: {generated} kernels, {runs} pass runs, "
          f"{compared} outputs compared, {len(checker.failures)} failures")
    for name, label, message in checker.failures:
        print(f"FAILED: {name}: {label}: {message}")


def reduce(seed, tools, out_path):
    """Shrinks a failing generated conv kernel knob by knob: each optional
    feature off, each size down, while it still fails."""
    rng = random.Random(seed)
    if rng.random() < 0.25:
        sys.exit("reduce: seed %d is an imported conv; keep it as it is" % seed)
    c = Conv(random.Random(seed))
    with tempfile.TemporaryDirectory() as tmp:
        def fails(conv):
            path = os.path.join(tmp, "candidate.mlir")
            with open(path, "w") as f:
                f.write(conv_kernel(conv))
            return not Checker(tools, tmp).check("candidate", path)
        if not fails(c):
            sys.exit(f"reduce: seed {seed} does not fail")
        changed = True
        while changed:
            changed = False
            for knob, smaller in [("scale_plane", False), ("zero_row", False),
                                  ("read_view", False), ("signed_div", False),
                                  ("batch", 1), ("cin", c.ct), ("cout", c.ct),
                                  ("order", ["ic", "fh", "fw"])]:
                if getattr(c, knob) == smaller:
                    continue
                trial = copy.copy(c)
                setattr(trial, knob, smaller)
                if fails(trial):
                    c, changed = trial, True
        with open(out_path, "w") as f:
            f.write(conv_kernel(c))
    print(f"reduce: wrote {out_path}: {c.describe()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command",
                        choices=["generate", "check", "check-file", "reduce"])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    parser.add_argument("--keep")
    parser.add_argument("-o", dest="output")
    args = parser.parse_args()
    tools = Tools(args.bin)
    if args.command == "generate":
        with tempfile.TemporaryDirectory() as tmp:
            for seed in args.inputs:
                sys.stdout.write(generate(int(seed), tmp, tools))
        return 0
    if args.command == "reduce":
        reduce(int(args.inputs[0]), tools, args.output)
        return 0
    if args.command == "check-file":
        with tempfile.TemporaryDirectory() as tmp:
            checker = Checker(tools, tmp)
            for path in args.inputs:
                checker.check(path, path)
            report(checker, len(args.inputs))
            return 1 if checker.failures else 0
    args.seeds = []
    for item in args.inputs:
        first, _, last = item.partition("-")
        args.seeds += range(int(first), int(last or first) + 1)
    return 0 if check_seeds(args, tools) else 1


if __name__ == "__main__":
    sys.exit(main())
