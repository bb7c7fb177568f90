//===- TranslateToNKIPython.cpp - Kernels as NKI Python ---------*- C++ -*-===//
//
// One Python statement per op, in program order: allocations become
// nl.ndarray, views become slicing and .reshape, nki ops become the nisa
// call that writes their target (`dst=`), scf.for becomes nl.affine_range
// (where the loop carries nki.affine_range) or nl.sequential_range, index
// arithmetic becomes Python arithmetic. The kernel's output arguments (the
// HBM arguments it writes) become HBM tensors it allocates and returns, as
// NKI kernels do; nki-py traces the file back into the same ops.
//
//===----------------------------------------------------------------------===//

#include "nki/Target/NKIPython.h"

#include "nki/Dialect/NKI/IR/NKIDialect.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::nki;

namespace {

std::string pythonFloat(double value) {
  if (std::isnan(value))
    return "float('nan')";
  if (std::isinf(value))
    return value > 0 ? "float('inf')" : "-float('inf')";
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.17g", value);
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  return text;
}

std::string shapeTuple(ArrayRef<int64_t> shape) {
  std::string text = "(";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os);
  os << (shape.size() == 1 ? ",)" : ")");
  return text;
}

FailureOr<StringRef> dtypeName(Type type) {
  if (type.isF32())
    return StringRef("nl.float32");
  if (type.isF16())
    return StringRef("nl.float16");
  if (type.isBF16())
    return StringRef("nl.bfloat16");
  return failure();
}

StringRef aluName(AluOp op) {
  switch (op) {
  case AluOp::add:
    return "nl.add";
  case AluOp::subtract:
    return "nl.subtract";
  case AluOp::multiply:
    return "nl.multiply";
  case AluOp::max:
    return "nl.maximum";
  case AluOp::min:
    return "nl.minimum";
  }
  llvm_unreachable("unknown ALU op");
}

