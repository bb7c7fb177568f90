"""`neuronxcc.nki.language` (nl) as the tracer serves it."""

import sys

import numpy as np

from .trace import (Arange, Index, NkiError, NkiUnsupported, Tensor,
                    bfloat16, check_tile, current, element_type,
                    trip_count, user_location)

# Element types.
float32 = np.float32
float16 = np.float16
bfloat16 = bfloat16
tfloat32 = np.float32  # stored as f32

# Memories.
sbuf = "sbuf"
psum = "psum"
hbm = "hbm"
shared_hbm = "hbm"
private_hbm = "hbm"


class tile_size:
    """The NKI tile limits (the same on trn1 and trn2)."""
    pmax = 128
    gemm_stationary_fmax = 128
    gemm_moving_fmax = 512
    psum_fmax = 2048
    psum_partition = 128


class par_dim(int):
    """Marks the partition dim of an on-chip shape; dims before it are
    block dims (that many [P, F...] tiles side by side)."""


def _partition_dim(shape):
    marked = [i for i, s in enumerate(shape) if isinstance(s, par_dim)]
    return marked[0] if marked else 0


class _Mgrid:
    """nl.mgrid[0:128, 0:512]: one index per axis of the grid."""

    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        grid, bases = [], []
        for k in key:
            if not isinstance(k, slice) or k.step not in (None, 1):
                raise NkiUnsupported("nl.mgrid other than [start:stop, ...]")
            start = 0 if k.start is None else int(k.start)
            grid.append(int(k.stop) - start)
            bases.append(start)
        n = len(key)
        indices = [Arange(b, {i - n: 1}, grid) for i, b in enumerate(bases)]
        return _GridIndices(indices) if n > 1 else indices[0]


class _GridIndices(tuple):
    """What nl.mgrid returns: unpacked, or as `.p` (partition) and `.x`
    (first free axis)."""

    @property
    def p(self):
        return self[0]

    @property
    def x(self):
        return self[1]

    @property
    def y(self):
        return self[2]

    @property
    def z(self):
        return self[3]


mgrid = _Mgrid()


def arange(start, stop=None, step=None, **kwargs):
    """A 1-D index; place it on an axis with [:, None] and friends."""
    if stop is None:
        start, stop = 0, start
    if step not in (None, 1):
        raise NkiUnsupported("nl.arange with a step")
    return Arange(int(start), {-1: 1}, [int(stop) - int(start)])


# ---------------------------------------------------------------------------
# Loops

def _range_args(args):
    if len(args) == 1:
        return 0, args[0], 1
    if len(args) == 2:
        return args[0], args[1], 1
    if len(args) == 3:
        return args[0], args[1], args[2]
    raise NkiUnsupported(f"a range of {len(args)} arguments")


def _loop(args, independent):
    start, stop, step = _range_args(args)
    trips = trip_count(start, stop, step)
    if trips == 0:
        return
    how = current().unroll.get(user_location())
    if how is None:
        yield from current().loop(start, stop, step, independent)
        return

    def value(k):
        value = Index.of(start) + k * int(step)
        return value.const if value.constant() is not None else value
    if how[0] == "split":
        # Consecutive loops, each over iterations on which the decision
        # that split it does not change.
        firsts = [0] + sorted((v - int(start)) // int(step)
                              for v in how[1]) + [trips]
        for first, end in zip(firsts, firsts[1:]):
            if end - first == 1:
                yield value(first)
            else:
                yield from current().loop(value(first), value(end), step,
                                          independent)
        return
    # A loop whose variable decides trace-time Python (an `if`, a bound):
    # traced once per iteration, in order; or, for decisions on `i % c`,
    # a loop whose every step traces `factor` iterations in order, so that
    # each copy knows its remainder.
    factor = how[1] if how[0] == "period" else trips
    steps, tail = divmod(trips, factor)
    if steps == 1:
        for r in range(factor):
            yield value(r)
    elif steps > 1:
        for k in current().loop(0, steps, 1, independent):
            for r in range(factor):
                yield value(factor * k + r)
    for r in range(tail):
        yield value(factor * steps + r)


def affine_range(*args, **kwargs):
    """Independent iterations: an `scf.for` marked nki.affine_range."""
    return _loop(args, True)


