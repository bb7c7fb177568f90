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
import inspect
import os
import re

import numpy as np

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class NkiUnsupported(Exception):
    """A construct the tracer does not support; reported at the kernel's
    line as `FILE:LINE: unsupported NKI construct: WHAT`."""

    def __init__(self, what, where=None):
        super().__init__(what)
        self.what = what
        self.where = where or user_location()


class NkiError(Exception):
    """A kernel that breaks an NKI rule the tracer itself checks."""

    def __init__(self, what, where=None):
        super().__init__(what)
        self.what = what
        self.where = where or user_location()


def user_location():
    """(file, line) of the innermost frame outside this package."""
    for frame in inspect.stack()[1:]:
        if not os.path.abspath(frame.filename).startswith(PACKAGE_DIR):
            return (frame.filename, frame.lineno)
    return ("<unknown>", 0)


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
        raise NkiUnsupported(f"an index of type {type(value).__name__}")

    def constant(self):
        return None if self.terms else self.const

    def __add__(self, other):
        other = Index.of(other)
        terms = dict(self.terms)
        for k, v in other.terms.items():
            terms[k] = terms.get(k, 0) + v
        return Index(self.const + other.const, terms)

    __radd__ = __add__

    def __neg__(self):
        return Index(-self.const, {k: -v for k, v in self.terms.items()})

    def __sub__(self, other):
        return self + (-Index.of(other))

    def __rsub__(self, other):
        return Index.of(other) - self

    def __mul__(self, other):
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
            raise NkiUnsupported("a condition on a loop variable (use masks, "
                                 "or nl.static_range to unroll)")
        return bool(self.const)

    def _compare(self, other, op):
        diff = self - other
        if diff.constant() is None:
            raise NkiUnsupported("a condition on a loop variable (use masks, "
                                 "or nl.static_range to unroll)")
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
        try:
            return self._compare(other, lambda a, b: a == b)
        except NkiUnsupported:
            return False

    def __hash__(self):
        return hash((self.const, tuple(sorted(self.terms.items()))))

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
                 root=None):
        self.name = name
        self.shape = tuple(int(s) for s in shape)
        self.etype = etype
        self.space = space
        self.strides = list(strides) if strides is not None else None
        self.offset = offset  # None: dynamic
        self.root = root or self

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

    def full_strides(self):
        return self.strides if self.strides is not None else \
            identity_strides(self.shape)

    def type(self):
        dims = "x".join(str(s) for s in self.shape)
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
        return (self.strides is None or
                (self.strides == identity_strides(self.shape) and
                 self.offset == 0))

    def __getitem__(self, key):
        trace = current()
        trace.last_getitem = trace.subview(self, key)
        return trace.last_getitem

    def __setitem__(self, key, value):
        trace = current()
        # `tile[key] += x` runs __getitem__, __iadd__ (which accumulated into
        # the view) and then this with that view: nothing left to do.
        if value is trace.last_accumulated and value is trace.last_getitem \
                and value.root is self.root:
            trace.last_accumulated = None
            return
        trace.assign(trace.subview(self, key), value)

    def __iadd__(self, value):
        return current().accumulate(self, value)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return current().reshape(self, shape)

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


# ---------------------------------------------------------------------------
# The trace

_CURRENT = []


def current():
    if not _CURRENT:
        raise NkiUnsupported("an NKI call outside a kernel being traced")
    return _CURRENT[-1]


