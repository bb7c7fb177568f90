#!/usr/bin/env python3
"""Prints a fused conv2d + bias + max-pool function in upstream linalg, as a
front end emits it: the input of `nki-opt --nki-import` and
`nki-run`, for any shape.

  utils/conv2d-linalg.py --batch 4 --in-channels 128 --out-channels 256 \
      --height 32 --width 16 --filter 3 --pool 2 [--dtype bf16] \
      [--bias init|add] [--form tensor|memref]
"""
import argparse

# -inf as MLIR hex float literals.
NEG_INF = {"f32": "0xFF800000", "bf16": "0xFF80", "f16": "0xFC00"}


def tensor_max_pool(value, conv, out, pool, t, layout="nchw"):
    """The lines of a max-pool of `value` (type `conv`, `layout` nchw or
    nhwc) into a new `out`, window = stride = `pool`, on a -inf init, as
    front ends emit it on tensors; its result is %pool."""
    return [f"  %ninf = arith.constant {NEG_INF[t]} : {t}",
            f"  %pinit = tensor.empty() : {out}",
            f"  %fill = linalg.fill ins(%ninf : {t}) outs(%pinit : {out}) -> {out}",
            f"  %window = tensor.empty() : tensor<{pool}x{pool}x{t}>",
            f"  %pool = linalg.pooling_{layout}_max {{dilations = dense<1> : vector<2xi64>, strides = dense<{pool}> : vector<2xi64>}}",
            f"      ins({value}, %window : {conv}, tensor<{pool}x{pool}x{t}>) outs(%fill : {out}) -> {out}"]


def tensor_form(a, t, shapes):
    x, w, b, conv, out = (f"tensor<{'x'.join(map(str, s))}x{t}>" for s in shapes)
    bias_map = "affine_map<(n, c, h, w) -> (c)>"
    ident = "affine_map<(n, c, h, w) -> (n, c, h, w)>"
    par = '["parallel", "parallel", "parallel", "parallel"]'
    lines = [f"func.func @{a.name}(%x: {x}, %w: {w}, %b: {b}) -> {out} {{",
             f"  %init = tensor.empty() : {conv}"]
    if a.bias == "init":
        # torch-mlir: the bias broadcast is the conv's init.
        lines += [f"  %bias = linalg.generic {{indexing_maps = [{bias_map}, {ident}], iterator_types = {par}}}",
                  f"      ins(%b : {b}) outs(%init : {conv}) {{",
                  f"    ^bb0(%in: {t}, %o: {t}):",
                  f"      linalg.yield %in : {t}",
                  f"  }} -> {conv}",
                  f"  %conv = linalg.conv_2d_nchw_fchw {{dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}}",
                  f"      ins(%x, %w : {x}, {w}) outs(%bias : {conv}) -> {conv}"]
        result = "%conv"
    else:
        lines += [f"  %zero = arith.constant 0.0 : {t}",
                  f"  %zeros = linalg.fill ins(%zero : {t}) outs(%init : {conv}) -> {conv}",
                  f"  %conv = linalg.conv_2d_nchw_fchw {{dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}}",
                  f"      ins(%x, %w : {x}, {w}) outs(%zeros : {conv}) -> {conv}",
                  f"  %sum_init = tensor.empty() : {conv}",
                  f"  %biased = linalg.generic {{indexing_maps = [{ident}, {bias_map}, {ident}], iterator_types = {par}}}",
                  f"      ins(%conv, %b : {conv}, {b}) outs(%sum_init : {conv}) {{",
                  f"    ^bb0(%c: {t}, %bb: {t}, %o: {t}):",
                  f"      %s = arith.addf %c, %bb : {t}",
                  f"      linalg.yield %s : {t}",
                  f"  }} -> {conv}"]
        result = "%biased"
    if a.pool > 1:
        lines += tensor_max_pool(result, conv, out, a.pool, t)
        result = "%pool"
    lines += [f"  return {result} : {out}", "}"]
    return lines


def memref_form(a, t, shapes):
    x, w, b, conv, out = (f"memref<{'x'.join(map(str, s))}x{t}>" for s in shapes)
    bias_map = "affine_map<(n, c, h, w) -> (c)>"
    ident = "affine_map<(n, c, h, w) -> (n, c, h, w)>"
    par = '["parallel", "parallel", "parallel", "parallel"]'
    lines = [f"func.func @{a.name}(%x: {x}, %w: {w}, %b: {b}, %out: {out}) {{",
             f"  %conv = memref.alloc() : {conv}",
             f"  linalg.generic {{indexing_maps = [{bias_map}, {ident}], iterator_types = {par}}}",
             f"      ins(%b : {b}) outs(%conv : {conv}) {{",
             f"    ^bb0(%in: {t}, %o: {t}):",
             f"      linalg.yield %in : {t}",
             "  }",
             f"  linalg.conv_2d_nchw_fchw {{dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}}",
             f"      ins(%x, %w : {x}, {w}) outs(%conv : {conv})"]
    if a.pool > 1:
        p = a.pool
        lines += [f"  %ninf = arith.constant {NEG_INF[t]} : {t}",
                  f"  linalg.fill ins(%ninf : {t}) outs(%out : {out})",
                  f"  %window = memref.alloc() : memref<{p}x{p}x{t}>",
                  f"  linalg.pooling_nchw_max {{dilations = dense<1> : vector<2xi64>, strides = dense<{p}> : vector<2xi64>}}",
                  f"      ins(%conv, %window : {conv}, memref<{p}x{p}x{t}>) outs(%out : {out})",
                  f"  memref.dealloc %window : memref<{p}x{p}x{t}>"]
    else:
        lines += [f"  memref.copy %conv, %out : {conv} to {out}"]
    lines += [f"  memref.dealloc %conv : {conv}", "  return", "}"]
    return lines


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--in-channels", type=int, required=True)
    p.add_argument("--out-channels", type=int, required=True)
    p.add_argument("--height", type=int, required=True)
    p.add_argument("--width", type=int, required=True)
    p.add_argument("--filter", type=int, default=3, help="FH = FW")
    p.add_argument("--pool", type=int, default=1)
    p.add_argument("--dtype", choices=["f32", "bf16", "f16"], default="f32")
    p.add_argument("--bias", choices=["init", "add"], default="init")
    p.add_argument("--form", choices=["tensor", "memref"], default="tensor")
    p.add_argument("--name", default="conv2d")
    a = p.parse_args()
    oh, ow = a.height - a.filter + 1, a.width - a.filter + 1
    shapes = [(a.batch, a.in_channels, a.height, a.width),
              (a.out_channels, a.in_channels, a.filter, a.filter),
              (a.out_channels,),
              (a.batch, a.out_channels, oh, ow),
              (a.batch, a.out_channels, oh // a.pool, ow // a.pool)]
    if a.form == "memref" and a.bias == "add":
        p.error("--bias add is only generated in tensor form")
    form = tensor_form if a.form == "tensor" else memref_form
    print("\n".join(form(a, a.dtype, shapes)))


if __name__ == "__main__":
    main()