/// The memref a view is of, through every view op.
Value rootOf(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

class KernelWriter {
public:
  explicit KernelWriter(raw_ostream &os) : os(os) {}

  LogicalResult write(func::FuncOp func);

private:
  raw_ostream &line() { return os.indent(4 * depth); }
  std::string fresh(StringRef prefix) {
    return (prefix + Twine(counter++)).str();
  }
  FailureOr<std::string> name(Value value, Operation *user);
  LogicalResult define(Value value, StringRef prefix, StringRef text);
  LogicalResult writeBlock(Block &block);
  LogicalResult writeOp(Operation *op);
  LogicalResult writeArith(Operation *op);
  LogicalResult writeSubview(memref::SubViewOp op);
  LogicalResult writeFor(scf::ForOp op);
  LogicalResult writeNKI(Operation *op);

  raw_ostream &os;
  llvm::DenseMap<Value, std::string> names;
  unsigned depth = 1;
  unsigned counter = 0;
};

FailureOr<std::string> KernelWriter::name(Value value, Operation *user) {
  if (auto it = names.find(value); it != names.end())
    return it->second;
  if (auto constant = value.getDefiningOp<arith::ConstantOp>()) {
    if (auto integer = dyn_cast<IntegerAttr>(constant.getValue()))
      return std::to_string(integer.getInt());
    if (auto real = dyn_cast<FloatAttr>(constant.getValue()))
      return pythonFloat(real.getValueAsDouble());
  }
  return user->emitError("nki-to-python: an operand NKI Python cannot "
                         "name (defined by ")
         << (value.getDefiningOp()
                 ? value.getDefiningOp()->getName().getStringRef()
                 : StringRef("a block argument"))
         << ")";
}

LogicalResult KernelWriter::define(Value value, StringRef prefix,
                                   StringRef text) {
  std::string var = fresh(prefix);
  line() << var << " = " << text << "\n";
  names[value] = var;
  return success();
}

LogicalResult KernelWriter::write(func::FuncOp func) {
  // Outputs: the arguments some op writes, through any view.
  SmallVector<BlockArgument> inputs, outputs;
  llvm::SmallDenseSet<Value> written;
  func.walk([&](MemoryEffectOpInterface effects) {
    for (Value operand : effects->getOperands())
      if (effects.getEffectOnValue<MemoryEffects::Write>(operand))
        written.insert(rootOf(operand));
  });
  for (BlockArgument arg : func.getArguments())
    (written.contains(arg) ? outputs : inputs).push_back(arg);
  if (outputs.size() != 1)
    return func.emitError("nki-to-python: a kernel writes one HBM "
                          "argument (its output); this one writes ")
           << outputs.size();

  os << "\n\n@nki.jit\ndef " << func.getSymName() << "(";
  llvm::interleaveComma(inputs, os, [&](BlockArgument arg) {
    names[arg] = ("arg" + Twine(arg.getArgNumber())).str();
    os << names[arg];
  });
  os << "):\n";
  for (BlockArgument out : outputs) {
    auto type = cast<MemRefType>(out.getType());
    FailureOr<StringRef> dtype = dtypeName(type.getElementType());
    if (!type.hasStaticShape() || failed(dtype))
      return func.emitError("nki-to-python: the output ")
             << type << " is not a static f32/f16/bf16 tensor";
    names[out] = "out";
    line() << "out = nl.ndarray(" << shapeTuple(type.getShape())
           << ", dtype=" << *dtype << ", buffer=nl.shared_hbm)\n";
  }
  if (failed(writeBlock(func.getBody().front())))
    return failure();
  line() << "return out\n";
  return success();
}

LogicalResult KernelWriter::writeBlock(Block &block) {
  bool wrote = false;
  for (Operation &op : block) {
    if (isa<func::ReturnOp, scf::YieldOp, memref::DeallocOp>(op))
      continue;
    // Constants are written where they are used.
    if (isa<arith::ConstantOp>(op))
      continue;
    if (failed(writeOp(&op)))
      return failure();
    wrote = true;
  }
  if (!wrote)
    line() << "pass\n";
  return success();
}

LogicalResult KernelWriter::writeOp(Operation *op) {
  if (isa<NKIDialect>(op->getDialect()))
    return writeNKI(op);
  if (isa<arith::ArithDialect>(op->getDialect()))
    return writeArith(op);
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](memref::AllocOp alloc) -> LogicalResult {
        MemRefType type = alloc.getType();
        FailureOr<StringRef> dtype = dtypeName(type.getElementType());
        if (!type.hasStaticShape() || failed(dtype))
          return alloc.emitError("nki-to-python: an allocation of ")
                 << type << " (static f32/f16/bf16 only)";
        StringRef buffer = getSpace(type) == Space::SBUF   ? "nl.sbuf"
                           : getSpace(type) == Space::PSUM ? "nl.psum"
                                                           : "nl.hbm";
        std::string text = "nl.ndarray(" + shapeTuple(type.getShape()) +
                           ", dtype=" + dtype->str() +
                           ", buffer=" + buffer.str() + ")";
        return define(alloc, getSpace(type) == Space::HBM ? "hbm" : "t", text);
      })
      .Case([&](memref::SubViewOp view) { return writeSubview(view); })
      .Case<memref::ExpandShapeOp, memref::CollapseShapeOp>(
          [&](Operation *reshape) -> LogicalResult {
            FailureOr<std::string> source =
                name(reshape->getOperand(0), reshape);
            if (failed(source))
              return failure();
            auto type = cast<MemRefType>(reshape->getResult(0).getType());
            // An on-chip [P] is written as the [P, 1] it comes from or
            // goes to (as for views).
            if (isOnChip(getSpace(type)) && type.getRank() == 1 &&
                cast<MemRefType>(reshape->getOperand(0).getType()).getRank() ==
                    2) {
              names[reshape->getResult(0)] = *source;
              return success();
            }
            return define(reshape->getResult(0), "v",
                          *source + ".reshape(" + shapeTuple(type.getShape()) +
                              ")");
          })
      .Case([&](scf::ForOp loop) { return writeFor(loop); })
      .Default([&](Operation *other) {
        return other->emitError("nki-to-python: '")
               << other->getName() << "' has no NKI Python form";
      });
}

