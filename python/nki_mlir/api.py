"""`neuronxcc.nki` (and the newer top-level `nki`) as nki-py serves it:
decorators, and running a kernel on this CPU where NKI would run it on a
NeuronCore or in its simulator."""

import functools

# nki.language and nki.isa, as attributes of this module.
from . import isa, language  # noqa: F401
from . import kernel as kernel_module
from .kernel import run_kernel
from .trace import tracing_now


class Kernel:
    """A kernel function; called, it traces, compiles and runs on this CPU."""

    def __init__(self, func):
        self.func = func
        functools.update_wrapper(self, func)

    def __call__(self, *args, **kwargs):
        # A kernel called from a kernel being traced is a helper: inlined.
        if tracing_now():
            return self.func(*args, **kwargs)
        return run_kernel(self.func, args, kwargs)


def _function(kernel):
    while isinstance(kernel, Kernel):
        kernel = kernel.func
    return kernel


def jit(func=None, **options):
    if func is None:
        return lambda f: Kernel(_function(f))
    return Kernel(_function(func))


def baremetal(func=None, **options):
    return jit(func, **options)


def simulate_kernel(kernel, *args, **kwargs):
    return run_kernel(_function(kernel), args, kwargs)


class _Latency:
    def __init__(self, microseconds):
        self.microseconds = microseconds

    def get_latency_percentile(self, percentile):
        return self.microseconds


class _BenchmarkResult:
    def __init__(self, microseconds):
        self.nc_latency = _Latency(microseconds)


class _Benchmarked:
    """nki.benchmark(...)(f): runs f once and reports the modelled latency
    of the kernel it ran. f is a kernel, or a Python function that runs one
    (the CS149 harness benchmarks its simulate_kernel wrapper)."""

    def __init__(self, func):
        self.func = func

    def __call__(self, *args, **kwargs):
        if isinstance(self.func, Kernel):
            kernel, kernel_args = _function(self.func), (args, kwargs)
            result = run_kernel(kernel, args, kwargs)
        else:
            with kernel_module.recording() as ran:
                result = self.func(*args, **kwargs)
            if not ran:
                raise kernel_module.KernelFailed(
                    "nki.benchmark: the function ran no NKI kernel")
            kernel, kernel_args = ran[-1]
        self.benchmark_result = _BenchmarkResult(
            kernel_module.modeled_latency(kernel, *kernel_args))
        return result


def benchmark(func=None, warmup=None, iters=None, **options):
    if func is None:
        return lambda f: _Benchmarked(f)
    return _Benchmarked(func)


class compiler:
    @staticmethod
    def skip_middle_end_transformations(func):
        return func

    @staticmethod
    def enable_stack_allocator(*args, **kwargs):
        return lambda func: func


def profile(*args, **kwargs):
    return lambda func: jit(func)
