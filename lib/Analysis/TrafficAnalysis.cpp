//===- TrafficAnalysis.cpp - What a kernel moves and computes ---*- C++ -*-===//

#include "nki/Analysis/TrafficAnalysis.h"
#include "nki/Analysis/IndexEvaluation.h"
#include "nki/Analysis/Legality.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::nki;

namespace {

// Evaluation steps (ops visited plus on-chip elements marked loaded or read)
// before the report gives up: the naive 224x224 kernel of the seed takes about
// 2^27.5; the limit takes about 5 s.
constexpr int64_t kMaxReportSteps = int64_t(1) << 29;

/// Evaluates index arithmetic, control flow and memref shapes.
class Evaluator {
public:
  Evaluator(KernelTraffic &traffic, TargetAttr chip)
      : traffic(traffic), chip(chip) {}
  LogicalResult run(Block &block);

private:
  LogicalResult visit(Operation *op);
  LogicalResult visitInteger(Operation *op);
  LogicalResult visitControlFlow(Operation *op);
  LogicalResult visitView(Operation *op);
  LogicalResult visitSubView(memref::SubViewOp subview);
  LogicalResult visitAlloc(memref::AllocOp alloc);
  LogicalResult visitEngine(Operation *op);
  FailureOr<int64_t> integer(Value value, Operation *user);
  FailureOr<int64_t> integer(OpFoldResult ofr, Operation *user);
  FailureOr<SmallVector<int64_t>> shape(Value memref, Operation *user);
  FailureOr<int64_t> numElements(Value memref, Operation *user);
  LogicalResult countDma(DmaCopyOp dma);

  /// Where an SBUF view's elements are: an instance of an allocation, the
  /// linear offset of its first element and the strides of its dims.
  struct Layout {
    int64_t instance = -1;
    int64_t offset = 0;
    SmallVector<int64_t> strides;
  };
  /// Per live SBUF allocation instance: for each free element of one
  /// partition, whether it holds DMA'd data no op has read yet.
  struct Instance {
    std::vector<bool> unread;
    int64_t partitionStride = 1, partitions = 0, elementBytes = 4;
  };
  /// Calls `f(free offset)` for every element of `view`'s first partition.
  void forEachFreeElement(const Layout &layout, ArrayRef<int64_t> sizes,
                          function_ref<void(int64_t)> f);
  void markLoaded(Value view, Operation *user);
  /// Clears the unread marks of `view`'s elements: read, or `overwritten`
  /// (which counts what was still unread as waste).
  void markConsumed(Value view, bool overwritten);
  void markRead(Value view) { markConsumed(view, /*overwritten=*/false); }
  void markOverwritten(Value view) { markConsumed(view, /*overwritten=*/true); }
  void retire(int64_t instance);

