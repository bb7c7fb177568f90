//===- NKIDialect.td - NKI dialect definition --------------*- tablegen -*-===//

#ifndef NKI_DIALECT_NKI_IR_NKIDIALECT_TD
#define NKI_DIALECT_NKI_IR_NKIDIALECT_TD

include "mlir/IR/OpBase.td"

def NKI_Dialect : Dialect {
  let name = "nki";
  let cppNamespace = "::mlir::nki";
  let summary = "The AWS Neuron Kernel Interface (NKI) programming model";
  let description = [{
    Models NKI kernels for tile-based NeuronCores: tensors live in HBM (device
    memory), SBUF (the 128-partition on-chip scratchpad) or PSUM (the matmul
    accumulator, 128 partitions x 8 banks x 2 KiB). Buffers are builtin
    `memref`s: HBM is the default memory space, so kernel arguments are plain
    memrefs; SBUF and PSUM carry `#nki.mem<sbuf>` / `#nki.mem<psum>`. Dim 0 of
    an on-chip buffer is the partition dimension (at most 128), the remaining
    dims are the free dimensions.

    Ops model the engines: `nki.dma_copy` (DMA queues), `nki.matmul` and
    `nki.transpose` (Tensor Engine), `nki.tensor_copy`, `nki.tensor_tensor`,
    `nki.tensor_scalar`, `nki.tensor_reduce` and `nki.memset` (Vector/Scalar
    engines). Loops are upstream `scf.for`; the discardable unit attribute
    `nki.affine_range` marks a loop whose iterations are independent (NKI's
    `affine_range`), unmarked loops are sequential.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Discardable attribute marking an `scf.for` as NKI `affine_range`.
    static constexpr ::llvm::StringLiteral getAffineRangeAttrName() {
      return ::llvm::StringLiteral("nki.affine_range");
    }
    /// Discardable attribute recording a kernel's conv2d parameters.
    static constexpr ::llvm::StringLiteral getConv2dAttrName() {
      return ::llvm::StringLiteral("nki.conv2d");
    }
    /// Discardable attribute naming the chip a module or function targets.
    static constexpr ::llvm::StringLiteral getTargetAttrName() {
      return ::llvm::StringLiteral("nki.target");
    }
  }];
}

class NKI_Op<string mnemonic, list<Trait> traits = []>
    : Op<NKI_Dialect, mnemonic, traits>;

#endif // NKI_DIALECT_NKI_IR_NKIDIALECT_TD
