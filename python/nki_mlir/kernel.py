"""Tracing a kernel call and running it with the project's tools."""

import contextlib
import inspect
import os
import subprocess
import sys
import tempfile

import numpy as np

from .trace import NeedsUnroll, NkiError, NkiUnsupported, Tensor, Trace, \
    UnrolledTooFar, element_type, tracing

# Where nki-py found the project's tools (set by the launcher).
TOOLS = {"bin": os.environ.get("NKI_MLIR_BIN", ""),
         "target": os.environ.get("NKI_MLIR_TARGET", "trn2"),
         "optimize": True}


class KernelFailed(Exception):
    """A kernel the tools rejected; the message is their diagnostics."""


def trace_kernel(func, args, kwargs):
    """The MLIR text of `func` called with `args`/`kwargs` (numpy arrays
    become HBM arguments, everything else stays a Python value), and the
    returned HBM tensors."""
    signature = inspect.signature(func)
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    # Trace-time Python that depends on a loop variable is decided by
    # tracing again with that loop unrolled.
    unroll, decisions = {}, []
    while True:
        trace = Trace(func.__name__, dict(unroll))
        try:
            result = _run_traced(func, trace, bound)
            break
        except NeedsUnroll as needs:
            if needs.loop not in unroll and \
                    len(unroll) >= MAX_UNROLLED_LOOPS:
                raise NkiUnsupported(needs.what, needs.where)
            how = _combine(unroll.get(needs.loop), needs.how)
            if how is None:
                raise NkiUnsupported(needs.what, needs.where)
            unroll[needs.loop] = how
            decisions.append(needs)
        except UnrolledTooFar:
            first = decisions[0]
            raise NkiUnsupported(
                f"{first.what}; unrolling the loop at line {first.loop[1]} "
                f"would make more than {Trace.MAX_LINES} ops", first.where)
    outputs = list(result) if isinstance(result, (tuple, list)) else \
        [result]
    if result is None or not outputs:
        raise NkiError("the kernel returns no output (return the HBM "
                       "tensor it writes)", where=_def_location(func))
    # A reshape of an HBM tensor the kernel allocates: that tensor is the
    # output, handed back in the returned shape.
    for i, out in enumerate(outputs):
        if isinstance(out, Tensor) and out.root is not out and \
                out.root in trace.hbm_allocs and out.is_contiguous() and \
                np.prod(out.shape) == np.prod(out.root.shape):
            out.root.result_shape = out.shape
            outputs[i] = out.root
    for out in outputs:
        if not isinstance(out, Tensor) or out.space != "hbm" or \
                out.root is not out or out in trace.args:
            raise NkiUnsupported("a kernel result that is not an HBM tensor "
                                 "it allocates (nl.ndarray(..., "
                                 "buffer=nl.hbm))", where=_def_location(func))
    if len(outputs) != 1:
        raise NkiUnsupported("a kernel with more than one output",
                             where=_def_location(func))
    for i, out in enumerate(outputs):
        out.name = "%out" if len(outputs) == 1 else f"%out{i}"
    return trace.text(outputs), outputs


MAX_UNROLLED_LOOPS = 8


def _combine(old, new):
    """How a loop traced `old`'s way (None: as a loop) is traced once a
    decision in it needs `new` (see NeedsUnroll.how); None if it is already
    unrolled."""
    if old is None:
        return new
    if old[0] == "all":
        return None
    if old[0] == new[0] == "period":
        # The new period counts steps of the loop that already steps old[1].
        return ("period", old[1] * new[1])
    if old[0] == new[0] == "split" and not new[1] <= old[1] and \
            len(old[1] | new[1]) < Trace.MAX_PIECES:
        return ("split", old[1] | new[1])
    return ("all",)


def _run_traced(func, trace, bound):
    call = {}
    with tracing(trace):
        for name, value in bound.arguments.items():
            if isinstance(value, np.ndarray):
                call[name] = trace.argument(name, value.shape,
                                            element_type(value.dtype))
            elif isinstance(value, ArgSpec):
                call[name] = trace.argument(name, value.shape, value.etype)
            else:
                call[name] = value
        return func(**call)


