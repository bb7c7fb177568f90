//===- KernelBuilder.h - What the kernel builders share --------*- C++ -*-===//
//
// Index constants, affine_range loops, on-chip allocations and subviews, for
// the naive conv and the pooling kernel builders.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_LIB_CONVERSION_LINALGTONKI_KERNELBUILDER_H
#define NKI_LIB_CONVERSION_LINALGTONKI_KERNELBUILDER_H

#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace mlir::nki {

struct ConvLayer;
struct PoolLayer;

/// At the builder's position, the loops of a naive conv kernel;
/// `arguments` in the layer's `arguments` order.
void buildConvNest(OpBuilder &b, Location loc, const ConvLayer &layer,
                   ValueRange arguments);

/// At the builder's position, the loops of a pooling kernel: `x` pooled
/// into `out` (both in HBM, in the layer's layout).
void buildPoolNest(OpBuilder &b, Location loc, const PoolLayer &layer, Value x,
                   Value out);

class KernelBuilder {
protected:
  KernelBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }

  /// `for %iv = 0 to count`, marked affine_range; the builder moves inside.
  Value loop(int64_t count) {
    auto forOp = scf::ForOp::create(b, loc, index(0), index(count), index(1));
    forOp->setAttr(NKIDialect::getAffineRangeAttrName(), b.getUnitAttr());
    b.setInsertionPointToStart(forOp.getBody());
    return forOp.getInductionVar();
  }

  Value alloc(ArrayRef<int64_t> shape, MemorySpace space, Type elementType) {
    auto memorySpace = MemorySpaceAttr::get(b.getContext(), space);
    return memref::AllocOp::create(
        b, loc, MemRefType::get(shape, elementType, nullptr, memorySpace));
  }

  /// A view of `source`; `dropDims` are unit dims left out of the result
  /// (rank reduction). Unit strides unless given.
  Value view(Value source, ArrayRef<OpFoldResult> offsets,
             ArrayRef<OpFoldResult> sizes, ArrayRef<int64_t> dropDims = {},
             ArrayRef<int64_t> stepSizes = {}) {
    SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
    for (auto [dim, step] : llvm::enumerate(stepSizes))
      strides[dim] = b.getIndexAttr(step);
    auto sourceType = cast<MemRefType>(source.getType());
    SmallVector<int64_t> resultShape;
    for (auto [dim, size] : llvm::enumerate(sizes))
      if (!llvm::is_contained(dropDims, static_cast<int64_t>(dim)))
        resultShape.push_back(
            getConstantIntValue(size).value_or(ShapedType::kDynamic));
    MemRefType resultType = memref::SubViewOp::inferRankReducedResultType(
        resultShape, sourceType, offsets, sizes, strides);
    return memref::SubViewOp::create(b, loc, resultType, source, offsets, sizes,
                                     strides);
  }

  /// The same with static sizes.
  Value view(Value source, ArrayRef<OpFoldResult> offsets,
             ArrayRef<int64_t> sizes, ArrayRef<int64_t> dropDims = {},
             ArrayRef<int64_t> stepSizes = {}) {
    SmallVector<OpFoldResult> sizeAttrs;
    for (int64_t size : sizes)
      sizeAttrs.push_back(b.getIndexAttr(size));
    return view(source, offsets, sizeAttrs, dropDims, stepSizes);
  }

  OpBuilder &b;
  Location loc;
};

} // namespace mlir::nki

#endif // NKI_LIB_CONVERSION_LINALGTONKI_KERNELBUILDER_H
