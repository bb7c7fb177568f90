//===- nki-run.cpp - JIT-run an NKI kernel and check it ---------*- C++ -*-===//
//
// nki-run FILE.mlir [--entry NAME] [--seed N | --inputs a.npy,b.npy,...]
//         [--output out.npy] [--rtol R --atol A] [--repeat N]
//         [--reference FILE.mlir]
//
// Lowers the kernel with the `nki-to-llvm` pipeline, runs it with the MLIR
// ExecutionEngine on generated or given inputs, and checks its output against
// an independent reference lowered by upstream passes only: the function in
// --reference; for a linalg conv layer imported on the way in, the function
// as it was; or, for kernels recording `nki.conv2d`, conv2d + bias + max-pool
// in linalg named ops. The last argument of a kernel is its output, the
// others its inputs.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "nki/Analysis/TrafficAnalysis.h"
#include "nki/Conversion/NKIToLinalg/NKIToLinalg.h"
#include "nki/Conversion/Passes.h"
#include "nki/Dialect/NKI/IR/Conv2dShape.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"
#include "nki/ExecutionEngine/HostCPU.h"
#include "nki/InitNKI.h"
#include "nki/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/X86TargetParser.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>

using namespace mlir;
namespace cl = llvm::cl;

// The only options --help lists: LLVM's backend flags are hidden.
static cl::OptionCategory runCategory("nki-run options");

static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<kernel.mlir>"),
                                      cl::cat(runCategory));
static cl::opt<std::string> entryName("entry", cl::desc("Kernel function"),
                                      cl::value_desc("NAME"),
                                      cl::cat(runCategory));
static cl::opt<uint64_t> seed("seed", cl::init(0),
                              cl::desc("Seed of the uniform [0, 1) inputs"),
                              cl::cat(runCategory));
static cl::list<std::string> inputFiles("inputs", cl::CommaSeparated,
                                        cl::desc("Input .npy files, in order"),
                                        cl::value_desc("a.npy,b.npy,..."),
                                        cl::cat(runCategory));
static cl::opt<std::string> outputFile("output",
                                       cl::desc("Write the output as .npy"),
                                       cl::value_desc("FILE"),
                                       cl::cat(runCategory));
static cl::opt<double>
    relTolerance("rtol", cl::init(1e-5),
                 cl::desc("Relative tolerance (numpy allclose)"),
                 cl::cat(runCategory));
static cl::opt<double>
    absTolerance("atol", cl::init(1e-8),
                 cl::desc("Absolute tolerance (numpy allclose)"),
                 cl::cat(runCategory));
static cl::opt<unsigned> repeat("repeat", cl::init(0),
                                cl::desc("Time N more runs of the kernel"),
                                cl::cat(runCategory));
static cl::opt<bool>
    countEvents("count",
                cl::desc("Count the DMAs (and bytes per direction), matmuls "
                         "and transposes one run of the kernel issues"),
                cl::cat(runCategory));
static cl::opt<unsigned>
    threads("num-threads", cl::init(0),
            cl::desc("Run the kernel's independent loops on N threads "
                     "(OpenMP; default: all cores; 1: no parallel loops)"),
            cl::cat(runCategory));
enum class BF16Matmuls { Auto, AMX, AVX512BF16, FMA };
static cl::opt<BF16Matmuls> bf16Matmuls(
    "bf16-matmuls", cl::init(BF16Matmuls::Auto),
    cl::desc("Kernel for bf16 matmuls (default: the best this CPU has)"),
    cl::values(
        clEnumValN(BF16Matmuls::Auto, "auto",
                   "AMX, else AVX512_BF16, else FMA, as this CPU allows"),
        clEnumValN(BF16Matmuls::AMX, "amx", "AMX tile units (tdpbf16ps)"),
        clEnumValN(BF16Matmuls::AVX512BF16, "avx512-bf16",
                   "AVX-512 bf16 dot products (vdpbf16ps)"),
        clEnumValN(BF16Matmuls::FMA, "fma", "widened to f32 FMAs")),
    cl::cat(runCategory));