  KernelTraffic &traffic;
  TargetAttr chip; // the rates of the cost model

public:
  /// The first subview found outside its source, and why.
  Operation *outOfBounds = nullptr;
  std::string outOfBoundsReason;

private:
  LogicalResult checkBounds(memref::SubViewOp subview);
  DenseMap<Value, int64_t> integers;
  DenseMap<Value, SmallVector<int64_t>> shapes;
  DenseMap<Value, Layout> layouts;
  DenseMap<Operation *, int64_t> liveInstanceOfAlloc;
  int64_t liveSbufBytes = 0, livePsumBytes = 0;
  int64_t steps = 0;
  std::vector<Instance> instances;

public:
  /// Counts what is still unread in the buffers alive at the end.
  void finish() {
    for (int64_t i = 0, e = instances.size(); i < e; ++i)
      retire(i);
  }
};

void Evaluator::forEachFreeElement(const Layout &layout,
                                   ArrayRef<int64_t> sizes,
                                   function_ref<void(int64_t)> f) {
  // Odometer over the free dims (1..rank-1).
  int64_t rank = sizes.size();
  if (rank <= 1) {
    f(layout.offset);
    return;
  }
  int64_t elements = 1;
  for (int64_t d = 1; d < rank; ++d) {
    if (sizes[d] <= 0)
      return;
    if (llvm::MulOverflow(elements, sizes[d], elements) ||
        elements > kMaxReportSteps)
      elements = kMaxReportSteps + 1;
  }
  // Past the budget nothing more is marked; run() then stops with an error.
  steps = std::min(steps + elements, kMaxReportSteps + 1);
  if (steps > kMaxReportSteps)
    return;
  SmallVector<int64_t> index(rank, 0);
  while (true) {
    int64_t offset = layout.offset;
    for (int64_t d = 1; d < rank; ++d)
      offset += index[d] * layout.strides[d];
    f(offset);
    int64_t d = rank - 1;
    while (d >= 1 && ++index[d] == sizes[d])
      index[d--] = 0;
    if (d < 1)
      return;
  }
}

void Evaluator::retire(int64_t id) {
  Instance &instance = instances[id];
  int64_t unread = llvm::count(instance.unread, true);
  traffic.wastedBytes += unread * instance.partitions * instance.elementBytes;
  instance.unread.clear();
}

void Evaluator::markLoaded(Value view, Operation *user) {
  auto it = layouts.find(view);
  if (it == layouts.end())
    return;
  FailureOr<SmallVector<int64_t>> sizes = shape(view, user);
  if (failed(sizes))
    return;
  Instance &instance = instances[it->second.instance];
  if (instance.unread.empty())
    return; // a retired instance
  int64_t partitions = sizes->empty() ? 1 : (*sizes)[0];
  instance.partitions = std::max(instance.partitions, partitions);
  int64_t elementBytes = instance.elementBytes;
  forEachFreeElement(it->second, *sizes, [&](int64_t offset) {
    offset %= instance.partitionStride;
    if (instance.unread[offset]) // overwritten before anyone read it
      traffic.wastedBytes += partitions * elementBytes;
    instance.unread[offset] = true;
    traffic.loadedOnChipBytes += partitions * elementBytes;
  });
}

void Evaluator::markConsumed(Value view, bool overwritten) {
  auto it = layouts.find(view);
  if (it == layouts.end())
    return;
  auto dims = shapes.find(view);
  SmallVector<int64_t> sizes =
      dims != shapes.end()
          ? dims->second
          : SmallVector<int64_t>(cast<MemRefType>(view.getType()).getShape());
  Instance &instance = instances[it->second.instance];
  if (instance.unread.empty())
    return;
  forEachFreeElement(it->second, sizes, [&](int64_t offset) {
    offset %= instance.partitionStride;
    // Loaded data overwritten before anyone read it was loaded for nothing.
    if (overwritten && instance.unread[offset])
      traffic.wastedBytes += instance.partitions * instance.elementBytes;
    instance.unread[offset] = false;
  });
}

FailureOr<int64_t> Evaluator::integer(Value value, Operation *user) {
  auto it = integers.find(value);
  if (it != integers.end())
    return it->second;
  return user->emitError() << "nki traffic analysis: cannot evaluate an "
                              "operand of this op";
}

FailureOr<int64_t> Evaluator::integer(OpFoldResult ofr, Operation *user) {
  if (auto attr = dyn_cast<Attribute>(ofr))
    return cast<IntegerAttr>(attr).getInt();
  return integer(cast<Value>(ofr), user);
}

FailureOr<SmallVector<int64_t>> Evaluator::shape(Value memref,
                                                 Operation *user) {
  auto type = cast<MemRefType>(memref.getType());
  if (type.hasStaticShape())
    return SmallVector<int64_t>(type.getShape());
  auto it = shapes.find(memref);
  if (it != shapes.end())
    return it->second;
  return user->emitError() << "nki traffic analysis: unknown shape of " << type;
}

/// A view outside its buffer is undefined behaviour, which the lowering
/// would turn into stray reads and writes: refuse it here, where the indices
/// are known.
LogicalResult Evaluator::checkBounds(memref::SubViewOp subview) {
  FailureOr<SmallVector<int64_t>> source = shape(subview.getSource(), subview);
  if (failed(source))
    return failure();
  for (int64_t d = 0, e = source->size(); d < e; ++d) {
    FailureOr<int64_t> offset = integer(subview.getMixedOffsets()[d], subview);
    FailureOr<int64_t> size = integer(subview.getMixedSizes()[d], subview);
    FailureOr<int64_t> stride = integer(subview.getMixedStrides()[d], subview);
    if (failed(offset) || failed(size) || failed(stride))
      return failure();
    int64_t last = 0;
    bool inside =
        *offset >= 0 && *size >= 0 &&
        (*size == 0 || (!llvm::MulOverflow(*size - 1, *stride, last) &&
                        !llvm::AddOverflow(last, *offset, last) && last >= 0 &&
                        last < (*source)[d]));
    if (inside)
      continue;
    outOfBounds = subview;
    outOfBoundsReason =
        ("dim " + Twine(d) + " takes " + Twine(*size) +
         " elements from offset " + Twine(*offset) + " with stride " +
         Twine(*stride) + " of a dimension of size " + Twine((*source)[d]))
            .str();
    return subview.emitError()
           << "nki traffic analysis: the subview is outside its source: "
           << outOfBoundsReason;
  }
  return success();
}

FailureOr<int64_t> Evaluator::numElements(Value memref, Operation *user) {
  FailureOr<SmallVector<int64_t>> dims = shape(memref, user);
  if (failed(dims))
    return failure();
  int64_t n = 1;
  for (int64_t d : *dims)
    n *= d;
  return n;
}

LogicalResult Evaluator::countDma(DmaCopyOp dma) {
  Value source = dma.getSource(), target = dma.getTarget();
  bool fromHbm = getSpace(cast<MemRefType>(source.getType())) == Space::HBM;
  bool toHbm = getSpace(cast<MemRefType>(target.getType())) == Space::HBM;
  DmaDirection direction =
      fromHbm ? (toHbm ? DmaDirection::HbmToHbm : DmaDirection::HbmToSbuf)
              : (toHbm ? DmaDirection::SbufToHbm : DmaDirection::SbufToSbuf);
  Value counted = direction == DmaDirection::SbufToHbm ? target : source;
  FailureOr<int64_t> elements = numElements(counted, dma);
  FailureOr<SmallVector<int64_t>> dims = shape(counted, dma);
  if (failed(elements) || failed(dims))
    return failure();
  int64_t bytes =
      *elements *
      (cast<MemRefType>(counted.getType()).getElementTypeBitWidth() / 8);
  auto &dmas = traffic.dmas[static_cast<int>(direction)];
  ++dmas.count;
  dmas.bytes += bytes;
  traffic.dmaSeconds += chip.getDmaFixedNs() * 1e-9 / chip.getDmaQueues() +
                        bytes / (chip.getDmaBytesPerUs() * 1e6);
  // Bytes per partition: the partition dim is dim 0 of the on-chip side.
  Value onChip = fromHbm ? target : source;
  FailureOr<SmallVector<int64_t>> chipDims = shape(onChip, dma);
  if (failed(chipDims))
    return failure();
  int64_t partitions =
      chipDims->empty() ? 1 : std::max<int64_t>(1, (*chipDims)[0]);
  int64_t perPartition = bytes / partitions;
  ++traffic.dmaSizeBuckets[perPartition < 256    ? 0
                           : perPartition < 2048 ? 1
                                                 : 2];
  auto recordTensor = [&](Value value, SmallVector<int64_t> &perArgument,
                          int64_t &scratch) {
    // (memref.transpose is no ViewLikeOpInterface: channels-last views.)
    Value root = getRootBuffer(value);
    while (auto transpose = root.getDefiningOp<memref::TransposeOp>())
      root = getRootBuffer(transpose.getIn());
    if (auto arg = dyn_cast<BlockArgument>(root);
        arg && arg.getOwner()->isEntryBlock() &&
        arg.getArgNumber() < perArgument.size())
      perArgument[arg.getArgNumber()] += bytes;
    else if (root.getDefiningOp<memref::AllocOp>())
      scratch += bytes;
  };
  if (direction == DmaDirection::HbmToSbuf)
    recordTensor(source, traffic.bytesFromArgument, traffic.bytesFromScratch);
  if (direction == DmaDirection::SbufToHbm)
    recordTensor(target, traffic.bytesToArgument, traffic.bytesToScratch);
  return success();
}

LogicalResult Evaluator::run(Block &block) {
  // Buffers allocated in this block live until its end.
  int64_t sbufBefore = liveSbufBytes, psumBefore = livePsumBytes;
  for (Operation &op : block) {
    if (++steps > kMaxReportSteps)
      return op.emitError() << "nki traffic analysis: the kernel takes more "
                               "than 2^29 evaluation steps (ops run plus "
                               "on-chip elements touched); the report "
                               "evaluates every iteration";
    if (failed(visit(&op)))
      return failure();
  }
  liveSbufBytes = sbufBefore;
  livePsumBytes = psumBefore;
  return success();
}

/// Integer ops the evaluation folds: binary arith, index casts and
/// affine.apply/min/max with one integer result.
static bool isIntegerArithmetic(Operation *op) {
  return op->getNumResults() == 1 &&
         op->getResult(0).getType().isIntOrIndex() &&
         ((isa<arith::ArithDialect>(op->getDialect()) &&
           (op->getNumOperands() == 2 ||
            isa<arith::IndexCastOp, arith::IndexCastUIOp>(op))) ||
          isa<affine::AffineApplyOp, affine::AffineMinOp, affine::AffineMaxOp>(
              op));
}

LogicalResult Evaluator::visit(Operation *op) {
  if (isa<arith::ConstantOp>(op) || isIntegerArithmetic(op))
    return visitInteger(op);
  // The size of a dim of a view whose shape is known.
  if (auto dim = dyn_cast<memref::DimOp>(op)) {
    FailureOr<SmallVector<int64_t>> sizes = shape(dim.getSource(), op);
    FailureOr<int64_t> index = integer(dim.getIndex(), op);
    if (failed(sizes) || failed(index))
      return failure();
    if (*index < 0 || *index >= static_cast<int64_t>(sizes->size()))
      return op->emitError() << "nki traffic analysis: dim out of range";
    integers[dim.getResult()] = (*sizes)[*index];
    return success();
  }
  if (isa<scf::ForOp, scf::IfOp, scf::YieldOp, func::ReturnOp>(op))
    return visitControlFlow(op);
  if (isa<memref::AllocOp, memref::SubViewOp, memref::CollapseShapeOp,
          memref::ExpandShapeOp, memref::DeallocOp, memref::CastOp,
          memref::TransposeOp>(op))
    return visitView(op);
  if (isa<DmaCopyOp, MatmulOp, TransposeOp, TensorCopyOp, TensorTensorOp,
          TensorScalarOp, TensorReduceOp, MemsetOp>(op))
    return visitEngine(op);
  if (isMemoryEffectFree(op) && op->getNumRegions() == 0)
    return success(); // results unused by the evaluation
  return op->emitError() << "nki traffic analysis: cannot evaluate this op";
}

/// Constants and the integer arithmetic of indices.
LogicalResult Evaluator::visitInteger(Operation *op) {
  // Integer arithmetic.
  if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
    if (auto attr = dyn_cast<IntegerAttr>(constant.getValue()))
      integers[constant.getResult()] = attr.getInt();
    return success();
  }
  if (isIntegerArithmetic(op)) {
    SmallVector<int64_t, 4> operands;
    for (Value operand : op->getOperands()) {
      FailureOr<int64_t> v = integer(operand, op);
      if (failed(v))
        return failure();
      operands.push_back(*v);
    }
    FailureOr<int64_t> result = foldIndexOp(op, operands);
    if (failed(result))
      return op->emitError() << "nki traffic analysis: cannot evaluate this "
                                "op (unsupported, overflowing or dividing by "
                                "zero)";
    integers[op->getResult(0)] = *result;
    return success();
  }
  return op->emitError() << "nki traffic analysis: cannot evaluate this op";
}

