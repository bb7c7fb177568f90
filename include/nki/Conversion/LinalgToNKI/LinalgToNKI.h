//===- LinalgToNKI.h - Import linalg convs as naive NKI kernels -*- C++ -*-===//

#ifndef NKI_CONVERSION_LINALGTONKI_LINALGTONKI_H
#define NKI_CONVERSION_LINALGTONKI_LINALGTONKI_H

#include "nki/Dialect/NKI/IR/Conv2dShape.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::nki {

/// Builds, at the builder's position, `func.func @name(X, W, bias, out)`: the
/// naive fused conv2d + bias + max-pool kernel the seed analyses, with its
/// structure intact (see docs/Design.md): per (batch, 128-channel output tile,
/// 512-position spatial partition, 128-channel input tile, filter row, filter
/// column) it loads the weight tile and the whole shifted input plane,
/// copies the partition's positions one by one, transposes the weights and
/// accumulates a matmul in PSUM; then adds bias and stores one position per
/// DMA. With pool > 1 the conv plane goes to HBM scratch and a second loop
/// max-pools it row by row. Ragged channel tiles and the ragged last
/// partition use fewer partitions / positions. Records `nki.conv2d`.
func::FuncOp buildNaiveConv2dKernel(OpBuilder &builder, Location loc,
                                    StringRef name, const Conv2dShape &shape);

} // namespace mlir::nki

#endif // NKI_CONVERSION_LINALGTONKI_LINALGTONKI_H