static cl::opt<bool> foldTransposes(
    "fold-transposes", cl::init(true),
    cl::desc("Let matmuls read transposed weight tiles where they are "
             "instead of running the kernel's transposes (default: on; see "
             "convert-nki-to-linalg)"),
    cl::cat(runCategory));
static cl::opt<std::string> targetCPU(
    "target-cpu", cl::value_desc("NAME"),
    cl::desc("Generate code for this x86-64 CPU (an LLVM CPU name such as "
             "x86-64, x86-64-v3 or znver4, with that CPU's features only, no "
             "AMX) instead of this machine; it must run here"),
    cl::cat(runCategory));
static cl::opt<bool> timeReference(
    "time-reference",
    cl::desc("Also time the reference (upstream linalg lowered to loops), "
             "--repeat runs"),
    cl::cat(runCategory));
static cl::opt<bool> checkBounds(
    "check-bounds", cl::init(true),
    cl::desc("Before running, check that every view stays inside its buffer "
             "in every iteration, as nki-report evaluates the kernel "
             "(default: on; the check takes seconds on the largest naive "
             "kernels)"),
    cl::cat(runCategory));
static cl::opt<std::string>
    referenceFile("reference", cl::value_desc("FILE"),
                  cl::desc("Reference function (same signature); default: "
                           "derived from the kernel's nki.conv2d"),
                  cl::cat(runCategory));

namespace {

std::string str(Type type) {
  std::string text;
  llvm::raw_string_ostream(text) << type;
  return text;
}

/// Reports `message` and returns failure, for the tool's own errors.
LogicalResult fail(const Twine &message) {
  llvm::errs() << "nki-run: error: " << message << "\n";
  return failure();
}

/// Totals of nki_count_event calls, per event kind.
struct EventCounts {
  std::atomic<int64_t> calls[nki::kNumCountedEvents] = {};
  std::atomic<int64_t> amounts[nki::kNumCountedEvents] = {};
} eventCounts;

extern "C" void nkiCountEvent(int64_t kind, int64_t amount) {
  if (kind < 0 || kind >= nki::kNumCountedEvents)
    return;
  ++eventCounts.calls[kind];
  eventCounts.amounts[kind] += amount;
}

// nki::CountedEvent numbers the DMA directions as nki::DmaDirection does.
static_assert(
    int(nki::CountedEvent::DmaHbmToSbuf) == int(nki::DmaDirection::HbmToSbuf) &&
    int(nki::CountedEvent::DmaSbufToHbm) == int(nki::DmaDirection::SbufToHbm) &&
    int(nki::CountedEvent::DmaSbufToSbuf) ==
        int(nki::DmaDirection::SbufToSbuf) &&
    int(nki::CountedEvent::DmaHbmToHbm) == int(nki::DmaDirection::HbmToHbm));

void printEventCounts(llvm::raw_ostream &os) {
  nki::KernelTraffic traffic;
  for (int d = 0; d < nki::kNumDmaDirections; ++d)
    traffic.dmas[d] = {eventCounts.calls[d], eventCounts.amounts[d]};
  int matmul = static_cast<int>(nki::CountedEvent::Matmul);
  int transpose = static_cast<int>(nki::CountedEvent::Transpose);
  traffic.matmuls = eventCounts.calls[matmul];
  traffic.matmulMacs = eventCounts.amounts[matmul];
  traffic.transposes = eventCounts.calls[transpose];
  nki::printCountLine(traffic, os);
}

/// splitmix64: a small, well-mixed generator; the same seed gives the same
/// inputs on every machine.
struct Random {
  uint64_t state;
  float uniform() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
  }
};

/// Element storage of the supported types, converted from and to float.
uint16_t floatToBF16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  bits += 0x7fff + ((bits >> 16) & 1); // round to nearest even
  return bits >> 16;
}
float bf16ToFloat(uint16_t value) {
  uint32_t bits = uint32_t(value) << 16;
  float result;
  std::memcpy(&result, &bits, 4);
  return result;
}

