//===- NKIAttrs.td - NKI attributes and enums --------------*- tablegen -*-===//

#ifndef NKI_DIALECT_NKI_IR_NKIATTRS_TD
#define NKI_DIALECT_NKI_IR_NKIATTRS_TD

include "nki/Dialect/NKI/IR/NKIDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Memory spaces
//===----------------------------------------------------------------------===//

def NKI_MemorySpace : I32EnumAttr<"MemorySpace", "NKI on-chip memory space", [
    I32EnumAttrCase<"sbuf", 1>,
    I32EnumAttrCase<"psum", 2>
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::nki";
}

def NKI_MemorySpaceAttr : EnumAttr<NKI_Dialect, NKI_MemorySpace, "mem"> {
  let assemblyFormat = "`<` $value `>`";
  let summary = "On-chip memory space of a memref: SBUF or PSUM";
  let description = [{
    Placed as the memory space of a builtin memref: `#nki.mem<sbuf>` is the
    state buffer (128 partitions x 224 KiB on trn2, about 208 KiB usable per
    partition), `#nki.mem<psum>` the matmul accumulator (128 partitions x
    8 banks x 2 KiB). A memref without memory space lives in HBM.
  }];
}

//===----------------------------------------------------------------------===//
// Engine operations
//===----------------------------------------------------------------------===//

def NKI_AluOp : I32EnumAttr<"AluOp", "elementwise or reduction operator", [
    I32EnumAttrCase<"add", 0>,
    I32EnumAttrCase<"subtract", 1>,
    I32EnumAttrCase<"multiply", 2>,
    I32EnumAttrCase<"max", 3>,
    I32EnumAttrCase<"min", 4>
  ]> {
  let cppNamespace = "::mlir::nki";
}

def NKI_MatmulMode : I32EnumAttr<"MatmulMode",
    "whether a matmul overwrites or accumulates into its PSUM result", [
    I32EnumAttrCase<"overwrite", 0>,
    I32EnumAttrCase<"accumulate", 1>
  ]> {
  let cppNamespace = "::mlir::nki";
}

//===----------------------------------------------------------------------===//
// Kernel metadata
//===----------------------------------------------------------------------===//

def NKI_Conv2dAttr : AttrDef<NKI_Dialect, "Conv2d"> {
  let mnemonic = "conv2d";
  let summary = "Marks a kernel as fused conv2d + bias + max-pool";
  let description = [{
    Placed on a `func.func` as `nki.conv2d = #nki.conv2d<pool = P>`, it
    records that the kernel computes, with arguments `(X, W, bias, out)`,

      out = max_pool(conv2d(X, W) + bias, window = stride = P)

    for X `[B, Cin, H, W]`, W `[Cout, Cin, FH, FW]`, bias `[Cout]` and out
    `[B, Cout, (H - FH + 1) / P, (W - FW + 1) / P]`, stride 1, no padding. The
    shapes come from the signature, which the verifier checks against this
    formula. Tools use it to build an independent reference; passes never read
    it, so dropping it changes no rewrite.
  }];
  let parameters = (ins "int64_t":$poolSize);
  let assemblyFormat = "`<` `pool` `=` $poolSize `>`";
}

//===----------------------------------------------------------------------===//
// Target description
//===----------------------------------------------------------------------===//

def NKI_TargetAttr : AttrDef<NKI_Dialect, "Target"> {
  let mnemonic = "target";
  let summary = "The chip a kernel is written for: capacities and rates";
  let description = [{
    Placed as `nki.target = #nki.target<...>` on a module or function, it
    describes the NeuronCore the kernels inside target. The buffer verifiers
    read the partition count and the SBUF and PSUM capacities from it, the
    rewrites size their SBUF caches from it (half the usable SBUF per
    partition unless a pass option says otherwise), and `nki-report` its
    cost model: a DMA costs `dma_fixed_ns / dma_queues` plus its bytes at
    `dma_bytes_per_us`; a matmul about `max(min(64, M), N)` Tensor-Engine
    cycles (x4 for fp32) plus 64, a transpose `max(P, min(64, F))`; the
    Tensor-Engine peak is `2 x partitions^2` FLOP per cycle (a quarter for
    fp32). Without an attribute, kernels target trn2.

    Presets (`TargetAttr::getPreset`, `nki-report --target=`): `trn2`
    (NeuronCore-v3: 212,992 usable SBUF bytes per partition, 8 PSUM banks of
    2 KiB, Tensor Engine 2.4 GHz, Vector Engine 0.96 GHz, 16 DMA queues at
    368 GB/s, 1.3 us per DMA) and `trn1` (NeuronCore-v2: 180,224 usable SBUF
    bytes per partition; the other numbers are trn2's, for lack of published
    per-engine figures in our reference).

    ```mlir
    module attributes {nki.target = #nki.target<name = "small",
        partitions = 128, sbuf_bytes_per_partition = 65536,
        psum_bank_bytes = 2048, psum_banks = 8, tensor_engine_mhz = 2400,
        vector_engine_mhz = 960, dma_queues = 16,
        dma_bytes_per_us = 368000, dma_fixed_ns = 1300>} { ... }
    ```
  }];
  let parameters = (ins
    StringRefParameter<"chip name">:$name,
    "int64_t":$partitions,
    "int64_t":$sbuf_bytes_per_partition,
    "int64_t":$psum_bank_bytes,
    "int64_t":$psum_banks,
    "int64_t":$tensor_engine_mhz,
    "int64_t":$vector_engine_mhz,
    "int64_t":$dma_queues,
    "int64_t":$dma_bytes_per_us,
    "int64_t":$dma_fixed_ns);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The presets: "trn2", "trn1"; null for another name.
    static TargetAttr getPreset(::mlir::MLIRContext *context,
                                ::llvm::StringRef name);
    /// The target of `op`: the `nki.target` of the nearest of `op` and its
    /// ancestors that has one, else trn2.
    static TargetAttr lookup(::mlir::Operation *op);
    int64_t getPsumBytesPerPartition() const {
      return getPsumBankBytes() * getPsumBanks();
    }
    /// The Tensor Engine's peak, in FLOP/s.
    double getPeakFlops(bool fp32) const;
    double getTensorEngineHz() const { return getTensorEngineMhz() * 1e6; }
    double getVectorEngineHz() const { return getVectorEngineMhz() * 1e6; }
  }];
}

#endif // NKI_DIALECT_NKI_IR_NKIATTRS_TD
