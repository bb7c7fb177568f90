"""The tracer: runs an NKI kernel on symbolic tensors and writes the nki
dialect ops it issues as MLIR text, one op per line, each at the Python
file:line that issued it.

Trace-time Python (shapes, `if pool_size > 1`, Python `range`, helper
functions) runs as Python; `nl.affine_range` / `nl.sequential_range` become
`scf.for` loops whose induction variables are `Index` expressions; tensors
are memrefs (HBM arguments, SBUF/PSUM `memref.alloc`s) and slicing makes
`memref.subview`s.
"""

import contextlib
import itertools
import math
import os
import re
import sys

import numpy as np

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_CONTEXTLIB = os.path.abspath(contextlib.__file__)


class NkiUnsupported(Exception):
    """A construct the tracer does not support; reported at the kernel's
    line as `FILE:LINE: unsupported NKI construct: WHAT`."""

    def __init__(self, what, where=None):
        super().__init__(what)
        self.what = what
        self.where = where or user_location()


class NeedsUnroll(NkiUnsupported):
    """A trace-time decision on a loop variable (an `if`, a comparison, a
    loop bound): tracing the loop again another way decides it. `how`:
    ("all",) unrolls it; ("period", f) traces f consecutive iterations per
    step of the loop (a decision on `i % c` alone); ("split", values) traces
    it as consecutive loops, each starting at one of `values`, over which
    the decision does not change (`i < n`, the `min()` of a ragged last
    tile)."""

    def __init__(self, what, loop, how=("all",)):
        super().__init__(what)
        self.loop = loop  # (file, line) of the loop's `for`
        self.how = how


class UnrolledTooFar(Exception):
    """A trace whose unrolled loops made more than Trace.MAX_LINES ops."""