/// One memref argument in host memory, with its descriptor for the
/// `_mlir_ciface_` calling convention.
class HostMemRef {
public:
  explicit HostMemRef(MemRefType type) : type(type) {
    int64_t count = type.getNumElements();
    bytes.resize(count * (type.getElementTypeBitWidth() / 8) + 64);
    int64_t rank = type.getRank();
    descriptor.assign(3 + 2 * rank, 0);
    auto aligned = reinterpret_cast<int64_t>(bytes.data());
    aligned = (aligned + 63) & ~int64_t(63);
    descriptor[0] = descriptor[1] = aligned;
    int64_t stride = 1;
    for (int64_t dim = rank - 1; dim >= 0; --dim) {
      descriptor[3 + dim] = type.getDimSize(dim);
      descriptor[3 + rank + dim] = stride;
      stride *= type.getDimSize(dim);
    }
  }

  void store(ArrayRef<float> values) {
    char *data = this->data();
    Type element = type.getElementType();
    for (auto [i, value] : llvm::enumerate(values)) {
      if (element.isF32()) {
        std::memcpy(data + 4 * i, &value, 4);
      } else if (element.isBF16()) {
        uint16_t bits = floatToBF16(value);
        std::memcpy(data + 2 * i, &bits, 2);
      } else {
        _Float16 half = static_cast<_Float16>(value);
        std::memcpy(data + 2 * i, &half, 2);
      }
    }
  }

  std::vector<float> load() const {
    std::vector<float> values(type.getNumElements());
    const char *data = const_cast<HostMemRef *>(this)->data();
    Type element = type.getElementType();
    for (size_t i = 0; i < values.size(); ++i) {
      if (element.isF32()) {
        std::memcpy(&values[i], data + 4 * i, 4);
      } else if (element.isBF16()) {
        uint16_t bits;
        std::memcpy(&bits, data + 2 * i, 2);
        values[i] = bf16ToFloat(bits);
      } else {
        _Float16 half;
        std::memcpy(&half, data + 2 * i, 2);
        values[i] = static_cast<float>(half);
      }
    }
    return values;
  }

  void *descriptorPointer() { return descriptor.data(); }

private:
  char *data() { return reinterpret_cast<char *>(descriptor[1]); }

  MemRefType type;
  std::vector<char> bytes;
  std::vector<int64_t> descriptor;
};

/// A function lowered to LLVM and JIT-compiled.
struct Compiled {
  std::unique_ptr<ExecutionEngine> engine;
  std::string name;
  SmallVector<MemRefType> argTypes;
  double compileSeconds = 0; // lowering, LLVM optimization and codegen

  /// Runs once on `inputs`; returns the output and the time taken.
  std::vector<float> run(ArrayRef<std::vector<float>> inputs,
                         double *seconds = nullptr) {
    SmallVector<std::unique_ptr<HostMemRef>> args;
    for (MemRefType type : argTypes)
      args.push_back(std::make_unique<HostMemRef>(type));
    for (auto [arg, input] : llvm::zip(args, inputs))
      arg->store(input);
    SmallVector<void *> descriptors, packed;
    for (auto &arg : args)
      descriptors.push_back(arg->descriptorPointer());
    for (void *&descriptor : descriptors)
      packed.push_back(&descriptor);
    auto start = std::chrono::steady_clock::now();
    llvm::Error error = engine->invokePacked("_mlir_ciface_" + name, packed);
    auto end = std::chrono::steady_clock::now();
    if (error)
      llvm::report_fatal_error(std::move(error));
    if (seconds)
      *seconds = std::chrono::duration<double>(end - start).count();
    return args.back()->load();
  }
};

/// The memref signature a function has once bufferized with its results as
/// out-parameters: (inputs..., results...).
FailureOr<SmallVector<MemRefType>> memrefSignature(func::FuncOp func) {
  SmallVector<MemRefType> types;
  SmallVector<Type> all(func.getArgumentTypes());
  llvm::append_range(all, func.getResultTypes());
  for (Type type : all) {
    auto shaped = dyn_cast<ShapedType>(type);
    if (!shaped || !isa<MemRefType, RankedTensorType>(shaped) ||
        !shaped.hasStaticShape() ||
        !nki::isSupportedElementType(shaped.getElementType()))
      return fail("@" + func.getName() + ": argument type " + str(type) +
                  " is not a static memref or tensor of f32, bf16 or f16");
    types.push_back(
        MemRefType::get(shaped.getShape(), shaped.getElementType()));
  }
  if (types.size() < 2)
    return fail("@" + func.getName() +
                " needs at least one input and one output");
  return types;
}