def _def_location(func):
    code = func.__code__
    return (code.co_filename, code.co_firstlineno)


class ArgSpec:
    """A kernel argument given by shape and element type (nki-py --trace)."""

    def __init__(self, shape, etype):
        self.shape = tuple(shape)
        self.etype = etype


def tool(name):
    path = os.path.join(TOOLS["bin"], name)
    return path if os.path.exists(path) else name


def compile_kernel(text, workdir, optimize):
    """Verifies (and optimizes) the traced kernel; returns the path of the
    kernel nki-run takes."""
    traced = os.path.join(workdir, "kernel.mlir")
    with open(traced, "w") as f:
        f.write(text)
    out = os.path.join(workdir, "kernel.opt.mlir")
    # Python locations kept, so that nki-run's diagnostics name the
    # kernel's lines too.
    command = [tool("nki-opt"), traced, "--mlir-print-debuginfo", "-o", out]
    if optimize:
        command.insert(2, "--nki-optimize")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise KernelFailed(done.stderr.strip())
    return out


_RECORDING = []


@contextlib.contextmanager
def recording():
    """Collects the (kernel, (args, kwargs)) that run_kernel runs."""
    _RECORDING.append([])
    try:
        yield _RECORDING[-1]
    finally:
        _RECORDING.pop()


def run_kernel(func, args, kwargs):
    """Traces, compiles and runs `func` on this CPU; returns its output."""
    for ran in _RECORDING:
        ran.append((func, (args, kwargs)))
    text, outputs = trace_kernel(func, args, kwargs)
    arrays = [a for a in inspect.signature(func).bind(*args, **kwargs)
              .arguments.values() if isinstance(a, np.ndarray)]
    with tempfile.TemporaryDirectory(prefix="nki-py-") as workdir:
        kernel = compile_kernel(text, workdir, TOOLS["optimize"])
        inputs = []
        for i, array in enumerate(arrays):
            path = os.path.join(workdir, f"in{i}.npy")
            np.save(path, np.ascontiguousarray(array, dtype=np.float32))
            inputs.append(path)
        output = os.path.join(workdir, "out.npy")
        command = [tool("nki-run"), kernel, "--output", output]
        if inputs:
            command.append("--inputs=" + ",".join(inputs))
        done = subprocess.run(command, capture_output=True, text=True)
        # No reference to check against: nki-run says UNCHECKED.
        if not os.path.exists(output) or (
                done.returncode != 0 and "UNCHECKED" not in done.stdout):
            raise KernelFailed((done.stderr + done.stdout).strip())
        result = np.load(output)
    shape = getattr(outputs[0], "result_shape", outputs[0].shape)
    return result.reshape(shape).astype(
        outputs[0].dtype if outputs[0].etype != "bf16" else np.float32)


_SAID_MODELED = set()


def modeled_latency(func, args, kwargs):
    """nki-report's modelled latency (us) of the optimized kernel on the
    target; says once on stderr that it is a model."""
    target = TOOLS["target"]
    if target not in _SAID_MODELED:
        _SAID_MODELED.add(target)
        print(f"nki-py: latencies are modelled by nki-report for {target}, "
              "not measured", file=sys.stderr)
    text, _ = trace_kernel(func, args, kwargs)
    with tempfile.TemporaryDirectory(prefix="nki-py-") as workdir:
        kernel = compile_kernel(text, workdir, TOOLS["optimize"])
        done = subprocess.run(
            [tool("nki-opt"), kernel, f"--nki-report=targets={target}",
             "-o", os.devnull], capture_output=True, text=True)
    for line in (done.stdout + done.stderr).splitlines():
        if line.startswith(f"modelled {target} latency:"):
            return float(line.split(":")[1].split("us")[0])
    raise KernelFailed("nki-report gave no latency:\n" + done.stderr)