def sequential_range(*args, **kwargs):
    """Ordered iterations: a plain `scf.for`."""
    return _loop(args, False)


def static_range(*args, **kwargs):
    """Unrolled at trace time."""
    return range(*(int(a) for a in args))


# ---------------------------------------------------------------------------
# Tensors

def ndarray(shape, dtype, buffer=None, name="", **kwargs):
    return current().alloc(tuple(shape), element_type(dtype),
                           _space(buffer), _partition_dim(shape))


def zeros(shape, dtype, buffer=None, name="", **kwargs):
    tile = ndarray(shape, dtype, buffer)
    _memset(tile, 0.0)
    return tile


def full(shape, fill_value, dtype, buffer=None, name="", **kwargs):
    tile = ndarray(shape, dtype, buffer)
    _memset(tile, float(fill_value))
    return tile


def ones(shape, dtype, buffer=None, name="", **kwargs):
    return full(shape, 1.0, dtype, buffer)


_SAID_NOT_PRINTED = []


def device_print(prefix, x=None, **kwargs):
    """Traced kernels hold no values: said once, otherwise ignored."""
    if not _SAID_NOT_PRINTED:
        _SAID_NOT_PRINTED.append(True)
        file, line = user_location()
        print(f"{file}:{line}: nki-py: nl.device_print is ignored (the "
              "kernel is traced, then compiled and run)", file=sys.stderr)


def _memset(tile, value):
    if tile.space == "hbm":
        raise NkiUnsupported("zero-filling an HBM tensor")
    current().emit(f"nki.memset {tile.name}, {float(value)!r} : "
                   f"{tile.type()}")


def _space(buffer):
    if buffer is None:
        return "sbuf"
    if buffer in ("sbuf", "psum", "hbm"):
        return buffer
    raise NkiUnsupported(f"buffer {buffer!r}")


def tile(value):
    """A tensor operand: a pending matmul result lands in PSUM first."""
    if isinstance(value, PendingMatmul):
        return value.materialize()
    if isinstance(value, LoopReduce):
        raise NkiUnsupported("nl.loop_reduce other than assigned into its "
                             "destination (dst[...] = nl.loop_reduce(x, "
                             "op, loop_indices))")
    if not isinstance(value, Tensor):
        raise NkiUnsupported(f"a {type(value).__name__} where a tile is "
                             "expected")
    check_tile(value)
    return value


def _no_mask(mask):
    if mask is not None:
        raise NkiUnsupported("mask=")


def _copy_to_new_tile(op, x, dtype, mask=None):
    x = tile(x)
    etype = element_type(dtype) if dtype is not None else x.etype
    out = current().alloc(x.shape, etype, "sbuf")
    current().copy(op, x, out, mask)
    return out


def load(src, dtype=None, mask=None, **kwargs):
    """HBM -> a new SBUF tile of the same shape."""
    return _copy_to_new_tile("dma_copy", src, dtype, mask)


def store(dst, value, mask=None, **kwargs):
    value = tile(value)
    if value.space == "psum":
        # DMAs do not read PSUM: NKI stores a PSUM tile through SBUF.
        value = copy(value, mask=mask)
    current().copy("dma_copy", value, tile(dst), mask)


def copy(x, dtype=None, mask=None, **kwargs):
    """A new SBUF tile holding `x` (the usual PSUM eviction)."""
    return _copy_to_new_tile("tensor_copy", x, dtype, mask)


def transpose(x, dtype=None, mask=None, out=None, **kwargs):
    """x^T on the Tensor Engine, into PSUM (a new tile, or `out`)."""
    _no_mask(mask)
    x = tile(x)
    if len(x.shape) != 2:
        raise NkiUnsupported("a transpose of a tile that is not 2-D")
    if out is None:
        out = current().alloc((x.shape[1], x.shape[0]), x.etype, "psum")
    current().emit(f"nki.transpose {x.name} into {out.name} : {x.type()} "
                   f"into {out.type()}")
    return out