/// Picks the kernel: --entry, or the only public function with a body.
FailureOr<func::FuncOp> findEntry(ModuleOp module, StringRef path) {
  if (!entryName.empty()) {
    auto func = module.lookupSymbol<func::FuncOp>(entryName);
    if (!func || func.isExternal())
      return fail(path + ": no function @" + entryName);
    return func;
  }
  SmallVector<func::FuncOp> candidates;
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isExternal())
      candidates.push_back(func);
  if (candidates.size() != 1)
    return fail(path + ": has " + Twine(candidates.size()) +
                " public functions; choose one with --entry");
  return candidates.front();
}

OwningOpRef<ModuleOp> parse(StringRef path, MLIRContext &context,
                            llvm::SourceMgr &sourceMgr) {
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(path, sourceMgr, &context);
  if (module && failed(nki::verifyInputInvariants(*module)))
    return nullptr;
  return module;
}

/// Lowers `module` with `pipeline` and JIT-compiles function `name`.
FailureOr<Compiled> compile(ModuleOp module, func::FuncOp func,
                            function_ref<void(OpPassManager &)> pipeline) {
  Compiled compiled;
  compiled.name = func.getName().str();
  // Only `func` and what it calls are lowered: the module's other functions
  // (those an importer left alone, say) need not lower to LLVM.
  for (auto other : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (other != func && SymbolTable::symbolKnownUseEmpty(other, module))
      other.erase();
  FailureOr<SmallVector<MemRefType>> signature = memrefSignature(func);
  if (failed(signature))
    return failure();
  compiled.argTypes = *signature;
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(module.getContext()));
  auto start = std::chrono::steady_clock::now();
  PassManager pm(module.getContext());
  pipeline(pm);
  if (failed(pm.run(module)))
    return fail("lowering @" + compiled.name + " failed");
  // LLVM's optimizations see the target CPU's vector width and features,
  // as the JIT's code generation does: this machine's, or --target-cpu's.
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return fail("no code generator for this host: " +
                llvm::toString(builder.takeError()));
  if (!targetCPU.empty()) {
    if (llvm::X86::parseArchX86(targetCPU, /*Only64Bit=*/true) ==
        llvm::X86::CK_None)
      return fail("unknown CPU '" + targetCPU +
                  "' (--target-cpu takes an LLVM x86-64 CPU name, e.g. "
                  "x86-64-v3)");
    builder->setCPU(targetCPU).setFeatures("");
  }
  auto machine = builder->createTargetMachine();
  if (!machine)
    return fail("no code generator for CPU '" + builder->getCPU() +
                "': " + llvm::toString(machine.takeError()));
  std::unique_ptr<llvm::TargetMachine> target = std::move(*machine);
  auto optimize =
      makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0, target.get());
  ExecutionEngineOptions options;
  options.transformer = optimize;
  // Parallel loops call the OpenMP runtime.
  SmallVector<StringRef> libraries = {NKI_MLIR_C_RUNNER_UTILS};
  if (!StringRef(NKI_LIBOMP).empty())
    libraries.push_back(NKI_LIBOMP);
  options.sharedLibPaths = libraries;
  auto engine = ExecutionEngine::create(module, options, std::move(target));
  if (!engine)
    return fail("JIT compilation of @" + compiled.name +
                " failed: " + llvm::toString(engine.takeError()));
  compiled.engine = std::move(*engine);
  compiled.engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner(nki::kCountEventFunction)] = {
        llvm::orc::ExecutorAddr::fromPtr(&nkiCountEvent),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  // Code generation happens at the first lookup; count it.
  if (auto entry =
          compiled.engine->lookupPacked("_mlir_ciface_" + compiled.name);
      !entry)
    return fail("JIT compilation of @" + compiled.name +
                " failed: " + llvm::toString(entry.takeError()));
  compiled.compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return compiled;
}

