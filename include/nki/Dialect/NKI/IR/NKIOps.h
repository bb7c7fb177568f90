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

/// Hardware limits modelled by the verifiers (trn2, NeuronCore-v3).
constexpr int64_t kNumPartitions = 128;
constexpr int64_t kPsumBankBytes = 2048;
constexpr int64_t kNumPsumBanks = 8;
constexpr int64_t kSbufBytesPerPartition = 212992;
constexpr int64_t kMatmulMaxStationaryFree = 128;
constexpr int64_t kMatmulMaxMovingFree = 512;
constexpr int64_t kTransposeMaxSize = 128;

/// Where a memref lives. `Other` is a memory space that is not ours.
enum class Space { HBM, SBUF, PSUM, Other };

/// The NKI memory space of `type` (HBM when it has no memory space).
Space getSpace(MemRefType type);
StringRef stringifySpace(Space space);

/// True for the element types the engines support: f32, bf16, f16.
bool isSupportedElementType(Type type);

/// Checks the rules every SBUF/PSUM buffer obeys: partition dim first and at
/// most 128, supported element type, per-partition size within SBUF capacity,
/// and PSUM tiles within one 2 KiB bank unless they spell out their banks as
/// `[partitions, banks, F]`. A no-op for HBM memrefs.
LogicalResult verifyOnChipBuffer(MemRefType type,
                                 function_ref<InFlightDiagnostic()> emitError);

/// Checks every SBUF and PSUM memref value in `root` (op results and block
/// arguments, nested ops included) with verifyOnChipBuffer, reporting each
/// violation at the value's location. What nki-verify-buffers runs, and what
/// the traffic report checks before it evaluates a kernel.
LogicalResult verifyOnChipBuffers(Operation *root);

} // namespace mlir::nki

#define GET_OP_CLASSES
#include "nki/Dialect/NKI/IR/NKIOps.h.inc"

#endif // NKI_DIALECT_NKI_IR_NKIOPS_H
