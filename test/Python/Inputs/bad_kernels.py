import neuronxcc.nki as nki
import neuronxcc.nki.language as nl


def branch_on_loop_variable(x):
    out = nl.ndarray(x.shape, dtype=x.dtype, buffer=nl.hbm)
    for i in nl.affine_range(4):
        if i < 2:
            nl.store(out[i], value=nl.load(x[i]))
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


def branch_on_parity(x):
    # Comparing a loop variable for equality is a runtime condition too: it
    # must stop, not take the `else` branch in every iteration.
    out = nl.ndarray((128, 8), dtype=x.dtype, buffer=nl.hbm)
    for i in nl.affine_range(4):
        if i % 2 == 0:
            nl.store(out, value=nl.load(x[i]))
    return out


def unserved_name(x):
    out = nl.ndarray((128, 8), dtype=x.dtype, buffer=nl.hbm)
    tile = nl.load(x)
    nl.store(out, value=nl.loop_reduce(tile, op=nl.add, loop_indices=[]))
    return out