/// conv2d + bias + max-pool in upstream linalg named ops, in f32, on tensors
/// as a front end emits it.
std::string convReferenceSource(const nki::Conv2dShape &s) {
  std::string text;
  llvm::raw_string_ostream os(text);
  auto tensor = [&](ArrayRef<int64_t> shape) {
    std::string t = "tensor<";
    for (int64_t dim : shape)
      t += std::to_string(dim) + "x";
    return t + "f32>";
  };
  std::string x = tensor({s.batch, s.inChannels, s.height, s.width});
  std::string w =
      tensor({s.outChannels, s.inChannels, s.filterHeight, s.filterWidth});
  std::string b = tensor({s.outChannels});
  std::string conv =
      tensor({s.batch, s.outChannels, s.convHeight(), s.convWidth()});
  std::string out =
      tensor({s.batch, s.outChannels, s.outHeight(), s.outWidth()});
  int64_t p = s.poolSize;
  os << "func.func @reference(%x: " << x << ", %w: " << w << ", %b: " << b
     << ") -> " << out << " {\n"
     << "  %init = tensor.empty() : " << conv << "\n"
     << "  %bias = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) "
        "-> (c)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types "
        "= [\"parallel\", \"parallel\", \"parallel\", \"parallel\"]} ins(%b : "
     << b << ") outs(%init : " << conv << ") {\n"
     << "  ^bb0(%in: f32, %o: f32):\n    linalg.yield %in : f32\n  } -> "
     << conv << "\n"
     << "  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : "
        "tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : "
     << x << ", " << w << ") outs(%bias : " << conv << ") -> " << conv << "\n";
  if (p == 1) {
    os << "  return %conv : " << conv << "\n}\n";
    return text;
  }
  os << "  %ninf = arith.constant 0xFF800000 : f32\n"
     << "  %pinit = tensor.empty() : " << out << "\n"
     << "  %fill = linalg.fill ins(%ninf : f32) outs(%pinit : " << out
     << ") -> " << out << "\n"
     << "  %window = tensor.empty() : tensor<" << p << "x" << p << "xf32>\n"
     << "  %pool = linalg.pooling_nchw_max {dilations = dense<1> : "
        "tensor<2xi64>, strides = dense<"
     << p << "> : tensor<2xi64>} ins(%conv, %window : " << conv << ", tensor<"
     << p << "x" << p << "xf32>) outs(%fill : " << out << ") -> " << out
     << "\n  return %pool : " << out << "\n}\n";
  return text;
}

bool hasNKIOps(func::FuncOp func) {
  return func
      .walk([](Operation *op) -> WalkResult {
        return isa<nki::NKIDialect>(op->getDialect()) ? WalkResult::interrupt()
                                                      : WalkResult::advance();
      })
      .wasInterrupted();
}

struct Comparison {
  double maxAbs = 0, maxRel = 0;
  int64_t mismatches = 0, firstMismatch = -1;
};

/// numpy.allclose(actual, expected, rtol, atol), element by element.
Comparison compare(ArrayRef<float> actual, ArrayRef<float> expected) {
  Comparison result;
  for (size_t i = 0; i < actual.size(); ++i) {
    double a = actual[i], e = expected[i];
    double diff = std::fabs(a - e);
    // As numpy's allclose: infinities are close to themselves only.
    bool close = a == e || diff <= absTolerance + relTolerance * std::fabs(e);
    if (std::isnan(a) != std::isnan(e) || (!std::isnan(a) && !close)) {
      if (result.firstMismatch < 0)
        result.firstMismatch = i;
      ++result.mismatches;
    }
    if (!std::isnan(diff)) {
      result.maxAbs = std::max(result.maxAbs, diff);
      if (e != 0)
        result.maxRel = std::max(result.maxRel, diff / std::fabs(e));
    }
  }
  return result;
}

