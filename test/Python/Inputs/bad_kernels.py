import neuronxcc.nki as nki
import neuronxcc.nki.language as nl


def branch_on_loop_variable(x):
    # A loop variable kept past its loop: no loop left to unroll.
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.hbm)
    for i in nl.affine_range(4):
        last = i
    if last < 2:
        nl.store(out, value=nl.load(x))
    return out


def masked_load(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.hbm)
    i_p, i_f = nl.mgrid[0:128, 0:8]
    nl.store(out, value=nl.load(x[i_p, i_f], mask=(i_f >= 4)))
    return out


def too_many_partitions(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.hbm)
    tile = nl.load(x)
    nl.store(out, value=tile)
    return out


def out_of_bounds(x):
    out = nl.ndarray((128, 8), dtype=x.dtype, buffer=nl.hbm)
    nl.store(out, value=nl.load(x[:, 4:12]))
    return out


def writes_nothing(x):
    nl.load(x)


def contraction_mismatch(a, b):
    out = nl.ndarray((128, 64), dtype=a.dtype, buffer=nl.hbm)
    nl.store(out, value=nl.copy(nl.matmul(nl.load(a), nl.load(b),
                                          transpose_x=True)))
    return out


def wrong_call(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.hbm)
    nl.store(out, value=nl.load(x, 1, 2, 3))
    return out


def unserved_name(x):
    out = nl.ndarray((128, 8), dtype=x.dtype, buffer=nl.hbm)
    tile = nl.load(x)
    nl.store(out, value=nl.loop_reduce(tile, op=nl.add, loop_indices=[]))
    return out