/// Loops (every iteration), guards (the taken branch) and terminators.
LogicalResult Evaluator::visitControlFlow(Operation *op) {
  // Control flow.
  if (auto loop = dyn_cast<scf::ForOp>(op)) {
    FailureOr<int64_t> lb = integer(loop.getLowerBound(), op);
    FailureOr<int64_t> ub = integer(loop.getUpperBound(), op);
    FailureOr<int64_t> step = integer(loop.getStep(), op);
    if (failed(lb) || failed(ub) || failed(step))
      return failure();
    if (*step <= 0 || loop.getNumRegionIterArgs() != 0)
      return op->emitError() << "nki traffic analysis: needs loops with a "
                                "positive step and no iter_args";
    // Every iteration runs each op of the body at least once: a loop that
    // cannot fit the budget is refused before it runs (a 2^40-iteration
    // loop used to take minutes to reach the limit).
    int64_t trips = *ub > *lb ? llvm::divideCeil(*ub - *lb, *step) : 0;
    int64_t bodyOps =
        static_cast<int64_t>(loop.getBody()->getOperations().size());
    if (trips > (kMaxReportSteps - steps) / std::max<int64_t>(bodyOps, 1))
      return op->emitError() << "nki traffic analysis: the kernel takes more "
                                "than 2^29 evaluation steps (ops run plus "
                                "on-chip elements touched); the report "
                                "evaluates every iteration";
    for (int64_t iv = *lb; iv < *ub;) {
      integers[loop.getInductionVar()] = iv;
      if (failed(run(*loop.getBody())))
        return failure();
      if (llvm::AddOverflow(iv, *step, iv))
        break;
    }
    return success();
  }
  if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
    FailureOr<int64_t> cond = integer(ifOp.getCondition(), op);
    if (failed(cond) || ifOp.getNumResults() != 0)
      return failure();
    if (*cond)
      return run(*ifOp.thenBlock());
    return ifOp.elseBlock() ? run(*ifOp.elseBlock()) : success();
  }
  if (isa<scf::YieldOp, func::ReturnOp>(op))
    return success();
  return op->emitError() << "nki traffic analysis: cannot evaluate this op";
}

