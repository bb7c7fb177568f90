"""Small kernels for NKI's indexing rules as the tracer takes them."""

import numpy as np

import neuronxcc.nki as nki
import neuronxcc.nki.isa as nisa
import neuronxcc.nki.language as nl


@nki.jit
def block_dims(x):
    # x: [2, 128, 64]. Two [128, 64] tiles side by side in one tensor.
    out = nl.ndarray((128, 64), dtype=x.dtype, buffer=nl.hbm)
    tiles = nl.ndarray((2, nl.par_dim(128), 64), dtype=x.dtype,
                       buffer=nl.sbuf)
    for j in nl.affine_range(2):
        tiles[j] = nl.load(x[j])
    nl.store(out, value=nl.add(tiles[0], tiles[1]))
    return out


@nki.jit
def integer_index(x):
    # x: [2, 128, 8]. x[0, :, 3] is a [128] vector; on chip it is [128, 1].
    out = nl.ndarray((128, 8), dtype=x.dtype, buffer=nl.hbm)
    column = nl.load(x[0, :, 3])
    rows = nl.load(x[1])
    nl.store(out, value=nl.multiply(rows, column))
    return out


@nki.jit
def pool_windows(x):
    # x: [128, 8]: the max of each pair of columns, by nl.mgrid indexing.
    out = nl.ndarray((128, 4), dtype=x.dtype, buffer=nl.hbm)
    tile = nl.load(x)
    i_p, i_w, i_k = nl.mgrid[0:128, 0:4, 0:2]
    nl.store(out, value=nl.max(tile[i_p, 2 * i_w + i_k], axis=2))
    return out


@nki.jit
def ragged_rows(x):
    # x: [300, 64] in tiles of 128 rows; the last one is 44 rows.
    out = nl.ndarray((300, 64), dtype=x.dtype, buffer=nl.hbm)
    i_p, i_f = nl.mgrid[0:128, 0:64]
    for t in nl.affine_range(3):
        rows = t * 128 + i_p
        tile = nl.load(x[rows, i_f], mask=(rows < 300))
        nl.store(out[rows, i_f], value=tile, mask=(rows < 300))
    return out


@nki.jit
def reshape_block(x):
    # x: [128, 28]. A block's tile has explicit (canonical) strides; a
    # reshape of it spells its strides out too, as MLIR infers.
    out = nl.ndarray((128, 28), dtype=x.dtype, buffer=nl.hbm)
    tiles = nl.ndarray((1, nl.par_dim(128), 2, 14), dtype=x.dtype,
                       buffer=nl.sbuf)
    tiles[0] = nl.load(x.reshape((128, 2, 14)))
    split = tiles[0].reshape((128, 1, 2, 1, 14, 1))
    nl.store(out.reshape((128, 1, 2, 1, 14, 1)), value=split)
    return out


@nki.jit
def loop_reduced(x):
    # x: [4, 128, 64]: `dst[...] = nl.loop_reduce(a, op, loop_indices)` is
    # dst = op(dst, a) (the sum of the four tiles).
    out = nl.ndarray((128, 64), dtype=x.dtype, buffer=nl.hbm)
    total = nl.zeros((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    for i in nl.affine_range(4):
        part = nl.load(x[i])
        total[...] = nl.loop_reduce(part, op=np.add, loop_indices=[i],
                                    dtype=nl.float32)
    nl.store(out, value=total)
    return out


@nki.jit
def plus_ones(x):
    # x: [128, 64]: x + 1 with nl.ones; nl.device_print is accepted.
    out = nl.ndarray((128, 64), dtype=x.dtype, buffer=nl.hbm)
    tile = nl.load(x)
    nl.device_print("tile", tile)
    nl.store(out, value=nl.add(tile, nl.ones((128, 64), dtype=x.dtype)))
    return out


@nki.jit
def scaled_relu(x, b):
    # x: [128, 64], b: [128]: relu(2 x + b) by nisa.activation.
    out = nl.ndarray((128, 64), dtype=x.dtype, buffer=nl.hbm)
    tile = nl.load(x)
    bias = nl.load(b)
    nl.store(out, value=nisa.activation(op=nl.relu, data=tile, bias=bias,
                                        scale=2.0))
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(3)
    x = rng.random((2, 128, 64), dtype=np.float32)
    cases = [
        ("block_dims", block_dims, x, x[0] + x[1]),
        ("integer_index", integer_index, x[:, :, :8],
         x[1, :, :8] * x[0, :, 3:4]),
        ("pool_windows", pool_windows, x[0, :, :8],
         x[0, :, :8].reshape(128, 4, 2).max(axis=2)),
    ]
    y = rng.random((300, 64), dtype=np.float32)
    cases.append(("ragged_rows", ragged_rows, y, y))
    cases.append(("reshape_block", reshape_block, x[0, :, :28],
                  x[0, :, :28]))
    z = rng.random((4, 128, 64), dtype=np.float32)
    cases.append(("loop_reduced", loop_reduced, z, z.sum(axis=0)))
    cases.append(("plus_ones", plus_ones, x[0], x[0] + 1))
    for name, kernel, arg, want in cases:
        got = nki.simulate_kernel(kernel, np.ascontiguousarray(arg))
        print(f"{name}: {'PASS' if np.allclose(got, want) else 'FAIL'}")
    t = rng.random((128, 64), dtype=np.float32) - 0.5
    b = rng.random(128, dtype=np.float32) - 0.5
    got = nki.simulate_kernel(scaled_relu, t, b)
    want = np.maximum(2 * t + b[:, None], 0)
    print(f"scaled_relu: {'PASS' if np.allclose(got, want) else 'FAIL'}")