LogicalResult KernelWriter::writeArith(Operation *op) {
  if (op->getNumOperands() != 2 || op->getNumResults() != 1 ||
      !op->getResult(0).getType().isIndex())
    return op->emitError("nki-to-python: '")
           << op->getName() << "' has no NKI Python form";
  FailureOr<std::string> lhs = name(op->getOperand(0), op);
  FailureOr<std::string> rhs = name(op->getOperand(1), op);
  if (failed(lhs) || failed(rhs))
    return failure();
  std::string a = *lhs, b = *rhs, text;
  if (isa<arith::AddIOp>(op))
    text = a + " + " + b;
  else if (isa<arith::SubIOp>(op))
    text = a + " - " + b;
  else if (isa<arith::MulIOp>(op))
    text = a + " * " + b;
  else if (isa<arith::FloorDivSIOp, arith::DivUIOp, arith::DivSIOp>(op))
    text = a + " // " + b;
  else if (isa<arith::CeilDivSIOp, arith::CeilDivUIOp>(op))
    text = "-(-" + a + " // " + b + ")";
  else if (isa<arith::RemSIOp, arith::RemUIOp>(op))
    text = a + " % " + b;
  else if (isa<arith::MinSIOp, arith::MinUIOp>(op))
    text = "min(" + a + ", " + b + ")";
  else if (isa<arith::MaxSIOp, arith::MaxUIOp>(op))
    text = "max(" + a + ", " + b + ")";
  else
    return op->emitError("nki-to-python: '")
           << op->getName() << "' has no NKI Python form";
  return define(op->getResult(0), "v", text);
}

LogicalResult KernelWriter::writeSubview(memref::SubViewOp view) {
  FailureOr<std::string> source = name(view.getSource(), view);
  if (failed(source))
    return failure();
  ArrayRef<int64_t> sizes = view.getStaticSizes();
  ArrayRef<int64_t> strides = view.getStaticStrides();
  ArrayRef<int64_t> result = view.getType().getShape();
  if (ShapedType::isDynamicShape(sizes) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return view.emitError("nki-to-python: a view with dynamic sizes or "
                          "strides");
  // Which source dims the view drops: matched from the last dim, so a
  // kept unit dim is the last one (as an integer index leaves it).
  SmallVector<bool> dropped(sizes.size(), false);
  int64_t j = static_cast<int64_t>(result.size()) - 1;
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    if (j >= 0 && sizes[i] == result[j])
      --j;
    else
      dropped[i] = true;
  }
  if (j >= 0)
    return view.emitError("nki-to-python: a rank-reducing view whose kept "
                          "dims are not its source's");
  // NKI keeps an on-chip view at least [P, 1]: a view down to [P] is
  // written as [P, 1] (the ops that use it take either).
  if (isOnChip(getSpace(view.getSourceType())) && result.size() == 1)
    for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i > 0; --i)
      if (dropped[i]) {
        dropped[i] = false;
        break;
      }
  std::string key;
  llvm::raw_string_ostream keyOs(key);
  SmallVector<OpFoldResult> offsets = view.getMixedOffsets();
  for (auto [dim, offset] : llvm::enumerate(offsets)) {
    std::string start;
    if (auto attr = dyn_cast<Attribute>(offset)) {
      start = std::to_string(cast<IntegerAttr>(attr).getInt());
    } else {
      FailureOr<std::string> var = name(cast<Value>(offset), view);
      if (failed(var))
        return failure();
      start = *var;
    }
    if (dim)
      keyOs << ", ";
    if (dropped[dim]) {
      keyOs << start;
      continue;
    }
    int64_t extent = (sizes[dim] - 1) * strides[dim] + 1;
    std::optional<int64_t> constant = getConstantIntValue(offset);
    keyOs << start << ":"
          << (constant ? std::to_string(*constant + extent)
                       : start + " + " + std::to_string(extent));
    if (strides[dim] != 1)
      keyOs << ":" << strides[dim];
  }
  return define(view, "v", *source + "[" + key + "]");
}