/// An allocation: its shape, and for SBUF/PSUM a fresh instance and layout.
LogicalResult Evaluator::visitAlloc(memref::AllocOp alloc) {
  Operation *op = alloc;
  SmallVector<int64_t> dims;
  auto dynamic = alloc.getDynamicSizes().begin();
  for (int64_t d : alloc.getType().getShape()) {
    if (!ShapedType::isDynamic(d)) {
      dims.push_back(d);
      continue;
    }
    FailureOr<int64_t> v = integer(*dynamic++, op);
    if (failed(v))
      return failure();
    dims.push_back(*v);
  }
  shapes[alloc.getResult()] = dims;
  Space space = getSpace(alloc.getType());
  if (isOnChip(space) && !dims.empty()) {
    int64_t perPartition = alloc.getType().getElementTypeBitWidth() / 8;
    for (int64_t d : ArrayRef(dims).drop_front())
      perPartition *= d;
    int64_t &live = space == Space::SBUF ? liveSbufBytes : livePsumBytes;
    int64_t &peak =
        space == Space::SBUF ? traffic.peakSbufBytes : traffic.peakPsumBytes;
    live += perPartition;
    peak = std::max(peak, live);
  }
  if (space == Space::SBUF && !dims.empty()) {
    // A new instance of this buffer; the previous one (and every view of
    // it) is dead, so it takes over its slot.
    auto [it, inserted] = liveInstanceOfAlloc.try_emplace(op, -1);
    if (inserted) {
      it->second = instances.size();
      instances.emplace_back();
    } else {
      retire(it->second);
    }
    Instance instance;
    instance.partitionStride = 1;
    for (int64_t d : ArrayRef(dims).drop_front())
      instance.partitionStride *= d;
    instance.unread.assign(instance.partitionStride, false);
    instance.elementBytes = alloc.getType().getElementTypeBitWidth() / 8;
    instances[it->second] = std::move(instance);
    Layout layout;
    layout.instance = it->second;
    layout.strides.assign(dims.size(), 1);
    for (int64_t d = dims.size() - 2; d >= 0; --d)
      layout.strides[d] = layout.strides[d + 1] * dims[d + 1];
    layouts[alloc.getResult()] = layout;
  }
  return success();
}

