//===- NKIOps.h - NKI operations and buffer rules ---------------*- C++ -*-===//

#ifndef NKI_DIALECT_NKI_IR_NKIOPS_H
#define NKI_DIALECT_NKI_IR_NKIOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "nki/Dialect/NKI/IR/NKIAttrs.h"
#include "nki/Dialect/NKI/IR/NKIDialect.h"

namespace mlir::nki {

/// Tile limits of the NKI instruction set, the same on every target; the
/// capacities of a chip are in its #nki.target (TargetAttr::lookup).
constexpr int64_t kMaxPartitions = 128;
constexpr int64_t kMatmulMaxStationaryFree = 128;
constexpr int64_t kMatmulMaxMovingFree = 512;
constexpr int64_t kTransposeMaxSize = 128;

/// Where a memref lives. `Other` is a memory space that is not ours.
enum class Space { HBM, SBUF, PSUM, Other };

/// The NKI memory space of `type` (HBM when it has no memory space).
Space getSpace(MemRefType type);
/// SBUF or PSUM: memory with the partition rule.
inline bool isOnChip(Space space) {
  return space == Space::SBUF || space == Space::PSUM;
}
StringRef stringifySpace(Space space);

/// True for the element types the engines support: f32, bf16, f16.
bool isSupportedElementType(Type type);

/// Bytes per partition of the free dims (dims after the first) of `type`,
/// or nullopt when one is dynamic; INT64_MAX when the product overflows
/// (more than any memory holds).
std::optional<int64_t> getBytesPerPartition(MemRefType type);

/// Checks the rules every SBUF/PSUM buffer obeys on `target`: partition dim
/// first and at most the target's partitions, supported element type,
/// per-partition size within its SBUF capacity, and PSUM tiles within one
/// bank unless they spell out their banks as `[partitions, banks, F]`. A
/// no-op for HBM memrefs.
LogicalResult verifyOnChipBuffer(MemRefType type, TargetAttr target,
                                 function_ref<InFlightDiagnostic()> emitError);

/// Checks every SBUF and PSUM memref value in `root` (op results and block
/// arguments, nested ops included) with verifyOnChipBuffer on `root`'s
/// target, reporting each
/// violation at the value's location. What nki-verify-buffers runs, and what
/// the traffic report checks before it evaluates a kernel.
LogicalResult verifyOnChipBuffers(Operation *root);

} // namespace mlir::nki

#define GET_OP_CLASSES
#include "nki/Dialect/NKI/IR/NKIOps.h.inc"

#endif // NKI_DIALECT_NKI_IR_NKIOPS_H