/// The kernel to run in `module`: linalg-level conv layers are imported as
/// naive NKI kernels first (`original` keeps the module as it was, the
/// reference); the entry must be a kernel whose views stay inside their
/// buffers.
FailureOr<func::FuncOp> prepareKernel(ModuleOp module,
                                      OwningOpRef<ModuleOp> &original) {
  bool hasConv = false;
  module->walk([&](linalg::ConvolutionOpInterface) { hasConv = true; });
  if (hasConv) {
    original = module.clone();
    PassManager pm(module.getContext());
    nki::buildNKIImportPipeline(pm);
    if (failed(pm.run(module)))
      return failure();
  }
  FailureOr<func::FuncOp> entry = findEntry(module, inputFile);
  if (failed(entry))
    return failure();
  if (llvm::any_of(entry->getArgumentTypes(), llvm::IsaPred<TensorType>) ||
      entry->getNumResults() != 0)
    return fail("@" + entry->getName() +
                " is not a kernel: it must take HBM memrefs (inputs, then "
                "the output) and return nothing");
  // Views outside their buffers would corrupt memory when run.
  if (checkBounds && failed(nki::checkViewBounds(*entry)))
    return failure();
  return entry;
}

/// The kernel's inputs, from .npy files or uniform [0, 1), rounded to its
/// element types (the reference sees the same values, exactly widened to
/// f32 where its own types are wider), then an empty slot for the output.
FailureOr<std::vector<std::vector<float>>> makeInputs(const Compiled &kernel) {
  size_t numInputs = kernel.argTypes.size() - 1;
  std::vector<std::vector<float>> inputs;
  if (!inputFiles.empty()) {
    if (inputFiles.size() != numInputs)
      return fail("@" + kernel.name + " takes " + Twine(numInputs) +
                  " inputs, --inputs names " + Twine(inputFiles.size()));
    for (auto [index, path, type] :
         llvm::enumerate(inputFiles, ArrayRef(kernel.argTypes).drop_back())) {
      auto array = npy::read(path);
      if (!array)
        return fail(llvm::toString(array.takeError()));
      if (ArrayRef<int64_t>(array->shape) != type.getShape()) {
        std::string shape;
        llvm::raw_string_ostream os(shape);
        llvm::interleave(array->shape, os, "x");
        return fail(path + ": shape " + shape + " does not match argument #" +
                    Twine(index) + " of type '" + str(type) + "'");
      }
      inputs.push_back(std::move(array->data));
    }
  } else {
    Random random{seed};
    for (MemRefType type : ArrayRef(kernel.argTypes).drop_back()) {
      std::vector<float> values(type.getNumElements());
      for (float &value : values)
        value = random.uniform();
      inputs.push_back(std::move(values));
    }
  }
  for (auto [values, type] : llvm::zip(inputs, kernel.argTypes)) {
    HostMemRef rounded(type);
    rounded.store(values);
    values = rounded.load();
  }
  inputs.push_back({}); // the output
  return inputs;
}

/// `repeat` timed runs of `compiled`, as one `LABEL: min ..., median ...`
/// line (with GFLOP/s for a conv).
void printTimes(Compiled &compiled, ArrayRef<std::vector<float>> inputs,
                StringRef label, const std::optional<nki::Conv2dShape> &conv) {
  std::vector<double> times;
  for (unsigned i = 0; i < repeat; ++i) {
    double seconds;
    compiled.run(inputs, &seconds);
    times.push_back(seconds);
  }
  llvm::sort(times);
  double min = times.front(), median = times[times.size() / 2];
  llvm::outs() << label
               << llvm::format(": min %.6f s, median %.6f s over %u runs", min,
                               median, unsigned(repeat));
  if (conv)
    llvm::outs() << llvm::format(", %.3f GFLOP/s", conv->flops() / min * 1e-9);
  llvm::outs() << "\n";
}