/// A subview: bounds checked, its layout in an instance, and its shape.
LogicalResult Evaluator::visitSubView(memref::SubViewOp subview) {
  Operation *op = subview;
  if (failed(checkBounds(subview)))
    return failure();
  if (auto it = layouts.find(subview.getSource()); it != layouts.end()) {
    Layout layout;
    layout.instance = it->second.instance;
    layout.offset = it->second.offset;
    llvm::SmallBitVector droppedDims = subview.getDroppedDims();
    for (auto [d, offset] : llvm::enumerate(subview.getMixedOffsets())) {
      FailureOr<int64_t> v = integer(offset, op);
      FailureOr<int64_t> step = integer(subview.getMixedStrides()[d], op);
      if (failed(v) || failed(step))
        return failure();
      layout.offset += *v * it->second.strides[d];
      if (!droppedDims.test(d))
        layout.strides.push_back(it->second.strides[d] * *step);
    }
    layouts[subview.getResult()] = layout;
  }
  llvm::SmallBitVector dropped = subview.getDroppedDims();
  SmallVector<int64_t> dims;
  for (auto [d, size] : llvm::enumerate(subview.getMixedSizes())) {
    if (dropped.test(d))
      continue;
    FailureOr<int64_t> v = integer(size, op);
    if (failed(v))
      return failure();
    dims.push_back(*v);
  }
  shapes[subview.getResult()] = dims;
  return success();
}

