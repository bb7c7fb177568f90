"""`neuronxcc.nki.isa` (nisa) as the tracer serves it: the instruction-level
API, both the form that returns a new tile and the newer one that writes
`dst`."""

import numpy as np

from . import language as nl
from .trace import NkiUnsupported, current, numpy_dtype


class engine:
    unknown = tensor = vector = scalar = gpsimd = activation = None


# The engine names nisa exports (`engine=nisa.vector_engine`); every op here
# runs where the dialect puts it.
unknown_engine = tensor_engine = vector_engine = scalar_engine = \
    gpsimd_engine = activation_engine = None


def _no_mask(mask):
    if mask is not None:
        raise NkiUnsupported("mask=")


def dma_copy(dst=None, src=None, mask=None, dst_rmw_op=None, **kwargs):
    if dst is None or src is None:
        raise NkiUnsupported("dma_copy without dst= and src=")
    if dst_rmw_op is not None:
        raise NkiUnsupported("dma_copy with dst_rmw_op=")
    current().copy("dma_copy", nl.tile(src), nl.tile(dst), mask)


def nc_matmul(stationary=None, moving=None, *args, dst=None, mask=None,
              accumulate=False, **kwargs):
    _no_mask(mask)
    # The newer form: nc_matmul(dst, stationary, moving, accumulate=...).
    if args and hasattr(moving, "shape") and hasattr(args[0], "shape"):
        dst, stationary, moving = stationary, moving, args[0]
    result = nl.PendingMatmul(stationary, moving)
    if dst is not None:
        result.emit(nl.tile(dst), accumulate=bool(accumulate))
        return dst
    return result


def nc_transpose(data, dst=None, mask=None, engine=None, **kwargs):
    _no_mask(mask)
    if dst is not None:
        dst = nl.tile(dst)
        if dst.space == "psum":
            nl.transpose(data, out=dst)
        else:
            current().copy("tensor_copy", nl.transpose(data), dst)
        return dst
    return nl.transpose(data)


def tensor_copy(src=None, dtype=None, dst=None, mask=None, engine=None,
                **kwargs):
    if dst is not None:
        current().copy("tensor_copy", nl.tile(src), nl.tile(dst), mask)
        return dst
    return nl.copy(src, dtype=dtype, mask=mask)


def tensor_tensor(data1=None, data2=None, op=None, dtype=None, dst=None,
                  mask=None, **kwargs):
    return nl.elementwise(op, data1, data2, dtype,
                          out=nl.tile(dst) if dst is not None else None,
                          mask=mask)


def tensor_scalar(data=None, op0=None, operand0=None, reverse0=False,
                  op1=None, operand1=None, reverse1=False, dtype=None,
                  dst=None, mask=None, **kwargs):
    if reverse0 or reverse1:
        raise NkiUnsupported("tensor_scalar with reverse0/reverse1")
    out = nl.elementwise(op0, data, operand0, dtype,
                         out=nl.tile(dst) if dst is not None else None,
                         mask=mask)
    if op1 is not None:
        out = nl.elementwise(op1, out, operand1, dtype, out=out, mask=mask)
    return out


def tensor_reduce(op=None, data=None, axis=None, dtype=None, negate=False,
                  keepdims=False, dst=None, mask=None, **kwargs):
    _no_mask(mask)
    if negate:
        raise NkiUnsupported("tensor_reduce with negate=True")
    return nl.reduce(op, data, axis, dtype, keepdims,
                     out=nl.tile(dst) if dst is not None else None)


def activation(op=None, data=None, bias=None, scale=1.0, dtype=None,
               dst=None, mask=None, reduce_op=None, reduce_res=None,
               **kwargs):
    """op(data * scale + bias) with bias a [P, 1] tile and scale a number
    or a [P, 1] tile, op nl.copy or nl.relu: Vector Engine ops of the
    dialect, in float32 until the last."""
    if reduce_op is not None or reduce_res is not None:
        raise NkiUnsupported("nisa.activation with reduce_op=")
    if op in (nl.copy, np.copy):
        final = None
    elif op is nl.relu:
        final = ("max", 0.0)
    else:
        raise NkiUnsupported(f"nisa.activation with op="
                             f"{getattr(op, '__name__', op)}")
    x = nl.tile(data)
    out = nl.tile(dst) if dst is not None else None
    steps = []
    if not (isinstance(scale, (int, float)) and float(scale) == 1.0):
        steps.append(("multiply", scale))
    if bias is not None:
        steps.append(("add", bias))
    if final is not None:
        steps.append(final)
    if dtype is None:
        dtype = numpy_dtype(x.etype) if out is None else \
            numpy_dtype(out.etype)
    if not steps:
        if out is not None:
            current().copy("tensor_copy", x, out, mask)
            return out
        return nl.copy(x, dtype=dtype, mask=mask)
    y = x
    for i, (name, operand) in enumerate(steps):
        last = i == len(steps) - 1
        y = nl.elementwise(name, y, operand,
                           dtype if last else np.float32,
                           out=out if last else None, mask=mask)
    return y


def memset(shape=None, value=0.0, dtype=None, dst=None, mask=None,
           **kwargs):
    _no_mask(mask)
    if dst is not None:
        nl._memset(nl.tile(dst), value)
        return dst
    return nl.full(shape, value, dtype)


def __getattr__(name):
    # A nisa name this tracer does not serve: said at the kernel's line.
    if name.startswith("__"):
        raise AttributeError(name)
    raise NkiUnsupported(f"nisa.{name}")