/// The independent reference, compiled: --reference; conv2d + bias +
/// max-pool in f32 linalg built from the kernel's nki.conv2d; or the linalg
/// the kernel was imported from (in `reference` already). `reference` holds
/// its module.
FailureOr<Compiled>
compileReference(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                 OwningOpRef<ModuleOp> &reference,
                 const std::optional<nki::Conv2dShape> &conv,
                 const Compiled &kernel) {
  FailureOr<func::FuncOp> referenceFunc = failure();
  if (!referenceFile.empty()) {
    reference = parse(referenceFile, context, sourceMgr);
    if (!reference)
      return failure();
    referenceFunc = findEntry(*reference, referenceFile);
  } else if (conv) {
    reference = parseSourceString<ModuleOp>(convReferenceSource(*conv),
                                            &context, "conv2d-reference");
    if (!reference)
      return fail("internal error: the conv2d reference does not parse");
    referenceFunc = reference->lookupSymbol<func::FuncOp>("reference");
  } else if (reference) {
    // The function the kernel was imported from, lowered by upstream passes
    // (in its own element types: a bf16 result also accumulates in bf16).
    referenceFunc = reference->lookupSymbol<func::FuncOp>(kernel.name);
    if (!*referenceFunc)
      return fail("internal error: @" + kernel.name + " was not imported");
  } else {
    llvm::outs() << "UNCHECKED: no --reference given and @" << kernel.name
                 << " records no nki.conv2d parameters; cannot check\n";
    return failure();
  }
  if (failed(referenceFunc))
    return failure();
  if (hasNKIOps(*referenceFunc))
    return fail("the reference must be upstream dialects only, not NKI");
  // A memref function that frees its own buffers (bufferized and
  // deallocated upstream): the lowering's deallocation pipeline takes IR
  // without frees and places its own.
  referenceFunc->walk([](memref::DeallocOp dealloc) { dealloc.erase(); });
  FailureOr<Compiled> compiled = compile(
      *reference, *referenceFunc, nki::buildLinalgReferenceToLLVMPipeline);
  if (failed(compiled))
    return failure();
  if (compiled->argTypes.size() != kernel.argTypes.size() ||
      llvm::any_of(
          llvm::zip(compiled->argTypes, kernel.argTypes), [](auto pair) {
            return std::get<0>(pair).getShape() != std::get<1>(pair).getShape();
          }))
    return fail("reference @" + compiled->name +
                " does not have the kernel's signature");
  return compiled;
}

/// Prints PASS or FAIL (numpy allclose) and the largest errors.
LogicalResult checkOutput(ArrayRef<float> output, ArrayRef<float> expected) {
  Comparison result = compare(output, expected);
  llvm::outs() << llvm::format(
      "%s: %lld of %zu elements differ beyond rtol %g, atol %g; max abs "
      "error %.3g, max rel error %.3g\n",
      result.mismatches ? "FAIL" : "PASS", (long long)result.mismatches,
      output.size(), double(relTolerance), double(absTolerance), result.maxAbs,
      result.maxRel);
  if (!result.mismatches)
    return success();
  int64_t i = result.firstMismatch;
  llvm::outs() << llvm::format("first mismatch at flat index %lld: got %g, "
                               "expected %g\n",
                               (long long)i, output[i], expected[i]);
  return failure();
}

