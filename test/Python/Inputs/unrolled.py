"""Kernels whose trace-time Python depends on loop variables: nki-py traces
them again with those loops unrolled."""

import neuronxcc.nki as nki
import neuronxcc.nki.language as nl


@nki.jit
def even_rows(x):
    # x: [4, 128, 8]; out[j] = x[2 * j].
    out = nl.ndarray((2, 128, 8), dtype=x.dtype, buffer=nl.hbm)
    for i in nl.affine_range(4):
        if i % 2 == 0:
            nl.store(out[i // 2], value=nl.load(x[i]))
    return out


@nki.jit
def ragged_tiles(x):
    # x: [300, 8] in row tiles of 128, the last one sized by min().
    out = nl.ndarray((300, 8), dtype=x.dtype, buffer=nl.hbm)
    for t in nl.affine_range(3):
        rows = min(128, 300 - t * 128)
        tile = nl.load(x[t * 128:t * 128 + rows])
        nl.store(out[t * 128:t * 128 + rows], value=nl.multiply(tile, 2.0))
    return out


@nki.jit
def first_half(x):
    # x: [2, 4, 128, 8]: only the inner loop's variable is a condition, so
    # the outer loop stays a loop.
    out = nl.ndarray((2, 2, 128, 8), dtype=x.dtype, buffer=nl.hbm)
    for b in nl.affine_range(2):
        for i in nl.affine_range(4):
            if i < 2:
                nl.store(out[b, i], value=nl.load(x[b, i]))
    return out


@nki.jit
def decided_by_range(x):
    # x: [4, 128, 8]. min(i, 3) is i for every i in range(4), and the inner
    # loop runs once wherever it starts: no loop needs unrolling.
    out = nl.ndarray((4, 128, 8), dtype=x.dtype, buffer=nl.hbm)
    for i in nl.affine_range(4):
        first = min(i, 3)
        for j in nl.affine_range(first, first + 1):
            nl.store(out[j], value=nl.load(x[j]))
    return out


@nki.jit
def leading_columns(x):
    # x: [128, 16]: columns before 10 copied, the rest doubled, one column
    # per iteration (as kernels guard a ragged tile with `if i < size`).
    out = nl.ndarray((128, 16), dtype=x.dtype, buffer=nl.hbm)
    tile = nl.load(x)
    result = nl.ndarray((128, 16), dtype=x.dtype, buffer=nl.sbuf)
    for i in nl.affine_range(16):
        if i < 10:
            result[:, i] = nl.copy(tile[:, i])
        else:
            result[:, i] = nl.multiply(tile[:, i], 2.0)
    nl.store(out, value=result)
    return out


@nki.jit
def row_pairs(x):
    # x: [n, 128, 8], out[j] = max(x[2j], x[2j+1]); the even row waits in
    # a tile allocated outside the loop (as CS149 kernels pool row pairs).
    # n may be odd: the last row is loaded and never stored.
    n = x.shape[0]
    out = nl.ndarray((n // 2, 128, 8), dtype=x.dtype, buffer=nl.hbm)
    prev = nl.ndarray((128, 8), dtype=x.dtype, buffer=nl.sbuf)
    for i in nl.affine_range(n):
        row = nl.load(x[i])
        if i % 2 == 0:
            prev[...] = nl.copy(row)
        else:
            nl.store(out[i // 2], value=nl.maximum(prev, row))
    return out


@nki.jit
def every_fourth(x):
    # x: [8, 128, 8], out[j] = x[4j]; a loop of step 2, so `i % 4` repeats
    # every 2 iterations.
    out = nl.ndarray((2, 128, 8), dtype=x.dtype, buffer=nl.hbm)
    for i in nl.affine_range(0, 8, 2):
        if i % 4 == 0:
            nl.store(out[i // 4], value=nl.load(x[i]))
    return out


if __name__ == "__main__":
    import numpy as np
    rng = np.random.default_rng(5)
    x = rng.random((4, 128, 8), dtype=np.float32)
    y = rng.random((300, 8), dtype=np.float32)
    z = rng.random((2, 4, 128, 8), dtype=np.float32)
    for name, kernel, arg, want in (("even_rows", even_rows, x, x[0::2]),
                                    ("ragged_tiles", ragged_tiles, y, 2 * y),
                                    ("first_half", first_half, z,
                                     z[:, :2]),
                                    ("decided_by_range", decided_by_range,
                                     x, x)):
        got = nki.simulate_kernel(kernel, arg)
        print(f"{name}: {'PASS' if np.allclose(got, want) else 'FAIL'}")
    cols = rng.random((128, 16), dtype=np.float32)
    got = nki.simulate_kernel(leading_columns, cols)
    want = np.concatenate([cols[:, :10], 2 * cols[:, 10:]], axis=1)
    print(f"leading_columns: {'PASS' if np.allclose(got, want) else 'FAIL'}")
    for n in (6, 7):
        rows = rng.random((n, 128, 8), dtype=np.float32)
        got = nki.simulate_kernel(row_pairs, rows)
        want = np.maximum(rows[0:n - 1:2], rows[1::2])
        print(f"row_pairs {n}: {'PASS' if np.allclose(got, want) else 'FAIL'}")
    rows = rng.random((8, 128, 8), dtype=np.float32)
    got = nki.simulate_kernel(every_fourth, rows)
    print(f"every_fourth: {'PASS' if np.allclose(got, rows[0::4]) else 'FAIL'}")
