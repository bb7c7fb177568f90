//===- VectorKernels.h - Pieces of the host vector kernels ------*- C++ -*-===//
//
// Shared by the host lowerings of NKI ops (linalg forms, vector and AMX
// kernels): the AMX kernel's left operand is the stationary tile transposed
// as nki.transpose is.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_LIB_CONVERSION_NKITOLINALG_VECTORKERNELS_H
#define NKI_LIB_CONVERSION_NKITOLINALG_VECTORKERNELS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace mlir::nki {

/// Bytes of a cache line: one AMX tile row, one zmm register.
constexpr int64_t kCacheLineBytes = 64;

Value constantIndex(OpBuilder &b, Location loc, int64_t value);

/// `value` (a float or a vector of floats) converted to `type` (the same
/// shape, another float type: f32 <-> bf16/f16).
Value castFloat(OpBuilder &b, Location loc, Value value, Type type);

/// A buffer starting on a cache line: a vector or tile row split across two
/// lines costs two loads.
Value allocLineAligned(OpBuilder &b, Location loc, MemRefType type);

/// Whether the innermost dim of `type` is contiguous (unit stride), so that
/// a row loads as one vector.
bool hasContiguousRows(MemRefType type);

/// Elements from the first to the last element of a view of `type`, with
/// its `strides`, when its sizes and strides are static, the strides not
/// negative and the span within 32-bit gather offsets.
std::optional<int64_t> getSpan(MemRefType type,
                               SmallVectorImpl<int64_t> &strides);
/// `view` (a type getSpan accepts; any offset) as the 1-D unit-stride run of
/// its buffer that it spans, for vector.gather, which lowers only on a
/// unit-stride innermost dim; element [i0, i1, ...] of `view` sits at
/// sum(i_d * strides[d]) of the run.
Value viewAsSpan(OpBuilder &b, Location loc, Value view);
/// Whether emitVectorTranspose handles `source` -> `target`: static 2-D
/// tiles of one 32-bit element type with rows a multiple of 16, or of one
/// 16-bit type with rows a multiple of 32; columns a multiple of 16; rows
/// contiguous in both.
bool isVectorTransposable(MemRefType source, MemRefType target);

/// target[j, i] = source[i, j], in 16 x 16 blocks of 32-bit words: 16-bit
/// elements of rows 2r and 2r+1 are first interleaved into words, which
/// transposed put each pair side by side in its target row.
void emitVectorTranspose(OpBuilder &b, Location loc, Value source,
                         Value target);

/// Rows 2r and 2r+1 of `source` (at `columnIndices`, `width` elements each,
/// `mask`ed if given) interleaved: [s[2r][c], s[2r+1][c], s[2r][c+1], ...].
Value loadRowPairs(OpBuilder &b, Location loc, Value source,
                   ValueRange columnIndices, Value r, int64_t width,
                   Value mask);

} // namespace mlir::nki

#endif // NKI_LIB_CONVERSION_NKITOLINALG_VECTORKERNELS_H