class PendingMatmul:
    """stationary^T @ moving, not issued yet: `psum += ...` accumulates it
    into that tile; any other use issues it into a new PSUM tile."""

    def __init__(self, stationary, moving):
        self.stationary = tile(stationary)
        self.moving = tile(moving)
        if self.stationary.shape[0] != self.moving.shape[0]:
            raise NkiError(
                f"matmul contraction sizes differ: stationary "
                f"{list(self.stationary.shape)}, moving "
                f"{list(self.moving.shape)}")
        self.shape = (self.stationary.shape[1],) + self.moving.shape[1:]
        self.result = None

    def emit(self, target, accumulate):
        mode = "accumulate" if accumulate else "overwrite"
        s, m = self.stationary, self.moving
        current().emit(f"nki.matmul {mode} {s.name}, {m.name} into "
                       f"{target.name} : {s.type()}, {m.type()} into "
                       f"{target.type()}")

    def materialize(self):
        if self.result is None:
            self.result = current().alloc(self.shape, "f32", "psum")
            self.emit(self.result, accumulate=False)
        return self.result

    # Used like the tile it becomes.
    def __getattr__(self, name):
        if name in ("stationary", "moving", "shape", "result"):
            raise AttributeError(name)
        return getattr(self.materialize(), name)

    def __getitem__(self, key):
        return self.materialize()[key]


def matmul(x, y, transpose_x=False, mask=None, **kwargs):
    """x @ y (x^T @ y with transpose_x=True): the contraction on the
    partition dim of both, as nc_matmul wants it."""
    _no_mask(mask)
    x = tile(x)
    if not transpose_x:
        x = copy(transpose(x))
    return PendingMatmul(x, y)


# ---------------------------------------------------------------------------
# Elementwise ops and reductions

def _alu_name(op):
    names = {add: "add", subtract: "subtract", multiply: "multiply",
             maximum: "max", minimum: "min", max: "max", min: "min",
             np.add: "add", np.subtract: "subtract", np.multiply: "multiply",
             np.maximum: "max", np.minimum: "min", np.max: "max",
             np.min: "min", sum: "add", np.sum: "add"}
    if isinstance(op, str) and op in ("add", "subtract", "multiply", "max",
                                      "min"):
        return op
    name = names.get(op)
    if name is None:
        raise NkiUnsupported(f"the ALU op {getattr(op, '__name__', op)!r} "
                             "(add, subtract, multiply, max and min are "
                             "supported)")
    return name


def _scalar(value, etype="f32"):
    name = current().fresh("cst")
    current().emit(f"{name} = arith.constant {float(value)!r} : {etype}")
    return name, etype


def _per_partition(x, partitions):
    """Whether tile `x` holds one value per partition ([P], [P, 1, ...])."""
    return x.shape[0] == partitions and all(s == 1 for s in x.shape[1:])


_COMMUTATIVE = ("add", "multiply", "max", "min")


def elementwise(op, a, b, dtype=None, out=None, mask=None):
    """`a op b` into a new SBUF tile (or `out`): tensor_tensor for tiles of
    one shape (up to unit dims), tensor_scalar for a per-partition tile
    ([P], [P, 1]) or a Python number."""
    op = _alu_name(op)
    trace = current()
    if not isinstance(a, (Tensor, PendingMatmul)):
        if op not in _COMMUTATIVE:
            raise NkiUnsupported(f"a number {op} a tile")
        a, b = b, a
    a = tile(a)
    if isinstance(b, (Tensor, PendingMatmul)):
        b = tile(b)
        if a.shape != b.shape and _per_partition(a, b.shape[0]) and \
                not _per_partition(b, a.shape[0]) and op in _COMMUTATIVE:
            a, b = b, a
    etype = element_type(dtype) if dtype is not None else a.etype
    if out is None:
        out = trace.alloc(a.shape, etype, "sbuf")
    target = trace.conform(out, a.shape) or out
    if target.shape != a.shape:
        raise NkiError(f"an output of shape {list(out.shape)} for operands "
                       f"of shape {list(a.shape)}")
    if isinstance(b, Tensor):
        same = trace.conform(b, a.shape)
        if same is not None:
            trace.masked(mask, [a, same, target], lambda ops: trace.emit(
                f"nki.tensor_tensor {op} {ops[0].name}, {ops[1].name} to "
                f"{ops[2].name} : {ops[0].type()}, {ops[1].type()} to "
                f"{ops[2].type()}"))
            return out
        scalar = trace.conform(b, (a.shape[0], 1)) \
            if _per_partition(b, a.shape[0]) else None
        if scalar is None:
            raise NkiError(f"operand shapes {list(a.shape)} and "
                           f"{list(b.shape)} do not broadcast (a per-"
                           "partition operand is [P, 1])")
        scalar, scalar_type = scalar.name, scalar.type()
    elif isinstance(b, (int, float, np.floating, np.integer)):
        scalar, scalar_type = _scalar(b)
    else:
        raise NkiUnsupported(f"an operand of type {type(b).__name__}")
    trace.masked(mask, [a, target], lambda ops: trace.emit(
        f"nki.tensor_scalar {op} {ops[0].name}, {scalar} to {ops[1].name} : "
        f"{ops[0].type()}, {scalar_type} to {ops[1].type()}"))
    return out