/// Allocations and the shapes and layouts of views.
LogicalResult Evaluator::visitView(Operation *op) {
  // Shapes of views.
  if (auto alloc = dyn_cast<memref::AllocOp>(op))
    return visitAlloc(alloc);
  if (auto subview = dyn_cast<memref::SubViewOp>(op))
    return visitSubView(subview);
  if (auto collapse = dyn_cast<memref::CollapseShapeOp>(op)) {
    FailureOr<SmallVector<int64_t>> source = shape(collapse.getSrc(), op);
    if (failed(source))
      return failure();
    SmallVector<int64_t> dims;
    for (const ReassociationIndices &group :
         collapse.getReassociationIndices()) {
      int64_t n = 1;
      for (int64_t d : group)
        n *= (*source)[d];
      dims.push_back(n);
    }
    shapes[collapse.getResult()] = dims;
    if (auto it = layouts.find(collapse.getSrc()); it != layouts.end()) {
      Layout layout = it->second;
      layout.strides.clear();
      for (const ReassociationIndices &group :
           collapse.getReassociationIndices())
        layout.strides.push_back(it->second.strides[group.back()]);
      layouts[collapse.getResult()] = layout;
    }
    return success();
  }
  if (auto expand = dyn_cast<memref::ExpandShapeOp>(op)) {
    SmallVector<int64_t> dims;
    for (OpFoldResult size : expand.getMixedOutputShape()) {
      FailureOr<int64_t> v = integer(size, op);
      if (failed(v))
        return failure();
      dims.push_back(*v);
    }
    shapes[expand.getResult()] = dims;
    if (auto it = layouts.find(expand.getSrc()); it != layouts.end()) {
      Layout layout = it->second;
      layout.strides.assign(dims.size(), 1);
      for (auto [d, group] :
           llvm::enumerate(expand.getReassociationIndices())) {
        int64_t stride = it->second.strides[d];
        for (int64_t out : llvm::reverse(group)) {
          layout.strides[out] = stride;
          stride *= dims[out];
        }
      }
      layouts[expand.getResult()] = layout;
    }
    return success();
  }
  // A transposed HBM view (channels-last data with channels on partitions).
  if (auto transpose = dyn_cast<memref::TransposeOp>(op)) {
    FailureOr<SmallVector<int64_t>> source = shape(transpose.getIn(), op);
    if (failed(source))
      return failure();
    if (layouts.contains(transpose.getIn()))
      return op->emitError()
             << "nki traffic analysis: cannot evaluate a transposed on-chip "
                "view";
    SmallVector<int64_t> dims;
    for (AffineExpr result : transpose.getPermutation().getResults())
      dims.push_back((*source)[cast<AffineDimExpr>(result).getPosition()]);
    shapes[transpose.getResult()] = dims;
    return success();
  }
  if (isa<memref::DeallocOp, memref::CastOp>(op)) {
    if (auto cast = dyn_cast<memref::CastOp>(op)) {
      FailureOr<SmallVector<int64_t>> s = shape(cast.getSource(), op);
      if (failed(s))
        return failure();
      shapes[cast.getResult()] = *s;
      if (auto it = layouts.find(cast.getSource()); it != layouts.end())
        layouts[cast.getResult()] = it->second;
    }
    return success();
  }
  return op->emitError() << "nki traffic analysis: cannot evaluate this op";
}