LogicalResult runMain(MLIRContext &context) {
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parse(inputFile, context, sourceMgr);
  if (!module)
    return failure();
  OwningOpRef<ModuleOp> reference;
  FailureOr<func::FuncOp> entry = prepareKernel(*module, reference);
  if (failed(entry))
    return failure();
  std::optional<nki::Conv2dShape> conv;
  if (auto attr = (*entry)->getAttrOfType<nki::Conv2dAttr>(
          nki::NKIDialect::getConv2dAttrName())) {
    FailureOr<nki::Conv2dShape> shape = nki::Conv2dShape::fromSignature(
        entry->getArgumentTypes(), attr.getPoolSize(),
        [&] { return entry->emitError(); });
    if (failed(shape))
      return failure();
    conv = *shape;
  }
  nki::NKIToLLVMOptions lowering;
  lowering.countEvents = countEvents;
  lowering.foldTransposes = foldTransposes;
  lowering.parallel = threads != 1 && !StringRef(NKI_LIBOMP).empty();
  // Only where there is something for the tile units (and the compile line
  // then says so).
  bool hasBF16Matmul = false;
  entry->walk([&](nki::MatmulOp matmul) {
    hasBF16Matmul |=
        getElementTypeOrSelf(matmul.getMoving().getType()).isBF16();
  });
  // The bf16 matmul kernel: forced, or the best this CPU has (code for
  // another CPU gets only what every x86-64 has).
  if (hasBF16Matmul) {
    BF16Matmuls choice = bf16Matmuls;
    bool hostCode = targetCPU.empty();
    // (Asks Linux for the tile state only where AMX may be chosen.)
    bool hasAMX = hostCode &&
                  (choice == BF16Matmuls::Auto || choice == BF16Matmuls::AMX) &&
                  nki::requestHostAMX();
    bool hasDot = hostCode && nki::hostHasAVX512BF16();
    if (choice == BF16Matmuls::Auto)
      choice = hasAMX   ? BF16Matmuls::AMX
               : hasDot ? BF16Matmuls::AVX512BF16
                        : BF16Matmuls::FMA;
    if (choice == BF16Matmuls::AMX && !hasAMX)
      return fail("--bf16-matmuls=amx needs AMX-BF16 on this CPU, without "
                  "--target-cpu");
    if (choice == BF16Matmuls::AVX512BF16 && !hasDot)
      return fail("--bf16-matmuls=avx512-bf16 needs AVX512_BF16 on this "
                  "CPU, without --target-cpu");
    lowering.amx = choice == BF16Matmuls::AMX;
    lowering.avx512bf16 = choice == BF16Matmuls::AVX512BF16;
  }
  FailureOr<Compiled> kernel = compile(*module, *entry, [&](OpPassManager &pm) {
    nki::buildNKIToLLVMPipeline(pm, lowering);
  });
  if (failed(kernel))
    return failure();
  FailureOr<std::vector<std::vector<float>>> inputs = makeInputs(*kernel);
  if (failed(inputs))
    return failure();

  std::vector<float> output = kernel->run(*inputs);
  llvm::outs() << "ran @" << kernel->name << " from " << inputFile << "\n";
  std::string forCPU = targetCPU.empty() ? "" : " for " + targetCPU;
  llvm::outs() << llvm::format("compile: %.3f s (lowering, LLVM -O3, code "
                               "generation%s%s)\n",
                               kernel->compileSeconds, forCPU.c_str(),
                               !hasBF16Matmul ? ""
                               : lowering.amx ? "; bf16 matmuls on AMX"
                               : lowering.avx512bf16
                                   ? "; bf16 matmuls on AVX512_BF16"
                                   : "; bf16 matmuls on FMA");
  if (countEvents)
    printEventCounts(llvm::outs());
  if (repeat > 0)
    printTimes(*kernel, *inputs, "time", conv);
  if (!outputFile.empty())
    if (llvm::Error error =
            npy::write(outputFile, kernel->argTypes.back().getShape(), output))
      return fail(llvm::toString(std::move(error)));

  llvm::SourceMgr referenceSourceMgr;
  SourceMgrDiagnosticHandler referenceDiagnostics(referenceSourceMgr, &context);
  FailureOr<Compiled> referenceKernel =
      compileReference(context, referenceSourceMgr, reference, conv, *kernel);
  if (failed(referenceKernel))
    return failure();
  std::vector<float> expected = referenceKernel->run(*inputs);
  if (timeReference && repeat > 0)
    printTimes(*referenceKernel, *inputs, "reference time", conv);
  return checkOutput(output, expected);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  nki::setNKICrashReportMessage();
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "nki-run: JIT-run an NKI kernel and check it\n");
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  DialectRegistry registry;
  nki::registerNKIDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  // Read by the OpenMP runtime when it starts, at the first parallel loop.
  if (threads > 0)
    setenv("OMP_NUM_THREADS", std::to_string(threads).c_str(), 1);
  nki::keepKernelScratchMapped();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  return failed(runMain(context)) ? 1 : 0;
}