def trip_count(start, stop, step):
    """How many iterations range(start, stop, step) has; it may not depend
    on loop variables (the bounds may)."""
    step = Index.of(step)
    if step.constant() is None or step.const <= 0:
        undecidable(step, "a loop step that is not a positive constant")
    extent = Index.of(stop) - Index.of(start)
    if extent.constant() is None:
        undecidable(extent, "a loop trip count computed from a loop "
                    "variable")
    return max(0, -(-extent.const // step.const))


def undecidable(index, what, decide=None):
    """Raises for a decision on `index` that depends on loop variables;
    `decide(value)` is the decision for one value of it."""
    trace = _CURRENT[-1] if _CURRENT else None
    loop = trace.loop_defining(index) if trace else None
    if loop is None:
        raise NkiUnsupported(what)
    raise NeedsUnroll(what, loop, trace.how_to_decide(index, loop, decide))


class NkiError(Exception):
    """A kernel that breaks an NKI rule the tracer itself checks."""

    def __init__(self, what, where=None):
        super().__init__(what)
        self.what = what
        self.where = where or user_location()


def user_location():
    """(file, line) of the innermost frame outside this package."""
    # Walks raw frames: inspect.stack() reads every frame's source and
    # costs a traced kernel seconds.
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        path = _ABSPATHS.get(filename)
        if path is None:
            path = _ABSPATHS[filename] = os.path.abspath(filename)
        if not path.startswith(PACKAGE_DIR) and path != _CONTEXTLIB:
            return (filename, frame.f_lineno)
        frame = frame.f_back
    return ("<unknown>", 0)


_ABSPATHS = {}


# ---------------------------------------------------------------------------
# Element types

class _Bfloat16:
    """nl.bfloat16: numpy has no bf16; kernels only name it."""
    name = "bfloat16"

    def __repr__(self):
        return "bfloat16"


bfloat16 = _Bfloat16()

_MLIR_TYPES = {"float32": "f32", "float16": "f16", "bfloat16": "bf16"}
_ITEM_BYTES = {"f32": 4, "f16": 2, "bf16": 2}


def element_type(dtype):
    """The MLIR element type of a numpy dtype, a numpy scalar type or
    nl.bfloat16."""
    if dtype is bfloat16 or dtype == "bfloat16":
        return "bf16"
    try:
        name = np.dtype(dtype).name
    except TypeError:
        raise NkiUnsupported(f"dtype {dtype!r}")
    if name not in _MLIR_TYPES:
        raise NkiUnsupported(f"dtype {name} (float32, float16 and bfloat16 "
                             "are supported)")
    return _MLIR_TYPES[name]


def numpy_dtype(mlir_type):
    return {"f32": np.dtype(np.float32), "f16": np.dtype(np.float16),
            "bf16": bfloat16}[mlir_type]


# ---------------------------------------------------------------------------
# Index expressions: affine forms over loop induction variables

_CONDITION = "a condition on a loop variable (use masks, or nl.static_range " \
    "to unroll)"


class Index:
    """const + sum(coeff * var): an index computed from loop variables.
    Differences of two indexes are exact, so slices like
    `X[i * 128:(i + 1) * 128]` have static sizes."""

    def __init__(self, const=0, terms=None):
        self.const = const
        self.terms = {k: v for k, v in (terms or {}).items() if v != 0}

    @staticmethod
    def of(value):
        if isinstance(value, Index):
            return value
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return Index(int(value))
        # `h / 2` in a shape: a whole number as a float.
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return Index(int(value))
        raise NkiUnsupported(f"an index of type {type(value).__name__}")

    def constant(self):
        return None if self.terms else self.const

    def __add__(self, other):
        if isinstance(other, Arange):
            return NotImplemented
        other = Index.of(other)
        terms = dict(self.terms)
        for k, v in other.terms.items():
            terms[k] = terms.get(k, 0) + v
        return Index(self.const + other.const, terms)

    __radd__ = __add__

    def __neg__(self):
        return Index(-self.const, {k: -v for k, v in self.terms.items()})

    def __sub__(self, other):
        if isinstance(other, Arange):
            return NotImplemented
        return self + (-Index.of(other))

    def __rsub__(self, other):
        return Index.of(other) - self

    def __mul__(self, other):
        if isinstance(other, Arange):
            return NotImplemented
        other = Index.of(other)
        if other.terms and self.terms:
            return Index(0, {current().emit_binary("muli", self, other): 1})
        scale, expr = (other.const, self) if not other.terms else \
            (self.const, other)
        return Index(expr.const * scale,
                     {k: v * scale for k, v in expr.terms.items()})

    __rmul__ = __mul__

    def _divmod(self, other, op):
        other = Index.of(other)
        if self.constant() is not None and other.constant() is not None:
            a, b = self.const, other.const
            return Index(a // b if op == "divui" else a % b)
        if other.constant() is None or other.const <= 0:
            raise NkiUnsupported("division of an index by a loop variable")
        b = other.const
        if all(v % b == 0 for v in self.terms.values()):
            # (b*k*i + c) // b == k*i + c // b: still affine.
            if op == "divui":
                return Index(self.const // b,
                             {k: v // b for k, v in self.terms.items()})
            return Index(self.const % b)
        # Loop variables count up from non-negative starts.
        return Index(0, {current().emit_binary(op, self, other): 1})

    def __floordiv__(self, other):
        return self._divmod(other, "divui")

    def __mod__(self, other):
        return self._divmod(other, "remui")

    def __rfloordiv__(self, other):
        return Index.of(other)._divmod(self, "divui")

    def __rmod__(self, other):
        return Index.of(other)._divmod(self, "remui")

    def __index__(self):
        if self.terms:
            raise NkiUnsupported("a loop variable used as a trace-time "
                                 "integer (shapes and Python control flow "
                                 "must not depend on nl.affine_range / "
                                 "nl.sequential_range variables)")
        return self.const

    def __int__(self):
        return self.__index__()

    def __bool__(self):
        if self.terms:
            undecidable(self, _CONDITION, bool)
        return bool(self.const)

    def key(self):
        return (self.const, tuple(sorted(self.terms.items())))

    def _compare(self, other, op):
        if isinstance(other, Arange):
            return NotImplemented
        diff = self - other
        if diff.constant() is None:
            # Decided anyway when the loops' ranges give one answer.
            bounds = _CURRENT[-1].bounds(diff) if _CURRENT else None
            if bounds is not None and op(bounds[0], 0) == op(bounds[1], 0):
                return op(bounds[0], 0)
            undecidable(diff, _CONDITION, lambda value: op(value, 0))
        return op(diff.const, 0)

    def __lt__(self, other):
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other):
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other):
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other):
        return self._compare(other, lambda a, b: a >= b)

    def __eq__(self, other):
        if isinstance(other, Arange):
            return NotImplemented
        if isinstance(other, bool) or \
                not isinstance(other, (Index, int, np.integer)):
            return False  # `key.index(Ellipsis)` and the like
        # Equal or not for every value of the loop variables, or a
        # condition the tracer cannot decide (never a silent False).
        return self._compare(other, lambda a, b: a == b)

    def __hash__(self):
        return hash(self.key())

    def __repr__(self):
        return " + ".join([f"{v}*{k}" for k, v in self.terms.items()] +
                          [str(self.const)])


# ---------------------------------------------------------------------------
# Tensors

_SPACE_ATTR = {"hbm": "", "sbuf": "#nki.mem<sbuf>", "psum": "#nki.mem<psum>"}


def identity_strides(shape):
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return list(reversed(strides))


class Tensor:
    """A memref value: a kernel argument, an allocation or a view of one."""

    def __init__(self, name, shape, etype, space, strides=None, offset=0,
                 root=None, perm=None):
        self.name = name
        self.shape = tuple(int(s) for s in shape)  # as the kernel sees it
        self.etype = etype
        self.space = space
        self.strides = list(strides) if strides is not None else None
        self.offset = offset  # None: dynamic
        self.root = root or self
        # Block dims (before nl.par_dim) are stored after the partition dim:
        # kernel dim i is memref dim perm[i]. None: the same order.
        self.perm = perm

    # What kernels read.
    @property
    def dtype(self):
        return numpy_dtype(self.etype)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def buffer(self):
        return self.space

    def __len__(self):
        return self.shape[0]

    def memref_shape(self):
        if self.perm is None:
            return self.shape
        shape = [0] * len(self.shape)
        for dim, size in zip(self.perm, self.shape):
            shape[dim] = size
        return tuple(shape)

    def full_strides(self):
        return self.strides if self.strides is not None else \
            identity_strides(self.memref_shape())

    def type(self):
        dims = "x".join(str(s) for s in self.memref_shape())
        parts = [f"{dims}x{self.etype}" if dims else self.etype]
        if self.strides is not None:
            offset = "?" if self.offset is None else self.offset
            layout = ", ".join(str(s) for s in self.strides)
            parts.append(f"strided<[{layout}]" +
                         (f", offset: {offset}>" if offset != 0 else ">"))
        if _SPACE_ATTR[self.space]:
            parts.append(_SPACE_ATTR[self.space])
        return "memref<" + ", ".join(parts) + ">"

    def is_contiguous(self):
        return self.perm is None and (
            self.strides is None or
            (self.strides == identity_strides(self.shape) and
             self.offset == 0))

    def __getitem__(self, key):
        return current().subview(self, key)

    def __setitem__(self, key, value):
        trace = current()
        # `tile[key] += x` runs __getitem__, __iadd__ (which accumulated into
        # the view) and then this with that view: nothing left to do.
        target = trace.subview(self, key)
        if value is trace.last_accumulated and value.root is self.root and \
                _same_view(value, target):
            trace.last_accumulated = None
            return
        trace.assign(target, value)

    def __iadd__(self, value):
        return current().accumulate(self, value)

    def reshape(self, *shape, **kwargs):
        if "shape" in kwargs:
            shape = (kwargs["shape"],)
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return current().reshape(self, shape)

    def broadcast_to(self, shape):
        from . import language
        return language.broadcast_to(self, shape)

    # Elementwise arithmetic on tiles (nl semantics: a new SBUF tile).
    def _binary(self, other, op, reverse=False):
        from . import language
        a, b = (other, self) if reverse else (self, other)
        return language.elementwise(op, a, b)

    def __add__(self, other):
        return self._binary(other, "add")

    def __radd__(self, other):
        return self._binary(other, "add", True)

    def __sub__(self, other):
        return self._binary(other, "subtract")

    def __mul__(self, other):
        return self._binary(other, "multiply")

    def __rmul__(self, other):
        return self._binary(other, "multiply", True)

    def __repr__(self):
        return f"<nki tensor {self.name}: {self.type()}>"


class Mask:
    """An NKI mask: the grid points where every `expr < 0` holds (each expr
    an Arange). An op under a mask runs on the grid's leading part along
    each masked axis; where that part depends on loop variables, on each
    part it can have, under an `scf.if`."""

    def __init__(self, constraints):
        self.constraints = list(constraints)

    def __and__(self, other):
        if not isinstance(other, Mask):
            raise NkiUnsupported("a mask combined with a non-mask")
        return Mask(self.constraints + other.constraints)

    __rand__ = __and__

    def __bool__(self):
        raise NkiUnsupported("a mask used as a Python condition")

    def axes(self):
        """{grid axis: (coeff, base)} with `base + coeff * iota < 0`."""
        out = {}
        for expr in self.constraints:
            if len(expr.coeffs) != 1:
                raise NkiUnsupported("a mask on other than one nl.arange "
                                     "axis per comparison")
            (axis, coeff), = expr.coeffs.items()
            if coeff <= 0:
                raise NkiUnsupported("a mask that bounds an index from "
                                     "below")
            if axis in out:
                raise NkiUnsupported("two mask bounds on one axis")
            out[axis] = (coeff, expr.base)
        return out

    def grid(self):
        grid = []
        for expr in self.constraints:
            grid = Arange.broadcast(grid, expr.grid)
        return grid


def _count(coeff, base, size):
    """How many of iota = 0..size-1 satisfy base + coeff * iota < 0."""
    if base >= 0:
        return 0
    return min(size, (-base + coeff - 1) // coeff)


def _bounds_error(tensor, offsets, sizes, steps):
    """Why a view with these (memref-order) offsets, sizes and steps reaches
    past `tensor`, or None."""
    perm = tensor.perm or list(range(len(tensor.shape)))
    shape = tensor.memref_shape()
    for m, (offset, size, step) in enumerate(zip(offsets, sizes, steps)):
        start = offset.constant()
        if start is not None and size > 0 and \
                (start < 0 or start + (size - 1) * step >= shape[m]):
            return (f"index {start}:{start + size * step} is out of bounds "
                    f"for dimension {perm.index(m)} of size {shape[m]}")
    return None


def _splits(coarse, fine):
    """For each dim of `coarse`, the consecutive dims of `fine` it splits
    into (no unit dims of their own), or None."""
    groups, at = [], 0
    for size in coarse:
        group, product = [], 1
        while at < len(fine) and (product < size or not group):
            group.append(at)
            product *= fine[at]
            at += 1
        if product != size:
            return None
        groups.append(group)
    return groups if at == len(fine) else None


def _identity_layout(view):
    """Whether MLIR takes the view's layout as the identity map (no layout,
    or a rank-1 `strided<[1]>`): reshapes of it then have none either, while
    any other strided layout stays spelled out, canonical strides or not."""
    return view.offset == 0 and (
        view.strides is None or (len(view.shape) == 1 and
                                 list(view.strides) == [1]))


def _same_view(a, b):
    """Whether two views of one buffer are the same elements."""
    if a is b:
        return True
    return a.type() == b.type() and getattr(a, "recipe", None) is not None \
        and getattr(b, "recipe", None) is not None and \
        a.recipe[0] is b.recipe[0] and \
        [o.key() for o in a.recipe[1]] == [o.key() for o in b.recipe[1]] \
        and a.recipe[2:] == b.recipe[2:]


def check_tile(tensor):
    if tensor.perm is not None:
        raise NkiUnsupported("a tile that still has a block dim (a dim "
                             "before nl.par_dim): index block dims with "
                             "integers")


class Arange:
    """An nl.arange / nl.mgrid index expression: base + sum(coeff * iota)
    over the axes of an index grid. Axes count from the end (-1 is the
    last), as numpy broadcasts."""

    def __init__(self, base, coeffs, grid):
        self.base = Index.of(base)
        self.coeffs = {a: c for a, c in coeffs.items() if c != 0}
        self.grid = list(grid)

    @staticmethod
    def broadcast(a, b):
        a, b = list(a), list(b)
        n = max(len(a), len(b))
        a, b = [1] * (n - len(a)) + a, [1] * (n - len(b)) + b
        out = []
        for x, y in zip(a, b):
            if x != y and 1 not in (x, y):
                raise NkiError(f"index grids {a} and {b} do not broadcast")
            out.append(max(x, y))
        return out

    @property
    def shape(self):
        return tuple(self.grid)

    def __getitem__(self, key):
        """nl.arange(n)[:, None]: place a 1-D index on an axis."""
        key = key if isinstance(key, tuple) else (key,)
        if len(self.grid) != 1 or \
                sum(isinstance(k, slice) for k in key) != 1 or \
                any(k is not None and not isinstance(k, slice) for k in key):
            raise NkiUnsupported("indexing an nl.arange other than with "
                                 "':' and None")
        at = next(i for i, k in enumerate(key) if isinstance(k, slice))
        axis = at - len(key)
        return Arange(self.base, {axis: c for c in self.coeffs.values()},
                      [self.grid[0] if i == at else 1
                       for i in range(len(key))])

    def __add__(self, other):
        if isinstance(other, Arange):
            coeffs = dict(self.coeffs)
            for a, c in other.coeffs.items():
                coeffs[a] = coeffs.get(a, 0) + c
            return Arange(self.base + other.base, coeffs,
                          Arange.broadcast(self.grid, other.grid))
        return Arange(self.base + Index.of(other), self.coeffs, self.grid)

    __radd__ = __add__

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, other):
        factor = Index.of(other).constant()
        if isinstance(other, Arange) or factor is None:
            raise NkiUnsupported("a product of nl.arange indices or of one "
                                 "with a loop variable")
        return Arange(self.base * factor,
                      {a: c * factor for a, c in self.coeffs.items()},
                      self.grid)

    __rmul__ = __mul__

    def __floordiv__(self, other):
        raise NkiUnsupported("'//' of an nl.arange index")

    __mod__ = __floordiv__

    def _bound(self, other, strict, upper):
        """`self < other` (strict, upper) and friends as a Mask."""
        if isinstance(other, Arange):
            raise NkiUnsupported("a mask comparing two nl.arange indices")
        diff = self - Index.of(other)  # compared with 0
        if not upper:
            diff = -diff
        if not strict:
            diff = diff - 1  # x <= 0 is x - 1 < 0
        return Mask([diff])

    def __lt__(self, other):
        return self._bound(other, True, True)

    def __le__(self, other):
        return self._bound(other, False, True)

    def __gt__(self, other):
        return self._bound(other, True, False)

    def __ge__(self, other):
        return self._bound(other, False, False)

# ---------------------------------------------------------------------------
# The trace

_CURRENT = []


def tracing_now():
    return bool(_CURRENT)


def current():
    if not _CURRENT:
        raise NkiUnsupported("an NKI call outside a kernel being traced")
    return _CURRENT[-1]


class Trace:
    """The MLIR of one kernel, built as its Python runs."""

    # Ops in a kernel whose loops were unrolled: past this, unrolling is
    # not a way to trace it (every copy of the body is compiled: a 222-row
    # loop of matmul nests unrolled takes minutes to JIT).
    MAX_LINES = 4000

    def __init__(self, name, unroll=None):
        self.name = name
        # (file, line) of a loop traced unrolled -> how many iterations
        # each step of the loop traces (None: all of them).
        self.unroll = unroll or {}
        self.remainders = {}  # name of an `a % c` -> (a, c)
        # Views past their source: an error unless a mask narrows them
        # before an op uses them (then they are dropped unused).
        self.out_of_bounds = {}   # view name -> (message, where)
        self.args = []        # (Tensor, python name)
        self.lines = []
        self.indent = 1
        self.counter = 0
        self.hbm_allocs = {}  # Tensor -> index of its placeholder line
        self.last_accumulated = None
        self.open_loops = []  # {line of its scf.for, indent, names it defines}
        self.cache = {}       # index expression key -> (name, depth)

    # Names and lines.
    def fresh(self, hint="v"):
        self.counter += 1
        return f"%{hint}{self.counter}"

    def loc(self, where=None):
        file, line = where or user_location()
        return f'loc("{os.path.basename(file)}":{line}:1)'

    def emit(self, text, where=None):
        if len(self.lines) > self.MAX_LINES and self.unroll:
            raise UnrolledTooFar()
        self.lines.append("  " * self.indent + text + " " + self.loc(where))

    # Index arithmetic, placed where its loop variables are defined (so
    # that loop-invariant indexes are visibly invariant) and computed once
    # per loop.
    def depth_of(self, value):
        """How many open loops an index depends on, from the outermost."""
        depth = 0
        for level, loop in enumerate(self.open_loops, 1):
            if any(var in loop["defines"] for var in Index.of(value).terms):
                depth = level
        return depth

    def emit_at(self, depth, key, text):
        """`%name = <text>` at loop depth `depth` (before the loop that opens
        below it), reusing an earlier one with the same key."""
        if key in self.cache:
            return self.cache[key][0]
        name = self.fresh("c" if "constant" in text else "i")
        line = f"{name} = {text}"
        if depth == len(self.open_loops):
            self.emit(line)
        else:
            below = self.open_loops[depth]
            at = below["line"]
            self.lines.insert(at, "  " * below["indent"] + line + " " +
                              self.loc())
            for loop in self.open_loops[depth:]:
                loop["line"] += 1
            for tensor, index in self.hbm_allocs.items():
                if index >= at:
                    self.hbm_allocs[tensor] = index + 1
        self.cache[key] = (name, depth)
        for loop in self.open_loops[:depth][-1:]:
            loop["defines"].add(name)
        return name

    def index(self, value):
        """An SSA index holding `value` (an Index or an int)."""
        value = Index.of(value)
        if value.constant() is not None:
            return self.index_constant(value.const)
        depth = self.depth_of(value)
        result = None
        for var, coeff in sorted(value.terms.items()):
            term = var
            if coeff != 1:
                c = self.index_constant(coeff)
                term = self.emit_at(self.depth_of(Index(0, {var: 1})),
                                    ("muli", var, coeff),
                                    f"arith.muli {var}, {c} : index")
            if result is not None:
                term = self.emit_at(depth, ("addi", result, term),
                                    f"arith.addi {result}, {term} : index")
            result = term
        if value.const:
            op = "addi" if value.const > 0 else "subi"
            c = self.index_constant(abs(value.const))
            result = self.emit_at(depth, (op, result, c),
                                  f"arith.{op} {result}, {c} : index")
        return result

    def index_constant(self, value):
        return self.emit_at(0, ("constant", value),
                            f"arith.constant {value} : index")

    def emit_binary(self, op, a, b):
        x, y = self.index(a), self.index(b)
        depth = max(self.depth_of(a), self.depth_of(b))
        name = self.emit_at(depth, (op, x, y),
                            f"arith.{op} {x}, {y} : index")
        if op == "remui" and Index.of(b).constant() is not None:
            self.remainders[name] = (Index.of(a), Index.of(b).const)
        return name

    # Pieces a split loop may have before it is unrolled instead.
    MAX_PIECES = 16

    def how_to_decide(self, index, where, decide):
        """How the loop at `where` is traced again so that the decision
        `decide(index)` is made (see NeedsUnroll.how)."""
        loop = next(l for l in self.open_loops if l.get("where") == where)
        period = self.period(index, loop)
        if period is not None:
            return ("period", period)
        # `coeff * i + const`: split where the decision changes. Variables
        # of loops that run once are their one value.
        values = loop["values"]
        const, coeff = index.const, 0
        for var, k in index.terms.items():
            only = self.variable_values(var)
            if var in loop["ivs"]:
                coeff = k
            elif only is not None and len(only) == 1:
                const += k * only[0]
            else:
                return ("all",)
        if decide is None or values is None:
            return ("all",)
        starts = [b for a, b in zip(values, values[1:])
                  if decide(coeff * a + const) != decide(coeff * b + const)]
        if not starts or len(starts) >= self.MAX_PIECES:
            return ("all",)
        return ("split", frozenset(starts))

    def period(self, index, loop):
        """How many consecutive iterations of `loop` decide `index` when
        each step of the loop traces that many: `index` uses that loop's
        variable only through remainders `(k*i + ...) % c`, whose values
        repeat every c / gcd(c, k * step) iterations. None if it uses the
        variable otherwise."""
        own = [v for v in index.terms if v in loop["defines"]]
        period = 1
        for var in own:
            if var not in self.remainders:
                return None
            a, c = self.remainders[var]
            for v, k in a.terms.items():
                if v not in loop["defines"]:
                    continue
                if v not in loop["ivs"]:
                    return None
                step = loop["ivs"][v]
                period = math.lcm(period, c // math.gcd(c, k * step))
        return period if period > 1 else None

    # Loops.
    def loop(self, start, stop, step, independent):
        """A generator for a Python `for`: opens an `scf.for`, yields its
        induction variable once, and closes the loop when resumed."""
        # Bounds may move with outer loop variables if the trip count does
        # not (`nl.affine_range(i, i + 1)`).
        trips = trip_count(start, stop, step)
        where = user_location()
        lo, hi, st = (self.index(b) for b in (start, stop, step))
        iv = self.fresh("iv")
        static = Index.of(start).constant() is not None
        self.open_loops.append({"line": len(self.lines), "indent":
                                self.indent, "defines": {iv}, "where": where,
                                "ivs": {iv: int(step)},
                                "values": range(int(start), int(stop),
                                                int(step)) if static
                                else None, "trips": trips})
        self.lines.append("  " * self.indent +
                          f"scf.for {iv} = {lo} to {hi} step {st} {{")
        self.indent += 1
        yield Index(0, {iv: 1})
        self.indent -= 1
        depth = len(self.open_loops)
        header = self.open_loops.pop()["line"]
        self.cache = {k: v for k, v in self.cache.items() if v[1] < depth}
        if header == len(self.lines) - 1:
            # Nothing in it (the piece of a split loop where an `if` is
            # false).
            self.lines.pop()
            return
        attr = " {nki.affine_range}" if independent else ""
        self.lines.append("  " * self.indent + "}" + attr + " " +
                          self.loc(where))

    def bounds(self, index):
        """(lowest, highest) value of `index` over the open loops' ranges,
        or None if it uses a value other than their variables."""
        lo = hi = index.const
        for var, coeff in index.terms.items():
            values = self.variable_values(var)
            if values is None:
                return None
            ends = (coeff * values[0], coeff * values[-1])
            lo, hi = lo + min(ends), hi + max(ends)
        return lo, hi

    def variable_values(self, var):
        """The range an open loop's induction variable takes, or None for
        any other value (or a loop whose start moves with outer loops)."""
        if not var.startswith("%iv"):
            return None
        return next((loop["values"] for loop in self.open_loops
                     if var in loop["defines"]), None)

    def loop_defining(self, index):
        """(file, line) of the innermost open loop whose variables `index`
        uses, or None."""
        for loop in reversed(self.open_loops):
            if loop.get("where") and \
                    any(v in loop["defines"] for v in Index.of(index).terms):
                return loop["where"]
        return None

    @contextlib.contextmanager
    def guard(self, condition):
        """Ops emitted inside run only where `condition` (an i1) holds."""
        self.lines.append("  " * self.indent + f"scf.if {condition} {{")
        self.open_loops.append({"line": len(self.lines) - 1, "indent":
                                self.indent, "defines": set(),
                                "values": None})
        self.indent += 1
        yield
        self.indent -= 1
        depth = len(self.open_loops)
        self.open_loops.pop()
        self.cache = {k: v for k, v in self.cache.items() if v[1] < depth}
        self.lines.append("  " * self.indent + "} " + self.loc())

    def masked(self, mask, operands, emit):
        """emit(operands) under `mask` (None: everywhere): operands shaped
        like the mask's grid are narrowed along its masked axes."""
        if mask is None:
            emit(operands)
            return
        if not isinstance(mask, Mask):
            raise NkiUnsupported(f"a mask of type {type(mask).__name__}")
        axes, grid = mask.axes(), mask.grid()
        for op in operands:
            if op is not None and (len(op.shape) != len(grid) or any(
                    op.shape[a] not in (grid[a], 1) for a in axes)):
                raise NkiUnsupported(f"a mask over a grid of shape {grid} "
                                     f"on an operand of shape "
                                     f"{list(op.shape)}")
        for condition, counts in self.mask_cases(axes, grid):
            if any(c == 0 for c in counts.values()):
                continue
            if condition is None:
                emit([self.narrow(op, counts) for op in operands])
            else:
                # Views made again inside the guard: the ones outside may
                # reach past their buffers in iterations the guard skips.
                with self.guard(condition):
                    emit([self.narrow(op, counts, True) for op in operands])

    def narrow(self, tensor, counts, rebuild=False):
        if tensor is None:
            return None
        sizes = [counts.get(d - len(tensor.shape), s)
                 if s != 1 else 1 for d, s in enumerate(tensor.shape)]
        recipe = getattr(tensor, "recipe", None)
        if sizes == list(tensor.shape) and not (rebuild and recipe):
            return tensor
        if recipe is not None:
            # A narrower view of what `tensor` views: `tensor` itself may
            # reach past its buffer where the mask is off.
            parent, offsets, parent_sizes, steps, kept = recipe
            parent_sizes, narrowed = list(parent_sizes), iter(sizes)
            for m, k in enumerate(kept):
                if k:
                    parent_sizes[m] = next(narrowed)
            return self.make_view(parent, offsets, parent_sizes, steps, kept)
        return self.make_view(tensor, [Index.of(0)] * len(sizes), sizes,
                              [1] * len(sizes), [True] * len(sizes))

    def mask_cases(self, axes, grid):
        """[(condition or None, {axis: count})]: the parts of the grid the
        mask can select as the loops run."""
        variables = sorted({v for _, base in axes.values()
                            for v in base.terms})
        ranges = []
        for var in variables:
            values = self.variable_values(var)
            if values is None:
                raise NkiUnsupported("a mask bound computed from other than "
                                     "loop variables")
            ranges.append(values)
        if int(np.prod([len(r) for r in ranges])) > 1 << 16:
            raise NkiUnsupported("a mask over too many loop iterations")
        seen = {}
        for values in itertools.product(*ranges):
            env = dict(zip(variables, values))
            counts = {}
            for axis, (coeff, base) in axes.items():
                b = base.const + sum(c * env[v] for v, c in base.terms.items())
                counts[axis] = _count(coeff, b, grid[axis])
            seen[tuple(sorted(counts.items()))] = counts
        if not variables:
            return [(None, counts) for counts in seen.values()]
        cases = []
        for counts in seen.values():
            tests = []
            for axis, (coeff, base) in axes.items():
                k, n = counts[axis], grid[axis]
                # count == k  <=>  -coeff*k <= base < -coeff*(k-1), with no
                # upper end for k == n and no lower end for k == 0.
                if k < n:
                    tests.append(("sge", base, -coeff * k))
                if k > 0:
                    tests.append(("slt", base, -coeff * (k - 1)))
            cases.append((self.condition(tests), counts))
        if len(cases) == 1:
            return [(None, cases[0][1])]
        return cases

    def condition(self, tests):
        result = None
        for predicate, value, bound in tests:
            lhs, rhs = self.index(value), self.index_constant(bound)
            test = self.fresh("in")
            self.emit(f"{test} = arith.cmpi {predicate}, {lhs}, {rhs} : "
                      "index")
            if result is not None:
                both = self.fresh("in")
                self.emit(f"{both} = arith.andi {result}, {test} : i1")
                test = both
            result = test
        return result

    # Tensors.
    def argument(self, name, shape, etype):
        tensor = Tensor(f"%{name}", shape, etype, "hbm")
        self.args.append(tensor)
        return tensor

    def alloc(self, shape, etype, space, partition_dim=0):
        shape = tuple(int(Index.of(s)) for s in shape)
        if any(s <= 0 for s in shape):
            raise NkiError(f"a tensor of shape {shape}")
        perm = None
        if partition_dim > 0 and space != "hbm":
            # (B..., P, F...) is stored as [P, B..., F...]: each block is a
            # [P, F...] tile side by side in the partitions.
            perm = [d + 1 for d in range(partition_dim)] + [0] + \
                list(range(partition_dim + 1, len(shape)))
        tensor = Tensor(self.fresh(space), shape, etype, space, perm=perm)
        if space == "hbm":
            # An output if the kernel returns it, else HBM scratch: decided
            # at the end.
            self.hbm_allocs[tensor] = len(self.lines)
            tensor.alloc_name = tensor.name
            self.lines.append(None)
        else:
            self.emit(f"{tensor.name} = memref.alloc() : {tensor.type()}")
        return tensor

    def subview(self, tensor, key):
        """tensor[key] with NKI's (numpy's) basic indexing: a slice keeps
        its dim, an integer drops it. On chip the partition dim is always
        kept, and so is one free dim (a tile is at least [P, 1])."""
        if not isinstance(key, tuple):
            key = (key,)
        if any(k is Ellipsis for k in key):
            i = key.index(Ellipsis)
            fill = len(tensor.shape) - (len(key) - 1)
            key = key[:i] + (slice(None),) * fill + key[i + 1:]
        if any(isinstance(k, Arange) for k in key):
            return self.arange_view(tensor, key)
        if len(key) > len(tensor.shape):
            raise NkiError(f"{len(key)} indices for a tensor of rank "
                           f"{len(tensor.shape)}")
        key = key + (slice(None),) * (len(tensor.shape) - len(key))
        perm = tensor.perm or list(range(len(tensor.shape)))
        rank = len(perm)
        offsets, sizes, steps = [None] * rank, [0] * rank, [1] * rank
        kept = [True] * rank
        for dim, (k, size) in enumerate(zip(key, tensor.shape)):
            m = perm[dim]
            if isinstance(k, slice):
                start = Index.of(0 if k.start is None else k.start)
                stop = Index.of(size if k.stop is None else k.stop)
                step = 1 if k.step is None else int(Index.of(k.step))
                if step <= 0:
                    raise NkiUnsupported("a slice with a non-positive step")
                extent = (stop - start).constant()
                if extent is None:
                    undecidable(stop - start, "a slice whose size depends "
                                "on a loop variable")
                offsets[m], sizes[m], steps[m] = start, -(-extent // step), \
                    step
            elif isinstance(k, Tensor):
                raise NkiUnsupported("indexing a tensor by a tensor")
            elif k is None:
                raise NkiUnsupported("a new axis (None) in an index")
            else:
                offsets[m], sizes[m] = Index.of(k), 1
                kept[m] = tensor.space != "hbm" and m == 0
        if not any(kept[1 if tensor.space != "hbm" else 0:]):
            kept[-1] = True  # [P, 1] on chip, [1] in HBM
        view = self.make_view(tensor, offsets, sizes, steps, kept)
        if view is tensor:
            return tensor
        # The kept dims in the kernel's order, and where each is stored.
        stored = [m for m in range(rank) if kept[m]]
        dims = [d for d in range(rank) if kept[perm[d]]]
        view.shape = tuple(sizes[perm[d]] for d in dims)
        view.perm = [stored.index(perm[d]) for d in dims]
        if view.perm == sorted(view.perm):
            view.perm = None
        return view

    def make_view(self, tensor, offsets, sizes, steps, kept):
        """A memref.subview of `tensor`; all lists are in memref order."""
        if all(o.constant() == 0 for o in offsets) and \
                sizes == list(tensor.memref_shape()) and \
                all(s == 1 for s in steps) and all(kept):
            return tensor
        src_strides = tensor.full_strides()
        strides = [s * st for s, st, k in zip(src_strides, steps, kept) if k]
        shape = [s for s, k in zip(sizes, kept) if k]
        offset = tensor.offset
        if offset is not None:
            for o, s in zip(offsets, src_strides):
                if o.constant() is None:
                    offset = None
                    break
                offset += o.const * s
        view = Tensor(self.fresh("view"), shape, tensor.etype, tensor.space,
                      strides, offset, tensor.root)
        error = _bounds_error(tensor, offsets, sizes, steps)
        if error is not None:
            self.out_of_bounds[view.name] = (error, user_location())
        if tensor.perm is None:
            view.recipe = (tensor, offsets, sizes, steps, kept)
        operands = ", ".join(str(o.const) if o.constant() is not None
                             else self.index(o) for o in offsets)
        self.emit(f"{view.name} = memref.subview {tensor.name}[{operands}] "
                  f"[{', '.join(map(str, sizes))}] "
                  f"[{', '.join(map(str, steps))}] : {tensor.type()} to "
                  f"{view.type()}")
        return view

    def arange_view(self, tensor, key):
        """tensor[key] where key holds nl.arange / nl.mgrid expressions: a
        view whose dims are the index grid's axes. Each grid axis must step
        along one tensor dim, in the tensor's dim order; several axes on one
        dim must split it (2 * i + j with j in [0, 2))."""
        if tensor.perm is not None:
            raise NkiUnsupported("nl.arange indexing of a tensor with block "
                                 "dims")
        if len(key) != len(tensor.shape):
            raise NkiUnsupported("nl.arange indexing that does not index "
                                 "every dim")
        grid = []
        for k in key:
            if isinstance(k, Arange):
                grid = Arange.broadcast(grid, k.grid)
        offsets, sizes, steps = [], [], []
        splits = []  # per kept dim: the grid axes it splits into
        used = []
        for dim, (k, size) in enumerate(zip(key, tensor.shape)):
            if isinstance(k, slice):
                raise NkiUnsupported("a slice beside nl.arange indices")
            k = k if isinstance(k, Arange) else Arange(Index.of(k), {}, [])
            axes = sorted(k.coeffs, key=lambda a: -k.coeffs[a])
            if not axes:
                offsets.append(k.base)
                sizes.append(1)
                steps.append(1)
                splits.append(None)
                continue
            coeffs = [k.coeffs[a] for a in axes]
            for outer, inner, a in zip(coeffs, coeffs[1:], axes[1:]):
                if outer != inner * grid[a]:
                    raise NkiUnsupported("nl.arange indices that overlap or "
                                         "leave gaps in one dim")
            if any(c <= 0 for c in coeffs) or axes != sorted(axes) or \
                    (used and axes[0] < used[-1]):
                raise NkiUnsupported("nl.arange indices that reverse or "
                                     "reorder dims")
            used += axes
            count = coeffs[0] // coeffs[-1] * grid[axes[0]]
            offsets.append(k.base)
            sizes.append(count)
            steps.append(coeffs[-1])
            splits.append(axes)
        kept = [s is not None for s in splits]
        if tensor.space != "hbm" and not kept[0]:
            raise NkiUnsupported("nl.arange indexing that fixes the "
                                 "partition dim")
        view = self.make_view(tensor, offsets, sizes, steps, kept)
        axes_of = [s for s in splits if s is not None]
        expanded = [grid[a] for axes in axes_of for a in axes]
        if len(expanded) != len(axes_of):
            groups, at = [], 0
            for axes in axes_of:
                groups.append(list(range(at, at + len(axes))))
                at += len(axes)
            view = self.expand(view, expanded, groups)
        # Grid axes no index steps along are unit dims of the view.
        return self.conform(view, tuple(grid)) or view

    def expand(self, view, shape, groups):
        """memref.expand_shape of `view` into `shape` (each group of dims
        from one dim of `view`), with the strides MLIR infers."""
        src_strides = view.full_strides()
        strides = [0] * len(shape)
        for group, stride in zip(groups, src_strides):
            for d in reversed(group):
                strides[d] = stride
                stride *= shape[d]
        out = Tensor(self.fresh("shaped"), shape, view.etype, view.space,
                     None if _identity_layout(view) else strides,
                     view.offset, view.root)
        self.emit(f"{out.name} = memref.expand_shape {view.name} {groups} "
                  f"output_shape [{', '.join(map(str, shape))}] : "
                  f"{view.type()} into {out.type()}")
        return out

    def collapse(self, view, groups):
        """memref.collapse_shape of `view` (each group contiguous), or None
        if a group's dims are not contiguous."""
        strides = view.full_strides()
        shape, new_strides = [], []
        for group in groups:
            dims = [d for d in group if view.shape[d] != 1] or group[-1:]
            for outer, inner in zip(dims, dims[1:]):
                if strides[outer] != strides[inner] * view.shape[inner]:
                    return None
            shape.append(int(np.prod([view.shape[d] for d in group])))
            new_strides.append(strides[dims[-1]])
        out = Tensor(self.fresh("flat"), shape, view.etype, view.space,
                     None if _identity_layout(view) else new_strides,
                     view.offset, view.root)
        self.emit(f"{out.name} = memref.collapse_shape {view.name} {groups} "
                  f": {view.type()} into {out.type()}")
        return out

    def conform(self, view, shape):
        """`view` as `shape` when they differ only in unit dims (the
        partition dim of an on-chip view stays where it is), or None."""
        shape = tuple(shape)
        if view.shape == shape:
            return view
        if view.perm is not None:
            return None
        lead = 1 if view.space != "hbm" else 0
        if view.shape[:lead] != shape[:lead]:
            return None
        core = [d for d in range(len(view.shape))
                if d < lead or view.shape[d] != 1]
        wanted = [d for d in range(len(shape)) if d < lead or shape[d] != 1]
        if [view.shape[d] for d in core] != [shape[d] for d in wanted] or \
                not core:
            return None
        matched = self.match_shape(view, shape)
        if matched is not None and matched.shape == shape:
            return matched
        squeezed = view
        if len(core) != len(view.shape):
            squeezed = self.make_view(
                view, [Index.of(0)] * len(view.shape), list(view.shape),
                [1] * len(view.shape),
                [d in core for d in range(len(view.shape))])
        if len(core) == len(shape):
            return squeezed
        # Each unit dim of `shape` joins the group of the dim before it
        # (leading ones the first group).
        groups = [[] for _ in wanted]
        group = 0
        for d in range(len(shape)):
            if d in wanted:
                group = wanted.index(d)
            groups[group].append(d)
        return self.expand(squeezed, list(shape), groups)

    def reshape(self, tensor, shape):
        shape = tuple(int(Index.of(s)) for s in shape)
        if int(np.prod(shape)) != int(np.prod(tensor.shape)):
            raise NkiError(f"cannot reshape {tensor.shape} into {shape}")
        if tensor.perm is not None:
            raise NkiUnsupported("reshaping a tensor with block dims")
        on_chip = tensor.space != "hbm"
        if on_chip and shape[0] != tensor.shape[0]:
            raise NkiUnsupported("a reshape that changes the partition "
                                 "dimension of an on-chip tile")
        same = self.conform(tensor, shape)
        if same is not None:
            return same
        # One expand_shape (or collapse_shape) where the new shape splits
        # (or merges) whole dims of the old one.
        groups = _splits(tensor.shape, shape)
        if groups is not None:
            return self.expand(tensor, list(shape), groups)
        groups = _splits(shape, tensor.shape)
        if groups is not None:
            merged = self.collapse(tensor, groups)
            if merged is not None:
                return merged
        keep = 1 if on_chip else 0
        value = tensor
        if len(tensor.shape) - keep > 1:
            value = self.collapse(tensor, [[d] for d in range(keep)] +
                                  [list(range(keep, len(tensor.shape)))])
            if value is None:
                raise NkiUnsupported("reshaping a strided view whose dims "
                                     "are not contiguous")
        if len(shape) - keep > 1:
            value = self.expand(value, list(shape),
                                [[d] for d in range(keep)] +
                                [list(range(keep, len(shape)))])
        if value.shape != shape:
            value = self.conform(value, shape)
        if value is None or value.shape != shape:
            raise NkiUnsupported(f"reshape {tensor.shape} into {shape}")
        return value

    def assign(self, target, value):
        """`target[...] = value`: a copy into the view."""
        from . import language
        if isinstance(value, language.PendingMatmul):
            value = value.materialize()
        if isinstance(value, language.LoopReduce):
            return value.reduce_into(target)
        if not isinstance(value, Tensor):
            raise NkiUnsupported("assigning a non-tile to a tensor slice")
        if target.space == "hbm" or value.space == "hbm":
            self.copy("dma_copy", value, target)
        else:
            self.copy("tensor_copy", value, target)

    def accumulate(self, target, value):
        from . import language
        if isinstance(value, language.PendingMatmul):
            value.emit(target, accumulate=True)
            self.last_accumulated = target
            return target
        if isinstance(value, Tensor):
            self.emit(f"nki.tensor_tensor add {target.name}, {value.name} to "
                      f"{target.name} : {target.type()}, {value.type()} to "
                      f"{target.type()}")
            self.last_accumulated = target
            return target
        raise NkiUnsupported(f"`+=` of a {type(value).__name__}")

    def match_shape(self, view, shape):
        """`view` again with the unit dims `shape` has (a view of the same
        elements), or None."""
        recipe = getattr(view, "recipe", None)
        if recipe is None:
            return None
        tensor, offsets, sizes, steps, _ = recipe
        # Right-aligned, as numpy broadcasts: [128, 1] from sizes
        # [1, 128, 1, 1] keeps the last unit dim.
        kept, want = [], list(shape)
        for size in reversed(sizes):
            if want and size == want[-1]:
                kept.append(True)
                want.pop()
            elif size == 1:
                kept.append(False)
            else:
                return None
        kept = kept[::-1]
        if want or (tensor.space != "hbm" and not kept[0]):
            return None
        return self.make_view(tensor, offsets, sizes, steps, kept)

    def copy(self, op, source, target, mask=None):
        check_tile(source)
        check_tile(target)
        if source.shape != target.shape:
            # The same elements with different unit dims: re-view the HBM
            # side (or the source).
            if target.space == "hbm" and source.space != "hbm":
                target = self.conform(target, source.shape) or target
            else:
                source = self.conform(source, target.shape) or source
        if source.shape != target.shape:
            raise NkiError(f"a copy from shape {list(source.shape)} to "
                           f"shape {list(target.shape)}")
        self.masked(mask, [source, target], lambda ops: self.emit(
            f"nki.{op} {ops[0].name} to {ops[1].name} : {ops[0].type()} to "
            f"{ops[1].type()}"))

    # The function.
    def text(self, outputs):
        lines = list(self.lines)
        renames = {}
        for tensor, at in self.hbm_allocs.items():
            if tensor in outputs:
                renames[tensor.alloc_name] = tensor.name
                lines[at] = None
            else:
                lines[at] = (f"  {tensor.name} = memref.alloc() : "
                             f"{tensor.type()}")
        params = [f"{a.name}: {a.type()}" for a in self.args] + \
            [f"{t.name}: {t.type()}" for t in outputs]
        kept = _drop_unused_views([line for line in lines
                                   if line is not None])
        for line in kept:
            match = _VIEW_LINE.match(line)
            if match and match.group(1) in self.out_of_bounds:
                message, where = self.out_of_bounds[match.group(1)]
                raise NkiError(message, where)
        body = "\n".join(kept)
        for old, new in renames.items():
            body = re.sub(re.escape(old) + r"\b", new, body)
        return (f"func.func @{self.name}({', '.join(params)}) {{\n"
                f"{body}\n  return\n}}\n")


_VIEW_LINE = re.compile(r"\s*(%\w+) = memref\.(subview|expand_shape|"
                        r"collapse_shape) (%\w+)")


def _drop_unused_views(lines):
    """Without the views nothing uses: a masked op narrows a view that may
    reach past its buffer where the mask is off; that view must not stay."""
    uses = {}
    for line in lines:
        for name in re.findall(r"%\w+", line):
            uses[name] = uses.get(name, 0) + 1
    kept = list(lines)
    changed = True
    while changed:
        changed = False
        for i, line in enumerate(kept):
            match = line is not None and _VIEW_LINE.match(line)
            if match and uses.get(match.group(1)) == 1:
                kept[i] = None
                uses[match.group(3)] -= 1
                changed = True
    return [line for line in kept if line is not None]


@contextlib.contextmanager
def tracing(trace):
    _CURRENT.append(trace)
    try:
        yield trace
    finally:
        _CURRENT.pop()
