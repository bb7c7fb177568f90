"""nki-mlir's NKI Python front end: traces NKI kernels into the nki dialect.

Served to scripts by `nki-py` (see launcher.py); `trace_kernel` is the
library entry point.
"""

from .kernel import ArgSpec, trace_kernel  # noqa: F401
