//===- HostCPU.h - What the host CPU lets generated code use ----*- C++ -*-===//
//
// Process-level requests that code produced by our lowering may need before
// it runs. Kept apart from the conversions, which only build IR.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_EXECUTIONENGINE_HOSTCPU_H
#define NKI_EXECUTIONENGINE_HOSTCPU_H

namespace mlir::nki {

/// Whether this CPU has AMX-BF16 and this process may use it: on Linux the
/// tile data state is off until the process requests it (arch_prctl
/// ARCH_REQ_XCOMP_PERM), which this does. Call it before running code from
/// populateNKIMatmulToAMXPatterns, on any thread.
bool requestHostAMX();

/// Whether this CPU has AVX512_BF16 (vdpbf16ps), which the code from
/// populateNKIMatmulToVectorPatterns with dotBF16 needs.
bool hostHasAVX512BF16();

/// Keeps freed heap blocks in the process instead of returning them to the
/// OS. A lowered kernel mallocs its SBUF and PSUM buffers on every call (some
/// are megabytes); with glibc's defaults large blocks are mmapped and unmapped
/// each time, so a small layer spends most of its time in page faults.
/// Process-wide (mallopt); call it before the first kernel runs.
void keepKernelScratchMapped();

} // namespace mlir::nki

#endif // NKI_EXECUTIONENGINE_HOSTCPU_H