class Trace:
    """The MLIR of one kernel, built as its Python runs."""

    def __init__(self, name):
        self.name = name
        self.args = []        # (Tensor, python name)
        self.lines = []
        self.indent = 1
        self.counter = 0
        self.hbm_allocs = {}  # Tensor -> index of its placeholder line
        self.last_getitem = None
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
        return self.emit_at(depth, (op, x, y),
                            f"arith.{op} {x}, {y} : index")

    # Loops.
    def loop(self, start, stop, step, independent):
        """A generator for a Python `for`: opens an `scf.for`, yields its
        induction variable once, and closes the loop when resumed."""
        for bound in (start, stop, step):
            if Index.of(bound).constant() is None:
                raise NkiUnsupported("a loop bound computed from a loop "
                                     "variable")
        where = user_location()
        lo, hi, st = (self.index(b) for b in (start, stop, step))
        iv = self.fresh("iv")
        self.open_loops.append({"line": len(self.lines), "indent":
                                self.indent, "defines": {iv}})
        self.lines.append("  " * self.indent +
                          f"scf.for {iv} = {lo} to {hi} step {st} {{")
        self.indent += 1
        yield Index(0, {iv: 1})
        self.indent -= 1
        depth = len(self.open_loops)
        self.open_loops.pop()
        self.cache = {k: v for k, v in self.cache.items() if v[1] < depth}
        attr = " {nki.affine_range}" if independent else ""
        self.lines.append("  " * self.indent + "}" + attr + " " +
                          self.loc(where))

    # Tensors.
    def argument(self, name, shape, etype):
        tensor = Tensor(f"%{name}", shape, etype, "hbm")
        self.args.append(tensor)
        return tensor

    def alloc(self, shape, etype, space):
        shape = tuple(int(Index.of(s)) for s in shape)
        if any(s <= 0 for s in shape):
            raise NkiError(f"a tensor of shape {shape}")
        tensor = Tensor(self.fresh(space), shape, etype, space)
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
        if not isinstance(key, tuple):
            key = (key,)
        if any(k is Ellipsis for k in key):
            i = key.index(Ellipsis)
            fill = len(tensor.shape) - (len(key) - 1)
            key = key[:i] + (slice(None),) * fill + key[i + 1:]
        if len(key) > len(tensor.shape):
            raise NkiError(f"{len(key)} indices for a tensor of rank "
                           f"{len(tensor.shape)}")
        key = key + (slice(None),) * (len(tensor.shape) - len(key))
        offsets, sizes, steps, kept = [], [], [], []
        for dim, (k, size) in enumerate(zip(key, tensor.shape)):
            if isinstance(k, slice):
                start = Index.of(0 if k.start is None else k.start)
                stop = Index.of(size if k.stop is None else k.stop)
                step = 1 if k.step is None else int(Index.of(k.step))
                if step <= 0:
                    raise NkiUnsupported("a slice with a non-positive step")
                extent = (stop - start).constant()
                if extent is None:
                    raise NkiUnsupported("a slice whose size depends on a "
                                         "loop variable")
                count = -(-extent // step)
                offsets.append(start)
                sizes.append(count)
                steps.append(step)
                kept.append(True)
            elif isinstance(k, Tensor):
                raise NkiUnsupported("indexing a tensor by a tensor")
            else:
                offsets.append(Index.of(k))
                sizes.append(1)
                steps.append(1)
                # NKI tiles stay [P, F...]: an integer index of a free dim
                # of an on-chip tile keeps it as a unit dim.
                kept.append(tensor.space != "hbm" and dim > 0)
            start = offsets[-1].constant()
            if start is not None and (start < 0 or start + (sizes[-1] - 1) *
                                      steps[-1] >= size) and sizes[-1] > 0:
                raise NkiError(f"index {start}:{start + sizes[-1] * steps[-1]}"
                               f" is out of bounds for dimension {dim} of "
                               f"size {size}")
        return self.make_view(tensor, offsets, sizes, steps, kept)

    def make_view(self, tensor, offsets, sizes, steps, kept):
        if all(o.constant() == 0 for o in offsets) and \
                sizes == list(tensor.shape) and all(s == 1 for s in steps) \
                and all(kept):
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
        view.recipe = (tensor, offsets, sizes, steps)
        operands = ", ".join(str(o.const) if o.constant() is not None
                             else self.index(o) for o in offsets)
        self.emit(f"{view.name} = memref.subview {tensor.name}[{operands}] "
                  f"[{', '.join(map(str, sizes))}] "
                  f"[{', '.join(map(str, steps))}] : {tensor.type()} to "
                  f"{view.type()}")
        return view

    def reshape(self, tensor, shape):
        shape = tuple(int(Index.of(s)) for s in shape)
        if int(np.prod(shape)) != int(np.prod(tensor.shape)):
            raise NkiError(f"cannot reshape {tensor.shape} into {shape}")
        if not tensor.is_contiguous():
            raise NkiUnsupported("reshaping a strided view")
        on_chip = tensor.space != "hbm"
        if on_chip and shape[0] != tensor.shape[0]:
            raise NkiUnsupported("a reshape that changes the partition "
                                 "dimension of an on-chip tile")
        keep = 1 if on_chip else 0
        value = tensor
        if len(tensor.shape) - keep > 1:
            flat = Tensor(self.fresh("flat"), tensor.shape[:keep] +
                          (int(np.prod(tensor.shape[keep:])),),
                          tensor.etype, tensor.space, root=tensor.root)
            groups = [[d] for d in range(keep)] + \
                [list(range(keep, len(tensor.shape)))]
            self.emit(f"{flat.name} = memref.collapse_shape {value.name} "
                      f"{groups} : {value.type()} into {flat.type()}")
            value = flat
        if len(shape) - keep > 1:
            out = Tensor(self.fresh("shaped"), shape, tensor.etype,
                         tensor.space, root=tensor.root)
            groups = [[d] for d in range(keep)] + \
                [list(range(keep, len(shape)))]
            self.emit(f"{out.name} = memref.expand_shape {value.name} "
                      f"{groups} output_shape [{', '.join(map(str, shape))}]"
                      f" : {value.type()} into {out.type()}")
            value = out
        if value.shape != shape and len(shape) == keep and \
                len(value.shape) == keep + 1:
            # [P, 1] into [P] (or [N] into [] for HBM).
            out = Tensor(self.fresh("shaped"), shape, tensor.etype,
                         tensor.space, root=tensor.root)
            self.emit(f"{out.name} = memref.collapse_shape {value.name} "
                      f"[{list(range(keep + 1))}] : {value.type()} into "
                      f"{out.type()}")
            value = out
        if value.shape != shape:
            raise NkiUnsupported(f"reshape {tensor.shape} into {shape}")
        return value

    def assign(self, target, value):
        """`target[...] = value`: a copy into the view."""
        from . import language
        if isinstance(value, language.PendingMatmul):
            value = value.materialize()
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
        tensor, offsets, sizes, steps = recipe
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
        if want:
            return None
        return self.make_view(tensor, offsets, sizes, steps, kept[::-1])

    def copy(self, op, source, target):
        if source.shape != target.shape:
            if [d for d in source.shape if d != 1] == \
                    [d for d in target.shape if d != 1]:
                # Re-view the side with fewer dims.
                if len(source.shape) < len(target.shape):
                    source = self.match_shape(source, target.shape) or source
                else:
                    target = self.match_shape(target, source.shape) or target
        if source.shape != target.shape:
            raise NkiError(f"a copy from shape {list(source.shape)} to "
                           f"shape {list(target.shape)}")
        self.emit(f"nki.{op} {source.name} to {target.name} : "
                  f"{source.type()} to {target.type()}")

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
        body = "\n".join(line for line in lines if line is not None)
        for old, new in renames.items():
            body = re.sub(re.escape(old) + r"\b", new, body)
        return (f"func.func @{self.name}({', '.join(params)}) {{\n"
                f"{body}\n  return\n}}\n")


@contextlib.contextmanager
def tracing(trace):
    _CURRENT.append(trace)
    try:
        yield trace
    finally:
        _CURRENT.pop()
