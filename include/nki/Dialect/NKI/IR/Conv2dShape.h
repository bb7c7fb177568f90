//===- Conv2dShape.h - Shape of a fused conv2d kernel -----------*- C++ -*-===//
//
// The one description of a fused conv2d + bias + max-pool kernel's shape,
// shared by the `nki.conv2d` verifier, the linalg importer and nki-run's
// reference builder.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_DIALECT_NKI_IR_CONV2DSHAPE_H
#define NKI_DIALECT_NKI_IR_CONV2DSHAPE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

namespace mlir::nki {

/// X [batch, inChannels, height, width], W [outChannels, inChannels,
/// filterHeight, filterWidth], bias [outChannels], out [batch, outChannels,
/// outHeight, outWidth]; stride 1, no padding, max-pool window = stride =
/// poolSize (1: no pooling).
struct Conv2dShape {
  int64_t batch = 0, inChannels = 0, height = 0, width = 0;
  int64_t outChannels = 0, filterHeight = 0, filterWidth = 0;
  int64_t poolSize = 1;
  Type elementType;

  int64_t convHeight() const { return height - filterHeight + 1; }
  int64_t convWidth() const { return width - filterWidth + 1; }
  int64_t outHeight() const { return convHeight() / poolSize; }
  int64_t outWidth() const { return convWidth() / poolSize; }
  /// Multiply-adds of the convolution, times two.
  double flops() const {
    return 2.0 * batch * outChannels * convHeight() * convWidth() * inChannels *
           filterHeight * filterWidth;
  }

  /// Reads the shape from a `(X, W, bias, out)` signature of static memrefs
  /// or tensors and checks that the four agree; reports why not otherwise.
  static FailureOr<Conv2dShape>
  fromSignature(TypeRange args, int64_t poolSize,
                function_ref<InFlightDiagnostic()> emitError);
};

} // namespace mlir::nki

#endif // NKI_DIALECT_NKI_IR_CONV2DSHAPE_H