/// DMAs, Tensor-Engine and Vector-Engine ops: counts, bytes, busy time.
LogicalResult Evaluator::visitEngine(Operation *op) {
  // The engines.
  if (auto dma = dyn_cast<DmaCopyOp>(op)) {
    markRead(dma.getSource());
    markLoaded(dma.getTarget(), op);
    return countDma(dma);
  }
  if (auto matmul = dyn_cast<MatmulOp>(op)) {
    markRead(matmul.getStationary());
    markRead(matmul.getMoving());
    FailureOr<int64_t> stationary = numElements(matmul.getStationary(), op);
    FailureOr<int64_t> moving = numElements(matmul.getMoving(), op);
    FailureOr<SmallVector<int64_t>> movingDims = shape(matmul.getMoving(), op);
    if (failed(stationary) || failed(moving) || failed(movingDims))
      return failure();
    ++traffic.matmuls;
    int64_t k = (*movingDims)[0];
    int64_t n = k ? *moving / k : 0;
    int64_t m = k ? *stationary / k : 0;
    traffic.matmulMacs += *stationary * n;
    // About max(min(64, M), N) cycles (x4 for fp32) plus 64 to start.
    bool fp32 =
        cast<MemRefType>(matmul.getMoving().getType()).getElementType().isF32();
    traffic.tensorEngineSeconds +=
        (std::max(std::min<int64_t>(64, m), n) * (fp32 ? 4 : 1) + 64) /
        chip.getTensorEngineHz();
    return success();
  }
  if (auto transpose = dyn_cast<TransposeOp>(op)) {
    markRead(transpose.getSource());
    ++traffic.transposes;
    // About max(P, min(64, F)) cycles.
    FailureOr<SmallVector<int64_t>> dims = shape(transpose.getSource(), op);
    if (failed(dims))
      return failure();
    traffic.tensorEngineSeconds +=
        std::max((*dims)[0], std::min<int64_t>(64, (*dims)[1])) /
        chip.getTensorEngineHz();
    return success();
  }
  if (isa<TensorCopyOp, TensorTensorOp, TensorScalarOp, TensorReduceOp,
          MemsetOp>(op)) {
    // Every memref operand but the last (the target) is read.
    for (Value operand : op->getOperands().drop_back())
      if (isa<MemRefType>(operand.getType()))
        markRead(operand);
    markOverwritten(op->getOperands().back());
    ++traffic.vectorOps;
    // About max(64, N) cycles for N elements per partition, plus ~60 cycles
    // per SBUF/PSUM access (each operand).
    Value target = op->getOperands().back();
    FailureOr<SmallVector<int64_t>> dims = shape(target, op);
    if (failed(dims))
      return failure();
    int64_t perPartition = 1;
    for (int64_t d : ArrayRef(*dims).drop_front())
      perPartition *= d;
    traffic.vectorEngineSeconds +=
        (std::max<int64_t>(64, perPartition) + 60 * op->getNumOperands()) /
        chip.getVectorEngineHz();
    return success();
  }
  return op->emitError() << "nki traffic analysis: cannot evaluate this op";
}

} // namespace

FailureOr<KernelTraffic> nki::analyzeTraffic(func::FuncOp kernel,
                                             TargetAttr target) {
  if (!target)
    target = TargetAttr::lookup(kernel);
  KernelTraffic traffic;
  unsigned numArgs = kernel.getNumArguments();
  traffic.bytesFromArgument.assign(numArgs, 0);
  traffic.bytesToArgument.assign(numArgs, 0);
  for (auto [index, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref || !memref.hasStaticShape())
      return kernel.emitError() << "nki traffic analysis: argument #" << index
                                << " is not a static memref";
    int64_t bytes =
        memref.getNumElements() * (memref.getElementTypeBitWidth() / 8);
    (index + 1 == numArgs ? traffic.compulsoryStoreBytes
                          : traffic.compulsoryLoadBytes) += bytes;
  }
  Evaluator evaluator(traffic, target);
  if (kernel.isExternal() || failed(evaluator.run(kernel.front())))
    return failure();
  evaluator.finish();
  return traffic;
}

LogicalResult nki::checkViewBounds(func::FuncOp kernel) {
  if (kernel.isExternal())
    return success();
  KernelTraffic traffic;
  Evaluator evaluator(traffic, TargetAttr::lookup(kernel));
  {
    // Only a view outside its buffer is reported; a kernel the evaluation
    // cannot follow is not refused.
    ScopedDiagnosticHandler silence(kernel.getContext(),
                                    [](Diagnostic &) { return success(); });
    (void)evaluator.run(kernel.front());
  }
  if (!evaluator.outOfBounds)
    return success();
  return evaluator.outOfBounds->emitError()
         << "the subview is outside its source in some iteration: "
         << evaluator.outOfBoundsReason;
}

void nki::printCountLine(const KernelTraffic &traffic, llvm::raw_ostream &os) {
  static constexpr const char *directions[] = {"HBM->SBUF", "SBUF->HBM",
                                               "SBUF->SBUF", "HBM->HBM"};
  os << "count:";
  for (int d = 0; d < kNumDmaDirections; ++d)
    os << " dma " << directions[d] << " " << traffic.dmas[d].count << " ("
       << traffic.dmas[d].bytes << " bytes);";
  os << " matmul " << traffic.matmuls << " (" << traffic.matmulMacs
     << " MACs); transpose " << traffic.transposes << "\n";
}
