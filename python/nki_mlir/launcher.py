"""nki-py: run a Python script with the NKI API served by nki-mlir, or trace
one kernel to MLIR.

  nki-py [--target trn1|trn2] [--no-optimize] SCRIPT.py [ARGS...]
  nki-py --trace FILE.py:FUNC --arg NAME=SHAPExDTYPE ... [--arg NAME=INT]
         [--optimize] -o OUT.mlir

The NKI module names (neuronxcc.nki, neuronxcc.nki.language,
neuronxcc.nki.isa, nki, nki.language, nki.isa) are served only inside
nki-py, so a real NKI install is never shadowed.
"""

import argparse
import importlib.abc
import importlib.util
import logging
import os
import runpy
import sys
import traceback
import types

from . import api, isa, kernel, language
from .trace import PACKAGE_DIR, NkiError, NkiUnsupported, element_type

_MODULES = {
    "neuronxcc": None, "neuronxcc.nki": api,
    "neuronxcc.nki.language": language, "neuronxcc.nki.isa": isa,
    "nki": api, "nki.language": language, "nki.isa": isa,
}


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name in _MODULES:
            return importlib.util.spec_from_loader(name, self,
                                                   is_package=True)
        return None

    def create_module(self, spec):
        module = _MODULES[spec.name]
        if module is None:
            module = types.ModuleType(spec.name)
        return module

    def exec_module(self, module):
        pass  # our modules are imported already


def install():
    sys.meta_path.insert(0, _Finder())
    # Importing the Neuron SDK defines logging.OFF, which scripts (the CS149
    # harness) pass to logging.disable.
    if not hasattr(logging, "OFF"):
        logging.OFF = logging.CRITICAL + 10


def _report(error):
    file, line = error.where
    kind = "unsupported NKI construct" if isinstance(error, NkiUnsupported) \
        else "error"
    print(f"{file}:{line}: {kind}: {error.what}", file=sys.stderr)


def _parse_arg(text):
    """NAME=4x256x32x16xf32 (a tensor) or NAME=INT."""
    name, _, spec = text.partition("=")
    if not name or not spec:
        raise SystemExit(f"nki-py: --arg {text!r}: expected NAME=SHAPExDTYPE "
                         "or NAME=INT")
    try:
        return name, int(spec)
    except ValueError:
        pass
    *dims, dtype = spec.split("x")
    names = {"f32": "float32", "f16": "float16", "bf16": "bfloat16",
             "float32": "float32", "float16": "float16",
             "bfloat16": "bfloat16"}
    if dtype not in names or not dims or not all(d.isdigit() for d in dims):
        raise SystemExit(f"nki-py: --arg {text!r}: expected NAME=SHAPExDTYPE "
                         "with DTYPE f32, f16 or bf16, e.g. X=4x256x32x16xf32")
    return name, kernel.ArgSpec([int(d) for d in dims],
                                element_type(names[dtype]))


def _load_function(spec):
    path, _, func = spec.rpartition(":")
    if not path or not func:
        raise SystemExit(f"nki-py: --trace {spec!r}: expected FILE.py:FUNC")
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    module = runpy.run_path(path, run_name="__nki_trace__")
    if func not in module:
        raise SystemExit(f"nki-py: {path} has no function {func}")
    return api._function(module[func])


def trace_main(options):
    func = _load_function(options.trace)
    kwargs = dict(_parse_arg(a) for a in options.arg)
    text, _ = kernel.trace_kernel(func, (), kwargs)
    if options.optimize:
        import tempfile
        with tempfile.TemporaryDirectory(prefix="nki-py-") as workdir:
            with open(kernel.compile_kernel(text, workdir, True)) as f:
                text = f.read()
    if options.output in (None, "-"):
        sys.stdout.write(text)
    else:
        with open(options.output, "w") as f:
            f.write(text)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="nki-py", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", choices=["trn1", "trn2"], default="trn2",
                        help="target of modelled latencies (default trn2)")
    parser.add_argument("--trace", metavar="FILE.py:FUNC",
                        help="trace one kernel to MLIR instead of running "
                        "a script")
    parser.add_argument("--arg", action="append", default=[],
                        metavar="NAME=SHAPExDTYPE|NAME=INT",
                        help="a kernel argument for --trace")
    parser.add_argument("--optimize", action=argparse.BooleanOptionalAction,
                        default=None, help="apply --nki-optimize (default: "
                        "on when running, off for --trace)")
    parser.add_argument("-o", dest="output", help="--trace output file")
    parser.add_argument("script", nargs="?")
    parser.add_argument("script_args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    kernel.TOOLS["target"] = options.target
    install()
    try:
        if options.trace:
            options.optimize = bool(options.optimize)
            trace_main(options)
            return 0
        if not options.script:
            parser.error("a script to run, or --trace")
        kernel.TOOLS["optimize"] = options.optimize is not False
        sys.argv = [options.script] + options.script_args
        sys.path.insert(0, os.path.dirname(os.path.abspath(options.script)))
        runpy.run_path(options.script, run_name="__main__")
        return 0
    except (NkiUnsupported, NkiError) as error:
        _report(error)
        return 1
    except kernel.KernelFailed as error:
        print(str(error), file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001
        # A failure inside this package: said at the kernel's line, without
        # our traceback. The script's own errors propagate as Python's.
        frames = traceback.extract_tb(error.__traceback__)
        user = [f for f in frames if not _ours(f.filename) and
                os.path.basename(f.filename) not in ("runpy.py", "<frozen runpy>")]
        if frames and not _ours(frames[-1].filename) and not options.trace:
            # The script's own error: Python's traceback, from its frames.
            tb = error.__traceback__
            while tb and (_ours(tb.tb_frame.f_code.co_filename) or
                          os.path.basename(tb.tb_frame.f_code.co_filename)
                          in ("runpy.py", "<frozen runpy>")):
                tb = tb.tb_next
            traceback.print_exception(type(error), error, tb)
            return 1
        where = f"{user[-1].filename}:{user[-1].lineno}" if user else "nki-py"
        what = "the NKI front end failed here" if _ours(frames[-1].filename) \
            else "the kernel failed while tracing"
        print(f"{where}: error: {what}: {type(error).__name__}: {error}",
              file=sys.stderr)
        return 1


def _ours(filename):
    return os.path.abspath(filename).startswith(PACKAGE_DIR)