LogicalResult KernelWriter::writeFor(scf::ForOp loop) {
  if (loop.getNumResults())
    return loop.emitError("nki-to-python: a loop that carries values");
  FailureOr<std::string> lb = name(loop.getLowerBound(), loop);
  FailureOr<std::string> ub = name(loop.getUpperBound(), loop);
  FailureOr<std::string> step = name(loop.getStep(), loop);
  if (failed(lb) || failed(ub) || failed(step))
    return failure();
  std::string iv = fresh("i");
  names[loop.getInductionVar()] = iv;
  line() << "for " << iv << " in "
         << (loop->hasAttr("nki.affine_range") ? "nl.affine_range("
                                               : "nl.sequential_range(");
  if (*lb == "0" && *step == "1")
    os << *ub;
  else
    os << *lb << ", " << *ub << ", " << *step;
  os << "):\n";
  ++depth;
  LogicalResult result = writeBlock(*loop.getBody());
  --depth;
  return result;
}

LogicalResult KernelWriter::writeNKI(Operation *op) {
  SmallVector<std::string> operands;
  for (Value operand : op->getOperands()) {
    FailureOr<std::string> var = name(operand, op);
    if (failed(var))
      return failure();
    operands.push_back(*var);
  }
  auto &out = line();
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](DmaCopyOp) {
        out << "nisa.dma_copy(dst=" << operands[1] << ", src=" << operands[0]
            << ")\n";
        return success();
      })
      .Case([&](TensorCopyOp) {
        out << "nisa.tensor_copy(dst=" << operands[1] << ", src=" << operands[0]
            << ")\n";
        return success();
      })
      .Case([&](MatmulOp matmul) {
        out << "nisa.nc_matmul(dst=" << operands[2]
            << ", stationary=" << operands[0] << ", moving=" << operands[1]
            << ", accumulate="
            << (matmul.getMode() == MatmulMode::accumulate ? "True" : "False")
            << ")\n";
        return success();
      })
      .Case([&](TransposeOp) {
        out << "nisa.nc_transpose(" << operands[0] << ", dst=" << operands[1]
            << ")\n";
        return success();
      })
      .Case([&](TensorTensorOp tt) {
        out << "nisa.tensor_tensor(dst=" << operands[2]
            << ", data1=" << operands[0] << ", data2=" << operands[1]
            << ", op=" << aluName(tt.getOp()) << ")\n";
        return success();
      })
      .Case([&](TensorScalarOp ts) {
        out << "nisa.tensor_scalar(dst=" << operands[2]
            << ", data=" << operands[0] << ", op0=" << aluName(ts.getOp())
            << ", operand0=" << operands[1] << ")\n";
        return success();
      })
      .Case([&](TensorReduceOp reduce) {
        out << "nisa.tensor_reduce(dst=" << operands[1]
            << ", op=" << aluName(reduce.getOp()) << ", data=" << operands[0]
            << ", axis=" << shapeTuple(reduce.getAxes()) << ")\n";
        return success();
      })
      .Case([&](MemsetOp memset) {
        out << "nisa.memset(dst=" << operands[0]
            << ", value=" << pythonFloat(memset.getValue().convertToDouble())
            << ")\n";
        return success();
      })
      .Default([&](Operation *other) {
        out << "pass\n";
        return other->emitError("nki-to-python: '")
               << other->getName() << "' has no NKI Python form";
      });
}

} // namespace

LogicalResult mlir::nki::translateToNKIPython(Operation *op, raw_ostream &os) {
  SmallVector<func::FuncOp> funcs;
  if (auto func = dyn_cast<func::FuncOp>(op))
    funcs.push_back(func);
  else
    op->walk([&](func::FuncOp func) { funcs.push_back(func); });
  os << "\"\"\"Written by nki-translate --nki-to-python from the nki "
        "dialect.\"\"\"\n\n"
        "import neuronxcc.nki as nki\n"
        "import neuronxcc.nki.isa as nisa\n"
        "import neuronxcc.nki.language as nl\n";
  for (func::FuncOp func : funcs) {
    if (func.isExternal())
      continue;
    if (failed(KernelWriter(os).write(func)))
      return failure();
  }
  return success();
}

void mlir::nki::registerToNKIPythonTranslation() {
  TranslateFromMLIRRegistration registration(
      "nki-to-python", "write nki kernels as NKI Python",
      [](Operation *op, raw_ostream &os) {
        return translateToNKIPython(op, os);
      },
      [](DialectRegistry &registry) {
        registry.insert<NKIDialect, arith::ArithDialect, func::FuncDialect,
                        memref::MemRefDialect, scf::SCFDialect>();
      });
}