class LoopReduce:
    """nl.loop_reduce(x, op, ...) before it is assigned: its destination is
    also its other operand, `dst[...] = nl.loop_reduce(x, op, ...)` is
    dst = op(dst, x) (the loop indices only tell NKI's compiler what it may
    reorder)."""

    def __init__(self, x, op, dtype, mask):
        self.x, self.op, self.dtype, self.mask = tile(x), op, dtype, mask

    def reduce_into(self, target):
        elementwise(self.op, target, self.x, self.dtype, out=target,
                    mask=self.mask)


def loop_reduce(x, op, loop_indices=None, dtype=None, mask=None, **kwargs):
    return LoopReduce(x, op, dtype, mask)


def broadcast_to(x, shape, **kwargs):
    """A tile of `shape` holding x ([P, 1] per partition) in every column."""
    x = tile(x)
    shape = tuple(int(Index.of(s)) for s in shape)
    same = current().conform(x, shape)
    if same is not None:
        return same
    if not _per_partition(x, shape[0]):
        raise NkiUnsupported(f"broadcasting {list(x.shape)} to "
                             f"{list(shape)} (only [P, 1] along free dims)")
    out = zeros(shape, x.dtype)
    return elementwise("add", out, x, out=out)


def _elementwise_api(op, name):
    def apply(x, y, dtype=None, mask=None, **kwargs):
        return elementwise(op, x, y, dtype, mask=mask)
    apply.__name__ = name
    return apply


add = _elementwise_api("add", "add")
subtract = _elementwise_api("subtract", "subtract")
multiply = _elementwise_api("multiply", "multiply")
maximum = _elementwise_api("max", "maximum")
minimum = _elementwise_api("min", "minimum")


def relu(x, dtype=None, mask=None, **kwargs):
    return elementwise("max", x, 0.0, dtype, mask=mask)


def reduce(op, x, axis, dtype=None, keepdims=False, out=None):
    """A reduction over free axes into a new SBUF tile."""
    x = tile(x)
    axes = sorted({int(a) % len(x.shape) for a in
                   (axis if isinstance(axis, (tuple, list)) else [axis])})
    if 0 in axes:
        raise NkiError("a reduction over the partition dim (axis 0)")
    shape = tuple(s for d, s in enumerate(x.shape) if d not in axes)
    etype = element_type(dtype) if dtype is not None else x.etype
    trace = current()
    if out is None:
        if keepdims:
            out = trace.alloc(tuple(1 if d in axes else s
                                    for d, s in enumerate(x.shape)),
                              etype, "sbuf")
        else:
            out = trace.alloc(shape, etype, "sbuf")
    target = out if out.shape == shape else trace.reshape(out, shape)
    trace.emit(f"nki.tensor_reduce {_alu_name(op)} {x.name} to "
               f"{target.name} axes = {axes} : {x.type()} to "
               f"{target.type()}")
    return out


def max(x, axis, dtype=None, keepdims=False, mask=None, **kwargs):
    _no_mask(mask)
    return reduce("max", x, axis, dtype, keepdims)


def min(x, axis, dtype=None, keepdims=False, mask=None, **kwargs):
    _no_mask(mask)
    return reduce("min", x, axis, dtype, keepdims)


def sum(x, axis, dtype=None, keepdims=False, mask=None, **kwargs):
    _no_mask(mask)
    return reduce("add", x, axis, dtype, keepdims)


def __getattr__(name):
    # An nl name this tracer does not serve: said at the kernel's line.
    if name.startswith("__"):
        raise AttributeError(name)
    raise NkiUnsupported(f"nl.{name}")
